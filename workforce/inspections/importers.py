"""Importing Ofsted judgements from any known layout: check every row, then write.

Nothing is written unless every row is valid. Rows are keyed by council and inspection
start date: a new inspection is added; a known one is completed (empty fields filled in)
and corrected (differing fields updated), but a judgement is never deleted and a stored
value is never blanked, so the history and the overview can be imported in either order
(an inspection's end date only ever moves later: an inspection in parts ends with its last).

A workbook may give an inspection on more than one sheet (Ofsted's latest outcomes and its
history since 2018): the first sheet's values stand, and a later sheet fills their gaps.
A cell holding a formula is refused where a field is read from it, never evaluated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlmodel import Session, select

from workforce.councils.models import Council
from workforce.data import OFSTED_DIR
from workforce.errors import InputDataError, Problem
from workforce.ingest.cells import NO_VALUE, cell_text, key, parse_date
from workforce.ingest.workbooks import Formula
from workforce.inspections.layouts import JudgementSheet, read_tables
from workforce.inspections.models import Judgement
from workforce.inspections.vocabulary import GRADED_FRAMEWORKS, parse_grade
from workforce.timeutils import utcnow

HISTORY_FILE = OFSTED_DIR / "ofsted_judgement_history.csv"
OVERVIEW_FILE = OFSTED_DIR / "ofsted_csc_ilacs_overview.xlsx"
PROGRESS_EVERY = 50
GRADE_FIELDS = ("grade", "impact_of_leaders", "help_and_protection", "in_care", "care_leavers")
MAX_LENGTHS = {"urn": 20, "note": 1000}
DATE_HINT = "not a date: write dd/mm/yyyy or yyyy-mm-dd, or use a date cell"
CODE_HINT = "give a DfE 3-digit code such as 202 or an ONS code such as E09000007"
T = TypeVar("T")

Skip = tuple[int, str]  # (row, why it was skipped)


@dataclass
class JudgementImportReport:
    """What importing one judgements file did."""

    source: str
    layout: str = ""
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[Skip] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return self.added + self.updated

    def summary(self) -> str:
        return (
            f"{self.source} ({self.layout}): {self.rows} rows; {self.added} added, "
            f"{self.updated} updated, {self.unchanged} unchanged, {len(self.skipped)} skipped"
        )


@dataclass
class Incoming:
    """A valid row: which inspection, and the fields the file gives (None: gives nothing)."""

    row: int
    council_code: str
    inspection_start: date | None  # None only for overview rows matched on publication date
    values: dict[str, Any]


class _Cells:
    """One data row's cells, read by field; each unreadable cell adds a Problem."""

    def __init__(
        self,
        table: JudgementSheet,
        file: str,
        number: int,
        cells: list[Any],
        problems: list[Problem],
    ) -> None:
        self.table = table
        self.file = file
        self.number = number
        self.cells = cells
        self.problems = problems
        self.bad: set[str] = set()

    def _cell(self, name: str) -> Any:
        index = self.table.columns.get(name)
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def raw(self, name: str) -> Any:
        value = self._cell(name)
        if isinstance(value, Formula):
            if name not in self.bad:
                message = "holds a formula, which is never read or run: paste the value instead"
                self.problem(name, "judgements.formula", message)
            return None
        return value

    def text(self, name: str) -> str:
        text = cell_text(self.raw(name))
        return "" if key(text) in NO_VALUE else text

    def problem(self, name: str, rule: str, message: str) -> None:
        label = self.table.labels.get(name, name)
        value = cell_text(self._cell(name))
        self.problems.append(
            Problem(rule, message, self.file, self.number, label, value, sheet=self.table.sheet)
        )
        self.bad.add(name)

    def read(self, name: str, parse: Callable[[Any], T], rule: str, message: str) -> T | None:
        try:
            return parse(self.raw(name))
        except ValueError:
            self.problem(name, rule, message)
            return None


