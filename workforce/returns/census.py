"""The DfE CSWW worker-level census: XML as councils send it to DfE, or the same as CSV.

Field rules (types, enumerations, patterns, bounds, decimals, occurrences) are read from
the bundled XSD (``workforce/data/census``), so the checks are the schema's own. On top of
the schema, rules real files break are reported by name: registration numbers that do not
start ``SW``, end dates after the reference date, personal fields missing for council
staff, duplicate records, case holders without an FTE.

The council's measures are computed as DfE defines them: council staff (``AgencyWorker``
0) in post at the reference date; starters and leavers over the year to it; agency FTE and
vacancies from the council totals; cases per case-holding FTE at the reference date.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, cast
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse, parse

from workforce.data import CENSUS_DIR
from workforce.ingest import files
from workforce.ingest.problems import Issues
from workforce.ingest.tables import Table
from workforce.measures import definitions

SCHEMA_PATH = CENSUS_DIR / "social_work_workforce_2022.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"
WORKER = "CSWWWorker"
TOTALS = "LALevelVacancies"
PERSONAL_FIELDS = ("PersonBirthDate", "GenderCurrent", "Ethnicity", "QualInst", "QualLevel")
HEADER_FIELDS = ("LEA", "ReferenceDate", "Year")
TOTAL_FIELDS = ("NumberOfVacancies", "NoAgencyFTE", "NoAgencyHeadcount")
XS_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# The DfE census began in the 2010s: an earlier reference date is a typing error (and the
# year before it, which the counts need, might not be a date at all).
EARLIEST_REFERENCE = date(2000, 1, 1)


def schema_date(text: str) -> date | None:
    """Return ``text`` read as the schema's date (YYYY-MM-DD exactly), or None."""
    text = text.strip()
    if not XS_DATE.fullmatch(text):
        return None  # Python also reads 20250930 and 2025-W39-2, which the schema does not
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def year_before(day: date) -> date:
    """The same day a year earlier; for 29 February, 28 February."""
    return date(day.year - 1, day.month, min(day.day, 28) if day.month == 2 else day.day)


@dataclass(frozen=True)
class FieldRule:
    """What the schema says one element may hold."""

    name: str
    base: str = "string"  # string, decimal, integer, date, gYear, dateTime
    enumeration: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    pattern: str | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    fraction_digits: int | None = None
    min_length: int | None = None
    min_occurs: int = 1
    max_occurs: int | None = 1  # None: unbounded

    def label(self, code: str) -> str:
        return dict(self.labels).get(code, code)


def _simple_type(node: Element, types: dict[str, Element]) -> dict[str, Any]:
    """Return the facets of a simpleType node, following named bases."""
    restriction = node.find(f"{XS}restriction")
    if restriction is None:
        return {"base": "string"}
    base = restriction.get("base", "xs:string")
    facets: dict[str, Any] = {}
    if base.startswith("xs:"):
        facets["base"] = base[3:]
    elif base in types:
        facets.update(_simple_type(types[base], types))
    enumeration = [
        (e.get("value", ""), "".join(e.itertext()).strip())
        for e in restriction.findall(f"{XS}enumeration")
    ]
    if enumeration:
        facets["enumeration"] = tuple(v for v, _ in enumeration)
        facets["labels"] = tuple(enumeration)
    for facet, key, convert in (
        ("pattern", "pattern", str),
        ("minInclusive", "minimum", Decimal),
        ("maxInclusive", "maximum", Decimal),
        ("fractionDigits", "fraction_digits", int),
        ("minLength", "min_length", int),
    ):
        found = restriction.find(f"{XS}{facet}")
        if found is not None:
            facets[key] = convert(found.get("value", ""))
    return facets


@lru_cache(maxsize=4)
def schema_rules(path: Path = SCHEMA_PATH) -> dict[str, dict[str, FieldRule]]:
    """Return, for each complex type's element name, the rules of its child elements."""
    root = parse(str(path)).getroot()
    simple = {n.get("name", ""): n for n in root.findall(f"{XS}simpleType")}
    complex_types = {n.get("name", ""): n for n in root.findall(f"{XS}complexType")}
    element_types = {}
    for complex_type in complex_types.values():
        for element in complex_type.iter(f"{XS}element"):
            if element.get("type") in complex_types:
                element_types[element.get("name", "")] = element.get("type", "")
    rules: dict[str, dict[str, FieldRule]] = {}
    for element_name, type_name in element_types.items():
        children = {}
        for element in complex_types[type_name].iter(f"{XS}element"):
            name = element.get("name", "")
            declared = element.get("type")
            if declared in complex_types:
                continue
            if declared and declared.startswith("xs:"):
                facets: dict[str, Any] = {"base": declared[3:]}
            elif declared in simple:
                facets = _simple_type(simple[declared], simple)
            else:
                inline = element.find(f"{XS}simpleType")
                facets = _simple_type(inline, simple) if inline is not None else {}
            max_occurs = element.get("maxOccurs", "1")
            children[name] = FieldRule(
                name=name,
                min_occurs=int(element.get("minOccurs", "1")),
                max_occurs=None if max_occurs == "unbounded" else int(max_occurs),
                **facets,
            )
        rules[element_name] = children
    return rules


