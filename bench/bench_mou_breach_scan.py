"""Benchmark of the MoU breach scan: one year of national-scale agency assignments judged
against their group's caps, printed as a ratio against pandas in the same run.

- ours: the assessment's matching core (``workforce.mou.flows``): each group's caps and
  the on-cost rates merged into a schedule (``build_schedule``), then the group's
  assignments judged by bisecting it (``judge_caps``), fed from memory as ``assess``
  feeds them after its bulk queries (one list of ``AssignmentFacts`` per group).
- baseline: pandas ``merge_asof`` of the same assignments to the caps (by group and role
  category, on the start date) and to the on-cost rates (by pay route, on the start date),
  then the comparable rate, the breaches and their excess computed column-wise from the
  same prebuilt DataFrames (building them is not timed).

Generated: 30,000 assignments starting over 2025, across 150 councils in nine groups,
every role group (senior and middle managers are not capped), PAYE, umbrella, limited
company and no pay route (a version 1 file: judged on pay alone); each group's caps change
once, on 1 July 2025; employer NI changes on 6 April 2025. Both sides must find the same
breaches with the same excess, to the penny. Target: ours at most 2x the baseline.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import pandas as pd

from workforce.mou.models import ROLE_GROUP_CATEGORY, PayRoute, RoleCategory
from workforce.mou.rules import (
    AssignmentFacts,
    CapPoint,
    OnCostPoint,
    Schedule,
    build_schedule,
    judge_caps,
)

ASSIGNMENTS = 30_000
COUNCILS = 150
GROUPS = 9
RUNS = 15
YEAR_START = date(2025, 1, 1)
CAP_CHANGE = date(2025, 7, 1)
BASE_CAPS = {
    RoleCategory.social_worker: 28.0,
    RoleCategory.senior_social_worker: 35.0,
    RoleCategory.advanced_practitioner: 35.0,
    RoleCategory.team_manager: 42.0,
    RoleCategory.iro_cp_chair: 40.0,
}
ON_COSTS: list[tuple[PayRoute, OnCostPoint]] = (
    [
        (route, OnCostPoint(date(2022, 11, 6), 0.138, 0.005, 0.0))
        for route in (PayRoute.paye, PayRoute.umbrella)
    ]
    + [
        (route, OnCostPoint(date(2025, 4, 6), 0.15, 0.005, 0.0))
        for route in (PayRoute.paye, PayRoute.umbrella)
    ]
    + [(PayRoute.limited_company, OnCostPoint(date(2016, 1, 1), 0.0, 0.0, 0.0))]
)


def _seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def generate(
    seed: int = 2025,
) -> tuple[dict[str, list[AssignmentFacts]], dict[str, list[tuple[RoleCategory, CapPoint]]]]:
    """Assignments by group, and each group's caps (before the year, and from July)."""
    rng = random.Random(seed)
    councils = [f"{800 + i}" for i in range(COUNCILS)]
    group_of = {code: f"group {i % GROUPS + 1}" for i, code in enumerate(councils)}
    caps: dict[str, list[tuple[RoleCategory, CapPoint]]] = defaultdict(list)
    for g in range(GROUPS):
        name = f"group {g + 1}"
        spread = 1 + 0.04 * g  # regions differ by up to ~37%
        for role, base in BASE_CAPS.items():
            before = round(base * spread, 2)
            caps[name].append((role, CapPoint(date(2024, 4, 1), before)))
            caps[name].append((role, CapPoint(CAP_CHANGE, round(before * 1.03, 2))))
    role_groups = list(ROLE_GROUP_CATEGORY)
    routes: list[PayRoute | None] = [
        PayRoute.paye,
        PayRoute.umbrella,
        PayRoute.limited_company,
        None,
    ]
    by_group: dict[str, list[AssignmentFacts]] = defaultdict(list)
    for i in range(ASSIGNMENTS):
        council = rng.choice(councils)
        role_group = rng.choice(role_groups)
        category = ROLE_GROUP_CATEGORY[role_group]
        base = BASE_CAPS[category] if category is not None else 50.0
        route = rng.choices(routes, weights=(45, 25, 20, 10))[0]
        # Pay in whole pence around what the cap allows after on-costs.
        pay = round(base / 1.155 * rng.uniform(0.8, 1.35), 2)
        signoff = f"SO-{i}" if rng.random() < 0.3 else None
        by_group[group_of[council]].append(
            AssignmentFacts(
                id=i + 1,
                return_id=1 + i // 50,
                row=1 + i % 50,
                council_code=council,
                agency_name=f"Made-up Agency {i % 40}",
                role_group=role_group,
                swe_number=f"SW{100000 + i}",
                start_date=YEAR_START + timedelta(days=rng.randrange(365)),
                end_date=None,
                hourly_pay_rate=pay,
                project_team=False,
                signoff_ref=signoff,
                template_version=1 if route is None else 2,
                pay_route=route,
            )
        )
    return dict(by_group), dict(caps)


