"""The demonstration's made-up files: quarterly returns with agency assignments, and a CSWW
census, built as a council would send them (CSV), for ``workforce.mou.demo`` to take in
through the ordinary ingest. Every file name says MADE-UP, and so does every agency name.

The census (Camden's, 30 September 2025) has, among its council staff, a social worker who
left on 15 August 2025 (``LEFT_FOR_AGENCY``) and is engaged through an agency by
Greenwich from 24 November 2025: within London's 6-month cooling-off period, so London's
assessment shows one ``cooling_off`` finding.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

# The made-up census: Camden's, at the census date of 30 September 2025.
CENSUS_COUNCIL = "202"  # Camden, London
CENSUS_REFERENCE = date(2025, 9, 30)
# A social worker who left a permanent post at Camden (the census) and is then engaged
# through an agency by Greenwich (its quarterly return), within London's cooling-off.
LEFT_FOR_AGENCY = "SW0000900601"
LEFT_ON = date(2025, 8, 15)


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
            # Left a permanent post at Camden on 15 August 2025 (the made-up census): within
            # London's 6-month cooling-off period.
            DemoAssignment("social_worker", LEFT_FOR_AGENCY, "2025-11-24", 24.00),
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


# --- the made-up census ----------------------------------------------------------------------

# The census's council staff and its totals, chosen so that its measures are near Camden's
# published ones (no plausibility warnings): in post 180 workers (172.8 FTE, 30 of them
# starters in the year), 28 leavers in the year (26.8 FTE: turnover 15.5%), 27 agency
# workers (25.5 FTE: agency rate 12.9%), 30 vacancies (14.8%), 90 case holders (86.4 FTE)
# with 1,080 cases (caseload 12.5), 990 working days lost (absence 2.3%).
CENSUS_IN_POST = 180
CENSUS_STARTERS = 30  # of those in post
CENSUS_LEAVERS = 28
CENSUS_AGENCY = 27
CENSUS_TOTALS = {"NumberOfVacancies": "30.00", "NoAgencyFTE": "25.50", "NoAgencyHeadcount": "27"}

CENSUS_COLUMNS = [
    "LEA",
    "ReferenceDate",
    "NumberOfVacancies",
    "NoAgencyFTE",
    "NoAgencyHeadcount",
    "AgencyWorker",
    "SWENo",
    "FTE",
    "PersonBirthDate",
    "GenderCurrent",
    "Ethnicity",
    "QualInst",
    "QualLevel",
    "StepUpGrad",
    "OrgRole",
    "RoleStartDate",
    "StartOrigin",
    "RoleEndDate",
    "LeaverDestination",
    "ReasonLeave",
    "FTE30",
    "Cases30",
    "WorkingDaysLost",
    "FrontlineGrad",
]
_ETHNICITIES = ("WBRI", "BAFR", "WOTH", "AIND", "BCRB", "MWBC", "ABAN", "WIRI", "OOTH", "CHNE")
_UNIVERSITIES = ("Open University", "University of Kent", "Goldsmiths", "Brunel University")
# Non-case-holding roles in post: mostly senior practitioners, some managers.
_ROLES = ("4", "3", "4", "6", "4", "2", "4", "3", "4", "1")


def _council_worker(i: int, swe: str, start: date, end: date | None) -> dict[str, str]:
    """Council staff member ``i`` (personal fields varied by ``i``, never random)."""
    in_post = end is None
    holder = in_post and i % 2 == 0
    fte = "0.800000" if i % 5 == 0 else "1.000000"
    record = {
        "AgencyWorker": "0",
        "SWENo": swe,
        "FTE": fte,
        "PersonBirthDate": (date(1962, 1, 1) + timedelta(days=(i * 397) % 12000)).isoformat(),
        "GenderCurrent": "1" if i % 4 == 1 else "2",
        "Ethnicity": _ETHNICITIES[i % len(_ETHNICITIES)],
        "QualInst": _UNIVERSITIES[i % len(_UNIVERSITIES)],
        "QualLevel": "2" if i % 3 == 0 else "1",
        "StepUpGrad": "0",
        "OrgRole": "5" if holder else _ROLES[(i // 2) % len(_ROLES)],
        "RoleStartDate": start.isoformat(),
        "StartOrigin": str(1 + i % 9),
        "FrontlineGrad": "1" if i % 7 == 0 else "0",
    }
    if end is not None:
        record["RoleEndDate"] = end.isoformat()
        record["LeaverDestination"] = str(1 + i % 8)
        record["ReasonLeave"] = "1" if i % 4 else "5"  # resigned; every 4th retired
    if holder:
        record["FTE30"] = fte
        record["Cases30"] = str(10 + i % 5)
    if in_post and i % 3 == 0:
        record["WorkingDaysLost"] = "16.50"
    return record


def census_records() -> list[dict[str, str]]:
    """The made-up census's worker records: council staff in post (stayers, then starters in
    the year), leavers in the year (among them ``LEFT_FOR_AGENCY``), then agency workers."""
    records = []
    stayers = CENSUS_IN_POST - CENSUS_STARTERS
    for i in range(CENSUS_IN_POST):
        if i < stayers:
            start = date(2012, 1, 9) + timedelta(days=23 * i)
        else:
            start = date(2024, 10, 7) + timedelta(days=11 * (i - stayers))
        records.append(_council_worker(i, f"SW00009{10000 + i:05d}", start, None))
    for k in range(CENSUS_LEAVERS):
        i = CENSUS_IN_POST + k
        swe, end = f"SW00009{10000 + i:05d}", date(2024, 10, 18) + timedelta(days=12 * k)
        if k == 0:
            swe, end = LEFT_FOR_AGENCY, LEFT_ON
        record = _council_worker(i, swe, date(2016, 4, 4) + timedelta(days=41 * k), end)
        if k == 0:  # resigned, to agency work
            record.update(ReasonLeave="1", LeaverDestination="3")
        records.append(record)
    for j in range(CENSUS_AGENCY):
        records.append(
            {
                "AgencyWorker": "1",
                "SWENo": f"SW00009{20000 + j:05d}",
                "QualInst": "Not known",
                "RoleStartDate": (date(2025, 3, 3) + timedelta(days=7 * j)).isoformat(),
            }
        )
    return records


def census_file() -> bytes:
    """The made-up census as CSV: its header and council totals repeated on every row."""
    shared = {
        "LEA": CENSUS_COUNCIL,
        "ReferenceDate": CENSUS_REFERENCE.isoformat(),
        **CENSUS_TOTALS,
    }
    return _csv([{**shared, **record} for record in census_records()], CENSUS_COLUMNS)


def census_file_name() -> str:
    return f"MADE-UP-demo-census-{CENSUS_COUNCIL}-{CENSUS_REFERENCE:%Y-%m-%d}.csv"
