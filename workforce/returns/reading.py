"""Reading an uploaded return, in any format a council may send: the file as received
(:class:`Upload`), what was found in it (:class:`Parsed`) and :func:`parse_upload`, which
tells a census (XML, CSV or a one-sheet workbook) from a quarterly return (CSV, with its
assignments CSV, or the XLSX/ODS template) and hands it to ``census`` or ``quarterly``.

Every problem goes to the caller's ``Issues`` with its rule and location; reading never
raises for a bad file.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from workforce.ingest import files, tables
from workforce.ingest.problems import ErrorLimitReached, Issues
from workforce.returns import census as census_format
from workforce.returns import quarterly
from workforce.returns.models import ReturnKind
from workforce.returns.quarterly_rules import use_machine_names

log = logging.getLogger(__name__)


@dataclass
class Upload:
    """One file as received: its bytes and the name it came with."""

    data: bytes
    file_name: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Parsed:
    kind: str = "unknown"
    file_type: str = ""
    council_code: str | None = None
    period_end: date | None = None
    quarterly: quarterly.QuarterlyReturn | None = None
    census: census_format.Census | None = None
    # Each table read, by its sheet's (or file's) name: its columns in order, for cells.
    layouts: dict[str, list[str]] = field(default_factory=dict)

    def cell(self, issue: dict[str, Any]) -> str | None:
        """Where an issue is, as a spreadsheet names a cell: ``Workforce!K3`` on a
        workbook's sheet, ``K3`` in a CSV file; None without both a row and a column."""
        row, column, sheet = issue.get("row"), issue.get("column"), issue.get("sheet")
        if sheet is None and len(self.layouts) == 1:
            sheet = next(iter(self.layouts))
        header = self.layouts.get(sheet or "")
        if not row or not column or header is None or column not in header:
            return None
        from openpyxl.utils import get_column_letter

        where = f"{get_column_letter(header.index(column) + 1)}{row}"
        if self.file_type not in tables.WORKBOOKS:
            return where
        name = sheet if re.fullmatch(r"\w+", sheet or "") else "'" + str(sheet) + "'"
        return f"{name}!{where}"


def parse_upload(
    issues: Issues, upload: Upload, today: date, assignments: Upload | None = None
) -> Parsed:
    """Read any accepted format; problems go to ``issues``, never an exception."""
    parsed = Parsed()
    try:
        kind = files.sniff(upload.data)
        parsed.file_type = kind
        if kind == "empty":
            issues.error("file.empty", "the file is empty")
        elif kind == "xml":
            parsed.kind = ReturnKind.census
            parsed.census = census_format.read_xml(issues, upload.data)
        elif kind in tables.WORKBOOKS:
            _parse_workbook(issues, upload, parsed, today)
        else:
            table = tables.read_csv(upload.data, upload.file_name)
            _parse_csv(issues, table, parsed, today)
        if parsed.census is not None:
            census_format.check_census(issues, parsed.census, today)
        if assignments is not None:
            _parse_assignments_file(issues, assignments, parsed, today)
    except files.Unreadable as exc:
        issues.error(exc.rule, str(exc), **exc.where)
    except ErrorLimitReached:
        pass  # the last error listed says where checking stopped
    except MemoryError:
        raise
    except Exception as exc:  # a fault in reading refuses the file; it never fails the upload
        log.error("reading %r failed: %s", upload.file_name, files.describe_fault(exc))
        log.debug("reading %r failed", upload.file_name, exc_info=True)
        issues.error(
            "file.unreadable",
            "the file could not be read, for a reason not foreseen "
            f"({files.describe_fault(exc)}); it is kept, and the service's team can look into it",
        )
    issues.end_reading()
    if parsed.census is not None:
        parsed.council_code = parsed.census.council_code
        parsed.period_end = parsed.census.reference_date
    if parsed.quarterly is not None:
        parsed.council_code = parsed.quarterly.council_code
        parsed.period_end = parsed.quarterly.period_end
    if not issues.errors and parsed.period_end is None:
        issues.error(
            "structure.period",
            "the file does not say which quarter end or census date it is for",
            column="ReferenceDate" if parsed.kind == ReturnKind.census else "period_end",
        )
    return parsed