# Values a rule has read cleanly before: census files repeat codes, FTEs and dates a lot.
_CLEAN: dict[tuple[int, str], Any] = {}  # (id of a cached rule, raw text)
_CLEAN_LIMIT = 200_000


def check_value(issues: Issues, rule: FieldRule, raw: str, *, row: int) -> Any:
    """Return ``raw`` read by ``rule`` (a Decimal, int, date or str), or None with an issue."""
    key = (id(rule), raw)
    if key in _CLEAN:
        return _CLEAN[key]
    before = issues.count
    value = _check_value(issues, rule, raw, row=row)
    if issues.count == before:
        if len(_CLEAN) >= _CLEAN_LIMIT:
            _CLEAN.clear()
        _CLEAN[key] = value
    return value


def _check_value(issues: Issues, rule: FieldRule, raw: str, *, row: int) -> Any:
    value = raw.strip()
    where = {"row": row, "column": rule.name, "value": raw}
    if rule.enumeration:
        if value not in rule.enumeration:
            allowed = ", ".join(f"{code} ({label})" for code, label in rule.labels)
            issues.error("schema.enumeration", f"not an allowed code; allowed: {allowed}", **where)
            return None
        return value
    if rule.min_length and len(value) < rule.min_length:
        issues.error("schema.required", "this must not be empty", **where)
        return None
    if rule.pattern and not re.fullmatch(rule.pattern, value):
        issues.error(
            "schema.pattern",
            f"does not match the schema's pattern {rule.pattern}"
            + (" (two letters and ten digits, e.g. SW0000123456)" if rule.name == "SWENo" else ""),
            **where,
        )
        return None
    if rule.base in ("decimal", "integer"):
        try:
            number = Decimal(value)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            issues.error("schema.type", "this must be a number", **where)
            return None
        if rule.base == "integer" and number != number.to_integral_value():
            issues.error("schema.type", "this must be a whole number", **where)
            return None
        if rule.minimum is not None and number < rule.minimum:
            issues.error("schema.range", f"this must be at least {rule.minimum}", **where)
            return None
        if rule.maximum is not None and number > rule.maximum:
            rule_id = "census.fte_above_one" if rule.name in ("FTE", "FTE30") else "schema.range"
            issues.error(rule_id, f"this must be at most {rule.maximum}", **where)
            return None
        if rule.fraction_digits is not None:
            exponent = number.as_tuple().exponent
            places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
            if places > rule.fraction_digits:
                issues.warning(
                    "schema.decimals",
                    f"more than {rule.fraction_digits} decimal places; read as given",
                    **where,
                )
        return int(number) if rule.base == "integer" else number
    if rule.base == "date":
        read = schema_date(value)
        if read is None:
            issues.error("schema.type", "this must be a real date as YYYY-MM-DD", **where)
        return read
    if rule.base == "gYear":
        if not re.fullmatch(r"\d{4}", value):
            issues.error("schema.type", "this must be a year, e.g. 2022", **where)
            return None
        return int(value)
    return value


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
        counts = self.counts()
        year = self.reference_date.year if self.reference_date else 0
        return {
            name: definitions.compute(name, cast(definitions.Counts, counts), year)
            for name in (
                "turnover_rate_fte",
                "turnover_rate_headcount",
                "agency_rate_fte",
                "agency_rate_headcount",
                "vacancy_rate_fte",
                "caseload_fte",
                "absence_rate_fte",
            )
        }


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_xml(issues: Issues, data: bytes) -> Census:
    """Parse a census XML message as a stream; a broken or hostile file is one error, never
    a crash, and reading stops at a worker record past ``MAX_TABLE_ROWS``."""
    # A fault found part way through takes back the issues of the records read before it,
    # so that a damaged file is reported as one error.
    before = issues.mark()
    try:
        return _read_message(issues, data)
    except files.Unreadable:
        issues.rollback(before)
        raise
    except DefusedXmlException as exc:
        issues.rollback(before)
        issues.error(
            "xml.unsafe",
            f"the XML declares a DTD or entities ({exc.__class__.__name__}); these are refused "
            "for safety: export the census without them",
        )
    except ParseError as exc:
        issues.rollback(before)
        line, column = getattr(exc, "position", (None, None))
        issues.error(
            "xml.malformed",
            f"the XML is not well formed ({str(exc).split(':')[0]}); is the file complete?",
            row=line,
            column=f"character {column}" if column is not None else None,
        )
    return Census()


def _top_level(data: bytes) -> Iterator[Element]:
    """Yield the root element as it opens, then each of its children once read whole; each
    child is dropped once the caller has it, so memory holds one record at a time."""
    depth = 0
    root: Element | None = None
    events = iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )
    for event, node in events:
        if event == "start":
            depth += 1
            if depth == 1:
                root = node
                yield node
        else:
            depth -= 1
            if depth == 1 and root is not None:
                yield node
                root.clear()


