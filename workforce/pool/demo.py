"""The demonstration's emergency pool: a made-up bench of social workers and made-up
requests from the councils whose latest Ofsted judgement is inadequate, matched once, so
``make run`` shows a working coordinator's board.

Everything here is made up and says so: every worker is named "Made-up worker NNN (demo)"
with a made-up Social Work England number from ``SW0009500001`` on, and every request is marked
as an example. The councils are real (their latest judgement is the published one); the two
most recently judged inadequate are given a made-up statutory direction, so the board shows
all the tiers. Generated from a fixed seed, so every run of the demo builds the same pool
against the same day; safe to repeat (nothing is added once the pool has workers).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, col, func, select

from workforce.auth import audit
from workforce.auth.audit import Actor
from workforce.councils.models import Council, Region
from workforce.inspections.models import Grade
from workforce.inspections.service import latest_judgements
from workforce.pool.models import (
    AreaKind,
    Intervention,
    InterventionKind,
    PoolAvailability,
    PoolPermanentPost,
    PoolRequest,
    PoolRequestSpecialism,
    PoolWorker,
    PoolWorkerArea,
    PoolWorkerSpecialism,
    Registration,
)
from workforce.pool.terms import PoolRole, Specialism
from workforce.timeutils import utcnow

SEED = 20261130
WORKERS = 400
DEMO_LEAD = "demo-intervention-lead@example.org"

# Share of the bench by role, and each role's usual day rate (pounds).
ROLE_MIX: list[tuple[PoolRole, float, float]] = [
    (PoolRole.social_worker, 0.34, 330.0),
    (PoolRole.senior_social_worker, 0.24, 370.0),
    (PoolRole.advanced_practitioner, 0.12, 410.0),
    (PoolRole.practice_lead, 0.08, 430.0),
    (PoolRole.team_manager, 0.16, 480.0),
    (PoolRole.iro_cp_chair, 0.06, 450.0),
]
# How common each specialism is on the bench.
SPECIALISM_WEIGHTS: dict[Specialism, float] = {
    Specialism.child_protection: 0.55,
    Specialism.looked_after_children: 0.40,
    Specialism.front_door: 0.25,
    Specialism.court_work: 0.30,
    Specialism.leaving_care: 0.15,
    Specialism.disabled_children: 0.10,
    Specialism.fostering_adoption: 0.10,
    Specialism.practice_supervision: 0.20,
}


@dataclass(frozen=True)
class DemoPool:
    workers: int
    requests: int
    councils: list[str]


def _english_regions(session: Session) -> list[str]:
    """The regions councils belong to (London's sub-regions count as London's)."""
    used = set(session.exec(select(Council.region_code)).all())
    return sorted(code for code in session.exec(select(Region.code)).all() if code in used)


def _worker(
    rng: random.Random, n: int, today: date, regions: list[str], councils: dict[str, str]
) -> tuple[
    PoolWorker,
    list[Specialism],
    list[tuple[AreaKind, str]],
    list[tuple[date, date]],
    list[tuple[str, date]],
]:
    roll, role, rate = rng.random(), PoolRole.social_worker, 330.0
    for candidate, share, usual in ROLE_MIX:
        if roll < share:
            role, rate = candidate, usual
            break
        roll -= share
    senior = role not in (PoolRole.social_worker,)
    years = rng.randint(6, 25) if senior else rng.randint(2, 15)
    home = rng.choice(regions)
    worker = PoolWorker(
        name=f"Made-up worker {n:03d} (demo)",
        role=role,
        swe_number=f"SW{9_500_000 + n:010d}",  # as the import stores them
        registration=Registration.registered if rng.random() > 0.03 else Registration.suspended,
        registration_checked=today - timedelta(days=rng.randint(0, 120)),
        qualified_on=today - timedelta(days=int(years * 365.25) + rng.randint(0, 300)),
        intervention_experience=rng.random() < (0.5 if senior else 0.25),
        home_region=home,
        remote=rng.random() < 0.45,
        references_held=rng.choice([2, 2, 2, 1, 3]),
        day_rate=round(rate * rng.uniform(0.85, 1.2) / 5) * 5,
        is_example=True,
    )
    specialisms = [s for s, w in SPECIALISM_WEIGHTS.items() if rng.random() < w]
    if role is PoolRole.team_manager and rng.random() < 0.6:
        specialisms.append(Specialism.practice_supervision)
    areas: list[tuple[AreaKind, str]] = [(AreaKind.region, home)]
    for region in rng.sample(regions, k=rng.choice([0, 1, 1, 2, 3])):
        if region != home:
            areas.append((AreaKind.region, region))
    start = today + timedelta(days=rng.randint(-60, 45))
    windows = [(start, start + timedelta(days=rng.choice([150, 240, 365, 365, 540])))]
    posts: list[tuple[str, date]] = []
    if rng.random() < 0.3:
        in_region = [c for c, r in councils.items() if r == home] or list(councils)
        posts.append((rng.choice(in_region), today - timedelta(days=rng.randint(20, 700))))
    return worker, sorted(set(specialisms)), areas, windows, posts


def _requests(
    rng: random.Random, today: date, council: str
) -> list[tuple[PoolRole, int, list[Specialism], list[Specialism], int, int, float, bool, str]]:
    """A council's made-up requests: role, posts, required, preferred, weeks, on-site days,
    maximum day rate, grade flexibility, reason."""
    wanted = [
        (
            PoolRole.social_worker,
            rng.randint(2, 4),
            [Specialism.child_protection],
            [Specialism.court_work],
            26,
            3,
            400.0,
            False,
            "Child protection caseloads above 25 after the inadequate judgement",
        ),
        (
            PoolRole.team_manager,
            1,
            [Specialism.practice_supervision],
            [Specialism.child_protection],
            26,
            4,
            560.0,
            True,
            "Two assessment teams without a permanent manager",
        ),
    ]
    if rng.random() < 0.5:
        wanted.append(
            (
                PoolRole.advanced_practitioner,
                1,
                [Specialism.court_work],
                [],
                13,
                2,
                460.0,
                True,
                "Court work backlog: pre-proceedings letters overdue",
            )
        )
    if rng.random() < 0.3:
        wanted.append(
            (
                PoolRole.iro_cp_chair,
                1,
                [Specialism.looked_after_children],
                [],
                26,
                2,
                420.0,
                False,
                "Looked-after children's reviews out of timescale",
            )
        )
    return wanted


def seed(*, session: Session, actor: Actor, echo: Callable[[str], None] = print) -> DemoPool | None:
    """Build the made-up pool and requests, unless the pool already has workers."""
    if session.exec(select(func.count()).select_from(PoolWorker)).one():
        return None
    rng = random.Random(SEED)  # noqa: S311 - made-up data, reproducible; not a secret
    today = utcnow().date()
    councils = dict(session.exec(select(Council.code, Council.region_code)).all())
    regions = _english_regions(session)
    inadequate = sorted(
        (j for j in latest_judgements(session=session).values() if j.grade == Grade.inadequate),
        key=lambda j: (j.inspection_start, j.council_code),
        reverse=True,
    )
    codes = [j.council_code for j in inadequate if j.council_code in councils]
    for n in range(1, WORKERS + 1):
        worker, specialisms, areas, windows, posts = _worker(rng, n, today, regions, councils)
        session.add(worker)
        session.flush()
        assert worker.id is not None
        session.add_all(
            PoolWorkerSpecialism(worker_id=worker.id, specialism=s) for s in specialisms
        )
        session.add_all(PoolWorkerArea(worker_id=worker.id, kind=k, code=c) for k, c in areas)
        session.add_all(
            PoolAvailability(worker_id=worker.id, start_date=s, end_date=e) for s, e in windows
        )
        session.add_all(
            PoolPermanentPost(worker_id=worker.id, council_code=c, left_on=d) for c, d in posts
        )
    for code in codes[:2]:
        session.add(
            Intervention(
                council_code=code,
                kind=InterventionKind.statutory_direction,
                start_date=today - timedelta(days=30),
                note="Made up for the demonstration.",
                recorded_by=actor.name,
            )
        )
    made = 0
    monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
    for code in codes:
        for role, count, required, preferred, weeks, onsite, rate, flex, reason in _requests(
            rng, today, code
        ):
            start = monday + timedelta(weeks=rng.randint(1, 4))
            request = PoolRequest(
                council_code=code,
                role=role,
                grade_flex=flex,
                posts=count,
                start_date=start,
                end_date=start + timedelta(days=weeks * 7 - 1),
                onsite_days=onsite,
                max_day_rate=rate,
                reason=f"{reason} (made up for the demonstration).",
                is_example=True,
                created_by=DEMO_LEAD,
            )
            session.add(request)
            session.flush()
            assert request.id is not None
            session.add_all(
                PoolRequestSpecialism(request_id=request.id, specialism=s, required=True)
                for s in required
            )
            session.add_all(
                PoolRequestSpecialism(request_id=request.id, specialism=s, required=False)
                for s in preferred
            )
            made += 1
    session.flush()
    audit.record(
        session=session,
        actor=actor,
        action="pool.demo",
        entity="pool_worker",
        entity_id=None,
        summary=f"made-up pool: {WORKERS} workers, {made} requests from {len(codes)} councils",
        details={"workers": WORKERS, "requests": made, "councils": codes},
    )
    from workforce.pool.flows import run_match

    outcome = run_match(session=session, actor=actor, on=today)
    echo(
        f"Made-up emergency pool: {WORKERS} workers, {made} requests from {len(codes)} "
        f"councils judged inadequate; match run: {outcome.summary()}."
    )
    return DemoPool(workers=WORKERS, requests=made, councils=codes)


def made_up_councils(*, session: Session) -> list[str]:
    """The councils with made-up requests."""
    return sorted(
        set(
            session.exec(
                select(PoolRequest.council_code).where(col(PoolRequest.is_example) == True)  # noqa: E712
            ).all()
        )
    )
