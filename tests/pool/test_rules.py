"""Each hard rule of the pool, one fact changed at a time, and its edges."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from tests.pool.facts import END, START, request, worker
from workforce.pool.arrays import feasible, rule_passes, to_arrays
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
    PermanentPost,
    RequestFacts,
    Window,
    WorkerFacts,
    add_months,
    cooling_off_from,
    failures,
)
from workforce.pool.terms import PoolRole, Specialism


def broken(w: WorkerFacts, r: RequestFacts) -> list[str]:
    """The rules broken, by ``failures`` and by the arrays, which must agree."""
    by_pair = [f.rule for f in failures(w, r)]
    pool, asks = to_arrays([w], [r])
    by_arrays = [rule for k, rule in enumerate(RULE_IDS) if not rule_passes(pool, asks)[k, 0, 0]]
    assert by_pair == by_arrays
    assert bool(feasible(pool, asks)[0, 0]) == (not by_pair)
    return by_pair


def test_the_base_worker_passes_every_rule_for_the_base_request():
    assert broken(worker(), request()) == []


def test_every_failure_has_words():
    w = worker(
        role=PoolRole.social_worker,
        registered=False,
        qualified_on=date(2026, 1, 1),
        specialisms=frozenset(),
        work_regions=frozenset(),
        available=(),
        booked=(Window(START, START),),
        permanent_posts=(PermanentPost("352", "North West", START - timedelta(days=10)),),
        day_rate=999.0,
    )
    found = failures(w, request())
    assert [f.rule for f in found] == list(RULE_IDS)
    assert all(f.words for f in found)


# --- pool.role ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mine", "flex", "passes"),
    [
        (PoolRole.team_manager, False, True),
        (PoolRole.practice_lead, False, False),
        (PoolRole.practice_lead, True, True),
        (PoolRole.advanced_practitioner, True, False),
        (PoolRole.iro_cp_chair, True, False),
    ],
)
def test_a_role_fits_exactly_or_a_grade_away_only_with_grade_flex(mine, flex, passes):
    assert (ROLE not in broken(worker(role=mine), request(grade_flex=flex))) is passes


def test_an_iro_cp_chair_post_takes_only_an_iro_cp_chair():
    post = request(role=PoolRole.iro_cp_chair, grade_flex=True)
    assert broken(worker(role=PoolRole.iro_cp_chair), post) == []
    assert broken(worker(role=PoolRole.team_manager), post) == [ROLE]
    assert broken(worker(role=PoolRole.practice_lead), post) == [ROLE]


def test_a_social_worker_may_fill_a_senior_post_with_grade_flex_but_not_without():
    post = request(role=PoolRole.senior_social_worker)
    assert broken(worker(role=PoolRole.social_worker), post) == [ROLE]
    flexible = request(role=PoolRole.senior_social_worker, grade_flex=True)
    assert broken(worker(role=PoolRole.social_worker), flexible) == []


# --- pool.registration ----------------------------------------------------------------------


def test_registration_must_be_shown_and_checked_within_90_days_before_the_start():
    assert broken(worker(registered=False), request()) == [REGISTRATION]
    assert broken(worker(registration_checked=None), request()) == [REGISTRATION]
    assert broken(worker(registration_checked=START - timedelta(days=90)), request()) == []
    assert broken(worker(registration_checked=START - timedelta(days=91)), request()) == [
        REGISTRATION
    ]


def test_a_registration_checked_after_the_start_is_current():
    assert broken(worker(registration_checked=START + timedelta(days=5)), request()) == []


# --- pool.availability ---------------------------------------------------------------------


def test_one_availability_window_must_cover_the_whole_request():
    assert broken(worker(available=(Window(START, END),)), request()) == []
    late = Window(START + timedelta(days=1), END)
    short = Window(START, END - timedelta(days=1))
    assert broken(worker(available=(late,)), request()) == [AVAILABILITY]
    assert broken(worker(available=(short,)), request()) == [AVAILABILITY]
    assert broken(worker(available=()), request()) == [AVAILABILITY]


def test_two_windows_that_together_cover_the_request_are_not_enough():
    halves = (Window(START, date(2027, 4, 15)), Window(date(2027, 4, 16), END))
    assert broken(worker(available=halves), request()) == [AVAILABILITY]


# --- pool.location ---------------------------------------------------------------------------


def test_the_worker_must_work_for_the_council_or_in_its_region():
    elsewhere = worker(work_regions=frozenset({"London"}))
    assert broken(elsewhere, request()) == [LOCATION]
    assert (
        broken(worker(work_regions=frozenset(), work_councils=frozenset({"352"})), request()) == []
    )


def test_remote_work_counts_only_when_the_post_needs_no_days_on_site():
    remote = worker(work_regions=frozenset({"London"}), remote=True)
    assert broken(remote, request(onsite_days=0)) == []
    assert broken(remote, request(onsite_days=1)) == [LOCATION]
    assert broken(worker(work_regions=frozenset(), remote=False), request(onsite_days=0)) == [
        LOCATION
    ]


# --- pool.cooling_off ------------------------------------------------------------------------


def test_a_permanent_post_left_in_the_same_council_within_the_period_blocks():
    left = PermanentPost("352", "North West", date(2027, 1, 15))
    assert broken(worker(permanent_posts=(left,)), request()) == [COOLING_OFF]
    assert broken(worker(permanent_posts=(left,)), request(cooling_off_months=1)) == []


def test_a_permanent_post_left_in_another_council_of_the_same_region_blocks():
    left = PermanentPost("358", "North West", date(2027, 1, 15))
    assert broken(worker(permanent_posts=(left,)), request()) == [COOLING_OFF]
    far = PermanentPost("202", "London", date(2027, 1, 15))
    assert broken(worker(permanent_posts=(far,)), request()) == []


def test_cooling_off_ends_on_the_day_the_months_have_passed():
    on_the_day = PermanentPost("352", "North West", add_months(START, -3))
    day_later = PermanentPost("352", "North West", add_months(START, -3) + timedelta(days=1))
    assert broken(worker(permanent_posts=(on_the_day,)), request()) == []
    assert broken(worker(permanent_posts=(day_later,)), request()) == [COOLING_OFF]


def test_a_post_left_after_the_start_still_blocks():
    later = PermanentPost("352", "North West", START + timedelta(days=30))
    assert broken(worker(permanent_posts=(later,)), request()) == [COOLING_OFF]


def test_the_first_leaving_date_in_cooling_off_agrees_with_adding_months_day_by_day():
    day = date(2026, 1, 1)
    while day < date(2029, 1, 1):
        for months in (0, 1, 3, 6, 12):
            first = cooling_off_from(day, months)
            assert day < add_months(first, months)
            assert not day < add_months(first - timedelta(days=1), months)
        day += timedelta(days=7 if day.day < 25 else 1)


# --- pool.experience -------------------------------------------------------------------------


def test_three_years_qualified_on_the_start_date():
    assert broken(worker(qualified_on=date(2024, 3, 1)), request()) == []
    assert broken(worker(qualified_on=date(2024, 3, 2)), request()) == [EXPERIENCE]


def test_29_february_qualifies_its_third_anniversary_on_1_march():
    leap = worker(qualified_on=date(2024, 2, 29))
    assert broken(leap, request(start=date(2027, 3, 1))) == []
    assert broken(leap, request(start=date(2027, 2, 28), end=date(2027, 5, 31))) == [EXPERIENCE]


# --- pool.overlap ----------------------------------------------------------------------------


def test_a_booking_that_touches_the_request_by_a_day_overlaps():
    assert broken(worker(booked=(Window(date(2027, 1, 1), START),)), request()) == [OVERLAP]
    assert broken(worker(booked=(Window(END, date(2027, 8, 1)),)), request()) == [OVERLAP]
    before = Window(date(2027, 1, 1), START - timedelta(days=1))
    after = Window(END + timedelta(days=1), date(2027, 8, 1))
    assert broken(worker(booked=(before, after)), request()) == []


# --- pool.rate and pool.specialism ----------------------------------------------------------------


def test_the_day_rate_may_equal_the_maximum_but_not_exceed_it():
    assert broken(worker(day_rate=500.0), request()) == []
    assert broken(worker(day_rate=500.01), request()) == [RATE]


def test_every_required_specialism_must_be_held():
    two = request(required=frozenset({Specialism.court_work, Specialism.leaving_care}))
    assert broken(worker(), two) == [SPECIALISM]
    assert "leaving care" in failures(worker(), two)[0].words
    assert broken(worker(), request(required=frozenset())) == []


def test_arrays_agree_with_failures_for_many_workers_at_once():
    workers = [
        worker(id=1),
        worker(id=2, role=PoolRole.social_worker),
        worker(id=3, day_rate=900.0),
        worker(id=4, available=()),
    ]
    pool, asks = to_arrays(workers, [request()])
    assert feasible(pool, asks)[0].tolist() == [True, False, False, False]
    assert np.array_equal(rule_passes(pool, asks).all(axis=0), feasible(pool, asks))
