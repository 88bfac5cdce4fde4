"""Version 2 of the agency assignments sheet: the columns regional MoU groups check the DfE
agency rules with (pay route, date qualified, notice, early end, project costs), read
from the columns a file has; a version 1 file read and stored as before; each new check
at its row and column; and the blank template's new columns, drop-downs and version."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlmodel import Session, col, select

from tests.builders.quarterly import (
    ASSIGNMENTS_FILE,
    HAND_COUNTS,
    TODAY,
    WORKFORCE_FILE,
    assignment_rows,
    assignment_rows_v2,
    assignments_csv,
    assignments_v2_csv,
    check_assignments,
    check_figures,
    filled_template,
    machine_names,
    parse,
    parse_csv,
    parse_csv_v2,
    to_csv,
    where,
    workforce_csv,
)
from workforce import migrations
from workforce.auth.audit import Actor
from workforce.config import Settings
from workforce.db import make_engine
from workforce.mou.models import PayRoute
from workforce.returns import quarterly
from workforce.returns.flows import ingest
from workforce.returns.models import AgencyAssignment
from workforce.returns.reading import Upload

NEW_COLUMNS = [
    "pay_route",
    "date_qualified",
    "notice_given_on",
    "early_end_reason",
    "project_costs_itemised",
]
V2_FIELDS = ("template_version", *NEW_COLUMNS)


def _v2(assignment: Any) -> tuple[object, ...]:
    return tuple(getattr(assignment, name) for name in V2_FIELDS)


# What the two assignments of ``assignment_rows_v2`` hold in the version 2 columns.
STORED_V2 = [
    (2, PayRoute.paye, date(2024, 1, 4), None, None, None),
    (
        2,
        PayRoute.limited_company,
        date(2019, 7, 15),
        date(2026, 5, 1),
        "council_ended_budget",
        True,
    ),
]
V1_EMPTY = (1, None, None, None, None, None)


def test_the_version_2_columns_are_the_ones_the_mou_checks_use() -> None:
    assert list(quarterly.ASSIGNMENT_COLUMNS_V2) == NEW_COLUMNS
    assert list(quarterly.ASSIGNMENT_COLUMNS) == [*quarterly.ASSIGNMENT_COLUMNS_V1, *NEW_COLUMNS]
    assert list(quarterly.PAY_ROUTES) == ["paye", "umbrella", "limited_company"]
    assert list(quarterly.EARLY_END_REASONS) == [
        "worker_left",
        "agency_withdrew",
        "council_ended_performance",
        "council_ended_budget",
        "other",
    ]
    assert quarterly.REQUIRED_ASSIGNMENT.isdisjoint(NEW_COLUMNS)
    assert quarterly.assignments_version(list(quarterly.ASSIGNMENT_COLUMNS_V1)) == 1
    assert quarterly.assignments_version([*quarterly.ASSIGNMENT_COLUMNS_V1, "pay_route"]) == 2


# --- version 1, as before -----------------------------------------------------------------------


def test_a_version_1_csv_is_read_as_before_with_the_new_fields_empty() -> None:
    data = assignments_csv()
    assert data.split(b"\r\n", 1)[0].decode() == ",".join(quarterly.ASSIGNMENT_COLUMNS_V1)
    parsed, issues = parse(workforce_csv(), assignments=data)
    check_figures(parsed, issues)
    check_assignments(parsed)
    assert parsed.quarterly is not None
    assert [_v2(a) for a in parsed.quarterly.assignments] == [V1_EMPTY, V1_EMPTY]


def test_a_workbook_from_the_version_1_template_is_read_as_before() -> None:
    data = filled_template(assignments_version=1)
    header = next(load_workbook(io.BytesIO(data))["Agency assignments"].iter_rows(max_row=1))
    assert machine_names(header) == list(quarterly.ASSIGNMENT_COLUMNS_V1)
    parsed, issues = parse(data, "return.xlsx")
    check_figures(parsed, issues)
    check_assignments(parsed)
    assert parsed.quarterly is not None
    assert [_v2(a) for a in parsed.quarterly.assignments] == [V1_EMPTY, V1_EMPTY]


def test_version_1_still_needs_every_swe_number_even_in_a_project_team() -> None:
    agency = assignment_rows()
    agency[1]["swe_number"] = ""  # a project-team row
    parsed, issues = parse_csv(assignments=agency)
    assert where(issues.errors) == [("required", 3, "swe_number", None)]
    assert parsed.quarterly and [a.row for a in parsed.quarterly.assignments] == [2]


def test_a_version_1_file_ignores_the_new_checks_it_has_no_columns_for() -> None:
    # A version 1 file with an unknown column is still version 1: it warns as before.
    rows = [{**a, "notes": "x"} for a in assignment_rows()]
    data = to_csv(rows, [*quarterly.ASSIGNMENT_COLUMNS_V1, "notes"])
    parsed, issues = parse(workforce_csv(), assignments=data)
    assert issues.errors == []
    assert where(issues.warnings) == [("structure.unknown_column", None, "notes", None)]
    assert parsed.quarterly and [a.template_version for a in parsed.quarterly.assignments] == [
        1,
        1,
    ]


# --- version 2 ----------------------------------------------------------------------------------


def test_a_version_2_csv_gives_every_new_field() -> None:
    parsed, issues = parse_csv_v2()
    check_figures(parsed, issues)
    check_assignments(parsed)
    assert parsed.quarterly is not None
    assert [_v2(a) for a in parsed.quarterly.assignments] == STORED_V2


def test_the_filled_in_version_2_template_gives_every_new_field() -> None:
    parsed, issues = parse(filled_template(assignments_version=2), "return.xlsx")
    check_figures(parsed, issues)
    check_assignments(parsed)
    assert parsed.quarterly is not None
    assert [_v2(a) for a in parsed.quarterly.assignments] == STORED_V2


def test_the_template_left_blank_in_its_new_columns_is_version_2_without_them() -> None:
    parsed, issues = parse(filled_template(), "return.xlsx")
    check_figures(parsed, issues)
    check_assignments(parsed)
    assert parsed.quarterly is not None
    assert [_v2(a) for a in parsed.quarterly.assignments] == [(2, *V1_EMPTY[1:])] * 2


def test_version_2_needs_only_the_new_columns_it_has() -> None:
    columns = [*quarterly.ASSIGNMENT_COLUMNS_V1, "pay_route"]
    parsed, issues = parse(workforce_csv(), assignments=assignments_v2_csv(columns=columns))
    assert issues.items == [], [str(i) for i in issues.items]
    assert parsed.quarterly is not None
    assert [_v2(a) for a in parsed.quarterly.assignments] == [
        (2, PayRoute.paye, None, None, None, None),
        (2, PayRoute.limited_company, None, None, None, None),
    ]


def test_version_2_still_needs_the_version_1_columns() -> None:
    columns = [c for c in quarterly.ASSIGNMENT_COLUMNS if c != "start_date"]
    parsed, issues = parse(workforce_csv(), assignments=assignments_v2_csv(columns=columns))
    assert where(issues.errors) == [("structure.missing_column", None, "start_date", None)]
    assert parsed.quarterly and parsed.quarterly.assignments == []


def test_codes_are_read_from_their_labels_and_any_spacing() -> None:
    agency = assignment_rows_v2()
    agency[0]["pay_route"] = "  Umbrella Company "
    agency[1]["pay_route"] = "limited company"
    agency[1]["early_end_reason"] = "the agency withdrew the worker"
    agency[1]["project_costs_itemised"] = "no"
    agency[1]["date_qualified"] = "15/07/2019"
    parsed, issues = parse_csv_v2(agency)
    assert issues.items == [], [str(i) for i in issues.items]
    assert parsed.quarterly is not None
    first, second = parsed.quarterly.assignments
    assert first.pay_route == PayRoute.umbrella
    assert (second.pay_route, second.early_end_reason) == (
        PayRoute.limited_company,
        "agency_withdrew",
    )
    assert (second.project_costs_itemised, second.date_qualified) == (False, date(2019, 7, 15))


def test_a_project_team_worker_may_be_unnamed_in_version_2() -> None:
    agency = assignment_rows_v2()
    agency[1]["swe_number"] = ""  # project_team Y
    parsed, issues = parse_csv_v2(agency)
    assert issues.items == [], [str(i) for i in issues.items]
    assert parsed.quarterly is not None
    assert [(a.row, a.swe_number, a.project_team) for a in parsed.quarterly.assignments] == [
        (2, "SW123456", False),
        (3, None, True),
    ]


def test_two_unnamed_project_team_workers_starting_the_same_day_are_not_duplicates() -> None:
    agency = assignment_rows_v2()
    agency[1]["swe_number"] = ""
    agency.append({**agency[1], "agency_name": "Another Agency"})
    parsed, issues = parse_csv_v2(agency)
    assert issues.items == [], [str(i) for i in issues.items]
    assert parsed.quarterly and [a.row for a in parsed.quarterly.assignments] == [2, 3, 4]


@pytest.mark.parametrize("project_team", ["N", ""])
def test_a_worker_outside_a_project_team_must_be_named_in_version_2(project_team: str) -> None:
    agency = assignment_rows_v2()
    agency[1]["swe_number"] = ""
    agency[1]["project_team"] = project_team
    agency[1]["project_costs_itemised"] = ""
    parsed, issues = parse_csv_v2(agency)
    assert where(issues.errors) == [("required", 3, "swe_number", None)]
    assert issues.errors[0].sheet == ASSIGNMENTS_FILE
    assert parsed.quarterly and [a.row for a in parsed.quarterly.assignments] == [2]


@pytest.mark.parametrize(
    ("at", "changes", "rule", "column", "shown"),
    [
        (0, {"pay_route": "agency"}, "value.pay_route", "pay_route", "agency"),
        (1, {"pay_route": "PAYE umbrella"}, "value.pay_route", "pay_route", "PAYE umbrella"),
        # Qualified after the assignment started (2026-01-05).
        (
            0,
            {"date_qualified": "2026-01-06"},
            "cross.qualified_after_start",
            "date_qualified",
            "2026-01-06",
        ),
        # Qualified in the future (today is 2026-11-24).
        (0, {"date_qualified": "2026-11-25"}, "date.future", "date_qualified", "2026-11-25"),
        (0, {"date_qualified": "2026-02-30"}, "type.date", "date_qualified", "2026-02-30"),
        # Notice given after the assignment ended (2026-05-31).
        (
            1,
            {"notice_given_on": "2026-06-01"},
            "cross.notice_after_end",
            "notice_given_on",
            "2026-06-01",
        ),
        (1, {"notice_given_on": "soon"}, "type.date", "notice_given_on", "soon"),
        # An early-end reason for an assignment with no end date.
        (
            0,
            {"early_end_reason": "worker_left"},
            "cross.early_end_without_end",
            "early_end_reason",
            "worker_left",
        ),
        (
            1,
            {"early_end_reason": "ran out of money"},
            "value.early_end_reason",
            "early_end_reason",
            "ran out of money",
        ),
        (
            1,
            {"project_costs_itemised": "partly"},
            "type.yes_no",
            "project_costs_itemised",
            "partly",
        ),
    ],
)
def test_a_bad_version_2_value_is_reported_at_its_row_and_column_and_not_kept(
    at: int, changes: dict[str, str], rule: str, column: str, shown: str
) -> None:
    agency = assignment_rows_v2()
    agency[at].update(changes)
    parsed, issues = parse_csv_v2(agency)
    assert where(issues.errors) == [(rule, at + 2, column, shown)]
    assert issues.errors[0].sheet == ASSIGNMENTS_FILE
    assert issues.errors[0].message
    assert parsed.quarterly is not None
    assert [a.row for a in parsed.quarterly.assignments] == [3 - at]
    assert parsed.quarterly.counts() == HAND_COUNTS


def test_the_date_checks_allow_the_same_day() -> None:
    agency = assignment_rows_v2()
    agency[0]["date_qualified"] = "2026-01-05"  # the start date
    agency[1]["notice_given_on"] = "2026-05-31"  # the end date
    parsed, issues = parse_csv_v2(agency)
    assert issues.items == [], [str(i) for i in issues.items]
    assert parsed.quarterly and len(parsed.quarterly.assignments) == 2


def test_an_early_end_reason_with_a_bad_end_date_is_reported_once() -> None:
    agency = assignment_rows_v2()
    agency[1]["end_date"] = "2026-05-32"
    _, issues = parse_csv_v2(agency)
    assert where(issues.errors) == [("type.date", 3, "end_date", "2026-05-32")]


def test_itemised_project_costs_outside_a_project_team_are_a_warning() -> None:
    agency = assignment_rows_v2()
    agency[0]["project_costs_itemised"] = "Y"  # project_team N
    parsed, issues = parse_csv_v2(agency)
    assert issues.errors == []
    assert where(issues.warnings) == [
        ("cross.itemised_not_project_team", 2, "project_costs_itemised", "Y")
    ]
    assert parsed.quarterly and parsed.quarterly.assignments[0].project_costs_itemised is True


# --- stored -------------------------------------------------------------------------------------


@pytest.fixture
def actor() -> Iterator[Actor]:
    yield Actor(name="test", source="tests")


def _stored(session: Session, settings: Settings, actor: Actor, agency: bytes) -> list[Any]:
    result = ingest(
        session=session,
        upload=Upload(workforce_csv(), WORKFORCE_FILE),
        assignments=Upload(agency, ASSIGNMENTS_FILE),
        council_code="202",
        actor=actor,
        source="upload",
        settings=settings,
        today=TODAY,
    )
    session.commit()
    assert result.accepted, result.council_return.issues
    session.expire_all()
    return list(
        session.exec(
            select(AgencyAssignment)
            .where(AgencyAssignment.return_id == result.council_return.id)
            .order_by(col(AgencyAssignment.row))
        ).all()
    )


def test_a_version_1_return_is_stored_with_template_version_1_and_the_new_fields_empty(
    reference_session: Session, reference_settings: Settings, actor: Actor
) -> None:
    stored = _stored(reference_session, reference_settings, actor, assignments_csv())
    assert [(a.row, a.swe_number) for a in stored] == [(2, "SW123456"), (3, "SW654321")]
    assert [_v2(a) for a in stored] == [V1_EMPTY, V1_EMPTY]


def test_a_version_2_return_stores_every_new_field(
    reference_session: Session, reference_settings: Settings, actor: Actor
) -> None:
    agency = assignment_rows_v2()
    agency[1]["swe_number"] = ""  # an unnamed project-team worker
    stored = _stored(reference_session, reference_settings, actor, assignments_v2_csv(agency))
    assert [(a.row, a.swe_number, a.project_team) for a in stored] == [
        (2, "SW123456", False),
        (3, None, True),
    ]
    assert [_v2(a) for a in stored] == STORED_V2
    assert all(isinstance(a.pay_route, str) for a in stored)


def test_a_row_stored_before_version_2_reads_as_version_1(
    reference_session: Session, reference_settings: Settings, actor: Actor
) -> None:
    # The database's default, as for the rows migration 0010 found: no version given.
    stored = _stored(reference_session, reference_settings, actor, assignments_csv())
    table = AgencyAssignment.__table__  # type: ignore[attr-defined]
    values = {
        c.name: getattr(stored[0], c.name)
        for c in table.columns
        if c.name not in {"id", "template_version", "row"}
    }
    reference_session.execute(table.insert().values(**values, row=99))
    reference_session.commit()
    [again] = reference_session.exec(
        select(AgencyAssignment).where(AgencyAssignment.row == 99)
    ).all()
    assert again.template_version == 1


# --- migration 0010 -----------------------------------------------------------------------------


def test_migration_0010_keeps_stored_assignments_and_their_findings(
    blank_database_url: str,
) -> None:
    """Rows stored before version 2 become version 1; an MoU finding on one keeps it; going
    back, an unnamed worker's number is stored empty."""
    url = blank_database_url
    migrations.upgrade(url, "0009")
    day = date(2026, 1, 5)
    rows: dict[str, dict[str, Any]] = {
        "region": {"code": "E12000007", "name": "London", "kind": "region"},
        "council": {
            "code": "202",
            "ons_code": "E09000007",
            "name": "Camden",
            "region_code": "E12000007",
        },
        "council_return": {
            "id": 1,
            "council_code": "202",
            "kind": "quarterly",
            "status": "accepted",
            "version": 1,
            "file_name": "return.xlsx",
            "sha256": "0" * 64,
            "size_bytes": 1,
            "file_type": "xlsx",
            "archive_path": "",
            "source": "upload",
            "uploaded_by_name": "",
            "uploaded_at": datetime(2026, 7, 1, tzinfo=UTC),
            "error_count": 0,
            "warning_count": 0,
        },
        "agency_assignment": {
            "id": 1,
            "return_id": 1,
            "council_code": "202",
            "row": 2,
            "agency_name": "Café Social Work Ltd",
            "role_group": "social_worker",
            "swe_number": "SW123456",
            "start_date": day,
            "hourly_charge_rate": 62.5,
            "hourly_pay_rate": 42.0,
            "project_team": False,
        },
        "mou_group": {
            "name": "London",
            "description": "",
            "cooling_off_months": 6,
            "is_example": True,
        },
        "mou_finding": {
            "group_name": "London",
            "assignment_id": 1,
            "return_id": 1,
            "council_code": "202",
            "agency_name": "Café Social Work Ltd",
            "rule": "cap",
            "status": "breach",
            "start_date": day,
            "derivation": "",
            "message": "above the cap",
            "first_found_at": datetime(2026, 7, 1, tzinfo=UTC),
            "last_found_at": datetime(2026, 7, 1, tzinfo=UTC),
        },
    }
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for name, values in rows.items():
                table = sa.table(name, *(sa.column(c) for c in values))
                connection.execute(table.insert().values(**values))
        migrations.upgrade(url)
        assignment = sa.table(
            "agency_assignment",
            *(sa.column(c) for c in ("id", "row", "swe_number", "project_team", *V2_FIELDS)),
        )
        with engine.begin() as connection:
            stored = connection.execute(sa.select(assignment)).mappings().one()
            assert [stored[name] for name in V2_FIELDS] == list(V1_EMPTY)
            assert connection.execute(sa.text("SELECT count(*) FROM mou_finding")).scalar() == 1
            later = {**rows["agency_assignment"], "id": 2, "row": 3, "swe_number": None}
            unnamed = sa.table("agency_assignment", *(sa.column(c) for c in later))
            connection.execute(
                unnamed.insert().values(**{**later, "project_team": True}),
            )
        migrations.downgrade(url, "0009")
        with engine.begin() as connection:
            numbers = connection.execute(
                sa.text("SELECT id, swe_number FROM agency_assignment ORDER BY id")
            ).all()
            assert [tuple(n) for n in numbers] == [(1, "SW123456"), (2, "")]
            assert connection.execute(sa.text("SELECT count(*) FROM mou_finding")).scalar() == 1
    finally:
        engine.dispose()


