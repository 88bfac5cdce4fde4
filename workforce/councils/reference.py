"""Reading and loading the bundled reference data: regions, councils, neighbours.

Every loader is idempotent: it inserts what is new, updates what differs and leaves
what is equal untouched, so loading the same files twice changes nothing. Files are read
by the one file-reading core (``workforce.ingest``): the statistical-neighbour model as
DfE publishes it, CSV or an XLSX or ODS workbook with title rows above the header.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
from workforce.councils.neighbours import (
    MAX_REFERENCE_ROWS,
    parse_statistical_neighbours,
    unreadable,
)
from workforce.data import REFERENCE_DIR
from workforce.errors import InputDataError, Problem
from workforce.ingest.files import Unreadable
from workforce.ingest.tables import csv_rows

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


def read_records(path: Path) -> list[tuple[int, dict[str, str]]]:
    """Return (row number, row) for each filled row of a CSV; row 1 is the header."""
    try:
        rows = csv_rows(path.read_bytes(), path.name, MAX_REFERENCE_ROWS + 1)
    except Unreadable as exc:
        raise unreadable(path, exc) from None
    header = rows[0][1]
    records = []
    for number, values in rows[1:]:
        padded = list(values) + [""] * (len(header) - len(values))
        records.append((number, {k: v.strip() for k, v in zip(header, padded, strict=False) if k}))
    return records


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
    *,
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
    records = _validated(path, read_records(path), RegionBase)
    records.sort(key=lambda r: (r["parent_code"] is not None, r["kind"] == "london_subregion"))
    _upsert(
        session=session, table=Region, records=records, key=["code"], counts=report.counts("region")
    )


def load_reporting_units(*, session: Session, path: Path, report: LoadReport) -> None:
    """Load ``reporting_units.csv``: DfE's combined rows for councils that report together."""
    records = _validated(path, read_records(path), ReportingUnitBase)
    _upsert(
        session=session,
        table=ReportingUnit,
        records=records,
        key=["code"],
        counts=report.counts("reporting_unit"),
    )


def load_councils(*, session: Session, path: Path, report: LoadReport) -> None:
    """Load ``local_authorities.csv`` and the successions it names."""
    rows = list(read_records(path))
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
    _upsert(
        session=session,
        table=Council,
        records=records,
        key=["code"],
        counts=report.counts("council"),
    )
    _upsert(
        session=session,
        table=CouncilSuccession,
        records=successions,
        key=["predecessor_code", "successor_code"],
        counts=report.counts("council_succession"),
    )


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
