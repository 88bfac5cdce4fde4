"""Published statistics: series, benchmarks, revisions, the England table (open to all)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from api.deps import SessionDep
from api.formats import Format, FormatQuery, csv_response, respond
from workforce.cache import VersionedCache
from workforce.measures import HEADLINE_MEASURES, MEASURES
from workforce.statistics import comparisons, england, service
from workforce.statistics.comparisons import BenchmarkRow
from workforce.statistics.england import EnglandRow
from workforce.statistics.models import FigurePublic, GeographicLevel, RevisionPublic

router = APIRouter(prefix="/api", tags=["statistics"])


MeasureQuery = Annotated[
    list[str] | None, Query(description="Measure name(s); all if none (see GET /api/measures)")
]
FromQuery = Annotated[int | None, Query(alias="from", ge=2000, le=2100, description="First year")]
ToQuery = Annotated[int | None, Query(alias="to", ge=2000, le=2100, description="Last year")]


class MeasurePublic(BaseModel):
    name: str
    label: str
    unit: str
    inputs: list[str]
    higher_is_better: bool | None
    description: str


@router.get("/measures", response_model=list[MeasurePublic])
def list_measures() -> list[MeasurePublic]:
    """List the official measures, with how each is computed."""
    return [
        MeasurePublic(
            name=m.name,
            label=m.label,
            unit=m.unit,
            inputs=list(m.inputs),
            higher_is_better=m.higher_is_better,
            description=m.description,
        )
        for m in MEASURES.values()
    ]


@router.get("/councils/{code}/measures", response_model=list[FigurePublic])
def council_measures(
    session: SessionDep,
    code: str,
    measure: MeasureQuery = None,
    year_from: FromQuery = None,
    year_to: ToQuery = None,
    combined: bool = True,
    format: FormatQuery = Format.json,
) -> Any:
    """A council's published figures over time, with suppression codes and their release."""
    rows = service.council_series(
        session=session,
        code=code,
        measures=measure,
        year_from=year_from,
        year_to=year_to,
        include_combined=combined,
    )
    return respond(rows, format, f"council-{code}-measures")


@router.get("/councils/{code}/benchmarks", response_model=list[BenchmarkRow])
def council_benchmarks(
    request: Request,
    session: SessionDep,
    code: str,
    year: Annotated[
        int | None, Query(ge=2000, le=2100, description="Census year; latest if none")
    ] = None,
    measure: MeasureQuery = None,
    format: FormatQuery = Format.json,
) -> Any:
    """A council against England, its region and its statistical neighbours, with rank."""
    measures = tuple(measure or HEADLINE_MEASURES)
    cache: VersionedCache = request.app.state.answers  # changes only with the data
    rows = cache.get(
        session,
        ("benchmarks", code.upper(), year, measures),
        lambda: comparisons.benchmarks(
            session=session, code=code, year=year, measures=list(measures)
        ),
    )
    return respond(rows, format, f"council-{code}-benchmarks")


@router.get("/england/measures", response_model=list[FigurePublic])
def england_measures(
    session: SessionDep,
    measure: MeasureQuery = None,
    year_from: FromQuery = None,
    year_to: ToQuery = None,
    format: FormatQuery = Format.json,
) -> Any:
    """England's published figures over time."""
    rows = service.england_series(
        session=session, measures=measure, year_from=year_from, year_to=year_to
    )
    return respond(rows, format, "england-measures")


@router.get("/england/councils", response_model=list[EnglandRow])
def england_councils(
    request: Request,
    session: SessionDep,
    year: Annotated[int, Query(ge=2000, le=2100, description="Census year")],
    region: Annotated[str | None, Query(description="Region code or name")] = None,
    neighbours: Annotated[
        str | None,
        Query(description="A council's code: only it and its statistical neighbours"),
    ] = None,
    reference: Annotated[
        bool, Query(description="Also England's row and the region's, for reference")
    ] = False,
    format: FormatQuery = Format.json,
) -> Any:
    """Every council row published for a year, with the headline measures, ranked as LAIT does."""
    rows = england.england_table(
        session=session,
        year=year,
        region=region,
        neighbours_of=neighbours,
        small_workforce_fte=request.app.state.settings.warning_small_workforce_fte,
        with_reference=reference,
    )
    if format is Format.json:
        return rows
    flat = [
        {
            "kind": r.kind,
            "area_code": r.area_code,
            "area_name": r.area_name,
            "region_name": r.region_name,
            "inpost_fte": r.inpost_fte,
            "small_workforce": r.small_workforce,
            **{
                f"{m}{suffix}": value
                for m in HEADLINE_MEASURES
                for suffix, value in _standing_columns(r, m).items()
            },
        }
        for r in rows
    ]
    columns = [
        "kind",
        "area_code",
        "area_name",
        "region_name",
        "inpost_fte",
        "small_workforce",
        *(f"{m}{suffix}" for m in HEADLINE_MEASURES for suffix in STANDING_SUFFIXES),
    ]
    return csv_response(flat, columns, f"england-councils-{year}")


STANDING_SUFFIXES = ("", "_change", "_rank", "_quartile")


def _standing_columns(row: EnglandRow, measure: str) -> dict[str, Any]:
    """A measure's CSV cells: the figure (or its suppression code), change, rank, band."""
    standing = row.standings[measure]
    return {
        "": standing.value if standing.value is not None else standing.suppression,
        "_change": standing.change,
        "_rank": standing.rank,
        "_quartile": standing.quartile,
    }


@router.get("/regions/{code}/measures", response_model=list[FigurePublic])
def region_measures(
    session: SessionDep,
    code: str,
    measure: MeasureQuery = None,
    year_from: FromQuery = None,
    year_to: ToQuery = None,
    format: FormatQuery = Format.json,
) -> Any:
    """A region's (or Inner/Outer London's) published figures over time."""
    rows = service.region_series(
        session=session, region=code, measures=measure, year_from=year_from, year_to=year_to
    )
    return respond(rows, format, f"region-{code}-measures")


@router.get("/revisions", response_model=list[RevisionPublic])
def list_revisions(
    session: SessionDep,
    measure: Annotated[str | None, Query(description="Only this measure")] = None,
    level: Annotated[
        GeographicLevel | None, Query(description="national, regional or local_authority")
    ] = None,
    area: Annotated[
        str | None, Query(description="Only this area code (e.g. 202, E12000007)")
    ] = None,
    format: FormatQuery = Format.json,
) -> Any:
    """Figures a newer release revised: old and new value, both releases, when."""
    rows = service.revisions(session=session, measure=measure, level=level, area_code=area)
    return respond(rows, format, "revisions")
