"""Concurrent writes to the kite-mark register queue behind its write locks: each writer's
checks see what the one before it stored, so a duplicate is refused in words, never a 500,
and no update is lost.

Real threads, each with its own session on the test database, start together at a
barrier; on SQLite the write lock is the database's one (BEGIN IMMEDIATE), on PostgreSQL
an advisory lock, registry-wide for names and matches, per agency for the rest. A short
pause is patched in after each write's check, so without the lock every thread would check
before any wrote, every time. Should a duplicate get past the checks regardless, the unique
constraint's refusal is turned into the same words (the last test, with the check blinded).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from tests.builders import kitemark as build
from tests.builders.people import TEST_ACTOR
from tests.racing import at_once, refusals, slowed
from workforce.agencies import flows, matching, registration
from workforce.agencies import status as kitemark_status
from workforce.agencies.models import (
    Agency,
    AgencyMatch,
    Assessment,
    KitemarkStatus,
    KitemarkStatusChange,
)
from workforce.agencies.names import normalise
from workforce.auth.models import AuditEvent
from workforce.errors import InputDataError

START, END = date(2026, 1, 1), date(2026, 6, 30)
DECIDED = datetime(2026, 7, 15, 10, 0, tzinfo=UTC)
T = TypeVar("T")


def _constraint_refusals(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Count the refusals of ``registration``'s fallback: a unique constraint's, not the check's.
    With the lock each check sees the write before it, so the constraint is never reached."""
    seen: list[object] = []
    real = registration.is_unique_violation

    def counted(exc: IntegrityError) -> bool:
        seen.append(exc)
        return real(exc)

    monkeypatch.setattr(registration, "is_unique_violation", counted)
    return seen


def _audits(engine: Engine, action: str) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(
            s.exec(
                select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
            ).all()
        )


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


# --- registering agencies ------------------------------------------------------------------


