"""The public kite-mark register: each agency's entry (now or at the end of a day) and the
register as CSV rows. What signed-in readers see of an agency's assessments and measures is
in :mod:`workforce.agencies.views`.

The register lists every registered agency with its kite-mark status as the append-only
history (``kitemark_status_change``) gives it, now or at the end of any given day: the
status and since when, the latest award (or reinstatement) and its expiry, the criteria
version and outcome of the latest decided assessment, that assessment's headline figures
(each criterion's result, count, base and share) and the history of status changes with
their reasons.

It holds no worker's personal data, ever: no name, no Social Work England number and no
per-assignment detail. The figures are counts and shares; the texts it shows (reasons,
figures of status changes, criterion details) pass through :func:`public_text`, which
drops the assignment and complaint ids the stored texts carry for the assessor and
withholds anything that looks like a registration number (a reason is free text).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import computed_field
from sqlmodel import Field, Session, SQLModel, col, select

from workforce.agencies import criteria as crit
from workforce.agencies import flows, service
from workforce.agencies import status as kitemark_status
from workforce.agencies.models import (
    Agency,
    Assessment,
    CriteriaVersion,
    CriterionResultValue,
    Evidence,
    KitemarkStatus,
    NameKind,
    Outcome,
)
from workforce.timeutils import as_utc, utcnow

# Statuses that (re)start an award: its date is the award date shown.
AWARDING = frozenset(
    {KitemarkStatus.awarded, KitemarkStatus.requires_improvement, KitemarkStatus.reinstated}
)
STATUS_LABELS: dict[str, str] = {
    KitemarkStatus.awarded: "Awarded",
    KitemarkStatus.requires_improvement: "Awarded: requires improvement",
    KitemarkStatus.under_review: "Under review",
    KitemarkStatus.suspended: "Suspended",
    KitemarkStatus.revoked: "Revoked",
    KitemarkStatus.expired: "Expired",
    KitemarkStatus.reinstated: "Reinstated",
}
NO_STATUS = "Not awarded"
OUTCOME_LABELS: dict[str, str] = {
    Outcome.passed: "Pass",
    Outcome.requires_improvement: "Pass - requires improvement",
    Outcome.failed: "Fail",
}
RESULT_LABELS: dict[str, str] = {
    CriterionResultValue.met: "Met",
    CriterionResultValue.not_met: "Not met",
    CriterionResultValue.too_few: "Too few to judge",
    CriterionResultValue.not_assessed: "Not assessed",
}
WITHHELD = "[registration number withheld]"

# What the stored texts carry for the assessor and the agency but the public never sees.
_PRIVATE = (
    re.compile(r"\s*Assignments counted: [^.]*\."),  # measures.ids_words
    re.compile(r"\s*\(assignments [^)]*\)"),  # project-team rows in the rates detail
    re.compile(r"\s*\(\d+ then \d+(?:; \d+ then \d+)*\)"),  # moves in the stability detail
    re.compile(r"\s*Complaints: [^.]*\."),  # complaint ids
)
_SWE_LIKE = re.compile(r"\bSW\s*\d+\b", re.IGNORECASE)


def public_text(text: str) -> str:
    """``text`` without assignment or complaint ids and with anything that looks like a
    Social Work England number withheld."""
    for pattern in _PRIVATE:
        text = pattern.sub("", text)
    return _SWE_LIKE.sub(WITHHELD, text)


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` (UTC): a status 'on' a day is the one in effect at its end."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC) - timedelta(
        microseconds=1
    )


# --- what the public sees -------------------------------------------------------------------


class HeadlineFigure(SQLModel):
    """One criterion's result in the latest decided assessment: counts and a share only."""

    number: int
    key: str
    title: str
    evidence: Evidence
    result: CriterionResultValue
    numerator: int | None = Field(description="the cases counted (see the criterion)")
    denominator: int | None = Field(description="the cases it is a share of")
    share: float | None
    detail: str = Field(description="the figures in words, without per-assignment detail")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def result_label(self) -> str:
        return RESULT_LABELS.get(self.result, str(self.result))


