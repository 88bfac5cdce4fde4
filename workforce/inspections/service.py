"""Reading councils' Ofsted judgements: timelines, latest grades, who was ever judged what."""

from __future__ import annotations

from sqlmodel import Session, col, select

from workforce.councils.service import find_council
from workforce.inspections.models import Grade, Judgement, JudgementPublic


def _public(judgement: Judgement) -> JudgementPublic:
    # Attributes, not model_dump(): loaded rows hold plain strings where the table has enums.
    fields = {name: getattr(judgement, name, None) for name in JudgementPublic.model_fields}
    return JudgementPublic.model_validate({**fields, "graded": judgement.grade is not None})


def judgement_timeline(*, session: Session, council_code: str) -> list[JudgementPublic]:
    """Return a council's judgements (DfE or ONS code), earliest inspection first."""
    council = find_council(session=session, code=council_code)
    judgements = session.exec(
        select(Judgement)
        .where(Judgement.council_code == council.code)
        .order_by(col(Judgement.inspection_start))
    )
    return [_public(j) for j in judgements]


def latest_judgements(*, session: Session, graded_only: bool = True) -> dict[str, JudgementPublic]:
    """Return each judged council's latest judgement by code; only graded ones if asked."""
    query = select(Judgement).order_by(col(Judgement.inspection_start))
    if graded_only:
        query = query.where(col(Judgement.grade).is_not(None))
    # In date order, so each council's later judgement replaces its earlier one.
    return {j.council_code: _public(j) for j in session.exec(query)}


def councils_ever_judged(*, session: Session, grade: Grade) -> set[str]:
    """Return the codes of councils with at least one overall judgement of ``grade``."""
    query = select(Judgement.council_code).where(col(Judgement.grade) == grade.value).distinct()
    return set(session.exec(query))
