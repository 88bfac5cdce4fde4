"""Two coordinators record, at the same moment, the worker's acceptance of two offers with
overlapping dates (each already accepted by its council): exactly one placement is made and
the other acceptance is refused in words (``placement.overlap``).

Real threads, each with its own session, start together at a barrier. A pause is patched in
after each acceptance's overlap check, so without the worker's write lock (an advisory lock
on PostgreSQL, :mod:`workforce.pool.locking`; the database's write lock on SQLite) both would
check before either wrote, every time, and two placements would be stored.
"""

from __future__ import annotations

import time
from datetime import date
from typing import TypeVar

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from tests.builders import pool_offers as build
from tests.builders.people import TEST_ACTOR
from tests.racing import at_once
from workforce.errors import InputDataError
from workforce.pool import answers
from workforce.pool.models import Answer, Offer, OfferStatus, Placement

T = TypeVar("T")


def _slowed(monkeypatch: pytest.MonkeyPatch) -> None:
    real = answers.overlapping_placement

    def slow(**kwargs: object) -> Placement | None:
        found = real(**kwargs)  # type: ignore[arg-type]
        time.sleep(0.2)
        return found

    monkeypatch.setattr(answers, "overlapping_placement", slow)


def test_two_acceptances_for_one_worker_at_once_make_exactly_one_placement(
    reference_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(reference_engine, expire_on_commit=False) as s:
        w = build.worker(s)
        camden = build.request(s, build.CAMDEN, start=date(2027, 1, 4), end=date(2027, 4, 2))
        greenwich = build.request(s, build.GREENWICH, start=date(2027, 3, 1), end=date(2027, 6, 30))
        both = [
            build.offer(s, req, w, council_answer=Answer.accepted) for req in (camden, greenwich)
        ]
        s.commit()
        ids = [o.id for o in both]
    _slowed(monkeypatch)

    def accept(session: Session, number: int) -> Offer:
        offer_id = ids[number]
        assert offer_id is not None
        return answers.answer_for_worker(
            session=session, offer_id=offer_id, answer=Answer.accepted, actor=TEST_ACTOR
        )

    results = at_once(reference_engine, 2, accept)
    accepted = [r for r in results if isinstance(r, Offer)]
    refused = [r for r in results if isinstance(r, InputDataError)]
    assert len(accepted) == 1 and len(refused) == 1, results
    assert [p.rule for p in refused[0].problems] == ["placement.overlap"]
    with Session(reference_engine) as s:
        placements = s.exec(select(Placement)).all()
        assert len(placements) == 1
        statuses = sorted(str(o.status) for o in s.exec(select(Offer)).all())
        assert statuses == [OfferStatus.accepted, OfferStatus.open]
