"""A group's assessment: every accepted agency assignment of its member councils checked
against the DfE agency rules and the group's MoU, the findings stored.

``assess`` loads the group's assignments, caps, on-cost rates and census leavers in a few
bulk queries, judges each assignment in memory (caps and on-costs matched by bisecting
their sorted effective-from days, never a query per row) and upserts one ``MouFinding``
per (group, assignment, rule): a finding found again keeps its ``first_found_at`` and gets
a new ``last_found_at``; a finding no longer found is deleted.

Which assignments: those in the council's accepted quarterly returns, of a council that
was a member of the group on the assignment's start date. An assignment that started
before the group's ``rules_from`` is transitional: what would be a breach is recorded with
the status ``transitional``, never ``breach``.

The rules (``RULES`` says each in a line; the exact definitions):

- **above cap** (role groups mapped to a capped category by ``ROLE_GROUP_CATEGORY``;
  senior and middle managers are never judged). The cap is the group's cap for the
  category in force on the start date (latest effective-from on or before it). The
  comparable rate is ``hourly_pay_rate x (1 + employer NI + apprenticeship levy + other)``
  with the on-cost rates for the row's pay route in force on the start date, rounded to
  the penny (half a penny up). It is above cap when it is more than the cap (a rate at
  the cap is not); ``excess = comparable rate - cap`` (pence) and
  ``excess_share = excess / cap`` (4 decimals). Above cap with a
  sign-off reference is ``above_cap_signed_off``, without one
  ``above_cap_without_sign_off`` (both status ``breach``: a signed-off rate is still over
  the cap, and reported with who signed it). Without a pay route (a version 1 file) or
  without on-cost rates in force for it, on-costs cannot be derived: if the hourly pay
  alone is above the cap the assignment is above cap whatever its on-costs (judged on pay
  alone, the excess a lower bound, the derivation says so); otherwise rule ``above_cap``
  is ``not_assessable``. With no cap in force for the category on the start date, rule
  ``above_cap`` is ``not_assessable``.
- **project_team_not_named**: a project-team row without a Social Work England number.
- **project_team_costs_not_itemised**: a project-team row whose costs are not itemised
  (``project_costs_itemised`` false); blank (every version 1 row) is ``not_assessable``.
- **under_three_years_qualified**: the start date is before the third anniversary of
  ``date_qualified`` (29 February qualifies its anniversary on 1 March). Without the date
  (version 1) ``not_assessable``. Post-qualified time is counted from qualifying; the
  return does not say where the worker was employed since.
- **cooling_off**: a permanent (non-agency) census record with the same Social Work
  England number and a role end date, in an accepted census return of a council that was
  a member of the group on that end date, and the assignment (in a member council, maybe
  another) starting on or after that day and before it plus the group's
  ``cooling_off_months`` (day clamped to the month's end).
- **short_notice**: an assignment with an end date whose notice was given fewer than 28
  days (4 weeks) before that end date, or that ended early (an early-end reason) with no
  notice given. A version 1 row with an end date is ``not_assessable``. The council's own
  permanent notice period (which may be shorter) is not in the return; 4 weeks is used.
"""

from __future__ import annotations

import calendar
import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from sqlmodel import Session, col, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.mou import service
from workforce.mou.models import (
    PAY_ROUTE_LABELS,
    ROLE_CATEGORY_LABELS,
    ROLE_GROUP_CATEGORY,
    FindingStatus,
    MouFinding,
    MouGroup,
    MouGroupCouncil,
    OnCostRate,
    PayRoute,
    RateCap,
    RoleCategory,
)
from workforce.returns.models import (
    AgencyAssignment,
    CensusWorker,
    CouncilReturn,
    ReturnKind,
    ReturnStatus,
)
from workforce.timeutils import utcnow

