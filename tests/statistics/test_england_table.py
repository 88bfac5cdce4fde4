"""The England table on DfE's published figures: ranked as LAIT does, filtered, with
reference rows, and small workforces left out of the ranking."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from workforce.errors import NotFoundError
from workforce.statistics.england import england_table, neighbour_codes

SMALL = 30.0  # the early warnings' default small-workforce rule
RUTLAND = "857"  # about 21 FTE social workers in post in 2023
CAMDEN = "202"


def _table(session: Session, **filters: object) -> list:
    return england_table(session=session, year=2023, small_workforce_fte=SMALL, **filters)  # type: ignore[arg-type]


def test_rank_one_is_the_lowest_turnover_and_band_a_the_lowest_quarter(
    public_session: Session,
) -> None:
    rows = _table(public_session)
    ranked = [r for r in rows if r.standings["turnover_rate_fte"].rank is not None]
    by_rank = sorted(ranked, key=lambda r: r.standings["turnover_rate_fte"].rank)
    lowest = min(r.values["turnover_rate_fte"] for r in ranked)
    assert by_rank[0].values["turnover_rate_fte"] == lowest
    assert by_rank[0].standings["turnover_rate_fte"].quartile == "A"
    assert by_rank[-1].standings["turnover_rate_fte"].quartile == "D"
    values = [r.values["turnover_rate_fte"] for r in by_rank]
    assert values == sorted(values)


def test_a_small_workforce_is_marked_and_not_ranked_nor_counted(public_session: Session) -> None:
    rows = _table(public_session)
    rutland = next(r for r in rows if RUTLAND in r.council_codes)
    assert rutland.small_workforce and rutland.inpost_fte is not None and rutland.inpost_fte < SMALL
    standing = rutland.standings["turnover_rate_fte"]
    assert standing.value is not None and standing.rank is None and standing.quartile is None
    assert standing.not_ranked_because == "fewer than 30 FTE social workers in post"
    comparable = [
        r for r in rows if not r.small_workforce and r.values.get("turnover_rate_fte") is not None
    ]
    assert standing.ranked_councils == len(comparable)
    assert max(r.standings["turnover_rate_fte"].rank for r in comparable) <= len(comparable)


def test_with_no_small_workforce_rule_every_council_with_a_figure_is_ranked(
    public_session: Session,
) -> None:
    rows = england_table(session=public_session, year=2023, small_workforce_fte=0.0)
    rutland = next(r for r in rows if RUTLAND in r.council_codes)
    assert not rutland.small_workforce
    assert rutland.standings["turnover_rate_fte"].rank is not None


def test_neighbours_narrow_the_rows_but_not_the_ranking(public_session: Session) -> None:
    everyone = {r.area_code: r for r in _table(public_session)}
    rows = _table(public_session, neighbours_of=CAMDEN)
    group = {CAMDEN, *neighbour_codes(session=public_session, code=CAMDEN)}
    assert len(group) == 11 and len(rows) == 11
    assert all(group & set(r.council_codes) for r in rows)
    for row in rows:
        assert row.standings == everyone[row.area_code].standings


def test_england_and_the_region_come_first_for_reference_and_unranked(
    public_session: Session,
) -> None:
    rows = _table(public_session, region="North East", with_reference=True)
    assert [r.kind for r in rows[:2]] == ["england", "region"]
    assert [r.area_name for r in rows[:2]] == ["England", "North East"]
    assert all(r.kind == "council" and r.region_name == "North East" for r in rows[2:])
    assert len(rows) == 2 + 12
    for reference in rows[:2]:
        standing = reference.standings["turnover_rate_fte"]
        assert standing.value is not None and standing.rank is None and standing.quartile is None
        assert standing.not_ranked_because == "shown for reference"


def test_a_council_s_neighbours_come_with_its_own_region_for_reference(
    public_session: Session,
) -> None:
    rows = _table(public_session, neighbours_of=CAMDEN, with_reference=True)
    assert [r.area_name for r in rows[:2]] == ["England", "London"]


def test_a_change_is_this_year_less_last_in_points_with_its_direction(
    public_session: Session,
) -> None:
    for row in _table(public_session, region="North East", with_reference=True):
        standing = row.standings["turnover_rate_fte"]
        if standing.value is None or standing.previous_value is None:
            continue
        assert standing.change == pytest.approx(standing.value - standing.previous_value)
        assert standing.change_in_words is not None
        if abs(standing.change) >= 0.05:
            assert " pp (" in standing.change_in_words
            assert ("worse" in standing.change_in_words) == (standing.change > 0)


def test_an_unknown_council_to_compare_with_is_refused(public_session: Session) -> None:
    with pytest.raises(NotFoundError):
        _table(public_session, neighbours_of="999")
