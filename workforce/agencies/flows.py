"""The kite-mark's course: application, assessment, decision, award, review, suspension,
revocation, reinstatement and expiry. Every decision is a dated row with who made it, its
reasons and its figures, and is audited in the same transaction.

- :func:`apply`: an agency's application for a period.
- :func:`start_assessment`: an assessment of the application against the current criteria
  version (seeded if need be), recorded on it.
- :func:`assess`: a ``CriterionResult`` per criterion: measured and recorded ones from
  :mod:`workforce.agencies.measures`; the audited one from the sampled files
  (:mod:`workforce.agencies.sampling`: the share of checked files with every check passed;
  no sample or unchecked files is ``not_assessed``, fewer checked files than ``min_cases``
  ``too_few``). Repeatable until decided.
- :func:`proposed_outcome`: Pass when every criterion is met; Fail when any is past its
  ``suspend_at``; otherwise Pass - requires improvement, with an action per criterion not
  met (``too_few`` and ``not_assessed`` included: they are never met).
- :func:`decide`: the assessor's outcome (the proposed one if none given). A Pass needs
  every criterion met. Requires improvement needs actions and a deadline. A Pass or a
  requires-improvement awards the kite-mark for 12 months (status ``awarded`` or
  ``requires_improvement``; a Pass of an agency that was suspended or under review
  ``reinstated`` it; requires improvement leaves a suspended agency suspended); a Fail
  awards nothing and suspends an agency that held the mark.
- :func:`suspend`, :func:`revoke`, :func:`reinstate` (only on a passed assessment decided
  after the suspension), :func:`expire`, :func:`put_under_review`.
- :func:`current_status`: the latest status change in effect at a moment (the history is
  appended to, never rewritten, so any date can be answered).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, delete, select

from workforce.agencies import criteria as crit
from workforce.agencies import measures, sampling
from workforce.agencies.models import (
    Agency,
    Application,
    Assessment,
    AssessmentPublic,
    AuditSamplePublic,
    CriteriaVersion,
    Criterion,
    CriterionResult,
    CriterionResultPublic,
    CriterionResultValue,
    Evidence,
    KitemarkStatus,
    KitemarkStatusChange,
    KitemarkStatusChangePublic,
    Outcome,
    SampledFilePublic,
)
from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.mou.drafts import add_months
from workforce.timeutils import as_utc, utcnow

AWARD_MONTHS = 12
# Statuses in which an agency holds the kite-mark (the daily review watches these).
HOLDING = frozenset(
    {
        KitemarkStatus.awarded,
        KitemarkStatus.requires_improvement,
        KitemarkStatus.reinstated,
        KitemarkStatus.under_review,
    }
)
REINSTATABLE = frozenset({KitemarkStatus.suspended, KitemarkStatus.under_review})


def _refuse(rule: str, message: str) -> InputDataError:
    return InputDataError([Problem(rule, message)])


def _agency(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFoundError(f"no agency {agency_id}")
    return agency


def get_assessment(*, session: Session, assessment_id: int) -> Assessment:
    assessment = session.get(Assessment, assessment_id)
    if assessment is None:
        raise NotFoundError(f"no assessment {assessment_id}")
    return assessment


# --- application and assessment ----------------------------------------------------------


def apply(
    *, session: Session, agency_id: int, period_start: date, period_end: date, actor: Actor
) -> Application:
    """An agency's application for the kite-mark over ``period_start``..``period_end``."""
    _agency(session, agency_id)
    if period_end < period_start:
        raise _refuse("application.period", "the period ends before it starts")
    application = Application(
        agency_id=agency_id,
        period_start=period_start,
        period_end=period_end,
        submitted_by=actor.name,
    )
    session.add(application)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="kitemark.apply",
        entity="kitemark_application",
        entity_id=application.id,
        summary=f"agency {agency_id} applied for {period_start}..{period_end}",
        details={"agency_id": agency_id},
    )
    return application


def start_assessment(*, session: Session, application_id: int, actor: Actor) -> Assessment:
    """A new assessment of the application against the current criteria version."""
    application = session.get(Application, application_id)
    if application is None:
        raise NotFoundError(f"no application {application_id}")
    version = crit.ensure_criteria(session=session)
    assert version.id is not None
    assessment = Assessment(
        application_id=application_id,
        agency_id=application.agency_id,
        criteria_version_id=version.id,
        assessor=actor.name,
    )
    session.add(assessment)
    application.status = "assessing"
    session.add(application)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="kitemark.assess_start",
        entity="kitemark_assessment",
        entity_id=assessment.id,
        summary=f"assessment of application {application_id} against criteria version "
        f"{version.version}",
        details={"application_id": application_id, "criteria_version": version.version},
    )
    return assessment


