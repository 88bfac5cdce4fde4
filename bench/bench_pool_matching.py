"""Benchmark of the pool's matcher: a national-scale run, timed against the bare assignment
solver on the same cost matrix in the same run.

- ours: ``workforce.pool.matching.match``: every hard rule for every request against every
  worker (numpy), the fit, the cost matrix, ``linear_sum_assignment``, the proposals with
  their score breakdown and every unfilled post explained with its nearest miss.
- baseline: ``scipy.optimize.linear_sum_assignment`` alone on the cost matrix ``match``
  builds (``build_problem``, not timed): the least any optimal matcher on it could cost.

Generated (seeded): 2,000 workers (every role, 1-3 specialisms, one or two availability
windows over 2027, some already booked, some with a permanent post left recently, day
rates by grade) and 800 open posts in requests of 1-4 posts across 150 councils in the
nine English regions, every tier, starting January to April 2027. Targets: ours at most
3x the baseline, and under 1 second.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

from scipy.optimize import linear_sum_assignment

from workforce.pool.matching import (
    MatchResult,
    PermanentPost,
    RequestFacts,
    Window,
    WorkerFacts,
    build_problem,
    match,
)
from workforce.pool.terms import GRADE, PoolRole, Specialism, Tier

WORKERS = 2_000
POSTS = 800
COUNCILS = 150
RUNS = 15
REGIONS = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
ROLE_MIX = {
    PoolRole.social_worker: 30,
    PoolRole.senior_social_worker: 25,
    PoolRole.advanced_practitioner: 12,
    PoolRole.practice_lead: 8,
    PoolRole.team_manager: 18,
    PoolRole.iro_cp_chair: 7,
}
BASE_RATE = {
    PoolRole.social_worker: 300.0,
    PoolRole.senior_social_worker: 340.0,
    PoolRole.advanced_practitioner: 380.0,
    PoolRole.practice_lead: 420.0,
    PoolRole.team_manager: 460.0,
    PoolRole.iro_cp_chair: 450.0,
}
SPECIALISMS = list(Specialism)
YEAR = date(2027, 1, 1)


def _seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _role(rng: random.Random) -> PoolRole:
    return rng.choices(list(ROLE_MIX), weights=list(ROLE_MIX.values()))[0]


def generate(seed: int = 2027) -> tuple[list[WorkerFacts], list[RequestFacts]]:
    """A seeded pool and a seeded set of open requests."""
    rng = random.Random(seed)
    councils = [
        (f"{800 + i}", f"Council {800 + i}", REGIONS[i % len(REGIONS)]) for i in range(COUNCILS)
    ]
    by_region = {g: [c for c, _, r in councils if r == g] for g in REGIONS}
    tier_of = {c: rng.choices(list(Tier), weights=(8, 17, 45, 30))[0] for c, _, _ in councils}
    long_mou = set(rng.sample(REGIONS, 3))  # regions whose MoU asks 6 months' cooling-off

    workers = []
    for i in range(WORKERS):
        role = _role(rng)
        home = rng.choice(REGIONS)
        regions = {home, *rng.sample(REGIONS, rng.choices((0, 1, 2), weights=(50, 35, 15))[0])}
        opens = YEAR + timedelta(days=rng.randrange(-90, 60))
        windows = [Window(opens, opens + timedelta(days=rng.randrange(180, 420)))]
        if rng.random() < 0.3:
            later = windows[0].end + timedelta(days=rng.randrange(10, 60))
            windows.append(Window(later, later + timedelta(days=rng.randrange(60, 200))))
        booked = []
        if rng.random() < 0.15:
            held = opens + timedelta(days=rng.randrange(0, 120))
            booked.append(Window(held, held + timedelta(days=rng.randrange(30, 120))))
        places = [rng.choice(councils) for _ in range(rng.choices((0, 1, 2), (70, 25, 5))[0])]
        left = [
            PermanentPost(code, region, YEAR + timedelta(days=rng.randrange(-400, 60)))
            for code, _, region in places
        ]
        checked = None if rng.random() < 0.02 else YEAR + timedelta(days=rng.randrange(-70, 20))
        workers.append(
            WorkerFacts(
                id=i + 1,
                role=role,
                registered=rng.random() < 0.97,
                registration_checked=checked,
                qualified_on=date(
                    rng.randrange(1998, 2026), rng.randrange(1, 13), rng.randrange(1, 29)
                ),
                specialisms=frozenset(rng.sample(SPECIALISMS, rng.randrange(1, 4))),
                intervention_experience=rng.random() < 0.3,
                home_region=home,
                work_regions=frozenset(regions),
                work_councils=frozenset(rng.sample(by_region[home], rng.randrange(0, 3))),
                remote=rng.random() < 0.6,
                available=tuple(windows),
                permanent_posts=tuple(left),
                day_rate=round(BASE_RATE[role] * rng.uniform(0.85, 1.25), 2),
                booked=tuple(booked),
            )
        )

    requests: list[RequestFacts] = []
    to_open = POSTS
    while to_open:
        posts = min(to_open, rng.choice((1, 1, 1, 2, 2, 3, 4)))
        to_open -= posts
        code, name, region = rng.choice(councils)
        role = _role(rng)
        start = YEAR + timedelta(days=rng.randrange(3, 120))
        preferred = rng.sample(SPECIALISMS, rng.randrange(0, 3))
        requests.append(
            RequestFacts(
                id=len(requests) + 1,
                council_code=code,
                council_name=name,
                region=region,
                role=role,
                grade_flex=GRADE[role] is not None and rng.random() < 0.4,
                posts=posts,
                required=frozenset(rng.sample(SPECIALISMS, 1) if rng.random() < 0.6 else []),
                preferred=frozenset(preferred),
                start=start,
                end=start + timedelta(days=rng.randrange(60, 180)),
                onsite_days=rng.randrange(0, 6),
                max_day_rate=round(BASE_RATE[role] * rng.uniform(1.0, 1.35), 2),
                tier=tier_of[code],
                cooling_off_months=6 if region in long_mou else 3,
            )
        )
    return workers, requests


def main() -> int:
    workers, requests = generate()
    problem = build_problem(workers, requests)
    result: MatchResult = match(workers, requests)
    assert len(result.proposals) + len(result.unfilled) == POSTS
    assert all(u.reason for u in result.unfilled)

    # Interleaved, so that whatever else the machine is doing weighs on both sides alike.
    mine_runs, base_runs = [], []
    for _ in range(RUNS):
        mine_runs.append(_seconds(lambda: match(workers, requests)))
        base_runs.append(_seconds(lambda: linear_sum_assignment(problem.cost)))
    mine, base = statistics.median(mine_runs), statistics.median(base_runs)
    rows, columns = problem.cost.shape
    print(
        f"pool matching: {mine / base:.2f}x the baseline [baseline: scipy "
        f"linear_sum_assignment alone on the same {rows}x{columns} cost matrix, "
        f"{base * 1000:.1f} ms; ours (match: rules, fit, costs, solve, reasons) "
        f"{mine * 1000:.1f} ms; {WORKERS} workers, {POSTS} posts in {len(requests)} "
        f"requests; {len(result.proposals)} filled, {len(result.unfilled)} unfilled, "
        f"weighted fill {result.weighted_fill}; median of {RUNS}, interleaved; "
        f"target <= 3x and < 1 s]"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
