"""Job ``reference_refresh``: reload the bundled reference data (idempotent)."""

from __future__ import annotations

from sqlmodel import Session

from jobs.registry import JobOutcome, job
from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.councils.reference import load_reference_data


@job(
    "reference_refresh",
    description="Reload regions, councils and statistical neighbours from the bundled files",
    cron={"hour": 2, "minute": 15},
)
def reference_refresh(*, session: Session) -> JobOutcome:
    """Return how many reference rows the reload added or changed (0 when up to date)."""
    report = load_reference_data(session=session)
    if report.changed:
        audit.record_import(
            session=session,
            actor=Actor.job("reference_refresh"),
            entity="reference_data",
            report=report,
            entity_id="bundled",
        )
    return JobOutcome(rows=report.changed, summary=report.summary())
