"""The rules of a group's assessment and the in-memory core that judges assignments by them.

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

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from workforce.mou.models import (
    ROLE_GROUP_CATEGORY,
    PayRoute,
    RoleCategory,
)
from workforce.returns.models import (
    AgencyAssignment,
)

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
# Each rule's name as a table or a filter shows it; RULES says what it tests.
RULE_LABELS: dict[str, str] = {
    ABOVE_CAP_WITHOUT_SIGN_OFF: "Above the cap, not signed off",
    ABOVE_CAP_SIGNED_OFF: "Above the cap, signed off",
    ABOVE_CAP: "Rate not judged against a cap",
    PROJECT_NOT_NAMED: "Project-team worker not named",
    PROJECT_NOT_ITEMISED: "Project-team costs not itemised",
    UNDER_THREE_YEARS: "Under 3 years qualified",
    COOLING_OFF: "Within the cooling-off period",
    SHORT_NOTICE: "Short notice",
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

    @property
    def identity(self) -> tuple[str, str, str, date]:
        """The same assignment as listed again in later quarterly returns: the council, the
        worker (an unnamed project-team worker is only ever the same row), the agency
        (letter case and spacing aside) and the start date."""
        worker = self.swe_number or f"return {self.return_id} row {self.row}"
        agency = " ".join(self.agency_name.casefold().split())
        return (self.council_code, worker, agency, self.start_date)

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
