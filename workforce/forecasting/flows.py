"""Refitting forecasts: fit, forecast, backtest, event studies and early warnings, stored
as one run in the caller's transaction."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
from sqlmodel import Session, select

from workforce.config import Settings, get_settings
from workforce.councils.models import StatisticalNeighbour
from workforce.errors import NotFoundError
from workforce.forecasting import backtest as backtesting
from workforce.forecasting import event_study
from workforce.forecasting import model as panel_model
from workforce.forecasting.models import (
    BacktestScore,
    EventEstimate,
    EventStudy,
    ForecastRun,
    ForecastValue,
    warning_lines,
)
from workforce.forecasting.panel import FORECAST_MEASURES, Panel, load_panel
from workforce.forecasting.service import data_fingerprint, require_run
from workforce.statistics.ranking import is_small_workforce
from workforce.timeutils import utcnow

HORIZONS = (1, 2)


def _model_dict(model: panel_model.FittedModel, small_workforce: list[str]) -> dict[str, Any]:
    """What a run keeps of a fit: its terms, coefficients and interval multiples, and the
    councils whose forecasts carry the small-workforce widening."""
    return {
        "measure": model.measure,
        "horizon": model.horizon,
        "terms": list(model.terms),
        "params": {k: float(v) for k, v in model.params.items()},
        "quantiles": {str(k): v for k, v in model.quantiles.items()},
        "n_obs": model.n_obs,
        "cutoff": model.cutoff,
        "small_workforce": small_workforce,
    }


def refit(
    *,
    session: Session,
    trigger: str = "manual",
    origins: tuple[int, ...] | None = None,
    settings: Settings | None = None,
) -> ForecastRun:
    """Fit every measure and horizon, forecast every council, backtest, and store it all."""
    settings = settings or get_settings()
    started = time.perf_counter()
    panel = load_panel(session=session)
    if panel.values.empty:
        raise NotFoundError("No published statistics to fit: import a DfE release first.")
    last = panel.last_year
    origins = origins or tuple(backtesting.default_origins(panel))
    run = ForecastRun(
        model_version=panel_model.MODEL_VERSION,
        data_cutoff=last,
        data_fingerprint=data_fingerprint(session=session),
        trigger=trigger,
    )
    values: list[dict[str, Any]] = []
    models = []
    for measure in FORECAST_MEASURES:
        for horizon in HORIZONS:
            fitted = panel_model.fit(panel, measure, horizon)
            small = sorted(code for code in panel.names if panel.small_workforce(code, last))
            models.append(_model_dict(fitted, small))
            for row in panel_model.forecast(fitted, panel).itertuples(index=False):
                values.append(_value(row, measure, "forecast"))
    report = backtesting.run_backtest(panel, origins=origins, horizons=HORIZONS)
    # What the newest origin predicted for the newest published year, beside the outcome.
    if origins:
        newest = max(o for o in origins if o + 1 <= last)
        for measure in FORECAST_MEASURES:
            frame, _ = backtesting.forecasts_at(panel, measure, 1, newest)
            for record in frame.to_dict("records"):
                r: dict[str, Any] = {str(k): v for k, v in record.items()}
                values.append(
                    {
                        "council_code": r["council_code"],
                        "measure": measure,
                        "origin": int(r["origin"]),
                        "target": int(r["target"]),
                        "kind": "backtest",
                        "point": float(r["panel"]),
                        "lo80": float(r["panel_lo80"]),
                        "hi80": float(r["panel_hi80"]),
                        "lo95": float(r["panel_lo95"]),
                        "hi95": float(r["panel_hi95"]),
                        "actual": None if np.isnan(r["actual"]) else float(r["actual"]),
                    }
                )
    run.models = models
    design = report.as_dict()
    scores = design.pop("scores")
    run.backtest_design = design
    session.add(run)
    session.flush()
    assert run.id is not None
    run.score_rows = [
        BacktestScore(run_id=run.id, position=position, **score)
        for position, score in enumerate(scores, start=1)
    ]
    run.study_rows = [
        _study_row(run.id, position, event_study.estimate(panel, measure, group))
        for position, (measure, group) in enumerate(
            ((m, g) for m in FORECAST_MEASURES for g in event_study.GROUPS), start=1
        )
    ]
    session.execute(
        ForecastValue.__table__.insert(),  # type: ignore[attr-defined]
        [{"run_id": run.id, **v} for v in values],
    )
    _store_warnings(run, early_warnings(session=session, panel=panel, run=run, settings=settings))
    run.seconds = round(time.perf_counter() - started, 2)
    session.add(run)
    return run


def _study_row(run_id: int, position: int, study: event_study.EventStudy) -> EventStudy:
    return EventStudy(
        run_id=run_id,
        position=position,
        measure=study.measure,
        group=study.group,
        events=study.events,
        controls=study.controls,
        observations=study.observations,
        pre_trend_p=study.pre_trend_p,
        note=study.note,
        estimate_rows=[EventEstimate(**asdict(e)) for e in study.estimates],
    )


def _value(row: Any, measure: str, kind: str) -> dict[str, Any]:
    return {
        "council_code": row.council_code,
        "measure": measure,
        "origin": int(row.origin),
        "target": int(row.target),
        "kind": kind,
        "point": float(row.point),
        "lo80": float(row.lo80),
        "hi80": float(row.hi80),
        "lo95": float(row.lo95),
        "hi95": float(row.hi95),
        "actual": None,
    }


# --- early warnings ------------------------------------------------------------------------


@dataclass
class Warning_:
    council_code: str
    council_name: str
    score: float
    reasons: list[str]
    figures: dict[str, Any]
    caveats: list[str] = field(default_factory=list)  # read the reasons with these in mind
    small_workforce: bool = False  # ranks after every council without one


def early_warnings(
    *, session: Session, panel: Panel, run: ForecastRun, settings: Settings
) -> list[Warning_]:
    """Councils whose forecast or recent movement crosses the thresholds, ranked by score;
    a council with a small workforce (the England table's rule, fewer than
    ``warning_small_workforce_fte`` FTE in post) ranks after every other, since a few
    people move its rates, and says so in its caveats."""
    forecasts = {
        (v.council_code, v.measure, v.target - v.origin): v
        for v in session.exec(
            select(ForecastValue).where(
                ForecastValue.run_id == run.id, ForecastValue.kind == "forecast"
            )
        ).all()
    }
    neighbours: dict[str, list[str]] = {}
    for row in session.exec(select(StatisticalNeighbour)).all():
        neighbours.setdefault(row.council_code, []).append(row.neighbour_code)
    values = panel.values
    last = panel.last_year
    recent_since = utcnow().date() - timedelta(days=round(365.25 * settings.warning_recent_years))
    found = []
    for code, name in sorted(panel.names.items()):
        reasons: list[str] = []
        figures: dict[str, Any] = {}
        score = 0.0
        agency = forecasts.get((code, "agency_rate_fte", 1))
        if agency is not None and agency.point > settings.warning_agency_rate:
            reasons.append(
                f"agency rate forecast at {agency.point:.1f}% for {agency.target} (80% "
                f"interval {agency.lo80:.1f}-{agency.hi80:.1f}%), above the "
                f"{settings.warning_agency_rate:g}% threshold"
            )
            figures["agency_rate_forecast"] = round(agency.point, 1)
            score += 1 + (agency.point - settings.warning_agency_rate) / 10
        turnover = panel.series(code, "turnover_rate_fte")
        found_years = [turnover.get(y) for y in (last - 2, last - 1, last)]
        recent = [float(v) for v in found_years if v is not None]
        if len(recent) == 3 and recent[0] < recent[1] < recent[2]:
            reasons.append(
                f"turnover rose two years running: {recent[0]:.1f}% ({last - 2}), "
                f"{recent[1]:.1f}% ({last - 1}), {recent[2]:.1f}% ({last})"
            )
            figures["turnover"] = {str(last - 2 + i): v for i, v in enumerate(recent)}
            score += 1
        vacancy = panel.series(code, "vacancy_rate_fte").get(last)
        peers: list[float] = []
        for neighbour in neighbours.get(code, []):
            figure = values["vacancy_rate_fte"].get((neighbour, last))
            if figure is not None and not np.isnan(figure):
                peers.append(float(figure))
        if vacancy is not None and len(peers) >= 5:
            mean = float(np.mean(peers))
            if vacancy - mean >= settings.warning_vacancy_gap:
                reasons.append(
                    f"vacancy rate {vacancy:.1f}% in {last}, {vacancy - mean:.1f} points above "
                    f"its {len(peers)} statistical neighbours' mean ({mean:.1f}%)"
                )
                figures["vacancy_gap"] = round(vacancy - mean, 1)
                score += 1 + (vacancy - mean - settings.warning_vacancy_gap) / 10
        inadequate = [
            j for j in panel.judgements.get(code, []) if j.inadequate and j.day >= recent_since
        ]
        if inadequate:
            latest = inadequate[-1]
            ended = f"{latest.day.day} {latest.day:%B %Y}"
            reasons.append(f"judged inadequate by Ofsted (inspection ended {ended})")
            figures["inadequate_judgement"] = latest.day.isoformat()
            score += 1.5
        if reasons:
            caveats = []
            in_post = panel.staff_at(code, last)
            if is_small_workforce(in_post, settings.warning_small_workforce_fte):
                assert in_post is not None
                caveats.append(
                    f"small workforce: {in_post:.1f} FTE social workers in post in {last}, so "
                    "a few people joining, leaving or covering move these rates a long way"
                )
                figures["inpost_fte"] = in_post
            found.append(
                Warning_(
                    code,
                    name,
                    round(score, 2),
                    reasons,
                    figures,
                    caveats,
                    small_workforce="inpost_fte" in figures,
                )
            )
    found.sort(key=lambda w: (w.small_workforce, -w.score, w.council_name))
    return found


def refresh_warnings(*, session: Session, settings: Settings | None = None) -> ForecastRun:
    """Recompute the latest run's early warnings (thresholds may have changed)."""
    run = require_run(session=session)
    panel = load_panel(session=session)
    _store_warnings(
        run,
        early_warnings(session=session, panel=panel, run=run, settings=settings or get_settings()),
    )
    session.add(run)
    return run


def _store_warnings(run: ForecastRun, warnings: list[Warning_]) -> None:
    """Replace the run's early warnings (its lines and their figures) with ``warnings``."""
    assert run.id is not None
    run.warning_rows = [
        line
        for rank, warning in enumerate(warnings, start=1)
        for line in warning_lines(run.id, rank, asdict(warning))
    ]
    run.warnings_at = utcnow()