ABOVE_CAP = "above_cap"  # only ever not_assessable: the rate could not be judged
ABOVE_CAP_SIGNED_OFF = "above_cap_signed_off"
ABOVE_CAP_WITHOUT_SIGN_OFF = "above_cap_without_sign_off"
PROJECT_NOT_NAMED = "project_team_not_named"
PROJECT_NOT_ITEMISED = "project_team_costs_not_itemised"
UNDER_THREE_YEARS = "under_three_years_qualified"
COOLING_OFF = "cooling_off"
SHORT_NOTICE = "short_notice"

RULES: dict[str, str] = {
    ABOVE_CAP_WITHOUT_SIGN_OFF: "comparable rate above the cap in force on the start date, "
    "with no sign-off recorded",
    ABOVE_CAP_SIGNED_OFF: "comparable rate above the cap in force on the start date, "
    "signed off (reference recorded)",
    ABOVE_CAP: "the rate could not be judged against a cap (no cap in force, or on-costs "
    "not derivable and pay alone within the cap)",
    PROJECT_NOT_NAMED: "project-team worker not named (no Social Work England number)",
    PROJECT_NOT_ITEMISED: "project-team costs not itemised",
    UNDER_THREE_YEARS: "under 3 years post-qualified on the start date",
    COOLING_OFF: "engaged as an agency worker within the group's cooling-off period after "
    "leaving a permanent post in a member council",
    SHORT_NOTICE: "ended with less than 4 weeks' notice, or early with no notice",
}

NOTICE_DAYS = 28
QUALIFIED_YEARS = 3


def to_pence(pounds: float) -> float:
    """``pounds`` rounded to the penny, half a penny up. The 1e-9 absorbs the binary error
    of a product such as 25.00 x 1.155 (28.875 exactly in decimal): the same operations
    in the same order give the same answer in numpy (the benchmark's baseline)."""
    return math.floor(pounds * 100 + 0.5 + 1e-9) / 100


# --- what the rules are judged on, held in memory --------------------------------------------


@dataclass(slots=True)
class AssignmentFacts:
    """What the rules need of one agency assignment (a row of ``agency_assignment``)."""

    id: int
    return_id: int
    row: int
    council_code: str
    agency_name: str
    role_group: str
    swe_number: str | None
    start_date: date
    end_date: date | None
    hourly_pay_rate: float
    project_team: bool
    signoff_ref: str | None
    template_version: int = 1
    pay_route: PayRoute | None = None
    date_qualified: date | None = None
    notice_given_on: date | None = None
    early_end_reason: str | None = None
    project_costs_itemised: bool | None = None

    @classmethod
    def of(cls, a: AgencyAssignment) -> AssignmentFacts:
        assert a.id is not None
        swe = (a.swe_number or "").strip().upper() or None
        return cls(
            id=a.id,
            return_id=a.return_id,
            row=a.row,
            council_code=a.council_code,
            agency_name=a.agency_name,
            role_group=a.role_group,
            swe_number=swe,
            start_date=a.start_date,
            end_date=a.end_date,
            hourly_pay_rate=a.hourly_pay_rate,
            project_team=bool(a.project_team),
            signoff_ref=(a.above_cap_signoff_ref or "").strip() or None,
            template_version=a.template_version or 1,
            pay_route=PayRoute(a.pay_route) if a.pay_route else None,
            date_qualified=a.date_qualified,
            notice_given_on=a.notice_given_on,
            early_end_reason=a.early_end_reason or None,
            project_costs_itemised=a.project_costs_itemised,
        )


@dataclass(frozen=True, slots=True)
class CapPoint:
    """A cap from one day on (a ``RateCap`` in memory)."""

    effective_from: date
    hourly_cap: float
    is_example: bool = False


@dataclass(frozen=True, slots=True)
class OnCostPoint:
    """On-cost rates for a pay route from one day on (an ``OnCostRate`` in memory)."""

    effective_from: date
    employer_ni: float
    apprenticeship_levy: float
    other: float

    @property
    def factor(self) -> float:
        return 1.0 + self.employer_ni + self.apprenticeship_levy + self.other


