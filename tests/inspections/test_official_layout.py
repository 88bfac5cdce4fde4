"""Ofsted's inspection-outcomes layout, bad rows in any layout, and files of no known layout."""

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import Session, col, select

from tests.builders.judgements import count, judgement
from workforce.errors import InputDataError
from workforce.inspections.importers import HISTORY_FILE, import_judgements
from workforce.inspections.models import Framework, Grade, Judgement

OUTCOMES_CSV = """\ufeff Local Authority Area Code ,INSPECTION DATE,  Inspection type,\
Overall effectiveness,Publication date,Local authority name,URN
202,11/09/2016,Single inspection framework,2,24/11/2016,Camden,80491
E09000011,2022-04-25,ILACS - short inspection,1,2022-06-21,Greenwich,80492
203,01/03/2019,ILACS - standard inspection,3,,Greenwich,
203,14/07/2020,Focused visit,,,Greenwich,
204,06/01/2015,SIF,4,,Hackney,
204,03/10/2016,Re-inspection,requires improvement to be good,,Hackney,
204,10/10/2017,Monitoring visit,,,Hackney,
"""


def write(tmp_path: Path, text: str, name: str = "outcomes.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_official_outcomes_csv_imports_with_numeric_grades(
    reference_session: Session, tmp_path: Path
) -> None:
    report = import_judgements(session=reference_session, path=write(tmp_path, OUTCOMES_CSV))
    assert report.layout == "Ofsted inspection outcomes"
    assert (report.rows, report.added, report.skipped) == (7, 7, [])
    rows = reference_session.exec(select(Judgement).order_by(col(Judgement.id))).all()
    assert [(j.council_code, j.inspection_start, j.framework, j.grade) for j in rows] == [
        ("202", date(2016, 9, 11), Framework.sif, Grade.good),
        ("203", date(2022, 4, 25), Framework.ilacs_short, Grade.outstanding),
        ("203", date(2019, 3, 1), Framework.ilacs_standard, Grade.requires_improvement),
        ("203", date(2020, 7, 14), Framework.ilacs_focused_visit, None),
        ("204", date(2015, 1, 6), Framework.sif, Grade.inadequate),
        ("204", date(2016, 10, 3), Framework.sif_reinspection, Grade.requires_improvement),
        ("204", date(2017, 10, 10), Framework.ilacs_monitoring_visit, None),
    ]
    assert (rows[0].published, rows[0].urn) == (date(2016, 11, 24), "80491")
    assert rows[2].published is None


def test_official_outcomes_xlsx_with_title_rows_date_cells_and_sub_grades(
    reference_session: Session, tmp_path: Path
) -> None:
    workbook = openpyxl.Workbook()
    contents = workbook.active
    contents.title = "Contents"
    contents.append(["Local authority children's services inspection outcomes"])
    sheet = workbook.create_sheet("Outcomes")
    sheet.append(["Inspection outcomes as at 31 August 2024"])
    sheet.append([])
    sheet.append(
        [
            "URN",
            "Local authority area code",
            "Inspection date",
            "Inspection end date",
            "Inspection type",
            "Overall effectiveness",
            "The impact of leaders on social work practice with children and families",
            "The experiences and progress of children who need help and protection",
            "The experiences and progress of children in care",
            "The experiences and progress of care leavers",
        ]
    )
    sheet.append([80491, 202, datetime(2023, 5, 8), datetime(2023, 5, 19),
                  "ILACS - standard inspection", 2.0, 1, 2, 3, "good"])  # fmt: skip
    sheet.append([None, "E09000012", "15/01/2024", None, "Focused visit", None])
    path = tmp_path / "outcomes.xlsx"
    workbook.save(path)

    calls: list[int] = []
    report = import_judgements(session=reference_session, path=path, progress=calls.append)
    assert (report.layout, report.rows, report.added, sum(calls)) == (
        "Ofsted inspection outcomes",
        2,
        2,
        2,
    )
    camden = judgement(reference_session, "202", date(2023, 5, 8))
    assert camden.framework == Framework.ilacs_standard
    assert camden.inspection_end == date(2023, 5, 19)
    assert camden.grade == Grade.good
    assert camden.urn == "80491"
    assert (camden.impact_of_leaders, camden.help_and_protection) == (
        Grade.outstanding,
        Grade.good,
    )
    assert (camden.in_care, camden.care_leavers) == (Grade.requires_improvement, Grade.good)
    hackney = judgement(reference_session, "204", date(2024, 1, 15))
    assert (hackney.framework, hackney.grade) == (Framework.ilacs_focused_visit, None)


