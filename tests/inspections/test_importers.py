"""The bundled Ofsted files: imported whole, idempotently, and completing each other."""

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from tests.builders.judgements import count, judgement
from workforce.councils.models import Council
from workforce.errors import InputDataError
from workforce.inspections.importers import HISTORY_FILE, OVERVIEW_FILE, import_judgements
from workforce.inspections.models import Framework, Grade, Judgement

UNAVAILABLE_ROWS = [51, 97, 168, 373]  # Bromley, Birmingham, Rotherham, Blackpool, 2012


def test_history_imports_every_inspection_and_skips_unavailable(
    reference_session: Session,
) -> None:
    calls: list[int] = []
    report = import_judgements(session=reference_session, path=HISTORY_FILE, progress=calls.append)
    assert report.layout == "judgement history"
    assert (report.rows, report.added, report.updated, report.unchanged) == (435, 431, 0, 0)
    assert [row for row, _ in report.skipped] == UNAVAILABLE_ROWS
    assert all("no inspection data" in reason for _, reason in report.skipped)
    assert sum(calls) == 435
    assert count(reference_session) == 431
    assert "431 added, 0 updated, 0 unchanged, 4 skipped" in report.summary()

    camden = judgement(reference_session, "202", date(2017, 9, 11))
    assert camden.framework == Framework.sif
    assert camden.grade == Grade.good
    assert camden.inspection_end == date(2017, 10, 5)
    assert camden.published == date(2017, 11, 24)
    assert camden.urn == "80491"
    assert camden.source == HISTORY_FILE.name
    lscb = judgement(reference_session, "936", date(2015, 6, 15))
    assert lscb.framework == Framework.lscb_review
    assert lscb.grade is None
    assert lscb.note is not None and lscb.note.startswith("review of Local Safeguarding")


def test_reimporting_the_history_changes_nothing(reference_session: Session) -> None:
    import_judgements(session=reference_session, path=HISTORY_FILE)
    reference_session.commit()
    stamps = dict(reference_session.exec(select(Judgement.id, Judgement.updated_at)).all())
    again = import_judgements(session=reference_session, path=HISTORY_FILE)
    reference_session.commit()
    assert (again.added, again.updated, again.unchanged) == (0, 0, 431)
    assert len(again.skipped) == 4
    assert count(reference_session) == 431
    reference_session.expire_all()
    assert dict(reference_session.exec(select(Judgement.id, Judgement.updated_at)).all()) == stamps


def test_62_current_councils_have_been_judged_inadequate(reference_session: Session) -> None:
    import_judgements(session=reference_session, path=HISTORY_FILE)
    current = set(
        reference_session.exec(select(Council.code).where(col(Council.last_year).is_(None)))
    )
    inadequate = set(
        reference_session.exec(
            select(Judgement.council_code).where(Judgement.grade == Grade.inadequate.value)
        )
    )
    assert len(current) == 153
    assert len(inadequate & current) == 62


def test_the_overview_completes_the_history_and_adds_what_it_lacks(
    reference_session: Session,
) -> None:
    import_judgements(session=reference_session, path=HISTORY_FILE)
    before = count(reference_session)
    report = import_judgements(session=reference_session, path=OVERVIEW_FILE)
    assert report.layout == "ILACS overview"
    # 98 rows share a start date with the history; 2 have no dates and match on publication.
    assert (report.rows, report.added, report.updated, report.unchanged) == (153, 53, 100, 0)
    assert report.skipped == []
    assert count(reference_session) == before + 53 == 484

    barnsley = judgement(reference_session, "370", date(2023, 9, 11))
    assert barnsley.grade == Grade.good
    assert barnsley.impact_of_leaders == Grade.good
    assert barnsley.help_and_protection == Grade.requires_improvement
    assert (barnsley.in_care, barnsley.care_leavers) == (Grade.good, Grade.good)
    assert barnsley.source == HISTORY_FILE.name  # completed, still credited to its creator
    # Nottingham's row in the overview has no dates: matched on its publication day.
    nottingham = judgement(reference_session, "892", date(2022, 7, 11))
    assert nottingham.help_and_protection == Grade.inadequate
    # A history note is kept: the overview has no notes, and never blanks a field.
    surrey = judgement(reference_session, "936", date(2015, 6, 15))
    assert surrey.note is not None
    # A 2026 inspection the history lacks, with sub-grades but no overall grade ("nan").
    brent = judgement(reference_session, "304", date(2026, 4, 27))
    assert brent.framework == Framework.ilacs_short
    assert brent.grade is None
    assert brent.in_care == Grade.good
    assert brent.published == date(2026, 6, 17)
    assert brent.source == OVERVIEW_FILE.name

    again = import_judgements(session=reference_session, path=OVERVIEW_FILE)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 153)
    assert count(reference_session) == 484


