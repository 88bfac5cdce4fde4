"""A director of a council just judged inadequate opens the council page: it opens with the
judgement (grade, dates, sub-judgements), then a sentence per measure saying the latest
figure, what is expected with its 80% range and England's figure, and what happened to other
councils after the same grade; at 1280 and 390 pixels wide, with no sideways scroll and
axe's checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from tests.browser.accessibility import assert_accessible, assert_fits
from workforce.config import Settings
from workforce.forecasting import flows
from workforce.forecasting import service as forecast_service
from workforce.inspections.models import Grade
from workforce.inspections.service import latest_judgements
from workforce.measures import MEASURES
from workforce.statistics.bundled import newest_census_year
from workforce.statistics.service import best_figures, council_series, england_series

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]
LAST = newest_census_year()


@pytest.fixture
def inadequate_council(public_session: Session, public_settings: Settings) -> str:
    """A council whose latest graded judgement is inadequate, with forecasts fitted."""
    flows.refit(session=public_session, origins=(LAST - 2, LAST - 1), settings=public_settings)
    public_session.commit()
    latest = latest_judgements(session=public_session)
    codes = sorted(
        (j.published or j.inspection_start, code)
        for code, j in latest.items()
        if j.grade == Grade.inadequate
    )
    assert codes, "the bundled judgements hold no council judged inadequate"
    return codes[-1][1]


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def expected_opening(session: Session, code: str) -> tuple[str, str]:
    """The judgement's first sentence and the agency rate's sentence, worked out from the
    stored judgement, published figures and forecasts (not from the page's own code)."""
    judgement = latest_judgements(session=session)[code]
    assert judgement.published is not None
    inspected = _day(judgement.inspection_start)
    if judgement.inspection_end and judgement.inspection_end != judgement.inspection_start:
        inspected += f" to {_day(judgement.inspection_end)}"
    judged = f"Inadequate, published {_day(judgement.published)} (inspected {inspected})."
    figures = best_figures(council_series(session=session, code=code), code)
    year = max(y for (y, m), f in figures.items() if m == "agency_rate_fte" and f.value)
    council = figures[(year, "agency_rate_fte")].value
    england = next(
        f.value
        for f in england_series(session=session, measures=["agency_rate_fte"])
        if f.year == year
    )
    run = forecast_service.latest_run(session=session)
    assert run is not None
    forecast = max(
        (
            v
            for v in forecast_service.council_values(
                session=session, run=run, code=code, measure="agency_rate_fte"
            )
            if v.kind == "forecast"
        ),
        key=lambda v: v.target,
    )
    label = MEASURES["agency_rate_fte"].label
    agency = (
        f"{label}: {council:.1f}% in {year}; expected about {forecast.point:.0f}% by "
        f"{forecast.target} (80% range {forecast.lo80:.0f}% to {forecast.hi80:.0f}%), against "
        f"{england:.1f}% in England."
    )
    return judged, agency


@pytest.fixture
def narrow_and_wide(browser: Browser) -> Iterator[list[Page]]:
    contexts = [browser.new_context(viewport={"width": w, "height": 900}) for w in (1280, 390)]
    pages = [c.new_page() for c in contexts]
    yield pages
    for c in contexts:
        c.close()


def test_the_council_page_opens_with_the_judgement_and_what_is_expected(
    inadequate_council: str,
    public_live_server: str,
    narrow_and_wide: list[Page],
    public_session: Session,
) -> None:
    judged, agency = expected_opening(public_session, inadequate_council)
    for page in narrow_and_wide:
        page.goto(public_live_server + f"/councils/{inadequate_council}")
        opening = page.locator("#opening")
        expect(opening.locator("#current-judgement")).to_contain_text("Inadequate")
        expect(opening.locator("#current-judgement")).to_contain_text("inspected")
        sentences = opening.locator("#measure-sentences li")
        expect(sentences.first).to_be_visible()
        expect(opening.locator("#measure-sentences")).to_contain_text("expected about")
        expect(opening.locator("#measure-sentences")).to_contain_text("80% range")
        expect(opening.locator("#measure-sentences")).to_contain_text("in England")
        expect(opening.locator("#after-grade")).to_contain_text("after a judgement of inadequate")
        # The sentences themselves, with the figures the data hold.
        expect(opening.locator("#current-judgement")).to_contain_text(judged)
        label = MEASURES["agency_rate_fte"].label
        expect(sentences.filter(has_text=f"{label}:")).to_have_text(agency)
        # The opening comes before the charts.
        assert page.evaluate(
            "() => document.querySelector('#opening').compareDocumentPosition("
            "document.querySelector('#measures')) & Node.DOCUMENT_POSITION_FOLLOWING"
        )
        assert_fits(page)
        assert_accessible(page)
