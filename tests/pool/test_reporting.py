"""The pool's report: fill rate by tier and region, days from request to placement, the
latest run's unfilled posts and why, capacity by role and specialism, placements ending
soon, and each part as a formula-safe CSV."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tests.builders import pool_offers as build
from workforce.errors import InputDataError
from workforce.pool import reporting
from workforce.pool.models import Intervention, InterventionKind, RequestStatus
from workforce.pool.terms import PoolRole, Specialism

ON = date(2027, 2, 1)
ASKED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def s(reference_engine: Engine) -> Iterator[Session]:
    with Session(reference_engine, expire_on_commit=False) as session:
        yield session


def test_fill_rate_counts_posts_requested_and_placed_by_tier_and_region(s: Session) -> None:
    s.add(
        Intervention(
            council_code=build.CAMDEN,
            kind=InterventionKind.commissioner,
            start_date=date(2026, 6, 1),
            recorded_by="admin@example.gov.uk",
        )
    )
    camden = build.request(s, build.CAMDEN, posts=2)  # tier 1: a commissioner
    build.request(s, build.GREENWICH, posts=1, tier_raised_to=2)  # raised from other
    build.request(s, build.CAMDEN, posts=5, status=RequestStatus.withdrawn)  # left out
    build.placement(s, camden, build.worker(s))
    s.commit()
    rows = reporting.fill_rates(session=s, on=ON)
    assert [(r.tier, r.requests, r.posts_requested, r.posts_placed, r.fill_rate) for r in rows] == [
        (1, 1, 2, 1, 0.5),
        (2, 1, 1, 0, 0.0),
    ]
    assert [r.tier_label for r in rows] == ["statutory direction or commissioner", "inadequate"]
    assert {r.region_name for r in rows} == {"London"}


def test_median_days_from_request_to_placement(s: Session) -> None:
    for days in (2, 4, 9):
        req = build.request(s, created_at=ASKED)
        build.placement(s, req, build.worker(s), created_at=ASKED + timedelta(days=days))
    s.commit()
    overall, *by_tier = reporting.time_to_placement(session=s, on=ON)
    assert (overall.tier_label, overall.placements, overall.median_days) == ("all", 3, 4.0)
    assert [(r.tier_label, r.placements) for r in by_tier] == [("other", 3)]


def test_unfilled_posts_come_from_the_latest_run_with_their_reasons(s: Session) -> None:
    req = build.request(s, role=PoolRole.team_manager, posts=2)
    build.match_run(s, unfilled=[(req, "an older reason")])
    build.match_run(s, unfilled=[(req, "no team manager with court work available before 1 March")])
    s.commit()
    (row,) = reporting.unfilled_posts(session=s)
    assert row.reason == "no team manager with court work available before 1 March"
    assert (row.council_name, row.role) == ("Camden", "team manager")


def test_capacity_counts_active_workers_free_now_and_within_90_days(s: Session) -> None:
    window = (date(2027, 1, 1), date(2027, 12, 31))
    build.worker(s, specialisms=(Specialism.court_work,), available=window)  # free now
    busy = build.worker(s, specialisms=(Specialism.court_work,), available=window)
    later = build.worker(s, available=(date(2027, 4, 1), date(2027, 6, 30)))  # free in 90 days
    build.worker(s, available=window, active=False)  # not counted
    build.placement(s, build.request(s), busy, start=date(2027, 1, 4), end=date(2027, 3, 31))
    s.commit()
    rows = {(r.role, r.specialism): r for r in reporting.capacity(session=s, on=ON)}
    everyone = rows[("social worker", "all")]
    assert (everyone.active_workers, everyone.available_now) == (3, 1)
    assert everyone.available_within_90_days == 3
    court = rows[("social worker", "court_work")]
    assert (court.active_workers, court.available_now, court.available_within_90_days) == (2, 1, 2)
    assert later.id is not None


def test_placements_ending_within_28_days_soonest_first(s: Session) -> None:
    req = build.request(s, posts=3)
    build.placement(s, req, build.worker(s, "Ann"), end=ON + timedelta(days=20))
    build.placement(s, req, build.worker(s, "Bea"), end=ON + timedelta(days=3))
    build.placement(s, req, build.worker(s, "Cal"), end=ON + timedelta(days=40))
    s.commit()
    rows = reporting.ending_soon(session=s, on=ON)
    assert [(r.worker_name, r.days_left) for r in rows] == [("Bea", 3), ("Ann", 20)]


def test_each_section_is_a_csv_with_its_columns_and_formulas_neutralised(s: Session) -> None:
    req = build.request(s)
    build.match_run(s, unfilled=[(req, '=HYPERLINK("x")')])
    s.commit()
    text = reporting.section_csv(session=s, section="unfilled", on=ON)
    header, line = text.strip().splitlines()
    assert header.startswith("run_id,request_id,council_code,council_name,role,slot,tier,reason")
    assert "'=HYPERLINK" in line
    for name in reporting.SECTIONS:
        assert reporting.section_csv(session=s, section=name, on=ON).startswith(
            ",".join(reporting.section_columns(name))
        )
    with pytest.raises(InputDataError):
        reporting.section_csv(session=s, section="nonsense", on=ON)
