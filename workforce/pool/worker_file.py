"""The workers file: its columns, its template, and reading its table.

The file is read through the one file-reading core (:mod:`workforce.ingest`): its type from
its content, any encoding, formulas refused and never evaluated, rows and cells limited.
Its columns are :data:`COLUMNS` (the README's pool section describes each). What cannot be
read goes to the caller's :class:`~workforce.ingest.problems.Issues`; checking the rows is
:mod:`workforce.pool.worker_rows`'s, storing them :mod:`workforce.pool.workers_import`'s.
"""

from __future__ import annotations

from workforce.ingest import files, tables
from workforce.ingest.problems import Issues
from workforce.pool.models import Registration
from workforce.pool.terms import PoolRole

# column -> (required, what it holds). The template's header is these, in this order.
COLUMNS: dict[str, tuple[bool, str]] = {
    "name": (True, "the worker's name, as the coordinator reaches them by"),
    "role": (True, "a role code or label: " + ", ".join(r.value for r in PoolRole)),
    "swe_number": (True, "Social Work England number: SW and up to 10 digits"),
    "registration": (True, "as last checked: " + ", ".join(r.value for r in Registration)),
    "registration_checked": (False, "the day registration was last checked"),
    "qualified_on": (True, "the day the worker qualified as a social worker"),
    "specialisms": (False, "codes or labels separated by ';'"),
    "intervention_experience": (False, "Y or N (blank: N)"),
    "home_region": (True, "a region's ONS code (E12000007) or name (London)"),
    "work_regions": (False, "regions the worker will work in, separated by ';'"),
    "work_councils": (False, "councils (DfE code, ONS code or name) separated by ';'"),
    "remote": (False, "willing to work remotely: Y or N (blank: N)"),
    "availability": (False, "windows as start..end separated by ';'"),
    "permanent_posts": (False, "past permanent posts as council:left_on separated by ';'"),
    "references_held": (False, "a whole number (blank: 0)"),
    "day_rate": (True, "the expected day rate in pounds, above 0 and at most 2000"),
    "active": (False, "Y or N (blank: Y)"),
}
REQUIRED = [name for name, (required, _) in COLUMNS.items() if required]
SHEET = "workers"  # the sheet read in a workbook of several


def template_csv() -> str:
    """The header of an import file, as CSV, with one made-up example row."""
    example = [
        "A. Example (made up)",
        "team_manager",
        "SW0000123456",
        "registered",
        "2026-10-01",
        "2012-07-01",
        "child_protection; court work",
        "Y",
        "London",
        "E12000007; South East",
        "202; Hackney",
        "N",
        "2027-01-04..2027-06-30; 2027-09-01..2027-12-31",
        "203:2025-03-31",
        "2",
        "450",
        "Y",
    ]
    return ",".join(COLUMNS) + "\n" + ",".join(f'"{v}"' for v in example) + "\n"


# --- reading -------------------------------------------------------------------------------


def read_table(data: bytes, file_name: str, issues: Issues) -> tables.Table | None:
    """Return the file's workers table (a CSV, or an XLSX/ODS workbook's ``workers`` sheet
    or only sheet); what cannot be read goes to ``issues``."""
    try:
        kind = files.sniff(data)
        if kind == "empty":
            issues.error("file.empty", "the file is empty", sheet=file_name)
            return None
        if kind == "xml":
            issues.error("file.type", "this is an XML file: send CSV or XLSX", sheet=file_name)
            return None
        table: tables.Table | None
        if kind == "csv":
            table = tables.read_csv(data, file_name)
        else:
            sheets = tables.read_workbook(data, issues, kind)
            table = sheets.get(SHEET) or (next(iter(sheets.values())) if len(sheets) == 1 else None)
            if table is None:
                issues.error(
                    "structure.missing_sheet",
                    f"the workbook has no sheet called {SHEET!r} (sheets found: "
                    + ", ".join(t.name for t in sheets.values())
                    + ")",
                    sheet=SHEET,
                )
                return None
    except files.Unreadable as exc:
        issues.error(exc.rule, str(exc), **{"sheet": file_name, **exc.where})
        return None
    table.report_extra_cells(issues)
    missing = [name for name in REQUIRED if name not in table.header]
    for name in missing:
        issues.error(
            "structure.missing_column",
            f"the file has no {name!r} column; start from the template's header",
            sheet=table.name,
            column=name,
        )
    for name in table.header:
        if name and name not in COLUMNS:
            issues.error(
                "structure.unknown_column",
                "this column is not one the pool reads: columns are " + ", ".join(COLUMNS),
                sheet=table.name,
                row=1,
                column=name,
            )
    if not table.rows and not missing:
        issues.error("structure.no_rows", "the file has no workers below its header")
    return table
