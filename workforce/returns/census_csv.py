"""The census as CSV (or a one-sheet workbook saved from it): the worker elements as
columns, the header and the council's totals repeated on every row. Each row is checked by
the same schema rules as a worker record in XML."""

from __future__ import annotations

from workforce.ingest.cells import cell_text
from workforce.ingest.problems import Issues
from workforce.ingest.tables import Table
from workforce.returns.census_model import (
    HEADER_FIELDS,
    TOTAL_FIELDS,
    TOTALS,
    WORKER,
    Census,
    Worker,
    read_header,
)
from workforce.returns.census_schema import check_record, schema_rules

REQUIRED_COLUMNS = ("LEA", "ReferenceDate", *TOTAL_FIELDS, "AgencyWorker", "SWENo")


def read_csv_census(issues: Issues, table: Table) -> Census:
    """Read the census as CSV: worker elements as columns; header and totals on every row."""
    rules = schema_rules()
    worker_rules = rules[WORKER]
    names = {c.lower(): c for c in [*worker_rules, *HEADER_FIELDS, *TOTAL_FIELDS]}
    header = [h.replace("_", "") for h in table.header]
    for column in header:
        if column and column not in names:
            issues.warning("structure.unknown_column", "not a census field; ignored", column=column)
    for required in REQUIRED_COLUMNS:
        if required.lower() not in header:
            issues.error(
                "structure.missing_column", f"the column {required} is missing", column=required
            )
    if issues.errors:
        return Census()
    census = Census()
    first: dict[str, str] = {}
    mapping = {h: names[h.replace("_", "")] for h in table.header if h.replace("_", "") in names}
    shared = [c for c in (*HEADER_FIELDS, *TOTAL_FIELDS) if c in mapping.values()]
    worker_columns = [(h, n) for h, n in mapping.items() if n in worker_rules]
    for record_no, (row, raw_row) in enumerate(table.rows, start=1):
        raw = {mapping[k]: v for k, v in raw_row.items() if k in mapping}
        for name in shared:
            value = cell_text(raw.get(name))
            if name not in first and value:
                first[name] = value
            elif value and value != first.get(name):
                issues.error(
                    "consistency.totals",
                    f"{name} differs from the first row's ({first.get(name)})",
                    row=row,
                    column=name,
                    value=value,
                )
        values: dict[str, list[str]] = {}
        for column, field_name in worker_columns:
            text = cell_text(raw_row.get(column))
            if text:
                values[field_name] = [text]
        worker = Worker(record_no=record_no, row=row)
        worker.values = check_record(issues, worker_rules, values, row, WORKER)
        census.workers.append(worker)
    census.totals = check_record(
        issues, rules[TOTALS], {n: [first[n]] for n in TOTAL_FIELDS if n in first}, 0, TOTALS
    )
    read_header(issues, census, first, rules)
    return census
