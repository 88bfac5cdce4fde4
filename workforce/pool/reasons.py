"""Why a post stayed unfilled, in words a coordinator can act on, and its nearest miss.

Three causes:

- ``no_eligible_worker``: no worker in the pool passes every hard rule. The reason names
  the rules that shut the pool out, found by narrowing it one rule at a time, each time by
  the rule that excludes the most of the workers still standing, until none is left: "No
  team manager with court work available 1 March 2027 to 31 May 2027 who works for
  Manchester or in North West. Of 2,000 workers in the pool, 310 fit the role; of those,
  42 hold the required specialisms; ...; of those, none work there." The last rule
  named is the one that emptied the pool.
- ``eligible_workers_proposed_elsewhere``: every worker who passes them all is proposed
  for another post in this run that comes first (a higher tier, or a council of the same
  tier with fewer proposals of the role, or another post of the same request); the
  reason says where they went.
- ``council_share_cap``: the council already has the most proposals one council may take
  in a run (``max_share``).

The nearest miss is the worker who breaks the fewest rules for the request (at least
one), preferring a worker not proposed elsewhere in the run, then the lowest id; its
failures come from :func:`workforce.pool.rules.failures`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from workforce.pool.arrays import Asks, Pool, rule_passes, subset
from workforce.pool.rules import (
    AVAILABILITY,
    COOLING_OFF,
    EXPERIENCE,
    LOCATION,
    OVERLAP,
    RATE,
    REGISTRATION,
    ROLE,
    RULE_IDS,
    SPECIALISM,
    RequestFacts,
    RuleFailure,
    WorkerFacts,
    day_words,
    failures,
    span_words,
)
from workforce.pool.terms import (
    GRADE,
    MIN_YEARS_QUALIFIED,
    REGISTRATION_CHECK_DAYS,
    ROLE_LABELS,
    SPECIALISM_LABELS,
    TIER_LABELS,
)

NO_ELIGIBLE_WORKER = "no_eligible_worker"
PROPOSED_ELSEWHERE = "eligible_workers_proposed_elsewhere"
COUNCIL_SHARE_CAP = "council_share_cap"

# What the workers left standing after a rule do, in the funnel's words (many, one).
_STANDING = {
    ROLE: ("fit the role", "fits the role"),
    SPECIALISM: ("hold the required specialisms", "holds the required specialisms"),
    AVAILABILITY: ("are available throughout", "is available throughout"),
    OVERLAP: ("are not already booked then", "is not already booked then"),
    LOCATION: ("work there", "works there"),
    REGISTRATION: (
        "have a registration check recent enough",
        "has a registration check recent enough",
    ),
    EXPERIENCE: (
        f"are {MIN_YEARS_QUALIFIED} years qualified by the start",
        f"is {MIN_YEARS_QUALIFIED} years qualified by the start",
    ),
    COOLING_OFF: ("are clear of cooling-off there", "is clear of cooling-off there"),
    RATE: ("are within the maximum day rate", "is within the maximum day rate"),
}


@dataclass(frozen=True)
class NearestMiss:
    worker_id: int
    failures: tuple[str, ...]  # the rules' ids, in RULES order
    details: tuple[RuleFailure, ...]  # the same, each with its words


@dataclass(frozen=True)
class Explanation:
    cause: str
    reason: str
    rules: tuple[str, ...]  # the binding rules' ids, the one that emptied the pool last
    nearest_miss: NearestMiss | None


def role_words(request: RequestFacts) -> str:
    """``team manager``, or ``team manager (or a practice lead)`` with grade flex."""
    wanted = ROLE_LABELS[request.role]
    grade = GRADE[request.role]
    if not request.grade_flex or grade is None:
        return wanted
    near = [ROLE_LABELS[r] for r, g in GRADE.items() if g is not None and abs(g - grade) == 1]
    return f"{wanted} (or {' or '.join(_a(label) for label in near)})"


def _a(label: str) -> str:
    return ("an " if label[0] in "aeiouAEIOU" else "a ") + label


def condition_words(rule: str, request: RequestFacts) -> str:
    """What a worker needs for the rule, as words that follow "no team manager ..."."""
    if rule == SPECIALISM:
        return "with " + " and ".join(SPECIALISM_LABELS[s] for s in sorted(request.required))
    if rule == AVAILABILITY:
        return f"available {span_words(request.start, request.end)}"
    if rule == OVERLAP:
        return f"not already booked between {span_words(request.start, request.end)}"
    if rule == LOCATION:
        where = f"who works for {request.council_name} or in {request.region_words}"
        return where + (" or remotely" if request.onsite_days == 0 else "")
    if rule == REGISTRATION:
        since = request.start - timedelta(days=REGISTRATION_CHECK_DAYS)
        return f"whose registration was checked on or after {day_words(since)}"
    if rule == EXPERIENCE:
        return f"qualified {MIN_YEARS_QUALIFIED} years by {day_words(request.start)}"
    if rule == COOLING_OFF:
        return (
            f"clear of the {request.cooling_off_months}-month cooling-off period for "
            f"{request.council_name} and {request.region_words}"
        )
    if rule == RATE:
        return f"at or under £{request.max_day_rate:,.2f} a day"
    raise ValueError(rule)


_BITS = np.array([bin(byte).count("1") for byte in range(256)], dtype=np.uint8)


def _funnel(passes: np.ndarray) -> tuple[list[list[int]], list[list[int]]]:
    """For each request (axis 1 of ``passes``), the rules that empty the pool, each time
    the one excluding the most of the workers still standing (ties in ``RULES`` order),
    and how many stand after each."""
    rules, requests, _ = passes.shape
    # Workers as bits, eight to a byte: the counting below reads an eighth of the memory.
    failing = np.packbits(~passes, axis=2)
    standing = np.packbits(np.ones(passes.shape[1:], dtype=bool), axis=1)
    used = np.zeros((rules, requests), dtype=bool)
    order: list[list[int]] = [[] for _ in range(requests)]
    counts: list[list[int]] = [[] for _ in range(requests)]
    live = np.arange(requests)
    while len(live):
        excluded = _BITS[failing[:, live] & standing[live][None]].sum(axis=2, dtype=np.int64)
        excluded[used[:, live]] = -1
        pick = excluded.argmax(axis=0)
        standing[live] &= ~failing[pick, live]
        used[pick, live] = True
        after = _BITS[standing[live]].sum(axis=1, dtype=np.int64)
        for i, rule, count in zip(live.tolist(), pick.tolist(), after.tolist(), strict=True):
            order[i].append(rule)
            counts[i].append(count)
        live = live[(after > 0) & (used[:, live].sum(axis=0) < rules)]
    return order, counts


def _no_eligible_words(request: RequestFacts, rules: list[int], counts: list[int], n: int) -> str:
    ids = [RULE_IDS[k] for k in rules]
    noun = role_words(request) if ROLE in ids else "worker"
    conditions = " ".join(condition_words(r, request) for r in ids if r != ROLE)
    steps = []
    for i, (rule, count) in enumerate(zip(ids, counts, strict=True)):
        lead = (
            f"Of {n:,} {'worker' if n == 1 else 'workers'} in the pool, "
            if i == 0
            else "of those, "
        )
        many, one = _STANDING[rule]
        steps.append(lead + (f"{count:,}" if count else "none") + f" {one if count == 1 else many}")
    return f"No {noun} {conditions}".rstrip() + ". " + "; ".join(steps) + "."


def explain(
    *,
    workers: Sequence[WorkerFacts],
    requests: Sequence[RequestFacts],
    pool: Pool,
    asks: Asks,
    feasible: np.ndarray,
    proposed_for: np.ndarray,
    wanted: Sequence[tuple[int, str]],
    share_cap: int | None,
) -> dict[tuple[int, str], Explanation]:
    """The explanation of each (request index, cause) in ``wanted``.

    ``feasible``: (requests, workers), every rule passed; ``proposed_for``: each worker's
    request index in this run, -1 if none."""
    explained: dict[tuple[int, str], Explanation] = {}
    if not wanted:
        return explained
    if not workers:
        for i, cause in wanted:
            explained[(i, cause)] = Explanation(cause, "The pool has no workers.", (), None)
        return explained
    requested = sorted({i for i, _ in wanted})
    at = {i: k for k, i in enumerate(requested)}
    passes = rule_passes(pool, subset(asks, np.array(requested, dtype=np.int64)))
    # Fewest broken rules, then not proposed elsewhere, then the lowest id (workers are
    # in id order, and argmin takes the first); a worker breaking none is no miss.
    key = np.zeros(passes.shape[1:], dtype=np.int16)
    for rule in passes:
        key += ~rule
    never = np.int16(2 * len(RULE_IDS) + 2)
    key = np.where(key > 0, key * 2 + (proposed_for >= 0)[None], never)
    nearest = key.argmin(axis=1)
    none_left = sorted({i for i, cause in wanted if cause == NO_ELIGIBLE_WORKER})
    funnel: dict[int, tuple[list[int], list[int]]] = {}
    if none_left:
        rows = np.array([at[i] for i in none_left], dtype=np.int64)
        order, counts = _funnel(passes[:, rows, :])
        funnel = dict(zip(none_left, zip(order, counts, strict=True), strict=True))
    for i, cause in wanted:
        request = requests[i]
        miss = None
        if key[at[i], nearest[at[i]]] != never:
            worker = workers[int(nearest[at[i]])]
            details = tuple(failures(worker, request))
            miss = NearestMiss(worker.id, tuple(f.rule for f in details), details)
        binding: tuple[str, ...] = ()
        if cause == NO_ELIGIBLE_WORKER:
            rules, steps = funnel[i]
            reason = _no_eligible_words(request, rules, steps, len(workers))
            binding = tuple(RULE_IDS[k] for k in rules)
        elif cause == PROPOSED_ELSEWHERE:
            reason = _elsewhere_words(request, i, requests, feasible[i], proposed_for)
        else:
            reason = (
                f"{request.council_name} already has {share_cap} "
                f"proposal{'' if share_cap == 1 else 's'} in this run, the most one council "
                f"may take"
            )
        explained[(i, cause)] = Explanation(cause, reason, binding, miss)
    return explained


def _elsewhere_words(
    request: RequestFacts,
    i: int,
    requests: Sequence[RequestFacts],
    eligible: np.ndarray,
    proposed_for: np.ndarray,
) -> str:
    went = proposed_for[eligible]
    where: Counter[str] = Counter()
    for k in went.tolist():
        other = requests[k]
        if k == i:
            where[f"{request.council_name}'s other posts on this request"] += 1
        elif other.council_code == request.council_code:
            where[f"{other.council_name}'s request {other.id}"] += 1
        else:
            where[f"{other.council_name} (tier {int(other.tier)}, {TIER_LABELS[other.tier]})"] += 1
    places = "; ".join(f"{count} to {place}" for place, count in sorted(where.items()))
    count = int(eligible.sum())
    who = "the 1 worker who passes" if count == 1 else f"all {count} workers who pass"
    return (
        f"No worker left for this post: {who} every rule for this {ROLE_LABELS[request.role]} "
        f"post {'is' if count == 1 else 'are'} proposed for posts that come first in this run "
        f"(a higher tier, or a council of the same tier with fewer proposals of the role): "
        f"{places}."
    )
