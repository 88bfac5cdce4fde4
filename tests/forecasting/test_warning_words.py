"""An early warning in words: its rank, its reasons with their figures, and its score."""

from __future__ import annotations

import pytest

from workforce.forecasting import warning_words as ww

THRESHOLDS = ww.Thresholds(
    agency_rate=20.0, vacancy_gap=10.0, recent_years=2.0, small_workforce_fte=30.0
)
# 152 councils' agency forecasts: 16.0, 16.1, ... 31.1 (the top tenth is 15 councils).
EVERYONE = [16.0 + i / 10 for i in range(152)]


@pytest.mark.parametrize(
    ("number", "words"),
    [
        *[(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th")],
        *[(13, "13th"), (21, "21st"), (22, "22nd"), (101, "101st"), (111, "111th")],
        (152, "152nd"),
    ],
)
def test_ranks_are_said_as_ordinals(number: int, words: str) -> None:
    assert ww.ordinal(number) == words


def test_the_worst_tenth_and_quarter_are_counted_from_the_highest_forecast() -> None:
    assert ww.worst_share(1, 152) == "the highest in England"
    assert ww.worst_share(15, 152) == "in the worst tenth in England"
    assert ww.worst_share(16, 152) == "in the worst quarter in England"
    assert ww.worst_share(38, 152) == "in the worst quarter in England"
    assert ww.worst_share(39, 152) is None
    assert ww.worst_share(3, 0) is None
    assert ww.position_of(30.0, [31.1, 30.0, 29.0, 30.5]) == 3  # two are higher


def test_the_example_sentence_rank_forecast_standing_and_judgement() -> None:
    warning = {
        "council_code": "340",
        "rank_in_england": 3,
        "score": 3.49,
        "figures": {"agency_rate_forecast": 29.9, "inadequate_judgement": "2025-01-17"},
    }
    said = ww.explain(
        warning,
        ranked=152,
        thresholds=THRESHOLDS,
        agency_latest=25.8,
        agency_latest_year=2024,
        agency_target=2025,
        agency_forecasts=EVERYONE,  # 12 of them (30.0 to 31.1) are higher than 29.9
    )
    assert said.sentence == (
        "Ranked 3rd of 152: the agency rate is expected to rise 4 pp to 30% by 2025 (from "
        "25.8% in 2024), in the worst tenth in England and it was judged inadequate in "
        "January 2025."
    )
    # 1 + 0.1 x 9.9 points above 20% for the forecast, 1.5 for the judgement.
    assert said.score == (
        "Score 3.49: 1.99 for the agency rate forecast and 1.5 for the inadequate judgement."
    )
    assert not said.small_workforce


def test_every_reason_in_the_score_s_order_with_its_figures() -> None:
    figures = {
        "agency_rate_forecast": 19.6,  # stored under an older, lower threshold
        "turnover": {"2021": 14.1, "2022": 15.0, "2023": 18.3},
        "vacancy_gap": 12.5,
        "inadequate_judgement": "2024-06-30",
        "inpost_fte": 21.4,
    }
    clauses = ww.reasons_in_words(
        figures,
        agency_latest=21.0,
        agency_target=2024,
        agency_position=80,
        agency_count=152,
        data_year=2023,
    )
    assert clauses == [
        "the agency rate is expected to fall 1 pp to 20% by 2024",
        "turnover rose two years running, from 14.1% in 2021 to 18.3% in 2023",
        "its vacancy rate was 12.5 pp above its statistical neighbours' mean in 2023",
        "it was judged inadequate in June 2024",
    ]
    parts = ww.score_parts(figures, THRESHOLDS)
    assert [what for what, _ in parts] == [
        "the agency rate forecast",
        "rising turnover",
        "the vacancy gap",
        "the inadequate judgement",
    ]
    assert [round(amount, 2) for _, amount in parts] == [1.0, 1.0, 1.25, 1.5]


def test_a_forecast_near_the_latest_rate_is_said_to_stay_and_an_unknown_start_to_reach() -> None:
    steady = ww.reasons_in_words({"agency_rate_forecast": 26.2}, agency_latest=26.4)
    assert steady == ["the agency rate is expected to stay at about 26%"]
    unknown = ww.reasons_in_words({"agency_rate_forecast": 26.2}, agency_target=2025)
    assert unknown == ["the agency rate is expected to reach 26% by 2025"]


def test_a_score_that_its_parts_do_not_make_is_given_without_a_breakdown() -> None:
    parts = [("rising turnover", 1.0), ("the inadequate judgement", 1.5)]
    assert ww.score_words(2.5, parts) == (
        "Score 2.5: 1 for rising turnover and 1.5 for the inadequate judgement."
    )
    assert ww.score_words(3.0, parts) == "Score 3."


def test_every_warning_is_explained_by_council_and_a_small_workforce_is_flagged() -> None:
    warnings = [
        {
            "council_code": "420",
            "rank_in_england": 1,
            "score": 2.5,
            "figures": {
                "turnover": {"2021": 10.0, "2022": 20.0, "2023": 30.0},
                "inadequate_judgement": "2023-11-03",
                "inpost_fte": 8.2,
            },
        },
        {
            "council_code": "202",
            "rank_in_england": 2,
            "score": 2.0,
            "figures": {"agency_rate_forecast": 30.0},
        },
    ]
    forecasts = {"420": 12.0, "202": 30.0, "909": 31.0, "318": 8.0}
    said = ww.explain_all(
        warnings,
        thresholds=THRESHOLDS,
        agency_forecasts=forecasts,
        agency_latest={"202": 24.0},
        data_year=2023,
    )
    assert said["420"].small_workforce and not said["202"].small_workforce
    assert said["420"].sentence.startswith("Ranked 1st of 4: turnover rose two years running")
    # 202's forecast is the second highest of 4: not in the worst quarter, so not said.
    assert said["202"].sentence == (
        "Ranked 2nd of 4: the agency rate is expected to rise 6 pp to 30% by 2024 (from 24.0% "
        "in 2023)."
    )
    assert said["202"].score == "Score 2: 2 for the agency rate forecast."


def test_how_the_score_is_made_names_the_thresholds() -> None:
    words = " ".join(ww.how_scored(THRESHOLDS))
    assert "above 20% for next year adds 1, plus 0.1 for each point above 20%" in words
    assert "10 or more points above the statistical neighbours' mean adds 1" in words
    assert "in the last 2 years adds 1.5" in words
    assert "fewer than 30 FTE social workers" in words


def test_small_workforces_are_not_placed_against_england_nor_counted_in_its_standing() -> None:
    forecast = {"council_code": "202", "rank_in_england": 2, "score": 2.0}
    small = {
        "council_code": "909",
        "rank_in_england": 5,
        "score": 2.1,
        "figures": {"agency_rate_forecast": 31.0, "inpost_fte": 12.5},
    }
    warnings = [{**forecast, "figures": {"agency_rate_forecast": 30.0}}, small]
    forecasts = {"420": 12.0, "202": 30.0, "909": 31.0, "318": 8.0}
    said = ww.explain_all(
        warnings,
        thresholds=THRESHOLDS,
        agency_forecasts=forecasts,
        agency_latest={},
        data_year=2023,
        small_workforces={"909"},
    )
    # 909's higher forecast is left out: 202's is the highest of the comparable three.
    assert said["202"].sentence == (
        "Ranked 2nd of 4: the agency rate is expected to reach 30% by 2024, the highest in England."
    )
    # 909 is still ranked among all four, but its own forecast is not placed.
    assert said["909"].sentence == ("Ranked 5th: the agency rate is expected to reach 31% by 2024.")
    assert said["909"].small_workforce
