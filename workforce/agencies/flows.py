"""The kite-mark's course: application, assessment, decision and award. The status history
and the changes made outside an assessment (review, suspension, revocation, reinstatement,
expiry) are in :mod:`workforce.agencies.status`; the daily review in
:mod:`workforce.agencies.review`. Every decision is a dated row with who made it, its
reasons and its figures, and is audited in the same transaction.

- :func:`apply`: an agency's application for a period.
- :func:`start_assessment`: an assessment of the application against the current criteria
  version (seeded if need be), recorded on it.
- :func:`assess`: a ``CriterionResult`` per criterion: measured and recorded ones from
  :mod:`workforce.agencies.measures`; the audited one from the sampled files
  (:func:`workforce.agencies.sampling.audited_result`: the share of checked files with every
  check passed; no sample or unchecked files is ``not_assessed``, fewer checked files than
  ``min_cases`` ``too_few``). Repeatable until decided.
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

What signed-in readers are shown of an assessment (its results, its audit sample, the
status history) is in :mod:`workforce.agencies.views`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from workforce.agencies import criteria as crit
from workforce.agencies import measures, sampling
from workforce.agencies.locking import is_unique_violation, lock_agency_of, lock_for_writing
from workforce.agencies.models import (
    Application,
    Assessment,
    CriteriaVersion,
    Criterion,
    CriterionResult,
    CriterionResultValue,
    Evidence,
    KitemarkStatus,
    Outcome,
)
from workforce.agencies.status import (
    AWARD_MONTHS,
    HOLDING,
    REINSTATABLE,
    _agency,
    _change,
    _refuse,
    _status_of,
    get_assessment,
    reinstate,
)
from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.mou.drafts import add_months
from workforce.timeutils import as_utc, utcnow

# --- application and assessment ----------------------------------------------------------


def apply(
    *, session: Session, agency_id: int, period_start: date, period_end: date, actor: Actor
) -> Application:
    """An agency's application for the kite-mark over ``period_start``..``period_end``."""
    lock_for_writing(session=session, agency_id=agency_id, what="the application")
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
    """A new assessment of the application against the current criteria version.

    Refused while another assessment of the same application is undecided: one open
    assessment at a time, so two assessors never decide the same application apart.
    """
    lock_agency_of(session=session, model=Application, row_id=application_id, what="the assessment")
    application = session.get(Application, application_id)
    if application is None:
        raise NotFoundError(f"no application {application_id}")
    undecided = session.exec(
        select(Assessment.id).where(
            Assessment.application_id == application_id, col(Assessment.decided_at).is_(None)
        )
    ).first()
    if undecided is not None:
        raise _refuse(
            "assessment.open",
            f"assessment {undecided} of application {application_id} is not decided yet: "
            "decide it before starting another",
        )
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


def assess(*, session: Session, assessment_id: int, actor: Actor) -> list[CriterionResult]:
    """Work out (again) every criterion's result for an undecided assessment; audited."""
    lock_agency_of(
        session=session, model=Assessment, row_id=assessment_id, what="the criteria's results"
    )
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
            row = sampling.audited_result(
                session=session, assessment=assessment, criterion=criterion
            )
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
        results.append(row)
    session.flush()  # the savepoint holds these inserts alone
    try:
        with session.begin_nested():
            session.add_all(results)
            session.flush()
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise _refuse(
            "assessment.results",
            f"the criteria's results of assessment {assessment_id} were being stored by "
            "another change at the same time: look at them, and assess again if need be",
        ) from None
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
    lock_agency_of(session=session, model=Assessment, row_id=assessment_id, what="the decision")
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
