"""Job ``mou_assess``: every MoU group assessed every 30 minutes.

Each group's members' accepted agency assignments are checked against the rules and its
findings stored (:func:`workforce.mou.flows.assess`), so the findings follow the councils'
returns within half an hour. Each group is assessed in a transaction of its own, under
the group's write lock: a group whose lock another writer holds beyond the wait (an
assessment run by hand, say) is skipped this time and named in the summary. A group whose
assessment fails is rolled back alone; the others are still assessed, and the run then
fails naming it.
"""

from __future__ import annotations

from sqlmodel import Session

from jobs.registry import JobOutcome, job
from workforce.auth.audit import Actor
from workforce.errors import Busy
from workforce.mou import flows, service
from workforce.mou.flows import AssessmentSummary


@job(
    "mou_assess",
    description="Assess every MoU group's agency assignments against the rules; store findings",
    cron={"minute": "*/30"},
)
def mou_assess(*, session: Session) -> JobOutcome:
    actor = Actor.job("mou_assess")
    names = [group.name for group in service.list_groups(session=session)]
    # End the read: each group's assessment is a transaction of its own.
    session.commit()
    done: list[AssessmentSummary] = []
    busy: list[str] = []
    failed: list[str] = []
    for name in names:
        try:
            done.append(flows.assess(session=session, group_name=name, actor=actor))
            session.commit()
        except Busy:
            session.rollback()
            busy.append(name)
        except Exception as exc:
            session.rollback()
            failed.append(f"{name} ({exc.__class__.__name__}: {exc})")
    findings = sum(s.findings for s in done)
    summary = (
        f"{len(done)} group(s) assessed: {findings} finding(s), "
        f"{sum(s.new for s in done)} new, {sum(s.removed for s in done)} no longer found"
    )
    if busy:
        summary += (
            f"; skipped, as another change to them was being stored: {', '.join(busy)} "
            "(the next run assesses them)"
        )
    if failed:
        raise RuntimeError(
            f"the assessment failed for {len(failed)} group(s), left as they were: "
            f"{'; '.join(failed)}. {summary}"
        )
    return JobOutcome(rows=findings + sum(s.removed for s in done), summary=summary)
