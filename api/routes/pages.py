"""Server-rendered pages (GOV.UK Design System markup)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from api.charts import Band, Line, line_chart_svg
from api.deps import SessionDep
from api.rendering import region_choices, render, render_error
from api.routes.returns_outlook import page_section as returns_outlook_section
from api.security import signed_in
from workforce.cache import VersionedCache
from workforce.councils import service
from workforce.errors import NotFoundError
from workforce.forecasting import scenarios
from workforce.forecasting import service as forecast_service
from workforce.forecasting.words import council_opening
from workforce.inspections import service as inspections_service
from workforce.inspections.models import Grade
from workforce.measures import HEADLINE_MEASURES, MEASURES
from workforce.statistics import comparisons as statistics_comparisons
from workforce.statistics import england
from workforce.statistics import service as statistics_service
from workforce.statistics.ranking import better_direction

GRADE_ORDER = {grade.value: index for index, grade in enumerate(Grade)}

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    session: SessionDep,
    region: Annotated[str | None, Query()] = None,
) -> Response:
    """Home page: every council, filterable by region."""
    regions = region_choices(session=session)
    # An unknown region is a NotFoundError, which the application answers with a 404 page.
    selected = service.resolve_region(session=session, region=region) if region else None
    councils = service.list_councils(session=session, region=selected.code if selected else None)
    return render(
        request,
        "home.html",
        councils=councils,
        regions=regions,
        selected_region=selected,
    )


@router.get("/councils/{code}", response_class=HTMLResponse)
def council_page(
    request: Request,
    session: SessionDep,
    code: str,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    scenario_grade: Annotated[str | None, Query()] = None,
    scenario_month: Annotated[str | None, Query()] = None,
) -> Response:
    """A council's page: its measures against England, region and neighbours; judgements;
    forecasts with a scenario."""
    if scenario_grade or scenario_month or signed_in(request) is not None:
        return _council_page(request, session, code, year, scenario_grade, scenario_month)
    # Read without signing in, the page is the same for everyone until the data changes.
    cache: VersionedCache = request.app.state.answers
    status, body = cache.get(
        session,
        # The page's links are absolute, made from the address it was asked at.
        ("council page html", str(request.base_url), code.upper(), year),
        lambda: _status_and_body(_council_page(request, session, code, year, None, None)),
    )
    return HTMLResponse(body, status_code=status)


def _status_and_body(response: Response) -> tuple[int, bytes]:
    return response.status_code, bytes(response.body)


def _council_page(
    request: Request,
    session: Session,
    code: str,
    year: int | None,
    scenario_grade: str | None,
    scenario_month: str | None,
) -> Response:
    council = service.get_council(session=session, code=code)
    years = statistics_service.available_years(session=session)
    judgements = inspections_service.judgement_timeline(session=session, council_code=council.code)
    if year is not None and year not in years:
        return render_error(
            request,
            404,
            f"No published figures for {year}: choose one of " + ", ".join(map(str, years)),
        )
    chosen_year = year or (years[-1] if years else None)
    marks = tuple((j.inspection_start, j.grade) for j in judgements if j.graded)
    outlook = _outlook(request, session, council.code, scenario_grade, scenario_month)

    def figures() -> tuple[list[Any], list[dict[str, Any]]]:
        benchmarks = (
            statistics_comparisons.benchmarks(session=session, code=council.code, year=chosen_year)
            if chosen_year
            else []
        )
        return benchmarks, _council_charts(
            session=session, council=council, marks=marks, outlook=outlook
        )

    if scenario_grade or scenario_month:
        benchmarks, charts = figures()  # a "what if" is worked out afresh each time
    else:
        # Benchmarks and charts change only with the data: kept per data version.
        cache: VersionedCache = request.app.state.answers
        benchmarks, charts = cache.get(
            session, ("council page", council.code, chosen_year), figures
        )
    return render(
        request,
        "council.html",
        council=council,
        # Predecessors and successors by name (only their codes are on the council).
        council_names=service.council_names(session=session)
        if council.predecessor_codes or council.successor_codes
        else {},
        years=years,
        chosen_year=chosen_year,
        benchmarks=benchmarks,
        charts=charts,
        judgements=judgements,
        opening=council_opening(
            session=session, run=outlook["run"], judgements=judgements, charts=charts
        ),
        outlook=outlook,
        returns_outlook=returns_outlook_section(request, session, council.code, outlook["run"]),
        grades=[
            g.value
            for g in (Grade.inadequate, Grade.requires_improvement, Grade.good, Grade.outstanding)
        ],
    )


def _council_charts(
    *, session: Session, council: Any, marks: tuple[Any, ...], outlook: dict[str, Any]
) -> list[dict[str, Any]]:
    """One chart per measure: the council, its neighbours, region and England, forecasts."""
    comparison = statistics_comparisons.comparison_series(session=session, code=council.code)
    charts = []
    for measure, points in comparison.items():
        definition = MEASURES[measure]
        lines = (
            Line("council", council.name, tuple((p.year, p.council) for p in points)),
            Line(
                "neighbours",
                "Statistical neighbours (mean)",
                tuple((p.year, p.neighbours_mean) for p in points),
            ),
            Line("region", council.region_name, tuple((p.year, p.region) for p in points)),
            Line("england", "England", tuple((p.year, p.england) for p in points)),
        )
        observed = [(p.year, p.council) for p in points if p.council is not None]
        bands = _bands(outlook, measure, observed[-1] if observed else None)
        charts.append(
            {
                "measure": measure,
                "label": definition.label,
                "unit": definition.unit,
                "points": points,
                "forecasts": outlook["forecasts"].get(measure, []),
                "scenario": outlook["scenario"].get(measure, []),
                "backtest": outlook["backtest"].get(measure, []),
                "svg": line_chart_svg(
                    chart_id=f"chart-{measure}",
                    title=f"{definition.label}: {council.name} against its neighbours, "
                    f"{council.region_name} and England, by census year",
                    unit=definition.unit,
                    lines=lines,
                    judgements=marks,
                    forecasts=bands,
                )
                if any(p.council is not None for p in points)
                else None,
            }
        )
    return charts


def _outlook(
    request: Request, session: Session, code: str, grade: str | None, month: str | None
) -> dict[str, Any]:
    """The latest run's forecasts for a council and its scenario form: the judgement the
    forecast already includes, the grades and months left to ask about and, if asked, the
    scenario beside the forecast with the difference in words."""
    outlook: dict[str, Any] = {
        "run": None,
        "forecasts": {},
        "scenario": {},
        "error": None,
        "error_field": "scenario-month",
        "grade": grade or "",
        "month": month or "",
        "backtest": {},
        "sentences": [],
    }
    run = forecast_service.latest_run(session=session)
    if run is None:
        return outlook
    outlook["run"] = run
    for value in forecast_service.council_values(session=session, run=run, code=code):
        kind = "forecasts" if value.kind == "forecast" else "backtest"
        outlook[kind].setdefault(value.measure, []).append(value)
    known = scenarios.known_judgement(session=session, run=run, code=code)
    outlook["known"] = known
    outlook["months"] = scenarios.scenario_months(run=run, known=known)
    outlook["grades"] = scenarios.grade_choices(known)
    if not (grade or month):
        return outlook
    if grade not in {g.value for g in scenarios.SCENARIO_GRADES}:
        outlook["error"], outlook["error_field"] = "Choose a grade", "scenario-grade"
    elif not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month or ""):
        outlook["error"] = "Choose the month the inspection ends"
    else:
        try:
            points = scenarios.scenario(
                session=session,
                run=run,
                code=code,
                grade=Grade(grade or ""),
                day=scenarios.scenario_day(month or ""),
                cache=request.app.state.answers,
            )
        except ValueError as exc:  # too early, or already in the forecast
            outlook["error"] = str(exc)[:1].upper() + str(exc)[1:]
        else:
            for point in points:
                outlook["scenario"].setdefault(point.measure, []).append(point)
            outlook["sentences"] = scenarios.scenario_sentences(
                points, Grade(grade or ""), month or ""
            )
    return outlook


def _bands(
    outlook: dict[str, Any], measure: str, last: tuple[int, float | None] | None
) -> tuple[Band, ...]:
    start = (last[0], last[1]) if last and last[1] is not None else None
    bands = []
    values = outlook["forecasts"].get(measure, [])
    if values:
        bands.append(
            Band(
                "Forecast",
                tuple((v.target, v.point, v.lo80, v.hi80, v.lo95, v.hi95) for v in values),
                start,
            )
        )
    scenario = outlook["scenario"].get(measure, [])
    if scenario:
        bands.append(
            Band(
                f"If judged {outlook['grade']} ({outlook['month']})",
                tuple(
                    (
                        p.target,
                        p.with_judgement["point"],
                        p.with_judgement["lo80"],
                        p.with_judgement["hi80"],
                        p.with_judgement["lo95"],
                        p.with_judgement["hi95"],
                    )
                    for p in scenario
                ),
                start,
                colour="#d4351c",
            )
        )
    return tuple(bands)


SORTABLE = {"name", "region", "grade", "rank", "change", "inpost_fte", *HEADLINE_MEASURES}


@router.get("/england", response_class=HTMLResponse)
def england_page(
    request: Request,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    region: Annotated[str | None, Query()] = None,
    neighbours: Annotated[str | None, Query()] = None,
    grade: Annotated[str | None, Query()] = None,
    measure: Annotated[str | None, Query()] = None,
    sort: Annotated[str, Query()] = "name",
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
) -> Response:
    """Every council for a year, ranked on one measure as LAIT does; by region or neighbours."""
    years = statistics_service.available_years(session=session)
    if not years:
        return render_error(
            request, 404, "No published statistics are loaded: run `workforce demo`."
        )
    chosen_year = year if year in years else years[-1]
    chosen = measure if measure in HEADLINE_MEASURES else HEADLINE_MEASURES[0]
    small_workforce_fte = request.app.state.settings.warning_small_workforce_fte
    try:
        rows = england.england_table(
            session=session,
            year=chosen_year,
            region=region or None,
            neighbours_of=neighbours or None,
            small_workforce_fte=small_workforce_fte,
            with_reference=True,
        )
        compared = service.find_council(session=session, code=neighbours) if neighbours else None
    except NotFoundError as exc:
        return render_error(request, 404, str(exc))
    reference = [r for r in rows if r.kind != "council"]
    latest = inspections_service.latest_judgements(session=session)
    table: list[dict[str, Any]] = []
    for row in rows:
        if row.kind != "council":
            continue
        judgement = next((latest[c] for c in row.council_codes if c in latest), None)
        table.append({"row": row, "judgement": judgement, "standing": row.standings[chosen]})
    if grade:
        table = [t for t in table if t["judgement"] and t["judgement"].grade == grade]
    sort = sort if sort in SORTABLE else "name"

    def key(item: dict[str, Any]) -> tuple[bool, Any]:
        row = item["row"]
        if sort == "name":
            return (False, row.area_name)
        if sort == "region":
            return (row.region_name is None, row.region_name or "")
        if sort == "grade":
            j = item["judgement"]
            return (j is None, GRADE_ORDER.get(j.grade, 9) if j else 9)
        if sort == "rank":
            return (item["standing"].rank is None, item["standing"].rank or 0)
        if sort == "change":
            change = item["standing"].change
            return (change is None, change or 0.0)
        value = row.inpost_fte if sort == "inpost_fte" else row.values.get(sort)
        return (value is None, value or 0.0)

    table.sort(key=key, reverse=(order == "desc"))
    if order == "desc":  # keep missing values last either way
        table.sort(key=lambda item: key(item)[0])
    definition = MEASURES[chosen]
    return render(
        request,
        "england.html",
        years=years,
        chosen_year=chosen_year,
        table=table,
        reference=[{"row": r, "standing": r.standings[chosen]} for r in reference],
        regions=region_choices(session=session),
        councils=service.list_councils(session=session),
        region=region or "",
        neighbours=compared.code if compared else "",
        compared=compared,
        grade=grade or "",
        sort=sort,
        order=order,
        measure=definition,
        better=better_direction(definition),
        ranked_councils=max((t["standing"].ranked_councils for t in table), default=0),
        small_workforce_fte=small_workforce_fte,
        measures=[MEASURES[m] for m in HEADLINE_MEASURES],
        grades=[g.value for g in Grade],
    )
