"""What a group's members read: rates by role and quarter against the caps, findings, the
share of agency spend above cap, a cross-region comparison and the public rate index.

Every aggregate is a whole cell: one group (or region) x one role category x one quarter.
No aggregate takes a council, an agency or a date range, so two questions can never differ
by one council's assignments. Another group's figures, and every cell of the public index,
are shown only when the cell holds at least :data:`MIN_ASSIGNMENTS` assignments from at
least :data:`MIN_COUNCILS` councils, and only when it does not differ from another figure
the reader can see (their own group's, or any published cell of the same role and quarter)
by fewer assignments or councils than that: otherwise subtracting one from the other would
single out a council.

The rate of an assignment is its comparable hourly rate (pay plus the employer on-costs of
its pay route in force on its start date), or, where the return gives no pay route, its
hourly pay; each cell says which (``basis``), and a cell mixes none: if any of its
assignments has no comparable rate, the whole cell is on hourly pay.

A quarter's assignments are those listed in councils' accepted quarterly returns for that
quarter; a group's are those of councils that were members at the quarter's end (the
assessment, ``flows``, judges each assignment by membership on its start date instead).

Somewhat over 400 lines: the rates, the spend above cap and the findings all read through
the one rated-assignment core here; the figures beyond a reader's group are in
:mod:`workforce.mou.comparisons`.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from workforce.auth.models import User
from workforce.auth.permissions import Action, Principal, councils_in_reach
from workforce.errors import InputDataError, NotFoundError, Problem
from workforce.mou import caps as cap_service
from workforce.mou import drafts, flows, rules, service
from workforce.mou.models import (
    ROLE_GROUP_CATEGORY,
    FindingCountPublic,
    FindingStatus,
    MouFinding,
    MouFindingPublic,
    MouGroup,
    MouGroupCouncil,
    OnCostRate,
    PayRoute,
    RateCap,
    RateCellPublic,
    RoleCategory,
    SpendAboveCapPublic,
)
from workforce.returns.models import AgencyAssignment, CouncilReturn, ReturnKind, ReturnStatus

MIN_ASSIGNMENTS = 5
MIN_COUNCILS = 3
SUPPRESSED_SMALL = f"fewer than {MIN_ASSIGNMENTS} assignments or {MIN_COUNCILS} councils"
SUPPRESSED_DIFFERENCE = (
    f"would differ from another figure shown by fewer than {MIN_ASSIGNMENTS} assignments "
    f"or {MIN_COUNCILS} councils"
)
COMPARABLE, PAY = "comparable", "pay"
BASIS_LABELS = {
    COMPARABLE: "comparable rate (hourly pay plus employer on-costs)",
    PAY: "hourly pay only (no pay route in some returns: on-costs not derivable)",
}
SPEND_RULE = (
    "Each assignment in the quarter is weighted by its hourly charge rate x the calendar days "
    "of the quarter it covered; the share is the weight of assignments whose rate is above "
    "the cap in force on their start date (transitional assignments, started before the "
    "group's rules applied, are never above cap) over the weight of all assignments. Where "
    "only hourly pay is known it is compared with the cap, so the share is a lower bound."
)
K = TypeVar("K", bound=Hashable)
QUARTER_PATTERN = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, written ``2025-Q4``."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter:
        found = QUARTER_PATTERN.match(text.strip())
        if not found:
            raise InputDataError(
                [Problem("quarter.format", "a quarter is written like 2025-Q4", value=text)]
            )
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        following = Quarter(self.year + self.number // 4, self.number % 4 + 1).start
        return following - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.number}"

    def days_covered(self, start: date, end: date | None) -> int:
        """Return how many days of the quarter fall between ``start`` and ``end``."""
        first = max(start, self.start)
        last = min(end or self.end, self.end)
        return max((last - first).days + 1, 0)


@dataclass(frozen=True)
class RatedAssignment:
    """An assignment of an accepted quarterly return with the rate it is judged on."""

    id: int
    council_code: str
    agency_name: str
    role_category: RoleCategory
    quarter: Quarter
    start_date: date
    end_date: date | None
    hourly_charge_rate: float
    hourly_pay_rate: float
    comparable_rate: float | None
    derivation: str

    @property
    def spend_weight(self) -> float:
        return self.hourly_charge_rate * self.quarter.days_covered(self.start_date, self.end_date)


def comparable_rate(
    pay: float, route: str | None, start: date, on_costs: Sequence[OnCostRate]
) -> tuple[float | None, str]:
    """Return the comparable hourly rate of an assignment paid ``pay`` an hour through
    ``route`` from ``start`` (None if not derivable) and how it was found: pay x (1 + the
    on-costs of the route in force on the start date), from ``on_costs``, the history of
    on-cost rates (``service.on_cost_rates``)."""
    if not route:
        return None, "hourly pay only: the return gives no pay route"
    in_force = [r for r in on_costs if r.pay_route == route and r.effective_from <= start]
    if not in_force:
        return None, f"hourly pay only: no on-cost rates for {route} on {start}"
    point = flows.on_cost_point(max(in_force, key=lambda r: r.effective_from))
    # The assessment's own arithmetic and words, so a rate here and in a finding agree.
    return rules.to_pence(pay * point.factor), drafts.derivation_text(pay, PayRoute(route), point)


def rated_assignments(
    *, session: Session, council_codes: Iterable[str] | None = None
) -> list[RatedAssignment]:
    """Return the capped-role assignments of accepted quarterly returns (of ``council_codes``,
    or every council), each in the quarter of its return."""
    a = AgencyAssignment
    # Columns, not ORM rows: a national year is tens of thousands of assignments.
    query = (
        sa_select(
            col(a.id),
            col(a.council_code),
            col(a.agency_name),
            col(a.role_group),
            col(a.start_date),
            col(a.end_date),
            col(a.hourly_charge_rate),
            col(a.hourly_pay_rate),
            col(a.pay_route),
            col(CouncilReturn.period_end),
        )
        .join(CouncilReturn, col(CouncilReturn.id) == col(a.return_id))
        .where(col(CouncilReturn.status) == ReturnStatus.accepted)
        .where(col(CouncilReturn.kind) == ReturnKind.quarterly)
        .order_by(col(a.id))
    )
    if council_codes is not None:
        query = query.where(col(a.council_code).in_(list(council_codes)))
    on_costs = cap_service.on_cost_rates(session=session)
    rates: dict[tuple[float, str | None, date], tuple[float | None, str]] = {}
    rated = []
    for (
        id_,
        code,
        agency,
        role_group,
        start,
        end,
        charge,
        pay,
        route,
        period_end,
    ) in session.execute(query).all():
        category = ROLE_GROUP_CATEGORY.get(role_group)
        if category is None or period_end is None:
            continue
        key = (pay, route, start)
        if key not in rates:
            rates[key] = comparable_rate(pay, route, start, on_costs)
        rate, derivation = rates[key]
        rated.append(
            RatedAssignment(
                id=id_,
                council_code=code,
                agency_name=agency,
                role_category=category,
                quarter=Quarter.of(period_end),
                start_date=start,
                end_date=end,
                hourly_charge_rate=charge,
                hourly_pay_rate=pay,
                comparable_rate=rate,
                derivation=derivation,
            )
        )
    return rated


def group_assignments(
    *, session: Session, group: MouGroup, everything: Sequence[RatedAssignment] | None = None
) -> list[RatedAssignment]:
    """Return the group's assignments: those of councils that were members at the end of the
    quarter their return covers (from ``everything`` when the caller has read them all)."""
    memberships = service.memberships(session=session, group_name=group.name)
    by_council: dict[str, list[MouGroupCouncil]] = defaultdict(list)
    for m in memberships:
        by_council[m.council_code].append(m)
    found = (
        rated_assignments(session=session, council_codes=list(by_council))
        if everything is None
        else [a for a in everything if a.council_code in by_council]
    )
    return [
        a
        for a in found
        if any(service.is_member_on(m, a.quarter.end) for m in by_council[a.council_code])
    ]


# --- cells and their statistics -----------------------------------------------------------


@dataclass(frozen=True)
class CellStats:
    values: tuple[float, ...]
    basis: str
    councils: int

    @property
    def median(self) -> float | None:
        return round(statistics.median(self.values), 2) if self.values else None

    def quartiles(self) -> tuple[float | None, float | None]:
        if not self.values:
            return None, None
        if len(self.values) == 1:
            return self.values[0], self.values[0]
        q1, _, q3 = statistics.quantiles(self.values, n=4, method="inclusive")
        return round(q1, 2), round(q3, 2)


def cell_stats(assignments: Sequence[RatedAssignment]) -> CellStats:
    """Return a cell's rates on one basis: comparable if every assignment has one, else pay."""
    if assignments and all(a.comparable_rate is not None for a in assignments):
        values = tuple(sorted(a.comparable_rate for a in assignments if a.comparable_rate))
        basis = COMPARABLE
    else:
        values = tuple(sorted(a.hourly_pay_rate for a in assignments))
        basis = PAY
    return CellStats(values, basis, len({a.council_code for a in assignments}))


