"""Where each kind of user lands on signing in, and the service navigation that takes them
on from there, at 1280 and 390 pixels wide: the current page marked (aria-current), the
phase banner, nothing scrolling sideways and axe's checks on every page."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.browser.accessibility import assert_accessible, assert_fits
from tests.builders.agencies import register
from tests.builders.people import COUNCIL_A, GROUP, PASSWORD, TEST_ACTOR, Person
from workforce.auth.models import Role
from workforce.auth.service import create_user

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

WIDTHS = [1280, 390]
GROUP_PATH = "/mou/groups/" + quote(GROUP, safe="")


@pytest.fixture
def own_agency(reference_engine: Engine, people: dict[str, Person]) -> int:
    """The agency user's agency on the register (their account says "Acme Social Work Ltd")."""
    with Session(reference_engine, expire_on_commit=False) as s:
        agency = register(s, "ACME SOCIAL WORK LIMITED")
        s.commit()
        assert agency.id is not None
        return agency.id


def sign_in_to_start(page: Page, base: str, person: Person) -> None:
    """Sign in from the sign-in page itself, asking for no page in particular."""
    page.context.clear_cookies()
    page.goto(base + "/sign-in")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)


def narrow(page: Page) -> bool:
    viewport = page.viewport_size
    return viewport is not None and viewport["width"] < 641


def checked(page: Page) -> None:
    """The page fits its width, has the phase banner, and passes axe."""
    assert_fits(page, slack=0)
    expect(page.locator(".govuk-phase-banner")).to_contain_text("Beta")
    assert_accessible(page)


def open_menu(page: Page) -> None:
    """At a phone's width, open the navigation behind its Menu toggle."""
    if narrow(page):
        toggle = page.get_by_role("button", name="Menu")
        expect(toggle).to_be_visible()
        if toggle.get_attribute("aria-expanded") != "true":
            toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")


def current_link(page: Page):  # type: ignore[no-untyped-def]
    return page.locator('.govuk-service-navigation a[aria-current="page"]')


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_each_kind_of_user_lands_on_their_own_page(
    own_agency: int, people: dict[str, Person], live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    landings = {
        "hr_lead_a": (f"/councils/{COUNCIL_A}/returns", "Returns"),
        "intervention_lead_a": (f"/councils/{COUNCIL_A}/pool", "Pool requests"),
        "pool_coordinator": ("/pool", "Emergency pool"),
        "mou_member": (GROUP_PATH, GROUP),
        "kitemark_admin": ("/kitemarks", "Kite-mark register"),
        "agency_user": (f"/kitemarks/{own_agency}", "Your agency"),
        "analyst": ("/account", people["analyst"].email),
        "admin": ("/account", people["admin"].email),
    }
    for key, (path, link) in landings.items():
        sign_in_to_start(page, live_server, people[key])
        assert page.url == live_server + path, key
        # The page they land on is in their navigation, marked as the one they are on.
        expect(current_link(page)).to_have_count(1)
        expect(current_link(page)).to_have_text(link)
        checked(page)


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_the_intervention_lead_lands_on_their_councils_requests(
    people: dict[str, Person], live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    sign_in_to_start(page, live_server, people["intervention_lead_a"])
    expect(page).to_have_url(f"{live_server}/councils/{COUNCIL_A}/pool")
    expect(page.get_by_role("heading", level=1)).to_have_text("Emergency pool requests")
    expect(page.locator("main")).to_contain_text("Camden")
    checked(page)


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_the_mou_member_reaches_every_page_of_their_group_from_the_navigation(
    people: dict[str, Person], live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    sign_in_to_start(page, live_server, people["mou_member"])
    expect(page.get_by_role("heading", level=1)).to_contain_text(GROUP)
    journey = [
        ("Findings", GROUP_PATH + "/findings", "Findings"),
        ("Agency rates", "/rate-index", "Agency social work rate index"),
        (GROUP, GROUP_PATH, GROUP),
        (people["mou_member"].email, "/account", "Your account"),
    ]
    for link, path, heading in journey:
        open_menu(page)
        nav = page.locator(".govuk-service-navigation")
        nav.get_by_role("link", name=link, exact=True).click()
        expect(page).to_have_url(live_server + path)
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        expect(current_link(page)).to_have_text(link)
        checked(page)


@pytest.mark.parametrize("wide_or_narrow", [390], indirect=True)
def test_at_a_phones_width_the_menu_toggle_opens_the_navigation(
    live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    page.goto(live_server + "/england")
    toggle = page.get_by_role("button", name="Menu")
    england = page.locator(".govuk-service-navigation").get_by_role("link", name="England")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(england).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(england).to_be_visible()
    expect(england).to_have_attribute("aria-current", "page")
    checked(page)
    toggle.click()
    expect(england).to_be_hidden()


@pytest.mark.parametrize("wide_or_narrow", [1280], indirect=True)
def test_a_wide_screen_shows_the_navigation_without_a_toggle(
    live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    page.goto(live_server + "/methods")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(current_link(page)).to_have_text("Methods")
    expect(current_link(page)).to_be_visible()


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_the_account_page_says_the_role_what_it_allows_and_how_to_get_a_new_password(
    people: dict[str, Person], live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    sign_in_to_start(page, live_server, people["hr_lead_a"])
    page.goto(live_server + "/account")
    main = page.locator("main")
    expect(main).to_contain_text("HR lead for Camden")
    expect(main).to_contain_text(
        "You can send and correct the quarterly workforce return of Camden."
    )
    expect(page.get_by_role("heading", name="If you need a new password")).to_be_visible()
    expect(main).to_contain_text("Ask an administrator")
    checked(page)


def test_a_link_from_elsewhere_still_leads_back_after_signing_in(
    people: dict[str, Person], live_server: str, page: Page
) -> None:
    page.goto(live_server + "/account")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=(%2F|/)account$"))
    page.get_by_label("Email address").fill(people["mou_member"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(live_server + "/account")


def test_a_long_email_address_wraps_on_the_account_page_at_a_phones_width(
    reference_engine: Engine, live_server: str, page: Page
) -> None:
    # The commands the page quotes hold the address: on a phone they wrap, not widen the page.
    email = "emergencypoolcoordinator@screens.example.gov.uk"
    with Session(reference_engine) as s:
        create_user(
            session=s,
            email=email,
            role=Role.pool_coordinator,
            password=PASSWORD,
            actor=TEST_ACTOR,
        )
        s.commit()
    page.set_viewport_size({"width": 390, "height": 900})
    page.context.clear_cookies()
    page.goto(live_server + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)
    page.goto(live_server + "/account")
    expect(page.locator("main")).to_contain_text(f"reset-password --email {email}")
    assert_fits(page, slack=0)
