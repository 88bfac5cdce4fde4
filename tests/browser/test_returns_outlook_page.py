"""The council page's "Your returns since the last census", for the council's HR lead, at
1280 and 390 pixels wide with axe's checks: marked as unpublished, each measure's sentence,
the table scrolling inside its own region; signed out, no trace of it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.engine import Engine

from tests.browser.accessibility import assert_accessible, assert_fits
from tests.browser.signing import sign_in
from tests.builders.people import COUNCIL_A, Person
from tests.builders.returns_outlook import returns_sent
from workforce.config import Settings

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


@pytest.mark.parametrize("wide_or_narrow", [1280, 390], indirect=True)
def test_the_hr_lead_reads_the_outlook_their_returns_update(
    live_server: str,
    wide_or_narrow: Page,
    people: dict[str, Person],
    reference_engine: Engine,
    reference_settings: Settings,
) -> None:
    returns_sent(reference_engine, reference_settings)
    page = wide_or_narrow
    sign_in(page, live_server, people["hr_lead_a"])
    page.goto(f"{live_server}/councils/{COUNCIL_A}")
    section = page.locator("#returns-outlook")
    expect(section.get_by_role("heading", level=2)).to_have_text(
        "Your returns since the last census"
    )
    expect(section.locator(".govuk-warning-text")).to_contain_text("Unpublished data")
    expect(section.locator("#returns-outlook-sentences li")).to_have_count(3)
    expect(section.locator("#returns-outlook-sentences")).to_contain_text(
        "Agency worker rate: your latest accepted return, for 31 March 2026, puts it at "
        "23.7%, against 15.0% expected for 2026; the updated outlook for 2026 is about 19.4% "
        "(was 15.0%), up 4.4 points"
    )
    expect(
        section.get_by_role("region", name="Public forecast and updated outlook")
    ).to_be_visible()
    assert_fits(page, slack=0)
    assert_accessible(page)

    page.context.clear_cookies()
    page.goto(f"{live_server}/councils/{COUNCIL_A}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("#returns-outlook")).to_have_count(0)
    assert "Unpublished data" not in page.content()
