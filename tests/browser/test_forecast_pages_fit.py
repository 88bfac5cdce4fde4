"""The pages that show forecasts, with a forecast run in the database, at 1280 and 390
pixels wide: none scrolls sideways (wide tables scroll inside their own region) and axe
finds no critical or serious violation. Without a run these pages are short and plain, so
the accessibility sweep alone would not see their tables and charts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.browser.accessibility import assert_accessible, assert_fits
from workforce.config import Settings
from workforce.forecasting import flows
from workforce.statistics.bundled import newest_census_year

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
LAST = newest_census_year()
PAGES = {
    "/methods": "How the forecasts are made",
    "/early-warnings": "Early warnings",
    "/councils/878": "Devon",
}


@pytest.fixture
def fitted(public_session: Session, public_settings: Settings) -> None:
    flows.refit(session=public_session, origins=(LAST - 2, LAST - 1), settings=public_settings)
    public_session.commit()


@pytest.mark.parametrize("wide_or_narrow", [1280, 390], indirect=True)
def test_forecast_pages_fit_the_screen_and_pass_axe(
    fitted: None, public_live_server: str, wide_or_narrow: Page
) -> None:
    page = wide_or_narrow
    for path, heading in PAGES.items():
        page.goto(public_live_server + path)
        expect(page.locator("h1")).to_contain_text(heading)
        assert_fits(page)
        assert_accessible(page)