def _council(cells: _Cells, councils: dict[str, str]) -> str | None:
    code = cells.text("council_code").upper()
    if code in councils:
        return councils[code]
    name = cells.text("council_name")
    named = f" (the row names {name!r})" if name else ""
    what = f"no council has this code{named}" if code else "a council code is required"
    cells.problem("council_code", "judgements.unknown_council", f"{what}: {CODE_HINT}")
    return None


def _check(cells: _Cells, start: date | None, values: dict[str, Any], today: date) -> None:
    """Add a Problem for each date in the future, an end before the start, an overlong text."""
    dated = (("inspection_start", start), ("inspection_end", values["inspection_end"]))
    for name, value in (*dated, ("published", values["published"])):
        if value is not None and value > today:
            cells.problem(name, "judgements.date", f"is in the future (today is {today:%d/%m/%Y})")
    end = values["inspection_end"]
    if start is not None and end is not None and end < start:
        message = f"the inspection ends before it starts ({start:%d/%m/%Y})"
        cells.problem("inspection_end", "judgements.date", message)
    for name, limit in MAX_LENGTHS.items():
        if values[name] is not None and len(values[name]) > limit:
            cells.problem(name, "judgements.too_long", f"longer than {limit} characters")


def _parse_row(cells: _Cells, councils: dict[str, str], today: date) -> Incoming | str | None:
    """Return the row's judgement, a reason to skip it, or None if it has problems."""
    layout = cells.table.layout
    framework_text = cells.text("framework")
    if key(framework_text) in layout.skip_frameworks:
        note = cells.text("note")
        return f"no inspection data (framework {framework_text!r})" + (f": {note}" if note else "")
    code = _council(cells, councils)
    start = cells.read("inspection_start", parse_date, "judgements.date", DATE_HINT)
    grade_hint = "not a grade: expected outstanding, good, adequate, requires improvement or "
    grade_hint += "inadequate" + (", or Ofsted's 1 to 4" if layout.numeric_grades else "")
    kind = cells.table.labels["framework"]
    values: dict[str, Any] = {
        "framework": cells.read(
            "framework",
            lambda v: layout.framework(cell_text(v)),
            "judgements.framework",
            f"unknown {kind}: expected {layout.framework_hint}",
        ),
        "inspection_end": cells.read("inspection_end", parse_date, "judgements.date", DATE_HINT),
        "published": cells.read("published", parse_date, "judgements.date", DATE_HINT),
        "urn": cells.text("urn") or None,
        "note": cells.text("note") or None,
    }
    grade = partial(parse_grade, numeric=layout.numeric_grades)
    for name in GRADE_FIELDS:
        values[name] = cells.read(name, grade, "judgements.grade", grade_hint)
    dateless = layout.dateless_rows and start is None and "inspection_start" not in cells.bad
    if dateless and values["published"] is None and not cells.bad:
        return "no inspection dates and no publication date: nothing to attach its grades to"
    if start is None and not dateless and "inspection_start" not in cells.bad:
        cells.problem(
            "inspection_start", "judgements.date", "the inspection start date is required"
        )
    if values["framework"] is None and not dateless and "framework" not in cells.bad:
        cells.problem("framework", "judgements.framework", f"required: {layout.framework_hint}")
    ungraded = values["framework"] in GRADED_FRAMEWORKS and values["grade"] is None
    if layout.grade_required and ungraded and "grade" not in cells.bad:
        message = "an inspection needs an overall effectiveness grade (only visits may lack one)"
        cells.problem("grade", "judgements.grade", message)
    _check(cells, start, values, today)
    if cells.bad or code is None:
        return None
    return Incoming(cells.number, code, start, values)


