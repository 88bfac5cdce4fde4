"""The DfE quarterly agency return, drafted for one council and quarter from its accepted
quarterly returns and the findings the MoU assessment wrote on them.

It holds what DfE asks for: per assignment the role category, hourly pay, start and end,
Social Work England number and project-team flag; per rule whether the council complied,
with the reasons where not; above-cap sign-offs; the agencies whose assignments affected
compliance; and the monthly agency cost. What the council's returns could not supply is
listed under ``missing`` so the council can fill it in before sending.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from workforce.councils.service import find_council
from workforce.exports import neutralise
from workforce.mou import rules
from workforce.mou.models import (
    ROLE_CATEGORY_LABELS,
    ROLE_GROUP_CATEGORY,
    FindingStatus,
    MouFinding,
)
from workforce.mou.views import Quarter
from workforce.returns.models import AgencyAssignment, CouncilReturn, ReturnKind, ReturnStatus

# Returns give hourly rates but not hours worked. The cost assumes full time: 37 hours a
# week, the standard working week of the local-government (NJC) conditions most councils'
# social workers are employed on, spread evenly over the days an assignment covers.
HOURS_PER_WEEK = 37.0
HOURS_ASSUMPTION = (
    f"charge rate x {HOURS_PER_WEEK:g} hours a week (full time on the NJC standard week: "
    "returns give no hours) x the days of the month the assignment covered / 7"
)
# The rules the return reports on are the assessment's (``workforce.mou.rules.RULES``).
RULES = rules.RULES
SIGN_OFF_RULES = {rules.ABOVE_CAP_SIGNED_OFF, rules.ABOVE_CAP_WITHOUT_SIGN_OFF}

ASSIGNMENT_COLUMNS = [
    "assignment_id",
    "agency_name",
    "role_category",
    "hourly_pay_rate",
    "start_date",
    "end_date",
    "swe_number",
    "project_team",
]
RULE_COLUMNS = ["rule", "description", "status", "reasons"]
SIGNOFF_COLUMNS = ["assignment_id", "agency_name", "role_category", "rate", "cap", "signoff_ref"]
AGENCY_COLUMNS = ["agency_name", "breaches", "rules"]
COST_COLUMNS = ["month", "cost", "assumption"]
MISSING_COLUMNS = ["item"]


@dataclass
class DfeAgencyReturn:
    council_code: str
    council_name: str
    quarter: str
    return_ids: list[int]
    assignments: list[dict[str, Any]] = field(default_factory=list)
    rules: list[dict[str, Any]] = field(default_factory=list)
    signoffs: list[dict[str, Any]] = field(default_factory=list)
    agencies: list[dict[str, Any]] = field(default_factory=list)
    monthly_cost: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    hours_assumption: str = HOURS_ASSUMPTION

    def sections(self) -> list[tuple[str, list[str], list[dict[str, Any]]]]:
        """Each part of the return: its title, columns and rows."""
        return [
            ("Assignments", ASSIGNMENT_COLUMNS, self.assignments),
            ("Compliance by rule", RULE_COLUMNS, self.rules),
            ("Above-cap sign-offs", SIGNOFF_COLUMNS, self.signoffs),
            ("Agencies that affected compliance", AGENCY_COLUMNS, self.agencies),
            ("Monthly agency cost", COST_COLUMNS, self.monthly_cost),
            ("Missing", MISSING_COLUMNS, [{"item": m} for m in self.missing]),
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "council_code": self.council_code,
            "council_name": self.council_name,
            "quarter": self.quarter,
            "return_ids": self.return_ids,
            "assignments": self.assignments,
            "rules": self.rules,
            "signoffs": self.signoffs,
            "agencies": self.agencies,
            "monthly_cost": self.monthly_cost,
            "hours_assumption": self.hours_assumption,
            "missing": self.missing,
        }


def _months(quarter: Quarter) -> list[tuple[date, date]]:
    months = []
    for month in range(quarter.start.month, quarter.start.month + 3):
        first = date(quarter.year, month, 1)
        following = date(quarter.year + month // 12, month % 12 + 1, 1)
        months.append((first, following - timedelta(days=1)))
    return months


def _days(start: date, end: date | None, first: date, last: date) -> int:
    return max((min(end or last, last) - max(start, first)).days + 1, 0)


def draft_return(*, session: Session, council_code: str, quarter: Quarter) -> DfeAgencyReturn:
    """Return the council's DfE agency return for ``quarter``, drafted from its accepted
    quarterly returns with period end in the quarter, and what is missing from it."""
    council = find_council(session=session, code=council_code)
    returns = session.exec(
        select(CouncilReturn)
        .where(CouncilReturn.council_code == council.code)
        .where(CouncilReturn.kind == ReturnKind.quarterly)
        .where(CouncilReturn.status == ReturnStatus.accepted)
        .where(col(CouncilReturn.period_end) >= quarter.start)
        .where(col(CouncilReturn.period_end) <= quarter.end)
    ).all()
    return_ids = [r.id for r in returns if r.id is not None]
    drafted = DfeAgencyReturn(council.code, council.name, quarter.label, return_ids)
    if not return_ids:
        drafted.missing.append(
            f"no accepted quarterly return for {quarter.label}: upload one to draft this return"
        )
    assignments = session.exec(
        select(AgencyAssignment)
        .where(col(AgencyAssignment.return_id).in_(return_ids))
        .order_by(col(AgencyAssignment.return_id), col(AgencyAssignment.row))
    ).all()
    findings = session.exec(
        select(MouFinding)
        .where(col(MouFinding.return_id).in_(return_ids))
        .order_by(col(MouFinding.assignment_id), col(MouFinding.rule))
    ).all()
    _assignments(drafted, assignments)
    _rules(drafted, findings, bool(assignments))
    _signoffs(drafted, assignments, findings)
    _agencies(drafted, findings)
    _cost(drafted, assignments, quarter)
    if assignments and not findings:
        drafted.missing.append(
            "no MoU assessment of these assignments: compliance is shown as not assessed "
            "(is the council in a group, and has the assessment run?)"
        )
    return drafted


def _assignments(drafted: DfeAgencyReturn, assignments: Any) -> None:
    for a in assignments:
        category = ROLE_GROUP_CATEGORY.get(a.role_group)
        drafted.assignments.append(
            {
                "assignment_id": a.id,
                "agency_name": a.agency_name,
                "role_category": category.value if category else f"not capped ({a.role_group})",
                "hourly_pay_rate": a.hourly_pay_rate,
                "start_date": a.start_date.isoformat(),
                "end_date": a.end_date.isoformat() if a.end_date else None,
                "swe_number": a.swe_number or None,
                "project_team": a.project_team,
            }
        )
        where = f"assignment {a.id} (row {a.row}, {a.agency_name})"
        if not a.swe_number:
            drafted.missing.append(f"{where}: Social Work England number")
        if not getattr(a, "pay_route", None):
            drafted.missing.append(f"{where}: pay route (needed for the comparable rate)")
        if not getattr(a, "date_qualified", None):
            drafted.missing.append(f"{where}: date qualified (needed for the 3-year rule)")
        if a.end_date and not getattr(a, "notice_given_on", None):
            drafted.missing.append(f"{where}: date notice was given (needed for the notice rule)")
        if a.project_team and getattr(a, "project_costs_itemised", None) is None:
            drafted.missing.append(f"{where}: whether the project team's costs are itemised")


def _rules(drafted: DfeAgencyReturn, findings: Any, any_assignments: bool) -> None:
    by_rule: dict[str, list[MouFinding]] = defaultdict(list)
    for f in findings:
        by_rule[f.rule].append(f)
    assessed = bool(findings)
    for rule in list(RULES) + sorted(set(by_rule) - set(RULES)):
        found = by_rule.get(rule, [])
        breaches = [f for f in found if f.status == FindingStatus.breach]
        unknown = [f for f in found if f.status == FindingStatus.not_assessable]
        if breaches:
            status = "not compliant"
            reasons = "; ".join(f"assignment {f.assignment_id}: {f.message}" for f in breaches)
        elif unknown or not assessed:
            status = "not assessable" if any_assignments else "no agency assignments"
            reasons = "; ".join(f"assignment {f.assignment_id}: {f.message}" for f in unknown)
        else:
            status = "compliant"
            reasons = ""
        drafted.rules.append(
            {
                "rule": rule,
                "description": RULES.get(rule, rule),
                "status": status,
                "reasons": reasons,
            }
        )
        if status == "not assessable" and any_assignments:
            drafted.missing.append(f"rule {rule}: the return does not hold what the check needs")


def _signoffs(drafted: DfeAgencyReturn, assignments: Any, findings: Any) -> None:
    above = {f.assignment_id: f for f in findings if f.rule in SIGN_OFF_RULES}
    for a in assignments:
        if a.id not in above and not a.above_cap_signoff_ref:
            continue
        finding = above.get(a.id)
        category = ROLE_GROUP_CATEGORY.get(a.role_group)
        drafted.signoffs.append(
            {
                "assignment_id": a.id,
                "agency_name": a.agency_name,
                "role_category": ROLE_CATEGORY_LABELS[category] if category else a.role_group,
                "rate": finding.comparable_rate if finding else None,
                "cap": finding.cap if finding else None,
                "signoff_ref": a.above_cap_signoff_ref,
            }
        )
        if finding and finding.rule == rules.ABOVE_CAP_WITHOUT_SIGN_OFF:
            drafted.missing.append(
                f"assignment {a.id}: above cap with no sign-off by the DCS and chief executive"
            )


def _agencies(drafted: DfeAgencyReturn, findings: Any) -> None:
    rules: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for f in findings:
        if f.status == FindingStatus.breach:
            rules[f.agency_name].add(f.rule)
            counts[f.agency_name] += 1
    for agency in sorted(counts, key=lambda name: (-counts[name], name)):
        drafted.agencies.append(
            {
                "agency_name": agency,
                "breaches": counts[agency],
                "rules": ", ".join(sorted(rules[agency])),
            }
        )


def _cost(drafted: DfeAgencyReturn, assignments: Any, quarter: Quarter) -> None:
    for first, last in _months(quarter):
        cost = sum(
            a.hourly_charge_rate * HOURS_PER_WEEK * _days(a.start_date, a.end_date, first, last) / 7
            for a in assignments
        )
        drafted.monthly_cost.append(
            {
                "month": first.strftime("%Y-%m"),
                "cost": round(cost, 2),
                "assumption": HOURS_ASSUMPTION,
            }
        )


# --- files --------------------------------------------------------------------------------


def to_csv(drafted: DfeAgencyReturn) -> str:
    """Return the return as CSV: each section a title row, its header and its rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(f"DfE agency return: {drafted.council_name} {drafted.quarter}")])
    for title, columns, rows in drafted.sections():
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else neutralise(row.get(c)) for c in columns])
    return buffer.getvalue()


def to_xlsx(drafted: DfeAgencyReturn) -> bytes:
    """Return the return as an XLSX workbook: a sheet per section, every text cell guarded
    against being run as a formula."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, columns, rows in drafted.sections():
        sheet = workbook.create_sheet(title[:31])
        sheet.append(columns)
        for row in rows:
            sheet.append([neutralise(row.get(c)) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
