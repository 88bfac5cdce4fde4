"""Forecasts, scenarios, judgement effects and early warnings (from published data)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, field_validator

from api.deps import SessionDep
from api.formats import Format, FormatQuery, csv_response, respond
from workforce.councils.service import find_council
from workforce.errors import NotFoundError
from workforce.forecasting import scenarios, service
from workforce.forecasting.panel import FORECAST_MEASURES
from workforce.forecasting.warning_words import Thresholds
from workforce.inspections.models import Grade

router = APIRouter(prefix="/api", tags=["forecasts"])
MeasureQuery = Annotated[
    str | None,
    Query(description="One of: " + ", ".join(FORECAST_MEASURES) + " (default: all four)."),
]


class RunInfo(BaseModel):
    id: int
    model_version: str
    data_cutoff: int
    fitted_at: datetime


class Rounded(BaseModel):
    """Forecasts to two decimal places: the model's precision is far coarser than that."""

    @field_validator("point", "lo80", "hi80", "lo95", "hi95", check_fields=False)
    @classmethod
    def _two_places(cls, value: float) -> float:
        return round(value, 2)


class ForecastPoint(Rounded):
    measure: str
    origin: int
    target: int
    point: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


class BacktestPoint(ForecastPoint):
    actual: float | None


class CouncilForecast(BaseModel):
    council_code: str
    council_name: str
    run: RunInfo
    forecasts: list[ForecastPoint]
    predicted_last_time: list[BacktestPoint] = Field(
        description="What the model, fitted without the newest year, predicted for it."
    )


def _run_info(run: Any) -> RunInfo:
    return RunInfo(
        id=run.id,
        model_version=run.model_version,
        data_cutoff=run.data_cutoff,
        fitted_at=run.fitted_at,
    )


def _measure(measure: str | None) -> str | None:
    if measure is not None and measure not in FORECAST_MEASURES:
        raise NotFoundError(
            f"No forecasts for {measure!r}: choose one of {', '.join(FORECAST_MEASURES)}."
        )
    return measure


class CouncilForecastRow(Rounded):
    council_code: str
    council_name: str
    region_name: str
    measure: str
    origin: int
    target: int
    point: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float
    run_id: int
    model_version: str


RegionQuery = Annotated[
    str | None,
    Query(
        description="Only councils in this region or London sub-region: an ONS code such as "
        "E12000001 or a name such as 'North East' (GET /api/regions lists them)."
    ),
]


@router.get("/forecasts", response_model=list[CouncilForecastRow])
def every_council_forecast(
    session: SessionDep,
    measure: MeasureQuery = None,
    target: Annotated[
        int | None, Query(ge=2000, le=2100, description="Only this census year.")
    ] = None,
    region: RegionQuery = None,
    format: FormatQuery = Format.json,
) -> Any:
    """Every council's forecasts from the latest run, with 80% and 95% intervals, by council
    name; ``?format=csv`` for a download."""
    run = service.require_run(session=session)
    rows = [
        CouncilForecastRow(
            council_code=council.code,
            council_name=council.name,
            region_name=council.region_name,
            measure=value.measure,
            origin=value.origin,
            target=value.target,
            point=value.point,
            lo80=value.lo80,
            hi80=value.hi80,
            lo95=value.lo95,
            hi95=value.hi95,
            run_id=run.id or 0,
            model_version=run.model_version,
        )
        for value, council in service.all_values(
            session=session, run=run, measure=_measure(measure), target=target, region=region
        )
    ]
    return respond(rows, format, f"forecasts-run-{run.id}")


@router.get("/forecasts/{code}", response_model=CouncilForecast)
def council_forecast(
    session: SessionDep, code: str, measure: MeasureQuery = None
) -> CouncilForecast:
    """The next one and two census years for a council, with 80% and 95% intervals."""
    council = find_council(session=session, code=code)
    run = service.require_run(session=session)
    values = service.council_values(
        session=session, run=run, code=council.code, measure=_measure(measure)
    )
    return CouncilForecast(
        council_code=council.code,
        council_name=council.name,
        run=_run_info(run),
        forecasts=[
            ForecastPoint.model_validate(v, from_attributes=True)
            for v in values
            if v.kind == "forecast"
        ],
        predicted_last_time=[
            BacktestPoint.model_validate(v, from_attributes=True)
            for v in values
            if v.kind == "backtest"
        ],
    )


class ScenarioRequest(BaseModel):
    grade: Grade = Field(description="The hypothetical judgement's overall grade.")
    month: str = Field(
        pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
        description="When the inspection ends, as YYYY-MM (after the last census year, and "
        "after a judgement the forecast already includes).",
    )


class ScenarioPointOut(BaseModel):
    measure: str
    target: int
    without: dict[str, float]
    with_judgement: dict[str, float]


class ScenarioResponse(BaseModel):
    council_code: str
    grade: Grade
    judgement_date: date
    run: RunInfo
    already_included: str | None = Field(
        description="The judgement the forecast already includes (published since the last "
        "census), in words; null if none."
    )
    sentences: list[str] = Field(description="The difference, one sentence per measure.")
    points: list[ScenarioPointOut]


