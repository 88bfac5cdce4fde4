"""Reading published figures: series, benchmarks, the England table, revisions."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel, col

from workforce.councils.models import Council, Region, StatisticalNeighbour
from workforce.councils.service import find_council, resolve_region
from workforce.errors import NotFoundError
from workforce.measures import HEADLINE_MEASURES, MEASURES
from workforce.statistics.models import (
    FigureRevision,
    GeographicLevel,
    Publication,
    PublishedFigure,
    PublishedRow,
)

ENGLAND = "E92000001"


class FigurePublic(SQLModel):
    area_code: str
    area_name: str
    level: GeographicLevel
    year: int
    measure: str
    value: float | None
    suppression: str | None
    release: str
    release_last_year: int


class BenchmarkRow(SQLModel):
    measure: str
    label: str
    unit: str
    higher_is_better: bool | None
    year: int
    value: float | None
    suppression: str | None
    published_as: str | None
    previous_value: float | None
    change: float | None
    england: float | None
    region: float | None
    region_name: str
    neighbours_mean: float | None
    neighbours_with_data: int
    neighbours_total: int
    rank: int | None
    ranked_councils: int
    quartile: int | None


class RevisionPublic(SQLModel):
    area_code: str
    area_name: str
    level: GeographicLevel
    year: int
    measure: str
    old_value: float | None
    old_suppression: str | None
    new_value: float | None
    new_suppression: str | None
    old_release: str
    new_release: str
    revised_at: datetime


def validate_measures(measures: Iterable[str] | None) -> list[str]:
    """Return the measure names asked for (all if none), refusing unknown ones."""
    if not measures:
        return list(MEASURES)
    wanted = list(measures)
    unknown = [m for m in wanted if m not in MEASURES]
    if unknown:
        raise NotFoundError(
            f"Unknown measure(s) {', '.join(unknown)}; known: {', '.join(MEASURES)}"
        )
    return wanted


def _figures(
    session: Session,
    *,
    area_codes: Sequence[str] | None = None,
    level: GeographicLevel | None = None,
    measures: Sequence[str] | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    years: Sequence[int] | None = None,
) -> list[FigurePublic]:
    """Return published figures, one per area, year and measure, ordered by measure and year."""
    query = select(
        col(PublishedRow.area_code),
        col(PublishedRow.area_name),
        col(PublishedRow.level),
        col(PublishedRow.year),
        col(PublishedFigure.measure),
        col(PublishedFigure.value),
        col(PublishedFigure.suppression),
        func.coalesce(col(PublishedFigure.carried_from_id), col(PublishedRow.publication_id)),
    ).join(
        PublishedFigure,
        (col(PublishedFigure.area_code) == col(PublishedRow.area_code))
        & (col(PublishedFigure.year) == col(PublishedRow.year)),
    )
    if area_codes is not None:
        query = query.where(col(PublishedFigure.area_code).in_(area_codes))
    if level is not None:
        query = query.where(col(PublishedRow.level) == level.value)
    if year_from is not None:
        query = query.where(col(PublishedFigure.year) >= year_from)
    if year_to is not None:
        query = query.where(col(PublishedFigure.year) <= year_to)
    if years is not None:
        query = query.where(col(PublishedFigure.year).in_(years))
    if measures:
        query = query.where(col(PublishedFigure.measure).in_(measures))
    releases = {p.id: (p.source_name, p.last_year) for p in session.scalars(select(Publication))}
    figures = []
    for area_code, area_name, area_level, year, measure, value, code, release in session.execute(
        query
    ):
        source, last_year = releases[release]
        figures.append(
            FigurePublic(
                area_code=area_code,
                area_name=area_name,
                level=area_level,
                year=year,
                measure=measure,
                value=value,
                suppression=code,
                release=source,
                release_last_year=last_year,
            )
        )
    figures.sort(key=lambda f: (f.measure, f.year, f.area_code))
    return figures


def figures(
    session: Session,
    *,
    area_codes: Sequence[str],
    measures: Sequence[str] | None = None,
    year_from: int | None = None,
) -> list[FigurePublic]:
    """Return the published figures of several areas at once."""
    return _figures(
        session, area_codes=area_codes, measures=validate_measures(measures), year_from=year_from
    )


def council_series(
    *,
    session: Session,
    code: str,
    measures: Sequence[str] | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
    include_combined: bool = True,
) -> list[FigurePublic]:
    """Return a council's published figures, and (by default) its combined row's too.

    Each figure says the area it was published under: a council that DfE publishes in a
    combined row (``314 / 318``) has that row's figures, marked with its code.
    """
    council = find_council(session=session, code=code)
    areas = [council.code]
    if include_combined and council.reporting_unit_code:
        areas.append(council.reporting_unit_code)
    return _figures(
        session,
        area_codes=areas,
        measures=validate_measures(measures),
        year_from=year_from,
        year_to=year_to,
    )


def england_series(
    *,
    session: Session,
    measures: Sequence[str] | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> list[FigurePublic]:
    """Return England's published figures."""
    return _figures(
        session,
        area_codes=[ENGLAND],
        measures=validate_measures(measures),
        year_from=year_from,
        year_to=year_to,
    )