class StatusChangeEntry(SQLModel):
    """A change of status as the register shows it: no worker's data."""

    status: KitemarkStatus
    label: str
    effective_at: datetime
    valid_until: date | None
    reason: str
    figures: str
    assessment_id: int | None


class KitemarkEntry(SQLModel):
    """An agency on the public register, as it stood at ``as_at``."""

    agency_id: int
    legal_name: str
    trading_names: list[str]
    company_number: str | None
    is_example: bool = Field(description="made up for the demonstration")
    as_at: datetime
    status: KitemarkStatus | None = Field(description="blank: never awarded")
    status_label: str
    status_since: datetime | None
    awarded_on: date | None = Field(description="the latest award or reinstatement")
    first_awarded_on: date | None
    valid_until: date | None = Field(description="the award's expiry")
    past_expiry: bool = Field(description="held, but its expiry date has passed")
    assessment_id: int | None = Field(description="the latest decided assessment")
    outcome: Outcome | None
    outcome_label: str
    decided_on: date | None
    criteria_version: int | None
    reasons: str = Field(description="the latest decision's reasons, with its figures")
    actions: str = Field(description="for requires improvement: the actions")
    action_deadline: date | None
    figures: list[HeadlineFigure] = Field(default_factory=list)
    history: list[StatusChangeEntry] = Field(default_factory=list)


class KitemarkRow(SQLModel):
    """One agency as a row of the register's CSV."""

    agency_id: int
    legal_name: str
    trading_names: str
    company_number: str
    is_example: bool
    as_at: str
    status: str
    status_since: str
    awarded_on: str
    first_awarded_on: str
    valid_until: str
    criteria_version: str
    outcome: str
    decided_on: str
    status_changes: int
    latest_change_reason: str


def _criterion_columns() -> list[str]:
    cols = []
    for spec in crit.VERSIONS[crit.CURRENT_VERSION][2]:
        cols += [f"{spec.key}_result", f"{spec.key}_count", f"{spec.key}_of", f"{spec.key}_share"]
    return cols


CSV_COLUMNS = [*KitemarkRow.model_fields, *_criterion_columns()]


def _latest_decided(*, session: Session, agency_id: int, moment: datetime) -> Assessment | None:
    return session.exec(
        select(Assessment)
        .where(
            Assessment.agency_id == agency_id,
            col(Assessment.decided_at).is_not(None),
            col(Assessment.decided_at) <= moment,
        )
        .order_by(col(Assessment.decided_at).desc(), col(Assessment.id).desc())
    ).first()


def headline_figures(*, session: Session, assessment: Assessment) -> list[HeadlineFigure]:
    """The assessment's results by criterion, for the public: counts, shares, and the
    figures in words without per-assignment detail."""
    assert assessment.id is not None
    by_key = {
        c.key: c
        for c in crit.criteria_of(session=session, version_id=assessment.criteria_version_id)
    }
    figures = []
    for r in flows.results_of(session=session, assessment_id=assessment.id):
        c = by_key.get(r.criterion_key)
        figures.append(
            HeadlineFigure(
                number=c.number if c else 0,
                key=r.criterion_key,
                title=c.title if c else r.criterion_key,
                evidence=Evidence(c.evidence) if c else Evidence.measured,
                result=CriterionResultValue(r.result),
                numerator=r.numerator,
                denominator=r.denominator,
                share=r.share,
                detail=public_text(r.detail),
            )
        )
    return sorted(figures, key=lambda f: f.number)


