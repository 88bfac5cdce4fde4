import pytest

from workforce.measures import (
    MEASURES,
    check_published,
    compute,
    round_half_up,
    working_days_in_census_year,
)


def test_the_official_formulae() -> None:
    counts = {
        "leavers_fte": 52.3,
        "inpost_fte": 337.2,
        "agency_fte": 26.0,
        "vacancy_fte": 55.0,
        "cases": 3596,
        "case_holders_fte": 216.9,
        "agency_cover_fte": 26.0,
        "working_days_lost_fte": 3079.2,
    }
    assert compute("turnover_rate_fte", counts, 2023) == 15.5
    assert compute("agency_rate_fte", counts, 2023) == 7.2
    assert compute("vacancy_rate_fte", counts, 2023) == 14.0
    assert compute("caseload_fte", counts, 2023) == 16.6
    assert compute("agency_cover_rate_fte", counts, 2023) == 100.0
    assert compute("absence_rate_fte", counts, 2023) == 3.6


def test_missing_or_zero_inputs_give_no_value_never_zero() -> None:
    assert compute("turnover_rate_fte", {"leavers_fte": 3.0, "inpost_fte": None}, 2023) is None  # type: ignore[dict-item]
    assert compute("turnover_rate_fte", {"leavers_fte": 3.0, "inpost_fte": 0.0}, 2023) is None
    with pytest.raises(ValueError, match="count"):
        MEASURES["inpost_fte"].compute({}, 2023)


def test_rounding_is_half_up_as_published() -> None:
    assert round_half_up(0.25, 1) == 0.3
    assert round_half_up(2.35, 1) == 2.4
    assert round_half_up(16.65, 1) == 16.7
    assert round(2.675, 2) == 2.67  # what Python's own round would do
    assert round_half_up(2.675, 2) == 2.68


def test_absence_counts_an_extra_working_day_in_leap_years() -> None:
    assert [working_days_in_census_year(y) for y in (2019, 2020, 2021, 2024)] == [
        253,
        254,
        253,
        254,
    ]


def test_check_published_allows_for_rounded_inputs() -> None:
    # 17.158% from the rounded counts, but published 17.1%: the true counts may give 17.14%.
    counts = {"leavers_fte": 34.9, "inpost_fte": 203.4}
    assert compute("turnover_rate_fte", counts, 2023, places=None) == pytest.approx(
        17.158, abs=1e-3
    )
    agrees, low, high = check_published("turnover_rate_fte", counts, 17.1, 2023)  # type: ignore[misc]
    assert agrees and low < 17.15 < high
    assert check_published("turnover_rate_fte", counts, 16.5, 2023)[0] is False  # type: ignore[index]
