"""Jobs ``forecast_refit`` and ``early_warning``.

``forecast_refit`` runs every 30 minutes but refits only when the data changed (a new
release or judgements: the data fingerprint differs from the last run's), the model did
(the last run was fitted by another ``MODEL_VERSION``, as after an upgrade), or the last
fit is more than 20 hours old, so in practice it refits after new data, after an upgrade
that changes the model, and nightly.
``early_warning`` recomputes the latest run's warnings (thresholds are settings).
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from jobs.registry import JobOutcome, job
from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.forecasting import flows, service
from workforce.forecasting.model import MODEL_VERSION
from workforce.timeutils import as_utc, utcnow

STALE_AFTER = timedelta(hours=20)


@job(
    "forecast_refit",
    description="Refit the forecasts after new data (releases, judgements) and nightly",
    cron={"minute": "*/30"},
)
def forecast_refit(*, session: Session) -> JobOutcome:
    latest = service.latest_run(session=session)
    fingerprint = service.data_fingerprint(session=session)
    if latest is not None:
        fitted_at = as_utc(latest.fitted_at)
        fresh = fitted_at is not None and utcnow() - fitted_at < STALE_AFTER
        same_model = latest.model_version == MODEL_VERSION
        if latest.data_fingerprint == fingerprint and fresh and same_model:
            return JobOutcome(rows=0, summary=f"data unchanged since run {latest.id}; no refit")
    run = flows.refit(session=session, trigger="scheduler")
    pruned = service.prune_runs(session=session)
    audit.record(
        session=session,
        actor=Actor.job("forecast_refit"),
        action="create",
        entity="forecast_run",
        entity_id=run.id,
        summary=f"refit {run.model_version} on data to {run.data_cutoff} in {run.seconds:.1f} s; "
        f"{len(run.early_warnings)} early warnings",
    )
    return JobOutcome(
        rows=len(run.models),
        summary=f"run {run.id}: {run.model_version}, data to {run.data_cutoff}, "
        f"{len(run.early_warnings)} early warnings"
        + (f", {pruned} old run(s) pruned" if pruned else ""),
    )


@job(
    "early_warning",
    description="Recompute the early-warning list from the latest forecasts",
    cron={"minute": 45},
)
def early_warning(*, session: Session) -> JobOutcome:
    if service.latest_run(session=session) is None:
        return JobOutcome(rows=0, summary="no forecasts yet; forecast_refit makes them")
    run = flows.refresh_warnings(session=session)
    return JobOutcome(
        rows=len(run.early_warnings),
        summary=f"{len(run.early_warnings)} councils flagged from run {run.id}",
    )
