"""Reading and loading the bundled reference data: regions, councils, neighbours.

Every loader is idempotent: it inserts what is new, updates what differs and leaves
what is equal untouched, so loading the same files twice changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlmodel import Session, SQLModel, select

from workforce.councils.models import (
    Closeness,
    Council,
    CouncilBase,
    CouncilSuccession,
    Region,
    RegionBase,
    ReportingUnit,
    ReportingUnitBase,
    StatisticalNeighbour,
)
from workforce.data import REFERENCE_DIR
from workforce.errors import InputDataError, Problem

NEIGHBOURS_FILE = REFERENCE_DIR / "statistical_neighbours_april_2021.csv"
NEIGHBOURS_SOURCE = "DfE statistical neighbours, April 2021"

TableT = TypeVar("TableT", bound=SQLModel)


@dataclass
class TableCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.added + self.updated


@dataclass
class LoadReport:
    """What a load did to each table."""

    tables: dict[str, TableCounts] = field(default_factory=dict)

    def counts(self, table: str) -> TableCounts:
        return self.tables.setdefault(table, TableCounts())

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.tables.values())

    def summary(self) -> str:
        return "; ".join(
            f"{name}: {c.added} added, {c.updated} updated, {c.unchanged} unchanged"
            for name, c in self.tables.items()
        )


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, row) from a UTF-8 CSV, BOM or not; row 1 is the header."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            if not any((value or "").strip() for value in row.values()):
                continue
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def _blank_to_none(row: dict[str, str]) -> dict[str, Any]:
    return {key: (value if value != "" else None) for key, value in row.items()}


def _validated(
    path: Path, rows: Iterable[tuple[int, dict[str, str]]], schema: type[SQLModel]
) -> list[dict[str, Any]]:
    """Return rows validated against ``schema``, or raise with every problem found."""
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for line, row in rows:
        try:
            model = schema.model_validate(_blank_to_none(row))
        except ValidationError as exc:
            for err in exc.errors():
                column = str(err["loc"][0]) if err["loc"] else None
                problems.append(
                    Problem(
                        rule=f"reference.{err['type']}",
                        message=err["msg"],
                        file=path.name,
                        row=line,
                        column=column,
                        value=row.get(column) if column else None,
                    )
                )
            continue
        records.append(model.model_dump())
    if problems:
        raise InputDataError(problems)
    return records


def _upsert(
    session: Session,
    table: type[TableT],
    records: Sequence[dict[str, Any]],
    key: Sequence[str],
    counts: TableCounts,
) -> None:
    """Insert new rows, update rows whose fields differ, count the rest as unchanged."""
    existing = {tuple(getattr(obj, k) for k in key): obj for obj in session.exec(select(table))}
    for record in records:
        current = existing.get(tuple(record[k] for k in key))
        if current is None:
            session.add(table(**record))
            counts.added += 1
            continue
        differences = {k: v for k, v in record.items() if getattr(current, k) != v}
        if differences:
            for name, value in differences.items():
                setattr(current, name, value)
            session.add(current)
            counts.updated += 1
        else:
            counts.unchanged += 1
    session.flush()


def load_regions(*, session: Session, path: Path, report: LoadReport) -> None:
    """Load ``regions.csv`` (code, name, kind, parent_code), parents before children."""
    records = _validated(path, read_csv(path), RegionBase)
    records.sort(key=lambda r: (r["parent_code"] is not None, r["kind"] == "london_subregion"))
    _upsert(session, Region, records, ["code"], report.counts("region"))


def load_reporting_units(*, session: Session, path: Path, report: LoadReport) -> None:
    """Load ``reporting_units.csv``: DfE's combined rows for councils that report together."""
    records = _validated(path, read_csv(path), ReportingUnitBase)
    _upsert(session, ReportingUnit, records, ["code"], report.counts("reporting_unit"))


def load_councils(*, session: Session, path: Path, report: LoadReport) -> None:
    """Load ``local_authorities.csv`` and the successions it names."""
    rows = list(read_csv(path))
    successions: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for line, row in rows:
        for successor in row.pop("successor_codes", "").split():
            if not successor.isdigit() or len(successor) != 3:
                problems.append(
                    Problem(
                        rule="reference.successor_code",
                        message="successor codes must be 3-digit DfE codes separated by spaces",
                        file=path.name,
                        row=line,
                        column="successor_codes",
                        value=successor,
                    )
                )
            successions.append({"predecessor_code": row["code"], "successor_code": successor})
    if problems:
        raise InputDataError(problems)
    records = _validated(path, rows, CouncilBase)
    _upsert(session, Council, records, ["code"], report.counts("council"))
    _upsert(
        session,
        CouncilSuccession,
        successions,
        ["predecessor_code", "successor_code"],
        report.counts("council_succession"),
    )


@dataclass(frozen=True)
class NeighbourRecord:
    council_code: str
    rank: int
    neighbour_code: str
    closeness: Closeness
    row: int


