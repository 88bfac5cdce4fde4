"""A worker and a request who pass every hard rule together, to change one fact at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from workforce.pool.rules import RequestFacts, Window, WorkerFacts
from workforce.pool.terms import PoolRole, Specialism, Tier

START = date(2027, 3, 1)
END = date(2027, 5, 31)

BASE_WORKER = WorkerFacts(
    id=1,
    role=PoolRole.team_manager,
    registered=True,
    registration_checked=date(2027, 2, 1),
    qualified_on=date(2015, 6, 1),
    specialisms=frozenset({Specialism.court_work, Specialism.child_protection}),
    intervention_experience=True,
    home_region="North West",
    work_regions=frozenset({"North West"}),
    work_councils=frozenset(),
    remote=False,
    available=(Window(date(2027, 1, 1), date(2027, 12, 31)),),
    permanent_posts=(),
    day_rate=450.0,
    booked=(),
)

BASE_REQUEST = RequestFacts(
    id=1,
    council_code="352",
    council_name="Manchester",
    region="North West",
    role=PoolRole.team_manager,
    grade_flex=False,
    posts=1,
    required=frozenset({Specialism.court_work}),
    preferred=frozenset({Specialism.child_protection, Specialism.front_door}),
    start=START,
    end=END,
    onsite_days=3,
    max_day_rate=500.0,
    tier=Tier.inadequate,
    cooling_off_months=3,
)


def worker(**changes: Any) -> WorkerFacts:
    return replace(BASE_WORKER, **changes)


def request(**changes: Any) -> RequestFacts:
    return replace(BASE_REQUEST, **changes)
