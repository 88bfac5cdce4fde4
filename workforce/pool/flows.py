"""A match run: every open request's open posts against every active worker, solved by
:func:`workforce.pool.matching.match`, and, unless it is a dry run, stored as a
:class:`~workforce.pool.models.MatchRun` with each proposal (its score breakdown) and each
unfilled post (its reason and the nearest miss), audited.

A run takes the pool's ``match`` lock, so two runs never interleave; a dry run stores and
locks nothing. Proposals are what a coordinator turns into offers
(:mod:`workforce.pool.offers`); a later run supersedes an earlier one's proposals for the
posts still open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.pool import facts
from workforce.pool.locking import lock_for_writing
from workforce.pool.matching import MatchResult, match
from workforce.pool.models import MatchRun, Proposal, Unfilled
from workforce.timeutils import utcnow


@dataclass
class MatchOutcome:
    """A run's result; ``run`` is None for a dry run."""

    run: MatchRun | None
    result: MatchResult
    workers: int
    posts: int

    @property
    def filled(self) -> int:
        return len(self.result.proposals)

    def summary(self) -> str:
        by_tier: dict[int, list[int]] = {}
        for p in self.result.proposals:
            by_tier.setdefault(int(p.tier), [0, 0])[0] += 1
        for u in self.result.unfilled:
            by_tier.setdefault(int(u.tier), [0, 0])[1] += 1
        tiers = ", ".join(
            f"tier {t}: {filled} of {filled + unfilled}"
            for t, (filled, unfilled) in sorted(by_tier.items())
        )
        return (
            f"{self.filled} of {self.posts} open posts proposed a worker from "
            f"{self.workers} available" + (f" ({tiers})" if tiers else "")
        )


def run_match(
    *, session: Session, actor: Actor, on: date | None = None, dry_run: bool = False
) -> MatchOutcome:
    """Match every open post; store the run unless ``dry_run``."""
    today = on or utcnow().date()
    if not dry_run:
        lock_for_writing(session=session, subjects=["match"], what="the match run")
    workers = facts.worker_facts(session=session)
    requests = facts.request_facts(session=session, on=today)
    result = match(workers, requests)
    posts = sum(r.posts for r in requests)
    outcome = MatchOutcome(run=None, result=result, workers=len(workers), posts=posts)
    if dry_run:
        return outcome
    run = MatchRun(
        run_by=actor.name,
        workers=len(workers),
        posts=posts,
        filled=len(result.proposals),
        summary=outcome.summary()[:2000],
    )
    session.add(run)
    session.flush()
    assert run.id is not None
    for p in result.proposals:
        session.add(
            Proposal(
                run_id=run.id,
                request_id=p.request_id,
                slot=p.slot,
                worker_id=p.worker_id,
                tier=int(p.tier),
                score=p.score,
                breakdown={"parts": dict(p.breakdown), "words": dict(p.words)},
            )
        )
    for u in result.unfilled:
        nearest = u.nearest_miss
        session.add(
            Unfilled(
                run_id=run.id,
                request_id=u.request_id,
                slot=u.slot,
                tier=int(u.tier),
                reason=u.reason[:2000],
                nearest_worker_id=nearest.worker_id if nearest is not None else None,
                nearest_failures=[d.words for d in nearest.details] if nearest else [],
            )
        )
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="pool.match",
        entity="pool_match_run",
        entity_id=run.id,
        summary=outcome.summary()[:2000],
        details={"workers": len(workers), "posts": posts, "filled": len(result.proposals)},
    )
    outcome.run = run
    return outcome


def latest_run(*, session: Session) -> MatchRun | None:
    return session.exec(select(MatchRun).order_by(col(MatchRun.id).desc())).first()


def proposals_of(
    *, session: Session, run_id: int, request_ids: list[int] | None = None
) -> list[Proposal]:
    query = select(Proposal).where(Proposal.run_id == run_id)
    if request_ids is not None:
        query = query.where(col(Proposal.request_id).in_(request_ids))
    return list(session.exec(query.order_by(col(Proposal.request_id), col(Proposal.slot))))


def unfilled_of(
    *, session: Session, run_id: int, request_ids: list[int] | None = None
) -> list[Unfilled]:
    query = select(Unfilled).where(Unfilled.run_id == run_id)
    if request_ids is not None:
        query = query.where(col(Unfilled.request_id).in_(request_ids))
    return list(session.exec(query.order_by(col(Unfilled.request_id), col(Unfilled.slot))))
