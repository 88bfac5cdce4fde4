"""A director of a council just judged inadequate opens the council page: it opens with the
judgement (grade, dates, sub-judgements), then a sentence per measure saying the latest
figure, what is expected with its 80% range and England's figure, and what happened to other
councils after the same grade; at 1280 and 390 pixels wide, with no sideways scroll and
axe's checks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session

from tests.browser.accessibility import assert_accessible, assert_fits
from workforce.config import Settings
from workforce.forecasting import flows
from workforce.inspections.models import Grade
from workforce.inspections.service import latest_judgements
from workforce.statistics.bundled import newest_census_year

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


@pytest.fixture
def narrow_and_wide(browser: Browser) -> Iterator[list[Page]]:
    contexts = [browser.new_context(viewport={"width": w, "height": 900}) for w in (1280, 390)]
    pages = [c.new_page() for c in contexts]
    yield pages
    for c in contexts:
        c.close()


def test_the_council_page_opens_with_the_judgement_and_what_is_expected(
    inadequate_council: str, public_live_server: str, narrow_and_wide: list[Page]
) -> None:
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
        # The opening comes before the charts.
        assert page.evaluate(
            "() => document.querySelector('#opening').compareDocumentPosition("
            "document.querySelector('#measures')) & Node.DOCUMENT_POSITION_FOLLOWING"
        )
        assert_fits(page)
        assert_accessible(page)
