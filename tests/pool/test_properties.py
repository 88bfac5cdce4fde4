"""Properties of the matcher on random small pools (hypothesis, profile in conftest.py).

- no proposal breaks a hard rule (judged by ``failures``, the rules' one definition);
- the priority-weighted fill is the optimum of an independent integer program
  (``scipy.optimize.milp``), with and without a council's share cap;
- a greedy priority-first assignment is never better;
- the same input, in any order, gives the same output;
- every unfilled post has a reason, and its nearest miss is the nearest;
- no council takes a second worker of a role while another of the same tier has none,
  when one of its workers could have filled that council's post instead;
- the arrays agree with ``failures`` for every pair, and the fit with ``fit``.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from workforce.pool.arrays import feasible, rule_passes, to_arrays
from workforce.pool.fit import fit, fit_pairs
from workforce.pool.matching import (
    TIER_WEIGHTS,
    MatchResult,
    PermanentPost,
    RequestFacts,
    Window,
    WorkerFacts,
    failures,
    match,
)
from workforce.pool.reasons import NO_ELIGIBLE_WORKER
from workforce.pool.rules import RULE_IDS
from workforce.pool.terms import PoolRole, Specialism, Tier

BASE = date(2027, 1, 31)  # a month's end, so that months clamp
COUNCILS = {"A": "R1", "B": "R1", "C": "R2", "D": "R2"}
REGIONS = ["R1", "R2", "R3"]
SPECIALISMS = [Specialism.court_work, Specialism.child_protection, Specialism.front_door]
ROLES = [
    PoolRole.social_worker,
    PoolRole.senior_social_worker,
    PoolRole.team_manager,
    PoolRole.iro_cp_chair,
]

days = st.integers(-120, 120).map(lambda n: BASE + timedelta(days=n))


@st.composite
def windows(draw: st.DrawFn) -> Window:
    start = draw(days)
    return Window(start, start + timedelta(days=draw(st.integers(0, 200))))


@st.composite
def workers(draw: st.DrawFn, worker_id: int) -> WorkerFacts:
    council = draw(st.sampled_from(sorted(COUNCILS)))
    return WorkerFacts(
        id=worker_id,
        role=draw(st.sampled_from(ROLES)),
        registered=draw(st.booleans() | st.just(True)),
        registration_checked=draw(st.none() | days),
        qualified_on=draw(st.integers(-6 * 365, 0).map(lambda n: BASE + timedelta(days=n))),
        specialisms=frozenset(draw(st.sets(st.sampled_from(SPECIALISMS)))),
        intervention_experience=draw(st.booleans()),
        home_region=draw(st.sampled_from(REGIONS)),
        work_regions=frozenset(draw(st.sets(st.sampled_from(REGIONS), max_size=2))),
        work_councils=frozenset(draw(st.sets(st.sampled_from(sorted(COUNCILS)), max_size=2))),
        remote=draw(st.booleans()),
        available=tuple(draw(st.lists(windows(), max_size=2))),
        permanent_posts=tuple(
            draw(
                st.lists(
                    st.builds(
                        PermanentPost,
                        council_code=st.just(council),
                        region=st.just(COUNCILS[council]),
                        left_on=days,
                    ),
                    max_size=1,
                )
            )
        ),
        day_rate=draw(st.sampled_from([300.0, 400.0, 500.0])),
        booked=tuple(draw(st.lists(windows(), max_size=1))),
    )


@st.composite
def requests(draw: st.DrawFn, request_id: int) -> RequestFacts:
    council = draw(st.sampled_from(sorted(COUNCILS)))
    start = draw(days)
    role = draw(st.sampled_from(ROLES))
    return RequestFacts(
        id=request_id,
        council_code=council,
        council_name=f"Council {council}",
        region=COUNCILS[council],
        role=role,
        grade_flex=draw(st.booleans()),
        posts=draw(st.integers(0, 3)),
        required=frozenset(draw(st.sets(st.sampled_from(SPECIALISMS), max_size=1))),
        preferred=frozenset(draw(st.sets(st.sampled_from(SPECIALISMS), max_size=2))),
        start=start,
        end=start + timedelta(days=draw(st.integers(0, 90))),
        onsite_days=draw(st.integers(0, 5)),
        max_day_rate=draw(st.sampled_from([350.0, 450.0, 600.0])),
        tier=draw(st.sampled_from(list(Tier))),
        cooling_off_months=draw(st.sampled_from([3, 6])),
    )


@st.composite
def instances(
    draw: st.DrawFn, least_workers: int = 0, least_requests: int = 0
) -> tuple[list[WorkerFacts], list[RequestFacts]]:
    n_workers = draw(st.integers(least_workers, 8))
    n_requests = draw(st.integers(least_requests, 5))
    # Ids out of order, so that sorting by id is exercised.
    worker_ids = draw(st.permutations(range(10, 10 + n_workers)))
    request_ids = draw(st.permutations(range(100, 100 + n_requests)))
    return (
        [draw(workers(i)) for i in worker_ids],
        [draw(requests(i)) for i in request_ids],
    )


@st.composite
def friendly_instances(
    draw: st.DrawFn, contested: bool = False
) -> tuple[list[WorkerFacts], list[RequestFacts]]:
    """Instances where many pairs pass, so that the assignment itself has choices; when
    ``contested``, several workers and requests of two roles only, competing."""
    pool, asks = draw(instances(3, 2) if contested else instances())
    if contested:
        pool = [WorkerFacts(**{**w.__dict__, "role": ROLES[w.id % 2 * 2]}) for w in pool]
        asks = [RequestFacts(**{**r.__dict__, "role": ROLES[r.id % 2 * 2]}) for r in asks]
    open_all = Window(BASE - timedelta(days=400), BASE + timedelta(days=400))
    pool = [
        WorkerFacts(
            **{
                **w.__dict__,
                "registered": True,
                "registration_checked": BASE + timedelta(days=150),
                "qualified_on": BASE - timedelta(days=3000),
                "available": (open_all,),
                "booked": (),
                "permanent_posts": (),
                "work_regions": frozenset(REGIONS) if draw(st.booleans()) else w.work_regions,
                "specialisms": frozenset(SPECIALISMS) if draw(st.booleans()) else w.specialisms,
                "day_rate": 300.0,
            }
        )
        for w in pool
    ]
    return pool, asks


any_instance = instances() | friendly_instances() | friendly_instances(contested=True)


def slots(requests_: list[RequestFacts]) -> list[tuple[RequestFacts, int]]:
    return [(r, s) for r in sorted(requests_, key=lambda r: r.id) for s in range(1, r.posts + 1)]


def optimum(
    workers_: list[WorkerFacts], requests_: list[RequestFacts], share_cap: int | None = None
) -> int:
    """The most priority-weight any assignment allowed by ``failures`` can fill: a 0/1
    integer program over the allowed (worker, slot) pairs."""
    open_slots = slots(requests_)
    pairs = [
        (j, k)
        for k, (r, _) in enumerate(open_slots)
        for j, w in enumerate(workers_)
        if not failures(w, r)
    ]
    if not pairs:
        return 0
    rows = []
    for j in range(len(workers_)):
        rows.append([1.0 if pj == j else 0.0 for pj, _ in pairs])
    for k in range(len(open_slots)):
        rows.append([1.0 if pk == k else 0.0 for _, pk in pairs])
    if share_cap is not None:
        for council in COUNCILS:
            rows.append(
                [1.0 if open_slots[pk][0].council_code == council else 0.0 for _, pk in pairs]
            )
    gain = np.array([TIER_WEIGHTS[open_slots[k][0].tier] for _, k in pairs], dtype=float)
    caps = [1.0] * (len(workers_) + len(open_slots))
    if share_cap is not None:
        caps += [float(share_cap)] * len(COUNCILS)
    solved = milp(
        -gain,
        constraints=LinearConstraint(np.array(rows), -np.inf, np.array(caps)),
        integrality=np.ones(len(pairs)),
        bounds=Bounds(0, 1),
    )
    assert solved.success
    return round(-solved.fun)


def greedy(workers_: list[WorkerFacts], requests_: list[RequestFacts]) -> int:
    """Priority first: tier by tier, each slot takes the first allowed worker still free."""
    free = sorted(workers_, key=lambda w: w.id)
    filled = 0
    for r, _ in sorted(slots(requests_), key=lambda s: (s[0].tier, s[0].id, s[1])):
        for w in free:
            if not failures(w, r):
                free.remove(w)
                filled += TIER_WEIGHTS[r.tier]
                break
    return filled


def check_proposals_keep_the_rules(
    result: MatchResult, workers_: list[WorkerFacts], requests_: list[RequestFacts]
) -> None:
    by_worker = {w.id: w for w in workers_}
    by_request = {r.id: r for r in requests_}
    assert len({p.worker_id for p in result.proposals}) == len(result.proposals)
    for p in result.proposals:
        assert failures(by_worker[p.worker_id], by_request[p.request_id]) == []
        assert 0 <= p.score < 1
    placed = {(p.request_id, p.slot) for p in result.proposals}
    empty = {(u.request_id, u.slot) for u in result.unfilled}
    assert not placed & empty
    assert placed | empty == {(r.id, s) for r, s in slots(requests_)}
    assert result.weighted_fill == sum(TIER_WEIGHTS[p.tier] for p in result.proposals)


@given(any_instance)
def test_no_proposal_ever_breaks_a_hard_rule(instance):
    workers_, requests_ = instance
    check_proposals_keep_the_rules(match(workers_, requests_), workers_, requests_)


@given(any_instance)
def test_the_weighted_fill_is_the_integer_programs_optimum(instance):
    workers_, requests_ = instance
    assert match(workers_, requests_).weighted_fill == optimum(workers_, requests_)


@given(any_instance, st.sampled_from([0.15, 0.3, 0.5]))
def test_with_a_share_cap_the_weighted_fill_is_still_the_optimum(instance, share):
    workers_, requests_ = instance
    result = match(workers_, requests_, max_share=share)
    check_proposals_keep_the_rules(result, workers_, requests_)
    cap = max(1, int(share * len(workers_)))
    by_council = Counter(
        next(r.council_code for r in requests_ if r.id == p.request_id) for p in result.proposals
    )
    assert all(count <= cap for count in by_council.values())
    assert result.weighted_fill == optimum(workers_, requests_, share_cap=cap)


@given(any_instance)
def test_a_greedy_priority_first_assignment_is_never_better(instance):
    workers_, requests_ = instance
    assert match(workers_, requests_).weighted_fill >= greedy(workers_, requests_)


@given(any_instance, st.randoms(use_true_random=False))
def test_the_same_input_in_any_order_gives_the_same_output(instance, rng: random.Random):
    workers_, requests_ = instance
    first = match(workers_, requests_)
    shuffled_workers, shuffled_requests = list(workers_), list(requests_)
    rng.shuffle(shuffled_workers)
    rng.shuffle(shuffled_requests)
    assert match(shuffled_workers, shuffled_requests) == first
    assert match(workers_, requests_) == first


@given(any_instance)
def test_every_unfilled_post_has_a_reason_and_its_nearest_miss(instance):
    workers_, requests_ = instance
    result = match(workers_, requests_)
    by_request = {r.id: r for r in requests_}
    by_worker = {w.id: w for w in workers_}
    for u in result.unfilled:
        r = by_request[u.request_id]
        assert u.reason
        nobody = all(failures(w, r) for w in workers_)
        assert (u.cause == NO_ELIGIBLE_WORKER) == nobody
        if nobody and workers_:
            assert u.rules and set(u.rules) <= set(RULE_IDS)
        missing = [len(failures(w, r)) for w in workers_ if failures(w, r)]
        if not missing:
            assert u.nearest_miss is None
            continue
        assert u.nearest_miss is not None
        near = by_worker[u.nearest_miss.worker_id]
        assert list(u.nearest_miss.failures) == [f.rule for f in failures(near, r)]
        assert len(u.nearest_miss.failures) == min(missing)


@given(any_instance)
def test_no_council_takes_a_second_worker_of_a_role_that_another_of_its_tier_could_use(
    instance,
):
    workers_, requests_ = instance
    result = match(workers_, requests_)
    by_request = {r.id: r for r in requests_}
    by_worker = {w.id: w for w in workers_}

    def group(r: RequestFacts) -> tuple[Tier, PoolRole]:
        return r.tier, r.role

    held = Counter(
        (by_request[p.request_id].council_code, group(by_request[p.request_id]))
        for p in result.proposals
    )
    for p in result.proposals:
        mine = by_request[p.request_id]
        if held[(mine.council_code, group(mine))] < 2:
            continue
        for u in result.unfilled:
            other = by_request[u.request_id]
            if other.council_code == mine.council_code or group(other) != group(mine):
                continue
            if held[(other.council_code, group(other))] == 0:
                assert failures(by_worker[p.worker_id], other), (p, u)


@given(any_instance)
def test_the_arrays_agree_with_failures_and_the_fit_with_fit(instance):
    workers_, requests_ = instance
    ordered_workers = sorted(workers_, key=lambda w: w.id)
    pool, asks = to_arrays(ordered_workers, requests_)
    passes = rule_passes(pool, asks)
    allowed = feasible(pool, asks)
    for i, r in enumerate(requests_):
        for j, w in enumerate(ordered_workers):
            broken = {f.rule for f in failures(w, r)}
            assert [rule not in broken for rule in RULE_IDS] == passes[:, i, j].tolist()
            assert bool(allowed[i, j]) == (not broken)
    if requests_ and ordered_workers:
        r_index, w_index = np.divmod(
            np.arange(len(requests_) * len(ordered_workers)), len(ordered_workers)
        )
        scores = fit_pairs(pool, asks, r_index, w_index)
        for k, (i, j) in enumerate(zip(r_index, w_index, strict=True)):
            assert abs(scores[k] - fit(ordered_workers[j], requests_[i]).score) < 1e-12
