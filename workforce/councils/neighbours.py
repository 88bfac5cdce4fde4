"""Reading DfE's statistical-neighbour model, in the layouts DfE publishes it.

The CSV (the bundled one) or an XLSX or ODS workbook, through the one file-reading core
(``workforce.ingest``), with the header in the first rows (below a title, as DfE's
workbooks have it). Loading the records is ``reference.load_statistical_neighbours``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workforce.councils.models import Closeness
from workforce.errors import InputDataError, Problem
from workforce.ingest.cells import cell_text
from workforce.ingest.files import Unreadable
from workforce.ingest.tables import HEADER_SEARCH_ROWS, Sheet, read_sheets
from workforce.ingest.workbooks import Formula

LA_CODE_HEADERS = ("la num", "la number", "la_code", "la code", "la_number")
# Reference files hold a row per council or region: a few hundred at most.
MAX_REFERENCE_ROWS = 10_000


def unreadable(path: Path, exc: Unreadable, rule: str = "reference.file") -> InputDataError:
    """The core's refusal of a reference file, as one problem with ``rule``."""
    row = exc.where.get("row")
    return InputDataError([Problem(rule, str(exc), path.name, row, exc.where.get("column"))])


@dataclass(frozen=True)
class NeighbourRecord:
    council_code: str
    rank: int
    neighbour_code: str
    closeness: Closeness
    row: int


@dataclass(frozen=True)
class NeighbourColumns:
    """Where a neighbours table's columns are: the council's code, and for each rank its
    neighbour's code and closeness (with the closeness column's name for a report)."""

    header_row: int
    header: list[str]
    code: int | None
    neighbours: list[int | None]
    closeness: list[tuple[int, str] | None]

    @property
    def lacking(self) -> list[str]:
        missing = [f"SN{r}" for r, c in enumerate(self.neighbours, start=1) if c is None]
        return (["LA num"] if self.code is None else []) + missing


def _locate(header_row: int, header: list[str]) -> NeighbourColumns:
    lookup: dict[str, int] = {}
    for index, name in enumerate(header):
        lookup.setdefault(" ".join(name.split()).casefold(), index)
    code = next((lookup[n] for n in LA_CODE_HEADERS if n in lookup), None)
    neighbours = [lookup.get(f"sn{rank}") for rank in range(1, 11)]
    closeness: list[tuple[int, str] | None] = []
    for rank, column in enumerate(neighbours, start=1):
        named = (f"sn{rank}p", f"snp{rank}", f"sn{rank} closeness")
        explicit = next((lookup[n] for n in named if n in lookup), None)
        if explicit is not None:
            closeness.append((explicit, header[explicit]))
        elif column is not None:
            # The published CSV repeats the header ``SNP`` after each ``SN<n>``.
            closeness.append((column + 1, f"SNP after SN{rank}"))
        else:
            closeness.append(None)
    return NeighbourColumns(header_row, header, code, neighbours, closeness)


def _neighbours_table(path: Path, sheets: list[Sheet]) -> tuple[NeighbourColumns, Sheet]:
    """Return the first sheet's header with every column, or raise naming what is lacking."""
    closest: NeighbourColumns | None = None
    for sheet in sheets:
        for number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
            columns = _locate(number, [cell_text(c) for c in cells])
            if not columns.lacking:
                return columns, sheet
            if closest is None or len(columns.lacking) < len(closest.lacking):
                closest = columns
    lacking = closest.lacking if closest else ["LA num"] + [f"SN{r}" for r in range(1, 11)]
    raise InputDataError(
        [
            Problem(
                rule="neighbours.layout",
                message="not a statistical-neighbours file: lacks column(s) " + ", ".join(lacking),
                file=path.name,
                row=closest.header_row if closest else 1,
            )
        ]
    )


def parse_statistical_neighbours(path: Path) -> list[NeighbourRecord]:
    """Return the neighbour records of a DfE statistical-neighbours file.

    The file is CSV, XLSX or ODS, with the header in its first rows (below a title, as
    DfE's workbooks have it). ``SN<n>`` holds the neighbour's code and the closeness is in
    ``SN<n>P`` or, as the published CSV has it, in the column after ``SN<n>`` (headed
    ``SNP`` each time). Every problem in the file is reported, with row and column.
    """
    try:
        sheets = read_sheets(path.read_bytes(), path.name, MAX_REFERENCE_ROWS)
    except Unreadable as exc:
        raise unreadable(path, exc, "neighbours.file") from None
    columns, sheet = _neighbours_table(path, sheets)
    code_column = columns.code
    assert code_column is not None
    sheet_name = None if sheet.name == path.name else sheet.name
    records: list[NeighbourRecord] = []
    problems: list[Problem] = []

    def cell(row: list[Any], index: int, line: int, label: str) -> str | None:
        value = row[index] if index < len(row) else None
        if isinstance(value, Formula):
            message = "holds a formula, which is never read or run: paste the value instead"
            problems.append(
                Problem(
                    "neighbours.formula",
                    message,
                    path.name,
                    line,
                    label,
                    value.text,
                    sheet=sheet_name,
                )
            )
            return None  # reported: the cell is not read
        return cell_text(value)

    def problem(rule: str, message: str, line: int, column: str, value: str) -> None:
        problems.append(Problem(rule, message, path.name, line, column, value, sheet=sheet_name))

    for line, row in sheet.rows:
        if line <= columns.header_row:
            continue
        code_label = columns.header[code_column]
        code = cell(row, code_column, line, code_label)
        if code is None:
            continue
        ranked = [(r, c) for r, c in enumerate(columns.neighbours, start=1) if c is not None]
        if not code and not any(cell_text(row[c]) for _, c in ranked if c < len(row)):
            continue  # a section heading such as "Old SNs:"
        if not (code.isdigit() and len(code) == 3):
            problem("neighbours.la_code", "LA code must be 3 digits", line, code_label, code)
            continue
        for (rank, column), place in zip(ranked, columns.closeness, strict=True):
            assert place is not None
            neighbour = cell(row, column, line, f"SN{rank}")
            label = cell(row, place[0], line, place[1])
            if neighbour is None or label is None:
                continue
            if not (neighbour.isdigit() and len(neighbour) == 3):
                message = "neighbour code must be 3 digits"
                problem("neighbours.neighbour_code", message, line, f"SN{rank}", neighbour)
                continue
            try:
                closeness = Closeness.parse(label)
            except ValueError:
                message = "closeness must be one of " + ", ".join(c.value for c in Closeness)
                problem("neighbours.closeness", message, line, place[1], label)
                continue
            records.append(NeighbourRecord(code, rank, neighbour, closeness, line))
    if problems:
        raise InputDataError(problems)
    return records
