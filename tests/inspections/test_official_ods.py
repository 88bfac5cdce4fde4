"""Ofsted's "Local authority inspection outcomes" workbook as Ofsted publishes it, in ODS:
a cover and notes, title rows above each table's header, the latest outcomes on one sheet
and every inspection since 2018 on another."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, select
from typer.testing import CliRunner

from tests.builders.ods import FormulaCell, ods
from workforce.config import Settings
from workforce.errors import InputDataError
from workforce.inspections.importers import import_judgements
from workforce.inspections.models import Framework, Grade, Judgement

HEADER = [
    "URN",
    "Local authority area code",
    "Local authority name",
    "Region",
    "Inspection type",
    "Inspection date",
    "Inspection end date",
    "Publication date",
    "Overall effectiveness",
    "The impact of leaders on social work practice with children and families",
    "The experiences and progress of children who need help and protection",
    "The experiences and progress of children in care",
    "The experiences and progress of care leavers",
]
LATEST = [
    [80491, "E09000007", "Camden", "London", "ILACS - standard inspection",
     datetime(2023, 5, 8), datetime(2023, 5, 19), None, 1, 1, 1, 2, 1],
    [80492, 203, "Greenwich", "London", "ILACS - short inspection",
     datetime(2022, 4, 25), datetime(2022, 4, 29), datetime(2022, 6, 21), 2, 2, 2, 2, None],
    [80493, 204, "Hackney", "London", "ILACS - standard inspection",
     datetime(2024, 1, 15), datetime(2024, 1, 26), datetime(2024, 3, 8), 4, 4, 3, 4, 4],
]  # fmt: skip
NO_GRADES = [None] * 5
SINCE_2018 = [
    # The latest inspections again, Camden's with its publication date, which the
    # latest-outcomes sheet leaves blank.
    [80491, "E09000007", "Camden", "London", "ILACS - standard inspection",
     datetime(2023, 5, 8), datetime(2023, 5, 19), datetime(2023, 7, 4), 1, None, None, None, None],
    *LATEST[1:],
    [80491, "E09000007", "Camden", "London", "ILACS - standard inspection",
     datetime(2019, 3, 4), datetime(2019, 3, 15), datetime(2019, 5, 1), 2, 2, 2, 2, 2],
    [80493, 204, "Hackney", "London", "Focused visit",
     datetime(2021, 11, 2), datetime(2021, 11, 3), datetime(2021, 12, 10), *NO_GRADES],
    [80493, 204, "Hackney", "London", "Monitoring visit",
     datetime(2024, 6, 11), datetime(2024, 6, 12), datetime(2024, 7, 19), *NO_GRADES],
    [80492, 203, "Greenwich", "London", "ILACS - standard inspection",
     datetime(2018, 6, 18), datetime(2018, 6, 29), datetime(2018, 8, 10), 3, 3, 3, 3, 3],
]  # fmt: skip


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Judgement)).one()


def judgement(session: Session, code: str, start: date) -> Judgement:
    return session.exec(
        select(Judgement).where(Judgement.council_code == code, Judgement.inspection_start == start)
    ).one()


def outcomes_ods(latest: list[list] = LATEST, history: list[list] = SINCE_2018) -> bytes:
    return ods(
        {
            "Cover": [
                ["Local authority children's services inspections and outcomes"],
                ["Management information, as at 31 August 2024"],
            ],
            "Notes": [["Note number", "Note text"], [1, "Grades: 1 outstanding to 4 inadequate"]],
            "Latest outcomes": [
                ["Table 1: the most recent ILACS judgement of each local authority"],
                ["Source: Ofsted"],
                [],
                HEADER,
                *latest,
            ],
            "Inspections since 2018": [
                ["Table 2: every ILACS inspection and visit since 1 January 2018"],
                [],
                HEADER,
                *history,
            ],
        }
    )


def write(tmp_path: Path, data: bytes, name: str = "la_inspection_outcomes.ods") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_published_ods_imports_every_judgement_on_every_sheet(
    reference_session: Session, tmp_path: Path
) -> None:
    report = import_judgements(session=reference_session, path=write(tmp_path, outcomes_ods()))
    assert report.layout == "Ofsted inspection outcomes"
    assert (report.added, report.skipped) == (7, [])
    assert count(reference_session) == 7
    camden = judgement(reference_session, "202", date(2023, 5, 8))
    assert (camden.framework, camden.grade, camden.care_leavers) == (
        Framework.ilacs_standard,
        Grade.outstanding,
        Grade.outstanding,
    )
    assert camden.in_care == Grade.good  # from the latest sheet; the history leaves it blank
    assert camden.published == date(2023, 7, 4)  # from the history; the latest leaves it blank
    assert (camden.inspection_end, camden.urn) == (date(2023, 5, 19), "80491")
    assert judgement(reference_session, "203", date(2018, 6, 18)).grade == (
        Grade.requires_improvement
    )
    visit = judgement(reference_session, "204", date(2024, 6, 11))
    assert (visit.framework, visit.grade) == (Framework.ilacs_monitoring_visit, None)
    again = import_judgements(session=reference_session, path=write(tmp_path, outcomes_ods()))
    assert (again.added, again.updated, again.unchanged) == (0, 0, 7)


def test_the_same_workbook_as_xlsx_imports_the_same_judgements(
    reference_session: Session, tmp_path: Path
) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Cover"  # type: ignore[union-attr]
    for title, rows in (("Latest outcomes", LATEST), ("Inspections since 2018", SINCE_2018)):
        sheet = workbook.create_sheet(title)
        sheet.append([f"{title}, as at 31 August 2024"])
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "outcomes.xlsx"
    workbook.save(path)
    report = import_judgements(session=reference_session, path=path)
    assert report.added == 7
    assert judgement(reference_session, "202", date(2023, 5, 8)).published == date(2023, 7, 4)


def test_a_bad_cell_is_reported_by_sheet_row_and_column(
    reference_session: Session, tmp_path: Path
) -> None:
    history = [*SINCE_2018[:-1], [*SINCE_2018[-1][:8], "very good", *SINCE_2018[-1][9:]]]
    path = write(tmp_path, outcomes_ods(history=history))
    with pytest.raises(InputDataError) as caught:
        import_judgements(session=reference_session, path=path)
    [problem] = caught.value.problems
    assert (problem.rule, problem.sheet, problem.row, problem.column, problem.value) == (
        "judgements.grade",
        "Inspections since 2018",
        10,
        "Overall effectiveness",
        "very good",
    )
    assert problem.file == "la_inspection_outcomes.ods"
    assert count(reference_session) == 0


def test_a_formula_in_a_column_read_is_refused_and_never_evaluated(
    reference_session: Session, tmp_path: Path
) -> None:
    latest = [[*LATEST[0][:8], FormulaCell("of:=[.I6]", 1), *LATEST[0][9:]], *LATEST[1:]]
    path = write(tmp_path, outcomes_ods(latest=latest))
    with pytest.raises(InputDataError) as caught:
        import_judgements(session=reference_session, path=path)
    [problem] = caught.value.problems
    assert (problem.rule, problem.sheet, problem.row, problem.value) == (
        "judgements.formula",
        "Latest outcomes",
        5,
        "of:=[.I6]",
    )


def test_a_damaged_ods_is_one_problem(reference_session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, outcomes_ods()[:-200])
    with pytest.raises(InputDataError) as caught:
        import_judgements(session=reference_session, path=path)
    [problem] = caught.value.problems
    assert problem.rule == "judgements.file"
    assert "not a readable ODS workbook" in problem.message


def test_workforce_import_judgements_reads_the_ods(
    reference_settings: Settings, tmp_path: Path
) -> None:
    from workforce.cli import app

    path = write(tmp_path, outcomes_ods())
    result = CliRunner().invoke(app, ["import", "judgements", str(path)])
    assert result.exit_code == 0, result.output
    assert "7 added" in result.output
