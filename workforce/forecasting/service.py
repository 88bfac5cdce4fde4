"""Refitting, storing and reading forecasts; scenarios; early warnings."""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from workforce.config import Settings, get_settings
from workforce.councils.models import CouncilPublic, StatisticalNeighbour
from workforce.councils.service import list_councils
from workforce.errors import NotFoundError
from workforce.forecasting import backtest as backtesting
from workforce.forecasting import event_study
from workforce.forecasting import model as panel_model
from workforce.forecasting.models import ForecastRun, ForecastValue
from workforce.forecasting.panel import (
    FORECAST_MEASURES,
    JudgementEvent,
    Panel,
    load_panel,
)
from workforce.inspections.models import Grade, Judgement
from workforce.statistics.models import Publication
from workforce.timeutils import utcnow

HORIZONS = (1, 2)


def data_fingerprint(session: Session) -> str:
    """A digest of the data a fit depends on: releases and judgements."""
    releases = session.exec(select(Publication.sha256).order_by(col(Publication.sha256))).all()
    judgements = session.exec(
        select(func.count(), func.max(Judgement.updated_at)).select_from(Judgement)
    ).one()
    text = "|".join([*releases, str(judgements[0]), str(judgements[1])])
    return hashlib.sha256(text.encode()).hexdigest()


def _model_dict(model: panel_model.FittedModel) -> dict[str, Any]:
    return {
        "measure": model.measure,
        "horizon": model.horizon,
        "terms": list(model.terms),
        "params": {k: float(v) for k, v in model.params.items()},
        "quantiles": {str(k): v for k, v in model.quantiles.items()},
        "n_obs": model.n_obs,
        "cutoff": model.cutoff,
    }


def model_from_dict(data: dict[str, Any]) -> panel_model.FittedModel:
    params = pd.Series(data["params"], dtype=float)
    return panel_model.FittedModel(
        measure=data["measure"],
        horizon=int(data["horizon"]),
        terms=tuple(data["terms"]),
        params=params,
        bse=pd.Series(dtype=float),
        quantiles={float(k): float(v) for k, v in data["quantiles"].items()},
        n_obs=int(data["n_obs"]),
        cutoff=int(data["cutoff"]),
    )


def refit(
    session: Session,
    *,
    trigger: str = "manual",
    origins: tuple[int, ...] | None = None,
    settings: Settings | None = None,
) -> ForecastRun:
    """Fit every measure and horizon, forecast every council, backtest, and store it all."""
    settings = settings or get_settings()
    started = time.perf_counter()
    panel = load_panel(session)
    if panel.values.empty:
        raise NotFoundError("No published statistics to fit: import a DfE release first.")
    last = panel.last_year
    origins = origins or tuple(backtesting.default_origins(panel))
    run = ForecastRun(
        model_version=panel_model.MODEL_VERSION,
        data_cutoff=last,
        data_fingerprint=data_fingerprint(session),
        trigger=trigger,
    )
    values: list[dict[str, Any]] = []
    models = []
    for measure in FORECAST_MEASURES:
        for horizon in HORIZONS:
            fitted = panel_model.fit(panel, measure, horizon)
            models.append(_model_dict(fitted))
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
    run.backtest = report.as_dict()
    run.event_studies = [
        event_study.estimate(panel, measure, group).as_dict()
        for measure in FORECAST_MEASURES
        for group in event_study.GROUPS
    ]
    session.add(run)
    session.flush()
    assert run.id is not None
    session.execute(
        ForecastValue.__table__.insert(),  # type: ignore[attr-defined]
        [{"run_id": run.id, **v} for v in values],
    )
    run.early_warnings = [asdict(w) for w in early_warnings(session, panel, run, settings)]
    run.warnings_at = utcnow()
    run.seconds = round(time.perf_counter() - started, 2)
    session.add(run)
    return run


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


def latest_run(session: Session) -> ForecastRun | None:
    return session.exec(select(ForecastRun).order_by(col(ForecastRun.id).desc())).first()


def require_run(session: Session) -> ForecastRun:
    run = latest_run(session)
    if run is None:
        raise NotFoundError(
            "No forecasts yet: run `workforce jobs run forecast_refit` (the scheduler runs it "
            "after new data and nightly)."
        )
    return run


def _councils_in(session: Session, region: str | None) -> dict[str, CouncilPublic]:
    """Councils by code, former ones too (an old run may name them); one region's if given."""
    return {
        c.code: c
        for c in list_councils(session=session, region=region or None, include_former=True)
    }


def warnings_in(
    session: Session, run: ForecastRun, *, region: str | None = None
) -> list[dict[str, Any]]:
    """The run's early warnings, best first, each with its rank in England and its council's
    region; only those of councils in ``region`` (an ONS region or London sub-region code,
    or a name) if given. An unknown region is a NotFoundError that says how to find codes."""
    councils = _councils_in(session, region)
    return [
        {
            **warning,
            "rank_in_england": rank,
            "region_code": councils[warning["council_code"]].region_code,
            "region_name": councils[warning["council_code"]].region_name,
        }
        for rank, warning in enumerate(run.early_warnings, start=1)
        if warning["council_code"] in councils
    ]


