"""Comparing a council with others: benchmarks and comparison series."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlmodel import Session, SQLModel, col

from workforce.config import get_settings
from workforce.councils.models import Council, StatisticalNeighbour
from workforce.councils.service import find_council, resolve_region
from workforce.errors import NotFoundError
from workforce.measures import HEADLINE_MEASURES, MEASURES
from workforce.statistics.england import _small_reason
from workforce.statistics.models import FigurePublic, GeographicLevel, Publication
from workforce.statistics.ranking import (
    QUARTILE_BANDS,
    change_in_words,
    is_small_workforce,
    quartile_band,
)
from workforce.statistics.service import (
    ENGLAND,
    _figures,
    available_years,
    best_figures,
    validate_measures,
)


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
    quartile: int | None  # 1 the best quarter, as band A
    band: str | None = None  # LAIT's quartile band, A (the best quarter) to D
    inpost_fte: float | None = None  # FTE social workers in post in ``year``
    small_workforce: bool = False  # too few in post for its rates to be ranked as comparable
    not_ranked_because: str | None = None
    change_in_words: str | None = None  # "down 2.1 pp (better)", as the England table says it


def _council_values(
    *, session: Session, councils: Sequence[Council], years: Sequence[int], measures: Sequence[str]
) -> dict[str, dict[tuple[int, str], FigurePublic]]:
    """Return each council's best figure per (year, measure), own or combined row."""
    areas = {c.code for c in councils} | {
        c.reporting_unit_code for c in councils if c.reporting_unit_code
    }
    figures = _figures(session=session, area_codes=sorted(areas), measures=measures, years=years)
    by_area: dict[str, list[FigurePublic]] = defaultdict(list)
    for figure in figures:
        by_area[figure.area_code].append(figure)
    return {
        c.code: best_figures(by_area[c.code] + by_area.get(c.reporting_unit_code or "", []), c.code)
        for c in councils
    }


def _ranking_population(
    *, session: Session, year: int, measures: Sequence[str], small_workforce_fte: float
) -> dict[str, list[float]]:
    """Return, per measure, the council-level values of the newest release holding ``year``,
    leaving out councils with small workforces as the England table does."""
    figures = _figures(
        session=session,
        level=GeographicLevel.local_authority,
        measures=[*measures, "inpost_fte"],
        years=[year],
    )
    newest = max((f.release_last_year for f in figures), default=None)
    small = {
        f.area_code
        for f in figures
        if f.release_last_year == newest
        and f.measure == "inpost_fte"
        and is_small_workforce(f.value, small_workforce_fte)
    }
    values: dict[str, list[float]] = defaultdict(list)
    for f in figures:
        if (
            f.release_last_year == newest
            and f.value is not None
            and f.measure in measures
            and f.area_code not in small
        ):
            values[f.measure].append(f.value)
    return values


def benchmarks(
    *,
    session: Session,
    code: str,
    year: int | None = None,
    measures: Sequence[str] = HEADLINE_MEASURES,
    small_workforce_fte: float | None = None,
) -> list[BenchmarkRow]:
    """Return the council against England, its region and its neighbours, with rank and quartile.

    A council with fewer than ``small_workforce_fte`` FTE social workers in post (by default
    the setting ``WORKFORCE_WARNING_SMALL_WORKFORCE_FTE``) is marked and not ranked, and no
    such council counts in the ranking: a few people move its rates a long way.
    """
    council = find_council(session=session, code=code)
    measures = validate_measures(measures)
    if small_workforce_fte is None:
        small_workforce_fte = get_settings().warning_small_workforce_fte
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
    values = _council_values(
        session=session,
        councils=[council, *neighbours],
        years=[year, year - 1],
        measures=[*measures, "inpost_fte"],
    )
    own = values[council.code]
    staffed = own.get((year, "inpost_fte"))
    inpost_fte = staffed.value if staffed else None
    small = is_small_workforce(inpost_fte, small_workforce_fte)
    region_figures = {
        (f.year, f.measure): f
        for f in _figures(
            session=session, area_codes=[council.region_code], measures=measures, years=[year]
        )
    }
    england = {
        (f.year, f.measure): f
        for f in _figures(session=session, area_codes=[ENGLAND], measures=measures, years=[year])
    }
    population = _ranking_population(
        session=session, year=year, measures=measures, small_workforce_fte=small_workforce_fte
    )
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
        rank = quartile = band = None
        not_ranked_because = None
        if small:
            not_ranked_because = _small_reason(small_workforce_fte)
        elif value is None:
            not_ranked_because = "no published figure"
        elif pool:
            # LAIT style: rank 1 is the best value (the lowest where neither direction is
            # better); ties share the better rank; bands A (best quarter) to D.
            better = (
                sum(1 for v in pool if v > value)
                if definition.higher_is_better
                else sum(1 for v in pool if v < value)
            )
            rank = min(1 + better, len(pool))
            band = quartile_band(rank, len(pool))
            quartile = QUARTILE_BANDS.index(band) + 1
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
                change_in_words=change_in_words(
                    value - previous.value
                    if value is not None and previous is not None and previous.value is not None
                    else None,
                    definition,
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
                band=band,
                inpost_fte=inpost_fte,
                small_workforce=small,
                not_ranked_because=not_ranked_because,
            )
        )
    return rows


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
    values = _council_values(
        session=session, councils=[council, *neighbours], years=years, measures=measures
    )
    context = {
        (f.area_code, f.year, f.measure): f.value
        for f in _figures(
            session=session,
            area_codes=[ENGLAND, council.region_code],
            measures=measures,
            years=years,
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
