"""Reading forecasts: the latest run, its values and early warnings.

Refitting and the early warnings' computation are in :mod:`workforce.forecasting.flows`;
scenarios in :mod:`workforce.forecasting.scenarios`.
"""

from __future__ import annotations

import hashlib
from itertools import groupby
from typing import Any

import pandas as pd
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from workforce.councils.models import CouncilPublic
from workforce.councils.service import list_councils
from workforce.errors import NotFoundError
from workforce.forecasting import model as panel_model
from workforce.forecasting import warning_words
from workforce.forecasting.models import (
    BacktestScore,
    EarlyWarning,
    EarlyWarningFigure,
    EventEstimate,
    EventStudy,
    ForecastRun,
    ForecastValue,
    warning_dict,
)
from workforce.inspections.models import Judgement
from workforce.statistics.england import england_table
from workforce.statistics.models import Publication


def data_fingerprint(*, session: Session) -> str:
    """A digest of the data a fit depends on: releases and judgements."""
    releases = session.exec(select(Publication.sha256).order_by(col(Publication.sha256))).all()
    judgements = session.exec(
        select(func.count(), func.max(Judgement.updated_at)).select_from(Judgement)
    ).one()
    text = "|".join([*releases, str(judgements[0]), str(judgements[1])])
    return hashlib.sha256(text.encode()).hexdigest()


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
        # only panel-lad-4 runs kept a multiple per group; other runs, one for every council
        group_quantiles={
            group: {float(k): float(v) for k, v in by_level.items()}
            for group, by_level in data.get("group_quantiles", {}).items()
        },
    )


def latest_run(*, session: Session) -> ForecastRun | None:
    return session.exec(select(ForecastRun).order_by(col(ForecastRun.id).desc())).first()


def require_run(*, session: Session) -> ForecastRun:
    run = latest_run(session=session)
    if run is None:
        raise NotFoundError(
            "No forecasts yet: run `workforce jobs run forecast_refit` (the scheduler runs it "
            "after new data and nightly)."
        )
    return run


def _councils_in(*, session: Session, region: str | None) -> dict[str, CouncilPublic]:
    """Councils by code, former ones too (an old run may name them); one region's if given."""
    return {
        c.code: c
        for c in list_councils(session=session, region=region or None, include_former=True)
    }


def warnings_in(
    *, session: Session, run: ForecastRun, region: str | None = None
) -> list[dict[str, Any]]:
    """The run's early warnings, best first, each with its rank in England and its council's
    region; only those of councils in ``region`` (an ONS region or London sub-region code,
    or a name) if given. An unknown region is a NotFoundError that says how to find codes."""
    councils = _councils_in(session=session, region=region)
    statement = select(EarlyWarning).where(EarlyWarning.run_id == run.id)
    if region:
        statement = statement.where(col(EarlyWarning.council_code).in_(list(councils)))
    lines = session.exec(
        statement.order_by(col(EarlyWarning.rank), col(EarlyWarning.position))
    ).all()
    return [
        {
            **warning_dict(list(group)),
            "rank_in_england": rank,
            "region_code": councils[code].region_code,
            "region_name": councils[code].region_name,
        }
        for (rank, code), group in groupby(lines, lambda w: (w.rank, w.council_code))
        if code in councils
    ]


def event_studies(
    *, session: Session, run: ForecastRun, measure: str | None = None, group: str | None = None
) -> list[dict[str, Any]]:
    """The run's event studies, in the order they were made; one measure's or one group's
    if given."""
    statement = select(EventStudy).where(EventStudy.run_id == run.id)
    if measure is not None:
        statement = statement.where(EventStudy.measure == measure)
    if group is not None:
        statement = statement.where(EventStudy.group == group)
    return [s.as_dict() for s in session.exec(statement.order_by(col(EventStudy.position)))]


def prune_runs(*, session: Session, keep: int = 30) -> int:
    """Keep the newest ``keep`` runs (older runs' forecasts, scores, studies and warnings
    go with them)."""
    old = session.exec(
        select(ForecastRun.id).order_by(col(ForecastRun.id).desc()).offset(keep)
    ).all()
    if old:
        lines = select(EarlyWarning.id).where(col(EarlyWarning.run_id).in_(old))
        studies = select(EventStudy.id).where(col(EventStudy.run_id).in_(old))
        for statement in (
            delete(EarlyWarningFigure).where(col(EarlyWarningFigure.warning_id).in_(lines)),
            delete(EarlyWarning).where(col(EarlyWarning.run_id).in_(old)),
            delete(EventEstimate).where(col(EventEstimate.study_id).in_(studies)),
            delete(EventStudy).where(col(EventStudy.run_id).in_(old)),
            delete(BacktestScore).where(col(BacktestScore.run_id).in_(old)),
            delete(ForecastValue).where(col(ForecastValue.run_id).in_(old)),
            delete(ForecastRun).where(col(ForecastRun.id).in_(old)),
        ):
            session.execute(statement)
    return len(old)


def council_values(
    *, session: Session, run: ForecastRun, code: str, measure: str | None = None
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
    *,
    session: Session,
    run: ForecastRun,
    measure: str | None = None,
    target: int | None = None,
    region: str | None = None,
) -> list[tuple[ForecastValue, CouncilPublic]]:
    """Every council's forecasts in ``run`` (not its backtest rows), by council name, measure
    and year; only one measure, target year or region's councils if given."""
    councils = _councils_in(session=session, region=region)
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


def explained_warnings(
    *,
    session: Session,
    run: ForecastRun,
    warnings: list[dict[str, Any]],
    thresholds: warning_words.Thresholds,
) -> dict[str, warning_words.Explained]:
    """``warnings`` in words, by council code: each council's rank and reasons, with where
    its agency forecast stands among every council's (small workforces apart, by the
    England table's rule)."""
    forecasts = all_values(
        session=session, run=run, measure="agency_rate_fte", target=run.data_cutoff + 1
    )
    latest = england_table(
        session=session,
        year=run.data_cutoff,
        measures=["agency_rate_fte"],
        small_workforce_fte=thresholds.small_workforce_fte,
    )
    return warning_words.explain_all(
        warnings,
        thresholds=thresholds,
        agency_forecasts={council.code: value.point for value, council in forecasts},
        agency_latest={
            code: row.values.get("agency_rate_fte") for row in latest for code in row.council_codes
        },
        data_year=run.data_cutoff,
        small_workforces={
            code for row in latest if row.small_workforce for code in row.council_codes
        },
    )
