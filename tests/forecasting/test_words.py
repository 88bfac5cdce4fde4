"""The council page's opening in words: the judgement, a sentence per measure and what
the event study shows after the same grade."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from workforce.forecasting import words
from workforce.inspections.models import Framework, Grade, JudgementPublic


@dataclass
class P:
    year: int
    council: float | None
    england: float | None


@dataclass
class F:
    target: int
    point: float
    lo80: float
    hi80: float


def _judgement(grade: Grade | None, start: date, **fields: Any) -> JudgementPublic:
    return JudgementPublic(
        council_code="340",
        framework=Framework.ilacs_standard,
        inspection_start=start,
        inspection_end=fields.pop("inspection_end", None),
        published=fields.pop("published", None),
        grade=grade,
        graded=grade is not None,
        impact_of_leaders=fields.pop("impact_of_leaders", None),
        help_and_protection=fields.pop("help_and_protection", None),
        in_care=fields.pop("in_care", None),
        care_leavers=fields.pop("care_leavers", None),
        urn=None,
        note=None,
    )


def test_the_judgement_is_the_latest_graded_one_with_its_dates_and_sub_judgements() -> None:
    timeline = [
        _judgement(Grade.good, date(2019, 5, 1), published=date(2019, 6, 20)),
        _judgement(
            Grade.inadequate,
            date(2024, 12, 2),
            inspection_end=date(2024, 12, 13),
            published=date(2025, 1, 20),
            impact_of_leaders=Grade.inadequate,
            help_and_protection=Grade.requires_improvement,
        ),
        _judgement(None, date(2025, 6, 1)),  # a visit: no grade
    ]
    text = words.judgement_words(words.current_judgement(timeline))  # type: ignore[arg-type]
    assert text == (
        "Inadequate, published 20 January 2025 (inspected 2 December 2024 to 13 December "
        "2024). Ofsted judged the impact of leaders inadequate, help and protection "
        "requires improvement to be good."
    )


def test_a_measure_sentence_says_the_figure_the_forecast_and_england() -> None:
    points = [P(2022, 10.2, 16.0), P(2023, 12.7, 17.9), P(2024, None, 18.0)]
    forecasts = [F(2024, 18.0, 12.0, 25.0), F(2025, 22.3, 14.2, 30.4)]
    assert words.measure_sentence("Agency rate", "%", points, forecasts) == (
        "Agency rate: 12.7% in 2023; expected about 22% by 2025 (80% range 14% to 30%), "
        "against 17.9% in England."
    )
    assert words.measure_sentence("Caseload", "cases", [P(2023, 16.24, None)], []) == (
        "Caseload: 16.2 in 2023."
    )
    assert words.measure_sentence("Agency rate", "%", [P(2023, None, 17.9)], []) is None


def test_the_event_study_is_said_two_census_years_on() -> None:
    study = {
        "events": 41,
        "estimates": [
            {"k": -2, "estimate": 0.1, "lower": -1.0, "upper": 1.2},
            {"k": 1, "estimate": 2.0, "lower": 0.5, "upper": 3.5},
            {"k": 2, "estimate": 3.4, "lower": 1.1, "upper": 5.7},
        ],
    }
    assert words.event_study_sentence("Agency rate", "%", Grade.inadequate, study) == (
        "Agency rate: after a judgement of inadequate, councils' figure was on average 3.4 "
        "percentage points higher 2 census years later than the year before it (95% range "
        "+1.1 to +5.7; 41 judgements)."
    )
    assert words.event_study_sentence("Agency rate", "%", Grade.good, None) is None
    assert words.event_study_sentence("Agency rate", "%", Grade.good, {"estimates": []}) is None
