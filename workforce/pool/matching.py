"""The pool's matcher: which available worker to propose for each open post, optimally.

Each request is expanded into one slot per open post. A slot may take a worker only if
the worker passes every hard rule (:func:`workforce.pool.rules.failures`, over arrays in
:func:`workforce.pool.arrays.feasible`); a worker takes at most one slot per run. Among
the assignments the rules allow, the matcher chooses, in strict order of importance:

1. the most priority-weighted filled slots, each worth its request's tier weight
   (``TIER_WEIGHTS``);
2. fairness within a tier: a council's k-th proposal of a role (k = 1, 2, ...) is worth
   ``max(0, FAIRNESS_LEVELS - k + 1)`` fairness points, so a council's second worker of a
   role counts for less than another council's first of the same tier. It only ever
   breaks ties of step 1, so it never costs a priority-weighted fill;
3. the total fit (:mod:`workforce.pool.fit`), quantised to ``1 / FIT_QUANTUM`` (coarser
   for runs so large that the costs would no longer be exact in floating point).

One ``scipy.optimize.linear_sum_assignment`` solves all three at once on integer costs
(exact in float64: ``_scales`` keeps every sum below 2**53), weighted so that no amount of
a lower step outweighs one unit of a higher. Rows are slots (only slots some worker could
fill); columns are the workers some slot could take, then one "unfilled" column per slot,
usable only by its group's slots (a group is a council's role in a tier): the group's
unfilled columns cost the fairness points the group would lose, cheapest first, so the
group's total is a concave function of how many of its slots are filled (exactly step 2).
A pair the rules forbid costs ``inf`` and is never chosen. With ``max_share`` a council
may take at most ``max(1, floor(max_share x workers))`` proposals: each council with more
fillable slots gets as many "held back" columns as its excess, so attractive that every
optimal assignment uses them all, leaving it at most that many slots to fill (a slot
held back that way no longer counts in its group's fairness: the cap comes first).

Ties left after all three are resolved by the solver on inputs sorted by id, so the same
workers and requests give the same proposals whatever order they arrive in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy.optimize import linear_sum_assignment

from workforce.pool.arrays import Asks, Pool, feasible, to_arrays
from workforce.pool.fit import FIT_WEIGHTS, MAX_FIT, fit, fit_pairs, fit_parts
from workforce.pool.reasons import (
    COUNCIL_SHARE_CAP,
    NO_ELIGIBLE_WORKER,
    PROPOSED_ELSEWHERE,
    NearestMiss,
    explain,
)
from workforce.pool.rules import (
    RULE_IDS,
    RULES,
    PermanentPost,
    RequestFacts,
    RuleFailure,
    Window,
    WorkerFacts,
    failures,
)
from workforce.pool.terms import Tier

__all__ = [
    "FAIRNESS_LEVELS",
    "FIT_QUANTUM",
    "RULES",
    "RULE_IDS",
    "TIER_WEIGHTS",
    "MatchResult",
    "NearestMiss",
    "PermanentPost",
    "Problem",
    "Proposal",
    "RequestFacts",
    "RuleFailure",
    "UnfilledSlot",
    "Window",
    "WorkerFacts",
    "build_problem",
    "failures",
    "match",
    "solve",
]

# Effectively lexicographic: one tier-1 post outweighs nine tier-2 posts.
TIER_WEIGHTS: dict[Tier, int] = {
    Tier.intervention: 1000,
    Tier.inadequate: 100,
    Tier.requires_improvement: 10,
    Tier.other: 1,
}
FAIRNESS_LEVELS = 3
FIT_QUANTUM = 1000
_EXACT = 2**53


@dataclass(frozen=True)
class Proposal:
    request_id: int
    slot: int  # 1..posts within the request
    worker_id: int
    tier: Tier
    score: float  # the fit, in [0, 1)
    breakdown: dict[str, float]  # fit component -> its weighted part of the score
    worker: WorkerFacts = field(repr=False, compare=False)
    request: RequestFacts = field(repr=False, compare=False)

    @cached_property
    def words(self) -> dict[str, str]:
        """Fit component -> what it rests on, in words (worked out when first asked)."""
        return fit(self.worker, self.request).words


@dataclass(frozen=True)
class UnfilledSlot:
    request_id: int
    slot: int
    tier: Tier
    cause: str  # NO_ELIGIBLE_WORKER, PROPOSED_ELSEWHERE or COUNCIL_SHARE_CAP
    reason: str
    rules: tuple[str, ...]  # the binding rules (no eligible worker), the last emptied the pool
    nearest_miss: NearestMiss | None


@dataclass(frozen=True)
class MatchResult:
    proposals: tuple[Proposal, ...]  # by request id, then slot
    unfilled: tuple[UnfilledSlot, ...]  # by request id, then slot
    weighted_fill: int  # the sum of the filled slots' tier weights
    slots: int  # open posts in all


@dataclass(frozen=True)
class Problem:
    """A run set up for the solver: the inputs in id order, the rules' verdicts and the
    cost matrix ``linear_sum_assignment`` minimises."""

    workers: tuple[WorkerFacts, ...]
    requests: tuple[RequestFacts, ...]
    weights: dict[Tier, int]
    pool: Pool
    asks: Asks
    feasible: np.ndarray  # (requests, workers): passes every rule
    row_request: np.ndarray  # each row's request index
    row_slot: np.ndarray  # each row's slot number (1..posts)
    columns: np.ndarray  # the worker index of each of the first len(columns) columns
    share_cap: int | None
    cost: np.ndarray  # (rows, columns + rows + held back)


def _scales(rows: int, fillable: int, top_weight: int) -> tuple[int, int, int, int]:
    """The fit quantum and the units of fairness, of a filled slot and of a held-back
    slot, such that each step outweighs every lower one and all sums stay exact."""
    quantum = FIT_QUANTUM
    while True:
        fairness_unit = fillable * (quantum - 1) + 1  # more than any total of fit
        fill_unit = rows * FAIRNESS_LEVELS * fairness_unit + fillable * (quantum - 1) + 1
        held_back = top_weight * fill_unit + FAIRNESS_LEVELS * fairness_unit + quantum
        if held_back * 4 * (rows + 1) < _EXACT:
            return quantum, fairness_unit, fill_unit, held_back
        if quantum == 1:
            raise ValueError(f"{rows} posts are too many to match exactly in one run")
        quantum //= 2


def _check(
    workers: Sequence[WorkerFacts],
    requests: Sequence[RequestFacts],
    weights: Mapping[Tier, int],
    max_share: float | None,
) -> None:
    if len({w.id for w in workers}) != len(workers):
        raise ValueError("two workers share an id")
    if len({r.id for r in requests}) != len(requests):
        raise ValueError("two requests share an id")
    for tier in Tier:
        weight = weights.get(tier)
        if not isinstance(weight, int) or weight < 1:
            raise ValueError(f"tier {int(tier)} needs a whole-number weight of at least 1")
    if max_share is not None and not 0 < max_share <= 1:
        raise ValueError("max_share must be more than 0 and at most 1")
    for r in requests:
        if not 0 <= r.onsite_days <= 5:
            raise ValueError(f"request {r.id}: days on site must be 0 to 5")
        if r.end < r.start:
            raise ValueError(f"request {r.id}: it ends before it starts")


def build_problem(
    workers: Sequence[WorkerFacts],
    requests: Sequence[RequestFacts],
    *,
    weights: Mapping[Tier, int] = TIER_WEIGHTS,
    max_share: float | None = None,
) -> Problem:
    """The run's rule verdicts and cost matrix (what ``match`` solves)."""
    _check(workers, requests, weights, max_share)
    ordered_workers = tuple(sorted(workers, key=lambda w: w.id))
    ordered_requests = tuple(sorted(requests, key=lambda r: r.id))
    pool, asks = to_arrays(ordered_workers, ordered_requests)
    allowed_all = feasible(pool, asks)

    posts = np.array([max(r.posts, 0) for r in ordered_requests], dtype=np.int64)
    fillable = np.flatnonzero((posts > 0) & allowed_all.any(axis=1))
    r, w = np.nonzero(allowed_all[fillable])  # r: index into fillable
    columns = np.unique(w)
    column_of = np.zeros(len(ordered_workers), dtype=np.int64)
    column_of[columns] = np.arange(len(columns))
    c = column_of[w]
    row_request = np.repeat(fillable, posts[fillable])
    firsts = np.repeat(np.cumsum(posts[fillable]) - posts[fillable], posts[fillable])
    row_slot = np.arange(len(row_request)) - firsts + 1
    rows = len(row_request)

    top_weight = max(weights[Tier(int(t))] for t in asks.tier[fillable]) if rows else 1
    quantum, fairness_unit, fill_unit, held_back = _scales(
        rows, min(rows, len(columns)), top_weight
    )
    # The groups whose fairness is counted (a council's role in a tier), and the councils.
    group_of: dict[tuple[int, str, str], int] = {}
    council_of: dict[str, int] = {}
    request_group, request_council = [], []
    for i in fillable.tolist():
        request = ordered_requests[i]
        key = (int(request.tier), request.council_code, request.role.value)
        request_group.append(group_of.setdefault(key, len(group_of)))
        request_council.append(council_of.setdefault(request.council_code, len(council_of)))
    row_group = np.repeat(np.array(request_group, dtype=np.int64), posts[fillable])
    row_council = np.repeat(np.array(request_council, dtype=np.int64), posts[fillable])
    councils = [np.flatnonzero(row_council == k) for k in range(len(council_of))]
    share_cap = None
    excess: list[tuple[np.ndarray, int]] = []
    if max_share is not None:
        share_cap = max(1, int(max_share * len(ordered_workers)))
        excess = [(m, len(m) - share_cap) for m in councils if len(m) > share_cap]
    n_columns = len(columns)
    cost = np.full((rows, n_columns + rows + sum(e for _, e in excess)), np.inf)

    # Costs are negated values (the solver minimises); one entry per allowed pair and slot.
    value = np.array([weights[Tier(int(t))] for t in asks.tier[fillable]], dtype=np.float64)
    scores = np.floor(fit_pairs(pool, asks, fillable[r], w) * quantum)
    per = posts[fillable][r]
    within = np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
    first_row = np.cumsum(posts[fillable]) - posts[fillable]
    cost[np.repeat(first_row[r], per) + within, np.repeat(c, per)] = np.repeat(
        -(value[r] * fill_unit + scores), per
    )

    # Each group's unfilled columns: the fairness points lost, cheapest first.
    size = np.bincount(row_group, minlength=len(group_of))
    offset = np.cumsum(size) - size
    per = size[row_group]
    where = np.repeat(np.arange(rows), per)
    rank = np.arange(per.sum()) - np.repeat(np.cumsum(per) - per, per)
    lost = np.maximum(0, FAIRNESS_LEVELS - (per[where] - 1 - rank)) * fairness_unit
    cost[where, n_columns + offset[row_group[where]] + rank] = lost

    column = n_columns + rows
    for members, count in excess:
        cost[members, column : column + count] = -float(held_back)
        column += count
    return Problem(
        workers=ordered_workers,
        requests=ordered_requests,
        weights=dict(weights),
        pool=pool,
        asks=asks,
        feasible=allowed_all,
        row_request=row_request,
        row_slot=row_slot,
        columns=columns,
        share_cap=share_cap,
        cost=cost,
    )


