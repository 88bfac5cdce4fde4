"""Forecast pages: the early warnings and how the forecasts are made and tested."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.charts import effects_chart_svg
from api.deps import SessionDep
from api.rendering import region_choices, render
from workforce.councils import service
from workforce.forecasting import model as panel_model
from workforce.forecasting import service as forecast_service
from workforce.forecasting import warning_words
from workforce.forecasting.backtest import GROUP_HEADINGS, GROUPS, METHODS
from workforce.forecasting.caveats import COVERAGE, OVERALL_MASE, missed_targets
from workforce.forecasting.panel import FORECAST_MEASURES
from workforce.measures import MEASURES

router = APIRouter(include_in_schema=False)


@router.get("/early-warnings", response_class=HTMLResponse)
def early_warnings_page(
    request: Request, session: SessionDep, region: Annotated[str | None, Query()] = None
) -> Response:
    """Councils heading for trouble, most reasons first, with the figures behind them;
    optionally only one region's."""
    run = forecast_service.latest_run(session=session)
    settings = request.app.state.settings
    regions = region_choices(session=session)
    region = (region or "").strip()
    region_name = None
    warnings: list[dict[str, Any]] = []
    if region:  # an unknown region: NotFoundError, answered with a 404 page
        found = service.resolve_region(session=session, region=region)
        region, region_name = found.code, found.name
    thresholds = warning_words.Thresholds.from_settings(settings)
    explained: dict[str, warning_words.Explained] = {}
    if run is not None:
        warnings = forecast_service.warnings_in(session=session, run=run, region=region or None)
        explained = forecast_service.explained_warnings(
            session=session, run=run, warnings=warnings, thresholds=thresholds
        )
    return render(
        request,
        "early_warnings.html",
        run=run,
        settings=settings,
        warnings=warnings,
        explained=explained,
        how_scored=warning_words.how_scored(thresholds),
        regions=regions,
        region=region,
        region_name=region_name,
    )


@router.get("/methods", response_class=HTMLResponse)
def methods_page(
    request: Request,
    session: SessionDep,
    measure: Annotated[str, Query()] = "agency_rate_fte",
) -> Response:
    """How the forecasts are made and tested: the latest backtest and the event study."""
    run = forecast_service.latest_run(session=session)
    if measure not in FORECAST_MEASURES:
        measure = "agency_rate_fte"
    studies = []
    if run is not None:
        for study in forecast_service.event_studies(session=session, run=run, measure=measure):
            if not study["estimates"]:
                continue
            definition = MEASURES[measure]
            group = study["group"].replace("_", " ")
            studies.append(
                {
                    **study,
                    "svg": effects_chart_svg(
                        chart_id=f"effects-{measure}-{study['group']}",
                        title=f"{definition.label} in the years around a judgement "
                        f"({group}), against councils not (yet) judged so",
                        unit=definition.unit,
                        effects=tuple(
                            (e["k"], e["estimate"], e["lower"], e["upper"])
                            for e in study["estimates"]
                        ),
                    ),
                }
            )
    scores = run.backtest.get("scores", []) if run is not None else []
    return render(
        request,
        "methods.html",
        run=run,
        studies=studies,
        measure=measure,
        measures=[MEASURES[m] for m in FORECAST_MEASURES],
        methods=METHODS,
        groups=[(g, GROUP_HEADINGS[g]) for g in GROUPS],
        group_headings=GROUP_HEADINGS,
        labels={m: MEASURES[m].label for m in FORECAST_MEASURES},
        missed=missed_targets(scores),
        coverage_targets=COVERAGE,
        recency_half_life=panel_model.RECENCY_HALF_LIFE,
        mase_targets={MEASURES[m].label: v for m, v in OVERALL_MASE.items()},
        small_workforce_fte=request.app.state.settings.warning_small_workforce_fte,
    )