class Segment(NamedTuple):
    """From one day on (to the next segment's): the cap and the on-costs in force, their
    figures, and the hourly pay at or below which the comparable rate cannot be above the
    cap."""

    cap: CapPoint | None
    on_cost: OnCostPoint | None
    threshold: float  # cap / on-cost factor (the cap on pay alone); -inf without a cap
    hourly_cap: float  # the cap's figure (0 without a cap)
    factor: float  # 1 + the on-costs (1 without on-costs: pay alone)


# role group -> pay route (None: not given) -> a Track.
class Track(NamedTuple):
    """One role group's and pay route's segments, sorted by day, for bisecting."""

    days: list[date]  # the day each segment starts
    thresholds: list[float]  # each segment's threshold, apart: the common case reads these
    segments: list[Segment]
    first_day: date  # the first cap's day (date.max without any): a cap is in force after
    lowest: float  # the lowest threshold from then on: pay at or below it is within the cap


Schedule = dict[str, dict[PayRoute | None, Track]]

_ROUTES: tuple[PayRoute | None, ...] = (*PayRoute, None)


def build_schedule(
    caps: Iterable[tuple[RoleCategory, CapPoint]],
    on_costs: Iterable[tuple[PayRoute, OnCostPoint]],
) -> Schedule:
    """Merge a group's caps and the on-cost rates into, for each capped role group and pay
    route, the days either changes and what is in force from each (sorted for bisecting)."""
    caps_by_role: dict[RoleCategory, list[CapPoint]] = defaultdict(list)
    for category, point in caps:
        caps_by_role[category].append(point)
    costs_by_route: dict[PayRoute, list[OnCostPoint]] = defaultdict(list)
    for pay_route, rate in on_costs:
        costs_by_route[pay_route].append(rate)
    for cap_points in caps_by_role.values():
        cap_points.sort(key=lambda p: p.effective_from)
    for cost_points in costs_by_route.values():
        cost_points.sort(key=lambda p: p.effective_from)

    def in_force(points: Sequence[Any], days: list[date], day: date) -> Any:
        i = bisect_right(days, day) - 1
        return points[i] if i >= 0 else None

    cost_days = {
        route: [p.effective_from for p in points] for route, points in costs_by_route.items()
    }
    by_role: dict[RoleCategory, dict[PayRoute | None, Track]] = {}
    for role in RoleCategory:
        role_caps = caps_by_role.get(role, [])
        cap_days = [c.effective_from for c in role_caps]
        routes: dict[PayRoute | None, Track] = {}
        for route in _ROUTES:
            route_costs = costs_by_route.get(route, []) if route is not None else []
            route_days = cost_days.get(route, []) if route is not None else []
            days = sorted({*cap_days, *route_days})
            segments = []
            for day in days:
                cap: CapPoint | None = in_force(role_caps, cap_days, day)
                cost: OnCostPoint | None = in_force(route_costs, route_days, day)
                factor = cost.factor if cost is not None else 1.0
                if cap is None:
                    # never passed over: not assessable
                    segments.append(Segment(None, cost, float("-inf"), 0.0, factor))
                else:
                    threshold = cap.hourly_cap / factor
                    segments.append(Segment(cap, cost, threshold, cap.hourly_cap, factor))
            thresholds = [segment.threshold for segment in segments]
            # From the first cap on there is always a cap in force (caps are never removed).
            capped = [t for t, segment in zip(thresholds, segments, strict=True) if segment.cap]
            routes[route] = Track(
                days,
                thresholds,
                segments,
                cap_days[0] if cap_days else date.max,
                min(capped, default=float("-inf")),
            )
        by_role[role] = routes
    return {
        group: by_role[category]
        for group, category in ROLE_GROUP_CATEGORY.items()
        if category is not None
    }


