"""Forecast bands, the scenario form, early warnings and the methods page in a browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.browser.accessibility import assert_accessible, assert_fits
from workforce.config import Settings
from workforce.forecasting import flows
from workforce.statistics.bundled import newest_census_year

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
LAST = newest_census_year()  # forecasts start after the newest bundled release's last year


@pytest.fixture
def fitted(public_session: Session, public_settings: Settings) -> None:
    flows.refit(session=public_session, origins=(LAST - 2, LAST - 1), settings=public_settings)
    public_session.commit()


CAMDEN_KNOWN = (
    "This forecast already includes the outstanding judgement published on 15 April 2025."
)


@pytest.mark.parametrize("wide_or_narrow", [1280, 390], indirect=True)
def test_council_page_forecast_and_scenario(
    fitted: None, public_live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    page.goto(public_live_server + "/councils/202")
    chart = page.locator("#chart-agency_rate_fte-figure")
    expect(chart.locator("svg")).to_contain_text("Forecast")
    expect(chart.locator("svg")).to_contain_text("80% interval")
    chart.locator("summary").click()
    expect(chart.locator("tr.app-forecast-row")).to_have_count(2)
    expect(chart.locator("tr.app-forecast-row").first).to_contain_text(f"{LAST + 1} (forecast)")
    expect(chart.locator("tr.app-backtest-row")).to_contain_text(
        f"{LAST} (predicted from {LAST - 1})"
    )
    expect(chart.locator("tr.app-backtest-row")).to_contain_text("published")

    # Camden's outstanding judgement (March 2025, published 15 April 2025) is in the
    # forecast: the form says so, and its months start after it.
    scenario = page.locator("#scenario")
    expect(scenario.locator("#scenario-known")).to_have_text(CAMDEN_KNOWN)
    expect(scenario.locator(".govuk-hint")).to_contain_text("A scenario shows how this forecast")
    months = page.get_by_label("Inspection ends")
    expect(months.locator("option").first).to_have_text("May 2025")
    page.get_by_label("Grade").select_option("inadequate")
    months.select_option(label="June 2025")
    page.get_by_role("button", name="Show the scenario").click()
    sentences = page.locator("#scenario-sentences li")
    expect(sentences).to_have_count(4)
    expect(sentences.nth(1)).to_contain_text(
        "If judged inadequate in June 2025, the agency worker rate would be expected to be about"
    )
    expect(sentences.nth(1)).to_contain_text("pp higher than the forecast without it")
    chart = page.locator("#chart-agency_rate_fte-figure")
    expect(chart.locator("svg")).to_contain_text(f"If judged inadequate ({LAST + 1}-06)")
    assert_accessible(page)
    assert_fits(page)
    chart.locator("summary").click()
    expect(chart.locator("tr.app-scenario-row").first).to_contain_text("without it")

    # Asked again by address: the same grade at or before the known judgement is refused,
    # in the error summary, linked to the month.
    page.goto(
        public_live_server + "/councils/202?scenario_grade=outstanding&scenario_month=2025-04"
    )
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(CAMDEN_KNOWN)
    expect(summary.get_by_role("link")).to_have_attribute("href", "#scenario-month")
    expect(page.locator("#scenario-month-error")).to_contain_text(CAMDEN_KNOWN)
    expect(page.locator("#scenario-sentences")).to_have_count(0)
    assert_accessible(page)
    assert_fits(page)
    page.goto(public_live_server + "/councils/202?scenario_grade=inadequate&scenario_month=2019-03")
    expect(page.locator(".govuk-error-summary")).to_contain_text("after the last census year")


def test_methods_and_early_warnings(fitted: None, public_live_server: str, page: Page) -> None:
    page.goto(public_live_server + "/methods")
    table = page.locator('table.app-backtest[data-measure="agency_rate_fte"][data-horizon="1"]')
    expect(table).to_contain_text("panel without judgements")
    expect(table).to_contain_text("last value")
    figure = page.locator("#effects-inadequate")
    expect(figure.locator("svg")).to_be_visible()
    expect(figure.locator("table tbody tr")).to_have_count(7)
    expect(figure.locator(".app-pre-trend")).to_contain_text("before these judgements")

    page.get_by_role("link", name="Early warnings").first.click()
    rows = page.locator("#warnings tbody tr")
    expect(rows.first).to_be_visible()
    expect(rows.first.locator("li").first).to_be_visible()
    everywhere = rows.count()
    scilly = rows.filter(has_text="Isles of Scilly")
    expect(scilly.locator(".app-caveat")).to_contain_text("small workforce")

    page.get_by_label("Region").select_option(label="North West")
    page.get_by_role("button", name="Show warnings").click()
    expect(page).to_have_url(re.compile(r"region=E12000002"))
    expect(page.locator("#warnings caption")).to_contain_text("flagged in North West")
    expect(rows.first).to_be_visible()
    assert 0 < rows.count() < everywhere
    for region in rows.locator("td:nth-child(3)").all_inner_texts():
        assert region == "North West"
    with page.expect_download() as download:
        page.get_by_role("link", name="these warnings (CSV)").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert len(lines) == rows.count() + 1 and all("North West" in line for line in lines[1:])

    name = rows.first.get_by_role("link").inner_text()
    rows.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/councils/\d{3}$"))
    expect(page.locator("h1")).to_have_text(name)