def _read_message(issues: Issues, data: bytes) -> Census:
    rules = schema_rules()
    census = Census()
    header_values: dict[str, str] = {}
    totals_seen = 0
    limit = files.MAX_TABLE_ROWS
    top = _top_level(data)
    root = next(top, None)
    if root is None:
        issues.error("xml.malformed", "the XML holds no element; is the file complete?")
        return census
    if _local(root.tag) != "Message":
        issues.error(
            "xml.root",
            "this is not a CSWW census: the root element must be Message",
            value=_local(root.tag),
        )
        return census
    for child in top:
        name = _local(child.tag)
        if name == "Header":
            for node in child.iter():
                local = _local(node.tag)
                if local in HEADER_FIELDS and node.text is not None:
                    header_values[local] = node.text
        elif name == TOTALS:
            totals_seen += 1
            census.totals = _check_record(issues, rules[TOTALS], _children(child), 0, TOTALS)
        elif name == WORKER:
            number = len(census.workers) + 1
            if number > limit:
                raise files.too_many_rows(limit, "worker records", row=number, column=WORKER)
            worker = Worker(record_no=number, row=number)
            worker.values = _check_record(issues, rules[WORKER], _children(child), number, WORKER)
            census.workers.append(worker)
        else:
            issues.error(
                "schema.unknown_element", "this element is not part of the census", column=name
            )
    if totals_seen != 1:
        issues.error(
            "schema.required",
            "the census needs exactly one LALevelVacancies block "
            "(NumberOfVacancies, NoAgencyFTE, NoAgencyHeadcount)",
            column=TOTALS,
        )
    _read_header(issues, census, header_values, rules)
    return census


def _children(node: Element) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for child in node:
        values.setdefault(_local(child.tag), []).append(child.text or "")
    return values


def _check_record(
    issues: Issues, rules: dict[str, FieldRule], values: dict[str, list[str]], row: int, what: str
) -> dict[str, Any]:
    """Check one record against the schema; return its values read (first of repeats)."""
    out: dict[str, Any] = {}
    where_row = row or None
    for name, found in values.items():
        rule = rules.get(name)
        if rule is None:
            issues.error(
                "schema.unknown_element",
                f"{what} has no element {name}",
                row=where_row,
                column=name,
            )
            continue
        if rule.max_occurs is not None and len(found) > rule.max_occurs:
            issues.error(
                "schema.occurs",
                f"{name} may appear at most {rule.max_occurs} time(s)",
                row=where_row,
                column=name,
            )
        read = [check_value(issues, rule, raw, row=row) for raw in found]
        out[name] = read[0] if len(read) == 1 else read
        if name == "QualInst":
            out[name] = [r for r in read if r]
    for name, rule in rules.items():
        if rule.min_occurs and name not in values:
            issues.error("schema.required", f"{what} must have {name}", row=where_row, column=name)
    return out


def _read_header(
    issues: Issues, census: Census, header: dict[str, str], rules: dict[str, dict[str, FieldRule]]
) -> None:
    lea = header.get("LEA", "").strip()
    if not lea:
        issues.error(
            "census.lea", "the header has no LEA (the council's 3-digit code)", column="LEA"
        )
    elif not re.fullmatch(r"\d{3}", lea):
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


def _cell_text(value: object) -> str:
    """A cell as the census's text: a date cell (a census saved from Excel) as YYYY-MM-DD."""
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def read_csv_census(issues: Issues, table: Table) -> Census:
    """Read the census as CSV: worker elements as columns; header and totals on every row."""
    rules = schema_rules()
    worker_rules = rules[WORKER]
    expected = {c.lower() for c in [*worker_rules, *HEADER_FIELDS, *TOTAL_FIELDS]}
    names = {c.lower(): c for c in [*worker_rules, *HEADER_FIELDS, *TOTAL_FIELDS]}
    header = [h.replace("_", "") for h in table.header]
    for column in header:
        if column and column not in expected:
            issues.warning("structure.unknown_column", "not a census field; ignored", column=column)
    for required in (
        "lea",
        "referencedate",
        *[t.lower() for t in TOTAL_FIELDS],
        "agencyworker",
        "sweno",
    ):
        if required not in header:
            issues.error(
                "structure.missing_column",
                f"the column {names[required]} is missing",
                column=names[required],
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
            cell = raw.get(name)
            value = cell.strip() if isinstance(cell, str) else _cell_text(cell)
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
            cell = raw_row.get(column)
            text = cell.strip() if isinstance(cell, str) else _cell_text(cell)
            if text:
                values[field_name] = [text]
        worker = Worker(record_no=record_no, row=row)
        worker.values = _check_record(issues, worker_rules, values, row, WORKER)
        census.workers.append(worker)
    total_rules = rules[TOTALS]
    census.totals = _check_record(
        issues, total_rules, {n: [first[n]] for n in TOTAL_FIELDS if n in first}, 0, TOTALS
    )
    _read_header(issues, census, first, rules)
    return census


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
