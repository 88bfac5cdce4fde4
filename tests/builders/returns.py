"""Realistic CSWW census files, built to a design whose measures are known by hand.

``CensusDesign`` says how many workers of each kind a council has; ``census_xml`` writes
them as the XSD describes (element order, codes, decimals) with varied personal fields,
and ``expected`` works out the DfE counts from the design alone, by arithmetic on the
numbers of workers and their FTEs, without reading the file.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape

ETHNICITIES = ["WBRI", "WIRI", "WOTH", "MWBC", "AIND", "BAFR", "BCRB", "CHNE", "OOTH", "REFU"]
FTES = (1.0, 0.8, 0.6, 0.5)  # cycled: each group's FTE total is known by construction


@dataclass(frozen=True)
class CensusDesign:
    council_code: str = "202"
    reference_date: date = date(2025, 9, 30)
    stayers: int = 200  # in post all year
    starters: int = 40  # started in the year, still in post
    leavers: int = 30  # left in the year (from before the year)
    starter_leavers: int = 5  # started and left within the year
    old_leavers: int = 10  # left before the year: not counted at all
    agency: int = 25  # agency records: not counted as staff
    case_holder_share: int = 3  # every 3rd worker in post holds cases
    cases_each: int = 17
    days_lost_each: float = 2.5  # per worker in post, every 4th worker
    vacancies: float = 31.5
    agency_fte: float = 23.4
    agency_headcount: int = 25
    seed: int = 7

    def fte(self, i: int) -> float:
        return FTES[i % len(FTES)]


def _fte_total(design: CensusDesign, start: int, count: int) -> float:
    return sum(design.fte(i) for i in range(start, start + count))


def expected(design: CensusDesign) -> dict[str, float]:
    """DfE's counts for the design, worked out from the design's numbers only."""
    # Workers are numbered in this order: stayers, starters, leavers, starter-leavers,
    # old leavers; their FTE is FTES[number % 4].
    s, st, lv, sl = design.stayers, design.starters, design.leavers, design.starter_leavers
    inpost = list(range(0, s + st))
    leaver_ids = list(range(s + st, s + st + lv + sl))
    starter_ids = list(range(s, s + st)) + list(range(s + st + lv, s + st + lv + sl))
    holders = [i for i in inpost if i % design.case_holder_share == 0]
    absent = [i for i in inpost if i % 4 == 0]
    return {
        "inpost_fte": round(sum(design.fte(i) for i in inpost), 6),
        "inpost_headcount": float(len(inpost)),
        "starters_fte": round(sum(design.fte(i) for i in starter_ids), 6),
        "leavers_fte": round(sum(design.fte(i) for i in leaver_ids), 6),
        "leavers_headcount": float(len(leaver_ids)),
        "case_holders_fte": round(sum(design.fte(i) for i in holders), 6),
        "cases": float(len(holders) * design.cases_each),
        "working_days_lost_fte": round(len(absent) * design.days_lost_each, 2),
        "agency_fte": design.agency_fte,
        "vacancy_fte": design.vacancies,
    }


def _worker(design: CensusDesign, i: int, rng: random.Random) -> dict[str, str]:
    r = design.reference_date
    # A year before 29 February is 28 February, as the census counts it.
    year_before = date(r.year - 1, r.month, min(r.day, 28 if r.month == 2 else 31))
    s, st, lv, sl = design.stayers, design.starters, design.leavers, design.starter_leavers
    if i < s:  # stayer
        start, end = year_before - timedelta(days=rng.randint(1, 4000)), None
    elif i < s + st:  # starter still in post
        start, end = year_before + timedelta(days=rng.randint(1, 365)), None
    elif i < s + st + lv:  # leaver who started before the year
        start = year_before - timedelta(days=rng.randint(1, 3000))
        end = year_before + timedelta(days=rng.randint(1, 365))
    elif i < s + st + lv + sl:  # started and left in the year
        start = year_before + timedelta(days=rng.randint(1, 150))
        end = start + timedelta(days=rng.randint(1, 200))
    else:  # left before the year
        start = year_before - timedelta(days=rng.randint(800, 3000))
        end = year_before - timedelta(days=rng.randint(0, 700))
    in_post = i < s + st
    record = {
        "AgencyWorker": "0",
        "SWENo": f"SW{1000000000 + i:010d}",
        "FTE": f"{design.fte(i):.6f}",
        "PersonBirthDate": (date(1960, 1, 1) + timedelta(days=rng.randint(0, 14000))).isoformat(),
        "GenderCurrent": rng.choice("129"),
        "Ethnicity": rng.choice(ETHNICITIES),
        "QualInst": rng.choice(["University of Leeds", "Open University", "UCL", "Abroad"]),
        "QualLevel": rng.choice("123"),
        "StepUpGrad": rng.choice("01"),
        "OrgRole": rng.choice("123456") if not in_post or i % design.case_holder_share else "5",
        "RoleStartDate": start.isoformat(),
        "StartOrigin": str(rng.randint(1, 10)),
    }
    if end is not None:
        record["RoleEndDate"] = end.isoformat()
        record["LeaverDestination"] = str(rng.randint(1, 9))
        record["ReasonLeave"] = str(rng.randint(1, 10))
    if in_post and i % design.case_holder_share == 0:
        record["FTE30"] = f"{design.fte(i):.6f}"
        record["Cases30"] = str(design.cases_each)
    if in_post and i % 4 == 0:
        record["WorkingDaysLost"] = f"{design.days_lost_each:.2f}"
    record["FrontlineGrad"] = rng.choice("01")
    return record


def _agency_worker(design: CensusDesign, i: int) -> dict[str, str]:
    # Agency records carry only what the schema requires; their personal fields are optional.
    return {
        "AgencyWorker": "1",
        "SWENo": f"SW{2000000000 + i:010d}",
        "QualInst": "Not known",
        "RoleStartDate": (design.reference_date - timedelta(days=30 + i)).isoformat(),
    }


def records(design: CensusDesign) -> list[dict[str, str]]:
    rng = random.Random(design.seed)
    total = (
        design.stayers
        + design.starters
        + design.leavers
        + design.starter_leavers
        + design.old_leavers
    )
    workers = [_worker(design, i, rng) for i in range(total)]
    workers += [_agency_worker(design, i) for i in range(design.agency)]
    rng.shuffle(workers)
    return workers


def census_xml(design: CensusDesign, workers: list[dict[str, str]] | None = None) -> bytes:
    """Return the census as the XML a council sends DfE (element order as in the XSD)."""
    workers = records(design) if workers is None else workers
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<Message>",
        "<Header><CollectionDetails><Collection>CSWW</Collection>"
        f"<Year>{design.reference_date.year}</Year>"
        f"<ReferenceDate>{design.reference_date.isoformat()}</ReferenceDate>"
        "</CollectionDetails><Source><SourceLevel>L</SourceLevel>"
        f"<LEA>{design.council_code}</LEA><SoftwareCode>HR system</SoftwareCode></Source>"
        "</Header>",
        f"<LALevelVacancies><NumberOfVacancies>{design.vacancies:.2f}</NumberOfVacancies>"
        f"<NoAgencyFTE>{design.agency_fte:.2f}</NoAgencyFTE>"
        f"<NoAgencyHeadcount>{design.agency_headcount}</NoAgencyHeadcount></LALevelVacancies>",
    ]
    for worker in workers:
        out.append("<CSWWWorker>")
        out.extend(f"<{k}>{escape(v)}</{k}>" for k, v in worker.items())
        out.append("</CSWWWorker>")
    out.append("</Message>")
    return "\n".join(out).encode("utf-8")


CSV_COLUMNS = [
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


def census_csv(design: CensusDesign, workers: list[dict[str, str]] | None = None) -> bytes:
    """The same census as CSV: header and council totals repeated on every row."""
    import csv
    import io

    workers = records(design) if workers is None else workers
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for worker in workers:
        writer.writerow(
            {
                "LEA": design.council_code,
                "ReferenceDate": design.reference_date.isoformat(),
                "NumberOfVacancies": f"{design.vacancies:.2f}",
                "NoAgencyFTE": f"{design.agency_fte:.2f}",
                "NoAgencyHeadcount": design.agency_headcount,
                **worker,
            }
        )
    return buffer.getvalue().encode("utf-8")


# --- the quarterly return ----------------------------------------------------------------

ROLE_FIGURES = {
    # role: (establishment, inpost, inpost people, agency, agency people, vacancies, starters,
    #        leavers, resignation, retirement, case holders, cases, days lost)
    "social_worker": (120, 90.5, 95, 14.0, 14, 15.5, 6.0, 5.0, 4.0, 1.0, 80.0, 1400, 210.5),
    "senior_practitioner": (40, 33.0, 34, 3.0, 3, 4.0, 1.0, 2.0, 2.0, 0.0, 30.0, 480, 60.0),
    "advanced_practitioner": (10, 8.0, 8, 1.0, 1, 1.0, 0.0, 0.0, 0.0, 0.0, 4.0, 40, 10.0),
    "team_manager": (20, 17.0, 17, 2.0, 2, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0, 12.0),
    "iro_cp_chair": (8, 7.0, 7, 1.0, 1, 0.0, 0.0, 0.0, 0.0, 0.0, 7.0, 420, 3.0),
    "senior_middle_manager": (12, 11.0, 11, 0.0, 0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0, 2.0),
}


def quarterly_rows(council_code: str = "202", period_end: str = "2026-06-30") -> list[list]:
    from workforce.returns.quarterly import WORKFORCE_COLUMNS

    rows: list[list] = [list(WORKFORCE_COLUMNS)]
    for role, f in ROLE_FIGURES.items():
        rows.append(
            [
                council_code,
                period_end,
                role,
                f[0],
                f[1],
                f[2],
                f[3],
                f[4],
                f[5],
                f[6],
                f[7],
                f[8],
                f[9],
                0,
                0,
                0,
                0,
                f[10],
                f[11],
                f[12],
            ]
        )
    return rows


def quarterly_expected() -> dict[str, float]:
    inpost = sum(f[1] for f in ROLE_FIGURES.values())
    agency = sum(f[3] for f in ROLE_FIGURES.values())
    vacancies = sum(f[5] for f in ROLE_FIGURES.values())
    holders = sum(f[10] for f in ROLE_FIGURES.values())
    cases = sum(f[11] for f in ROLE_FIGURES.values())
    return {
        "inpost_fte": inpost,
        "agency_fte": agency,
        "vacancy_fte": vacancies,
        "case_holders_fte": holders,
        "cases": cases,
    }


ASSIGNMENTS = [
    [
        "agency_name",
        "role_group",
        "swe_number",
        "start_date",
        "end_date",
        "hourly_charge_rate",
        "hourly_pay_rate",
        "project_team",
        "above_cap_signoff_ref",
    ],
    [
        "Café Social Work Ltd",
        "social_worker",
        "SW123456",
        "2026-01-05",
        "",
        "62.50",
        "42.00",
        "N",
        "",
    ],
    [
        "Northern Locums",
        "team_manager",
        "SW654321",
        "2025-11-01",
        "2026-05-31",
        "75.00",
        "51.00",
        "Y",
        "MOU-2025-17",
    ],
]


def to_csv(rows: list[list], encoding: str = "utf-8") -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def quarterly_xlsx(
    council_code: str = "202",
    period_end: str = "2026-06-30",
    sheets: tuple[str, ...] = ("Workforce", "Agency assignments"),
) -> bytes:
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    if "Workforce" in sheets:
        sheet = workbook.create_sheet("Workforce")
        for row in quarterly_rows(council_code, period_end):
            sheet.append(row)
    if "Agency assignments" in sheets:
        sheet = workbook.create_sheet("Agency assignments")
        for row in ASSIGNMENTS:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- damaged and hostile workbooks --------------------------------------------------------


def rezip(
    workbook: bytes,
    change: dict[str, bytes | None] | None = None,
    *,
    compression: int = 8,  # zipfile.ZIP_DEFLATED
) -> bytes:
    """The workbook's parts zipped again: ``change`` replaces a part (None removes it) or
    adds a new one."""
    import io
    import zipfile

    change = change or {}
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(buffer, "w", compression=compression) as target,
    ):
        for member in source.infolist():
            data = change.get(member.filename, source.read(member.filename))
            if data is not None:
                target.writestr(member.filename, data)
        for name, data in change.items():
            if name not in source.namelist() and data is not None:
                target.writestr(name, data)
    return buffer.getvalue()


def first_sheet_xml(workbook: bytes) -> bytes:
    """The XML of the workbook's first worksheet part."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def truncated_sheet_xlsx() -> bytes:
    """The quarterly template filled in, its Workforce sheet's XML cut off half way."""
    workbook = quarterly_xlsx()
    sheet = first_sheet_xml(workbook)
    return rezip(workbook, {"xl/worksheets/sheet1.xml": sheet[: len(sheet) // 2]})
