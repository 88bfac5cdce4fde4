"""A census as read: its header (council and reference date), the council's totals and
the worker records, with the counts and measures DfE defines on them.

The council's measures are computed as DfE defines them: council staff (``AgencyWorker``
0) in post at the reference date; starters and leavers over the year to it; agency FTE and
vacancies from the council totals; cases per case-holding FTE at the reference date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from workforce.ingest.problems import Issues
from workforce.measures import definitions
from workforce.returns.census_schema import FieldRule, schema_date

WORKER = "CSWWWorker"
TOTALS = "LALevelVacancies"
PERSONAL_FIELDS = ("PersonBirthDate", "GenderCurrent", "Ethnicity", "QualInst", "QualLevel")
HEADER_FIELDS = ("LEA", "ReferenceDate", "Year")
TOTAL_FIELDS = ("NumberOfVacancies", "NoAgencyFTE", "NoAgencyHeadcount")
MEASURES = (
    "turnover_rate_fte",
    "turnover_rate_headcount",
    "agency_rate_fte",
    "agency_rate_headcount",
    "vacancy_rate_fte",
    "caseload_fte",
    "absence_rate_fte",
)
# The DfE census began in the 2010s: an earlier reference date is a typing error (and the
# year before it, which the counts need, might not be a date at all).
EARLIEST_REFERENCE = date(2000, 1, 1)


def year_before(day: date) -> date:
    """The same day a year earlier; for 29 February, 28 February."""
    return date(day.year - 1, day.month, min(day.day, 28) if day.month == 2 else day.day)


@dataclass
class Worker:
    record_no: int
    row: int
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.values.get(name)

    @property
    def agency(self) -> bool:
        return self.values.get("AgencyWorker") == "1"


@dataclass
class Census:
    council_code: str | None = None
    reference_date: date | None = None
    totals: dict[str, Any] = field(default_factory=dict)
    workers: list[Worker] = field(default_factory=list)

    def counts(self) -> dict[str, float | None]:
        """The council's counts at the reference date, as DfE defines them."""
        reference = self.reference_date
        if reference is None:  # the reader reports this as an error, so never counted
            raise ValueError("a census without a reference date has no counts")
        start = year_before(reference)
        own = [w for w in self.workers if not w.agency]

        def fte(worker: Worker, name: str = "FTE") -> float:
            value = worker.get(name)
            return float(value) if value is not None else 0.0

        def started(worker: Worker) -> bool:
            start = worker.get("RoleStartDate")
            return start is None or start <= reference

        def ended(worker: Worker) -> bool:
            end = worker.get("RoleEndDate")
            return end is not None and end <= reference

        in_post = [w for w in own if started(w) and not ended(w)]
        starters = [
            w
            for w in own
            if w.get("RoleStartDate") is not None and start < w.get("RoleStartDate") <= reference
        ]
        leavers = [
            w
            for w in own
            if w.get("RoleEndDate") is not None and start < w.get("RoleEndDate") <= reference
        ]
        holders = [w for w in in_post if (w.get("Cases30") or 0) > 0]

        def people(workers: Iterable[Worker]) -> float:
            return float(len({w.get("SWENo") for w in workers}))

        def total(name: str) -> float | None:
            value = self.totals.get(name)
            return None if value is None else float(value)

        return {
            "inpost_fte": round(sum(fte(w) for w in in_post), 6),
            "inpost_headcount": people(in_post),
            "starters_fte": round(sum(fte(w) for w in starters), 6),
            "starters_headcount": people(starters),
            "leavers_fte": round(sum(fte(w) for w in leavers), 6),
            "leavers_headcount": people(leavers),
            "agency_fte": total("NoAgencyFTE"),
            "agency_headcount": total("NoAgencyHeadcount"),
            "vacancy_fte": total("NumberOfVacancies"),
            "case_holders_fte": round(sum(fte(w, "FTE30") for w in holders), 6),
            "cases": float(sum(int(w.get("Cases30") or 0) for w in holders)),
            "working_days_lost_fte": round(
                sum(float(w.get("WorkingDaysLost") or 0) for w in in_post), 2
            ),
        }

    def measures(self) -> dict[str, float | None]:
        counts = cast(definitions.Counts, self.counts())
        year = self.reference_date.year if self.reference_date else 0
        return {name: definitions.compute(name, counts, year) for name in MEASURES}


def read_header(
    issues: Issues, census: Census, header: dict[str, str], rules: dict[str, dict[str, FieldRule]]
) -> None:
    """Set the census's council and reference date from its header's texts (``LEA``,
    ``ReferenceDate``, ``Year``), reporting what is missing or wrong."""
    lea = header.get("LEA", "").strip()
    if not lea:
        issues.error(
            "census.lea", "the header has no LEA (the council's 3-digit code)", column="LEA"
        )
    elif not rules["Source"]["LEA"].matches(lea):
        issues.error("schema.pattern", "LEA must be three digits", column="LEA", value=lea)
    else:
        census.council_code = lea
    reference = header.get("ReferenceDate")
    year = (header.get("Year") or "").strip()
    if reference:
        census.reference_date = schema_date(reference)
        if census.reference_date is None:
            issues.error(
                "schema.type",
                "ReferenceDate must be a date as YYYY-MM-DD",
                column="ReferenceDate",
                value=reference,
            )
    elif re.fullmatch(r"\d{4}", year, re.ASCII) and int(year) >= EARLIEST_REFERENCE.year:
        census.reference_date = date(int(year), 9, 30)
        issues.warning(
            "census.reference_date",
            f"no ReferenceDate: the census date is taken as 30 September {year}",
            column="ReferenceDate",
        )
    else:
        issues.error(
            "census.reference_date",
            "the header needs a ReferenceDate (or a Year)"
            + (f"; its Year is not a year since {EARLIEST_REFERENCE.year}" if year else ""),
            column="ReferenceDate",
            value=year or None,
        )
    if census.reference_date is not None and census.reference_date < EARLIEST_REFERENCE:
        issues.error(
            "census.reference_date",
            f"the reference date is before {EARLIEST_REFERENCE.year}: check its year",
            column="ReferenceDate",
            value=census.reference_date.isoformat(),
        )
        census.reference_date = None