def prune_runs(session: Session, keep: int = 30) -> int:
    """Keep the newest ``keep`` runs (older runs' forecasts go with them)."""
    old = session.exec(
        select(ForecastRun.id).order_by(col(ForecastRun.id).desc()).offset(keep)
    ).all()
    if old:
        session.execute(delete(ForecastValue).where(col(ForecastValue.run_id).in_(old)))
        session.execute(delete(ForecastRun).where(col(ForecastRun.id).in_(old)))
    return len(old)


def council_values(
    session: Session, run: ForecastRun, code: str, measure: str | None = None
) -> list[ForecastValue]:
    statement = select(ForecastValue).where(
        ForecastValue.run_id == run.id, ForecastValue.council_code == code
    )
    if measure:
        statement = statement.where(ForecastValue.measure == measure)
    return list(
        session.exec(
            statement.order_by(col(ForecastValue.measure), col(ForecastValue.target))
        ).all()
    )


def all_values(
    session: Session,
    run: ForecastRun,
    *,
    measure: str | None = None,
    target: int | None = None,
    region: str | None = None,
) -> list[tuple[ForecastValue, CouncilPublic]]:
    """Every council's forecasts in ``run`` (not its backtest rows), by council name, measure
    and year; only one measure, target year or region's councils if given."""
    councils = _councils_in(session, region)
    statement = select(ForecastValue).where(
        ForecastValue.run_id == run.id, ForecastValue.kind == "forecast"
    )
    if measure:
        statement = statement.where(ForecastValue.measure == measure)
    if target is not None:
        statement = statement.where(ForecastValue.target == target)
    rows = [
        (value, councils[value.council_code])
        for value in session.exec(statement)
        if value.council_code in councils
    ]
    return sorted(rows, key=lambda r: (r[1].name, r[0].measure, r[0].target))


# --- scenarios -----------------------------------------------------------------------------


@dataclass
class ScenarioPoint:
    measure: str
    target: int
    without: dict[str, float]
    with_judgement: dict[str, float]


def scenario(
    session: Session, run: ForecastRun, code: str, grade: Grade, day: date
) -> list[ScenarioPoint]:
    """Forecasts for ``code`` with a hypothetical judgement of ``grade`` on ``day``."""
    panel = load_panel(session)
    if code not in panel.names:
        raise NotFoundError(f"No forecasts for council {code!r}.")
    event = JudgementEvent(code, day, grade.value, hypothetical=True)
    if event.year <= panel.last_year:
        raise ValueError(
            f"a scenario judgement must count after the last census year ({panel.last_year}): "
            f"choose a month from October {panel.last_year} on"
        )
    altered = panel.with_judgement(event)
    points = []
    for data in run.models:
        model = model_from_dict(data)
        base = panel_model.forecast(model, panel)
        changed = panel_model.forecast(model, altered)
        b = base[base["council_code"] == code]
        c = changed[changed["council_code"] == code]
        if b.empty:
            continue
        columns = ["point", "lo80", "hi80", "lo95", "hi95"]
        points.append(
            ScenarioPoint(
                measure=model.measure,
                target=int(b["target"].iloc[0]),
                without={k: round(float(b[k].iloc[0]), 2) for k in columns},
                with_judgement={k: round(float(c[k].iloc[0]), 2) for k in columns},
            )
        )
    return points


# --- early warnings ------------------------------------------------------------------------


@dataclass
class Warning_:
    council_code: str
    council_name: str
    score: float
    reasons: list[str]
    figures: dict[str, Any]
    caveats: list[str] = field(default_factory=list)  # read the reasons with these in mind


def early_warnings(
    session: Session, panel: Panel, run: ForecastRun, settings: Settings
) -> list[Warning_]:
    """Councils whose forecast or recent movement crosses the thresholds, ranked."""
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
    staff = {
        key: float(value)
        for key, value in load_panel(session, measures=["inpost_fte"])
        .values["inpost_fte"]
        .dropna()
        .items()
    }
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
            reasons.append(f"judged inadequate by Ofsted (inspection ended {latest.day:%d %B %Y})")
            figures["inadequate_judgement"] = latest.day.isoformat()
            score += 1.5
        if reasons:
            caveats = []
            in_post = staff.get((code, last))
            if in_post is not None and in_post < settings.warning_small_workforce_fte:
                caveats.append(
                    f"small workforce: {in_post:.1f} FTE social workers in post in {last}, so "
                    "a few people joining, leaving or covering move these rates a long way"
                )
                figures["inpost_fte"] = in_post
            found.append(Warning_(code, name, round(score, 2), reasons, figures, caveats))
    found.sort(key=lambda w: (-w.score, w.council_name))
    return found


def refresh_warnings(session: Session, settings: Settings | None = None) -> ForecastRun:
    """Recompute the latest run's early warnings (thresholds may have changed)."""
    run = require_run(session)
    panel = load_panel(session)
    run.early_warnings = [
        asdict(w) for w in early_warnings(session, panel, run, settings or get_settings())
    ]
    run.warnings_at = utcnow()
    session.add(run)
    return run


def scenario_day(month: str) -> date:
    """``YYYY-MM`` as the last day of that month (the judgement counts from its end)."""
    year, number = (int(part) for part in month.split("-", 1))
    following = date(year + (number == 12), number % 12 + 1, 1)
    return following - timedelta(days=1)
