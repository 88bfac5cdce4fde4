"""What a council sees of the kite-mark: the status of the agency behind each assignment its
returns list, and its agency spend by kite-mark status.

The agency behind an assignment is the registered agency its free-text name is matched to
(:func:`workforce.agencies.matching.agency_for_name`: the stored match, else the single
automatic candidate). Its status is the latest kite-mark status change in effect
(:func:`workforce.agencies.kitemark_status.current_status`). A name that stands for no agency is one
of three kinds, each said in words:

- ``not_awarded``: a registered agency that has never held the kite-mark;
- ``not_registered``: a kite-mark admin ruled the name is no registered agency;
- ``not_matched``: the name matches no registered agency (or more than one), and no admin
  has decided it yet.

Agency spend is worked out as the DfE agency return drafts its cost
(:mod:`workforce.mou.dfe_return`): returns give hourly charge rates but not hours, so each
assignment costs its charge rate x :data:`~workforce.mou.dfe_return.HOURS_PER_WEEK` hours a
week x the weeks of the quarter it was active (days covered / 7). A quarter's assignments
are those of the council's accepted quarterly returns whose period ends in the quarter (an
assignment listed twice in them counts once); each is put under its agency's status at the
quarter's end (now, for a quarter not yet over).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from workforce.agencies import matching
from workforce.agencies import status as kitemark_status
from workforce.agencies.models import KitemarkStatus
from workforce.agencies.names import normalise
from workforce.agencies.register import STATUS_LABELS
from workforce.councils.service import find_council
from workforce.mou.dfe_return import HOURS_PER_WEEK
from workforce.mou.views import Quarter
from workforce.returns.models import AgencyAssignment, CouncilReturn, ReturnKind, ReturnStatus
from workforce.timeutils import utcnow

NOT_AWARDED = "not_awarded"
NOT_REGISTERED = "not_registered"
NOT_MATCHED = "not_matched"
LABELS: dict[str, str] = {
    **{str(k): v for k, v in STATUS_LABELS.items()},
    NOT_AWARDED: "Not awarded",
    NOT_REGISTERED: "Not registered",
    NOT_MATCHED: "Not matched",
}
# The order statuses are shown in: holding the mark first, then not holding it.
ORDER: tuple[str, ...] = (
    KitemarkStatus.awarded,
    KitemarkStatus.reinstated,
    KitemarkStatus.requires_improvement,
    KitemarkStatus.under_review,
    KitemarkStatus.suspended,
    KitemarkStatus.expired,
    KitemarkStatus.revoked,
    NOT_AWARDED,
    NOT_REGISTERED,
    NOT_MATCHED,
)
ASSUMPTION = (
    f"charge rate x {HOURS_PER_WEEK:g} hours a week (full time on the NJC standard week: "
    "returns give no hours) x the weeks of the quarter the assignment was active (days / 7)"
)
STATUS_BASIS = (
    "each agency's kite-mark status at the end of the quarter (now, for a quarter not yet "
    "over), through the registered agency its name in the return is matched to"
)


@dataclass(frozen=True)
class AgencyStatus:
    """The kite-mark standing of the agency a name stands for, on a day."""

    status: str  # a KitemarkStatus value, or NOT_AWARDED / NOT_REGISTERED / NOT_MATCHED
    agency_id: int | None = None
    agency_name: str | None = None
    since: datetime | None = None
    valid_until: date | None = None

    @property
    def label(self) -> str:
        return LABELS.get(self.status, self.status)


def statuses_of_names(
    *, session: Session, names: Iterable[str], on: datetime | None = None
) -> dict[str, AgencyStatus]:
    """The kite-mark standing behind each name (by its normalised form) at ``on`` (now):
    one match look-up per distinct name and one status look-up per distinct agency."""
    found: dict[str, AgencyStatus] = {}
    by_agency: dict[int, AgencyStatus] = {}
    for name in names:
        key = normalise(name)
        if key in found:
            continue
        match = matching.get_match(session=session, name=name)
        if match is not None and match.agency_id is None:
            found[key] = AgencyStatus(NOT_REGISTERED)
            continue
        agency = matching.agency_for_name(session=session, name=name)
        if agency is None or agency.id is None:
            found[key] = AgencyStatus(NOT_MATCHED)
            continue
        if agency.id not in by_agency:
            held = kitemark_status.current_status(session=session, agency_id=agency.id, on=on)
            by_agency[agency.id] = (
                AgencyStatus(NOT_AWARDED, agency.id, agency.legal_name)
                if held is None
                else AgencyStatus(
                    str(KitemarkStatus(held.status)),
                    agency.id,
                    agency.legal_name,
                    held.effective_at,
                    held.valid_until,
                )
            )
        found[key] = by_agency[agency.id]
    return found


# --- a return's assignments ------------------------------------------------------------------


class AssignmentKitemark(BaseModel):
    """An assignment a return lists, with its agency's kite-mark status today."""

    assignment_id: int
    row: int
    agency_name: str = Field(description="as the return gives it")
    role_group: str
    start_date: date
    end_date: date | None
    hourly_charge_rate: float
    agency_id: int | None = Field(description="the registered agency it is matched to")
    agency_legal_name: str | None
    kitemark_status: str = Field(
        description="a kite-mark status, or not_awarded (registered, never held it), "
        "not_registered (ruled no registered agency) or not_matched"
    )
    kitemark_label: str
    status_since: datetime | None
    valid_until: date | None = Field(description="the award's expiry")


