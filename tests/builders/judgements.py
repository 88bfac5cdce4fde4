"""Reading back what an import stored."""

from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from workforce.inspections.models import Judgement


def count(session: Session) -> int:
    """Return how many judgements are stored."""
    return session.exec(select(func.count()).select_from(Judgement)).one()


def judgement(session: Session, code: str, start: date) -> Judgement:
    """Return the stored judgement of council ``code`` whose inspection began on ``start``."""
    return session.exec(
        select(Judgement).where(Judgement.council_code == code, Judgement.inspection_start == start)
    ).one()
