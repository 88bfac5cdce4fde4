"""Job ``kitemark_review``: every day, each agency holding the kite-mark is reviewed.

For each agency whose current status holds the mark (awarded, requires improvement,
reinstated, under review): an award past its ``valid_until`` becomes ``expired``;
otherwise its measured criteria are recomputed over the last 12 months from councils'
returns, and a criterion past its ``suspend_at`` suspends the agency, past its
``review_at`` puts it under review, each a status change with the reason and the figures,
audited (:func:`workforce.agencies.review.review_agency`). Awards ending within 30 days are
listed in the summary as renewal reminders. An agency that passed with "requires
improvement" and has not passed a re-assessment by its actions' deadline is put under
review; deadlines within 30 days are listed in the summary. An agency under review stays so (or is
suspended) until a re-assessment decides; figures that recover do not lift it. Each agency
is one transaction: one that fails is rolled back alone, the others are still reviewed, and
the run then fails naming it.
"""

from __future__ import annotations

from sqlmodel import Session

from jobs.registry import JobOutcome, job
from workforce.agencies import review as agency_review
from workforce.auth.audit import Actor
from workforce.timeutils import utcnow


@job(
    "kitemark_review",
    description="Review every kite-mark holder's measured criteria; review, suspend or expire",
    cron={"hour": 5, "minute": 45},
)
def kitemark_review(*, session: Session) -> JobOutcome:
    actor = Actor.job("kitemark_review")
    now = utcnow()
    agencies = agency_review.holders(session=session, on=now)
    session.commit()
    report = agency_review.ReviewReport()
    failed: list[str] = []
    for agency_id in agencies:
        try:
            agency_review.review_agency(
                session=session, agency_id=agency_id, actor=actor, on=now, report=report
            )
            session.commit()
        except Exception as exc:
            session.rollback()
            failed.append(f"agency {agency_id} ({exc.__class__.__name__}: {exc})")
    summary = report.summary()
    if failed:
        raise RuntimeError(f"{len(failed)} agencies not reviewed: {'; '.join(failed)}. {summary}")
    return JobOutcome(rows=len(report.changes), summary=summary)