def _audited_result(
    *, session: Session, assessment: Assessment, criterion: Criterion
) -> CriterionResult:
    assert assessment.id is not None
    sample = sampling.sample_of(session=session, assessment_id=assessment.id)
    aid, key = assessment.id, criterion.key
    if sample is None:
        return CriterionResult(
            assessment_id=aid,
            criterion_key=key,
            result=CriterionResultValue.not_assessed,
            detail="no audit sample drawn",
        )
    assert sample.id is not None
    f = sampling.file_figures(sampling.files_of(session=session, sample_id=sample.id))
    words = (
        f"sample {sample.id} (seed {sample.seed}): {f.size} of {sample.population} workers "
        f"placed; {f.checked} files checked, {f.passed} with every check passed"
        + (
            f"; failed: files {', '.join(map(str, f.failed_positions))}"
            if f.failed_positions
            else ""
        )
        + f"; {crit.threshold_words(criterion)}."
    )
    share = round(f.passed / f.checked, 4) if f.checked else None
    if f.checked < f.size:
        value = CriterionResultValue.not_assessed
        words = f"{f.size - f.checked} sampled files not yet checked; " + words
    elif f.checked < criterion.min_cases or share is None:
        value = CriterionResultValue.too_few
        words = f"too few files to judge (fewer than {criterion.min_cases}); " + words
    else:
        value = (
            CriterionResultValue.met
            if crit.passes(criterion, share)
            else CriterionResultValue.not_met
        )
    return CriterionResult(
        assessment_id=aid,
        criterion_key=key,
        result=value,
        numerator=f.passed,
        denominator=f.checked,
        share=share,
        detail=words[:2000],
    )


def assess(*, session: Session, assessment_id: int, actor: Actor) -> list[CriterionResult]:
    """Work out (again) every criterion's result for an undecided assessment; audited."""
    assessment = get_assessment(session=session, assessment_id=assessment_id)
    if assessment.decided_at is not None:
        raise _refuse("assessment.decided", f"assessment {assessment_id} is already decided")
    application = session.get(Application, assessment.application_id)
    assert application is not None
    criteria = crit.criteria_of(session=session, version_id=assessment.criteria_version_id)
    found = {
        m.key: m
        for m in measures.measure(
            session=session,
            agency_id=assessment.agency_id,
            start=application.period_start,
            end=application.period_end,
            criteria=criteria,
        )
    }
    session.exec(delete(CriterionResult).where(col(CriterionResult.assessment_id) == assessment_id))
    results = []
    for criterion in criteria:
        if criterion.evidence is Evidence.audited or criterion.evidence == Evidence.audited.value:
            row = _audited_result(session=session, assessment=assessment, criterion=criterion)
        elif criterion.key in found:
            m = found[criterion.key]
            row = CriterionResult(
                assessment_id=assessment_id,
                criterion_key=criterion.key,
                result=m.result,
                numerator=m.figure.numerator,
                denominator=m.figure.denominator,
                share=m.figure.share,
                detail=m.words()[:2000],
            )
        else:
            row = CriterionResult(
                assessment_id=assessment_id,
                criterion_key=criterion.key,
                result=CriterionResultValue.not_assessed,
                detail="no measure for this criterion",
            )
        session.add(row)
        results.append(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="kitemark.assess",
        entity="kitemark_assessment",
        entity_id=assessment_id,
        summary=", ".join(f"{r.criterion_key} {r.result}" for r in results),
        details={r.criterion_key: {"result": str(r.result), "share": r.share} for r in results},
    )
    return results


def results_of(*, session: Session, assessment_id: int) -> list[CriterionResult]:
    return list(
        session.exec(
            select(CriterionResult)
            .where(CriterionResult.assessment_id == assessment_id)
            .order_by(col(CriterionResult.id))
        ).all()
    )