def _validate(
    *, session: Session, tables: list[JudgementSheet], file: str, today: date
) -> list[Incoming | Skip]:
    """Return every non-blank row as a judgement or a skip, or raise with every problem."""
    councils: dict[str, str] = {}
    for council in session.exec(select(Council)):
        councils[council.code] = council.code
        councils[council.ons_code.upper()] = council.code
    if not councils:
        # Otherwise every row would be reported as naming an unknown council.
        message = "no councils are loaded: run `workforce demo` or the reference_refresh job first"
        raise InputDataError([Problem("judgements.unknown_council", message, file=file)])
    problems: list[Problem] = []
    items: list[Incoming | Skip] = []
    seen: dict[tuple[str, date], tuple[str | None, int, Incoming]] = {}
    for table in tables:
        for number, row in table.rows:
            if not any(cell_text(c) for c in row):
                continue
            cells = _Cells(table, file, number, row, problems)
            result = _parse_row(cells, councils, today)
            if isinstance(result, str):
                items.append((number, result))
            elif result is not None:
                if result.inspection_start is not None:
                    inspection = (result.council_code, result.inspection_start)
                    sheet, first, earlier = seen.setdefault(
                        inspection, (table.sheet, number, result)
                    )
                    if sheet != table.sheet:
                        _fill_gaps(earlier, result)
                        continue
                    if first != number:
                        message = (
                            f"row {first} already gives this council's inspection on this date"
                        )
                        cells.problem("inspection_start", "judgements.duplicate", message)
                items.append(result)
    if problems:
        raise InputDataError(problems)
    return items


def _fill_gaps(earlier: Incoming, later: Incoming) -> None:
    """Complete a row with the fields another sheet gives for the same inspection."""
    for name, value in later.values.items():
        if earlier.values.get(name) is None and value is not None:
            earlier.values[name] = value


def _published_match(stored: dict[tuple[str, date], Judgement], item: Incoming) -> Judgement | None:
    """Return the one stored judgement of the row's council published on the row's date."""
    published = item.values["published"]
    found = [
        j
        for j in stored.values()
        if j.council_code == item.council_code and j.published == published
    ]
    return found[0] if len(found) == 1 else None


def _write(
    *,
    session: Session,
    items: list[Incoming | Skip],
    source: str,
    report: JudgementImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    stored = {(j.council_code, j.inspection_start): j for j in session.exec(select(Judgement))}
    for done, item in enumerate(items, start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress(PROGRESS_EVERY)
        if isinstance(item, tuple):
            report.skipped.append(item)
            continue
        given = {name: value for name, value in item.values.items() if value is not None}
        if item.inspection_start is None:
            current = _published_match(stored, item)
            if current is None:
                reason = (
                    f"no inspection dates, and no one judgement of council {item.council_code} "
                    f"was published on {item.values['published']:%d/%m/%Y} to attach its grades to"
                )
                report.skipped.append((item.row, reason))
                continue
        else:
            current = stored.get((item.council_code, item.inspection_start))
            if current is None:
                judgement = Judgement(
                    council_code=item.council_code,
                    inspection_start=item.inspection_start,
                    source=source,
                    **given,
                )
                session.add(judgement)
                stored[(item.council_code, item.inspection_start)] = judgement
                report.added += 1
                continue
        changes = {name: value for name, value in given.items() if getattr(current, name) != value}
        # An inspection in parts ends with its last part: one source may give the end of the
        # first part, another the last; the later end stands, whatever order they come in.
        end = changes.get("inspection_end")
        if end is not None and current.inspection_end is not None and end < current.inspection_end:
            del changes["inspection_end"]
        if not changes:
            report.unchanged += 1
            continue
        for name, value in changes.items():
            setattr(current, name, value)
        current.updated_at = utcnow()
        session.add(current)
        report.updated += 1
    if progress and len(items) % PROGRESS_EVERY:
        progress(len(items) % PROGRESS_EVERY)
    session.flush()


def import_judgements(
    *,
    session: Session,
    path: Path,
    progress: Callable[[int], None] | None = None,
    today: date | None = None,
) -> JudgementImportReport:
    """Return what importing the judgements file at ``path`` added, updated and skipped.

    ``progress`` is called with the number of rows handled since its previous call. Dates
    after ``today`` (default: the system date) are refused.
    """
    tables = read_tables(path)
    items = _validate(session=session, tables=tables, file=path.name, today=today or date.today())
    # The name is the source that created a row; the column holds 255 characters.
    report = JudgementImportReport(
        source=path.name[:255], layout=tables[0].layout.name, rows=len(items)
    )
    _write(session=session, items=items, source=report.source, report=report, progress=progress)
    return report
