"""Reading published figures: series, the best figure per year, revisions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlmodel import Session, col

from workforce.councils.service import find_council, resolve_region
from workforce.errors import NotFoundError
from workforce.measures import MEASURES
from workforce.statistics.models import (
    FigurePublic,
    FigureRevision,
    GeographicLevel,
    Publication,
    PublishedFigure,
    PublishedRow,
    RevisionPublic,
)

ENGLAND = "E92000001"


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
    *,
    session: Session,
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
    *,
    session: Session,
    area_codes: Sequence[str],
    measures: Sequence[str] | None = None,
    year_from: int | None = None,
) -> list[FigurePublic]:
    """Return the published figures of several areas at once."""
    return _figures(
        session=session,
        area_codes=area_codes,
        measures=validate_measures(measures),
        year_from=year_from,
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
        session=session,
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
        session=session,
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
        session=session,
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
