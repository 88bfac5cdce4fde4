"""Concurrent writes along the kite-mark's course queue behind the agency's write lock (the
registry-wide one for names): trading names, the contact, applications, assessments, the
criteria's results, the audit sample and its file checks, evidence, complaints, responses
and rulings. Whatever each write's rule is (refused in words, or the last wins with the one
before it audited), it holds when the writers arrive together.

The same harness as :mod:`tests.agencies.test_concurrency`: real threads, each with its own
session, start together at a barrier, with a short pause patched in between each writer's
check (or read) and its write, so without the lock every thread would read before any
wrote. Run on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from tests.agencies.test_concurrency import _audits, _constraint_refusals, _count
from tests.builders import kitemark as build
from tests.builders.people import COUNCIL_A, TEST_ACTOR
from tests.racing import at_once, refusals, slowed
from workforce.agencies import complaints, evidence, flows, registration, sampling, service
from workforce.agencies import criteria as crit
from workforce.agencies.models import (
    Agency,
    AgencyName,
    Application,
    Assessment,
    AuditSample,
    Complaint,
    ComplaintCreate,
    CriteriaVersion,
    CriterionResult,
    EvidenceFile,
    SampledFile,
)
from workforce.agencies.names import normalise
from workforce.config import Settings

START, END = date(2026, 1, 1), date(2026, 6, 30)
DECIDED = datetime(2026, 7, 15, 10, 0, tzinfo=UTC)


def _refused(results: Sequence[object]) -> list[str]:
    """:func:`tests.racing.refusals` of any thread's results (each thread returns its own kind)."""
    return refusals(list(results))


def _fallbacks(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> list[object]:
    """Count the refusals of ``module``'s unique-constraint fallback: with the lock each
    writer's check sees the write before it, so the constraint is never reached."""
    seen: list[object] = []
    real = module.is_unique_violation

    def counted(exc: IntegrityError) -> bool:
        seen.append(exc)
        return bool(real(exc))

    monkeypatch.setattr(module, "is_unique_violation", counted)
    return seen


def _applied(s: Session, agency: Agency) -> Application:
    assert agency.id is not None
    return flows.apply(
        session=s, agency_id=agency.id, period_start=START, period_end=END, actor=TEST_ACTOR
    )


def _started(s: Session, placed: int = 12) -> Assessment:
    """An agency with ``placed`` workers placed in the period, its application and an
    undecided assessment without a sample (committed)."""
    build.group(s)
    agency = build.make_agency(s, "Clean Agency Ltd")
    build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, placed)
    application = _applied(s, agency)
    assert application.id is not None
    assessment = flows.start_assessment(session=s, application_id=application.id, actor=TEST_ACTOR)
    s.commit()
    return assessment


# --- trading names -------------------------------------------------------------------------