# --- the template -------------------------------------------------------------------------------


def test_the_xlsx_template_has_the_new_columns_their_drop_downs_and_its_version() -> None:
    workbook = load_workbook(io.BytesIO(quarterly.template_xlsx()))
    assert workbook.sheetnames == ["Guidance", "Workforce", "Agency assignments"]
    sheet = workbook["Agency assignments"]
    header = machine_names(sheet[1])
    assert header == [*quarterly.ASSIGNMENT_COLUMNS_V1, *NEW_COLUMNS]
    assert all(cell.font.bold for cell in sheet[1])
    letters = {name: chr(ord("A") + i) for i, name in enumerate(header)}
    lists = {
        str(v.sqref): (v.type, v.formula1, v.allow_blank, v.showErrorMessage)
        for v in sheet.data_validations.dataValidation
    }

    def rows(column: str) -> str:
        return f"{letters[column]}2:{letters[column]}10001"

    yes_no = ("list", '"Y,N"', True, True)
    assert lists == {
        rows("role_group"): (
            "list",
            '"' + ",".join(quarterly.ROLE_GROUPS) + '"',
            True,
            True,
        ),
        rows("pay_route"): ("list", '"paye,umbrella,limited_company"', True, True),
        rows("early_end_reason"): (
            "list",
            '"worker_left,agency_withdrew,council_ended_performance,council_ended_budget,other"',
            True,
            True,
        ),
        rows("project_team"): yes_no,
        rows("project_costs_itemised"): yes_no,
    }
    # Each drop-down says what its codes mean, within what Excel shows.
    prompts = {str(v.sqref)[0]: v.prompt for v in sheet.data_validations.dataValidation}
    assert "limited_company: limited company" in prompts[letters["pay_route"]]
    assert (
        "council_ended_budget: the council ended it for budget reasons"
        in (prompts[letters["early_end_reason"]])
    )
    assert all(len(p) <= 255 for p in prompts.values())
    # The version: on the guidance sheet and in the workbook's properties.
    guidance = [r[:2] for r in workbook["Guidance"].iter_rows(values_only=True)]
    assert guidance[1] == ("Agency assignments sheet: template version", 2)
    assert quarterly.ASSIGNMENTS_VERSION == 2
    assert workbook.properties.version == "2"
    # The guidance explains each new column and every code with its label.
    explained = dict(guidance)
    for name in NEW_COLUMNS:
        assert explained.get(name), name
    assert explained["pay_route"].startswith(
        "how the worker is paid: PAYE, umbrella or limited company"
    )
    for codes in (quarterly.PAY_ROUTES, quarterly.EARLY_END_REASONS):
        for code, label in codes.items():
            assert explained[code] == label


def test_the_blank_template_is_read_as_version_2_and_asks_for_the_workforce_figures() -> None:
    parsed, issues = parse(quarterly.template_xlsx(), "template.xlsx")
    assert {i.rule for i in issues.errors} == {"required"}
    assert {i.sheet for i in issues.errors} == {"Workforce"}
    assert parsed.quarterly and parsed.quarterly.assignments == []


def test_the_csv_template_for_assignments_has_the_new_columns() -> None:
    [header] = list(csv.reader(io.StringIO(quarterly.template_csv("assignments"), newline="")))
    assert header == [*quarterly.ASSIGNMENT_COLUMNS_V1, *NEW_COLUMNS]
    assert quarterly.assignments_version(header) == 2
