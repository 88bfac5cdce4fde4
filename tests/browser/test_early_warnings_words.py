"""An analyst reads the early warnings in words (rank, reasons, how the score adds up, how
scores are made) and a small council's benchmarks unranked, at 1280 and 390 pixels wide,
with no sideways scroll and axe's checks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.browser.accessibility import assert_accessible, assert_fits
from workforce.config import Settings
from workforce.forecasting import flows
from workforce.statistics.bundled import newest_census_year

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
LAST = newest_census_year()
RUTLAND = "857"  # about 21 FTE social workers in post


@pytest.mark.parametrize("wide_or_narrow", [1280, 390], indirect=True)
def test_warnings_in_words_and_a_small_council_unranked(
    public_session: Session,
    public_settings: Settings,
    public_live_server: str,
    wide_or_narrow: Page,
) -> None:
    flows.refit(session=public_session, origins=(LAST - 1,), settings=public_settings)
    public_session.commit()
    page = wide_or_narrow
    page.goto(public_live_server + "/early-warnings")
    how = page.locator("#how-scored ~ p").first
    expect(how).to_contain_text(
        f"A forecast agency rate above {public_settings.warning_agency_rate:g}% for next year "
        "adds 1"
    )
    expect(
        page.get_by_role("link", name="how the forecasts are made and tested")
    ).to_have_attribute("href", "/methods")
    rows = page.locator("#warnings tbody tr")
    first = rows.first
    expect(first.locator(".app-warning-sentence")).to_have_text(re.compile(r"^Ranked 1st of \d+: "))
    expect(first.locator(".app-warning-score")).to_have_text(
        re.compile(r"^Score [\d.]+: [\d.]+ for ")
    )
    scilly = rows.filter(has_text="Isles of Scilly")
    expect(scilly.locator(".govuk-tag")).to_have_text("Small workforce")
    expect(scilly.locator(".app-warning-sentence")).not_to_contain_text("in England")
    assert_fits(page)
    assert_accessible(page)

    page.goto(public_live_server + f"/councils/{RUTLAND}")
    expect(page.locator("#small-workforce")).to_contain_text(
        "Small workforce: rates swing on a few people."
    )
    turnover = page.locator('#benchmarks tr[data-measure="turnover_rate_fte"]')
    expect(turnover.locator("td").last).to_contain_text("Not ranked")
    assert_fits(page)
    assert_accessible(page)