CellKey = tuple[RoleCategory, Quarter]


def by_cell(assignments: Iterable[RatedAssignment]) -> dict[CellKey, list[RatedAssignment]]:
    cells: dict[CellKey, list[RatedAssignment]] = defaultdict(list)
    for a in assignments:
        cells[(a.role_category, a.quarter)].append(a)
    return dict(
        sorted(cells.items(), key=lambda item: (item[0][1], list(RoleCategory).index(item[0][0])))
    )


def _cap_on(caps: Sequence[RateCap], role: RoleCategory, day: date) -> RateCap | None:
    """The cap in force for ``role`` on ``day`` among ``caps`` (a group's history)."""
    in_force = [c for c in caps if c.role_category == role and c.effective_from <= day]
    return max(in_force, key=lambda c: c.effective_from) if in_force else None


def _above_cap(a: RatedAssignment, group: MouGroup, caps: Sequence[RateCap]) -> bool:
    if group.rules_from is not None and a.start_date < group.rules_from:
        return False  # transitional: never a breach
    cap = _cap_on(caps, a.role_category, a.start_date)
    rate = a.comparable_rate if a.comparable_rate is not None else a.hourly_pay_rate
    return cap is not None and rate > cap.hourly_cap


def _share(
    assignments: Sequence[RatedAssignment], group: MouGroup, caps: Sequence[RateCap]
) -> tuple[float, float, float | None]:
    total = sum(a.spend_weight for a in assignments)
    above = sum(a.spend_weight for a in assignments if _above_cap(a, group, caps))
    return total, above, (round(above / total, 4) if total else None)


