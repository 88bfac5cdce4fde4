"""The matcher on small pools whose answer is known: priority, fairness, the share cap,
the fit, and the words for a post left unfilled."""

from __future__ import annotations

from datetime import date

import pytest

from tests.pool.facts import request, worker
from workforce.pool.matching import FIT_QUANTUM, build_problem, match
from workforce.pool.reasons import COUNCIL_SHARE_CAP, NO_ELIGIBLE_WORKER, PROPOSED_ELSEWHERE
from workforce.pool.rules import AVAILABILITY, LOCATION, ROLE, SPECIALISM, Window
from workforce.pool.terms import PoolRole, Specialism, Tier


def placed(result) -> dict[tuple[int, int], int]:
    return {(p.request_id, p.slot): p.worker_id for p in result.proposals}


def test_nothing_to_match_gives_an_empty_result():
    result = match([], [])
    assert result.proposals == () and result.unfilled == () and result.weighted_fill == 0
    assert match([worker()], [request(posts=0)]).slots == 0


def test_a_higher_tier_takes_the_only_worker_even_at_a_worse_fit():
    tier_1 = request(id=1, tier=Tier.intervention, max_day_rate=451.0, preferred=frozenset())
    tier_4 = request(id=2, council_code="358", tier=Tier.other, max_day_rate=900.0)
    result = match([worker()], [tier_1, tier_4])
    assert placed(result) == {(1, 1): 1}
    assert result.weighted_fill == 1000
    (left,) = result.unfilled
    assert left.request_id == 2 and left.cause == PROPOSED_ELSEWHERE
    assert "Manchester" in left.reason and "tier 1" in left.reason


def test_between_equals_the_better_fit_wins():
    cheap = worker(id=1, day_rate=300.0)
    dear = worker(id=2, day_rate=490.0)
    result = match([dear, cheap], [request()])
    assert placed(result) == {(1, 1): 1}
    (proposal,) = result.proposals
    assert set(proposal.breakdown) == {
        "specialisms",
        "experience",
        "intervention",
        "on_site",
        "rate",
    }
    assert proposal.score == pytest.approx(sum(proposal.breakdown.values()))
    assert "40% under" in proposal.words["rate"]
    assert "1 of 2 preferred" in proposal.words["specialisms"]


def test_a_council_takes_no_second_worker_while_another_of_its_tier_has_none():
    two_posts = request(id=1, posts=2, max_day_rate=900.0)  # a better fit for everyone
    one_post = request(id=2, council_code="358", council_name="Salford")
    result = match([worker(id=1), worker(id=2)], [two_posts, one_post])
    councils = sorted(p.request_id for p in result.proposals)
    assert councils == [1, 2]


def test_fairness_never_costs_a_fill():
    two_posts = request(id=1, posts=2)
    one_post = request(id=2, council_code="358", council_name="Salford", onsite_days=5)
    anywhere = worker(id=1)
    # Works only for Manchester: fills Manchester's second post or nothing.
    manchester_only = worker(id=2, work_regions=frozenset(), work_councils=frozenset({"352"}))
    result = match([anywhere, manchester_only], [two_posts, one_post])
    assert len(result.proposals) == 2
    assert {p.request_id: p.worker_id for p in result.proposals} == {1: 2, 2: 1}


def test_a_council_may_take_a_second_worker_no_other_council_could_use():
    two_posts = request(id=1, posts=2)
    salford = request(id=2, council_code="358", council_name="Salford", role=PoolRole.iro_cp_chair)
    result = match([worker(id=1), worker(id=2)], [two_posts, salford])
    assert placed(result) == {(1, 1): 1, (1, 2): 2}


def test_a_share_cap_holds_a_council_to_its_share_of_the_workers():
    workers = [worker(id=i) for i in range(1, 5)]
    manchester = request(id=1, posts=3, tier=Tier.intervention)
    salford = request(id=2, council_code="358", council_name="Salford", tier=Tier.other)
    result = match(workers, [manchester, salford], max_share=0.25)
    assert sorted(p.request_id for p in result.proposals) == [1, 2]
    held = [u for u in result.unfilled if u.request_id == 1]
    assert len(held) == 2
    assert all(u.cause == COUNCIL_SHARE_CAP for u in held)
    assert "Manchester already has 1 proposal in this run" in held[0].reason
    assert len(match(workers, [manchester, salford]).proposals) == 4


