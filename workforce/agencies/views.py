"""What signed-in readers are shown of an agency's kite-mark (the kite-mark admin, analysts
and the agency itself; never the public, whose register is :mod:`workforce.agencies.register`):

- an assessment with its criteria version and every criterion's result, and its audit
  sample with each sampled file's checks (workers named by registration number only);
- the agency's status history;
- the agency's measured and recorded criteria over a period, with the assignment ids
  behind each figure (:mod:`workforce.agencies.measures`).

Reads only.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Field, Session, SQLModel, col, select

from workforce.agencies import criteria as crit
from workforce.agencies import flows, measures, sampling
from workforce.agencies import review as kitemark_review
from workforce.agencies import status as kitemark_status
from workforce.agencies.models import (
    Assessment,
    AssessmentPublic,
    AuditSamplePublic,
    CriteriaVersion,
    CriterionResultPublic,
    CriterionResultValue,
    Evidence,
    KitemarkStatusChangePublic,
    SampledFilePublic,
)
from workforce.mou.drafts import add_months
from workforce.timeutils import utcnow

# --- an assessment and the status history -------------------------------------------------


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
                for r in flows.results_of(session=session, assessment_id=assessment.id)
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
        for h in kitemark_status.history(session=session, agency_id=agency_id)
    ]


# --- an agency's measures and assessments ---------------------------------------------------


class MeasurePublic(SQLModel):
    """A measured or recorded criterion over a period, with the assignments behind it (for
    the kite-mark admin, analysts and the agency itself: ids, never workers' numbers)."""

    number: int
    key: str
    title: str
    evidence: Evidence
    result: CriterionResultValue
    numerator: int
    denominator: int
    share: float | None
    detail: str
    review: bool = Field(description="past the review threshold")
    suspend: bool = Field(description="past the suspension threshold")
    assignment_ids: list[int] = Field(description="the assignments the figure is over")
    flagged_ids: list[int] = Field(description="the assignments it counts")


class MeasuresPublic(SQLModel):
    agency_id: int
    period_start: date
    period_end: date
    criteria_version: int
    measures: list[MeasurePublic]


def agency_measures(
    *, session: Session, agency_id: int, start: date | None = None, end: date | None = None
) -> MeasuresPublic:
    """The agency's measured and recorded criteria over ``start``..``end`` (default: the
    12 months to today), judged against the current criteria version."""
    end = end or utcnow().date()
    start = start or add_months(end, -kitemark_review.REVIEW_MONTHS)
    version = crit.ensure_criteria(session=session)
    assert version.id is not None
    criteria = [
        c
        for c in crit.criteria_of(session=session, version_id=version.id)
        if c.evidence != Evidence.audited
    ]
    found = measures.measure(
        session=session, agency_id=agency_id, start=start, end=end, criteria=criteria
    )
    return MeasuresPublic(
        agency_id=agency_id,
        period_start=start,
        period_end=end,
        criteria_version=version.version,
        measures=[
            MeasurePublic(
                number=m.criterion.number,
                key=m.key,
                title=m.criterion.title,
                evidence=Evidence(m.criterion.evidence),
                result=m.result,
                numerator=m.figure.numerator,
                denominator=m.figure.denominator,
                share=m.figure.share,
                detail=m.words(),
                review=m.review,
                suspend=m.suspend,
                assignment_ids=m.figure.assignment_ids,
                flagged_ids=m.figure.flagged_ids,
            )
            for m in found
        ],
    )


def assessments_of(*, session: Session, agency_id: int) -> list[Assessment]:
    """The agency's assessments, newest first."""
    return list(
        session.exec(
            select(Assessment)
            .where(Assessment.agency_id == agency_id)
            .order_by(col(Assessment.started_at).desc(), col(Assessment.id).desc())
        ).all()
    )


class AgencyAssessmentPublic(AssessmentPublic):
    """An assessment with its audit sample and each sampled file's checks (for the
    kite-mark admin, analysts and the agency itself; never on the public register)."""

    sample: AuditSamplePublic | None = None


def assessment_with_sample(*, session: Session, assessment: Assessment) -> AgencyAssessmentPublic:
    assert assessment.id is not None
    shown = assessment_public(session=session, assessment=assessment)
    return AgencyAssessmentPublic(
        **shown.model_dump(),
        sample=sample_public(session=session, assessment_id=assessment.id),
    )