def test_a_later_file_corrects_and_completes_but_never_blanks(
    reference_session: Session, tmp_path: Path
) -> None:
    import_judgements(session=reference_session, path=HISTORY_FILE)
    reference_session.commit()
    stamps = dict(reference_session.exec(select(Judgement.id, Judgement.updated_at)).all())
    text = (
        "Local authority area code,Inspection date,Inspection type,Overall effectiveness,URN\n"
        "202,11/09/2017,SIF,1,\n"  # Camden's SIF: graded good in the history
        "202,25/04/2022,ILACS - short inspection,outstanding,\n"  # the same as the history
    )
    report = import_judgements(session=reference_session, path=write(tmp_path, text))
    reference_session.commit()
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    assert count(reference_session) == 431
    sif = judgement(reference_session, "202", date(2017, 9, 11))
    assert sif.grade == Grade.outstanding
    assert (sif.published, sif.urn, sif.inspection_end) == (
        date(2017, 11, 24),
        "80491",
        date(2017, 10, 5),
    )
    assert sif.source == HISTORY_FILE.name
    reference_session.expire_all()
    changed = {
        i
        for i, stamp in reference_session.exec(select(Judgement.id, Judgement.updated_at))
        if stamps[i] != stamp
    }
    assert changed == {sif.id}


BAD_OUTCOMES = """Local authority area code,Inspection date,Inspection type,Overall effectiveness
999,01/02/2020,SIF,2
202,31/02/2020,SIF,2
202,01/03/2020,SIF,excellent
202,01/04/2020,Joint targeted area inspection,2
202,01/01/2099,SIF,2
202,01/05/2020,ILACS - standard inspection,
203,01/06/2020,Focused visit,
203,01/06/2020,Monitoring visit,
"""
BAD_HISTORY = """urn,la_code,la_name,report_file_date,inspection_start_date,\
inspection_end_date,framework,overall_effectiveness,source_note,source_file
80491,202,Camden,2017-11-24,2017-09-11,2017-08-05,SIF,good,,
80491,202,Camden,2017-11-24,2017-09-11,2017-10-05,SIF-ish,good,,
80491,E09000007,Camden,2017-11-24,,,unavailable,,no data,
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            BAD_OUTCOMES,
            {
                (2, "Local authority area code", "999", "judgements.unknown_council"),
                (3, "Inspection date", "31/02/2020", "judgements.date"),
                (4, "Overall effectiveness", "excellent", "judgements.grade"),
                (5, "Inspection type", "Joint targeted area inspection", "judgements.framework"),
                (6, "Inspection date", "01/01/2099", "judgements.date"),
                (7, "Overall effectiveness", "", "judgements.grade"),
                (9, "Inspection date", "01/06/2020", "judgements.duplicate"),
            },
        ),
        (
            BAD_HISTORY,
            {
                (2, "inspection_end_date", "2017-08-05", "judgements.date"),
                (3, "framework", "SIF-ish", "judgements.framework"),
            },
        ),
    ],
    ids=["outcomes", "history"],
)
def test_every_bad_row_is_reported_and_nothing_is_written(
    reference_session: Session,
    tmp_path: Path,
    text: str,
    expected: set[tuple[int, str, str, str]],
) -> None:
    with pytest.raises(InputDataError) as caught:
        import_judgements(session=reference_session, path=write(tmp_path, text))
    problems = caught.value.problems
    assert {(p.row, p.column, p.value, p.rule) for p in problems} == expected
    assert len(problems) == len(expected)
    assert all(p.file == "outcomes.csv" and p.message for p in problems)
    assert count(reference_session) == 0
    messages = {p.rule: p.message for p in problems}
    if text is BAD_OUTCOMES:
        assert "3-digit code" in messages["judgements.unknown_council"]
        assert "Focused visit" in messages["judgements.framework"]
        assert "row 8" in messages["judgements.duplicate"]


@pytest.mark.parametrize(
    ("header", "lacking", "present"),
    [
        (
            "Local authority area code,Inspection date,Grade",
            ["Inspection type", "Overall effectiveness"],
            "Inspection date",
        ),
        ("la_code,inspection_start_date,framework", ["report_file_date"], "la_code"),
    ],
)
def test_an_unknown_layout_is_refused_naming_what_it_lacks(
    reference_session: Session, tmp_path: Path, header: str, lacking: list[str], present: str
) -> None:
    path = write(tmp_path, f"{header}\n202,01/02/2020,good\n")
    with pytest.raises(InputDataError) as caught:
        import_judgements(session=reference_session, path=path)
    [problem] = caught.value.problems
    assert (problem.rule, problem.row) == ("judgements.layout", 1)
    assert all(name in problem.message for name in lacking)
    assert f"{present}," not in problem.message.split("lacks")[1]
    assert count(reference_session) == 0
