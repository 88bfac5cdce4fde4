"""The kite-mark's forms in a browser at 1280 and 390 pixels wide, with axe's accessibility
checks on each form as it first shows, refused with its error summary, and done: an
agency's own user applies and uploads evidence; a council's user records a complaint, the
agency's user responds and the kite-mark admin rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.browser.accessibility import assert_accessible, assert_fits
from tests.browser.forms import fill_date
from tests.browser.signing import sign_in
from tests.builders.agencies import register
from tests.builders.people import Person

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

WIDTHS = [1280, 390]


@pytest.fixture
def own_agency(reference_engine: Engine, people: dict[str, Person]) -> int:
    """The agency user's own agency (their account says "Acme Social Work Ltd")."""
    with Session(reference_engine, expire_on_commit=False) as s:
        agency = register(s, "ACME SOCIAL WORK LIMITED")
        s.commit()
        assert agency.id is not None
        return agency.id


def _checked(page: Page) -> None:
    assert_fits(page)
    assert_accessible(page)


def _as(page: Page, base: str, person: Person) -> None:
    page.context.clear_cookies()
    sign_in(page, base, person)


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_the_agency_user_applies_and_uploads_evidence(
    own_agency: int,
    people: dict[str, Person],
    live_server: str,
    wide_or_narrow: Page,
    tmp_path: Path,
) -> None:
    page = wide_or_narrow
    _as(page, live_server, people["agency_user"])
    page.goto(live_server + f"/kitemarks/{own_agency}")
    form = page.locator("#apply-form")
    expect(form).to_contain_text("Apply for the kite-mark")
    _checked(page)

    fill_date(page, "period_start", 31, 3, 2026)
    fill_date(page, "period_end", 1, 4, 2025)
    page.get_by_role("button", name="Apply for the kite-mark").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The period ends before it starts")
    expect(page).to_have_title(re.compile("^Error: "))
    _checked(page)
    summary.get_by_role("link", name="The period ends before it starts").click()
    expect(page.locator("#period_end-day")).to_be_focused()

    fill_date(page, "period_start", 1, 4, 2025)
    fill_date(page, "period_end", 31, 3, 2026)
    page.get_by_role("button", name="Apply for the kite-mark").click()
    expect(page.locator("h1")).to_contain_text("Kite-mark application")
    expect(page.locator("#application-status")).to_have_text("submitted")
    _checked(page)

    page.get_by_role("button", name="Upload evidence").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Choose the evidence file to upload"
    )
    _checked(page)

    policy = tmp_path / "vetting-policy.pdf"
    policy.write_bytes(b"%PDF-1.4 the agency's vetting policy")
    page.get_by_label("Evidence file").set_input_files(str(policy))
    page.get_by_label("What it shows (optional)").fill("Our vetting policy")
    page.get_by_role("button", name="Upload evidence").click()
    expect(page.locator("#evidence-table")).to_contain_text("vetting-policy.pdf")
    expect(page.locator("#evidence-table")).to_contain_text("Our vetting policy")
    _checked(page)

    page.get_by_role("link", name="ACME SOCIAL WORK LIMITED").click()
    expect(page.locator("#applications-table tbody tr")).to_have_count(1)
    _checked(page)


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_a_complaint_is_recorded_answered_and_ruled(
    own_agency: int, people: dict[str, Person], live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    agency_page = live_server + f"/kitemarks/{own_agency}"

    _as(page, live_server, people["hr_lead_a"])
    page.goto(agency_page)
    expect(page.locator("#complaint-form")).to_contain_text("Record a complaint or incident")
    _checked(page)
    page.get_by_label("Incident").check()
    fill_date(page, "received_on", 31, 2, 2026)
    page.get_by_role("button", name="Record the complaint or incident").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The date received must be a real date")
    expect(summary).to_contain_text("The summary is 1 to 2000 characters")
    expect(page.get_by_label("Incident")).to_be_checked()
    _checked(page)
    fill_date(page, "received_on", 15, 1, 2026)
    page.get_by_label("Summary").fill("The locum missed two booked home visits.")
    page.get_by_role("button", name="Record the complaint or incident").click()
    expect(page.locator("#complaints")).to_be_visible()
    card = page.locator(".govuk-summary-card")
    expect(card).to_contain_text("Incident received 15 January 2026 (Camden)")
    _checked(page)

    _as(page, live_server, people["agency_user"])
    page.goto(agency_page)
    expect(card).to_contain_text("The locum missed two booked home visits.")
    _checked(page)
    page.get_by_role("button", name="Send the response").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The response is 1 to 2000 characters"
    )
    _checked(page)
    page.get_by_label("Respond to this incident").fill("Cover was arranged the next day.")
    page.get_by_role("button", name="Send the response").click()
    expect(page.locator("[id$='-response']").first).to_contain_text(
        "Cover was arranged the next day."
    )
    _checked(page)

    _as(page, live_server, people["kitemark_admin"])
    page.goto(agency_page)
    _checked(page)
    page.get_by_role("button", name="Record the ruling").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select upheld or not upheld")
    _checked(page)
    page.get_by_label("Not upheld").check()
    page.get_by_role("button", name="Record the ruling").click()
    expect(page.locator("[id$='-ruling']").first).to_have_text("Not upheld")
    _checked(page)
