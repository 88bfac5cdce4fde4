"""The demonstration's MoU groups, caps, on-cost rates and made-up returns.

``seed`` (called by ``workforce demo``) is safe to repeat: what exists is left as it is.
In production only the real figures are seeded (groups, London's caps, on-cost rates).

- The nine regional groups of English councils, one per region, its members the current
  councils of the region in the bundled reference data; cooling-off 3 months (the DfE
  rules), 6 in London (the London Pledge, June 2022), 12 in the West Midlands (its MoU);
  the caps apply to assignments starting from 1 October 2025 (the DfE rules).
- London's caps of the memorandum of 1 January 2016, with that date. Every other group's
  caps are made up: labelled as examples (``is_example``; the source says so).
- Employer on-cost rates by pay route, dated, with their sources.
- Made-up quarterly returns (their file and agency names say so) for a few councils in two
  groups, taken in through the same ingest as any upload, then both groups assessed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from workforce.auth.audit import Actor
from workforce.councils.models import Council, Region
from workforce.mou import caps as cap_service
from workforce.mou import flows, service
from workforce.mou.models import MouGroup, OnCostRate, PayRoute, RateCap, RoleCategory
from workforce.returns.models import CouncilReturn, ReturnKind, ReturnStatus

RULES_FROM = date(2025, 10, 1)

# Group name -> (region name in the reference data, cooling-off months, description).
GROUPS: dict[str, tuple[str, int, str]] = {
    "London": (
        "London",
        6,
        "London's boroughs: the MoU of 1 January 2016 (caps) and the London Pledge of June "
        "2022 (no agency engagement within 6 months of leaving a permanent London post)",
    ),
    "South East": ("South East", 3, "South East councils' regional agency MoU"),
    "South West": ("South West", 3, "South West councils' regional agency MoU"),
    "East of England": ("East of England", 3, "East of England councils' regional agency MoU"),
    "East Midlands": ("East Midlands", 3, "East Midlands councils' regional agency MoU"),
    "West Midlands": (
        "West Midlands",
        12,
        "West Midlands councils' MoU: caps and a 12-month cooling-off period",
    ),
    "Yorkshire and the Humber": (
        "Yorkshire and The Humber",
        3,
        "Yorkshire and the Humber councils' regional agency MoU",
    ),
    "North East": ("North East", 3, "North East councils' regional agency MoU"),
    "North West": ("North West", 3, "North West councils' regional agency MoU"),
}

LONDON_2016 = date(2016, 1, 1)
LONDON_SOURCE = (
    "London MoU, 1 January 2016. DfE categories from London's: social worker = 'social "
    "worker 2+ years' 28 (newly qualified 25, over 5 years 32 unused); senior social worker "
    "35; advanced practitioner 35 (assistant team manager 38 unused); team manager 42; no "
    "IRO figure"
)
LONDON_CAPS: dict[RoleCategory, float] = {
    RoleCategory.social_worker: 28.0,
    RoleCategory.senior_social_worker: 35.0,
    RoleCategory.advanced_practitioner: 35.0,
    RoleCategory.team_manager: 42.0,
}
# The other groups' example caps: London's 2016 figures (an IRO at the team manager's)
# times this, within the published 37% spread between regions. Made up.
EXAMPLE_FACTORS: dict[str, float] = {
    "South East": 0.97,
    "East of England": 0.95,
    "South West": 0.90,
    "West Midlands": 0.92,
    "East Midlands": 0.88,
    "Yorkshire and the Humber": 0.88,
    "North West": 0.90,
    "North East": 0.85,
}

NI_AND_LEVY = (
    "apprenticeship levy 0.5% (from 6 April 2017); both as a flat share of all pay (no NI "
    "threshold deducted)"
)
ON_COSTS: list[tuple[PayRoute, date, float, float, str]] = [
    *[
        (
            route,
            date(2022, 11, 6),
            0.138,
            0.005,
            "HMRC: employer Class 1 NI 13.8% from 6 November 2022 (the 1.25-point rise "
            f"reversed) to 5 April 2025; {NI_AND_LEVY}",
        )
        for route in (PayRoute.paye, PayRoute.umbrella)
    ],
    *[
        (
            route,
            date(2025, 4, 6),
            0.15,
            0.005,
            f"HMRC: employer Class 1 NI 15% from 6 April 2025 (Autumn Budget 2024); {NI_AND_LEVY}",
        )
        for route in (PayRoute.paye, PayRoute.umbrella)
    ],
    (
        PayRoute.limited_company,
        date(2016, 1, 1),
        0.0,
        0.0,
        "No employer on-costs on a limited-company worker's pay here: their company, not the "
        "agency, is the employer. Where off-payroll rules (IR35) make the agency pay employer "
        "NI, record the worker as PAYE",
    ),
]


# --- made-up returns --------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoAssignment:
    role_group: str
    swe_number: str
    start: str
    pay: float
    route: str = "paye"
    qualified: str = "2015-07-01"
    end: str = ""
    notice: str = ""
    early_end: str = ""
    project_team: bool = False
    itemised: str = ""
    signoff: str = ""
    agency: str = "Made-up Agency A (demo)"


# council, quarter end, version of the assignments sheet, assignments.
DemoReturn = tuple[str, date, int, list[DemoAssignment]]

DEMO_RETURNS: list[DemoReturn] = [
    (
        "202",  # Camden, London
        date(2025, 12, 31),
        2,
        [
            DemoAssignment("social_worker", "SW900101", "2025-10-13", 24.00),
            DemoAssignment("social_worker", "SW900102", "2025-11-03", 26.00),
            DemoAssignment(
                "senior_practitioner",
                "SW900103",
                "2025-10-20",
                32.00,
                route="umbrella",
                signoff="CAMDEN-DCS-CEX-2025-04",
                agency="Made-up Agency B (demo)",
            ),
            DemoAssignment("team_manager", "SW900104", "2025-12-01", 41.00, "limited_company"),
            DemoAssignment(
                "social_worker", "SW900105", "2025-11-17", 22.00, qualified="2023-09-01"
            ),
            DemoAssignment(
                "social_worker",
                "",
                "2025-10-06",
                23.00,
                project_team=True,
                itemised="N",
                agency="Made-up Project Team Ltd (demo)",
            ),
            DemoAssignment(
                "social_worker",
                "SW900107",
                "2025-10-06",
                23.50,
                end="2025-12-19",
                early_end="agency_withdrew",
                agency="Made-up Agency B (demo)",
            ),
        ],
    ),
    (
        "203",  # Greenwich, London
        date(2025, 12, 31),
        2,
        [
            DemoAssignment("social_worker", "SW900201", "2025-10-27", 24.20),
            DemoAssignment(
                "advanced_practitioner",
                "SW900202",
                "2025-11-10",
                38.00,
                agency="Made-up Agency C (demo)",
            ),
            DemoAssignment(
                "social_worker",
                "SW900203",
                "2025-10-01",
                24.00,
                end="2025-12-12",
                notice="2025-11-28",
            ),
        ],
    ),
    (
        "204",  # Hackney, London: an old (version 1) file, before the rules applied
        date(2025, 9, 30),
        1,
        [
            DemoAssignment("social_worker", "SW900301", "2025-08-04", 30.00),
            DemoAssignment("social_worker", "SW900302", "2025-09-01", 25.00),
        ],
    ),
    (
        "330",  # Birmingham, West Midlands
        date(2025, 12, 31),
        2,
        [
            DemoAssignment("social_worker", "SW900401", "2025-10-20", 27.00),
            DemoAssignment("social_worker", "SW900402", "2025-11-03", 21.00),
            DemoAssignment(
                "team_manager",
                "SW900403",
                "2025-11-24",
                36.00,
                route="umbrella",
                signoff="BHAM-DCS-CEX-2025-11",
                agency="Made-up Agency C (demo)",
            ),
        ],
    ),
    (
        "331",  # Coventry, West Midlands
        date(2025, 12, 31),
        2,
        [
            DemoAssignment("social_worker", "SW900501", "2025-10-06", 20.00),
            DemoAssignment(
                "iro_cp_chair", "SW900502", "2025-12-01", 35.00, agency="Made-up Agency B (demo)"
            ),
        ],
    ),
]
DEMO_GROUPS_ASSESSED = ("London", "West Midlands")

# Workforce sheet figures per role group (before the agency columns, which come from the
# assignments): establishment, in post FTE, in post headcount, vacancies, starters,
# resignations, retirements, case holders FTE, cases, working days lost.
_WORKFORCE: dict[str, tuple[float, float, int, float, float, float, float, float, int, float]] = {
    "social_worker": (100, 80.5, 84, 7.0, 4.0, 2.0, 0.5, 30.0, 400, 120.5),
    "senior_practitioner": (30, 25.0, 26, 3.0, 1.0, 1.0, 0, 10.0, 90, 40),
    "advanced_practitioner": (8, 6.5, 7, 1.0, 0, 0, 0, 0, 0, 10),
    "team_manager": (15, 14.0, 14, 0, 1.0, 0, 0, 0, 0, 5.0),
    "iro_cp_chair": (6, 5.0, 5, 1.0, 0, 0, 0, 0, 0, 2),
    "senior_middle_manager": (10, 9.0, 9, 1.0, 0, 0, 1.0, 0, 0, 1.5),
}


def _csv(rows: list[dict[str, object]], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else str(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8")


def demo_files(
    council: str, period_end: date, version: int, assignments: list[DemoAssignment]
) -> tuple[bytes, bytes]:
    """The workforce sheet and the assignments sheet of a made-up return, as CSV."""
    from workforce.returns.quarterly_template import (
        ASSIGNMENT_COLUMNS,
        ASSIGNMENT_COLUMNS_V1,
        WORKFORCE_COLUMNS,
    )

    workforce = []
    for role, (
        est,
        fte,
        heads,
        vac,
        starters,
        resigned,
        retired,
        holders,
        cases,
        lost,
    ) in _WORKFORCE.items():
        agency = sum(1 for a in assignments if a.role_group == role and not a.end)
        workforce.append(
            {
                "council_code": council,
                "period_end": period_end.isoformat(),
                "role_group": role,
                "establishment_fte": est,
                "inpost_fte": fte,
                "inpost_headcount": heads,
                "agency_fte": float(agency),
                "agency_headcount": agency,
                "vacancy_fte": vac,
                "starters_fte": starters,
                "leavers_fte": resigned + retired,
                "leavers_resignation_fte": resigned,
                "leavers_retirement_fte": retired,
                "leavers_redundancy_fte": 0,
                "leavers_dismissal_fte": 0,
                "leavers_other_fte": 0,
                "leavers_not_known_fte": 0,
                "case_holders_fte": holders,
                "cases": cases,
                "working_days_lost": lost,
            }
        )
    rows: list[dict[str, object]] = []
    for a in assignments:
        rows.append(
            {
                "agency_name": a.agency,
                "role_group": a.role_group,
                "swe_number": a.swe_number,
                "start_date": a.start,
                "end_date": a.end,
                "hourly_charge_rate": f"{a.pay * 1.45:.2f}",
                "hourly_pay_rate": f"{a.pay:.2f}",
                "project_team": "Y" if a.project_team else "N",
                "above_cap_signoff_ref": a.signoff,
                "pay_route": a.route,
                "date_qualified": a.qualified,
                "notice_given_on": a.notice,
                "early_end_reason": a.early_end,
                "project_costs_itemised": a.itemised,
            }
        )
    columns = list(ASSIGNMENT_COLUMNS if version >= 2 else ASSIGNMENT_COLUMNS_V1)
    return _csv(workforce, list(WORKFORCE_COLUMNS)), _csv(rows, columns)


def demo_file_name(council: str, period_end: date) -> str:
    return f"MADE-UP-demo-quarterly-{council}-{period_end:%Y-%m-%d}.csv"


# --- seeding -----------------------------------------------------------------------------


def _groups(session: Session, actor: Actor) -> Iterator[str]:
    regions = {r.name: r.code for r in session.exec(select(Region))}
    created = 0
    for name, (region, months, description) in GROUPS.items():
        if session.get(MouGroup, name) is not None:
            continue
        councils = session.exec(
            select(Council.code)
            .where(Council.region_code == regions[region], col(Council.last_year).is_(None))
            .order_by(col(Council.code))
        ).all()
        service.create_group(
            session=session,
            name=name,
            councils=list(councils),
            description=description,
            cooling_off_months=months,
            rules_from=RULES_FROM,
            actor=actor,
        )
        created += 1
    yield f"MoU groups: {created} added, {len(GROUPS) - created} unchanged"


def _caps(session: Session, actor: Actor, examples: bool) -> Iterator[str]:
    existing = {
        (c.group_name, str(c.role_category), c.effective_from)
        for c in session.exec(select(RateCap))
    }
    wanted: list[tuple[str, RoleCategory, date, float, bool, str]] = [
        ("London", role, LONDON_2016, cap, False, LONDON_SOURCE)
        for role, cap in LONDON_CAPS.items()
    ]
    for name, factor in EXAMPLE_FACTORS.items() if examples else ():
        for role in RoleCategory:
            london = LONDON_CAPS.get(role, LONDON_CAPS[RoleCategory.team_manager])
            wanted.append(
                (
                    name,
                    role,
                    RULES_FROM,
                    round(london * factor, 2),
                    True,
                    "example figure, not a published cap (demonstration: London's 2016 "
                    f"{'team manager ' if role not in LONDON_CAPS else ''}figure x {factor})",
                )
            )
    added = 0
    for group, role, day, cap, example, source in wanted:
        if (group, role.value, day) in existing:
            continue
        cap_service.set_cap(
            session=session,
            group_name=group,
            role_category=role,
            effective_from=day,
            hourly_cap=cap,
            is_example=example,
            source=source,
            actor=actor,
        )
        added += 1
    yield (
        f"MoU caps: {added} added, {len(wanted) - added} unchanged"
        + (" (all but London's are examples)" if examples else " (London's 2016 caps only)")
    )


def _on_costs(session: Session, actor: Actor) -> Iterator[str]:
    existing = {(str(r.pay_route), r.effective_from) for r in session.exec(select(OnCostRate))}
    added = 0
    for route, day, ni, levy, source in ON_COSTS:
        if (route.value, day) in existing:
            continue
        cap_service.set_on_cost_rate(
            session=session,
            pay_route=route,
            effective_from=day,
            employer_ni=ni,
            apprenticeship_levy=levy,
            source=source,
            actor=actor,
        )
        added += 1
    yield f"On-cost rates: {added} added, {len(ON_COSTS) - added} unchanged"


def _returns(session: Session, actor: Actor) -> Generator[str, None, int]:
    from workforce.returns.flows import ingest
    from workforce.returns.reading import Upload

    added = 0
    for council, period_end, version, assignments in DEMO_RETURNS:
        taken = session.exec(
            select(CouncilReturn.id).where(
                CouncilReturn.council_code == council,
                CouncilReturn.kind == ReturnKind.quarterly,
                CouncilReturn.period_end == period_end,
                CouncilReturn.status == ReturnStatus.accepted,
            )
        ).first()
        if taken is not None:  # the demo's, or a real one: leave it
            continue
        workforce, sheet = demo_files(council, period_end, version, assignments)
        name = demo_file_name(council, period_end)
        session.commit()  # ingest begins its own write
        result = ingest(
            session=session,
            upload=Upload(workforce, name),
            assignments=Upload(sheet, name.replace("quarterly", "assignments")),
            council_code=council,
            actor=actor,
            source="cli",
        )
        if not result.accepted:
            problems = "; ".join(str(i.get("message")) for i in result.council_return.issues[:3])
            yield f"Made-up return {name} was refused: {problems}"
            continue
        session.commit()
        added += 1
    yield f"Made-up quarterly returns with agency assignments: {added} added"
    return added


def seed(*, session: Session, actor: Actor, examples: bool = True) -> Iterator[str]:
    """Seed the groups, London's caps and the on-cost rates; with ``examples``, also the
    other groups' example caps and the made-up returns, and assess the demo's groups.
    Yields a line per step; safe to repeat."""
    yield from _groups(session, actor)
    yield from _caps(session, actor, examples)
    yield from _on_costs(session, actor)
    session.commit()
    if not examples:
        return
    if not (yield from _returns(session, actor)):
        return  # nothing new to assess: a repeat leaves the findings as they are
    for name in DEMO_GROUPS_ASSESSED:
        summary = flows.assess(session=session, group_name=name, actor=actor)
        yield f"Assessed {summary.summary()}"
    session.commit()
