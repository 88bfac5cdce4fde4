"""The daily review of kite-mark holders (job ``kitemark_review``): expiry, then each
measured criterion over the last 12 months against its review and suspension thresholds,
with the reason and the figures recorded on every change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from workforce.agencies import criteria as crit
from workforce.agencies import measures
from workforce.agencies.models import (
    Assessment,
    Evidence,
    KitemarkStatus,
    KitemarkStatusChange,
)
from workforce.agencies.status import (
    HOLDING,
    _change,
    _status_of,
    current_status,
    expire,
)
from workforce.auth.audit import Actor
from workforce.mou.drafts import add_months
from workforce.timeutils import as_utc, utcnow

# --- the daily review ------------------------------------------------------------------------

REVIEW_MONTHS = 12
REMIND_DAYS = 30


@dataclass
class ReviewReport:
    """What one review did: agencies reviewed, status changes made, reminders due."""

    reviewed: list[int] = field(default_factory=list)
    changes: list[KitemarkStatusChange] = field(default_factory=list)
    reminders: list[tuple[int, date]] = field(default_factory=list)  # agency, valid_until
    # agency, the actions' deadline: "requires improvement" actions due within REMIND_DAYS
    actions_due: list[tuple[int, date]] = field(default_factory=list)

    def summary(self) -> str:
        by_status: dict[str, int] = {}
        for change in self.changes:
            by_status[str(change.status)] = by_status.get(str(change.status), 0) + 1
        changed = ", ".join(f"{n} {s}" for s, n in sorted(by_status.items())) or "no changes"
        reminders = (
            "; renewal due within "
            f"{REMIND_DAYS} days: "
            + ", ".join(f"agency {a} (until {d:%Y-%m-%d})" for a, d in self.reminders)
            if self.reminders
            else ""
        )
        actions = (
            f"; improvement actions due within {REMIND_DAYS} days: "
            + ", ".join(f"agency {a} (by {d:%Y-%m-%d})" for a, d in self.actions_due)
            if self.actions_due
            else ""
        )
        return (
            f"{len(self.reviewed)} agencies holding the kite-mark reviewed: "
            f"{changed}{reminders}{actions}"
        )


def _improvement_due(
    session: Session, held: KitemarkStatusChange
) -> tuple[Assessment, date] | None:
    """The assessment that made ``held`` "requires improvement" and its actions' deadline,
    if ``held`` is such a change and the decision set a deadline."""
    if KitemarkStatus(held.status) is not KitemarkStatus.requires_improvement:
        return None
    if held.assessment_id is None:
        return None
    assessment = session.get(Assessment, held.assessment_id)
    if assessment is None or assessment.action_deadline is None:
        return None
    return assessment, assessment.action_deadline


def holders(*, session: Session, on: datetime | None = None) -> list[int]:
    """The agencies whose current status holds the kite-mark, by id."""
    ids = session.exec(select(col(KitemarkStatusChange.agency_id)).distinct()).all()
    return sorted(agency_id for agency_id in ids if _status_of(session, agency_id, on) in HOLDING)


def review_agency(
    *,
    session: Session,
    agency_id: int,
    actor: Actor,
    on: datetime | None = None,
    report: ReviewReport | None = None,
) -> ReviewReport:
    """Review one agency holding the kite-mark: expire an award past ``valid_until``;
    otherwise recompute its measured criteria over the last 12 months and, for a criterion
    past ``suspend_at``, suspend it, else past ``review_at``, put it under review (unless
    already), with the reason and the figures; remind 30 days before expiry.

    An agency that passed with "requires improvement" and is still so after its actions'
    deadline (a passed re-assessment would have made it ``awarded``) is put under review,
    naming the assessment, the deadline and the actions; within 30 days of the deadline it
    is listed as due."""
    report = report or ReviewReport()
    moment = as_utc(on) or utcnow()
    today = moment.date()
    held = current_status(session=session, agency_id=agency_id, on=moment)
    if held is None or KitemarkStatus(held.status) not in HOLDING:
        return report
    report.reviewed.append(agency_id)
    if held.valid_until is not None and held.valid_until < today:
        report.changes.append(expire(session=session, agency_id=agency_id, actor=actor, on=moment))
        return report
    version = crit.ensure_criteria(session=session)
    assert version.id is not None
    criteria = [
        c
        for c in crit.criteria_of(session=session, version_id=version.id)
        if c.evidence != Evidence.audited
    ]
    found = measures.measure(
        session=session,
        agency_id=agency_id,
        start=add_months(today, -REVIEW_MONTHS),
        end=today,
        criteria=criteria,
    )
    suspend_for = [m for m in found if m.suspend]
    review_for = [m for m in found if m.review and not m.suspend]
    period = f"{add_months(today, -REVIEW_MONTHS):%Y-%m-%d}..{today:%Y-%m-%d}"
    improvement = _improvement_due(session, held)
    overdue = improvement is not None and improvement[1] < today
    if suspend_for:
        report.changes.append(
            _change(
                session=session,
                agency_id=agency_id,
                status=KitemarkStatus.suspended,
                reason=f"daily review {period}: past the suspension threshold on "
                + ", ".join(m.key for m in suspend_for),
                figures=" | ".join(m.words() for m in suspend_for),
                actor=actor,
                on=moment,
            )
        )
    elif overdue and improvement is not None:
        assessment, deadline = improvement
        report.changes.append(
            _change(
                session=session,
                agency_id=agency_id,
                status=KitemarkStatus.under_review,
                reason=f"daily review {today:%Y-%m-%d}: the actions of assessment "
                f"{assessment.id} were due by {deadline:%Y-%m-%d} and no passed "
                "re-assessment has shown them met",
                figures=f"actions: {assessment.actions}",
                actor=actor,
                on=moment,
            )
        )
    elif review_for and KitemarkStatus(held.status) is not KitemarkStatus.under_review:
        report.changes.append(
            _change(
                session=session,
                agency_id=agency_id,
                status=KitemarkStatus.under_review,
                reason=f"daily review {period}: past the review threshold on "
                + ", ".join(m.key for m in review_for),
                figures=" | ".join(m.words() for m in review_for),
                actor=actor,
                on=moment,
            )
        )
    if (
        held.valid_until is not None
        and today <= held.valid_until <= today + timedelta(days=REMIND_DAYS)
        and not suspend_for
    ):
        report.reminders.append((agency_id, held.valid_until))
    if (
        improvement is not None
        and not overdue
        and improvement[1] <= today + timedelta(days=REMIND_DAYS)
        and not suspend_for
    ):
        report.actions_due.append((agency_id, improvement[1]))
    return report
