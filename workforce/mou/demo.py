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
  groups, and a made-up census for Camden with a leaver whom Greenwich then engages through
  an agency within London's cooling-off period (``demo_files``), taken in through the same
  ingest as any upload, then both groups assessed.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from datetime import date
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from workforce.auth.audit import Actor
from workforce.councils.models import Council, Region
from workforce.mou import caps as cap_service
from workforce.mou import flows, service
from workforce.mou.demo_files import (
    CENSUS_COUNCIL,
    CENSUS_REFERENCE,
    DEMO_RETURNS,
    census_file,
    census_file_name,
    demo_file_name,
    demo_files,
)
from workforce.mou.models import MouGroup, OnCostRate, PayRoute, RateCap, RoleCategory
from workforce.returns.models import CouncilReturn, ReturnKind, ReturnStatus

if TYPE_CHECKING:
    from workforce.returns.reading import Upload

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

DEMO_GROUPS_ASSESSED = ("London", "West Midlands")


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


def _taken(session: Session, council: str, kind: ReturnKind, period_end: date) -> bool:
    """Whether the council has an accepted return of ``kind`` for ``period_end`` (the
    demo's, or a real one: either is left as it is)."""
    return (
        session.exec(
            select(CouncilReturn.id).where(
                CouncilReturn.council_code == council,
                CouncilReturn.kind == kind,
                CouncilReturn.period_end == period_end,
                CouncilReturn.status == ReturnStatus.accepted,
            )
        ).first()
        is not None
    )


def _ingest(
    session: Session, actor: Actor, council: str, upload: Upload, assignments: Upload | None
) -> str | None:
    """Take in a made-up file as any upload is; None if accepted, else why it was refused."""
    from workforce.returns.flows import ingest

    session.commit()  # ingest begins its own write
    result = ingest(
        session=session,
        upload=upload,
        assignments=assignments,
        council_code=council,
        actor=actor,
        source="cli",
    )
    if not result.accepted:
        return "; ".join(str(i.get("message")) for i in result.council_return.issues[:3])
    session.commit()
    return None


def _returns(session: Session, actor: Actor) -> Generator[str, None, int]:
    """The made-up quarterly returns and census; returns how many were added."""
    from workforce.returns.reading import Upload

    added = 0
    for council, period_end, version, assignments in DEMO_RETURNS:
        if _taken(session, council, ReturnKind.quarterly, period_end):
            continue
        workforce, sheet = demo_files(council, period_end, version, assignments)
        name = demo_file_name(council, period_end)
        refused = _ingest(
            session,
            actor,
            council,
            Upload(workforce, name),
            Upload(sheet, name.replace("quarterly", "assignments")),
        )
        if refused is not None:
            yield f"Made-up return {name} was refused: {refused}"
            continue
        added += 1
    yield f"Made-up quarterly returns with agency assignments: {added} added"
    census = 0
    if not _taken(session, CENSUS_COUNCIL, ReturnKind.census, CENSUS_REFERENCE):
        name = census_file_name()
        refused = _ingest(session, actor, CENSUS_COUNCIL, Upload(census_file(), name), None)
        if refused is not None:
            yield f"Made-up census {name} was refused: {refused}"
        else:
            census = 1
    yield f"Made-up census returns: {census} added"
    return added + census


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
