"""Job ``mou_digest``: each MoU group's digest, quarterly and on demand.

On the first day of each quarter (and whenever run with ``workforce jobs run mou_digest``)
every group is assessed afresh and then gets an HTML and a CSV digest in the reports
folder: new findings since its last digest, findings by quarter and the agencies with most
findings. Each group's assessment and digest are one transaction, under the group's write
lock; a group that fails is rolled back alone, the others still get their digests, and the
run then fails naming it.
"""

from __future__ import annotations

from sqlmodel import Session

from jobs.registry import JobOutcome, job
from workforce.auth.audit import Actor
from workforce.config import get_settings
from workforce.mou import digest, flows, service
from workforce.mou.models import MouDigest


@job(
    "mou_digest",
    description="Write each MoU group's digest (new findings, trend, agencies) to the reports",
    cron={"month": "1,4,7,10", "day": 1, "hour": 6, "minute": 30},
)
def mou_digest(*, session: Session) -> JobOutcome:
    settings = get_settings()
    assert settings.reports_dir is not None
    actor = Actor.job("mou_digest")
    groups = list(service.list_groups(session=session))
    # End the read: each group's assessment and digest are a transaction of their own.
    session.commit()
    written: list[MouDigest] = []
    failed: list[str] = []
    for group in groups:
        try:
            flows.assess(session=session, group_name=group.name, actor=actor)
            row = digest.write_digest(
                session=session, group=group, reports_dir=settings.reports_dir
            )
            session.commit()
        except Exception as exc:
            session.rollback()
            failed.append(f"{group.name} ({exc.__class__.__name__}: {exc})")
            continue
        written.append(row)
    new = sum(d.new_findings for d in written)
    summary = (
        f"{len(written)} group(s) assessed and their digests written with {new} new finding(s)"
    )
    if failed:
        raise RuntimeError(f"no digest for {len(failed)} group(s): {'; '.join(failed)}. {summary}")
    return JobOutcome(rows=len(written), summary=summary)