def proposed_outcome(
    criteria: Sequence[Criterion], results: Sequence[CriterionResult]
) -> tuple[Outcome, list[str], list[str]]:
    """The outcome the results point to, with a reason per criterion and the actions."""
    by_key = {r.criterion_key: r for r in results}
    reasons, actions, failing = [], [], False
    for c in criteria:
        r = by_key.get(c.key)
        if r is None:
            reasons.append(f"{c.number}. {c.key}: not assessed")
            actions.append(f"{c.key}: to be assessed")
            continue
        value = CriterionResultValue(r.result)
        share = "" if r.share is None else f" ({r.numerator} of {r.denominator}, {r.share:.1%})"
        reasons.append(f"{c.number}. {c.key}: {value.value}{share}")
        if value is CriterionResultValue.met:
            continue
        if value is CriterionResultValue.not_met and r.share is not None:
            if crit.past_suspend(c, r.share):
                failing = True
            actions.append(f"{c.key}: bring to {crit.threshold_words(c)}")
        elif value is CriterionResultValue.too_few:
            actions.append(f"{c.key}: too few cases to judge; show at least {c.min_cases}")
        else:
            actions.append(f"{c.key}: to be assessed ({r.detail[:200]})")
    if failing:
        return Outcome.failed, reasons, actions
    if actions:
        return Outcome.requires_improvement, reasons, actions
    return Outcome.passed, reasons, actions


# --- status history ------------------------------------------------------------------------


def current_status(
    *, session: Session, agency_id: int, on: datetime | None = None
) -> KitemarkStatusChange | None:
    """The status change in effect at ``on`` (now if not given): the latest effective on or
    before it; None if the agency never had one."""
    moment = as_utc(on) or utcnow()
    return session.exec(
        select(KitemarkStatusChange)
        .where(
            KitemarkStatusChange.agency_id == agency_id,
            col(KitemarkStatusChange.effective_at) <= moment,
        )
        .order_by(
            col(KitemarkStatusChange.effective_at).desc(), col(KitemarkStatusChange.id).desc()
        )
    ).first()


def history(*, session: Session, agency_id: int) -> list[KitemarkStatusChange]:
    return list(
        session.exec(
            select(KitemarkStatusChange)
            .where(KitemarkStatusChange.agency_id == agency_id)
            .order_by(col(KitemarkStatusChange.effective_at), col(KitemarkStatusChange.id))
        ).all()
    )


def _change(
    *,
    session: Session,
    agency_id: int,
    status: KitemarkStatus,
    reason: str,
    actor: Actor,
    figures: str = "",
    valid_until: date | None = None,
    assessment_id: int | None = None,
    on: datetime | None = None,
) -> KitemarkStatusChange:
    moment = as_utc(on) or utcnow()
    if valid_until is None and status is not KitemarkStatus.revoked:
        held = current_status(session=session, agency_id=agency_id, on=moment)
        valid_until = held.valid_until if held is not None else None
    row = KitemarkStatusChange(
        agency_id=agency_id,
        status=status,
        effective_at=moment,
        valid_until=valid_until,
        reason=reason[:2000],
        figures=figures[:2000],
        assessment_id=assessment_id,
        decided_by=actor.name,
    )
    session.add(row)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action=f"kitemark.{status.value}",
        entity="kitemark_status_change",
        entity_id=row.id,
        summary=f"agency {agency_id}: {status.value}; {reason}"[:2000],
        details={
            "agency_id": agency_id,
            "status": status.value,
            "valid_until": valid_until.isoformat() if valid_until else None,
            "assessment_id": assessment_id,
            "figures": figures[:2000],
        },
    )
    return row


def _status_of(session: Session, agency_id: int, on: datetime | None) -> KitemarkStatus | None:
    held = current_status(session=session, agency_id=agency_id, on=on)
    return None if held is None else KitemarkStatus(held.status)