def test_eight_registrations_of_the_same_name_at_once_one_is_stored_the_rest_refused(
    reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    slowed(monkeypatch, registration, "_taken_problems")
    by_constraint = _constraint_refusals(monkeypatch)

    def register(s: Session, n: int) -> Agency:
        # "Ltd" and "Limited" are the same name once normalised.
        return registration.register_agency(
            session=s,
            legal_name="Same Name Ltd" if n % 2 else "Same Name Limited",
            actor=TEST_ACTOR,
        )

    results = at_once(reference_engine, 8, register)
    assert sum(isinstance(r, Agency) for r in results) == 1
    assert refusals(results) == ["agency.name_taken"] * 7
    assert _count(reference_engine, Agency) == 1
    assert len(_audits(reference_engine, "create")) == 1
    assert by_constraint == []  # every refusal was the check's


def test_eight_registrations_with_the_same_company_number_at_once_one_is_stored(
    reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    slowed(monkeypatch, registration, "_taken_problems")
    by_constraint = _constraint_refusals(monkeypatch)

    def register(s: Session, n: int) -> Agency:
        return registration.register_agency(
            session=s, legal_name=f"Agency {n} Ltd", company_number="01234567", actor=TEST_ACTOR
        )

    results = at_once(reference_engine, 8, register)
    assert sum(isinstance(r, Agency) for r in results) == 1
    assert refusals(results) == ["agency.company_number_taken"] * 7
    assert _count(reference_engine, Agency) == 1
    assert len(_audits(reference_engine, "create")) == 1
    assert by_constraint == []  # every refusal was the check's


# --- the decision --------------------------------------------------------------------------


def test_four_decisions_of_the_same_assessment_at_once_one_is_stored_the_rest_refused(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = reference_session
    build.group(s)
    agency = build.make_agency(s, "Clean Agency Ltd")
    build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, 20)
    assessment = build.assessed(s, agency, START, END)
    s.commit()
    assert assessment.id is not None and agency.id is not None
    assessment_id = assessment.id
    slowed(monkeypatch, flows, "get_assessment")

    def decide(s: Session, _: int) -> Assessment:
        return flows.decide(session=s, assessment_id=assessment_id, actor=TEST_ACTOR, on=DECIDED)

    results = at_once(reference_engine, 4, decide)
    assert sum(isinstance(r, Assessment) for r in results) == 1
    assert refusals(results) == ["decision.decided"] * 3
    assert len(_audits(reference_engine, "kitemark.decide")) == 1
    assert len(_audits(reference_engine, "kitemark.awarded")) == 1
    with Session(reference_engine) as check:
        changes = check.exec(
            select(KitemarkStatusChange).where(KitemarkStatusChange.agency_id == agency.id)
        ).all()
    assert [c.status for c in changes] == [KitemarkStatus.awarded]


# --- a change of status --------------------------------------------------------------------


def test_four_suspensions_of_the_same_agency_at_once_one_is_stored_the_rest_refused(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = reference_session
    build.group(s)
    agency = build.make_agency(s, "Clean Agency Ltd")
    build.place(s, build.quarter(s, build.CAMDEN, date(2026, 3, 31)), agency, 20)
    build.awarded(s, agency, START, END, on=DECIDED)
    s.commit()
    assert agency.id is not None
    agency_id = agency.id
    slowed(monkeypatch, kitemark_status, "_status_of")

    def suspend(s: Session, n: int) -> KitemarkStatusChange:
        return kitemark_status.suspend(
            session=s,
            agency_id=agency_id,
            reason=f"complaint {n}",
            actor=TEST_ACTOR,
            on=DECIDED + timedelta(days=1),
        )

    results = at_once(reference_engine, 4, suspend)
    assert sum(isinstance(r, KitemarkStatusChange) for r in results) == 1
    assert refusals(results) == ["status.suspend"] * 3
    assert len(_audits(reference_engine, "kitemark.suspended")) == 1
    with Session(reference_engine) as check:
        changes = check.exec(
            select(KitemarkStatusChange)
            .where(KitemarkStatusChange.agency_id == agency_id)
            .order_by(col(KitemarkStatusChange.id))
        ).all()
    assert [c.status for c in changes] == [KitemarkStatus.awarded, KitemarkStatus.suspended]


# --- matching a name -----------------------------------------------------------------------


def test_four_matches_of_one_name_at_once_queue_the_last_wins_each_audited_with_the_one_before(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = reference_session
    first = build.make_agency(s, "Acme Staffing Ltd")  # its name is matched to it
    others = [build.make_agency(s, f"Other Agency {n} Ltd", matched=False) for n in range(4)]
    s.commit()
    assert first.id is not None
    ids = [a.id for a in others]
    key = normalise("Acme Staffing Ltd")
    # The pause falls between the read of the match being replaced and the write.
    slowed(monkeypatch, matching, "utcnow")

    def set_match(s: Session, n: int) -> AgencyMatch:
        return matching.set_match(
            session=s, name="ACME Staffing Limited", agency_id=ids[n], actor=TEST_ACTOR
        )

    results = at_once(reference_engine, 4, set_match)
    assert refusals(results) == []
    audits = _audits(reference_engine, "rematch")
    assert len(audits) == 4
    chain = [first.id] + [e.details["agency_id"] for e in audits]
    # Each replaced the one stored just before it: none was lost.
    assert [e.details["before"]["agency_id"] for e in audits] == chain[:-1]
    assert sorted(chain[1:]) == sorted(ids)
    with Session(reference_engine) as check:
        held = check.get(AgencyMatch, key)
    assert held is not None and held.agency_id == chain[-1]


# --- the unique constraints' fallback ------------------------------------------------------


def test_a_duplicate_past_a_blinded_check_is_refused_in_the_same_words(
    reference_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = reference_session
    registration.register_agency(
        session=s, legal_name="Same Name Ltd", company_number="01234567", actor=TEST_ACTOR
    )
    s.commit()
    real = registration._taken_problems
    calls = []

    def blinded_once(**kwargs: object) -> object:
        calls.append(1)
        return [] if len(calls) == 1 else real(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(registration, "_taken_problems", blinded_once)
    with pytest.raises(InputDataError) as refused:
        registration.register_agency(session=s, legal_name="Same Name Limited", actor=TEST_ACTOR)
    assert [p.rule for p in refused.value.problems] == ["agency.name_taken"]
    s.rollback()
    calls.clear()
    with pytest.raises(InputDataError) as refused:
        registration.register_agency(
            session=s, legal_name="Another Name", company_number="01234567", actor=TEST_ACTOR
        )
    assert [p.rule for p in refused.value.problems] == ["agency.company_number_taken"]
    s.rollback()
    assert _count(s.get_bind(), Agency) == 1  # type: ignore[arg-type]