def _problem(status: int, message: str, month: str) -> JSONResponse:
    return JSONResponse(
        status_code=status,
        content={
            "detail": message,
            "problems": [{"location": "body.month", "message": message, "value": month}],
        },
    )


@router.post(
    "/forecasts/{code}/scenario",
    response_model=ScenarioResponse,
    responses={409: {"description": "The forecast already includes that judgement."}},
)
def council_scenario(
    request: Request, session: SessionDep, code: str, body: ScenarioRequest
) -> Any:
    """The forecast if the council were judged ``grade`` in ``month``, beside the forecast
    without it, with the difference in words. A judgement the forecast already includes
    (the same grade, at or before one published since the last census) is refused with
    409. Nothing is stored."""
    council = find_council(session=session, code=code)
    run = service.require_run(session=session)
    day = scenarios.scenario_day(body.month)
    try:
        points = scenarios.scenario(
            session=session,
            run=run,
            code=council.code,
            grade=body.grade,
            day=day,
            cache=request.app.state.answers,
        )
    except scenarios.ScenarioRefused as exc:
        return _problem(409, str(exc), body.month)
    except ValueError as exc:
        return _problem(422, str(exc), body.month)
    known = scenarios.known_judgement(session=session, run=run, code=council.code)
    return ScenarioResponse(
        council_code=council.code,
        grade=body.grade,
        judgement_date=day,
        run=_run_info(run),
        already_included=known.sentence if known else None,
        sentences=scenarios.scenario_sentences(points, body.grade, body.month),
        points=[ScenarioPointOut(**p.__dict__) for p in points],
    )


class JudgementEffects(BaseModel):
    run: RunInfo
    studies: list[dict[str, Any]]


@router.get("/judgement-effects", response_model=JudgementEffects)
def judgement_effects(
    session: SessionDep,
    measure: MeasureQuery = None,
    group: Annotated[
        str | None, Query(description="inadequate, or requires_improvement_or_better")
    ] = None,
) -> JudgementEffects:
    """The event study: each measure in the years before and after a judgement, by grade,
    against councils not (yet) judged so; estimates with 95% intervals clustered by council,
    and the p-value of the pre-judgement years (a test of trends already moving)."""
    run = service.require_run(session=session)
    studies = service.event_studies(
        session=session, run=run, measure=_measure(measure), group=group
    )
    return JudgementEffects(run=_run_info(run), studies=studies)


class EarlyWarnings(BaseModel):
    run: RunInfo
    computed_at: datetime | None
    warnings: list[dict[str, Any]]


WARNING_COLUMNS = (
    "rank_in_england",
    "council_code",
    "council_name",
    "region_name",
    "score",
    "reasons",
    "figures",
    "caveats",
    "in_words",
    "score_in_words",
)


def _flat_figures(figures: dict[str, Any], prefix: str = "") -> list[str]:
    """``{"turnover": {"2022": 12.1}}`` as ``["turnover 2022=12.1"]``, for one CSV cell."""
    flat = []
    for key, value in figures.items():
        name = f"{prefix} {key}".strip()
        if isinstance(value, dict):
            flat.extend(_flat_figures(value, name))
        else:
            flat.append(f"{name}={value}")
    return flat


@router.get("/early-warnings", response_model=EarlyWarnings)
def early_warnings(
    request: Request,
    session: SessionDep,
    region: RegionQuery = None,
    format: FormatQuery = Format.json,
) -> Any:
    """Councils whose forecast or recent movement crosses the thresholds, most reasons
    first, each with its region, its reasons and figures, and in words its rank and reasons
    (``in_words``) and what its score adds up to (``score_in_words``), as the page says them;
    ``?format=csv`` for a download (reasons and figures joined with "; ")."""
    run = service.require_run(session=session)
    warnings = service.warnings_in(session=session, run=run, region=region)
    explained = service.explained_warnings(
        session=session,
        run=run,
        warnings=warnings,
        thresholds=Thresholds.from_settings(request.app.state.settings),
    )
    for warning in warnings:
        words = explained.get(warning["council_code"])
        warning["in_words"] = words.sentence if words else None
        warning["score_in_words"] = words.score if words else None
    if format is Format.csv:
        records = [
            {
                **w,
                "reasons": "; ".join(w["reasons"]),
                "figures": "; ".join(_flat_figures(w["figures"])),
                "caveats": "; ".join(w.get("caveats", [])),
            }
            for w in warnings
        ]
        return csv_response(records, WARNING_COLUMNS, f"early-warnings-run-{run.id}")
    return EarlyWarnings(run=_run_info(run), computed_at=run.warnings_at, warnings=warnings)


class BacktestOut(BaseModel):
    run: RunInfo
    report: dict[str, Any]


@router.get("/backtest", response_model=BacktestOut)
def latest_backtest(session: SessionDep) -> BacktestOut:
    """The latest refit's backtest: scores per measure, horizon, group and method."""
    run = service.require_run(session=session)
    return BacktestOut(run=_run_info(run), report=run.backtest)
