"""The quarterly return as a file and as stored: files that are not a quarterly return
refused, faults once found in the code kept fixed, and an ingest storing its figures
and assignments, or its report alone."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, col, select

from tests.builders.quarterly import (
    ASSIGNMENTS_FILE,
    FIGURES,
    HAND_COUNTS,
    HAND_MEASURES,
    PERIOD,
    TODAY,
    WORKFORCE_FILE,
    assignment_rows,
    assignments_csv,
    filled_template,
    parse,
    parse_csv,
    to_csv,
    where,
    workforce_csv,
    workforce_rows,
)
from tests.builders.returns import CensusDesign, census_xml
from workforce.auth.audit import Actor
from workforce.config import Settings
from workforce.returns import quarterly
from workforce.returns.flows import ingest
from workforce.returns.models import AgencyAssignment, CouncilReturn, ReturnRoleGroup
from workforce.returns.reading import Upload

# --- files that are not a quarterly return -----------------------------------------------------


def test_the_assignments_csv_alone_is_refused() -> None:
    parsed, issues = parse(assignments_csv(), ASSIGNMENTS_FILE)
    assert [i.rule for i in issues.items] == ["structure.assignments_alone"]
    assert parsed.kind == "unknown" and parsed.quarterly is None


def test_an_assignments_csv_with_a_census_is_refused() -> None:
    parsed, issues = parse(census_xml(CensusDesign()), "census.xml", assignments=assignments_csv())
    assert [(i.rule, i.sheet) for i in issues.errors] == [
        ("structure.assignments_alone", ASSIGNMENTS_FILE)
    ]
    assert parsed.kind == "census"


def test_an_assignments_file_that_is_not_csv_is_refused() -> None:
    parsed, issues = parse(workforce_csv(), assignments=filled_template())
    assert [(i.rule, i.sheet) for i in issues.errors] == [("file.type", ASSIGNMENTS_FILE)]
    assert parsed.quarterly and parsed.quarterly.assignments == []


def test_an_unknown_layout_is_refused_naming_its_columns() -> None:
    parsed, issues = parse(b"name,team,start\r\nAlex,North,2024-01-01\r\n", "staff.csv")
    assert where(issues.items) == [("structure.unknown_layout", None, None, "name, team, start")]
    assert parsed.kind == "unknown"


@pytest.mark.parametrize("data", [b"", b"  \r\n\t", b"\r\n\r\n"], ids=["nothing", "spaces", "crlf"])
def test_an_empty_file_is_refused(data: bytes) -> None:
    parsed, issues = parse(data)
    assert [(i.rule, i.row, i.column) for i in issues.items] == [("file.empty", None, None)]
    assert (parsed.kind, parsed.file_type, parsed.quarterly) == ("unknown", "empty", None)


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "file.type"),
        (b"%PDF-1.7\n", "file.type"),
        (b"PK\x03\x04" + b"\0" * 40, "file.xlsx"),
        (b"council_code\r\n\x81\x8d\x8f\r\n", "file.encoding"),
    ],
    ids=["xls", "pdf", "broken-zip", "not-cp1252"],
)
def test_unreadable_files_are_one_clear_error(data: bytes, rule: str) -> None:
    parsed, issues = parse(data)
    assert [i.rule for i in issues.items] == [rule]
    assert parsed.quarterly is None


# --- faults in the code under test -------------------------------------------------------------


def test_an_assignments_file_error_is_not_filed_under_the_workforce_file() -> None:
    columns = [c for c in quarterly.WORKFORCE_COLUMNS if c != "working_days_lost"]
    not_text = b"agency_name\r\n\x81\x8d\x8f\r\n"  # neither UTF-8 nor Windows-1252
    _, issues = parse(to_csv(workforce_rows(), columns), assignments=not_text)
    encoding = [i for i in issues.errors if i.rule == "file.encoding"]
    assert len(encoding) == 1
    assert encoding[0].sheet in (None, ASSIGNMENTS_FILE)


def test_a_refused_council_code_is_not_also_reported_missing() -> None:
    rows = workforce_rows()
    rows[0]["council_code"] = "=202"
    _, issues = parse_csv(rows)
    assert where(issues.errors) == [("cell.formula", 2, "council_code", "=202")]


def test_a_row_with_more_cells_than_the_header_is_reported() -> None:
    data = workforce_csv(extra={3: ["99"]})  # team_manager, spreadsheet row 5
    _, issues = parse(data)
    extra = [i for i in issues.errors if i.rule == "structure.extra_cells"]
    assert [(i.row, i.value) for i in extra] == [(5, "99")], [str(i) for i in issues.items]


# --- ingesting a quarterly return ---------------------------------------------------------------


@pytest.fixture
def actor() -> Iterator[Actor]:
    yield Actor(name="test", source="tests")


def _ingest(
    session: Session, settings: Settings, actor: Actor, data: bytes, agency: bytes | None
) -> Any:
    result = ingest(
        session=session,
        upload=Upload(data, WORKFORCE_FILE),
        assignments=None if agency is None else Upload(agency, ASSIGNMENTS_FILE),
        council_code="202",
        actor=actor,
        source="upload",
        settings=settings,
        today=TODAY,
    )
    session.commit()
    return result


def test_an_accepted_return_stores_its_figures_and_assignments(
    reference_session: Session, reference_settings: Settings, actor: Actor
) -> None:
    session = reference_session
    result = _ingest(session, reference_settings, actor, workforce_csv(), assignments_csv())
    assert result.created and result.accepted, result.council_return.issues
    row = result.council_return
    assert (row.kind, row.period_end, row.version, row.file_type) == ("quarterly", PERIOD, 1, "csv")
    assert row.error_count == 0
    assert row.counts == HAND_COUNTS
    assert row.measures == HAND_MEASURES
    groups = session.exec(select(ReturnRoleGroup).where(ReturnRoleGroup.return_id == row.id)).all()
    assert {g.role_group: g.inpost_fte for g in groups} == {
        role: float(f["inpost_fte"]) for role, f in FIGURES.items()
    }
    assignments = session.exec(
        select(AgencyAssignment)
        .where(AgencyAssignment.return_id == row.id)
        .order_by(col(AgencyAssignment.row))
    ).all()
    assert [(a.row, a.agency_name, a.swe_number) for a in assignments] == [
        (2, "Café Social Work Ltd", "SW123456"),
        (3, "Northern Locums £ Ltd", "SW654321"),
    ]

    # The same two files again: recognised, nothing new.
    again = _ingest(session, reference_settings, actor, workforce_csv(), assignments_csv())
    assert not again.created and again.council_return.id == row.id
    assert len(session.exec(select(CouncilReturn)).all()) == 1

    # Corrected figures for the same quarter: version 2 replaces version 1.
    rows = workforce_rows()
    rows[0]["agency_fte"] = 13.0
    newer = _ingest(session, reference_settings, actor, workforce_csv(rows), assignments_csv())
    assert newer.created and newer.accepted and newer.council_return.version == 2
    assert newer.council_return.counts["agency_fte"] == 16.5
    session.refresh(row)
    assert row.status == "superseded"


def test_a_rejected_return_stores_its_report_and_no_figures(
    reference_session: Session, reference_settings: Settings, actor: Actor
) -> None:
    agency = assignment_rows()
    agency[1]["swe_number"] = "123456"
    result = _ingest(
        reference_session, reference_settings, actor, workforce_csv(), assignments_csv(agency)
    )
    row = result.council_return
    assert result.created and row.status == "rejected"
    assert (row.error_count, row.counts, row.measures) == (1, {}, {})
    assert [(i["rule"], i["sheet"], i["row"], i["column"], i["value"]) for i in row.issues] == [
        ("swe.format", ASSIGNMENTS_FILE, 3, "swe_number", "123456")
    ]
    assert reference_session.exec(select(ReturnRoleGroup)).all() == []
    assert reference_session.exec(select(AgencyAssignment)).all() == []


def test_a_return_for_another_council_is_refused(
    reference_session: Session, reference_settings: Settings, actor: Actor
) -> None:
    data = workforce_csv(workforce_rows(council="203"))
    row = _ingest(reference_session, reference_settings, actor, data, None).council_return
    assert row.status == "rejected"
    assert [(i["rule"], i["column"], i["value"]) for i in row.issues] == [
        ("scope.council", "council_code", "203")
    ]
