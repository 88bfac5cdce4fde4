"""The layouts of Ofsted judgement files, and reading a file's rows under its header.

Three layouts are known: the bundled judgement history (CSV), Data to Insight's ILACS
overview (XLSX) and Ofsted's official inspection outcomes (CSV, XLSX or ODS, as Ofsted
publishes it: title rows above each sheet's header, the latest outcomes on one sheet and,
where the workbook has one, every judgement since 2018 on another). A layout names the
columns a file must have; headers match whatever their case, spacing or byte-order mark.
Files are read by the one file-reading core (``workforce.ingest``); every sheet of a
workbook with a recognised header is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workforce.errors import InputDataError, Problem
from workforce.ingest.cells import cell_text, key
from workforce.ingest.files import Unreadable
from workforce.ingest.tables import HEADER_SEARCH_ROWS, read_sheets
from workforce.inspections.models import Framework
from workforce.inspections.vocabulary import (
    FRAMEWORK_NAMES,
    named_framework,
    official_framework,
)

Row = tuple[int, list[Any]]  # (row number as a spreadsheet shows it, cells)


@dataclass(frozen=True)
class Column:
    field: str  # the Judgement field it fills (or council_name, only for messages)
    label: str
    required: bool = True
    # Other headers accepted: those holding every word of one entry and none of ``exclude``.
    keywords: tuple[tuple[str, ...], ...] = ()
    exclude: tuple[str, ...] = ()

    def matches(self, header: str) -> bool:
        if header == key(self.label):
            return True
        return any(all(w in header for w in words) for words in self.keywords) and not any(
            w in header for w in self.exclude
        )


@dataclass(frozen=True)
class Layout:
    name: str
    description: str
    columns: tuple[Column, ...]
    framework: Callable[[str], Framework | None]
    framework_hint: str
    numeric_grades: bool = False
    # History rows whose framework says there is no inspection data are skipped.
    skip_frameworks: frozenset[str] = frozenset()
    # Overview rows without dates complete the judgement of that council published that day.
    dateless_rows: bool = False
    # Official rows for inspections (not visits or reviews) must carry an overall grade.
    grade_required: bool = False

    def locate(self, header: list[str]) -> tuple[dict[str, int], list[str]]:
        """Return the index of each column found in ``header`` and the required ones missing."""
        headers = [key(h) for h in header]
        found: dict[str, int] = {}
        for column in self.columns:
            index = next((i for i, h in enumerate(headers) if h and column.matches(h)), None)
            if index is not None:
                found.setdefault(column.field, index)
        missing = [c.label for c in self.columns if c.required and c.field not in found]
        return found, missing


def _columns(
    *labels: tuple[str, str], optional: tuple[tuple[str, str], ...] = ()
) -> tuple[Column, ...]:
    return tuple(Column(f, label) for f, label in labels) + tuple(
        Column(f, label, required=False) for f, label in optional
    )


HISTORY = Layout(
    name="judgement history",
    description="judgement history (la_code, inspection_start_date, framework, ...)",
    columns=_columns(
        ("council_code", "la_code"),
        ("published", "report_file_date"),
        ("inspection_start", "inspection_start_date"),
        ("inspection_end", "inspection_end_date"),
        ("framework", "framework"),
        ("grade", "overall_effectiveness"),
        optional=(("urn", "urn"), ("note", "source_note"), ("council_name", "la_name")),
    ),
    framework=named_framework(FRAMEWORK_NAMES),
    framework_hint="one of " + ", ".join(f"'{f.value}'" for f in Framework) + ", 'unavailable'",
    skip_frameworks=frozenset({"unavailable"}),
)
OVERVIEW = Layout(
    name="ILACS overview",
    description="ILACS overview (la_code, inspection_framework, overall_effectiveness_grade, ...)",
    columns=_columns(
        ("council_code", "la_code"),
        ("grade", "overall_effectiveness_grade"),
        ("framework", "inspection_framework"),
        ("inspection_start", "inspection_start_date"),
        ("inspection_end", "inspection_end_date"),
        ("published", "publication_date"),
        ("impact_of_leaders", "impact_of_leaders_grade"),
        ("help_and_protection", "help_and_protection_grade"),
        ("in_care", "in_care_grade"),
        ("care_leavers", "care_leavers_grade"),
        optional=(("urn", "urn"), ("council_name", "local_authority")),
    ),
    framework=named_framework(
        FRAMEWORK_NAMES | {"short": Framework.ilacs_short, "standard": Framework.ilacs_standard}
    ),
    framework_hint="'short' or 'standard'",
    dateless_rows=True,
)
OFFICIAL = Layout(
    name="Ofsted inspection outcomes",
    description="Ofsted inspection outcomes (Local authority area code, Inspection date, ...)",
    columns=(
        *_columns(
            ("council_code", "Local authority area code"),
            ("inspection_start", "Inspection date"),
            ("framework", "Inspection type"),
            ("grade", "Overall effectiveness"),
            optional=(
                ("inspection_end", "Inspection end date"),
                ("published", "Publication date"),
                ("council_name", "Local authority name"),
                ("urn", "URN"),
            ),
        ),
        # Sub-judgement columns, by the words of Ofsted's long headings.
        Column("impact_of_leaders", "Impact of leaders", False, (("impact of leaders",),)),
        Column("help_and_protection", "Help and protection", False, (("help and protection",),)),
        Column("in_care", "Children in care", False, (("children in care",),)),
        Column("care_leavers", "Care leavers", False, (("care leavers",),), ("children in care",)),
    ),
    framework=official_framework,
    framework_hint="wording such as 'ILACS - standard inspection', 'ILACS - short inspection', "
    "'Focused visit', 'Monitoring visit', 'SIF' or 'Re-inspection'",
    numeric_grades=True,
    grade_required=True,
)
LAYOUTS = (HISTORY, OVERVIEW, OFFICIAL)


@dataclass(frozen=True)
class JudgementSheet:
    """One sheet's data rows under a recognised header."""

    layout: Layout
    columns: dict[str, int]  # field -> index in the row
    labels: dict[str, str]  # field -> its header as the file spells it
    rows: list[Row]
    sheet: str | None = None  # the sheet's name, in a workbook


