"""Scenarios: the whole panel's forecast with the judgement added, from what is kept per run;
a judgement already in the forecast stated and not offered again; the difference in words."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from workforce.cache import VersionedCache
from workforce.config import Settings
from workforce.forecasting import flows, scenarios
from workforce.forecasting.model import forecast
from workforce.forecasting.models import ForecastRun
from workforce.forecasting.panel import JudgementEvent, load_panel
from workforce.forecasting.scenarios import ScenarioPoint, scenario_day
from workforce.forecasting.service import model_from_dict
from workforce.inspections.models import Grade
from workforce.statistics.bundled import newest_census_year

LAST = newest_census_year()  # forecasts start after the newest bundled release's last year
KNOWSLEY = "This forecast already includes the inadequate judgement published on 20 January 2025."


def _whole_panel(
    models: list[Any], panel: Any, code: str, event: JudgementEvent
) -> list[tuple[str, int, dict[str, float], dict[str, float]]]:
    """What forecasting every council of the whole panel, with and without ``event``, gives
    for ``code`` (as the scenario did before it kept anything)."""
    expected = []
    for model in models:
        base = forecast(model, panel)
        changed = forecast(model, panel.with_judgement(event))
        b = base[base["council_code"] == code]
        c = changed[changed["council_code"] == code]
        if b.empty:
            continue
        expected.append(
            (
                model.measure,
                int(b["target"].iloc[0]),
                {k: round(float(b[k].iloc[0]), 2) for k in scenarios.COLUMNS},
                {k: round(float(c[k].iloc[0]), 2) for k in scenarios.COLUMNS},
            )
        )
    return expected


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_scenario_is_the_whole_panel_forecast_with_the_judgement_added(
    public_session: Session, public_settings: Settings
) -> None:
    run = flows.refit(session=public_session, origins=(LAST - 1,), settings=public_settings)
    public_session.commit()
    panel = load_panel(session=public_session)
    models = [model_from_dict(m) for m in run.models]
    cache = VersionedCache()
    cases = [
        ("202", Grade.inadequate, f"{LAST + 1}-03"),  # Camden: counts from the first year
        ("340", Grade.good, f"{LAST + 1}-06"),  # after a judgement already in the forecast
        ("878", Grade.inadequate, f"{LAST + 1}-12"),  # counts from the second year only
        ("420", Grade.requires_improvement, f"{LAST + 1}-11"),  # the Isles of Scilly
        ("394", Grade.outstanding, f"{LAST + 2}-05"),  # no agency rate to start from
    ]
    for code, grade, month in cases:
        day = scenario_day(month)
        points = scenarios.scenario(
            session=public_session, run=run, code=code, grade=grade, day=day, cache=cache
        )
        event = JudgementEvent(code, day, grade.value, hypothetical=True)
        assert [(p.measure, p.target, p.without, p.with_judgement) for p in points] == (
            _whole_panel(models, panel, code, event)
        ), (code, grade, month)
        if code == "202":
            agency = next(p for p in points if p.measure == "agency_rate_fte")
            assert agency.with_judgement["point"] > agency.without["point"] + 1
        if code == "394":
            assert len(points) == 6  # Sunderland's 2024 agency rate is published as `low`
    # The models and every council's rows were worked out once, and each council's own
    # rows once per council; another scenario for a council reads both from the cache.
    assert (cache.misses, cache.hits) == (1 + len(cases), len(cases) - 1)
    scenarios.scenario(
        session=public_session,
        run=run,
        code="202",
        grade=Grade.good,
        day=scenario_day(f"{LAST + 2}-01"),
        cache=cache,
    )
    assert (cache.misses, cache.hits) == (1 + len(cases), len(cases) + 1)


def _run() -> ForecastRun:
    """A run as the refit stores it, as far as what is offered depends on it."""
    return ForecastRun(
        model_version="test",
        data_cutoff=LAST,
        data_fingerprint="",
        models=[{"horizon": 1}, {"horizon": 2}],
    )


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
def test_a_judgement_published_since_the_census_is_stated_and_only_later_months_offered(
    public_session: Session,
) -> None:
    # Knowsley (340) was judged inadequate in November 2024, published 20 January 2025:
    # after the 2024 census, so the forecast from it already counts that judgement.
    assert LAST == 2024, "the councils below are chosen for the 2024 census"
    run = _run()
    known = scenarios.known_judgement(session=public_session, run=run, code="340")
    assert known is not None and known.sentence == KNOWSLEY
    months = scenarios.scenario_months(run=run, known=known)
    assert months[0] == ("2025-02", "February 2025")  # after the judgement, not before
    assert months[-1] == ("2026-09", "September 2026")  # the last forecast year's end
    assert len(months) == 20
    choices = scenarios.grade_choices(known)
    assert [value for value, _ in choices[:3]] == [
        "requires improvement to be good",
        "good",
        "outstanding",
    ]
    assert choices[3] == ("inadequate", "inadequate again (a re-inspection)")
    # The same grade at or before it repeats what is known; another grade or later is new.
    refused = scenarios.refusal(known, Grade.inadequate, "2025-01")
    assert refused is not None and refused.startswith(KNOWSLEY)
    assert "a month from February 2025 on" in refused
    assert scenarios.refusal(known, Grade.inadequate, "2024-11") is not None
    assert scenarios.refusal(known, Grade.inadequate, "2025-02") is None
    assert scenarios.refusal(known, Grade.good, "2025-01") is None

    # Camden's outstanding judgement ended in March 2025 and was published on 15 April.
    camden = scenarios.known_judgement(session=public_session, run=run, code="202")
    assert camden is not None and camden.sentence == (
        "This forecast already includes the outstanding judgement published on 15 April 2025."
    )
    assert scenarios.scenario_months(run=run, known=camden)[0] == ("2025-05", "May 2025")

    # Hammersmith and Fulham's latest judgement (published May 2024) is in the census years
    # the forecast starts from: nothing to state, every month from October 2024 and every
    # grade offered.
    assert scenarios.known_judgement(session=public_session, run=run, code="205") is None
    assert scenarios.scenario_months(run=run, known=None)[0] == ("2024-10", "October 2024")
    assert len(scenarios.scenario_months(run=run, known=None)) == 24
    assert [value for value, _ in scenarios.grade_choices(None)] == [
        "inadequate",
        "requires improvement to be good",
        "good",
        "outstanding",
    ]


def _point(measure: str, target: int, without: float, changed: float) -> ScenarioPoint:
    def band(point: float) -> dict[str, float]:
        return {"point": point, "lo80": point - 9.1, "hi80": point + 8.8, "lo95": 0, "hi95": 99}

    return ScenarioPoint(measure, target, band(without), band(changed))


def test_the_difference_is_said_in_one_sentence_per_measure() -> None:
    points = [
        _point("agency_rate_fte", 2025, 22.2, 24.3),
        _point("agency_rate_fte", 2026, 21.0, 26.0),
        _point("vacancy_rate_fte", 2025, 18.0, 16.4),
        _point("caseload_fte", 2025, 17.2, 17.21),
        _point("caseload_fte", 2026, 17.0, 17.5),
    ]
    assert scenarios.scenario_sentences(points, Grade.inadequate, "2025-03") == [
        "If judged inadequate in March 2025, the agency worker rate would be expected to be "
        "about 24% in 2025 (80% range 15% to 33%), 2.1 pp higher than the forecast without "
        "it (22%).",
        "If judged inadequate in March 2025, the vacancy rate would be expected to be about "
        "16% in 2025 (80% range 7% to 25%), 1.6 pp lower than the forecast without it (18%).",
        "If judged inadequate in March 2025, the average caseload would be expected to be "
        "about 17 cases in 2025 (80% range 8 cases to 26 cases), the same as the forecast "
        "without it (17 cases).",
    ]
    # An inspection ending in November counts from the next census year: the sentence is
    # about the first year it counts in.
    later = scenarios.scenario_sentences(points, Grade.requires_improvement, "2025-11")
    assert later[0] == (
        "If judged requires improvement to be good in November 2025, the agency worker rate "
        "would be expected to be about 26% in 2026 (80% range 17% to 35%), 5.0 pp higher "
        "than the forecast without it (21%)."
    )
    assert later[2].endswith("0.5 cases higher than the forecast without it (17 cases).")
