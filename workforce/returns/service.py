"""Council returns as stored: reading them back, and a council's own series beside its
published figures. Taking a return in is a flow: ``workforce.returns.flows.ingest``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from sqlmodel import Session, col, select

from workforce.db import MAX_ROW_ID
from workforce.errors import NotFoundError
from workforce.returns.models import MEASURE, CouncilReturn, ReturnMeasure, ReturnStatus
from workforce.statistics import service as statistics_service

# The measures a return is compared on, against the council's published figures.
COMPARABLE = ("turnover_rate_fte", "agency_rate_fte", "vacancy_rate_fte", "caseload_fte")

# What one return's detail adds to a list's (its issues): loaded in one query. A return's
# measures and counts come with it (see CouncilReturn.figure_rows).
WITH_DETAIL = (selectinload(CouncilReturn.issue_rows),)  # type: ignore[arg-type]


def list_returns(
    *, session: Session, council_codes: Sequence[str] | None, limit: int = 500
) -> Sequence[CouncilReturn]:
    """Returns, newest first; ``council_codes`` None means every council."""
    statement = select(CouncilReturn)
    if council_codes is not None:
        statement = statement.where(col(CouncilReturn.council_code).in_(list(council_codes)))
    statement = statement.order_by(
        col(CouncilReturn.uploaded_at).desc(), col(CouncilReturn.id).desc()
    ).limit(limit)
    return session.exec(statement).all()


def council_returns(*, session: Session, council_code: str) -> Sequence[CouncilReturn]:
    """Every return the council has sent, newest period first, newest version first."""
    return session.exec(
        select(CouncilReturn)
        .where(CouncilReturn.council_code == council_code)
        .order_by(col(CouncilReturn.period_end).desc(), col(CouncilReturn.version).desc())
    ).all()


def get_return(*, session: Session, return_id: int) -> CouncilReturn:
    """Return the stored return ``return_id``, or raise NotFoundError."""
    row = (
        session.get(CouncilReturn, return_id, options=WITH_DETAIL)
        if abs(return_id) <= MAX_ROW_ID
        else None
    )
    if row is None:
        raise NotFoundError(f"No return with id {return_id} that you can see.")
    return row


@dataclass
class SeriesPoint:
    measure: str
    period_end: date
    year: int
    value: float | None
    source: str  # "published" (DfE) or "return" (the council's own, unpublished)
    detail: str  # the release, or the return's kind, id and version


def own_series(*, session: Session, council_code: str) -> list[SeriesPoint]:
    """The council's published figures with its accepted returns' measures beside them."""
    points = []
    published = statistics_service.council_series(
        session=session, code=council_code, measures=list(COMPARABLE)
    )
    for figure in statistics_service.best_figures(published, council_code).values():
        points.append(
            SeriesPoint(
                figure.measure,
                date(figure.year, 9, 30),
                figure.year,
                figure.value,
                "published",
                figure.release,
            )
        )
    accepted = session.execute(
        sa.select(
            col(CouncilReturn.id),
            col(CouncilReturn.kind),
            col(CouncilReturn.version),
            col(CouncilReturn.period_end),
            col(ReturnMeasure.measure),
            col(ReturnMeasure.value),
        )
        .join(ReturnMeasure, col(ReturnMeasure.return_id) == col(CouncilReturn.id))
        .where(
            col(CouncilReturn.council_code) == council_code,
            col(CouncilReturn.status) == ReturnStatus.accepted,
            col(ReturnMeasure.kind) == MEASURE,
        )
    ).all()
    for return_id, kind, version, period_end, measure, value in accepted:
        assert period_end is not None
        points.append(
            SeriesPoint(
                measure,
                period_end,
                period_end.year,
                value,
                "return",
                f"{kind} return {return_id} v{version}",
            )
        )
    return sorted(points, key=lambda p: (p.measure, p.period_end, p.source))


def published_comparisons(
    *, session: Session, council_code: str, period_end: date | None
) -> dict[str, SeriesPoint]:
    """The council's latest published figure of each comparable measure, as at 30 September
    of a year on or before ``period_end`` (the latest of all without one), by measure."""
    latest: dict[str, SeriesPoint] = {}
    for point in own_series(session=session, council_code=council_code):
        if point.source != "published" or point.value is None:
            continue
        if period_end is not None and point.period_end > period_end:
            continue
        current = latest.get(point.measure)
        if current is None or point.period_end > current.period_end:
            latest[point.measure] = point
    return latest