# The core's refusals, in this importer's words (the core's reason follows in brackets).
FAULTS = {
    "file.xlsx": "not a readable XLSX workbook",
    "file.ods": "not a readable ODS workbook",
    "file.encoding": "not UTF-8 or Windows-1252 text: save it as 'CSV UTF-8' or as XLSX",
    "file.csv": "not a readable CSV file",
}
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def _file_problem(path: Path, message: str) -> InputDataError:
    return InputDataError([Problem("judgements.file", message, file=path.name)])


def _unreadable(path: Path, data: bytes, exc: Unreadable) -> InputDataError:
    if data.startswith(XLS_MAGIC):
        return _file_problem(path, "an Excel 97-2003 workbook: save it as XLSX or 'CSV UTF-8'")
    if exc.rule == "file.empty":
        return _file_problem(path, "the file is empty")
    family = next((r for r in FAULTS if exc.rule == r or exc.rule.startswith(r + "_")), None)
    where = exc.where.get("sheet")
    sheet = f" sheet {where!r}:" if where and where != path.name else ""
    reason = f"{sheet} {exc}".strip()
    return _file_problem(path, f"{FAULTS[family]} ({reason})" if family else reason)


def read_tables(path: Path) -> list[JudgementSheet]:
    """Return every sheet of ``path`` with the header of a known layout (the first such
    header in its first rows), or raise with the closest layout's missing columns."""
    data = path.read_bytes()
    try:
        sheets = read_sheets(data, path.name)
    except Unreadable as exc:
        raise _unreadable(path, data, exc) from None
    tables: list[JudgementSheet] = []
    closest: tuple[list[str], Layout, int] | None = None
    for sheet in sheets:
        rows = sheet.rows
        filled = [(n, cells) for n, cells in rows if any(cell_text(c) for c in cells)]
        found_here = False
        for number, cells in filled[:HEADER_SEARCH_ROWS]:
            header = [cell_text(c) for c in cells]
            for layout in LAYOUTS:
                found, missing = layout.locate(header)
                if not missing:
                    labels = {f: header[i] for f, i in found.items()}
                    name = None if sheet.name == path.name else sheet.name
                    body = [r for r in rows if r[0] > number]
                    tables.append(JudgementSheet(layout, found, labels, body, name))
                    found_here = True
                    break
                if closest is None or len(missing) < len(closest[0]):
                    closest = (missing, layout, number)
            if found_here:
                break
    if tables:
        return tables
    if closest is None:
        raise _file_problem(path, "the file is empty")
    missing, layout, number = closest
    message = (
        f"not a judgements file this service reads: the closest layout, {layout.description}, "
        f"lacks column(s) {', '.join(missing)}"
    )
    raise InputDataError([Problem("judgements.layout", message, file=path.name, row=number)])
