"""The early warnings page says each council's rank and reasons in words, how its score adds
up, and how scores are made, on the bundled public data."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from workforce.config import Settings
from workforce.forecasting import flows, service
from workforce.statistics.bundled import newest_census_year
from workforce.statistics.england import england_table

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
LAST = newest_census_year()


def _cells(html: str, css_class: str) -> list[str]:
    return [
        unescape(text)
        for text in re.findall(rf'<p class="[^"]*{css_class}[^"]*">(.*?)</p>', html, re.S)
    ]


def test_each_warning_is_said_in_words_and_its_score_adds_up(
    public_client: TestClient, public_session: Session, public_settings: Settings
) -> None:
    run = flows.refit(session=public_session, origins=(LAST - 1,), settings=public_settings)
    public_session.commit()
    warnings = service.warnings_in(session=public_session, run=run)
    assert len(warnings) >= 3
    forecasts = service.all_values(
        session=public_session, run=run, measure="agency_rate_fte", target=LAST + 1
    )
    html = public_client.get("/early-warnings").text

    sentences = _cells(html, "app-warning-sentence")
    scores = _cells(html, "app-warning-score")
    assert len(sentences) == len(scores) == len(warnings)
    for number, (warning, sentence, score) in enumerate(
        zip(warnings, sentences, scores, strict=True), start=1
    ):
        assert warning["rank_in_england"] == number
        assert sentence.startswith(f"Ranked {number}")
        assert f" of {len(forecasts)}: " in sentence
        figures = warning["figures"]
        if "inadequate_judgement" in figures:
            assert "it was judged inadequate in " in sentence
        if "agency_rate_forecast" in figures:
            expected = f"{figures['agency_rate_forecast']:.0f}%"
            assert re.search(rf"(to|about) {expected} (by|in) {LAST + 1}", sentence), sentence
        # The score's parts are given, and they add up to the score stored.
        amounts = [float(a) for a in re.findall(r"([\d.]+) for ", score)]
        assert amounts, score
        assert sum(amounts) == pytest.approx(warning["score"], abs=0.02)
    # Where a forecast stands is said among councils whose workforce is not small.
    small = {
        code
        for row in england_table(
            session=public_session,
            year=LAST,
            measures=["agency_rate_fte"],
            small_workforce_fte=public_settings.warning_small_workforce_fte,
        )
        if row.small_workforce
        for code in row.council_codes
    }
    said = {w["council_code"]: s for w, s in zip(warnings, sentences, strict=True)}
    comparable = [(v.point, c.code) for v, c in forecasts if c.code not in small]
    top = max(comparable)[1]
    if top in said:
        assert "the highest in England" in said[top]
    assert sum("the highest in England" in s for s in sentences) <= 1
    for code in small & set(said):
        assert "in England" not in said[code]
    # The API says the same words, in JSON and in its CSV.
    answer = public_client.get("/api/early-warnings").json()["warnings"]
    assert [w["in_words"] for w in answer] == sentences
    assert [w["score_in_words"] for w in answer] == scores
    as_csv = public_client.get("/api/early-warnings", params={"format": "csv"}).text
    assert "in_words" in as_csv.splitlines()[0] and sentences[0].split(":")[0] in as_csv


def test_the_page_says_how_the_score_is_made_and_links_to_the_methods(
    public_client: TestClient, public_session: Session, public_settings: Settings
) -> None:
    flows.refit(session=public_session, origins=(LAST - 1,), settings=public_settings)
    public_session.commit()
    html = public_client.get("/early-warnings").text
    assert 'id="how-scored"' in html
    assert (
        f"A forecast agency rate above {public_settings.warning_agency_rate:g}% for next year "
        "adds 1" in html
    )
    assert '<a class="govuk-link" href="/methods">' in html
