"""The CSWW census: a realistic file's measures equal a hand computation; real faults
are reported by rule, worker record and field, and never crash the reader."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.builders.returns import CensusDesign, census_csv, census_xml, expected, records
from workforce.ingest.problems import Issues
from workforce.measures.definitions import round_half_up
from workforce.returns.census import schema_rules
from workforce.returns.reading import Parsed, Upload, parse_upload

TODAY = date(2026, 11, 24)
DESIGN = CensusDesign()


def _parse(data: bytes, name: str = "census.xml") -> tuple[Parsed, Issues]:
    issues = Issues()
    return parse_upload(issues, Upload(data, name), TODAY), issues


def _rules(issues: Issues) -> set[str]:
    return {i.rule for i in issues.items}


def test_the_factory_follows_the_schema() -> None:
    rules = schema_rules()["CSWWWorker"]
    order = list(rules)
    for worker in records(DESIGN):
        positions = [order.index(name) for name in worker]
        assert positions == sorted(positions), "elements out of the XSD's order"
        for name, value in worker.items():
            rule = rules[name]
            assert not rule.enumeration or value in rule.enumeration, (name, value)


@pytest.mark.parametrize("writer", [census_xml, census_csv], ids=["xml", "csv"])
def test_a_realistic_census_gives_the_hand_computed_measures(writer) -> None:
    parsed, issues = _parse(writer(DESIGN), "census." + ("xml" if writer is census_xml else "csv"))
    assert issues.items == []
    assert parsed.kind == "census"
    assert parsed.council_code == "202"
    assert parsed.period_end == date(2025, 9, 30)
    census = parsed.census
    assert census is not None
    assert len(census.workers) == 310  # 285 council staff records and 25 agency
    counts = census.counts()
    for name, value in expected(DESIGN).items():
        assert counts[name] == pytest.approx(value), name

    # The design by hand: 240 in post; FTE cycles 1.0, 0.8, 0.6, 0.5 (mean 0.725), so 240
    # in post hold 174.0 FTE; 35 leavers (30 + 5 who started and left) numbered 240-274
    # hold 8 full cycles (23.2) plus 1.0, 0.8, 0.6 = 25.6 FTE.
    assert counts["inpost_fte"] == 174.0
    assert counts["leavers_fte"] == pytest.approx(25.6)
    measures = census.measures()
    assert measures["turnover_rate_fte"] == round_half_up(100 * 25.6 / 174.0)  # 14.7
    assert measures["turnover_rate_fte"] == 14.7
    assert measures["agency_rate_fte"] == round_half_up(100 * 23.4 / (23.4 + 174.0))  # 11.9
    assert measures["vacancy_rate_fte"] == round_half_up(100 * 31.5 / (31.5 + 174.0))  # 15.3
    # Every third worker in post (80) holds 17 cases: 1,360 cases over 58.0 FTE.
    assert measures["caseload_fte"] == round_half_up(1360 / 58.0)  # 23.4
    # Every fourth (60) lost 2.5 days: 150 days over 174 FTE x 253 working days.
    assert measures["absence_rate_fte"] == round_half_up(100 * 150 / (174.0 * 253))


def test_xml_and_csv_of_the_same_census_agree() -> None:
    from_xml, _ = _parse(census_xml(DESIGN))
    from_csv, _ = _parse(census_csv(DESIGN), "census.csv")
    assert from_xml.census and from_csv.census
    assert from_xml.census.counts() == from_csv.census.counts()


def _with(design: CensusDesign, index: int, **changes: str | None) -> bytes:
    workers = records(design)
    worker = workers[index]
    for key, value in changes.items():
        if value is None:
            worker.pop(key, None)
        else:
            worker[key] = value
    return census_xml(design, workers)


def _first_staff(design: CensusDesign) -> int:
    return next(i for i, w in enumerate(records(design)) if w["AgencyWorker"] == "0")


def test_real_faults_are_reported_by_rule_record_and_field() -> None:
    i = _first_staff(DESIGN)
    record = i + 1
    cases = {
        "census.swe_prefix": ({"SWENo": "XX1234567890"}, "warning", "SWENo"),
        "schema.pattern": ({"SWENo": "SW123"}, "error", "SWENo"),
        "census.end_after_reference": ({"RoleEndDate": "2025-12-01"}, "warning", "RoleEndDate"),
        "census.fte_above_one": ({"FTE": "1.200000"}, "error", "FTE"),
        "census.personal_missing": ({"PersonBirthDate": None}, "warning", "PersonBirthDate"),
        "schema.enumeration": ({"Ethnicity": "XXXX"}, "error", "Ethnicity"),
        "schema.type": ({"RoleStartDate": "2025-02-30"}, "error", "RoleStartDate"),
        "census.fte_missing": ({"FTE": None}, "error", "FTE"),
        "census.end_before_start": (
            {"RoleStartDate": "2024-05-01", "RoleEndDate": "2024-04-01"},
            "error",
            "RoleEndDate",
        ),
    }
    for rule, (changes, severity, column) in cases.items():
        _, issues = _parse(_with(DESIGN, i, **changes))
        found = [x for x in issues.items if x.rule == rule]
        assert found, (rule, [str(x) for x in issues.items])
        assert found[0].severity == severity, rule
        assert (found[0].row, found[0].column) == (record, column), rule


def test_an_agency_worker_needs_no_personal_fields() -> None:
    _, issues = _parse(census_xml(DESIGN))
    assert "census.personal_missing" not in _rules(issues)


def test_a_duplicate_worker_record_is_an_error() -> None:
    workers = records(DESIGN)
    workers.append(dict(workers[0]))
    _, issues = _parse(census_xml(DESIGN, workers))
    duplicate = [x for x in issues.items if x.rule == "census.duplicate_worker"]
    assert duplicate and duplicate[0].row == len(workers)


def test_an_end_date_after_the_reference_date_counts_as_in_post() -> None:
    design = replace(
        DESIGN, stayers=4, starters=0, leavers=0, starter_leavers=0, old_leavers=0, agency=0
    )
    workers = records(design)
    workers[0]["RoleEndDate"] = "2026-01-31"
    parsed, issues = _parse(census_xml(design, workers))
    assert "census.end_after_reference" in _rules(issues)
    assert parsed.census and parsed.census.counts()["inpost_headcount"] == 4
    assert parsed.census.counts()["leavers_fte"] == 0


def test_schema_valid_oddities_never_crash() -> None:
    design = replace(
        DESIGN, stayers=3, starters=1, leavers=1, starter_leavers=0, old_leavers=0, agency=1
    )
    # Only the schema's required elements, repeats where the schema allows them, namespace.
    workers = [
        {"AgencyWorker": "0", "SWENo": "SW0000000001", "QualInst": "A"},
        {"AgencyWorker": "1", "SWENo": "SW0000000002", "QualInst": "A"},
    ]
    xml = census_xml(design, workers).replace(
        b"<QualInst>A</QualInst>", b"<QualInst>A</QualInst><QualInst>B</QualInst>"
    )
    parsed, issues = _parse(xml)
    assert parsed.census is not None
    assert "census.fte_missing" in _rules(issues)  # council staff without an FTE
    assert parsed.kind == "census"


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"<Message><LALevelVacancies>", "xml.malformed"),
        (b"<?xml version='1.0'?><Other/>", "xml.root"),
        (
            b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<Message>&x;</Message>",
            "xml.unsafe",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>'
            b"<Message>&lol2;</Message>",
            "xml.unsafe",
        ),
    ],
    ids=["truncated", "not-a-census", "external-entity", "billion-laughs"],
)
def test_broken_and_hostile_xml_is_one_clear_error(data: bytes, rule: str) -> None:
    parsed, issues = _parse(data)
    assert [i.rule for i in issues.errors][:1] == [rule]
    assert parsed.census is None or parsed.census.workers == []


def test_a_truncated_census_says_where_it_stops() -> None:
    data = census_xml(DESIGN)
    _, issues = _parse(data[: len(data) // 2])
    error = issues.errors[0]
    assert error.rule == "xml.malformed"
    assert error.row is not None and error.row > 1


def test_a_census_saved_from_excel_with_date_and_number_cells_is_read_like_the_csv() -> None:
    import csv
    import io
    from datetime import datetime

    from openpyxl import Workbook

    rows = list(csv.reader(io.StringIO(census_csv(DESIGN).decode())))
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(rows[0])
    for row in rows[1:]:
        cells: list[object] = []
        for value in row:
            if len(value) == 10 and value[4] == "-":
                cells.append(datetime.fromisoformat(value))  # Excel keeps dates as date-times
            elif value.replace(".", "", 1).isdigit():
                cells.append(float(value) if "." in value else int(value))
            else:
                cells.append(value)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed, issues = _parse(buffer.getvalue(), "census.xlsx")
    assert issues.errors == [], [str(i) for i in issues.errors[:3]]
    assert parsed.census is not None and parsed.period_end == DESIGN.reference_date
    assert parsed.census.counts() == _parse(census_csv(DESIGN), "c.csv")[0].census.counts()  # type: ignore[union-attr]


def test_a_utf16_census_is_read_like_any_other() -> None:
    text = census_xml(DESIGN).decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    parsed, issues = _parse(text.encode("utf-16"))
    assert issues.errors == []
    assert parsed.census is not None and len(parsed.census.workers) == 310


def test_a_census_in_a_namespace_is_read_like_any_other() -> None:
    data = census_xml(DESIGN).replace(b"<Message>", b'<Message xmlns="urn:example:csww">', 1)
    parsed, issues = _parse(data)
    assert issues.errors == []
    assert parsed.council_code == "202" and parsed.census is not None
    assert parsed.census.counts() == _parse(census_xml(DESIGN))[0].census.counts()  # type: ignore[union-attr]
