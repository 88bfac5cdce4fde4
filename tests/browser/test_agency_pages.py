"""A council's agency spend by kite-mark status and a return's report with each assignment's
agency kite-mark status today, in a browser at 1280 and 390 pixels wide, with axe's
accessibility checks, for Council A's HR lead signed in through the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.browser.accessibility import assert_accessible, assert_fits
from tests.browser.signing import sign_in
from tests.builders.agencies import council_a_with_kitemarked_agencies
from tests.builders.people import COUNCIL_A, Person

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

WIDTHS = [1280, 390]


@pytest.fixture
def council_a(reference_session: Session, people: dict[str, Person]) -> dict[str, int]:
    return council_a_with_kitemarked_agencies(reference_session)


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_agency_spend_page_by_kitemark_status(
    council_a: dict[str, int], people: dict[str, Person], live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    sign_in(page, live_server, people["hr_lead_a"])
    page.goto(live_server + f"/councils/{COUNCIL_A}/agency-spend")
    expect(page.locator("h1")).to_have_text("Agency spend by kite-mark status")
    expect(page.locator("#spend-caption")).to_contain_text(
        "Agency spend (£, estimated) by quarter and kite-mark status"
    )
    expect(page.locator("#agency-spend tbody tr")).to_have_count(3)  # Q3 (seeded), Q2, Q1
    expect(page.locator("#quarter-2026-Q2 td[data-status=suspended]")).to_contain_text(
        "1 assignment"
    )
    expect(page.locator("#assumption")).to_contain_text("hours a week")
    assert_fits(page)
    assert_accessible(page)


@pytest.mark.parametrize("wide_or_narrow", WIDTHS, indirect=True)
def test_return_report_shows_kitemark_status_today(
    council_a: dict[str, int], people: dict[str, Person], live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    sign_in(page, live_server, people["hr_lead_a"])
    page.goto(live_server + f"/returns/{council_a['q1']}")
    expect(page.locator("h1")).to_contain_text(f"return {council_a['q1']}")
    expect(page.locator("#assignments-caption")).to_have_text("4 agency assignments in this return")
    table = page.locator("#assignments")
    expect(table.locator("thead")).to_contain_text("Kite-mark status today")
    expect(table.locator("tbody tr")).to_have_count(4)
    good = table.locator("tbody tr", has_text="GOOD LOCUMS LIMITED")
    expect(good.locator("td[data-status=suspended]")).to_contain_text("Suspended (Good Locums Ltd")
    expect(good.get_by_role("link", name="Suspended")).to_have_attribute(
        "href", f"/kitemarks/{council_a['good']}"
    )
    expect(table.locator("tbody tr", has_text="Unheard Of Agency")).to_contain_text("Not matched")
    expect(table.locator("tbody tr", has_text="Freelance Direct")).to_contain_text("Not registered")
    assert_fits(page)
    assert_accessible(page)