def test_import_order_does_not_change_which_inspections_are_kept(
    reference_session: Session,
) -> None:
    overview = import_judgements(session=reference_session, path=OVERVIEW_FILE)
    # With nothing stored, the two dateless rows have nothing to complete.
    assert (overview.added, overview.updated) == (151, 0)
    assert sorted(row for row, _ in overview.skipped) == [11, 101]
    history = import_judgements(session=reference_session, path=HISTORY_FILE)
    # South Tyneside's two-part inspection: the history ends it at the second part.
    assert (history.added, history.updated, history.unchanged) == (333, 1, 97)
    assert count(reference_session) == 484
    tyneside = judgement(reference_session, "393", date(2022, 12, 5))
    assert tyneside.inspection_end == date(2023, 2, 15)
    assert tyneside.impact_of_leaders == Grade.inadequate  # kept from the overview
    assert tyneside.care_leavers is None  # "inspection_pre_dates_judgement"
    assert tyneside.source == OVERVIEW_FILE.name


def test_an_xlsx_is_recognised_by_its_content_not_its_name(
    reference_session: Session, tmp_path: Path
) -> None:
    disguised = tmp_path / "overview.csv"
    shutil.copyfile(OVERVIEW_FILE, disguised)
    report = import_judgements(session=reference_session, path=disguised)
    assert report.layout == "ILACS overview"
    assert report.added == 151


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04not really a workbook", "not a readable XLSX"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Excel 97-2003"),
        (b"la_code,framework\n201,\xff\xfe SIF\n", "not UTF-8"),
        (b"", "empty"),
    ],
)
def test_unreadable_files_are_refused(
    reference_session: Session, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "judgements.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputDataError) as caught:
        import_judgements(session=reference_session, path=path)
    [problem] = caught.value.problems
    assert problem.rule == "judgements.file"
    assert message in problem.message
    assert problem.file == "judgements.xlsx"
    assert count(reference_session) == 0


def test_importing_before_the_councils_are_loaded_says_so(session: Session) -> None:
    with pytest.raises(InputDataError) as caught:
        import_judgements(session=session, path=HISTORY_FILE)
    [problem] = caught.value.problems
    assert "no councils are loaded" in problem.message
    assert count(session) == 0


@pytest.mark.parametrize("first", [HISTORY_FILE, OVERVIEW_FILE], ids=["history", "overview"])
def test_alternating_imports_settle_and_keep_the_last_part_s_end(
    reference_session: Session, first: Path
) -> None:
    """South Tyneside's inspection in two parts: one file ends it at the first part, the
    other at the second. Whatever the order, it ends at the second, and once both files
    are in (a second round may still complete rows the first could not attach), importing
    them again changes nothing: no flip-flop on every reload."""
    second = OVERVIEW_FILE if first == HISTORY_FILE else HISTORY_FILE
    for _ in range(2):
        import_judgements(session=reference_session, path=first)
        import_judgements(session=reference_session, path=second)
        reference_session.commit()
    tyneside = judgement(reference_session, "393", date(2022, 12, 5))
    assert tyneside.inspection_end == date(2023, 2, 15)
    for path in (first, second):
        again = import_judgements(session=reference_session, path=path)
        assert (again.added, again.updated) == (0, 0), path.name
