"""Checks shared by the quarterly return's two tables: the columns against the template,
the number of rows, a role group, a coded value and a Social Work England number; and the
limits the return's figures are checked against."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from workforce.ingest import cells
from workforce.ingest.problems import Issues
from workforce.ingest.tables import Table
from workforce.returns.quarterly_template import ROLE_GROUPS, machine_name

QUARTER_ENDS = {(3, 31), (6, 30), (9, 30), (12, 31)}
# The workforce table has a row for each of the six role groups: a hundred rows can only be
# some other table, and refusing it at once spares a report of a duplicate on every row.
MAX_WORKFORCE_ROWS = 100
# One row per agency assignment. England had about 7,400 agency children's social workers in
# 2023 (DfE CSWW, workforce/data/csww) and the most any council had was a few hundred.
MAX_ASSIGNMENT_ROWS = 10_000
MAX_HOURLY_RATE = 250.0
LEAVER_TOLERANCE = 0.05


@contextmanager
def on_sheet(issues: Issues, table: Table) -> Iterator[None]:
    """Report the issues found meanwhile as on ``table``'s sheet."""
    issues.sheet = table.name
    try:
        yield
    finally:
        issues.sheet = None


def use_machine_names(table: Table) -> Table:
    """The table with each column the template heads in words (``Vacant posts (FTE)``)
    named by its machine name (``vacancy_fte``), in place; other columns as they were."""
    names = [machine_name(h) for h in table.header]
    if names != table.header:
        renamed = dict(zip(table.header, names, strict=True))
        table.header = names
        table.rows = [
            (number, {renamed.get(k, k): v for k, v in row.items()}) for number, row in table.rows
        ]
    return table


def refused_cells(issues: Issues, table: Table) -> set[tuple[int, str]]:
    """The (row, column) cells of ``table`` already refused while it was read (formulas),
    so that their emptiness is not reported a second time as a missing value."""
    return {
        (p.row, p.column)
        for p in issues.errors
        if p.sheet == table.name and p.row is not None and p.column and p.rule.endswith(".formula")
    }


def read_role(issues: Issues, value: object, *, row: int, column: str) -> str | None:
    if cells.blank(value):
        issues.error("required", "a role group is needed", row=row, column=column)
        return None
    text = " ".join(str(value).split()).lower()
    for code, label in ROLE_GROUPS.items():
        if text in (code, label.lower(), code.replace("_", " ")):
            return code
    issues.error(
        "value.role_group",
        "unknown role group; use one of " + ", ".join(ROLE_GROUPS),
        row=row,
        column=column,
        value=value,
    )
    return None


def read_code(
    issues: Issues, value: object, codes: dict[str, str], *, row: int, column: str, what: str
) -> str | None:
    """A coded cell: its code, or its label as the template's guidance gives it; blank is None."""
    if cells.blank(value):
        return None
    text = " ".join(str(value).split()).lower()
    for code, label in codes.items():
        if text in (code, label.lower(), code.replace("_", " ")):
            return code
    issues.error(
        f"value.{column}",
        f"unknown {what}; use one of " + ", ".join(codes),
        row=row,
        column=column,
        value=value,
    )
    return None


def swe_number(issues: Issues, value: object, *, row: int, column: str) -> str | None:
    if cells.blank(value):
        issues.error("required", "a Social Work England number is needed", row=row, column=column)
        return None
    text = str(value).strip().upper().replace(" ", "")
    if not (text.startswith("SW") and text[2:].isdigit() and 1 <= len(text) - 2 <= 10):
        issues.error(
            "swe.format",
            "a Social Work England number is SW followed by its digits, e.g. SW123456",
            row=row,
            column=column,
            value=value,
        )
        return None
    return text


def check_columns(
    issues: Issues,
    table: Table,
    expected: dict[str, Any],
    sheet: str,
    optional: Collection[str] = (),
) -> bool:
    """Report columns missing (but those ``optional``), unknown or twice; say whether the
    table can be read."""
    present = set(table.header)
    missing = [c for c in expected if c not in present and c not in optional]
    for column in missing:
        issues.error(
            "structure.missing_column",
            f"the column {column!r} is missing (see the template's Guidance sheet)",
            sheet=sheet,
            column=column,
        )
    for column in table.header:
        if column and column not in expected:
            issues.warning(
                "structure.unknown_column",
                "this column is not part of the return and was ignored",
                sheet=sheet,
                column=column,
            )
    duplicates = {c for c in table.header if c and table.header.count(c) > 1}
    for column in sorted(duplicates):
        issues.error(
            "structure.duplicate_column", "this column appears twice", sheet=sheet, column=column
        )
    return not missing and not duplicates


def too_many_rows(issues: Issues, table: Table, limit: int, what: str) -> bool:
    """Report a table longer than ``limit`` rows at its first row past it; say whether it was."""
    if len(table.rows) <= limit:
        return False
    issues.error(
        "file.too_many_rows",
        f"this table goes on past {limit:,} rows; {what}: is it the right table?",
        row=table.rows[limit][0],
    )
    return True