def parse_statistical_neighbours(path: Path) -> list[NeighbourRecord]:
    """Return the neighbour records of a DfE statistical-neighbours CSV.

    The published layout repeats the header ``SNP`` after each ``SN<n>``, so columns are
    found by position: ``SN<n>`` holds the neighbour's code and the column after it its
    closeness. Every problem in the file is reported, with row and column.
    """
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        lines = [(reader.line_num, row) for row in reader]
    lookup = {name.casefold(): index for index, name in enumerate(header)}
    code_column = next((lookup[n] for n in ("la num", "la number", "la_code") if n in lookup), None)
    neighbour_columns = [lookup.get(f"sn{rank}") for rank in range(1, 11)]
    missing = [f"SN{r}" for r, c in zip(range(1, 11), neighbour_columns, strict=True) if c is None]
    if code_column is None or missing:
        lacking = (["LA num"] if code_column is None else []) + missing
        raise InputDataError(
            [
                Problem(
                    rule="neighbours.layout",
                    message="not a statistical-neighbours file: lacks column(s) "
                    + ", ".join(lacking),
                    file=path.name,
                    row=1,
                )
            ]
        )
    records: list[NeighbourRecord] = []
    problems: list[Problem] = []

    def cell(row: list[str], index: int) -> str:
        return row[index].strip() if index < len(row) else ""

    for line, row in lines:
        code = cell(row, code_column)
        if not code and not any(cell(row, c) for c in neighbour_columns if c is not None):
            continue  # blank line or a section heading such as "Old SNs:"
        if not (code.isdigit() and len(code) == 3):
            problems.append(
                Problem(
                    "neighbours.la_code",
                    "LA code must be 3 digits",
                    path.name,
                    line,
                    header[code_column],
                    code,
                )
            )
            continue
        for rank, column in enumerate(neighbour_columns, start=1):
            assert column is not None
            neighbour = cell(row, column)
            label = cell(row, column + 1)
            if not (neighbour.isdigit() and len(neighbour) == 3):
                problems.append(
                    Problem(
                        "neighbours.neighbour_code",
                        "neighbour code must be 3 digits",
                        path.name,
                        line,
                        f"SN{rank}",
                        neighbour,
                    )
                )
                continue
            try:
                closeness = Closeness.parse(label)
            except ValueError:
                problems.append(
                    Problem(
                        "neighbours.closeness",
                        "closeness must be one of " + ", ".join(c.value for c in Closeness),
                        path.name,
                        line,
                        f"SNP after SN{rank}",
                        label,
                    )
                )
                continue
            records.append(NeighbourRecord(code, rank, neighbour, closeness, line))
    if problems:
        raise InputDataError(problems)
    return records


def load_statistical_neighbours(
    *, session: Session, path: Path, report: LoadReport, source: str = NEIGHBOURS_SOURCE
) -> None:
    """Load a statistical-neighbours file; each council's list replaces its previous one."""
    records = parse_statistical_neighbours(path)
    known = set(session.exec(select(Council.code)))
    problems = [
        Problem(
            "neighbours.unknown_council",
            "no council has this DfE code",
            path.name,
            rec.row,
            column,
            code,
        )
        for rec in records
        for column, code in (("LA num", rec.council_code), (f"SN{rec.rank}", rec.neighbour_code))
        if code not in known
    ]
    if problems:
        raise InputDataError(problems)
    counts = report.counts("statistical_neighbour")
    incoming: dict[str, dict[int, tuple[str, Closeness]]] = {}
    for rec in records:
        incoming.setdefault(rec.council_code, {})[rec.rank] = (rec.neighbour_code, rec.closeness)
    existing: dict[str, list[StatisticalNeighbour]] = {}
    for row in session.exec(select(StatisticalNeighbour)):
        existing.setdefault(row.council_code, []).append(row)
    for council_code, wanted in incoming.items():
        current_rows = existing.get(council_code, [])
        current = {r.rank: (r.neighbour_code, r.closeness) for r in current_rows}
        same_source = all(r.source == source for r in current_rows)
        if current == wanted and same_source:
            counts.unchanged += len(wanted)
            continue
        # A council's list in the file replaces its whole previous list: delete, then insert,
        # so a neighbour moving between ranks never trips the (council, neighbour) key.
        for row in current_rows:
            session.delete(row)
        session.flush()
        for rank, (neighbour_code, closeness) in sorted(wanted.items()):
            session.add(
                StatisticalNeighbour(
                    council_code=council_code,
                    rank=rank,
                    neighbour_code=neighbour_code,
                    closeness=closeness,
                    source=source,
                )
            )
            if rank not in current:
                counts.added += 1
            elif current[rank] != (neighbour_code, closeness) or not same_source:
                counts.updated += 1
            else:
                counts.unchanged += 1
        counts.updated += len(set(current) - set(wanted))
    session.flush()


def load_reference_data(*, session: Session, folder: Path = REFERENCE_DIR) -> LoadReport:
    """Return what loading the reference files in ``folder`` changed (nothing, the second time)."""
    report = LoadReport()
    load_regions(session=session, path=folder / "regions.csv", report=report)
    load_reporting_units(session=session, path=folder / "reporting_units.csv", report=report)
    load_councils(session=session, path=folder / "local_authorities.csv", report=report)
    load_statistical_neighbours(session=session, path=folder / NEIGHBOURS_FILE.name, report=report)
    return report