def _parse_workbook(issues: Issues, upload: Upload, parsed: Parsed, today: date) -> None:
    sheets = tables.read_workbook(upload.data, issues, parsed.file_type or "xlsx")
    for each in sheets.values():
        headings = list(each.header)
        parsed.layouts[each.name] = use_machine_names(each).header
        _rename_columns(issues, each.name, dict(zip(headings, each.header, strict=True)))
    workforce = sheets.get(tables.normalise_header(quarterly.WORKFORCE_SHEET))
    agency = sheets.get(tables.normalise_header(quarterly.ASSIGNMENTS_SHEET))
    if workforce is None and len(sheets) == 1:
        # A single-sheet workbook: a census saved from Excel, or the workforce table alone.
        only = next(iter(sheets.values()))
        _parse_csv(issues, only, parsed, today)
        return
    parsed.kind = ReturnKind.quarterly
    for sheet, table in (
        (quarterly.WORKFORCE_SHEET, workforce),
        (quarterly.ASSIGNMENTS_SHEET, agency),
    ):
        if table is None:
            issues.error(
                "structure.missing_sheet",
                f"the workbook has no sheet called {sheet!r} (sheets found: "
                + ", ".join(t.name for t in sheets.values())
                + "); start from the template",
                sheet=sheet,
            )
    if workforce is not None:
        parsed.quarterly = quarterly.read_workforce(issues, workforce, today)
        if agency is not None:
            parsed.quarterly.assignments = quarterly.read_assignments(issues, agency, today)


def _rename_columns(issues: Issues, sheet: str, names: dict[str, str]) -> None:
    """Name by its machine name the column of each issue found on ``sheet`` while it was
    read (a formula), where the sheet headed it in words."""
    for n, issue in enumerate(issues.items):
        renamed = names.get(issue.column or "")
        if issue.sheet == sheet and renamed and renamed != issue.column:
            issues.items[n] = replace(issue, column=renamed)


def _parse_csv(issues: Issues, table: tables.Table, parsed: Parsed, today: date) -> None:
    table.report_extra_cells(issues)
    parsed.layouts[table.name] = use_machine_names(table).header
    header = set(table.header)
    plain = {h.replace("_", "") for h in header}
    if "role_group" in header and "inpost_fte" in header:
        parsed.kind = ReturnKind.quarterly
        parsed.quarterly = quarterly.read_workforce(issues, table, today)
    elif "sweno" in plain and "agencyworker" in plain:
        parsed.kind = ReturnKind.census
        parsed.census = census_format.read_csv_census(issues, table)
    elif "agency_name" in header and "hourly_charge_rate" in header:
        issues.error(
            "structure.assignments_alone",
            "this is the agency assignments table on its own: upload it together with the "
            "workforce table (as the second file), or use the XLSX template",
        )
    else:
        issues.error(
            "structure.unknown_layout",
            "this is neither the quarterly return (it needs role_group and inpost_fte columns) "
            "nor a CSWW census (AgencyWorker and SWENo columns); start from the template at "
            "/api/returns/template.xlsx",
            value=", ".join(table.header[:8]),
        )


def _parse_assignments_file(issues: Issues, upload: Upload, parsed: Parsed, today: date) -> None:
    if parsed.quarterly is None:
        issues.error(
            "structure.assignments_alone",
            "an assignments file goes with a quarterly workforce CSV, not with this file",
            sheet=upload.file_name,
        )
        return
    try:
        kind = files.sniff(upload.data)
        if kind != "csv":
            issues.error("file.type", "the assignments file must be a CSV", sheet=upload.file_name)
            return
        table = tables.read_csv(upload.data, upload.file_name, quarterly.MAX_ASSIGNMENT_ROWS)
    except files.Unreadable as exc:
        issues.error(exc.rule, str(exc), **{"sheet": upload.file_name, **exc.where})
        return
    table.report_extra_cells(issues)
    parsed.layouts[table.name] = use_machine_names(table).header
    parsed.quarterly.assignments = quarterly.read_assignments(issues, table, today)
