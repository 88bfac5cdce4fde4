"""The emergency pool in a browser at 1280 and 390 pixels wide, with axe's accessibility
checks: a council's intervention lead asks for staff (refused first, with the error
summary); the coordinator runs the matcher and offers the proposed worker on the board; the
council answers the offer on its page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.browser.accessibility import assert_accessible, assert_fits
from tests.browser.forms import fill_date
from tests.browser.signing import sign_in
from tests.builders import pool as build
from tests.builders.people import COUNCIL_A, Person
from workforce.pool.terms import PoolRole, Specialism
from workforce.timeutils import utcnow

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

WIDTHS = [1280, 390]
TODAY = utcnow().date()


@pytest.fixture
def bench(reference_engine: Engine) -> None:
    """Two workers who can fill a Camden team manager post with court work."""
    with Session(reference_engine) as s:
        for name in ("Jo Placed", "Sam Second"):
            build.worker(
                s,
                name=name,
                role=PoolRole.team_manager,
                specialisms=(Specialism.court_work, Specialism.practice_supervision),
                work_councils=(COUNCIL_A,),
                availability=((TODAY, TODAY + timedelta(days=365)),),
                registration_checked=TODAY,
                day_rate=500.0,
            )
        s.commit()


def _checked(page: Page) -> None:
    assert_fits(page)
    assert_accessible(page)


def _as(page: Page, base: str, person: Person) -> None:
    page.context.clear_cookies()
    sign_in(page, base, person)


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_a_council_asks_the_coordinator_offers_the_council_accepts(
    bench: None, people: dict[str, Person], live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    _as(page, live_server, people["intervention_lead_a"])
    page.goto(live_server + "/pool/requests")
    expect(page.locator("h1")).to_have_text("Emergency pool requests")
    _checked(page)
    # A link that GOV.UK's button macro marks role="button" (a start-style link button).
    page.get_by_role("button", name="Ask for pool staff").click()
    expect(page.locator("h1")).to_have_text("Ask for pool staff")
    _checked(page)

    page.get_by_label("Role").select_option("team_manager")
    page.get_by_label("Number of posts").fill("0")
    page.get_by_role("button", name="Send the request").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))
    _checked(page)

    page.get_by_label("Number of posts").fill("1")
    page.locator("#required-court_work").check()
    start = TODAY + timedelta(days=21)
    fill_date(page, "start_date", start.day, start.month, start.year)
    page.get_by_label("Duration in weeks").fill("12")
    page.get_by_label("Days a week on site").fill("3")
    page.get_by_label("Maximum day rate, in pounds").fill("600")
    page.get_by_label("Why the council needs these posts").fill(
        "Two assessment teams without a manager since the inspection."
    )
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("h1")).to_have_text("Emergency pool requests")
    expect(page.locator(".app-pool-request")).to_contain_text("1 team manager")
    _checked(page)

    _as(page, live_server, people["pool_coordinator"])
    page.goto(live_server + "/pool")
    page.get_by_role("button", name="Run the matcher").click()
    expect(page.locator("#latest-run")).to_contain_text("1 of 1 open posts")
    expect(page.locator("[data-proposal]")).to_contain_text("Jo Placed")
    _checked(page)
    page.locator("[data-proposal] button").first.click()
    expect(page.locator("[data-offer]")).to_contain_text("open")
    page.get_by_role("button", name=re.compile("^Worker accepts")).click()
    _checked(page)
    page.get_by_role("link", name="The pool's report").click()
    expect(page.locator("#capacity")).to_contain_text("Team manager")
    _checked(page)

    _as(page, live_server, people["intervention_lead_a"])
    page.goto(live_server + f"/councils/{COUNCIL_A}/pool")
    expect(page.locator("[data-offer]")).not_to_contain_text("Jo Placed")
    _checked(page)
    page.get_by_role("button", name=re.compile("^Council accepts")).click()
    expect(page.locator(".app-pool-request")).to_contain_text("Jo Placed")
    _checked(page)
