"""The findings in words: each judged assignment becomes draft findings naming the
assignment, the rule, the figures and how the rate was derived."""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from workforce.mou.models import (
    PAY_ROUTE_LABELS,
    ROLE_CATEGORY_LABELS,
    ROLE_GROUP_CATEGORY,
    FindingStatus,
    PayRoute,
    RoleCategory,
)
from workforce.mou.rules import (
    ABOVE_CAP,
    ABOVE_CAP_SIGNED_OFF,
    ABOVE_CAP_WITHOUT_SIGN_OFF,
    COOLING_OFF,
    NOTICE_DAYS,
    PROJECT_NOT_ITEMISED,
    PROJECT_NOT_NAMED,
    QUALIFIED_YEARS,
    SHORT_NOTICE,
    UNDER_THREE_YEARS,
    AssignmentFacts,
    CapJudgement,
    OnCostPoint,
    Segment,
    to_pence,
)

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
