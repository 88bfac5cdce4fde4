"""The England table: every council's published figures for a year, ranked as LAIT does."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlmodel import Session, SQLModel, col

from workforce.councils.models import Council, Region, StatisticalNeighbour
from workforce.councils.service import find_council, resolve_region
from workforce.measures import HEADLINE_MEASURES, MEASURES, Measure
from workforce.statistics.models import GeographicLevel
from workforce.statistics.ranking import (
    better_direction,
    change_in_words,
    is_small_workforce,
    rank_values,
)
from workforce.statistics.service import ENGLAND, _figures, validate_measures


class Standing(SQLModel):
    """A row's figure for one measure, with its change and, for a council, its LAIT rank."""

    value: float | None
    suppression: str | None
    previous_value: float | None
    change: float | None
    change_in_words: str | None
    better: str | None  # "lower" or "higher" is better; None if neither
    rank: int | None  # 1 = the best of ``ranked_councils`` in England
    ranked_councils: int
    quartile: str | None  # "A" (the best quarter) to "D"
    not_ranked_because: str | None


class EnglandRow(SQLModel):
    kind: str = "council"  # "council"; "england" and "region" rows are for reference
    area_code: str
    area_name: str
    council_codes: list[str]
    region_code: str | None
    region_name: str | None
    values: dict[str, float | None]
    suppressions: dict[str, str | None]
    inpost_fte: float | None = None
    small_workforce: bool = False
    standings: dict[str, Standing] = {}


def _small_reason(threshold_fte: float) -> str:
    return f"fewer than {threshold_fte:g} FTE social workers in post"


def england_table(
    *,
    session: Session,
    year: int,
    region: str | None = None,
    neighbours_of: str | None = None,
    measures: Sequence[str] = HEADLINE_MEASURES,
    small_workforce_fte: float,
    with_reference: bool = False,
) -> list[EnglandRow]:
    """Return the council rows DfE published for ``year`` (newest release), by name, ranked.

    Each council is ranked against every council in England (LAIT's rank 1 the best,
    quartile bands A-D), whatever the filter: a region or ``neighbours_of`` (a council and
    its statistical neighbours) narrows the rows shown, not the ranking. Councils with fewer
    than ``small_workforce_fte`` FTE social workers in post are marked and left out of the
    ranking, as a few people move their rates a long way. ``with_reference`` adds England's
    row and the region's (the chosen region, or the chosen council's) before the councils.
    """
    measures = validate_measures(measures)
    wanted_measures = [*measures, *(["inpost_fte"] if "inpost_fte" not in measures else [])]
    figures = _figures(
        session=session,
        level=GeographicLevel.local_authority,
        measures=wanted_measures,
        years=[year, year - 1],
    )
    newest = max((f.release_last_year for f in figures if f.year == year), default=None)
    councils = list(session.scalars(select(Council)))
    by_code = {c.code: c for c in councils}
    members: dict[str, list[Council]] = defaultdict(list)
    for council in councils:
        members[council.code].append(council)
        if council.reporting_unit_code:
            members[council.reporting_unit_code].append(council)
    region_names = {r.code: r.name for r in session.scalars(select(Region))}
    rows: dict[str, EnglandRow] = {}
    previous: dict[tuple[str, str], float | None] = {}
    for f in figures:
        if f.release_last_year != newest:
            continue
        if f.year != year:
            previous[(f.area_code, f.measure)] = f.value
            continue
        row = rows.get(f.area_code)
        if row is None:
            area_councils = members.get(f.area_code, [])
            region_code = area_councils[0].region_code if area_councils else None
            row = rows[f.area_code] = EnglandRow(
                area_code=f.area_code,
                area_name=f.area_name,
                council_codes=[c.code for c in area_councils],
                region_code=region_code,
                region_name=region_names.get(region_code) if region_code else None,
                values={},
                suppressions={},
            )
        if f.measure == "inpost_fte":
            row.inpost_fte = f.value
        if f.measure in measures:
            row.values[f.measure] = f.value
            row.suppressions[f.measure] = f.suppression
    for row in rows.values():
        row.small_workforce = is_small_workforce(row.inpost_fte, small_workforce_fte)
    ranks = {measure: _ranks(rows.values(), MEASURES[measure]) for measure in measures}
    for row in rows.values():
        row.standings = {
            m: _standing(row, MEASURES[m], previous, ranks[m], small_workforce_fte)
            for m in measures
        }
    shown = list(rows.values())
    reference_region: str | None = None
    if region:
        found = resolve_region(session=session, region=region)
        reference_region = found.code
        shown = [
            r
            for r in shown
            if r.region_code == found.code
            or any(by_code[c].london_subregion_code == found.code for c in r.council_codes)
        ]
    if neighbours_of:
        council = find_council(session=session, code=neighbours_of)
        reference_region = reference_region or council.region_code
        group = {council.code, *neighbour_codes(session=session, code=council.code)}
        shown = [r for r in shown if group & set(r.council_codes)]
    result = sorted(shown, key=lambda r: r.area_name)
    if not with_reference:
        return result
    return (
        _reference_rows(
            session=session,
            year=year,
            measures=measures,
            region_code=reference_region,
            region_names=region_names,
        )
        + result
    )


