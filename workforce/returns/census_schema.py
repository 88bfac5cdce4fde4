"""The census schema's rules, element by element, and the checks of values against them.

The rules (type, enumerations and their labels, patterns, bounds, lengths, decimals,
occurrences) are read from the bundled XSD (``workforce/data/census``) with ``xmlschema``,
in a sandbox that reads no other file and resolves no entity. They are the one set of
rules a census is checked by, whether it came as XML or as CSV: ``check_record`` checks a
record's elements, ``check_value`` one value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workforce.data import CENSUS_DIR
from workforce.ingest.problems import Issues

if TYPE_CHECKING:
    import xmlschema

SCHEMA_PATH = CENSUS_DIR / "social_work_workforce_2022.xsd"
XS_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
XS_YEAR = re.compile(r"\d{4}")
XS = "{http://www.w3.org/2001/XMLSchema}"  # the namespace of the schema's own names


def schema_date(text: str) -> date | None:
    """Return ``text`` read as the schema's date (YYYY-MM-DD exactly), or None."""
    text = text.strip()
    if not XS_DATE.fullmatch(text):
        return None  # Python also reads 20250930 and 2025-W39-2, which the schema does not
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class FieldRule:
    """What the schema says one element may hold."""

    name: str
    base: str = "string"  # string, decimal, integer, date, gYear, dateTime
    enumeration: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    pattern: str | None = None  # as the schema writes it
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    fraction_digits: int | None = None
    min_length: int | None = None
    max_length: int | None = None
    min_occurs: int = 1
    max_occurs: int | None = 1  # None: unbounded
    # The schema's patterns as Python regular expressions (xmlschema's translation).
    patterns: tuple[re.Pattern[str], ...] = field(default=(), compare=False, repr=False)

    def label(self, code: str) -> str:
        return dict(self.labels).get(code, code)

    def matches(self, value: str) -> bool:
        """Whether ``value`` matches the schema's pattern (any value, if it has none)."""
        return not self.patterns or any(p.match(value) for p in self.patterns)


def load_schema(path: Path = SCHEMA_PATH) -> xmlschema.XMLSchema10:
    """Return the XSD at ``path``, read in a sandbox: no file outside its folder, nothing
    from the network, and its XML defused (no DTD, no entities)."""
    import xmlschema  # imported on first use, so that starting the service does not load it

    return xmlschema.XMLSchema10(str(path.resolve()), allow="sandbox", defuse="always")


@lru_cache(maxsize=4)
def schema_rules(path: Path = SCHEMA_PATH) -> dict[str, dict[str, FieldRule]]:
    """Return, for each element of a complex type, the rules of its simple child elements,
    in the schema's order."""
    rules: dict[str, dict[str, FieldRule]] = {}
    for element in load_schema(path).elements.values():
        _collect(element, rules)
    return rules


def _collect(element: Any, rules: dict[str, dict[str, FieldRule]]) -> None:
    children: dict[str, FieldRule] = {}
    for child in element.type.content.iter_elements():
        if child.type.is_simple():
            children[child.local_name] = _field_rule(child)
        else:
            _collect(child, rules)
    rules[element.local_name] = children


def _field_rule(element: Any) -> FieldRule:
    simple = element.type
    facets: dict[str, Any] = {"base": _base(simple)}
    enumeration = simple.get_facet(f"{XS}enumeration")
    if enumeration is not None:
        codes = [str(code) for code in enumeration.enumeration]
        facets["enumeration"] = tuple(codes)
        facets["labels"] = tuple(
            (code, _documentation(enumeration.get_annotation(i))) for i, code in enumerate(codes)
        )
    patterns = simple.get_facet(f"{XS}pattern")
    if patterns is not None:
        facets["pattern"] = "|".join(patterns.regexps)
        facets["patterns"] = tuple(patterns.patterns)
    for tag, key, convert in (
        (f"{XS}minInclusive", "minimum", lambda v: Decimal(str(v))),
        (f"{XS}maxInclusive", "maximum", lambda v: Decimal(str(v))),
        (f"{XS}fractionDigits", "fraction_digits", int),
        (f"{XS}minLength", "min_length", int),
        (f"{XS}maxLength", "max_length", int),
    ):
        facet = simple.get_facet(tag)
        if facet is not None:
            facets[key] = convert(facet.value)
    return FieldRule(
        name=element.local_name,
        min_occurs=element.min_occurs,
        max_occurs=element.max_occurs,
        **facets,
    )


def _base(simple: Any) -> str:
    """The built-in type a simple type restricts: integer (and its kind), else its primitive."""
    step = simple
    while step is not None:
        if step.name == f"{XS}integer":
            return "integer"
        step = getattr(step, "base_type", None)
    primitive = getattr(simple, "primitive_type", None)
    return str(primitive.local_name) if primitive is not None else "string"


def _documentation(annotation: Any) -> str:
    if annotation is None:
        return ""
    return " ".join("".join(d.itertext()).strip() for d in annotation.documentation).strip()


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
    if rule.max_length is not None and len(value) > rule.max_length:
        issues.error("schema.length", f"this must be at most {rule.max_length} characters", **where)
        return None
    if not rule.matches(value):
        issues.error(
            "schema.pattern",
            f"does not match the schema's pattern {rule.pattern}"
            + (" (two letters and ten digits, e.g. SW0000123456)" if rule.name == "SWENo" else ""),
            **where,
        )
        return None
    if rule.base in ("decimal", "integer"):
        return _check_number(issues, rule, value, where)
    if rule.base == "date":
        read = schema_date(value)
        if read is None:
            issues.error("schema.type", "this must be a real date as YYYY-MM-DD", **where)
        return read
    if rule.base == "gYear":
        if not XS_YEAR.fullmatch(value):
            issues.error("schema.type", "this must be a year, e.g. 2022", **where)
            return None
        return int(value)
    return value


def _check_number(issues: Issues, rule: FieldRule, value: str, where: dict[str, Any]) -> Any:
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


def check_record(
    issues: Issues, rules: dict[str, FieldRule], values: dict[str, list[str]], row: int, what: str
) -> dict[str, Any]:
    """Check one record's elements (each with the texts it was given) against the schema;
    return its values read (the first of repeats). ``row`` 0 is a record with no row."""
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
