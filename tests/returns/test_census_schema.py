"""The census schema's rules come from the bundled XSD, read in a sandbox, and are the same
rules for a census sent as XML and as CSV."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from xmlschema import XMLSchemaException

from tests.builders.returns import CensusDesign, census_csv, census_xml, records
from workforce.ingest.problems import Issues
from workforce.returns.census_schema import check_value, load_schema, schema_rules
from workforce.returns.reading import Upload, parse_upload

TODAY = date(2026, 11, 24)
DESIGN = CensusDesign()


def test_each_elements_rules_are_the_schemas() -> None:
    worker = schema_rules()["CSWWWorker"]
    fte = worker["FTE"]
    assert (fte.base, fte.minimum, fte.maximum, fte.fraction_digits) == (
        "decimal",
        Decimal(0),
        Decimal(1),
        6,
    )
    assert (fte.min_occurs, fte.max_occurs) == (0, 1)
    assert worker["Cases30"].base == "integer"
    assert worker["RoleStartDate"].base == "date"
    assert worker["SWENo"].pattern == r"[A-Za-z]{2}\d{10}"
    assert (worker["QualInst"].min_occurs, worker["QualInst"].max_occurs) == (1, None)
    assert worker["Ethnicity"].label("WBRI") == "White British"
    assert worker["AgencyWorker"].enumeration == ("0", "1")
    assert worker["AgencyWorker"].min_length == 1  # from its base type, nonEmptyString
    assert list(schema_rules()["LALevelVacancies"]) == [
        "NumberOfVacancies",
        "NoAgencyFTE",
        "NoAgencyHeadcount",
    ]
    assert schema_rules()["CollectionDetails"]["Year"].base == "gYear"
    assert schema_rules()["Source"]["LEA"].matches("202")
    assert not schema_rules()["Source"]["LEA"].matches("2020")


@pytest.mark.parametrize(
    ("element", "raw", "rule"),
    [
        ("SWENo", "SW123", "schema.pattern"),
        ("FTE", "-0.5", "schema.range"),
        ("FTE", "1.5", "census.fte_above_one"),
        ("FTE", "0.1234567", "schema.decimals"),
        ("Cases30", "2.5", "schema.type"),
        ("Cases30", "many", "schema.type"),
        ("RoleStartDate", "20250930", "schema.type"),
        ("OrgRole", "7", "schema.enumeration"),
    ],
)
def test_a_value_is_checked_by_its_elements_rules(element: str, raw: str, rule: str) -> None:
    issues = Issues()
    check_value(issues, schema_rules()["CSWWWorker"][element], raw, row=3)
    assert [(i.rule, i.row, i.column, i.value) for i in issues.items] == [(rule, 3, element, raw)]


def _staff_faults() -> list[dict[str, str]]:
    workers = records(DESIGN)
    staff = next(w for w in workers if w["AgencyWorker"] == "0")
    staff.update(SWENo="SW123", FTE="1.200000", Ethnicity="XXXX", RoleStartDate="2025-02-30")
    staff.update(Cases30="2.5", WorkingDaysLost="1.234")
    return workers


def test_xml_and_csv_are_checked_by_the_same_rules() -> None:
    found = {}
    for name, data in (
        ("census.xml", census_xml(DESIGN, _staff_faults())),
        ("census.csv", census_csv(DESIGN, _staff_faults())),
    ):
        issues = Issues()
        parse_upload(issues, Upload(data, name), TODAY)
        found[name] = sorted((i.rule, i.severity, i.column, i.value) for i in issues.items)
    assert found["census.xml"] == found["census.csv"]
    assert {rule for rule, *_ in found["census.xml"]} >= {
        "schema.pattern",
        "census.fte_above_one",
        "schema.enumeration",
        "schema.type",
        "schema.decimals",
    }


def _schema(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


XS = 'xmlns:xs="http://www.w3.org/2001/XMLSchema"'


def test_the_schema_is_read_in_a_sandbox(tmp_path: Path) -> None:
    _schema(
        tmp_path,
        "outside.xsd",
        f'<xs:schema {XS}><xs:simpleType name="t"><xs:restriction base="xs:string"/>'
        "</xs:simpleType></xs:schema>",
    )
    reaches_out = _schema(
        tmp_path,
        "census/reaches_out.xsd",
        f'<xs:schema {XS}><xs:include schemaLocation="../outside.xsd"/>'
        '<xs:element name="Message" type="t"/></xs:schema>',
    )
    with pytest.raises(XMLSchemaException):
        load_schema(reaches_out)


def test_the_schema_may_declare_no_entities(tmp_path: Path) -> None:
    declares = _schema(
        tmp_path,
        "census/entities.xsd",
        '<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x "y">]>'
        f'<xs:schema {XS}><xs:element name="Message" type="xs:string"/></xs:schema>',
    )
    with pytest.raises(XMLSchemaException):
        load_schema(declares)