def decide(
    *,
    session: Session,
    assessment_id: int,
    actor: Actor,
    outcome: Outcome | None = None,
    reasons: str = "",
    actions: str = "",
    deadline: date | None = None,
    on: datetime | None = None,
) -> Assessment:
    """Decide the assessment (see the module's rules) and change the agency's status."""
    assessment = get_assessment(session=session, assessment_id=assessment_id)
    if assessment.decided_at is not None:
        raise _refuse("decision.decided", f"assessment {assessment_id} is already decided")
    criteria = crit.criteria_of(session=session, version_id=assessment.criteria_version_id)
    results = results_of(session=session, assessment_id=assessment_id)
    if not results:
        raise _refuse("decision.results", "assess the criteria first (`kitemark assess`)")
    proposed, criterion_reasons, proposed_actions = proposed_outcome(criteria, results)
    chosen = outcome or proposed
    problems = []
    if chosen is Outcome.passed and proposed is not Outcome.passed:
        problems.append(
            Problem(
                "decision.outcome",
                "a Pass needs every criterion met: " + "; ".join(proposed_actions),
            )
        )
    if chosen is Outcome.requires_improvement:
        actions = actions.strip() or "; ".join(proposed_actions)
        if not actions:
            problems.append(Problem("decision.actions", "requires improvement needs actions"))
        if deadline is None:
            problems.append(Problem("decision.deadline", "requires improvement needs a deadline"))
    if problems:
        raise InputDataError(problems)
    moment = as_utc(on) or utcnow()
    if chosen is Outcome.requires_improvement and deadline is not None and deadline < moment.date():
        raise _refuse("decision.deadline", "the deadline is before the decision")
    version = session.get(CriteriaVersion, assessment.criteria_version_id)
    assert version is not None
    text = (reasons.strip() + " " if reasons.strip() else "") + (
        f"Criteria version {version.version}: " + "; ".join(criterion_reasons) + "."
    )
    assessment.outcome = chosen
    assessment.reasons = text[:4000]
    assessment.actions = actions[:4000] if chosen is Outcome.requires_improvement else ""
    assessment.action_deadline = deadline if chosen is Outcome.requires_improvement else None
    assessment.decided_at = moment
    session.add(assessment)
    application = session.get(Application, assessment.application_id)
    if application is not None:
        application.status = "decided"
        session.add(application)
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="kitemark.decide",
        entity="kitemark_assessment",
        entity_id=assessment_id,
        summary=f"agency {assessment.agency_id}: {chosen.value}; {text}"[:2000],
        details={
            "outcome": chosen.value,
            "proposed": proposed.value,
            "actions": assessment.actions,
            "deadline": deadline.isoformat() if deadline else None,
        },
    )
    before = _status_of(session, assessment.agency_id, moment)
    figures = "; ".join(criterion_reasons)
    if chosen in (Outcome.passed, Outcome.requires_improvement):
        until = add_months(moment.date(), AWARD_MONTHS)
        if chosen is Outcome.passed and before in REINSTATABLE:
            reinstate(
                session=session,
                agency_id=assessment.agency_id,
                assessment_id=assessment_id,
                actor=actor,
                on=moment,
            )
        elif before is KitemarkStatus.suspended:
            pass  # requires improvement does not reinstate: that needs a Pass
        else:
            status = (
                KitemarkStatus.awarded
                if chosen is Outcome.passed
                else KitemarkStatus.requires_improvement
            )
            _change(
                session=session,
                agency_id=assessment.agency_id,
                status=status,
                reason=f"assessment {assessment_id}: {chosen.value}"
                + (
                    f"; actions by {deadline}: {assessment.actions}"
                    if deadline and status is KitemarkStatus.requires_improvement
                    else ""
                ),
                figures=figures,
                valid_until=until,
                assessment_id=assessment_id,
                actor=actor,
                on=moment,
            )
    elif before in HOLDING:
        _change(
            session=session,
            agency_id=assessment.agency_id,
            status=KitemarkStatus.suspended,
            reason=f"assessment {assessment_id} failed",
            figures=figures,
            assessment_id=assessment_id,
            actor=actor,
            on=moment,
        )
    return assessment


# --- changes outside an assessment ---------------------------------------------------------


def put_under_review(
    *,
    session: Session,
    agency_id: int,
    reason: str,
    actor: Actor,
    figures: str = "",
    on: datetime | None = None,
) -> KitemarkStatusChange:
    """Put an agency holding the kite-mark under review."""
    status = _status_of(session, agency_id, on)
    if status not in HOLDING or status is KitemarkStatus.under_review:
        raise _refuse("status.review", f"agency {agency_id} is {status or 'not on the register'}")
    return _change(
        session=session,
        agency_id=agency_id,
        status=KitemarkStatus.under_review,
        reason=reason,
        figures=figures,
        actor=actor,
        on=on,
    )


def suspend(
    *,
    session: Session,
    agency_id: int,
    reason: str,
    actor: Actor,
    figures: str = "",
    on: datetime | None = None,
) -> KitemarkStatusChange:
    """Suspend an agency that holds the kite-mark (under review included)."""
    _agency(session, agency_id)
    status = _status_of(session, agency_id, on)
    if status not in HOLDING:
        raise _refuse(
            "status.suspend",
            f"agency {agency_id} does not hold the kite-mark ({status or 'never had it'})",
        )
    return _change(
        session=session,
        agency_id=agency_id,
        status=KitemarkStatus.suspended,
        reason=reason,
        figures=figures,
        actor=actor,
        on=on,
    )