def entry(*, session: Session, agency: Agency, on: date | None = None) -> KitemarkEntry:
    """The agency's register entry at the end of ``on`` (now if not given)."""
    assert agency.id is not None
    moment = end_of_day(on) if on is not None else utcnow()
    changes = [
        h
        for h in kitemark_status.history(session=session, agency_id=agency.id)
        if as_utc(h.effective_at) <= moment  # type: ignore[operator]
    ]
    held = kitemark_status.current_status(session=session, agency_id=agency.id, on=moment)
    status = KitemarkStatus(held.status) if held is not None else None
    awards = [h for h in changes if KitemarkStatus(h.status) in AWARDING]
    assessment = _latest_decided(session=session, agency_id=agency.id, moment=moment)
    version = session.get(CriteriaVersion, assessment.criteria_version_id) if assessment else None
    valid_until = held.valid_until if held is not None else None
    decided = as_utc(assessment.decided_at) if assessment is not None else None
    names = service.names_of(session=session, agency_id=agency.id)
    return KitemarkEntry(
        agency_id=agency.id,
        legal_name=agency.legal_name,
        trading_names=[n.name for n in names if n.kind == NameKind.trading],
        company_number=agency.company_number,
        is_example=agency.is_example,
        as_at=moment,
        status=status,
        status_label=STATUS_LABELS.get(status, NO_STATUS) if status else NO_STATUS,
        status_since=held.effective_at if held is not None else None,
        awarded_on=awards[-1].effective_at.date() if awards else None,
        first_awarded_on=awards[0].effective_at.date() if awards else None,
        valid_until=valid_until,
        past_expiry=bool(
            status in kitemark_status.HOLDING
            and valid_until is not None
            and valid_until < moment.date()
        ),
        assessment_id=assessment.id if assessment else None,
        outcome=Outcome(assessment.outcome) if assessment and assessment.outcome else None,
        outcome_label=OUTCOME_LABELS.get(assessment.outcome, "")
        if assessment and assessment.outcome
        else "",
        decided_on=decided.date() if decided is not None else None,
        criteria_version=version.version if version else None,
        reasons=public_text(assessment.reasons) if assessment else "",
        actions=public_text(assessment.actions) if assessment else "",
        action_deadline=assessment.action_deadline if assessment else None,
        figures=headline_figures(session=session, assessment=assessment) if assessment else [],
        history=[
            StatusChangeEntry(
                status=KitemarkStatus(h.status),
                label=STATUS_LABELS.get(h.status, str(h.status)),
                effective_at=h.effective_at,
                valid_until=h.valid_until,
                reason=public_text(h.reason),
                figures=public_text(h.figures),
                assessment_id=h.assessment_id,
            )
            for h in changes
        ],
    )


def register_entries(*, session: Session, on: date | None = None) -> list[KitemarkEntry]:
    """Every agency on the register, by legal name, as it stood at the end of ``on``."""
    return [
        entry(session=session, agency=agency, on=on)
        for agency in service.list_agencies(session=session)
    ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_records(entries: list[KitemarkEntry]) -> list[dict[str, Any]]:
    """The register as CSV rows: one per agency, its headline figures as columns."""
    records = []
    for e in entries:
        row = KitemarkRow(
            agency_id=e.agency_id,
            legal_name=e.legal_name,
            trading_names="; ".join(e.trading_names),
            company_number=e.company_number or "",
            is_example=e.is_example,
            as_at=_text(e.as_at),
            status=e.status.value if e.status else "",
            status_since=_text(e.status_since),
            awarded_on=_text(e.awarded_on),
            first_awarded_on=_text(e.first_awarded_on),
            valid_until=_text(e.valid_until),
            criteria_version=_text(e.criteria_version),
            outcome=e.outcome.value if e.outcome else "",
            decided_on=_text(e.decided_on),
            status_changes=len(e.history),
            latest_change_reason=e.history[-1].reason if e.history else "",
        ).model_dump()
        for f in e.figures:
            row[f"{f.key}_result"] = f.result.value
            row[f"{f.key}_count"] = _text(f.numerator)
            row[f"{f.key}_of"] = _text(f.denominator)
            row[f"{f.key}_share"] = _text(f.share)
        records.append(row)
    return records
