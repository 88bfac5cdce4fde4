"""Judgement timelines, latest judgements and who was ever judged what."""

from datetime import date

import pytest
from sqlmodel import Session, col, select

from workforce.councils.models import Council
from workforce.errors import NotFoundError
from workforce.inspections import service
from workforce.inspections.importers import HISTORY_FILE, OVERVIEW_FILE, import_judgements
from workforce.inspections.models import Framework, Grade


@pytest.fixture
def judged(reference_session: Session) -> Session:
    """The reference session with the bundled history and overview imported."""
    import_judgements(session=reference_session, path=HISTORY_FILE)
    import_judgements(session=reference_session, path=OVERVIEW_FILE)
    return reference_session


def test_a_timeline_is_in_date_order_with_grades(judged: Session) -> None:
    surrey = service.judgement_timeline(session=judged, council_code="936")
    assert [(j.inspection_start, j.framework, j.grade, j.graded) for j in surrey] == [
        (date(2014, 10, 21), Framework.sif, Grade.inadequate, True),
        (date(2015, 6, 15), Framework.lscb_review, None, False),
        (date(2018, 2, 26), Framework.sif_reinspection, Grade.inadequate, True),
        (date(2022, 1, 17), Framework.ilacs_standard, Grade.requires_improvement, True),
        (date(2025, 3, 17), Framework.ilacs_standard, Grade.good, True),
    ]
    latest = surrey[-1]
    assert latest.council_code == "936"
    assert latest.help_and_protection is not None
    assert latest.published == date(2025, 5, 9)
    assert surrey[1].note is not None and "Local Safeguarding Children Board" in surrey[1].note


def test_every_timeline_is_sorted(judged: Session) -> None:
    codes = judged.exec(select(Council.code).where(col(Council.last_year).is_(None))).all()
    for code in codes:
        starts = [
            j.inspection_start
            for j in service.judgement_timeline(session=judged, council_code=code)
        ]
        assert starts == sorted(starts), code
        assert starts, f"{code} has no judgements"


def test_a_timeline_accepts_an_ons_code_and_refuses_an_unknown_one(judged: Session) -> None:
    by_ons = service.judgement_timeline(session=judged, council_code="E09000007")
    assert by_ons == service.judgement_timeline(session=judged, council_code="202")
    assert [j.inspection_start.year for j in by_ons] == [2017, 2022, 2025]
    with pytest.raises(NotFoundError):
        service.judgement_timeline(session=judged, council_code="999")


def test_a_council_with_no_judgements_has_an_empty_timeline(reference_session: Session) -> None:
    assert service.judgement_timeline(session=reference_session, council_code="202") == []


def test_latest_judgements_skip_ungraded_ones_unless_asked(judged: Session) -> None:
    graded = service.latest_judgements(session=judged)
    everything = service.latest_judgements(session=judged, graded_only=False)
    assert len(graded) == len(everything) == 153
    assert all(j.graded for j in graded.values())
    # Brent's 2026 inspection has no overall grade in the overview.
    assert everything["304"].inspection_start == date(2026, 4, 27)
    assert everything["304"].graded is False
    assert graded["304"].inspection_start == date(2023, 2, 20)
    assert graded["304"].grade == Grade.good
    # Devon's latest is the 2024 standard inspection the history lacks.
    assert (graded["878"].inspection_start, graded["878"].grade) == (
        date(2024, 9, 30),
        Grade.inadequate,
    )


def test_councils_ever_judged(judged: Session) -> None:
    current = set(judged.exec(select(Council.code).where(col(Council.last_year).is_(None))))
    inadequate = service.councils_ever_judged(session=judged, grade=Grade.inadequate)
    assert len(inadequate) == 62
    assert inadequate <= current
    assert {"936", "892", "878"} <= inadequate
    assert "201" not in inadequate  # City of London: good, then outstanding
    adequate = service.councils_ever_judged(session=judged, grade=Grade.adequate)
    assert adequate == {"886"}  # Kent's 2013 looked-after children inspection
