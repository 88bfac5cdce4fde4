"""The layouts of Ofsted judgement files, and reading a file's rows under its header.

Three layouts are known: the bundled judgement history (CSV), Data to Insight's ILACS
overview (XLSX) and Ofsted's official inspection outcomes (CSV or XLSX). A layout names
the columns a file must have; headers match whatever their case, spacing or byte-order mark.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl

from workforce.errors import InputDataError, Problem
from workforce.inspections.cells import (
    FRAMEWORK_NAMES,
    cell_text,
    key,
    named_framework,
    official_framework,
)
from workforce.inspections.models import Framework

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
# Ofsted's workbooks may put a title above the header; look this far down for it.
HEADER_SEARCH_ROWS = 10

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
class Table:
    """A file's data rows under a recognised header."""

    layout: Layout
    columns: dict[str, int]  # field -> index in the row
    labels: dict[str, str]  # field -> its header as the file spells it
    rows: list[Row]


def _file_problem(path: Path, message: str) -> InputDataError:
    return InputDataError([Problem("judgements.file", message, file=path.name)])


def _read_csv(path: Path) -> list[Row]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(enumerate(csv.reader(handle), start=1))
    except UnicodeDecodeError as exc:
        raise _file_problem(path, "not UTF-8 text: save it as 'CSV UTF-8' or as XLSX") from exc
    except csv.Error as exc:
        raise _file_problem(path, f"not a readable CSV file ({exc})") from exc


def _read_xlsx(path: Path) -> list[list[Row]]:
    # A file object, not the path: openpyxl refuses paths not named .xlsx, and the file
    # was recognised by its content.
    with path.open("rb") as handle:
        try:
            # data_only: a formula's cached value is read; formulas are never evaluated.
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl fails in many ways (bad zip, missing parts, bad XML)
            raise _file_problem(path, f"not a readable XLSX workbook ({exc})") from exc
        try:
            sheets: list[list[Row]] = []
            title = ""
            for sheet in workbook.worksheets:
                title = sheet.title
                # Some writers record a wrong sheet size, which would cut the rows short.
                sheet.reset_dimensions()
                rows = sheet.iter_rows(values_only=True)
                sheets.append([(n, list(cells)) for n, cells in enumerate(rows, start=1)])
            return sheets
        except Exception as exc:  # a damaged sheet surfaces only as it is read (bad XML, zip)
            raise _file_problem(
                path, f"not a readable XLSX workbook: sheet {title!r} is damaged ({exc})"
            ) from exc
        finally:
            workbook.close()


def read_table(path: Path) -> Table:
    """Return the rows of ``path`` under the first header of a known layout, or raise."""
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == XLS_MAGIC:
        raise _file_problem(path, "an Excel 97-2003 workbook: save it as XLSX or 'CSV UTF-8'")
    sheets = _read_xlsx(path) if magic == XLSX_MAGIC else [_read_csv(path)]
    closest: tuple[list[str], Layout, int] | None = None
    for rows in sheets:
        filled = [(n, cells) for n, cells in rows if any(cell_text(c) for c in cells)]
        for number, cells in filled[:HEADER_SEARCH_ROWS]:
            header = [cell_text(c) for c in cells]
            for layout in LAYOUTS:
                found, missing = layout.locate(header)
                if not missing:
                    labels = {f: header[i] for f, i in found.items()}
                    return Table(layout, found, labels, [r for r in rows if r[0] > number])
                if closest is None or len(missing) < len(closest[0]):
                    closest = (missing, layout, number)
    if closest is None:
        raise _file_problem(path, "the file is empty")
    missing, layout, number = closest
    message = (
        f"not a judgements file this service reads: the closest layout, {layout.description}, "
        f"lacks column(s) {', '.join(missing)}"
    )
    raise InputDataError([Problem("judgements.layout", message, file=path.name, row=number)])