def group_rates(*, session: Session, group: MouGroup) -> list[RateCellPublic]:
    """Return the group's rates by role category and quarter with the cap in force at the
    quarter's end and the share of the cell's spend above cap (see :data:`SPEND_RULE`)."""
    caps = cap_service.caps(session=session, group_name=group.name)
    cells = []
    for (role, quarter), members in by_cell(
        group_assignments(session=session, group=group)
    ).items():
        stats = cell_stats(members)
        lower, upper = stats.quartiles()
        cap = _cap_on(caps, role, quarter.end)
        _, _, share = _share(members, group, caps)
        cells.append(
            RateCellPublic(
                group_name=group.name,
                role_category=role,
                quarter=quarter.label,
                assignments=len(members),
                councils=stats.councils,
                median=stats.median,
                lower_quartile=lower,
                upper_quartile=upper,
                maximum=max(stats.values),
                basis=stats.basis,
                cap=cap.hourly_cap if cap else None,
                cap_is_example=bool(cap and cap.is_example),
                above_cap_spend_share=share,
            )
        )
    return cells


def spend_above_cap(*, session: Session, group: MouGroup) -> list[SpendAboveCapPublic]:
    """Return, per quarter, the share of the group's agency spend above cap (the rule is
    :data:`SPEND_RULE`: charge rate x days in the quarter, cap on the start date)."""
    caps = cap_service.caps(session=session, group_name=group.name)
    quarters: dict[Quarter, list[RatedAssignment]] = defaultdict(list)
    for a in group_assignments(session=session, group=group):
        quarters[a.quarter].append(a)
    answer = []
    for quarter in sorted(quarters):
        total, above, share = _share(quarters[quarter], group, caps)
        answer.append(
            SpendAboveCapPublic(
                group_name=group.name,
                quarter=quarter.label,
                spend_weight=round(total, 2),
                above_cap_weight=round(above, 2),
                share=share,
                rule=SPEND_RULE,
            )
        )
    return answer