def solve(problem: Problem) -> MatchResult:
    """The optimal proposals for a built problem, and every unfilled slot explained."""
    workers, requests = problem.workers, problem.requests
    rows = len(problem.row_request)
    proposed_for = np.full(len(workers), -1, dtype=np.int64)
    taken: dict[tuple[int, int], int] = {}  # (request index, slot) -> worker index
    held: set[tuple[int, int]] = set()
    if rows:
        row_ind, col_ind = linear_sum_assignment(problem.cost)
        on_request, on_slot = problem.row_request[row_ind], problem.row_slot[row_ind]
        filled = col_ind < len(problem.columns)
        chosen = problem.columns[col_ind[filled]]
        proposed_for[chosen] = on_request[filled]
        taken = dict(
            zip(
                zip(on_request[filled].tolist(), on_slot[filled].tolist(), strict=True),
                chosen.tolist(),
                strict=True,
            )
        )
        back = col_ind >= len(problem.columns) + rows
        held = set(zip(on_request[back].tolist(), on_slot[back].tolist(), strict=True))

    # A council held back below its cap lost those slots to others, not to the cap.
    council_filled: dict[str, int] = defaultdict(int)
    for i, _ in taken:
        council_filled[requests[i].council_code] += 1
    anyone = np.logical_or.reduce(problem.feasible, axis=1).tolist()
    empty: list[tuple[int, int, str]] = []
    for i, request in enumerate(requests):
        for slot in range(1, request.posts + 1):
            if (i, slot) in taken:
                continue
            if not anyone[i]:
                cause = NO_ELIGIBLE_WORKER
            elif (i, slot) in held and council_filled[request.council_code] >= (
                problem.share_cap or 0
            ):
                cause = COUNCIL_SHARE_CAP
            else:
                cause = PROPOSED_ELSEWHERE
            empty.append((i, slot, cause))
    explained = explain(
        workers=workers,
        requests=requests,
        pool=problem.pool,
        asks=problem.asks,
        feasible=problem.feasible,
        proposed_for=proposed_for,
        wanted=sorted({(i, cause) for i, _, cause in empty}),
        share_cap=problem.share_cap,
    )

    proposals = []
    if taken:
        places = sorted(taken)
        r = np.array([i for i, _ in places], dtype=np.int64)
        w = np.array([taken[p] for p in places], dtype=np.int64)
        parts = fit_parts(problem.pool, problem.asks, r, w)
        names = list(parts)
        weighted = [FIT_WEIGHTS[name] * parts[name] for name in names]
        scores = np.minimum(sum(weighted), MAX_FIT).tolist()
        columns = zip(*(values.tolist() for values in weighted), strict=True)
        for (i, slot), j, score, values in zip(places, w.tolist(), scores, columns, strict=True):
            proposals.append(
                Proposal(
                    request_id=requests[i].id,
                    slot=slot,
                    worker_id=workers[j].id,
                    tier=requests[i].tier,
                    score=score,
                    breakdown=dict(zip(names, values, strict=True)),
                    worker=workers[j],
                    request=requests[i],
                )
            )
    unfilled = []
    for i, slot, cause in empty:
        why = explained[(i, cause)]
        unfilled.append(
            UnfilledSlot(
                request_id=requests[i].id,
                slot=slot,
                tier=requests[i].tier,
                cause=why.cause,
                reason=why.reason,
                rules=why.rules,
                nearest_miss=why.nearest_miss,
            )
        )
    return MatchResult(
        proposals=tuple(proposals),
        unfilled=tuple(unfilled),
        weighted_fill=sum(problem.weights[requests[i].tier] for i, _ in taken),
        slots=sum(max(r.posts, 0) for r in requests),
    )


def match(
    workers: Sequence[WorkerFacts],
    requests: Sequence[RequestFacts],
    *,
    weights: Mapping[Tier, int] = TIER_WEIGHTS,
    max_share: float | None = None,
) -> MatchResult:
    """The optimal proposals for the open posts, and why each unfilled post is unfilled.

    ``weights``: each tier's weight (whole numbers, at least 1); ``max_share``: the most
    proposals one council may take in the run, as a share of the workers given."""
    return solve(build_problem(workers, requests, weights=weights, max_share=max_share))
