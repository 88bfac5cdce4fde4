"""The workers file checked row by row: each row's cells, one column at a time, into a worker.

Every problem goes to the caller's :class:`~workforce.ingest.problems.Issues` with its sheet,
row, column, value and rule id (``worker.role``, ``worker.swe_number``, ...). The columns
are :data:`workforce.pool.worker_file.COLUMNS`; reading the file is
:mod:`workforce.pool.worker_file`'s, storing the rows :mod:`workforce.pool.workers_import`'s.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from workforce.councils.models import Council, Region, RegionKind
from workforce.ingest import cells, tables
from workforce.ingest.problems import Issues
from workforce.pool.models import Registration
from workforce.pool.terms import ROLE_LABELS, SPECIALISM_LABELS, PoolRole, Specialism
from workforce.pool.worker_file import COLUMNS

MAX_DAY_RATE = 2000.0
# Social Work England numbers are SW and digits; the census schema stores them as SW and
# ten digits (SW0000123456), the form kept here so one person has one number.
SWE_NUMBER = re.compile(r"^SW\s*(\d{1,10})$", re.IGNORECASE)
WINDOW = re.compile(r"^(.+?)\s*\.\.\s*(.+)$")


@dataclass
class WorkerRow:
    """One valid row of the file: a worker as it will be stored."""

    row: int
    name: str
    role: PoolRole
    swe_number: str
    registration: Registration
    registration_checked: date | None
    qualified_on: date
    specialisms: list[Specialism]
    intervention_experience: bool
    home_region: str
    work_regions: list[str]
    work_councils: list[str]
    remote: bool
    availability: list[tuple[date, date]]
    permanent_posts: list[tuple[str, date]]
    references_held: int
    day_rate: float
    active: bool


@dataclass
class _Lookups:
    regions: dict[str, str]  # code or name (as compared) -> region code
    councils: dict[str, str]  # DfE code, ONS code or name (as compared) -> DfE code


def _lookups(session: Session) -> _Lookups:
    regions: dict[str, str] = {}
    for region in session.exec(select(Region).where(Region.kind == RegionKind.region)):
        regions[cells.key(region.code)] = region.code
        regions[cells.key(region.name)] = region.code
    councils: dict[str, str] = {}
    for council in session.exec(select(Council)):
        councils[cells.key(council.code)] = council.code
        councils[cells.key(council.ons_code)] = council.code
        # A former council's name may be a current one's: the current one wins.
        if council.last_year is None or cells.key(council.name) not in councils:
            councils[cells.key(council.name)] = council.code
    return _Lookups(regions, councils)


_ROLES = {cells.key(r.value): r for r in PoolRole} | {
    cells.key(label): r for r, label in ROLE_LABELS.items()
}
_SPECIALISMS = {cells.key(s.value): s for s in Specialism} | {
    cells.key(label): s for s, label in SPECIALISM_LABELS.items()
}
_REGISTRATIONS = {cells.key(r.value): r for r in Registration}


class _Row:
    """One row's cells, checked one column at a time; each problem names its column."""

    def __init__(
        self,
        issues: Issues,
        sheet: str,
        number: int,
        values: dict[str, Any],
        refused: set[str],
    ):
        self.issues, self.sheet, self.line, self.values = issues, sheet, number, values
        # Columns whose cell was refused as a formula (by the reader, or here): reported once.
        self.refused = set(refused)
        self.ok = not refused

    def blank(self, column: str) -> None:
        """Report the required ``column`` as blank, unless its cell was refused already."""
        if column not in self.refused:
            self.error(column, "this must not be blank")

    def error(self, column: str, message: str, value: object = None) -> None:
        self.ok = False
        shown = None if value is None else cells.cell_text(value)
        self.issues.error(
            f"worker.{column}",
            message,
            sheet=self.sheet,
            row=self.line,
            column=column,
            value=shown,
        )

    def raw(self, column: str) -> Any:
        value = self.values.get(column)
        if column in self.refused:
            return None
        if isinstance(value, str) and value.strip().startswith(cells.TEXT_FORMULA_START):
            self.ok = False
            self.refused.add(column)
            self.issues.error(
                "cell.formula",
                "a cell may not start with =, + or @ (a spreadsheet would run it as a formula)",
                sheet=self.sheet,
                row=self.line,
                column=column,
                value=value,
            )
            return None
        return None if cells.blank(value) else value

    def text(self, column: str, required: bool = False) -> str | None:
        value = self.raw(column)
        if value is None:
            if required:
                self.blank(column)
            return None
        return cells.cell_text(value)

    def parts(self, column: str) -> list[str]:
        value = self.text(column)
        return [p.strip() for p in (value or "").split(";") if p.strip()]

    def a_date(self, column: str, required: bool = False, text: str | None = None) -> date | None:
        value = self.raw(column) if text is None else text
        if value is None:
            if required:
                self.blank(column)
            return None
        try:
            read = cells.parse_date(value)
        except ValueError:
            read = None
        if read is None:
            self.error(column, "not a date: use 2027-01-04 or 04/01/2027", value)
        return read

    def yes_no(self, column: str, default: bool) -> bool:
        value = self.text(column)
        if value is None:
            return default
        if value.lower() in cells.YES:
            return True
        if value.lower() in cells.NO:
            return False
        self.error(column, "this must be Y or N", value)
        return default

    def number(self, column: str) -> float | None:
        value = self.raw(column)
        if value is None:
            return None
        if isinstance(value, bool):
            result = None
        elif isinstance(value, int | float):
            result = float(value)
        else:
            try:
                result = float(str(value).strip().lstrip("£").replace(",", ""))
            except ValueError:
                result = None
        if result is None or result != result or result in (float("inf"), float("-inf")):
            self.error(column, "this must be a number", value)
            return None
        return result


