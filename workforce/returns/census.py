"""The DfE CSWW worker-level census: XML as councils send it to DfE, or the same as CSV.

Field rules (types, enumerations, patterns, bounds, lengths, decimals, occurrences) are
read from the bundled XSD (``workforce/data/census``) with ``xmlschema``
(``census_schema``), so the checks are the schema's own, and the same for XML
(``census_xml``) and CSV (``census_csv``). On top of the schema, ``check_census`` reports
by name the rules real files break: registration numbers that do not start ``SW``, end
dates after the reference date, personal fields missing for council staff, duplicate
records, case holders without an FTE.

The council's counts and measures (``census_model``) are computed as DfE defines them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from workforce.ingest.problems import Issues
from workforce.returns.census_csv import read_csv_census
from workforce.returns.census_model import (
    EARLIEST_REFERENCE,
    HEADER_FIELDS,
    PERSONAL_FIELDS,
    TOTAL_FIELDS,
    TOTALS,
    WORKER,
    Census,
    Worker,
    year_before,
)
from workforce.returns.census_schema import (
    SCHEMA_PATH,
    FieldRule,
    check_value,
    schema_date,
    schema_rules,
)
from workforce.returns.census_xml import read_xml

__all__ = [
    "EARLIEST_REFERENCE",
    "HEADER_FIELDS",
    "PERSONAL_FIELDS",
    "SCHEMA_PATH",
    "TOTALS",
    "TOTAL_FIELDS",
    "WORKER",
    "Census",
    "FieldRule",
    "Worker",
    "check_census",
    "check_value",
    "read_csv_census",
    "read_xml",
    "schema_date",
    "schema_rules",
    "year_before",
]


def check_census(issues: Issues, census: Census, today: date) -> None:
    """The rules beyond the schema that real census files break."""
    reference = census.reference_date
    if reference is not None and reference > today:
        issues.error(
            "date.future",
            "the reference date is in the future",
            column="ReferenceDate",
            value=reference.isoformat(),
        )
    if not census.workers and not issues.errors:
        issues.error("structure.no_rows", "the census has no worker records")
    for name in TOTAL_FIELDS:
        value = census.totals.get(name)
        if value is not None and value < 0:
            issues.error(
                "range.negative", f"{name} cannot be negative", column=name, value=str(value)
            )
    seen: dict[tuple[Any, Any], int] = {}
    for worker in census.workers:
        row = worker.record_no
        swe = worker.get("SWENo")
        start, end = worker.get("RoleStartDate"), worker.get("RoleEndDate")
        where = {"row": row}
        if isinstance(swe, str) and not swe.upper().startswith("SW"):
            issues.warning(
                "census.swe_prefix",
                "Social Work England numbers start SW: check this registration number",
                column="SWENo",
                value=swe,
                **where,
            )
        if start is not None and end is not None and end < start:
            issues.error(
                "census.end_before_start",
                "RoleEndDate is before RoleStartDate",
                column="RoleEndDate",
                value=end.isoformat(),
                **where,
            )
        if reference is not None and end is not None and end > reference:
            issues.warning(
                "census.end_after_reference",
                f"RoleEndDate is after the reference "
                f"date {reference.isoformat()}: counted as in post, not as a leaver",
                column="RoleEndDate",
                value=end.isoformat(),
                **where,
            )
        if reference is not None and start is not None and start > reference:
            issues.warning(
                "census.start_after_reference",
                "RoleStartDate is after the reference date: not counted",
                column="RoleStartDate",
                value=start.isoformat(),
                **where,
            )
        if not worker.agency:
            missing = [f for f in PERSONAL_FIELDS if worker.get(f) in (None, [], "")]
            if missing:
                issues.warning(
                    "census.personal_missing",
                    "council staff need " + ", ".join(missing),
                    column=missing[0],
                    **where,
                )
            if worker.get("FTE") is None:
                issues.error(
                    "census.fte_missing",
                    "council staff need an FTE (0 to 1)",
                    column="FTE",
                    **where,
                )
            if worker.get("OrgRole") is None:
                issues.warning(
                    "census.personal_missing",
                    "council staff need an OrgRole",
                    column="OrgRole",
                    **where,
                )
            if (
                end is not None
                and reference is not None
                and end <= reference
                and worker.get("ReasonLeave") is None
            ):
                issues.warning(
                    "census.reason_leave_missing",
                    "a leaver needs a ReasonLeave",
                    column="ReasonLeave",
                    **where,
                )
        for name in ("Cases30", "WorkingDaysLost"):
            value = worker.get(name)
            if value is not None and value < 0:
                issues.error(
                    "range.negative",
                    f"{name} cannot be negative",
                    column=name,
                    value=str(value),
                    **where,
                )
        cases = worker.get("Cases30")
        if cases and worker.get("FTE30") is None:
            issues.error(
                "census.case_holder_fte", "Cases30 is given without FTE30", column="FTE30", **where
            )
        key = (swe, start)
        if swe and key in seen:
            issues.error(
                "census.duplicate_worker",
                f"the same SWENo and RoleStartDate as record {seen[key]}",
                column="SWENo",
                value=swe,
                **where,
            )
        elif swe:
            seen[key] = row