def ours(
    by_group: dict[str, list[AssignmentFacts]],
    caps: dict[str, list[tuple[RoleCategory, CapPoint]]],
) -> dict[int, float]:
    """Breaches (assignment id -> excess) as ``assess`` finds them, group by group."""
    found: dict[int, float] = {}
    for group, assignments in by_group.items():
        schedule: Schedule = build_schedule(caps[group], ON_COSTS)
        for j in judge_caps(assignments, schedule):
            if j.excess is not None:
                found[j.assignment.id] = j.excess
    return found


def frames(
    by_group: dict[str, list[AssignmentFacts]],
    caps: dict[str, list[tuple[RoleCategory, CapPoint]]],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The same assignments, caps and on-cost rates as DataFrames (not timed)."""
    rows = [
        (
            a.id,
            group,
            ROLE_GROUP_CATEGORY[a.role_group],
            a.pay_route.value if a.pay_route else "none",
            a.start_date,
            a.hourly_pay_rate,
        )
        for group, assignments in by_group.items()
        for a in assignments
        if ROLE_GROUP_CATEGORY[a.role_group] is not None
    ]
    assignments = pd.DataFrame(
        rows, columns=["id", "group", "role", "route", "start", "pay"]
    ).astype({"role": str})
    assignments["start"] = pd.to_datetime(assignments["start"])
    cap_rows = [
        (group, role.value, point.effective_from, point.hourly_cap)
        for group, points in caps.items()
        for role, point in points
    ]
    cap_frame = pd.DataFrame(cap_rows, columns=["group", "role", "effective_from", "cap"])
    cap_frame["effective_from"] = pd.to_datetime(cap_frame["effective_from"])
    cost_rows = [(route.value, p.effective_from, p.factor) for route, p in ON_COSTS]
    cost_frame = pd.DataFrame(cost_rows, columns=["route", "cost_from", "factor"])
    cost_frame["cost_from"] = pd.to_datetime(cost_frame["cost_from"])
    return assignments, cap_frame, cost_frame


def baseline(
    assignments: pd.DataFrame, cap_frame: pd.DataFrame, cost_frame: pd.DataFrame
) -> dict[int, float]:
    """Breaches (assignment id -> excess) by pandas ``merge_asof``."""
    merged = pd.merge_asof(
        assignments.sort_values("start"),
        cap_frame.sort_values("effective_from"),
        left_on="start",
        right_on="effective_from",
        by=["group", "role"],
    )
    merged = pd.merge_asof(
        merged,
        cost_frame.sort_values("cost_from"),
        left_on="start",
        right_on="cost_from",
        by="route",
    )
    factor = merged["factor"].fillna(1.0).to_numpy()  # no pay route: on pay alone
    pay = merged["pay"].to_numpy()
    cap = merged["cap"].to_numpy()
    rate = np.floor(pay * factor * 100 + 0.5 + 1e-9) / 100  # as flows.to_pence
    above = rate > cap
    excess = np.floor((rate[above] - cap[above]) * 100 + 0.5 + 1e-9) / 100
    return dict(zip(merged["id"].to_numpy()[above].tolist(), excess.tolist(), strict=True))


def main() -> int:
    by_group, caps = generate()
    assignments, cap_frame, cost_frame = frames(by_group, caps)
    mine_found = ours(by_group, caps)
    theirs = baseline(assignments, cap_frame, cost_frame)
    assert mine_found.keys() == theirs.keys(), (
        len(mine_found),
        len(theirs),
        sorted(mine_found.keys() ^ theirs.keys())[:5],
    )
    differ = [i for i, excess in mine_found.items() if not math.isclose(excess, theirs[i])]
    assert not differ, differ[:5]

    # Interleaved, so that whatever else the machine is doing weighs on both sides alike.
    mine_runs, base_runs = [], []
    for _ in range(RUNS):
        mine_runs.append(_seconds(lambda: ours(by_group, caps)))
        base_runs.append(_seconds(lambda: baseline(assignments, cap_frame, cost_frame)))
    mine, base = statistics.median(mine_runs), statistics.median(base_runs)
    print(
        f"mou breach scan: {mine / base:.2f}x the baseline [baseline: pandas merge_asof of "
        f"{ASSIGNMENTS} assignments to caps and on-costs by group, role and pay route, "
        f"{base * 1000:.1f} ms; ours (build_schedule + judge_caps per group) "
        f"{mine * 1000:.1f} ms; {len(mine_found)} breaches, the same on both sides; "
        f"{COUNCILS} councils in {GROUPS} groups; median of {RUNS}, interleaved; target <= 2x]"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