def _check_row(row: _Row, lookups: _Lookups, today: date) -> WorkerRow | None:
    name = row.text("name", required=True)
    if name is not None and len(name) > 200:
        row.error("name", "the name is longer than 200 characters", name)
    role_text = row.text("role", required=True)
    role = _ROLES.get(cells.key(role_text)) if role_text else None
    if role_text and role is None:
        row.error("role", COLUMNS["role"][1], role_text)
    swe_text = row.text("swe_number", required=True)
    swe = None
    if swe_text:
        match = SWE_NUMBER.match(swe_text.strip())
        if match is None:
            row.error(
                "swe_number",
                "a Social Work England number is SW and digits (SW0000123456)",
                swe_text,
            )
        else:
            swe = "SW" + match.group(1).zfill(10)
    reg_text = row.text("registration", required=True)
    registration = _REGISTRATIONS.get(cells.key(reg_text)) if reg_text else None
    if reg_text and registration is None:
        row.error("registration", COLUMNS["registration"][1], reg_text)
    checked = row.a_date("registration_checked")
    if checked is not None and checked > today:
        row.error("registration_checked", "this day is in the future", checked)
    qualified = row.a_date("qualified_on", required=True)
    if qualified is not None and qualified > today:
        row.error("qualified_on", "this day is in the future", qualified)
    specialisms: set[Specialism] = set()
    for part in row.parts("specialisms"):
        found = _SPECIALISMS.get(cells.key(part))
        if found is None:
            row.error(
                "specialisms",
                "unknown specialism; use codes or labels: "
                + ", ".join(s.value for s in Specialism),
                part,
            )
        else:
            specialisms.add(found)
    home_text = row.text("home_region", required=True)
    home = lookups.regions.get(cells.key(home_text)) if home_text else None
    if home_text and home is None:
        row.error("home_region", "unknown region: use an ONS code or a name", home_text)
    work_regions = _codes(row, "work_regions", lookups.regions, "region")
    work_councils = _codes(row, "work_councils", lookups.councils, "council")
    availability = _windows(row)
    posts = _permanent_posts(row, lookups, today)
    references = row.number("references_held")
    if references is not None and (references < 0 or references != int(references)):
        row.error("references_held", "this must be a whole number, 0 or more", references)
    day_rate = row.number("day_rate")
    if day_rate is None and row.raw("day_rate") is None:
        row.blank("day_rate")
    elif day_rate is not None and not 0 < day_rate <= MAX_DAY_RATE:
        row.error("day_rate", f"a day rate is above 0 and at most {MAX_DAY_RATE:g}", day_rate)
    intervention = row.yes_no("intervention_experience", False)
    remote = row.yes_no("remote", False)
    active = row.yes_no("active", True)
    if not row.ok:
        return None
    assert name and role and swe and registration and qualified and home and day_rate
    return WorkerRow(
        row=row.line,
        name=name,
        role=role,
        swe_number=swe,
        registration=registration,
        registration_checked=checked,
        qualified_on=qualified,
        specialisms=sorted(specialisms),
        intervention_experience=intervention,
        home_region=home,
        work_regions=work_regions,
        work_councils=work_councils,
        remote=remote,
        availability=availability,
        permanent_posts=posts,
        references_held=int(references or 0),
        day_rate=round(day_rate, 2),
        active=active,
    )