def neighbour_codes(*, session: Session, code: str) -> list[str]:
    """Return the codes of a council's statistical neighbours, nearest first."""
    return list(
        session.scalars(
            select(col(StatisticalNeighbour.neighbour_code))
            .where(col(StatisticalNeighbour.council_code) == code)
            .order_by(col(StatisticalNeighbour.rank))
        )
    )


def _ranks(rows: Iterable[EnglandRow], measure: Measure) -> dict[str, tuple[int, str]]:
    """Return the rank and quartile band of every council row that can be ranked on ``measure``."""
    if measure.higher_is_better is None:
        return {}
    values = {
        r.area_code: value
        for r in rows
        if not r.small_workforce and (value := r.values.get(measure.name)) is not None
    }
    return rank_values(values, higher_is_better=measure.higher_is_better)


def _standing(
    row: EnglandRow,
    measure: Measure,
    previous: dict[tuple[str, str], float | None],
    ranks: dict[str, tuple[int, str]],
    small_workforce_fte: float,
) -> Standing:
    value = row.values.get(measure.name)
    before = previous.get((row.area_code, measure.name))
    change = round(value - before, 4) if value is not None and before is not None else None
    rank, quartile = ranks.get(row.area_code, (None, None))
    reason = None
    if rank is None:
        if value is None:
            reason = "no published figure"
        elif row.small_workforce:
            reason = _small_reason(small_workforce_fte)
        else:
            reason = "neither higher nor lower is better"
    return Standing(
        value=value,
        suppression=row.suppressions.get(measure.name),
        previous_value=before,
        change=change,
        change_in_words=change_in_words(change, measure),
        better=better_direction(measure),
        rank=rank,
        ranked_councils=len(ranks),
        quartile=quartile,
        not_ranked_because=reason,
    )


def _reference_rows(
    *,
    session: Session,
    year: int,
    measures: Sequence[str],
    region_code: str | None,
    region_names: dict[str, str],
) -> list[EnglandRow]:
    """Return England's row and (if given) a region's, with changes but never a rank."""
    areas = [ENGLAND, *([region_code] if region_code else [])]
    figures = _figures(session=session, area_codes=areas, measures=measures, years=[year, year - 1])
    rows = []
    for area in areas:
        own = {(f.year, f.measure): f for f in figures if f.area_code == area}
        row = EnglandRow(
            kind="england" if area == ENGLAND else "region",
            area_code=area,
            area_name="England" if area == ENGLAND else region_names.get(area, area),
            council_codes=[],
            region_code=None if area == ENGLAND else area,
            region_name=None if area == ENGLAND else region_names.get(area),
            values={m: f.value for (y, m), f in own.items() if y == year},
            suppressions={m: f.suppression for (y, m), f in own.items() if y == year},
        )
        previous = {(area, m): f.value for (y, m), f in own.items() if y == year - 1}
        row.standings = {m: _standing(row, MEASURES[m], previous, {}, 0.0) for m in measures}
        for standing in row.standings.values():
            standing.not_ranked_because = "shown for reference"
        rows.append(row)
    return rows
