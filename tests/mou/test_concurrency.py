"""Concurrent writes to an MoU group queue behind its write lock: each writer's checks see
what the one before it stored, so a duplicate is refused in words, never a 500.

Real threads, each with its own session on the test database, start together at a
barrier; on SQLite the write lock is the database's one (BEGIN IMMEDIATE), on PostgreSQL
an advisory lock per group. Should a duplicate get past the checks regardless, the unique
constraint's refusal is turned into the same words (the last tests, with a check blinded).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from tests.builders import mou as build
from tests.builders.people import TEST_ACTOR
from tests.racing import at_once, refusals, slowed
from workforce.auth import audit
from workforce.auth.models import AuditEvent
from workforce.config import get_settings
from workforce.db import make_engine
from workforce.errors import Busy, InputDataError
from workforce.mou import caps as cap_service
from workforce.mou import digest, flows, service
from workforce.mou.models import (
    MouDigest,
    MouFinding,
    MouGroup,
    MouGroupCouncil,
    OnCostRate,
    PayRoute,
    RateCap,
    RoleCategory,
)
from workforce.timeutils import as_utc

LONDON = "London"
CAMDEN, GREENWICH, HACKNEY = "202", "203", "204"
T = TypeVar("T")


def _audited(engine: Engine, action: str) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).where(AuditEvent.action == action)).one()


def _count(engine: Engine, model: type) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def group(reference_session: Session) -> str:
    s = reference_session
    build.make_group(s, LONDON, [CAMDEN, GREENWICH], cooling_off_months=6)
    s.commit()
    return LONDON


# --- the races ---------------------------------------------------------------------------------


def test_eight_caps_for_the_same_day_at_once_one_is_stored_the_rest_refused(
    group: str, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    slowed(monkeypatch, cap_service, "_same_day_cap")

    def set_cap(s: Session) -> RateCap:
        return cap_service.set_cap(
            session=s,
            group_name=group,
            role_category=RoleCategory.social_worker,
            effective_from=date(2026, 4, 1),
            hourly_cap=30.0,
            source="test figure",
            actor=TEST_ACTOR,
        )

    results = at_once(reference_engine, 8, lambda s, _: set_cap(s))
    assert sum(isinstance(r, RateCap) for r in results) == 1
    assert refusals(results) == ["cap.duplicate"] * 7
    assert _count(reference_engine, RateCap) == 1
    assert _audited(reference_engine, "set_cap") == 1


def test_four_on_cost_rates_for_the_same_day_at_once_one_is_stored_the_rest_refused(
    reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    slowed(monkeypatch, cap_service, "_same_day_rate")

    def set_rate(s: Session) -> OnCostRate:
        return cap_service.set_on_cost_rate(
            session=s,
            pay_route=PayRoute.paye,
            effective_from=date(2026, 4, 6),
            employer_ni=0.15,
            apprenticeship_levy=0.005,
            source="test figure",
            actor=TEST_ACTOR,
        )

    results = at_once(reference_engine, 4, lambda s, _: set_rate(s))
    assert sum(isinstance(r, OnCostRate) for r in results) == 1
    assert refusals(results) == ["on_cost.duplicate"] * 3
    assert _count(reference_engine, OnCostRate) == 1
    assert _audited(reference_engine, "set_on_cost") == 1


def test_four_groups_of_the_same_name_at_once_one_is_created_the_rest_refused(
    reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    slowed(monkeypatch, service, "_group_exists")

    def create(s: Session) -> MouGroup:
        return service.create_group(
            session=s, name="Racing MoU", councils=[CAMDEN, HACKNEY], actor=TEST_ACTOR
        )

    results = at_once(reference_engine, 4, lambda s, _: create(s))
    assert sum(isinstance(r, MouGroup) for r in results) == 1
    assert refusals(results) == ["group.duplicate"] * 3
    assert _count(reference_engine, MouGroup) == 1
    assert _count(reference_engine, MouGroupCouncil) == 2
    assert _audited(reference_engine, "create") == 1


def test_the_same_council_added_eight_times_at_once_joins_once(
    group: str, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    slowed(monkeypatch, audit, "record")  # after the check, before the insert's flush

    def add(s: Session) -> MouGroupCouncil:
        return service.add_member(
            session=s,
            group_name=group,
            council_code=HACKNEY,
            on=date(2026, 1, 1),
            actor=TEST_ACTOR,
        )

    results = at_once(reference_engine, 8, lambda s, _: add(s))
    assert sum(isinstance(r, MouGroupCouncil) for r in results) == 1
    refused = [r for r in results if isinstance(r, InputDataError)]
    assert refusals(results) == ["member.duplicate"] * 7
    assert all("a member of this group already" in str(r) for r in refused)
    with Session(reference_engine) as s:
        assert service.member_councils(session=s, group_name=group, on=date(2026, 1, 1)) == [
            CAMDEN,
            GREENWICH,
            HACKNEY,
        ]
    assert _audited(reference_engine, "add_member") == 1


def test_a_council_that_left_rejoined_eight_times_at_once_rejoins_once(
    group: str, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(reference_engine) as s:
        service.remove_member(
            session=s,
            group_name=group,
            council_code=GREENWICH,
            on=date(2025, 6, 1),
            actor=TEST_ACTOR,
        )
        s.commit()
    slowed(monkeypatch, audit, "record")  # after the check, before the insert's flush

    def rejoin(s: Session) -> MouGroupCouncil:
        return service.add_member(
            session=s,
            group_name=group,
            council_code=GREENWICH,
            on=date(2026, 1, 1),
            actor=TEST_ACTOR,
        )

    results = at_once(reference_engine, 8, lambda s, _: rejoin(s))
    assert sum(isinstance(r, MouGroupCouncil) for r in results) == 1
    assert refusals(results) == ["member.duplicate"] * 7
    with Session(reference_engine) as s:
        stays = service.memberships(session=s, group_name=group)
        assert [(m.joined_on, m.left_on) for m in stays if m.council_code == GREENWICH] == [
            (None, date(2025, 6, 1)),
            (date(2026, 1, 1), None),
        ]
    assert _audited(reference_engine, "add_member") == 1


def _stored_findings(engine: Engine, group: str) -> dict[tuple[int, str], datetime | None]:
    with Session(engine) as s:
        rows = s.exec(select(MouFinding).where(MouFinding.group_name == group)).all()
        keys = [(f.assignment_id, f.rule) for f in rows]
        assert len(keys) == len(set(keys)), "a finding is stored twice"
        return {(f.assignment_id, f.rule): as_utc(f.first_found_at) for f in rows}


def test_four_assessments_of_a_group_at_once_store_what_one_would(
    group: str, reference_session: Session, reference_engine: Engine
) -> None:
    s = reference_session
    build.set_cap(s, group, "social_worker", date(2016, 1, 1), 28.0)
    build.set_on_costs(s, PayRoute.limited_company, date(2016, 1, 1), 0.0)
    ret = build.council_return(s, CAMDEN, date(2025, 12, 31))
    for n in range(40):
        build.assignment(s, ret, hourly_pay_rate=30.0 + n, pay_route=PayRoute.limited_company)
    s.commit()
    flows.assess(session=s, group_name=group, actor=TEST_ACTOR)
    s.commit()
    before = _stored_findings(reference_engine, group)
    assert before
    # A later return: its assignments' findings are new to the next assessment.
    ret = build.council_return(s, GREENWICH, date(2026, 3, 31))
    for n in range(40):
        build.assignment(s, ret, hourly_pay_rate=29.0 + n, pay_route=PayRoute.limited_company)
    s.commit()

    results = at_once(
        reference_engine,
        4,
        lambda t, _: flows.assess(session=t, group_name=group, actor=TEST_ACTOR),
    )
    assert all(isinstance(r, flows.AssessmentSummary) for r in results), results
    summaries = [r for r in results if isinstance(r, flows.AssessmentSummary)]
    after = _stored_findings(reference_engine, group)
    added = set(after) - set(before)
    assert added and set(before) <= set(after)
    # One of them found the new findings; the others, after it, found them again.
    assert sorted(r.new for r in summaries) == [0, 0, 0, len(added)]
    assert {r.findings for r in summaries} == {len(after)}
    assert {key: after[key] for key in before} == before  # first found when first found
    # A single run now finds exactly what is stored.
    again = flows.assess(session=s, group_name=group, actor=TEST_ACTOR)
    s.commit()
    assert (again.new, again.removed, again.found_again) == (0, 0, len(after))
    assert _stored_findings(reference_engine, group) == after


def test_two_digests_of_a_group_at_once_are_both_written_one_after_the_other(
    group: str,
    reference_session: Session,
    reference_engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = reference_session
    build.set_cap(s, group, "social_worker", date(2016, 1, 1), 28.0)
    build.set_on_costs(s, PayRoute.limited_company, date(2016, 1, 1), 0.0)
    ret = build.council_return(s, CAMDEN, date(2025, 12, 31))
    for pay in (35.0, 40.0):
        build.assignment(s, ret, hourly_pay_rate=pay, pay_route=PayRoute.limited_company)
    s.commit()
    summary = flows.assess(session=s, group_name=group, actor=TEST_ACTOR)
    s.commit()
    assert summary.findings
    slowed(monkeypatch, digest, "digest_content")

    def write(t: Session) -> MouDigest:
        found = service.get_group(session=t, group_name=group)
        return digest.write_digest(session=t, group=found, reports_dir=tmp_path)

    results = at_once(reference_engine, 2, lambda s, _: write(s))
    assert all(isinstance(r, MouDigest) for r in results), results
    with Session(reference_engine) as t:
        rows = digest.list_digests(session=t, group_name=group)
    assert len(rows) == 2
    # The second covers what came after the first: nothing new.
    assert [(d.findings, d.new_findings) for d in rows] == [
        (summary.findings, 0),
        (summary.findings, summary.findings),
    ]
    files = {Path(p) for d in rows for p in (d.html_path, d.csv_path)}
    assert len(files) == 4 and all(f.is_file() for f in files)


# --- waiting, and giving up ---------------------------------------------------------------------


def test_a_writer_kept_waiting_past_its_bound_is_told_so_and_nothing_is_stored(
    group: str, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKFORCE_WRITE_WAIT_SECONDS", "0.3")
    get_settings.cache_clear()
    url = reference_engine.url.render_as_string(hide_password=False)
    # On SQLite the bound is the engine's busy timeout, which the service sets to the same.
    impatient = make_engine(url, busy_timeout_seconds=0.3)
    try:
        with Session(reference_engine) as holder, Session(impatient) as waiter:
            service.lock_for_writing(session=holder, group_name=group, what="a test's change")
            with pytest.raises(Busy) as exc:
                build.set_cap(waiter, group, "social_worker", date(2026, 4, 1), 30.0)
            holder.rollback()
    finally:
        impatient.dispose()
        get_settings.cache_clear()
    assert "so the social_worker cap from 2026-04-01 was not stored" in str(exc.value)
    assert exc.value.retry_after >= 1
    assert _count(reference_engine, RateCap) == 0


# --- the last line: the unique constraints, with the check blinded -------------------------


def test_a_duplicate_cap_past_the_check_is_refused_in_the_same_words(
    group: str,
    reference_session: Session,
    reference_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = reference_session
    build.set_cap(s, group, "social_worker", date(2026, 4, 1), 30.0)
    s.commit()
    with pytest.raises(InputDataError) as checked:
        build.set_cap(s, group, "social_worker", date(2026, 4, 1), 31.0)
    s.rollback()
    # An earlier cap in the same transaction, which the refusal below must leave alone.
    build.set_cap(s, group, "social_worker", date(2025, 4, 1), 25.0)
    real = cap_service._same_day_cap
    calls: list[int] = []

    def blind_once(*, session: Session, new: cap_service.CapCreate) -> RateCap | None:
        calls.append(1)
        return None if len(calls) == 1 else real(session=session, new=new)

    monkeypatch.setattr(cap_service, "_same_day_cap", blind_once)
    with pytest.raises(InputDataError) as constrained:
        build.set_cap(s, group, "social_worker", date(2026, 4, 1), 31.0)
    assert len(calls) == 2  # the check, blinded; then the refusal's look-up
    assert constrained.value.problems == checked.value.problems
    s.commit()  # the transaction is still whole: only the duplicate was undone
    with Session(reference_engine) as t:
        assert [
            (c.effective_from, c.hourly_cap) for c in cap_service.caps(session=t, group_name=group)
        ] == [
            (date(2025, 4, 1), 25.0),
            (date(2026, 4, 1), 30.0),
        ]
    assert _audited(reference_engine, "set_cap") == 2


def test_duplicate_on_cost_rates_past_the_check_are_refused_in_the_same_words(
    reference_session: Session, reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = reference_session
    build.set_on_costs(s, PayRoute.paye, date(2026, 4, 6), 0.15, 0.005)
    s.commit()
    with pytest.raises(InputDataError) as checked:
        build.set_on_costs(s, PayRoute.paye, date(2026, 4, 6), 0.16)
    s.rollback()
    real = cap_service._same_day_rate
    calls: list[int] = []

    def blind_once(*, session: Session, new: cap_service.OnCostRateCreate) -> OnCostRate | None:
        calls.append(1)
        return None if len(calls) == 1 else real(session=session, new=new)

    monkeypatch.setattr(cap_service, "_same_day_rate", blind_once)
    with pytest.raises(InputDataError) as constrained:
        build.set_on_costs(s, PayRoute.paye, date(2026, 4, 6), 0.16)
    assert constrained.value.problems == checked.value.problems
    s.commit()
    assert _count(reference_engine, OnCostRate) == 1
    assert _audited(reference_engine, "set_on_cost") == 1


def test_a_duplicate_group_past_the_check_is_refused_in_the_same_words(
    group: str,
    reference_session: Session,
    reference_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = reference_session
    with pytest.raises(InputDataError) as checked:
        build.make_group(s, group, [HACKNEY])
    s.rollback()
    s.expunge_all()  # the group is looked up afresh, not found in the session
    real = service._group_exists
    calls: list[int] = []

    def blind_once(*, session: Session, name: str) -> bool:
        calls.append(1)
        return False if len(calls) == 1 else real(session=session, name=name)

    monkeypatch.setattr(service, "_group_exists", blind_once)
    with pytest.raises(InputDataError) as constrained:
        build.make_group(s, group, [HACKNEY])
    assert constrained.value.problems == checked.value.problems
    s.commit()
    with Session(reference_engine) as t:
        assert t.exec(
            select(col(MouGroupCouncil.council_code)).order_by(col(MouGroupCouncil.council_code))
        ).all() == [
            CAMDEN,
            GREENWICH,
        ]
    assert _audited(reference_engine, "create") == 1