def test_an_unfilled_post_names_the_rules_that_empty_the_pool():
    wanted = request(start=date(2027, 3, 1), end=date(2027, 5, 31))
    pool = [
        worker(id=1, role=PoolRole.social_worker, day_rate=999.0),
        worker(id=2, role=PoolRole.social_worker, day_rate=999.0),
        worker(id=3, specialisms=frozenset({Specialism.front_door})),
        worker(id=4, available=(Window(date(2027, 4, 1), date(2027, 12, 31)),)),
        worker(id=5, work_regions=frozenset({"London"})),
    ]
    (left,) = match(pool, [wanted]).unfilled
    assert left.cause == NO_ELIGIBLE_WORKER
    assert left.rules[0] == ROLE
    assert set(left.rules) == {ROLE, SPECIALISM, AVAILABILITY, LOCATION}
    assert left.reason.startswith("No team manager with court work available 1 March 2027")
    assert "who works for Manchester or in North West" in left.reason
    assert "Of 5 workers in the pool, 3 fit the role" in left.reason
    assert left.nearest_miss is not None
    assert left.nearest_miss.worker_id == 3
    assert left.nearest_miss.failures == (SPECIALISM,)
    assert "court work" in left.nearest_miss.details[0].words


def test_the_nearest_miss_prefers_a_worker_not_proposed_elsewhere():
    taken = worker(id=1, work_regions=frozenset({"London"}))
    free = worker(id=2, work_regions=frozenset({"London"}))
    london = request(id=1, council_code="202", council_name="Camden", region="London")
    wanted = request(id=2)
    result = match([taken, free], [london, wanted])
    (left,) = result.unfilled
    assert left.nearest_miss is not None and left.nearest_miss.worker_id == 2
    assert left.nearest_miss.failures == (LOCATION,)


def test_grade_flex_is_named_in_the_reason():
    flexible = request(grade_flex=True)
    (left,) = match([worker(role=PoolRole.social_worker)], [flexible]).unfilled
    assert left.reason.startswith("No team manager (or a practice lead)")


def test_an_empty_pool_says_so():
    (left,) = match([], [request()]).unfilled
    assert left.reason == "The pool has no workers." and left.nearest_miss is None


def test_the_cost_matrix_never_lets_a_forbidden_pair_be_chosen():
    problem = build_problem([worker(id=1), worker(id=2, day_rate=999.0)], [request(posts=2)])
    assert problem.cost.shape[0] == 2
    assert len(problem.columns) == 1  # worker 2 can fill nothing and is left out
    assert FIT_QUANTUM == 1000


@pytest.mark.parametrize(
    ("workers", "requests", "message"),
    [
        ([worker(id=1), worker(id=1)], [], "two workers share an id"),
        ([], [request(id=1), request(id=1)], "two requests share an id"),
        ([], [request(onsite_days=6)], "days on site"),
        ([], [request(end=date(2027, 2, 1))], "ends before it starts"),
    ],
)
def test_bad_input_is_refused_in_words(workers, requests, message):
    with pytest.raises(ValueError, match=message):
        match(workers, requests)


def test_weights_and_share_are_checked():
    with pytest.raises(ValueError, match="whole-number weight"):
        match([], [], weights={Tier.intervention: 1})
    with pytest.raises(ValueError, match="max_share"):
        match([], [], max_share=0)


def test_the_fit_names_regions_in_words_not_by_their_codes():
    from workforce.pool.fit import fit

    away = worker(home_region="E12000007", home_region_name="London", remote=True)
    ask = request(region="E12000002", region_name="North West")
    assert "lives in London, not the North West" in fit(away, ask).words["on_site"]
    home = worker(home_region="E12000002", home_region_name="North West")
    assert "lives in the North West;" in fit(home, ask).words["on_site"]