# --- findings -----------------------------------------------------------------------------


def list_findings(
    *,
    session: Session,
    group: MouGroup,
    council: str | None = None,
    rule: str | None = None,
    status: FindingStatus | None = None,
) -> list[MouFindingPublic]:
    """Return the group's findings, newest first, optionally of one council, rule or status."""
    found = service.findings(
        session=session, group_name=group.name, council_code=council, rule=rule, status=status
    )
    found.sort(key=lambda f: f.id or 0)
    found.sort(key=lambda f: f.start_date, reverse=True)
    return [finding_public(f) for f in found]


def finding_public(finding: MouFinding) -> MouFindingPublic:
    """Return ``finding`` as the API shows it (enums as read back from the database)."""
    fields = {name: getattr(finding, name) for name in MouFindingPublic.model_fields}
    fields["status"] = FindingStatus(finding.status)
    if finding.role_category is not None:
        fields["role_category"] = RoleCategory(finding.role_category)
    return MouFindingPublic.model_validate(fields)


def _counts(
    findings: Iterable[MouFinding], name_of: Callable[[MouFinding], str]
) -> list[FindingCountPublic]:
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    for f in findings:
        tally[name_of(f)][str(f.status)] += 1
    rows = [
        FindingCountPublic(
            name=name,
            breaches=c[FindingStatus.breach],
            transitional=c[FindingStatus.transitional],
            not_assessable=c[FindingStatus.not_assessable],
            total=sum(c.values()),
        )
        for name, c in tally.items()
    ]
    return sorted(rows, key=lambda r: (-r.breaches, -r.total, r.name))


def findings_by_council(*, session: Session, group: MouGroup) -> list[FindingCountPublic]:
    """Return each member council's findings by status, most breaches first."""
    found = session.exec(select(MouFinding).where(MouFinding.group_name == group.name))
    return _counts(found, lambda f: f.council_code)


def findings_by_agency(*, session: Session, group: MouGroup) -> list[FindingCountPublic]:
    """Return each agency's findings in the group by status, most breaches first."""
    found = session.exec(select(MouFinding).where(MouFinding.group_name == group.name))
    return _counts(found, lambda f: f.agency_name)


# --- who may see which group --------------------------------------------------------------


def visible_groups(*, session: Session, principal: Principal) -> list[MouGroup]:
    """Return the groups ``principal`` may read: every group for a role that reaches every
    council, else only the member's own group."""
    groups = list(service.list_groups(session=session))
    if councils_in_reach(principal, Action.read_mou_rates) is None:
        return groups
    user = session.get(User, principal.user_id)
    own = user.group_name if user else None
    return [g for g in groups if g.name == own]


def group_for(*, session: Session, principal: Principal, name: str) -> MouGroup:
    """Return the group called ``name`` if ``principal`` may read it; a group they may not
    read is answered exactly as one that does not exist."""
    for group in visible_groups(session=session, principal=principal):
        if group.name.casefold() == name.casefold():
            return group
    raise NotFoundError(f"No MoU group called {name!r} that you can see.")
