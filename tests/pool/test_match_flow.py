"""A match run over the database: the demo's made-up pool against real councils' tiers,
stored with each proposal's breakdown and each unfilled post's reason; a dry run stores
nothing; nothing proposed ever breaks a hard rule; a second run skips what is offered."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, col, func, select

from tests.builders import mou as build_mou
from tests.builders import pool as build_pool
from tests.builders.people import TEST_ACTOR
from workforce.auth.models import AuditEvent
from workforce.inspections.importers import import_judgements
from workforce.mou.models import MouGroupCouncil
from workforce.pool import demo, facts, flows, rules
from workforce.pool.models import MatchRun, PoolRequest, Proposal, Unfilled
from workforce.pool.terms import Tier
from workforce.statistics.bundled import JUDGEMENT_FILES
from workforce.timeutils import utcnow


@pytest.fixture
def reference_session(reference_session: Session) -> Session:
    """The reference data and the bundled Ofsted judgements: the demo's requests come from
    the councils whose latest judgement is inadequate."""
    for path in JUDGEMENT_FILES:
        import_judgements(session=reference_session, path=path)
    reference_session.commit()
    return reference_session


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_the_demo_pool_is_matched_and_every_unfilled_post_says_why(
    reference_session: Session,
) -> None:
    s = reference_session
    made = demo.seed(session=s, actor=TEST_ACTOR, echo=lambda _: None)
    s.commit()
    assert made is not None and made.workers >= 300 and made.requests >= 10
    assert demo.seed(session=s, actor=TEST_ACTOR, echo=lambda _: None) is None  # once only
    run = flows.latest_run(session=s)
    assert run is not None and run.id is not None
    proposals = flows.proposals_of(session=s, run_id=run.id)
    unfilled = flows.unfilled_of(session=s, run_id=run.id)
    assert proposals and unfilled
    assert run.filled == len(proposals) and run.posts == len(proposals) + len(unfilled)
    # Every unfilled post has a reason a coordinator can act on: it names the role and
    # what ruled the pool out, and the nearest miss with what it lacks where there is one.
    for u in unfilled:
        assert len(u.reason) > 30, u.reason
        # Regions by name ("the North West"), never by code.
        assert "E1200" not in u.reason and not any("E1200" in f for f in u.nearest_failures)
        assert u.nearest_worker_id is None or u.nearest_failures
    # Nothing proposed breaks a hard rule, checked one pair at a time.
    today = utcnow().date()
    workers = {w.id: w for w in facts.worker_facts(session=s)}
    # The proposals' own bookings are not yet offers: check against the run's inputs.
    requests = {r.id: r for r in facts.request_facts(session=s, on=today)}
    for p in proposals:
        assert rules.failures(workers[p.worker_id], requests[p.request_id]) == []
        assert p.breakdown["words"] and p.breakdown["parts"]
    assert len({p.worker_id for p in proposals}) == len(proposals)
    # The worst placed councils come first: the made-up statutory directions are tier 1.
    assert {p.tier for p in proposals} >= {int(Tier.intervention), int(Tier.inadequate)}
    assert s.exec(select(AuditEvent).where(AuditEvent.action == "pool.match")).first() is not None


def test_a_dry_run_stores_nothing_and_answers_as_a_run_would(reference_session: Session) -> None:
    s = reference_session
    demo.seed(session=s, actor=TEST_ACTOR, echo=lambda _: None)
    s.commit()
    runs, stored = _count(s, MatchRun), _count(s, Proposal) + _count(s, Unfilled)
    dry = flows.run_match(session=s, actor=TEST_ACTOR, dry_run=True)
    s.commit()
    assert dry.run is None
    assert (_count(s, MatchRun), _count(s, Proposal) + _count(s, Unfilled)) == (runs, stored)
    run = flows.latest_run(session=s)
    assert run is not None and run.id is not None
    # The same input gives the same proposals.
    assert [(p.request_id, p.slot, p.worker_id) for p in dry.result.proposals] == [
        (p.request_id, p.slot, p.worker_id) for p in flows.proposals_of(session=s, run_id=run.id)
    ]
    assert dry.summary().startswith(f"{dry.filled} of {dry.posts} open posts")


def test_a_withdrawn_or_past_request_is_not_matched(reference_session: Session) -> None:
    s = reference_session
    demo.seed(session=s, actor=TEST_ACTOR, echo=lambda _: None)
    s.commit()
    first = s.exec(select(PoolRequest).order_by(col(PoolRequest.id))).first()
    assert first is not None and first.id is not None
    first.status = "withdrawn"  # type: ignore[assignment]
    s.add(first)
    s.commit()
    outcome = flows.run_match(session=s, actor=TEST_ACTOR, on=utcnow().date() + timedelta(days=1))
    s.commit()
    assert first.id not in {p.request_id for p in outcome.result.proposals}
    assert first.id not in {u.request_id for u in outcome.result.unfilled}


def test_a_requests_cooling_off_is_its_mou_groups_while_the_council_is_a_member(
    reference_session: Session,
) -> None:
    s = reference_session
    camden = build_pool.request(s, build_pool.CAMDEN, start_date=date(2027, 3, 1))
    greenwich = build_pool.request(s, build_pool.GREENWICH, start_date=date(2027, 3, 1))
    build_mou.make_group(s, "Six Month MoU", [build_pool.CAMDEN], cooling_off_months=6)
    s.commit()
    found = {r.id: r for r in facts.request_facts(session=s, on=date(2027, 1, 1))}
    assert found[camden.id].cooling_off_months == 6  # the group's period
    assert found[greenwich.id].cooling_off_months == 3  # in no group: 3 months
    s.exec(select(MouGroupCouncil)).one().left_on = date(2027, 2, 1)
    s.commit()
    found = {r.id: r for r in facts.request_facts(session=s, on=date(2027, 1, 1))}
    assert found[camden.id].cooling_off_months == 3  # left the group before the start
