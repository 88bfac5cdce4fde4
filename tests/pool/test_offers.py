"""Offers and placements: a coordinator's offer, the two answers, the placement they make,
withdrawal, expiry, extension and early end; every refusal in words, every write audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from tests.builders import pool_offers as build
from tests.builders.people import TEST_ACTOR
from workforce.auth.models import AuditEvent
from workforce.errors import InputDataError, NotFoundError
from workforce.pool import answers, offers, placements
from workforce.pool.models import (
    Answer,
    OfferCreate,
    OfferStatus,
    Placement,
    PoolRequest,
    RequestStatus,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def s(reference_engine: Engine) -> Iterator[Session]:
    with Session(reference_engine, expire_on_commit=False) as session:
        yield session


def _rules(exc: pytest.ExceptionInfo[InputDataError]) -> list[str]:
    return [p.rule for p in exc.value.problems]


def _actions(s: Session) -> list[str]:
    return list(s.exec(select(AuditEvent.action).order_by(col(AuditEvent.id))).all())


def test_an_offer_from_a_proposal_takes_the_requests_dates_and_the_workers_rate(
    s: Session,
) -> None:
    req = build.request(s, posts=2)
    w = build.worker(s, day_rate=425.0)
    _, (proposal,) = build.match_run(s, proposals=[(req, w)])
    s.commit()
    offer = offers.make_offer(
        session=s,
        new=OfferCreate(request_id=req.id, worker_id=w.id, proposal_id=proposal.id),
        actor=TEST_ACTOR,
        on=NOW,
    )
    s.commit()
    assert (offer.start_date, offer.end_date) == (build.START, build.END)
    assert offer.day_rate == 425.0
    assert offer.status == OfferStatus.open
    assert offer.expires_at == NOW + timedelta(days=5)
    assert offer.proposal_id == proposal.id
    assert _actions(s) == ["pool.offer"]


def test_an_offer_is_refused_for_a_closed_request_an_inactive_worker_or_a_wrong_proposal(
    s: Session,
) -> None:
    filled = build.request(s, status=RequestStatus.filled)
    idle = build.worker(s, active=False)
    other = build.worker(s)
    _, (proposal,) = build.match_run(s, proposals=[(filled, other)])
    s.commit()
    with pytest.raises(InputDataError) as refused:
        offers.make_offer(
            session=s,
            new=OfferCreate(request_id=filled.id, worker_id=idle.id, proposal_id=proposal.id),
            actor=TEST_ACTOR,
        )
    assert sorted(_rules(refused)) == ["offer.proposal", "offer.request", "offer.worker"]
    s.rollback()
    with pytest.raises(NotFoundError):
        offers.make_offer(
            session=s, new=OfferCreate(request_id=999999, worker_id=other.id), actor=TEST_ACTOR
        )


def test_a_worker_already_offered_or_placed_over_the_dates_is_refused(s: Session) -> None:
    first, second, third = build.request(s), build.request(s), build.request(s)
    w, placed = build.worker(s), build.worker(s)
    build.offer(s, first, w)
    build.placement(s, first, placed, start=date(2027, 3, 1), end=date(2027, 6, 30))
    s.commit()
    for who in (w, placed):
        with pytest.raises(InputDataError) as refused:
            offers.make_offer(
                session=s, new=OfferCreate(request_id=second.id, worker_id=who.id), actor=TEST_ACTOR
            )
        assert _rules(refused) == ["offer.worker_busy"]
        assert "overlapping" in str(refused.value)
        s.rollback()
    later = build.request(s, start=date(2027, 7, 1), end=date(2027, 9, 30))
    s.commit()
    made = offers.make_offer(
        session=s, new=OfferCreate(request_id=later.id, worker_id=placed.id), actor=TEST_ACTOR
    )
    assert made.id is not None
    assert third.id is not None


def test_an_offer_is_refused_once_every_post_is_offered_or_placed(s: Session) -> None:
    req = build.request(s, posts=2)
    build.offer(s, req, build.worker(s))
    build.placement(s, req, build.worker(s))
    w = build.worker(s)
    s.commit()
    with pytest.raises(InputDataError) as refused:
        offers.make_offer(
            session=s, new=OfferCreate(request_id=req.id, worker_id=w.id), actor=TEST_ACTOR
        )
    assert _rules(refused) == ["offer.posts"]
    assert "1 offered, 1 placed" in str(refused.value)


def test_both_acceptances_make_a_placement_and_fill_the_request(s: Session) -> None:
    req = build.request(s, posts=1)
    w = build.worker(s, day_rate=450.0)
    s.commit()
    offer = offers.make_offer(
        session=s, new=OfferCreate(request_id=req.id, worker_id=w.id), actor=TEST_ACTOR, on=NOW
    )
    s.commit()
    assert offer.id is not None
    after = answers.answer_for_council(
        session=s, offer_id=offer.id, answer=Answer.accepted, actor=TEST_ACTOR, on=NOW
    )
    assert after.status == OfferStatus.open
    assert s.exec(select(Placement)).all() == []
    after = answers.answer_for_worker(
        session=s, offer_id=offer.id, answer=Answer.accepted, actor=TEST_ACTOR, on=NOW
    )
    s.commit()
    assert after.status == OfferStatus.accepted
    (placement,) = s.exec(select(Placement)).all()
    assert (placement.start_date, placement.end_date, placement.planned_end) == (
        build.START,
        build.END,
        build.END,
    )
    assert placement.day_rate == 450.0
    assert placement.council_code == build.CAMDEN
    assert s.get(PoolRequest, req.id).status == RequestStatus.filled  # type: ignore[union-attr]
    assert _actions(s) == ["pool.offer", "pool.answer_council", "pool.place", "pool.answer_worker"]


def test_a_decline_closes_the_offer_and_a_second_answer_is_refused(s: Session) -> None:
    req = build.request(s)
    offer = build.offer(s, req, build.worker(s))
    s.commit()
    assert offer.id is not None
    declined = answers.answer_for_worker(
        session=s, offer_id=offer.id, answer=Answer.declined, actor=TEST_ACTOR
    )
    s.commit()
    assert declined.status == OfferStatus.declined and declined.closed_at is not None
    with pytest.raises(InputDataError) as refused:
        answers.answer_for_council(
            session=s, offer_id=offer.id, answer=Answer.accepted, actor=TEST_ACTOR
        )
    assert _rules(refused) == ["offer.closed"]


def test_the_same_party_cannot_answer_twice_and_an_expired_offer_cannot_be_answered(
    s: Session,
) -> None:
    req = build.request(s, posts=2)
    answered = build.offer(s, req, build.worker(s), council_answer=Answer.accepted)
    stale = build.offer(s, req, build.worker(s), expires_at=NOW - timedelta(hours=1))
    s.commit()
    for offer_id, rule in ((answered.id, "offer.answered"), (stale.id, "offer.expired")):
        assert offer_id is not None
        with pytest.raises(InputDataError) as refused:
            answers.answer_for_council(
                session=s, offer_id=offer_id, answer=Answer.declined, actor=TEST_ACTOR, on=NOW
            )
        assert _rules(refused) == [rule]
        s.rollback()


def test_an_acceptance_overlapping_a_placement_is_refused_in_words(s: Session) -> None:
    first, second = build.request(s), build.request(s, build.GREENWICH)
    w = build.worker(s)
    build.placement(s, first, w, start=date(2027, 2, 1), end=date(2027, 5, 31))
    offer = build.offer(s, second, w, council_answer=Answer.accepted)
    s.commit()
    assert offer.id is not None
    with pytest.raises(InputDataError) as refused:
        answers.answer_for_worker(
            session=s, offer_id=offer.id, answer=Answer.accepted, actor=TEST_ACTOR
        )
    assert _rules(refused) == ["placement.overlap"]
    assert "never holds two placements at once" in str(refused.value)
    s.rollback()
    assert len(s.exec(select(Placement)).all()) == 1


def test_a_withdrawn_offer_releases_the_worker(s: Session) -> None:
    req, other = build.request(s), build.request(s)
    w = build.worker(s)
    offer = build.offer(s, req, w)
    s.commit()
    assert offer.id is not None
    answers.withdraw_offer(session=s, offer_id=offer.id, actor=TEST_ACTOR, reason="filled locally")
    s.commit()
    assert offer.status == OfferStatus.withdrawn
    again = offers.make_offer(
        session=s, new=OfferCreate(request_id=other.id, worker_id=w.id), actor=TEST_ACTOR
    )
    assert again.status == OfferStatus.open
    with pytest.raises(InputDataError):
        answers.withdraw_offer(session=s, offer_id=offer.id, actor=TEST_ACTOR)


def test_expiry_marks_only_open_offers_past_their_time(s: Session) -> None:
    req = build.request(s, posts=3)
    old = build.offer(s, req, build.worker(s), expires_at=NOW - timedelta(minutes=1))
    fresh = build.offer(s, req, build.worker(s), expires_at=NOW + timedelta(days=1))
    closed = build.offer(
        s, req, build.worker(s), expires_at=NOW - timedelta(days=2), status=OfferStatus.declined
    )
    s.commit()
    expired = answers.expire_offers(session=s, on=NOW, actor=TEST_ACTOR)
    s.commit()
    assert [o.id for o in expired] == [old.id]
    assert old.status == OfferStatus.expired
    assert fresh.status == OfferStatus.open and closed.status == OfferStatus.declined
    assert _actions(s) == ["pool.expire"]


def test_an_extension_needs_a_reason_a_later_end_and_no_overlap(s: Session) -> None:
    first, second = build.request(s), build.request(s)
    w = build.worker(s)
    placed = build.placement(s, first, w)
    build.placement(s, second, w, start=date(2027, 6, 1), end=date(2027, 8, 31))
    s.commit()
    assert placed.id is not None
    for new_end, reason, rule in (
        (date(2027, 5, 31), "", "placement.reason"),
        (date(2027, 3, 1), "more time", "placement.extend"),
        (date(2027, 6, 15), "more time", "placement.overlap"),
    ):
        with pytest.raises(InputDataError) as refused:
            placements.extend_placement(
                session=s, placement_id=placed.id, new_end=new_end, reason=reason, actor=TEST_ACTOR
            )
        assert _rules(refused) == [rule]
        s.rollback()
    done = placements.extend_placement(
        session=s,
        placement_id=placed.id,
        new_end=date(2027, 5, 31),
        reason="the service needs cover until the new team starts",
        actor=TEST_ACTOR,
    )
    s.commit()
    assert (done.end_date, done.planned_end) == (date(2027, 5, 31), build.END)
    assert _actions(s) == ["pool.extend"]


def test_an_early_end_needs_a_reason_and_a_day_within_the_placement(s: Session) -> None:
    placed = build.placement(s, build.request(s), build.worker(s))
    s.commit()
    assert placed.id is not None
    for on, reason, rule in (
        (date(2027, 2, 1), " ", "placement.reason"),
        (date(2026, 12, 1), "left", "placement.end"),
        (build.END, "left", "placement.end"),
    ):
        with pytest.raises(InputDataError) as refused:
            placements.end_placement_early(
                session=s, placement_id=placed.id, on=on, reason=reason, actor=TEST_ACTOR
            )
        assert _rules(refused) == [rule]
        s.rollback()
    done = placements.end_placement_early(
        session=s,
        placement_id=placed.id,
        on=date(2027, 2, 12),
        reason="the worker's illness",
        actor=TEST_ACTOR,
    )
    s.commit()
    assert (done.end_date, done.ended_early_reason) == (date(2027, 2, 12), "the worker's illness")
    assert done.planned_end == build.END


def test_listings_show_a_council_only_its_own_offers_and_placements(s: Session) -> None:
    camden, greenwich = build.request(s), build.request(s, build.GREENWICH)
    build.offer(s, camden, build.worker(s))
    build.offer(s, greenwich, build.worker(s))
    build.placement(s, greenwich, build.worker(s))
    s.commit()
    assert len(offers.list_offers(session=s)) == 3
    assert len(offers.list_offers(session=s, councils=frozenset({build.CAMDEN}))) == 1
    assert placements.list_placements(session=s, councils=frozenset({build.CAMDEN})) == []
    assert len(placements.list_placements(session=s, councils=None)) == 1
    assert len(offers.list_offers(session=s, status=OfferStatus.accepted)) == 1


def test_the_command_line_offers_answers_lists_extends_and_reports(
    s: Session, reference_settings: object
) -> None:
    from typer.testing import CliRunner

    from workforce.cli import app

    req = build.request(s)
    w = build.worker(s)
    s.commit()
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, ["pool", *args])
        assert result.exit_code == 0, result.output
        return result.output

    made = run("offers", "make", str(req.id), str(w.id), "--days", "3")
    assert made.startswith("Offer ") and "open" in made
    offer_id = made.split()[1].rstrip(":")
    run("offers", "answer", offer_id, "accepted", "--as", "council")
    placed = run("offers", "answer", offer_id, "accepted", "--as", "worker")
    assert "accepted (worker accepted, council accepted)" in placed
    listed = run("placements", "list")
    placement_id = listed.split()[1].rstrip(":")
    extended = run(
        "placements", "extend", placement_id, "--to", "2027-05-31", "--reason", "more time"
    )
    assert "2027-01-04..2027-05-31" in extended and "planned to end 2027-04-02" in extended
    refused = runner.invoke(app, ["pool", "offers", "answer", offer_id, "declined", "--as", "x"])
    assert refused.exit_code == 1 and "answer.party" in refused.output
    report = run("report", "--csv", "--section", "fill_rate")
    assert report.startswith("tier,tier_label,region_code")
    assert "Capacity:" in run("report")


def test_an_acceptance_is_refused_once_the_request_is_withdrawn_or_the_worker_inactive(
    s: Session,
) -> None:
    req = build.request(s)
    w = build.worker(s)
    offer = build.offer(s, req, w, council_answer=Answer.accepted)
    s.commit()
    assert offer.id is not None
    req.status = RequestStatus.withdrawn
    w.active = False
    s.add_all([req, w])
    s.commit()
    with pytest.raises(InputDataError) as refused:
        answers.answer_for_worker(
            session=s, offer_id=offer.id, answer=Answer.accepted, actor=TEST_ACTOR
        )
    assert sorted(_rules(refused)) == ["offer.request", "offer.worker"]
    s.rollback()
    declined = answers.answer_for_worker(
        session=s, offer_id=offer.id, answer=Answer.declined, actor=TEST_ACTOR
    )
    assert declined.status == OfferStatus.declined