def test_eight_additions_of_one_trading_name_to_two_agencies_at_once_one_is_stored(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = reference_session
    ids = [build.make_agency(s, name).id for name in ("First Agency Ltd", "Second Agency Ltd")]
    s.commit()
    slowed(monkeypatch, registration, "_name_problems")
    by_constraint = _constraint_refusals(monkeypatch)

    def add(s: Session, n: int) -> AgencyName:
        agency_id = ids[n % 2]
        assert agency_id is not None
        name = "Brightside Care Ltd" if n % 2 else "BRIGHTSIDE CARE LIMITED"
        return registration.add_trading_name(
            session=s, agency_id=agency_id, name=name, actor=TEST_ACTOR
        )

    results = at_once(reference_engine, 8, add)
    assert sum(isinstance(r, AgencyName) for r in results) == 1
    assert _refused(results) == ["agency.name_taken"] * 7
    with Session(reference_engine) as check:
        held = check.exec(
            select(AgencyName).where(AgencyName.normalised == normalise("Brightside Care"))
        ).all()
    assert len(held) == 1
    assert len(_audits(reference_engine, "add_name")) == 1
    assert by_constraint == []  # every refusal was the check's


def test_four_additions_of_one_trading_name_to_the_same_agency_at_once_one_is_stored(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = reference_session
    agency_id = build.make_agency(s, "First Agency Ltd").id
    assert agency_id is not None
    s.commit()
    slowed(monkeypatch, registration, "_name_problems")
    by_constraint = _constraint_refusals(monkeypatch)

    def add(s: Session, n: int) -> AgencyName:
        return registration.add_trading_name(
            session=s, agency_id=agency_id, name=f"Brightside{'.' * n} Care", actor=TEST_ACTOR
        )

    results = at_once(reference_engine, 4, add)
    assert sum(isinstance(r, AgencyName) for r in results) == 1
    assert _refused(results) == ["agency.name_taken"] * 3
    assert len(service.names_by_agency(session=s)[agency_id]) == 2  # legal and one trading
    assert len(_audits(reference_engine, "add_name")) == 1
    assert by_constraint == []


# --- the contact ---------------------------------------------------------------------------


def test_four_changes_of_the_contact_at_once_queue_each_audited_with_the_one_before(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = reference_session
    agency = build.make_agency(s, "First Agency Ltd")
    agency.contact_name, agency.contact_email = "First Contact", "first@example.org"
    s.add(agency)
    s.commit()
    agency_id = agency.id
    assert agency_id is not None
    slowed(monkeypatch, registration, "get_agency")  # between reading the contact and writing it

    def change(s: Session, n: int) -> Agency:
        return registration.update_contact(
            session=s,
            agency_id=agency_id,
            actor=TEST_ACTOR,
            contact_name=f"Contact {n}",
            contact_email=f"contact{n}@example.org",
        )

    results = at_once(reference_engine, 4, change)
    assert _refused(results) == []
    audits = [e for e in _audits(reference_engine, "update") if e.entity == "agency"]
    assert len(audits) == 4
    first = {"contact_name": "First Contact", "contact_email": "first@example.org"}
    chain = [first] + [e.details["after"] for e in audits]
    # Each change was audited with the contact stored just before it: none was lost.
    assert [e.details["before"] for e in audits] == chain[:-1]
    assert sorted(c["contact_name"] for c in chain[1:]) == [f"Contact {n}" for n in range(4)]
    with Session(reference_engine) as check:
        held = check.get(Agency, agency_id)
    assert held is not None
    assert {"contact_name": held.contact_name, "contact_email": held.contact_email} == chain[-1]


# --- applications --------------------------------------------------------------------------


def test_four_applications_of_one_agency_at_once_are_each_stored_and_audited(
    reference_session: Session, reference_engine: Engine, reference_settings: Settings
) -> None:
    # The rule: an agency may hold any number of applications (a renewal, another period);
    # none is refused for another being open, so all four are stored, once each.
    s = reference_session
    agency_id = build.make_agency(s, "First Agency Ltd").id
    assert agency_id is not None
    s.commit()

    def apply(s: Session, n: int) -> Application:
        period = evidence.ApplicationCreate(
            period_start=date(2026, 1 + n, 1), period_end=date(2026, 1 + n, 28)
        )
        return evidence.apply(session=s, agency_id=agency_id, new=period, actor=TEST_ACTOR)

    results = at_once(reference_engine, 4, apply)
    assert _refused(results) == []
    held = evidence.applications_of(session=s, agency_id=agency_id)
    assert sorted(a.period_start.month for a in held) == [1, 2, 3, 4]
    assert {a.status for a in held} == {"submitted"}
    audits = _audits(reference_engine, "kitemark.apply")
    assert sorted(int(e.entity_id or 0) for e in audits) == sorted(a.id for a in held)


# --- starting an assessment ----------------------------------------------------------------


def test_assessments_of_two_agencies_started_at_once_store_the_criteria_once(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The criteria are stored by the first assessment ever started. Two agencies' locks do
    # not queue each other, so two first assessments at once both find none stored: the
    # second must take the first's criteria, not fail on the version's unique constraint.
    s = reference_session
    assert _count(reference_engine, CriteriaVersion) == 0
    applications = [
        _applied(s, build.make_agency(s, name)).id for name in ("First Ltd", "Second Ltd")
    ]
    s.commit()
    slowed(monkeypatch, crit, "ensure_criteria")

    def start(s: Session, n: int) -> Assessment:
        application_id = applications[n]
        assert application_id is not None
        return flows.start_assessment(session=s, application_id=application_id, actor=TEST_ACTOR)

    results = at_once(reference_engine, 2, start)
    assert _refused(results) == []
    assert _count(reference_engine, CriteriaVersion) == 1
    with Session(reference_engine) as check:
        assessments = check.exec(select(Assessment)).all()
        version = check.exec(select(CriteriaVersion)).one()
        assert len(crit.criteria_of(session=check, version_id=version.id or 0)) > 0
    assert {a.criteria_version_id for a in assessments} == {version.id}
    assert sorted(a.application_id for a in assessments) == sorted(a or 0 for a in applications)


def test_four_starts_of_one_application_at_once_give_one_open_assessment(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rule: one undecided assessment of an application at a time. With the check
    # slowed, four starts at once would each find none open without the agency's lock.
    s = reference_session
    application_id = _applied(s, build.make_agency(s, "First Agency Ltd")).id
    assert application_id is not None
    s.commit()
    slowed(monkeypatch, crit, "ensure_criteria")

    def start(s: Session, _: int) -> Assessment:
        return flows.start_assessment(session=s, application_id=application_id, actor=TEST_ACTOR)

    results = at_once(reference_engine, 4, start)
    assert _refused(results) == ["assessment.open"] * 3
    assert _count(reference_engine, CriteriaVersion) == 1
    assert _count(reference_engine, Assessment) == 1
    audits = _audits(reference_engine, "kitemark.assess_start")
    assert [int(e.entity_id or 0) for e in audits] == [
        r.id or 0 for r in results if isinstance(r, Assessment)
    ]
    with Session(reference_engine) as check:
        application = check.get(Application, application_id)
    assert application is not None and application.status == "assessing"


# --- the criteria's results ----------------------------------------------------------------


def test_four_assessments_of_the_same_assessment_at_once_leave_one_set_of_results(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assessment = _started(reference_session)
    assessment_id = assessment.id
    assert assessment_id is not None
    slowed(monkeypatch, flows, "get_assessment")  # between the read and the replacement
    by_constraint = _fallbacks(monkeypatch, flows)

    def assess(s: Session, _: int) -> list[CriterionResult]:
        return flows.assess(session=s, assessment_id=assessment_id, actor=TEST_ACTOR)

    results = at_once(reference_engine, 4, assess)
    # The rule: repeatable until decided; each replaces the results before it.
    assert _refused(results) == []
    assert len(_audits(reference_engine, "kitemark.assess")) == 4
    with Session(reference_engine) as check:
        held = flows.results_of(session=check, assessment_id=assessment_id)
        criteria = crit.criteria_of(session=check, version_id=assessment.criteria_version_id)
    assert sorted(r.criterion_key for r in held) == sorted(c.key for c in criteria)
    assert by_constraint == []


# --- the audit sample ----------------------------------------------------------------------


def test_four_draws_of_one_assessments_sample_at_once_one_is_stored_and_redraws_the_same(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    assessment_id = _started(reference_session, placed=30).id
    assert assessment_id is not None
    slowed(monkeypatch, sampling, "sample_of")  # the check that there is none yet
    by_constraint = _fallbacks(monkeypatch, sampling)

    def draw(s: Session, n: int) -> AuditSample:
        return sampling.draw_sample(
            session=s, assessment_id=assessment_id, actor=TEST_ACTOR, seed=1000 + n
        )

    results = at_once(reference_engine, 4, draw)
    drawn = [r for r in results if isinstance(r, AuditSample)]
    assert len(drawn) == 1
    assert _refused(results) == ["sample.exists"] * 3
    assert by_constraint == []
    assert _count(reference_engine, AuditSample) == 1
    audits = _audits(reference_engine, "kitemark.sample")
    assert [e.details["seed"] for e in audits] == [drawn[0].seed]
    with Session(reference_engine) as check:
        sample = sampling.sample_of(session=check, assessment_id=assessment_id)
        assert sample is not None and sample.id is not None
        files = sampling.files_of(session=check, sample_id=sample.id)
        again = sampling.redraw(session=check, sample_id=sample.id)
    # The one stored is whole (every file of the one drawn) and its seed draws it again.
    assert len(files) == sample.size == 10
    assert again.same_population and again.same_sample


def test_seven_assessors_checking_one_file_at_once_lose_no_check_each_audited_after_the_last(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = reference_session
    assessment_id = _started(s).id
    assert assessment_id is not None
    sample = sampling.draw_sample(session=s, assessment_id=assessment_id, actor=TEST_ACTOR, seed=7)
    assert sample.id is not None
    sample_id = sample.id
    number = sampling.files_of(session=s, sample_id=sample_id)[0].swe_number
    s.commit()
    verdicts = {check: n % 3 != 0 for n, check in enumerate(sampling.CHECKS)}
    # The pause falls between the read of the file and the write of its checks.
    slowed(monkeypatch, sampling, "utcnow")

    def record(s: Session, n: int) -> SampledFile:
        check = sampling.CHECKS[n]
        return sampling.record_checks(
            session=s,
            sample_id=sample_id,
            swe_number=number,
            checks={check: verdicts[check]},
            actor=TEST_ACTOR,
        )

    results = at_once(reference_engine, len(sampling.CHECKS), record)
    assert _refused(results) == []
    audits = _audits(reference_engine, "kitemark.check_file")
    assert len(audits) == len(sampling.CHECKS)
    # Each audit shows the checks recorded before it as well as its own: none was lost.
    recorded = [{c for c, v in e.details["checks"].items() if v is not None} for e in audits]
    assert [len(r) for r in recorded] == list(range(1, len(sampling.CHECKS) + 1))
    assert all(a <= b for a, b in itertools.pairwise(recorded))
    with Session(reference_engine) as check:
        row = check.exec(
            select(SampledFile).where(
                SampledFile.sample_id == sample_id, SampledFile.swe_number == number
            )
        ).one()
    assert {c: getattr(row, c) for c in sampling.CHECKS} == verdicts
    assert audits[-1].details["checks"] == verdicts


# --- evidence ------------------------------------------------------------------------------


def _archive_agrees(engine: Engine, settings: Settings, agency_id: int) -> list[EvidenceFile]:
    """The evidence rows, each checked against its archived file; the archive holds no file
    without a row and no half-written one."""
    with Session(engine) as check:
        rows = list(check.exec(select(EvidenceFile).order_by(col(EvidenceFile.id))).all())
    for row in rows:
        evidence.archived_file(row)  # its size and SHA-256 as recorded
    assert settings.archive_dir is not None
    folder = settings.archive_dir / "kitemark-evidence" / str(agency_id)
    archived = {p for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()
    assert archived == {Path(r.archive_path) for r in rows}  # no ".incoming-" leftovers
    return rows


def test_four_files_of_one_name_sent_at_once_with_one_application_are_each_archived_whole(
    reference_session: Session,
    reference_engine: Engine,
    reference_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The rule: a file name need not be unique; each file sent is a row of its own, and
    # files of the same content share one archived copy.
    s = reference_session
    agency = build.make_agency(s, "First Agency Ltd")
    application_id, agency_id = _applied(s, agency).id, agency.id
    assert application_id is not None and agency_id is not None
    s.commit()
    slowed(monkeypatch, evidence, "evidence_problems")
    contents = [b"policy v1\n" * 1000, b"policy v1\n" * 1000, b"policy v2\n", b"policy v3\n"]

    def send(s: Session, n: int) -> EvidenceFile:
        return evidence.add_evidence(
            session=s,
            agency_id=agency_id,
            application_id=application_id,
            file_name="safer-recruitment-policy.pdf",
            data=contents[n],
            description=f"sent by assessor {n}",
            actor=TEST_ACTOR,
            settings=reference_settings,
        )

    results = at_once(reference_engine, 4, send)
    assert _refused(results) == []
    rows = _archive_agrees(reference_engine, reference_settings, agency_id)
    assert sorted(r.description for r in rows) == [f"sent by assessor {n}" for n in range(4)]
    assert len({r.archive_path for r in rows}) == 3
    audits = _audits(reference_engine, "kitemark.evidence")
    assert sorted(int(e.entity_id or 0) for e in audits) == [r.id for r in rows]


def test_files_sent_as_the_assessment_is_decided_are_stored_before_the_decision_or_refused(
    reference_session: Session,
    reference_engine: Engine,
    reference_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = reference_session
    build.group(s)
    agency = build.make_agency(s, "Clean Agency Ltd")
    build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, 20)
    assessment = build.assessed(s, agency, START, END)
    s.commit()
    agency_id, assessment_id = agency.id, assessment.id
    application_id = assessment.application_id
    assert agency_id is not None and assessment_id is not None
    slowed(monkeypatch, evidence, "evidence_problems")  # the check the application is open

    def decide_or_send(s: Session, n: int) -> Assessment | EvidenceFile:
        if n == 0:
            return flows.decide(
                session=s, assessment_id=assessment_id, actor=TEST_ACTOR, on=DECIDED
            )
        return evidence.add_evidence(
            session=s,
            agency_id=agency_id,
            application_id=application_id,
            file_name=f"file-{n}.pdf",
            data=f"evidence {n}\n".encode(),
            description="",
            actor=TEST_ACTOR,
            settings=reference_settings,
        )

    results = at_once(reference_engine, 4, decide_or_send)
    assert isinstance(results[0], Assessment)
    refused = _refused(results)
    assert set(refused) <= {"evidence.application_decided"}
    rows = _archive_agrees(reference_engine, reference_settings, agency_id)
    assert len(rows) + len(refused) == 3
    # Every file stored was stored before the decision: none got in after it.
    (decision,) = _audits(reference_engine, "kitemark.decide")
    stored = _audits(reference_engine, "kitemark.evidence")
    assert len(stored) == len(rows)
    assert all((e.id or 0) < (decision.id or 0) for e in stored)


# --- complaints ----------------------------------------------------------------------------


def _complaint(s: Session, agency_id: int) -> Complaint:
    new = ComplaintCreate(
        council_code=COUNCIL_A, received_on=date(2026, 1, 15), summary="no cover was sent"
    )
    return complaints.record_complaint(
        session=s, agency_id=agency_id, council_code=COUNCIL_A, new=new, actor=TEST_ACTOR
    )


def test_four_complaints_about_one_agency_recorded_at_once_are_each_stored_and_audited(
    reference_session: Session, reference_engine: Engine
) -> None:
    # The rule: a council may record any number of complaints; none is refused.
    s = reference_session
    agency_id = build.make_agency(s, "First Agency Ltd").id
    assert agency_id is not None
    s.commit()

    results = at_once(reference_engine, 4, lambda s, _: _complaint(s, agency_id))
    assert _refused(results) == []
    held = complaints.complaints_of(session=s, agency_id=agency_id)
    audits = _audits(reference_engine, "kitemark.complaint")
    assert sorted(int(e.entity_id or 0) for e in audits) == sorted(c.id for c in held)
    assert len(held) == 4


def test_four_responses_to_one_complaint_at_once_are_each_audited_and_the_last_is_held(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = reference_session
    agency_id = build.make_agency(s, "First Agency Ltd").id
    assert agency_id is not None
    complaint_id = _complaint(s, agency_id).id
    assert complaint_id is not None
    s.commit()
    slowed(monkeypatch, complaints, "_locked_complaint")

    def respond(s: Session, n: int) -> Complaint:
        return complaints.respond(
            session=s, complaint_id=complaint_id, response=f"response {n}", actor=TEST_ACTOR
        )

    results = at_once(reference_engine, 4, respond)
    # The rule: a response may be replaced; the last one stored is held, each is audited.
    assert _refused(results) == []
    audits = _audits(reference_engine, "kitemark.complaint_response")
    assert sorted(e.details["response"] for e in audits) == [f"response {n}" for n in range(4)]
    with Session(reference_engine) as check:
        held = check.get(Complaint, complaint_id)
    assert held is not None and held.responded_on is not None
    assert held.agency_response == audits[-1].details["response"]


def test_four_rulings_on_one_complaint_at_once_queue_each_audited_with_the_one_before(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = reference_session
    agency_id = build.make_agency(s, "First Agency Ltd").id
    assert agency_id is not None
    complaint_id = _complaint(s, agency_id).id
    assert complaint_id is not None
    s.commit()
    slowed(monkeypatch, complaints, "_locked_complaint")  # between the read and the write

    def rule(s: Session, n: int) -> Complaint:
        return complaints.rule(
            session=s, complaint_id=complaint_id, upheld=n % 2 == 0, actor=TEST_ACTOR
        )

    results = at_once(reference_engine, 4, rule)
    # The rule: a ruling may be changed; the last one stored is held, each audited with
    # the ruling it replaced.
    assert _refused(results) == []
    audits = _audits(reference_engine, "kitemark.complaint_ruling")
    assert len(audits) == 4
    chain = [None] + [e.details["upheld"] for e in audits]
    assert [e.details["before"] for e in audits] == chain[:-1]
    with Session(reference_engine) as check:
        held = check.get(Complaint, complaint_id)
    assert held is not None and held.upheld is chain[-1]