def region_series(
    *,
    session: Session,
    region: str,
    measures: Sequence[str] | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> list[FigurePublic]:
    """Return a region's (or London sub-region's) published figures."""
    found = resolve_region(session=session, region=region)
    return _figures(
        session,
        area_codes=[found.code],
        measures=validate_measures(measures),
        year_from=year_from,
        year_to=year_to,
    )


def best_figures(
    figures: Iterable[FigurePublic], preferred: str | None = None
) -> dict[tuple[int, str], FigurePublic]:
    """Return one figure per (year, measure): the newest release's, the council's own on a tie."""
    chosen: dict[tuple[int, str], FigurePublic] = {}
    for figure in figures:
        key = (figure.year, figure.measure)
        current = chosen.get(key)
        rank = (figure.release_last_year, figure.area_code == preferred)
        if current is None or rank > (current.release_last_year, current.area_code == preferred):
            chosen[key] = figure
    return chosen


def _council_values(
    session: Session, councils: Sequence[Council], years: Sequence[int], measures: Sequence[str]
) -> dict[str, dict[tuple[int, str], FigurePublic]]:
    """Return each council's best figure per (year, measure), own or combined row."""
    areas = {c.code for c in councils} | {
        c.reporting_unit_code for c in councils if c.reporting_unit_code
    }
    figures = _figures(session, area_codes=sorted(areas), measures=measures, years=years)
    by_area: dict[str, list[FigurePublic]] = defaultdict(list)
    for figure in figures:
        by_area[figure.area_code].append(figure)
    return {
        c.code: best_figures(by_area[c.code] + by_area.get(c.reporting_unit_code or "", []), c.code)
        for c in councils
    }


def _ranking_population(
    session: Session, year: int, measures: Sequence[str]
) -> dict[str, list[float]]:
    """Return, per measure, the council-level values of the newest release holding ``year``."""
    figures = _figures(
        session, level=GeographicLevel.local_authority, measures=measures, years=[year]
    )
    newest = max((f.release_last_year for f in figures), default=None)
    values: dict[str, list[float]] = defaultdict(list)
    for f in figures:
        if f.release_last_year == newest and f.value is not None:
            values[f.measure].append(f.value)
    return values


def benchmarks(
    *,
    session: Session,
    code: str,
    year: int | None = None,
    measures: Sequence[str] = HEADLINE_MEASURES,
) -> list[BenchmarkRow]:
    """Return the council against England, its region and its neighbours, with rank and quartile."""
    council = find_council(session=session, code=code)
    measures = validate_measures(measures)
    if year is None:
        year = session.scalars(
            select(col(Publication.last_year)).order_by(col(Publication.last_year).desc())
        ).first()
        if year is None:
            raise NotFoundError("No published statistics are loaded yet: run `workforce demo`")
    neighbour_codes = list(
        session.scalars(
            select(col(StatisticalNeighbour.neighbour_code))
            .where(col(StatisticalNeighbour.council_code) == council.code)
            .order_by(col(StatisticalNeighbour.rank))
        )
    )
    neighbours = list(session.scalars(select(Council).where(Council.code.in_(neighbour_codes))))  # type: ignore[attr-defined]
    values = _council_values(session, [council, *neighbours], [year, year - 1], measures)
    own = values[council.code]
    region_figures = {
        (f.year, f.measure): f
        for f in _figures(
            session, area_codes=[council.region_code], measures=measures, years=[year]
        )
    }
    england = {
        (f.year, f.measure): f
        for f in _figures(session, area_codes=[ENGLAND], measures=measures, years=[year])
    }
    population = _ranking_population(session, year, measures)
    region_name = resolve_region(session=session, region=council.region_code).name
    rows = []
    for measure in measures:
        definition = MEASURES[measure]
        figure = own.get((year, measure))
        previous = own.get((year - 1, measure))
        value = figure.value if figure else None
        neighbour_values = [
            f.value
            for code in neighbour_codes
            if (f := values.get(code, {}).get((year, measure))) is not None and f.value is not None
        ]
        pool = sorted(population.get(measure, []))
        rank = quartile = None
        if value is not None and pool:
            # LAIT style: rank 1 is the lowest value; ties share the better rank.
            rank = 1 + sum(1 for v in pool if v < value)
            quartile = min(4, 1 + (4 * (rank - 1)) // len(pool))
        rows.append(
            BenchmarkRow(
                measure=measure,
                label=definition.label,
                unit=definition.unit,
                higher_is_better=definition.higher_is_better,
                year=year,
                value=value,
                suppression=figure.suppression if figure else None,
                published_as=figure.area_code if figure else None,
                previous_value=previous.value if previous else None,
                change=(
                    round(value - previous.value, 4)
                    if value is not None and previous is not None and previous.value is not None
                    else None
                ),
                england=(e.value if (e := england.get((year, measure))) else None),
                region=(r.value if (r := region_figures.get((year, measure))) else None),
                region_name=region_name,
                neighbours_mean=(
                    round(statistics.fmean(neighbour_values), 4) if neighbour_values else None
                ),
                neighbours_with_data=len(neighbour_values),
                neighbours_total=len(neighbour_codes),
                rank=rank,
                ranked_councils=len(pool),
                quartile=quartile,
            )
        )
    return rows


def revisions(
    *,
    session: Session,
    measure: str | None = None,
    level: GeographicLevel | None = None,
    area_code: str | None = None,
    limit: int | None = None,
) -> list[RevisionPublic]:
    """Return revised figures, newest revision first: what changed, from which release to which."""
    query = (
        select(FigureRevision, PublishedFigure, PublishedRow)
        .join(PublishedFigure, col(PublishedFigure.id) == col(FigureRevision.figure_id))
        .join(
            PublishedRow,
            (col(PublishedRow.area_code) == col(PublishedFigure.area_code))
            & (col(PublishedRow.year) == col(PublishedFigure.year)),
        )
        .order_by(FigureRevision.id.desc())  # type: ignore[union-attr]
    )
    if measure:
        query = query.where(col(PublishedFigure.measure) == validate_measures([measure])[0])
    if level:
        query = query.where(col(PublishedRow.level) == level.value)
    if area_code:
        query = query.where(col(PublishedRow.area_code) == area_code)
    if limit:
        query = query.limit(limit)
    releases = {p.id: p.source_name for p in session.scalars(select(Publication))}
    return [
        RevisionPublic(
            area_code=row.area_code,
            area_name=row.area_name,
            level=row.level,
            year=row.year,
            measure=figure.measure,
            old_value=revision.old_value,
            old_suppression=revision.old_suppression,
            new_value=revision.new_value,
            new_suppression=revision.new_suppression,
            old_release=releases[revision.old_publication_id],
            new_release=releases[revision.new_publication_id],
            revised_at=revision.revised_at,
        )
        for revision, figure, row in session.execute(query)
    ]


def available_years(*, session: Session) -> list[int]:
    """Return the census years with published figures, oldest first."""
    return sorted(set(session.scalars(select(col(PublishedRow.year)).distinct())))


class EnglandRow(SQLModel):
    area_code: str
    area_name: str
    council_codes: list[str]
    region_code: str | None
    region_name: str | None
    values: dict[str, float | None]
    suppressions: dict[str, str | None]


def england_table(
    *,
    session: Session,
    year: int,
    region: str | None = None,
    measures: Sequence[str] = HEADLINE_MEASURES,
) -> list[EnglandRow]:
    """Return every council row DfE published for ``year`` (newest release), by name."""
    measures = validate_measures(measures)
    figures = _figures(
        session, level=GeographicLevel.local_authority, measures=measures, years=[year]
    )
    newest = max((f.release_last_year for f in figures), default=None)
    councils = list(session.scalars(select(Council)))
    by_code = {c.code: c for c in councils}
    members: dict[str, list[Council]] = defaultdict(list)
    for council in councils:
        members[council.code].append(council)
        if council.reporting_unit_code:
            members[council.reporting_unit_code].append(council)
    region_names = {r.code: r.name for r in session.scalars(select(Region))}
    wanted = resolve_region(session=session, region=region).code if region else None
    rows: dict[str, EnglandRow] = {}
    for f in figures:
        if f.release_last_year != newest:
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
        row.values[f.measure] = f.value
        row.suppressions[f.measure] = f.suppression
    result = [
        r
        for r in rows.values()
        if wanted is None
        or r.region_code == wanted
        or any(by_code[c].london_subregion_code == wanted for c in r.council_codes)
    ]
    return sorted(result, key=lambda r: r.area_name)


class ComparisonPoint(SQLModel):
    year: int
    council: float | None
    council_suppression: str | None
    published_as: str | None
    england: float | None
    region: float | None
    neighbours_mean: float | None
    neighbours_with_data: int


def comparison_series(
    *, session: Session, code: str, measures: Sequence[str] = HEADLINE_MEASURES
) -> dict[str, list[ComparisonPoint]]:
    """Return, per measure and year, the council beside England, its region and neighbours."""
    council = find_council(session=session, code=code)
    measures = validate_measures(measures)
    years = available_years(session=session)
    neighbour_codes = list(
        session.scalars(
            select(col(StatisticalNeighbour.neighbour_code)).where(
                col(StatisticalNeighbour.council_code) == council.code
            )
        )
    )
    neighbours = list(session.scalars(select(Council).where(Council.code.in_(neighbour_codes))))  # type: ignore[attr-defined]
    values = _council_values(session, [council, *neighbours], years, measures)
    context = {
        (f.area_code, f.year, f.measure): f.value
        for f in _figures(
            session, area_codes=[ENGLAND, council.region_code], measures=measures, years=years
        )
    }
    result: dict[str, list[ComparisonPoint]] = {}
    for measure in measures:
        points = []
        for year in years:
            own = values[council.code].get((year, measure))
            neighbour_values = [
                f.value
                for n in neighbour_codes
                if (f := values.get(n, {}).get((year, measure))) is not None and f.value is not None
            ]
            points.append(
                ComparisonPoint(
                    year=year,
                    council=own.value if own else None,
                    council_suppression=own.suppression if own else None,
                    published_as=own.area_code if own else None,
                    england=context.get((ENGLAND, year, measure)),
                    region=context.get((council.region_code, year, measure)),
                    neighbours_mean=(
                        round(statistics.fmean(neighbour_values), 1) if neighbour_values else None
                    ),
                    neighbours_with_data=len(neighbour_values),
                )
            )
        result[measure] = points
    return result