def revoke(
    *,
    session: Session,
    agency_id: int,
    reason: str,
    actor: Actor,
    figures: str = "",
    on: datetime | None = None,
) -> KitemarkStatusChange:
    """Revoke the kite-mark (from any status but revoked); a new award needs a new
    application and a passed assessment."""
    _agency(session, agency_id)
    status = _status_of(session, agency_id, on)
    if status is None or status is KitemarkStatus.revoked:
        raise _refuse("status.revoke", f"agency {agency_id} has no kite-mark to revoke")
    return _change(
        session=session,
        agency_id=agency_id,
        status=KitemarkStatus.revoked,
        reason=reason,
        figures=figures,
        actor=actor,
        on=on,
    )


def reinstate(
    *,
    session: Session,
    agency_id: int,
    assessment_id: int,
    actor: Actor,
    on: datetime | None = None,
) -> KitemarkStatusChange:
    """Reinstate a suspended (or under-review) agency on a passed assessment of it decided
    after the suspension; the award runs 12 months from the reinstatement."""
    moment = as_utc(on) or utcnow()
    held = current_status(session=session, agency_id=agency_id, on=moment)
    if held is None or KitemarkStatus(held.status) not in REINSTATABLE:
        raise _refuse("status.reinstate", f"agency {agency_id} is not suspended or under review")
    assessment = get_assessment(session=session, assessment_id=assessment_id)
    decided = as_utc(assessment.decided_at)
    if (
        assessment.agency_id != agency_id
        or assessment.outcome != Outcome.passed
        or decided is None
        or decided < as_utc(held.effective_at)  # type: ignore[operator]
    ):
        raise _refuse(
            "status.reinstate",
            "reinstatement needs a passed re-assessment of the agency decided after its "
            f"{held.status} on {held.effective_at:%Y-%m-%d}",
        )
    return _change(
        session=session,
        agency_id=agency_id,
        status=KitemarkStatus.reinstated,
        reason=f"passed re-assessment {assessment_id}",
        valid_until=add_months(moment.date(), AWARD_MONTHS),
        assessment_id=assessment_id,
        actor=actor,
        on=moment,
    )


def expire(
    *, session: Session, agency_id: int, actor: Actor, on: datetime | None = None
) -> KitemarkStatusChange:
    """Mark an award past its ``valid_until`` expired."""
    held = current_status(session=session, agency_id=agency_id, on=on)
    if held is None or held.valid_until is None:
        raise _refuse("status.expire", f"agency {agency_id} has no award to expire")
    return _change(
        session=session,
        agency_id=agency_id,
        status=KitemarkStatus.expired,
        reason=f"the award ran to {held.valid_until:%Y-%m-%d} and was not renewed",
        valid_until=held.valid_until,
        actor=actor,
        on=on,
    )


# --- the daily review ------------------------------------------------------------------------

REVIEW_MONTHS = 12
REMIND_DAYS = 30


@dataclass
class ReviewReport:
    """What one review did: agencies reviewed, status changes made, reminders due."""

    reviewed: list[int] = field(default_factory=list)
    changes: list[KitemarkStatusChange] = field(default_factory=list)
    reminders: list[tuple[int, date]] = field(default_factory=list)  # agency, valid_until

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
        return f"{len(self.reviewed)} agencies holding the kite-mark reviewed: {changed}{reminders}"


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
    already), with the reason and the figures; remind 30 days before expiry."""
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
    return report


# --- what readers are shown ------------------------------------------------------------------


def assessment_public(*, session: Session, assessment: Assessment) -> AssessmentPublic:
    """An assessment with its criteria version and every criterion's result."""
    assert assessment.id is not None
    version = session.get(CriteriaVersion, assessment.criteria_version_id)
    assert version is not None
    return AssessmentPublic.model_validate(
        assessment,
        update={
            "criteria_version": version.version,
            "results": [
                CriterionResultPublic.model_validate(r)
                for r in results_of(session=session, assessment_id=assessment.id)
            ],
        },
    )


def sample_public(*, session: Session, assessment_id: int) -> AuditSamplePublic | None:
    """An assessment's audit sample with each file's checks (for the assessor and the
    agency; it names workers by registration number, so never for the public)."""
    sample = sampling.sample_of(session=session, assessment_id=assessment_id)
    if sample is None or sample.id is None:
        return None
    files = sampling.files_of(session=session, sample_id=sample.id)
    return AuditSamplePublic.model_validate(
        sample, update={"files": [SampledFilePublic.model_validate(f) for f in files]}
    )


def history_public(*, session: Session, agency_id: int) -> list[KitemarkStatusChangePublic]:
    return [
        KitemarkStatusChangePublic.model_validate(h)
        for h in history(session=session, agency_id=agency_id)
    ]