def return_assignments(
    *, session: Session, return_id: int, on: datetime | None = None
) -> list[AssignmentKitemark]:
    """The return's assignments in row order, each with its agency's status at ``on`` (now)."""
    rows = session.exec(
        select(AgencyAssignment)
        .where(AgencyAssignment.return_id == return_id)
        .order_by(col(AgencyAssignment.row), col(AgencyAssignment.id))
    ).all()
    statuses = statuses_of_names(session=session, names=[a.agency_name for a in rows], on=on)
    shown = []
    for a in rows:
        assert a.id is not None
        s = statuses.get(normalise(a.agency_name), AgencyStatus(NOT_MATCHED))
        shown.append(
            AssignmentKitemark(
                assignment_id=a.id,
                row=a.row,
                agency_name=a.agency_name,
                role_group=a.role_group,
                start_date=a.start_date,
                end_date=a.end_date,
                hourly_charge_rate=a.hourly_charge_rate,
                agency_id=s.agency_id,
                agency_legal_name=s.agency_name,
                kitemark_status=s.status,
                kitemark_label=s.label,
                status_since=s.since,
                valid_until=s.valid_until,
            )
        )
    return shown


# --- a council's agency spend by status ------------------------------------------------------


class StatusSpend(BaseModel):
    status: str
    label: str
    spend: float = Field(description="pounds, on the stated assumption")
    assignments: int


class QuarterSpend(BaseModel):
    quarter: str = Field(description="e.g. 2026-Q1")
    start: date
    end: date
    return_ids: list[int]
    status_on: datetime = Field(description="the moment the statuses are taken at")
    total: float
    by_status: list[StatusSpend]


class AgencySpendPublic(BaseModel):
    council_code: str
    council_name: str
    assumption: str = ASSUMPTION
    status_basis: str = STATUS_BASIS
    statuses: list[str] = Field(description="the statuses any quarter has spend under, in order")
    labels: dict[str, str]
    quarters: list[QuarterSpend] = Field(description="newest first")


def _key(a: AgencyAssignment) -> tuple[str, str, date]:
    worker = (a.swe_number or "").strip().upper() or f"return {a.return_id} row {a.row}"
    return (worker, normalise(a.agency_name), a.start_date)


def quarter_cost(a: AgencyAssignment, quarter: Quarter) -> float:
    """The assignment's cost in the quarter on the stated assumption."""
    weeks = quarter.days_covered(a.start_date, a.end_date) / 7
    return a.hourly_charge_rate * HOURS_PER_WEEK * weeks


def agency_spend(
    *, session: Session, council_code: str, now: datetime | None = None
) -> AgencySpendPublic:
    """The council's agency spend per quarter (newest first) by kite-mark status."""
    council = find_council(session=session, code=council_code)
    moment = now or utcnow()
    returns = session.exec(
        select(CouncilReturn)
        .where(
            CouncilReturn.council_code == council.code,
            CouncilReturn.kind == ReturnKind.quarterly,
            CouncilReturn.status == ReturnStatus.accepted,
            col(CouncilReturn.period_end).is_not(None),
        )
        .order_by(col(CouncilReturn.period_end), col(CouncilReturn.version), col(CouncilReturn.id))
    ).all()
    by_quarter: dict[Quarter, list[CouncilReturn]] = defaultdict(list)
    for r in returns:
        assert r.period_end is not None
        by_quarter[Quarter.of(r.period_end)].append(r)
    ids = [r.id for r in returns if r.id is not None]
    assignments: dict[int, list[AgencyAssignment]] = defaultdict(list)
    if ids:
        for a in session.exec(
            select(AgencyAssignment)
            .where(col(AgencyAssignment.return_id).in_(ids))
            .order_by(col(AgencyAssignment.return_id), col(AgencyAssignment.row))
        ):
            assignments[a.return_id].append(a)
    quarters: list[QuarterSpend] = []
    seen_statuses: set[str] = set()
    for quarter in sorted(by_quarter, key=lambda q: q.start, reverse=True):
        latest: dict[tuple[str, str, date], AgencyAssignment] = {}
        for r in by_quarter[quarter]:  # by period end then version: the later one describes
            assert r.id is not None
            for a in assignments[r.id]:
                latest[_key(a)] = a
        on = min(datetime.combine(quarter.end, time.max, tzinfo=UTC), moment)
        statuses = statuses_of_names(
            session=session, names=[a.agency_name for a in latest.values()], on=on
        )
        spend: dict[str, float] = defaultdict(float)
        counts: dict[str, int] = defaultdict(int)
        for a in latest.values():
            cost = quarter_cost(a, quarter)
            if cost <= 0:
                continue
            status = statuses.get(normalise(a.agency_name), AgencyStatus(NOT_MATCHED)).status
            spend[status] += cost
            counts[status] += 1
        seen_statuses.update(spend)
        quarters.append(
            QuarterSpend(
                quarter=quarter.label,
                start=quarter.start,
                end=quarter.end,
                return_ids=[r.id for r in by_quarter[quarter] if r.id is not None],
                status_on=on,
                total=round(sum(spend.values()), 2),
                by_status=[
                    StatusSpend(
                        status=s, label=LABELS[s], spend=round(spend[s], 2), assignments=counts[s]
                    )
                    for s in ORDER
                    if s in spend
                ],
            )
        )
    return AgencySpendPublic(
        council_code=council.code,
        council_name=council.name,
        statuses=[s for s in ORDER if s in seen_statuses],
        labels=dict(LABELS),
        quarters=quarters,
    )
