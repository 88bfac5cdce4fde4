"""Ranking councils as LAIT does: direction, ties, quartile bands, changes, small workforces."""

from __future__ import annotations

import pytest

from workforce.measures import MEASURES
from workforce.statistics.ranking import (
    better_direction,
    change_in_words,
    is_small_workforce,
    quartile_band,
    rank_values,
)


@pytest.mark.parametrize(
    "measure",
    [
        "turnover_rate_fte",
        "agency_rate_fte",
        "vacancy_rate_fte",
        "caseload_fte",
        "absence_rate_fte",
    ],
)
def test_lower_is_better_for_every_headline_measure(measure: str) -> None:
    assert better_direction(MEASURES[measure]) == "lower"


def test_a_measure_with_no_better_direction_says_so() -> None:
    assert better_direction(MEASURES["agency_cover_rate_fte"]) is None


def test_when_lower_is_better_the_lowest_value_ranks_first() -> None:
    ranks = rank_values({"a": 12.0, "b": 9.5, "c": 20.1, "d": 15.0}, higher_is_better=False)
    assert {key: rank for key, (rank, _) in ranks.items()} == {"b": 1, "a": 2, "d": 3, "c": 4}
    assert ranks["b"][1] == "A" and ranks["c"][1] == "D"


def test_when_higher_is_better_the_highest_value_ranks_first() -> None:
    ranks = rank_values({"a": 12.0, "b": 9.5, "c": 20.1, "d": 15.0}, higher_is_better=True)
    assert {key: rank for key, (rank, _) in ranks.items()} == {"c": 1, "d": 2, "a": 3, "b": 4}


def test_ties_share_the_better_rank_and_the_next_rank_is_skipped() -> None:
    ranks = rank_values({"a": 5.0, "b": 5.0, "c": 7.0}, higher_is_better=False)
    assert ranks["a"][0] == ranks["b"][0] == 1
    assert ranks["c"][0] == 3


def test_quartile_bands_cut_150_councils_into_quarters_a_the_best() -> None:
    bands = [quartile_band(rank, 150) for rank in range(1, 151)]
    assert bands[0] == "A" and bands[-1] == "D"
    assert [bands.count(letter) for letter in "ABCD"] == [38, 37, 38, 37]
    assert bands == sorted(bands)  # never back to a better band further down


def test_a_rank_outside_the_ranked_councils_is_refused() -> None:
    with pytest.raises(ValueError):
        quartile_band(0, 10)
    with pytest.raises(ValueError):
        quartile_band(11, 10)


def test_a_rate_changes_in_percentage_points_with_its_direction_in_words() -> None:
    turnover = MEASURES["turnover_rate_fte"]
    assert change_in_words(1.24, turnover) == "up 1.2 pp (worse)"
    assert change_in_words(-0.5, turnover) == "down 0.5 pp (better)"
    assert change_in_words(0.02, turnover) == "no change"
    assert change_in_words(None, turnover) is None


def test_a_caseload_changes_in_cases_not_points() -> None:
    assert change_in_words(-2.0, MEASURES["caseload_fte"]) == "down 2.0 cases (better)"


def test_a_change_of_a_measure_with_no_direction_is_neither_better_nor_worse() -> None:
    assert change_in_words(3.0, MEASURES["agency_cover_rate_fte"]) == "up 3.0 pp"


def test_a_workforce_under_the_threshold_is_small_and_unknown_staffing_is_not() -> None:
    assert is_small_workforce(29.9, 30.0)
    assert not is_small_workforce(30.0, 30.0)
    assert not is_small_workforce(None, 30.0)