class CapJudgement(NamedTuple):
    """The cap check's outcome for one assignment that is not plainly within its cap."""

    assignment: AssignmentFacts
    segment: Segment | None  # None: no cap in force on the start date
    comparable_rate: float | None = None  # pence-rounded pounds an hour
    excess: float | None = None
    on_pay_alone: bool = False  # on-costs not derivable


def judge_caps(assignments: Iterable[AssignmentFacts], schedule: Schedule) -> list[CapJudgement]:
    """The matching core of the cap check: each assignment's cap and on-costs in force on
    its start date by bisecting the schedule; return the assignments above the cap, or
    that could not be judged. Within the cap, nothing is returned.

    Comparable rate = pay x factor to the penny (``to_pence``); above cap when it is more
    than the cap. Pay at or below cap / factor cannot round above the cap (a cap is whole
    pence: ``CapCreate`` refuses fractions), so those rows are passed over with one
    comparison.
    """
    out: list[CapJudgement] = []
    append, get, bisect, floor = out.append, schedule.get, bisect_right, math.floor
    for a in assignments:
        routes = get(a.role_group)
        if routes is None:  # not capped (senior and middle managers), or unknown
            continue
        days, thresholds, segments, first_day, lowest = routes[a.pay_route]
        pay, start = a.hourly_pay_rate, a.start_date
        if pay <= lowest and start >= first_day:  # within whichever cap is in force
            continue
        i = bisect(days, start) - 1
        if i < 0:
            append(CapJudgement(a, None))
            continue
        if pay <= thresholds[i]:
            continue
        segment = segments[i]
        in_force, on_cost, _, cap, factor = segment
        if in_force is None:
            append(CapJudgement(a, None))
        elif on_cost is None:  # on pay alone; pay above the cap (the threshold)
            append(CapJudgement(a, segment, pay, floor((pay - cap) * 100 + 0.5 + 1e-9) / 100, True))
        else:
            rate = floor(pay * factor * 100 + 0.5 + 1e-9) / 100  # to_pence, inline
            if rate > cap:
                append(CapJudgement(a, segment, rate, floor((rate - cap) * 100 + 0.5 + 1e-9) / 100))
    return out


def not_judged_on_pay(
    assignments: Iterable[AssignmentFacts], schedule: Schedule
) -> list[tuple[AssignmentFacts, Segment]]:
    """The assignments whose on-costs cannot be derived and whose pay alone is within the
    cap in force: the cap check is not assessable for them."""
    out = []
    for a in assignments:
        routes = schedule.get(a.role_group)
        if routes is None:
            continue
        days, thresholds, segments, _, _ = routes[a.pay_route]
        i = bisect_right(days, a.start_date) - 1
        if i < 0:
            continue
        segment = segments[i]
        if (
            segment.cap is not None
            and segment.on_cost is None
            and a.hourly_pay_rate <= thresholds[i]
        ):
            out.append((a, segment))
    return out


# --- the findings in words --------------------------------------------------------------------


@dataclass(slots=True)
class Draft:
    """A finding before it is stored."""

    assignment: AssignmentFacts
    rule: str
    status: FindingStatus
    message: str
    role_category: RoleCategory | None = None
    comparable_rate: float | None = None
    cap: float | None = None
    cap_effective_from: date | None = None
    excess: float | None = None
    excess_share: float | None = None
    derivation: str = ""


def _where(a: AssignmentFacts) -> str:
    return f"return {a.return_id} row {a.row} ({a.council_code}, {a.agency_name})"


def _status(a: AssignmentFacts, rules_from: date | None) -> FindingStatus:
    if rules_from is not None and a.start_date < rules_from:
        return FindingStatus.transitional
    return FindingStatus.breach


def _transitional_words(status: FindingStatus, rules_from: date | None) -> str:
    if status is FindingStatus.transitional and rules_from is not None:
        return f" Transitional: started before the group's rules applied on {rules_from:%Y-%m-%d}."
    return ""