def _codes(row: _Row, column: str, known: dict[str, str], what: str) -> list[str]:
    found: set[str] = set()
    for part in row.parts(column):
        code = known.get(cells.key(part))
        if code is None:
            row.error(column, f"unknown {what}: use a code or a name", part)
        else:
            found.add(code)
    return sorted(found)


def _windows(row: _Row) -> list[tuple[date, date]]:
    windows = []
    for part in row.parts("availability"):
        match = WINDOW.match(part)
        if match is None:
            row.error("availability", "a window is start..end, as 2027-01-04..2027-06-30", part)
            continue
        start = row.a_date("availability", text=match.group(1))
        end = row.a_date("availability", text=match.group(2))
        if start is not None and end is not None:
            if end < start:
                row.error("availability", "this window ends before it starts", part)
            else:
                windows.append((start, end))
    return sorted(set(windows))


def _permanent_posts(row: _Row, lookups: _Lookups, today: date) -> list[tuple[str, date]]:
    posts = []
    for part in row.parts("permanent_posts"):
        council_text, sep, left = part.rpartition(":")
        if not sep or not council_text.strip():
            row.error("permanent_posts", "a past post is council:left_on, as 202:2025-03-31", part)
            continue
        code = lookups.councils.get(cells.key(council_text))
        if code is None:
            row.error("permanent_posts", "unknown council: use a code or a name", council_text)
        left_on = row.a_date("permanent_posts", text=left.strip())
        if code is not None and left_on is not None:
            posts.append((code, left_on))
    return sorted(set(posts))


def check_rows(
    *, session: Session, table: tables.Table, issues: Issues, today: date
) -> list[WorkerRow]:
    """Return the table's rows as workers; every problem goes to ``issues``."""
    lookups = _lookups(session)
    workers: list[WorkerRow] = []
    seen: dict[str, int] = {}
    formulas: dict[int, set[str]] = defaultdict(set)
    for problem in issues.errors:
        if problem.rule.endswith(".formula") and problem.row and problem.column:
            formulas[problem.row].add(problem.column)
    for number, values in table.rows:
        row = _Row(issues, table.name, number, values, formulas.get(number, set()))
        worker = _check_row(row, lookups, today)
        if worker is None:
            continue
        if worker.swe_number in seen:
            row.error(
                "swe_number",
                f"this worker is also on row {seen[worker.swe_number]}: one row per worker",
                worker.swe_number,
            )
            continue
        seen[worker.swe_number] = number
        workers.append(worker)
    return workers
