"""A council's benchmarks on DfE's published figures: ranked as the England table ranks, and a
council with a very small workforce marked and left unranked (its page and API answer are
tested in tests/api/test_benchmark_small_workforce.py)."""

from __future__ import annotations

from sqlmodel import Session

from workforce.statistics.comparisons import benchmarks
from workforce.statistics.england import england_table

SMALL = 30.0  # WORKFORCE_WARNING_SMALL_WORKFORCE_FTE's default
RUTLAND = "857"  # about 21 FTE social workers in post in 2023
CAMDEN = "202"


def _by_measure(session: Session, code: str, **options: object) -> dict:
    rows = benchmarks(session=session, code=code, year=2023, **options)  # type: ignore[arg-type]
    return {r.measure: r for r in rows}


def test_a_small_workforce_is_marked_and_given_no_rank_or_band(public_session: Session) -> None:
    rows = _by_measure(public_session, RUTLAND, small_workforce_fte=SMALL)
    turnover = rows["turnover_rate_fte"]
    assert turnover.inpost_fte is not None and 15 < turnover.inpost_fte < SMALL
    for row in rows.values():
        assert row.small_workforce
        assert row.rank is None and row.band is None and row.quartile is None
        assert row.not_ranked_because == "fewer than 30 FTE social workers in post"
    assert turnover.value is not None  # the figure is still shown, only not ranked


def test_the_setting_is_the_default_rule_and_a_zero_rule_ranks_everyone(
    public_session: Session,
) -> None:
    default = _by_measure(public_session, RUTLAND)  # the setting, 30 FTE
    assert default["turnover_rate_fte"].small_workforce
    everyone = _by_measure(public_session, RUTLAND, small_workforce_fte=0.0)
    turnover = everyone["turnover_rate_fte"]
    assert not turnover.small_workforce and turnover.not_ranked_because is None
    assert turnover.rank is not None and turnover.band in {"A", "B", "C", "D"}
    # Without the rule, small councils count in the ranking too.
    assert turnover.ranked_councils > default["turnover_rate_fte"].ranked_councils


def test_other_councils_rank_as_on_the_england_table(public_session: Session) -> None:
    table = england_table(session=public_session, year=2023, small_workforce_fte=SMALL)
    camden_row = next(r for r in table if CAMDEN in r.council_codes)
    rows = _by_measure(public_session, CAMDEN, small_workforce_fte=SMALL)
    for measure in ("turnover_rate_fte", "agency_rate_fte", "vacancy_rate_fte"):
        standing = camden_row.standings[measure]
        row = rows[measure]
        assert not row.small_workforce and row.rank is not None
        assert (row.rank, row.band, row.ranked_councils) == (
            standing.rank,
            standing.quartile,
            standing.ranked_councils,
        ), measure
    small = sum(1 for r in table if r.small_workforce and r.values.get("turnover_rate_fte"))
    assert small >= 1
    with_figure = sum(1 for r in table if r.values.get("turnover_rate_fte") is not None)
    assert rows["turnover_rate_fte"].ranked_councils == with_figure - small