def derivation_text(pay: float, route: PayRoute, cost: OnCostPoint) -> str:
    """How the comparable rate was derived, with the numbers."""
    rate = to_pence(pay * cost.factor)
    return (
        f"comparable rate = hourly pay {pay:.2f} x (1 + employer NI {cost.employer_ni:.4g} "
        f"+ apprenticeship levy {cost.apprenticeship_levy:.4g} + other {cost.other:.4g}) "
        f"= {pay:.2f} x {cost.factor:.4g} = {rate:.2f} pounds an hour, with the "
        f"{PAY_ROUTE_LABELS[route]} on-cost rates in force from {cost.effective_from:%Y-%m-%d}"
    )


def _no_on_costs_words(a: AssignmentFacts) -> str:
    if a.pay_route is None:
        return "the return gives no pay route (assignments sheet version 1)"
    return (
        f"no {PAY_ROUTE_LABELS[a.pay_route]} on-cost rates are in force on {a.start_date:%Y-%m-%d}"
    )


def cap_drafts(
    judgements: Iterable[CapJudgement],
    unjudged: Iterable[tuple[AssignmentFacts, Segment]],
    rules_from: date | None,
) -> list[Draft]:
    """The cap check's findings, in words, from the core's judgements."""
    drafts = []
    for j in judgements:
        a = j.assignment
        category = ROLE_GROUP_CATEGORY[a.role_group]
        assert category is not None
        role = ROLE_CATEGORY_LABELS[category].split(" (")[0].lower()
        if j.segment is None or j.segment.cap is None:
            drafts.append(
                Draft(
                    a,
                    ABOVE_CAP,
                    FindingStatus.not_assessable,
                    f"No {role} cap is in force on the start date {a.start_date:%Y-%m-%d}: "
                    f"the rate cannot be judged. {_where(a)}.",
                    role_category=category,
                    comparable_rate=None,
                )
            )
            continue
        cap = j.segment.cap
        assert j.comparable_rate is not None and j.excess is not None
        status = _status(a, rules_from)
        rule = ABOVE_CAP_SIGNED_OFF if a.signoff_ref else ABOVE_CAP_WITHOUT_SIGN_OFF
        if j.on_pay_alone:
            derivation = (
                f"hourly pay {a.hourly_pay_rate:.2f} alone: {_no_on_costs_words(a)}, so "
                "on-costs cannot be added; with them the rate is higher still, so the excess "
                "is a lower bound"
            )
        else:
            assert j.segment.on_cost is not None and a.pay_route is not None
            derivation = derivation_text(a.hourly_pay_rate, a.pay_route, j.segment.on_cost)
        share = round(j.excess / cap.hourly_cap, 4)
        example = " (an example figure, not a published cap)" if cap.is_example else ""
        signoff = (
            f"signed off, reference {a.signoff_ref}" if a.signoff_ref else "no sign-off recorded"
        )
        drafts.append(
            Draft(
                a,
                rule,
                status,
                f"{'Pay' if j.on_pay_alone else 'Comparable rate'} {j.comparable_rate:.2f} is "
                f"{j.excess:.2f} ({share:.1%}) above the {role} cap of {cap.hourly_cap:.2f}"
                f"{example} in force from {cap.effective_from:%Y-%m-%d} on the start date "
                f"{a.start_date:%Y-%m-%d}; {signoff}. {_where(a)}."
                + _transitional_words(status, rules_from),
                role_category=category,
                comparable_rate=j.comparable_rate,
                cap=cap.hourly_cap,
                cap_effective_from=cap.effective_from,
                excess=j.excess,
                excess_share=share,
                derivation=derivation[:500],
            )
        )
    for a, segment in unjudged:
        in_force = segment.cap
        assert in_force is not None
        category = ROLE_GROUP_CATEGORY[a.role_group]
        drafts.append(
            Draft(
                a,
                ABOVE_CAP,
                FindingStatus.not_assessable,
                f"Hourly pay {a.hourly_pay_rate:.2f} is within the cap of "
                f"{in_force.hourly_cap:.2f} in force from {in_force.effective_from:%Y-%m-%d}, "
                f"but {_no_on_costs_words(a)}: "
                f"whether pay plus on-costs is within it cannot be said. {_where(a)}.",
                role_category=category,
                comparable_rate=None,
                cap=in_force.hourly_cap,
                cap_effective_from=in_force.effective_from,
                derivation=f"hourly pay {a.hourly_pay_rate:.2f}; {_no_on_costs_words(a)}",
            )
        )
    return drafts


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, the day clamped to the month's last."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def anniversary(day: date, years: int) -> date:
    """``day`` plus ``years`` years; 29 February's anniversary in a common year is 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def other_drafts(
    assignments: Iterable[AssignmentFacts],
    rules_from: date | None,
    leavers: dict[str, list[tuple[date, str]]],
    cooling_off_months: int,
) -> list[Draft]:
    """The project-team, post-qualified, cooling-off and notice findings.

    ``leavers``: Social Work England number -> (day they left a permanent post, council),
    sorted by day, only posts in councils that were members on that day.
    """
    drafts = []
    for a in assignments:
        status = _status(a, rules_from)
        then = _transitional_words(status, rules_from)
        category = ROLE_GROUP_CATEGORY.get(a.role_group)
        where = _where(a)
        if a.project_team:
            if a.swe_number is None:
                drafts.append(
                    Draft(
                        a,
                        PROJECT_NOT_NAMED,
                        status,
                        f"A project-team worker is not named (no Social Work England number). "
                        f"{where}.{then}",
                        role_category=category,
                    )
                )
            if a.project_costs_itemised is False:
                drafts.append(
                    Draft(
                        a,
                        PROJECT_NOT_ITEMISED,
                        status,
                        f"The project team's costs are not itemised. {where}.{then}",
                        role_category=category,
                    )
                )
            elif a.project_costs_itemised is None:
                drafts.append(
                    Draft(
                        a,
                        PROJECT_NOT_ITEMISED,
                        FindingStatus.not_assessable,
                        "The return does not say whether the project team's costs are "
                        f"itemised (version {a.template_version} assignments sheet). {where}.",
                        role_category=category,
                    )
                )
        if a.date_qualified is None:
            drafts.append(
                Draft(
                    a,
                    UNDER_THREE_YEARS,
                    FindingStatus.not_assessable,
                    "The return does not give the date the worker qualified "
                    f"(version {a.template_version} assignments sheet). {where}.",
                    role_category=category,
                )
            )
        else:
            third = anniversary(a.date_qualified, QUALIFIED_YEARS)
            if a.start_date < third:
                drafts.append(
                    Draft(
                        a,
                        UNDER_THREE_YEARS,
                        status,
                        f"Qualified on {a.date_qualified:%Y-%m-%d}, started on "
                        f"{a.start_date:%Y-%m-%d}: {(a.start_date - a.date_qualified).days} "
                        f"days post-qualified, under the 3 years reached on {third:%Y-%m-%d}. "
                        f"{where}.{then}",
                        role_category=category,
                    )
                )
        if a.swe_number is not None and a.swe_number in leavers:
            left = leavers[a.swe_number]
            i = bisect_right(left, (a.start_date, "\uffff")) - 1
            while i >= 0:
                left_on, council = left[i]
                until = add_months(left_on, cooling_off_months)
                if a.start_date >= until:
                    break
                drafts.append(
                    Draft(
                        a,
                        COOLING_OFF,
                        status,
                        f"{a.swe_number} left a permanent post at {council} on "
                        f"{left_on:%Y-%m-%d} and started as an agency worker on "
                        f"{a.start_date:%Y-%m-%d}, within the group's {cooling_off_months}-"
                        f"month cooling-off period (to {until:%Y-%m-%d}). {where}.{then}",
                        role_category=category,
                    )
                )
                break
        if a.end_date is not None:
            if a.template_version < 2:
                drafts.append(
                    Draft(
                        a,
                        SHORT_NOTICE,
                        FindingStatus.not_assessable,
                        "The return does not say when notice was given or why the assignment "
                        f"ended (version {a.template_version} assignments sheet). {where}.",
                        role_category=category,
                    )
                )
            elif a.notice_given_on is not None:
                days = (a.end_date - a.notice_given_on).days
                if days < NOTICE_DAYS:
                    drafts.append(
                        Draft(
                            a,
                            SHORT_NOTICE,
                            status,
                            f"Notice given on {a.notice_given_on:%Y-%m-%d} for an end on "
                            f"{a.end_date:%Y-%m-%d}: {days} days, under 4 weeks. {where}.{then}",
                            role_category=category,
                        )
                    )
            elif a.early_end_reason is not None:
                drafts.append(
                    Draft(
                        a,
                        SHORT_NOTICE,
                        status,
                        f"Ended early on {a.end_date:%Y-%m-%d} ({a.early_end_reason}) with no "
                        f"notice given. {where}.{then}",
                        role_category=category,
                    )
                )
    return drafts


# --- loading in bulk ---------------------------------------------------------------------------


def _member_on(memberships: dict[str, list[MouGroupCouncil]], code: str, day: date) -> bool:
    return any(service.is_member_on(m, day) for m in memberships.get(code, ()))


def load_assignments(*, session: Session, council_codes: Sequence[str]) -> list[AssignmentFacts]:
    """Every agency assignment in the accepted quarterly returns of ``council_codes``."""
    if not council_codes:
        return []
    rows = session.exec(
        select(AgencyAssignment)
        .join(CouncilReturn, col(CouncilReturn.id) == col(AgencyAssignment.return_id))
        .where(
            CouncilReturn.status == ReturnStatus.accepted,
            CouncilReturn.kind == ReturnKind.quarterly,
            col(CouncilReturn.council_code).in_(list(council_codes)),
        )
        .order_by(col(AgencyAssignment.id))
    ).all()
    return [AssignmentFacts.of(a) for a in rows]


def load_leavers(
    *, session: Session, memberships: dict[str, list[MouGroupCouncil]]
) -> dict[str, list[tuple[date, str]]]:
    """Permanent leavers in the accepted census returns of councils that were members of
    the group on the day they left: SWE number -> sorted (day left, council)."""
    if not memberships:
        return {}
    rows = session.exec(
        select(
            col(CensusWorker.swe_number),
            col(CensusWorker.role_end_date),
            col(CouncilReturn.council_code),
        )
        .join(CouncilReturn, col(CouncilReturn.id) == col(CensusWorker.return_id))
        .where(
            CouncilReturn.status == ReturnStatus.accepted,
            CouncilReturn.kind == ReturnKind.census,
            col(CouncilReturn.council_code).in_(list(memberships)),
            col(CensusWorker.agency_worker).is_(False),
            col(CensusWorker.role_end_date).is_not(None),
        )
    ).all()
    found: dict[str, set[tuple[date, str]]] = defaultdict(set)
    for swe, left_on, council in rows:
        if swe and left_on is not None and _member_on(memberships, council, left_on):
            found[swe.strip().upper()].add((left_on, council))
    return {swe: sorted(days) for swe, days in found.items()}


def load_schedule(*, session: Session, group_name: str) -> Schedule:
    caps = service.caps(session=session, group_name=group_name)
    rates = service.on_cost_rates(session=session)
    return build_schedule(
        ((RoleCategory(c.role_category), cap_point(c)) for c in caps),
        ((PayRoute(r.pay_route), on_cost_point(r)) for r in rates),
    )


def cap_point(cap: RateCap) -> CapPoint:
    return CapPoint(cap.effective_from, cap.hourly_cap, cap.is_example)


def on_cost_point(rate: OnCostRate) -> OnCostPoint:
    return OnCostPoint(rate.effective_from, rate.employer_ni, rate.apprenticeship_levy, rate.other)


# --- the assessment ---------------------------------------------------------------------------


@dataclass
class AssessmentSummary:
    """What an assessment of a group found."""

    group_name: str
    assignments: int = 0
    findings: int = 0
    new: int = 0
    found_again: int = 0
    removed: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        rules = ", ".join(f"{rule} {n}" for rule, n in sorted(self.by_rule.items())) or "none"
        return (
            f"{self.group_name}: {self.assignments} assignments assessed, {self.findings} "
            f"findings ({self.new} new, {self.found_again} found again, {self.removed} no longer "
            f"found); by rule: {rules}"
        )


def judge(
    *,
    group: MouGroup,
    assignments: Sequence[AssignmentFacts],
    schedule: Schedule,
    leavers: dict[str, list[tuple[date, str]]],
) -> list[Draft]:
    """Every rule's findings on ``assignments`` (already only the members'), in memory."""
    return cap_drafts(
        judge_caps(assignments, schedule),
        not_judged_on_pay(assignments, schedule),
        group.rules_from,
    ) + other_drafts(assignments, group.rules_from, leavers, group.cooling_off_months)


def assess(*, session: Session, group_name: str, actor: Actor) -> AssessmentSummary:
    """Check every accepted assignment of the group's member councils against the rules
    and store the findings (see the module docstring for the rules)."""
    group = service.get_group(session=session, group_name=group_name)
    by_council: dict[str, list[MouGroupCouncil]] = defaultdict(list)
    for m in service.memberships(session=session, group_name=group.name):
        by_council[m.council_code].append(m)
    assignments = [
        a
        for a in load_assignments(session=session, council_codes=sorted(by_council))
        if _member_on(by_council, a.council_code, a.start_date)
    ]
    drafts = judge(
        group=group,
        assignments=assignments,
        schedule=load_schedule(session=session, group_name=group.name),
        leavers=load_leavers(session=session, memberships=by_council),
    )

    now = utcnow()
    existing = {
        (f.assignment_id, f.rule): f
        for f in session.exec(select(MouFinding).where(MouFinding.group_name == group.name))
    }
    result = AssessmentSummary(group_name=group.name, assignments=len(assignments))
    seen: set[tuple[int, str]] = set()
    for d in drafts:
        a = d.assignment
        key = (a.id, d.rule)
        seen.add(key)
        values: dict[str, Any] = {
            "return_id": a.return_id,
            "council_code": a.council_code,
            "agency_name": a.agency_name[:200],
            "status": d.status,
            "role_category": d.role_category,
            "start_date": a.start_date,
            "comparable_rate": d.comparable_rate,
            "cap": d.cap,
            "cap_effective_from": d.cap_effective_from,
            "excess": d.excess,
            "excess_share": d.excess_share,
            "derivation": d.derivation[:500],
            "message": d.message[:1000],
            "last_found_at": now,
        }
        finding = existing.get(key)
        if finding is None:
            session.add(
                MouFinding(
                    group_name=group.name,
                    assignment_id=a.id,
                    rule=d.rule,
                    first_found_at=now,
                    **values,
                )
            )
            result.new += 1
        else:
            for name, value in values.items():
                setattr(finding, name, value)
            session.add(finding)
            result.found_again += 1
    for key, finding in existing.items():
        if key not in seen:
            session.delete(finding)
            result.removed += 1
    result.findings = len(drafts)
    result.by_rule = dict(Counter(d.rule for d in drafts))
    result.by_status = dict(Counter(d.status.value for d in drafts))
    audit.record(
        session=session,
        actor=actor,
        action="assess",
        entity="mou_group",
        entity_id=group.name,
        summary=result.summary(),
        details={
            "assignments": result.assignments,
            "findings": result.findings,
            "new": result.new,
            "removed": result.removed,
            "by_rule": result.by_rule,
            "by_status": result.by_status,
        },
    )
    session.flush()
    return result
