"""Job ``mou_digest``: each MoU group's digest, quarterly and on demand.

On the first day of each quarter (and whenever run with ``workforce jobs run mou_digest``)
every group gets an HTML and a CSV digest in the reports folder: new findings since its
last digest, findings by quarter and the agencies with most findings.
"""

from __future__ import annotations

from sqlmodel import Session

from jobs.registry import JobOutcome, job
from workforce.config import get_settings
from workforce.mou import digest, service


@job(
    "mou_digest",
    description="Write each MoU group's digest (new findings, trend, agencies) to the reports",
    cron={"month": "1,4,7,10", "day": 1, "hour": 6, "minute": 30},
)
def mou_digest(*, session: Session) -> JobOutcome:
    settings = get_settings()
    assert settings.reports_dir is not None
    written = [
        digest.write_digest(session=session, group=group, reports_dir=settings.reports_dir)
        for group in service.list_groups(session=session)
    ]
    new = sum(d.new_findings for d in written)
    return JobOutcome(
        rows=len(written),
        summary=f"{len(written)} group digest(s) written with {new} new finding(s)",
    )
