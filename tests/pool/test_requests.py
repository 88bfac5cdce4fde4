"""Interventions, requests and priority tiers: a council's tier from its intervention in
force or its latest judgement; a request's from that or a coordinator's raise, which never
lowers it; requests made, listed, withdrawn; every write audited; two raises at once lose
nothing."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from tests.builders import pool as build
from tests.builders.people import TEST_ACTOR
from workforce.auth.models import AuditEvent
from workforce.config import Settings
from workforce.errors import InputDataError, NotFoundError
from workforce.inspections.models import Framework, Grade, Judgement
from workforce.pool import interventions, service, tiers
from workforce.pool.models import (
    InterventionCreate,
    PoolRequest,
    RequestCreate,
    RequestStatus,
    TierRaise,
)
from workforce.pool.terms import Specialism, Tier

CAMDEN, GREENWICH, HACKNEY = "202", "203", "204"
DAY = date(2027, 2, 1)


def _judged(s: Session, code: str, grade: Grade, start: date, published: date | None) -> None:
    s.add(
        Judgement(
            council_code=code,
            framework=Framework.ilacs_standard,
            inspection_start=start,
            inspection_end=start + timedelta(days=14),
            published=published,
            grade=grade,
            source="test",
        )
    )
    s.flush()


def _rules(exc: pytest.ExceptionInfo[InputDataError]) -> list[str]:
    return [p.rule for p in exc.value.problems]


def _audit_actions(s: Session, entity: str) -> list[str]:
    return list(
        s.exec(
            select(AuditEvent.action)
            .where(AuditEvent.entity == entity)
            .order_by(col(AuditEvent.id))
        ).all()
    )


def test_a_councils_tier_is_its_intervention_then_its_latest_judgement_known_on_the_day(
    reference_session: Session,
) -> None:
    s = reference_session
    for j in s.exec(select(Judgement).where(col(Judgement.council_code).in_([CAMDEN, GREENWICH]))):
        s.delete(j)
    _judged(s, CAMDEN, Grade.good, date(2022, 1, 10), date(2022, 3, 1))
    assert tiers.tier_of(session=s, council_code=CAMDEN, on=DAY) is Tier.other
    # Inspected before the day but published after it: not yet known.
    _judged(s, CAMDEN, Grade.inadequate, date(2027, 1, 4), date(2027, 3, 1))
    assert tiers.tier_of(session=s, council_code=CAMDEN, on=DAY) is Tier.other
    assert tiers.tier_of(session=s, council_code=CAMDEN, on=date(2027, 3, 1)) is Tier.inadequate
    _judged(s, GREENWICH, Grade.requires_improvement, date(2024, 5, 1), date(2024, 7, 1))
    assert tiers.tier_of(session=s, council_code=GREENWICH, on=DAY) is Tier.requires_improvement
    # An intervention in force on the day comes first; ended, it no longer counts.
    build.intervention(s, GREENWICH, start_date=date(2027, 1, 1), end_date=date(2027, 1, 31))
    assert tiers.tier_of(session=s, council_code=GREENWICH, on=DAY) is Tier.requires_improvement
    build.intervention(s, GREENWICH, start_date=date(2027, 2, 1))
    assert tiers.tier_of(session=s, council_code=GREENWICH, on=DAY) is Tier.intervention
    assert tiers.tiers_of(session=s, council_codes=[CAMDEN, GREENWICH], on=DAY) == {
        CAMDEN: Tier.other,
        GREENWICH: Tier.intervention,
    }


def test_an_admin_records_and_ends_an_intervention_audited(reference_session: Session) -> None:
    s = reference_session
    new = InterventionCreate.checked(
        council="E09000007", kind="commissioner", start_date="2027-01-01", note="DfE direction"
    )
    row = interventions.record_intervention(session=s, new=new, actor=TEST_ACTOR)
    s.commit()
    assert row.council_code == CAMDEN and row.recorded_by == TEST_ACTOR.name
    assert [r.id for r in interventions.list_interventions(session=s, council_code=CAMDEN)] == [
        row.id
    ]
    assert row.id is not None
    with pytest.raises(InputDataError) as refused:
        interventions.end_intervention(
            session=s, intervention_id=row.id, end_date=date(2026, 12, 1), actor=TEST_ACTOR
        )
    assert _rules(refused) == ["intervention.end_date"]
    s.rollback()
    interventions.end_intervention(
        session=s, intervention_id=row.id, end_date=date(2027, 6, 30), actor=TEST_ACTOR
    )
    s.commit()
    assert _audit_actions(s, "pool_intervention") == ["create", "update"]
    with pytest.raises(InputDataError) as refused:
        InterventionCreate.checked(council="202", kind="inspection", start_date="soon")
    assert sorted(_rules(refused)) == ["intervention.kind", "intervention.start_date"]
    with pytest.raises(InputDataError) as refused:
        interventions.record_intervention(
            session=s,
            new=InterventionCreate.checked(council="999", kind="commissioner", start_date=DAY),
            actor=TEST_ACTOR,
        )
    assert _rules(refused) == ["intervention.council"]


def test_a_request_runs_whole_weeks_from_its_start_with_its_specialisms(
    reference_session: Session,
) -> None:
    s = reference_session
    new = RequestCreate.checked(
        role="team_manager",
        posts=2,
        required=["court_work", "child_protection"],
        preferred=["court_work", "leaving_care"],
        start_date="2027-03-01",
        weeks=12,
        onsite_days=3,
        max_day_rate=550,
        reason="Two managers left.",
    )
    row = service.create_request(
        session=s, council_code="E09000007", new=new, actor=TEST_ACTOR, today=DAY
    )
    s.commit()
    assert (row.council_code, row.start_date, row.end_date) == (
        CAMDEN,
        date(2027, 3, 1),
        date(2027, 5, 23),  # 12 weeks: Monday 1 March to Sunday 23 May
    )
    public = service.request_public(session=s, request=row, on=DAY)
    assert public.required == [Specialism.child_protection, Specialism.court_work]
    assert public.preferred == [Specialism.leaving_care]  # required wins over preferred
    assert (public.council_name, public.status, public.filled) == ("Camden", "open", 0)
    assert _audit_actions(s, "pool_request") == ["create"]


def test_a_request_starting_in_the_past_or_with_bad_fields_is_refused_in_words(
    reference_session: Session,
) -> None:
    s = reference_session
    with pytest.raises(InputDataError) as refused:
        RequestCreate.checked(
            role="chief", posts=0, start_date="2027-03-01", weeks=0, onsite_days=6,
            max_day_rate=5000, reason="",
        )  # fmt: skip
    assert sorted(_rules(refused)) == [
        "request.max_day_rate",
        "request.onsite_days",
        "request.posts",
        "request.reason",
        "request.role",
        "request.weeks",
    ]
    past = RequestCreate.checked(
        role="social_worker", posts=1, start_date="2027-01-01", weeks=4, onsite_days=5,
        max_day_rate=400, reason="Cover.",
    )  # fmt: skip
    with pytest.raises(InputDataError) as refused:
        service.create_request(
            session=s, council_code=CAMDEN, new=past, actor=TEST_ACTOR, today=DAY
        )
    assert _rules(refused) == ["request.start_date"]


def test_requests_are_listed_by_council_and_status_and_withdrawn_once(
    reference_session: Session,
) -> None:
    s = reference_session
    a = build.request(s, CAMDEN)
    b = build.request(s, GREENWICH)
    c = build.request(s, CAMDEN, status=RequestStatus.filled)
    s.commit()
    mine = service.list_requests(session=s, councils=frozenset({CAMDEN}))
    assert {r.id for r in mine} == {a.id, c.id}
    assert [r.id for r in service.list_requests(session=s, status=RequestStatus.open)] == [
        b.id,
        a.id,
    ]
    assert a.id is not None and c.id is not None
    service.withdraw_request(session=s, request_id=a.id, actor=TEST_ACTOR)
    s.commit()
    assert s.get(PoolRequest, a.id).status == RequestStatus.withdrawn  # type: ignore[union-attr]
    for request_id in (a.id, c.id):
        with pytest.raises(InputDataError) as refused:
            service.withdraw_request(session=s, request_id=request_id, actor=TEST_ACTOR)
        assert _rules(refused) == ["request.status"]
        s.rollback()
    with pytest.raises(NotFoundError):
        service.withdraw_request(session=s, request_id=999_999, actor=TEST_ACTOR)
    assert _audit_actions(s, "pool_request") == ["withdraw"]


def test_a_coordinator_raises_a_tier_with_a_reason_but_never_lowers_it(
    reference_session: Session,
) -> None:
    s = reference_session
    for j in s.exec(select(Judgement).where(Judgement.council_code == HACKNEY)):
        s.delete(j)
    _judged(s, HACKNEY, Grade.requires_improvement, date(2024, 1, 8), date(2024, 3, 1))
    row = build.request(s, HACKNEY)
    s.commit()
    assert row.id is not None
    assert tiers.request_tier(session=s, request=row, on=DAY) is Tier.requires_improvement
    for tier in (Tier.requires_improvement, Tier.other):
        with pytest.raises(InputDataError) as refused:
            service.raise_tier(
                session=s,
                request_id=row.id,
                change=TierRaise(tier=tier, reason="x"),
                actor=TEST_ACTOR,
                on=DAY,
            )
        assert _rules(refused) == ["tier.tier"]
        s.rollback()
    raised = service.raise_tier(
        session=s,
        request_id=row.id,
        change=TierRaise(tier=Tier.inadequate, reason="Three managers left in a month."),
        actor=TEST_ACTOR,
        on=DAY,
    )
    s.commit()
    assert raised.tier_raised_to == 2 and raised.tier_reason.startswith("Three")
    public = service.request_public(session=s, request=raised, on=DAY)
    assert (public.tier, public.tier_reason) == (Tier.inadequate, raised.tier_reason)
    # An intervention later puts the council above the raise: the better tier wins.
    build.intervention(s, HACKNEY, start_date=date(2027, 1, 15))
    assert tiers.request_tier(session=s, request=raised, on=DAY) is Tier.intervention
    # A second raise no better than the first is refused: nothing is lowered.
    s.rollback()
    with pytest.raises(InputDataError):
        service.raise_tier(
            session=s,
            request_id=row.id,
            change=TierRaise(tier=Tier.inadequate, reason="again"),
            actor=TEST_ACTOR,
            on=DAY,
        )
    s.rollback()
    (entry,) = s.exec(select(AuditEvent).where(AuditEvent.action == "raise_tier")).all()
    assert entry.details["from"] == 3 and entry.details["to"] == 2


def test_two_tier_raises_at_once_keep_the_higher_and_lose_nothing(
    reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(reference_engine) as s:
        row = build.request(s, CAMDEN)
        s.commit()
        request_id = row.id
    assert request_id is not None
    # A pause between the check and the write: without the lock both would pass the check.
    real = service.request_tier

    def slow(**kwargs: object) -> Tier:
        result = real(**kwargs)  # type: ignore[arg-type]
        time.sleep(0.2)
        return result

    # Each patched where it is looked up: raise_tier calls service.request_tier, which is
    # tiers.request_tier, which calls tiers.tier_of.
    monkeypatch.setattr(service, "request_tier", slow)
    monkeypatch.setattr(tiers, "tier_of", lambda **_: Tier.other)
    barrier = threading.Barrier(2)

    def run(tier: Tier) -> object:
        with Session(reference_engine, expire_on_commit=False) as s:
            s.connection()
            barrier.wait(timeout=60)
            try:
                service.raise_tier(
                    session=s,
                    request_id=request_id,
                    change=TierRaise(tier=tier, reason=f"to {int(tier)}"),
                    actor=TEST_ACTOR,
                    on=DAY,
                )
                s.commit()
                return tier
            except InputDataError as exc:
                s.rollback()
                return exc

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, [Tier.intervention, Tier.inadequate]))
    with Session(reference_engine) as s:
        stored = s.get(PoolRequest, request_id)
        assert stored is not None and stored.tier_raised_to == 1
        entries = s.exec(select(AuditEvent).where(AuditEvent.action == "raise_tier")).all()
    applied = [r for r in results if isinstance(r, Tier)]
    refused = [r for r in results if isinstance(r, InputDataError)]
    assert Tier.intervention in applied
    assert len(applied) + len(refused) == 2 and len(entries) == len(applied)
    # Whichever went second saw the first: the last entry is the raise to tier 1.
    assert entries[-1].details["to"] == 1


def test_the_commands_add_list_withdraw_and_raise(
    reference_settings: Settings, reference_engine: Engine, tmp_path: Path
) -> None:
    from workforce.cli import app

    runner = CliRunner()
    start = (date.today() + timedelta(days=10)).isoformat()
    added = runner.invoke(
        app,
        ["pool", "interventions", "add", CAMDEN, "--kind", "commissioner", "--start", "2026-01-01"],
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["pool", "interventions", "list", "--council", CAMDEN])
    assert "commissioner" in listed.output and "1 intervention(s)." in listed.output
    made = runner.invoke(
        app,
        [
            "pool", "requests", "add", GREENWICH, "--role", "social_worker", "--start", start,
            "--weeks", "8", "--max-day-rate", "400", "--reason", "Cover.", "--posts", "2",
            "--required", "court_work",
        ],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    request_id = made.output.split()[1].rstrip(":")
    bad = runner.invoke(
        app,
        [
            "pool", "requests", "add", GREENWICH, "--role", "chief", "--start", start,
            "--weeks", "0", "--max-day-rate", "400", "--reason", "Cover.",
        ],
    )  # fmt: skip
    assert bad.exit_code == 1 and "[request.role]" in bad.output and "[request.weeks]" in bad.output
    raised = runner.invoke(
        app, ["pool", "requests", "raise-tier", request_id, "--tier", "1", "--reason", "urgent"]
    )
    assert raised.exit_code == 0, raised.output
    listed = runner.invoke(app, ["pool", "requests", "list", "--status", "open"])
    assert "tier 1" in listed.output and "1 request(s)." in listed.output
    assert runner.invoke(app, ["pool", "requests", "withdraw", request_id]).exit_code == 0
    again = runner.invoke(app, ["pool", "requests", "withdraw", request_id])
    assert again.exit_code == 1 and "[request.status]" in again.output
