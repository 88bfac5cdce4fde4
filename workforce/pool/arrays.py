"""The hard rules of :mod:`workforce.pool.rules` over arrays: every request against every
worker at once, as the matcher needs them (a Python loop over 2,000 workers x 800 posts
would take seconds; these take milliseconds).

``feasible`` answers "passes every rule" for each pair, checking the rules that need only
one comparison per pair first and the rules over lists (availability windows, bookings,
permanent posts) only for the pairs still standing. ``rule_passes`` answers each rule
separately, for the requests whose unfilled posts need explaining. The tests hold both
to :func:`workforce.pool.rules.failures` on random instances.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from operator import attrgetter
from typing import Any

import numpy as np

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
    WorkerFacts,
    cooling_off_from,
    role_fits,
)
from workforce.pool.terms import (
    MIN_YEARS_QUALIFIED,
    REGISTRATION_CHECK_DAYS,
    PoolRole,
    Specialism,
)

_NEVER = -(2**30)  # an ordinal before any date: "never checked", padding
_ROLES: tuple[PoolRole, ...] = tuple(PoolRole)
_ROLE_INDEX = {role: i for i, role in enumerate(_ROLES)}
_BIT = {s: 1 << i for i, s in enumerate(Specialism)}


def specialism_mask(specialisms: frozenset[Specialism]) -> int:
    """The specialisms as bits, in ``Specialism`` order."""
    return sum(_BIT[s] for s in specialisms)


# Which roles (in ``PoolRole`` order) may fill a request, by its role and grade flex.
_ROLES_ALLOWED: dict[tuple[PoolRole, bool], tuple[bool, ...]] = {
    (wanted, flex): tuple(role_fits(mine, wanted, flex) for mine in _ROLES)
    for wanted in _ROLES
    for flex in (False, True)
}


def _padded(
    entries: Sequence[tuple[int, ...]], workers: int, fills: tuple[int, ...]
) -> list[np.ndarray]:
    """Each worker's list of entries (worker index, values...) as one (workers, most per
    worker) array per value, in order, padded with that value's fill."""
    table = np.array(entries, dtype=np.int64).reshape(len(entries), len(fills) + 1)
    per = np.bincount(table[:, 0], minlength=workers)
    place = np.arange(len(table)) - np.repeat(np.cumsum(per) - per, per)
    out = []
    for k, fill in enumerate(fills, start=1):
        padded = np.full((workers, int(per.max(initial=0))), fill, dtype=np.int32)
        padded[table[:, 0], place] = table[:, k]
        out.append(padded)
    return out


def _field(
    items: Sequence[object], name: str, dtype: type, convert: Callable[[Any], Any] | None = None
) -> np.ndarray:
    """One attribute of every item as an array (``map`` runs the loop in C)."""
    values = map(attrgetter(name), items)
    return np.fromiter(values if convert is None else map(convert, values), dtype, len(items))


def _membership(sets: list[frozenset[str]], index: dict[str, int]) -> np.ndarray:
    """(len(index), len(sets)): whether each set holds each code."""
    owner = np.repeat(np.arange(len(sets)), [len(s) for s in sets])
    code = np.array([index.get(c, -1) for s in sets for c in s], dtype=np.int64)
    member = np.zeros((len(index), len(sets)), dtype=bool)
    known = code >= 0
    member[code[known], owner[known]] = True
    return member


_EPOCH = date(1970, 1, 1).toordinal()


def _anniversaries(ordinals: np.ndarray, years: int) -> np.ndarray:
    """``anniversary(day, years)`` for each day (ordinals in, ordinals out): the same day
    of the month ``12 x years`` months on, 29 February's falling on 1 March."""
    days = (ordinals - _EPOCH).astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    into_month = days - months.astype("datetime64[D]")
    later = (months + 12 * years).astype("datetime64[D]") + into_month
    return (later.astype(np.int64) + _EPOCH).astype(np.int32)


@dataclass(frozen=True)
class Pool:
    """The workers as arrays, one entry per worker in the order given (sorted by id)."""

    ids: np.ndarray
    role: np.ndarray
    registered: np.ndarray
    checked: np.ndarray
    qualified: np.ndarray
    qualified_enough: np.ndarray  # ordinal of the MIN_YEARS_QUALIFIED anniversary
    specialisms: np.ndarray
    intervention: np.ndarray
    home_region: np.ndarray  # index into the requests' regions, -1 if none of them
    in_region: np.ndarray  # (regions, workers)
    in_council: np.ndarray  # (councils, workers)
    remote: np.ndarray
    available_start: np.ndarray  # (workers, windows), padded so they never cover
    available_end: np.ndarray
    booked_start: np.ndarray  # (workers, bookings), padded so they never overlap
    booked_end: np.ndarray
    post_council: np.ndarray  # (workers, posts), -1 padding
    post_region: np.ndarray
    post_left: np.ndarray
    day_rate: np.ndarray


@dataclass(frozen=True)
class Asks:
    """The requests as arrays, one entry per request in the order given."""

    council: np.ndarray  # index into councils
    region: np.ndarray  # index into regions
    roles_allowed: np.ndarray  # (requests, roles)
    start: np.ndarray
    end: np.ndarray
    checked_since: np.ndarray
    cooling_from: np.ndarray
    required: np.ndarray
    preferred: np.ndarray
    onsite: np.ndarray
    max_rate: np.ndarray
    tier: np.ndarray


def to_arrays(
    workers: Sequence[WorkerFacts], requests: Sequence[RequestFacts]
) -> tuple[Pool, Asks]:
    """The workers and requests as arrays, councils and regions numbered by the requests'."""
    councils = {c: i for i, c in enumerate(dict.fromkeys(r.council_code for r in requests))}
    regions = {g: i for i, g in enumerate(dict.fromkeys(r.region for r in requests))}
    n = len(workers)
    masks = {s: specialism_mask(s) for s in {w.specialisms for w in workers}}
    # One comprehension per field: quicker than one loop filling them all.
    windows = [
        (j, a.start.toordinal(), a.end.toordinal())
        for j, w in enumerate(workers)
        for a in w.available
    ]
    bookings = [
        (j, b.start.toordinal(), b.end.toordinal()) for j, w in enumerate(workers) for b in w.booked
    ]
    posts = [
        (j, councils.get(p.council_code, -1), regions.get(p.region, -1), p.left_on.toordinal())
        for j, w in enumerate(workers)
        for p in w.permanent_posts
    ]
    in_council = _membership([w.work_councils for w in workers], councils)
    in_region = _membership([w.work_regions for w in workers], regions)
    qualified = _field(workers, "qualified_on", np.int32, date.toordinal)

    available_start, available_end = _padded(windows, n, (0, -1))
    booked_start, booked_end = _padded(bookings, n, (0, _NEVER))
    post_council, post_region, post_left = _padded(posts, n, (-1, -1, _NEVER))
    pool = Pool(
        ids=_field(workers, "id", np.int64),
        role=_field(workers, "role", np.int32, _ROLE_INDEX.__getitem__),
        registered=_field(workers, "registered", np.bool_),
        checked=_field(
            workers,
            "registration_checked",
            np.int32,
            lambda day: _NEVER if day is None else day.toordinal(),
        ),
        qualified=qualified,
        qualified_enough=_anniversaries(qualified, MIN_YEARS_QUALIFIED),
        specialisms=_field(workers, "specialisms", np.int32, masks.__getitem__),
        intervention=_field(workers, "intervention_experience", np.bool_),
        home_region=_field(workers, "home_region", np.int32, lambda g: regions.get(g, -1)),
        in_region=in_region,
        in_council=in_council,
        remote=_field(workers, "remote", np.bool_),
        available_start=available_start,
        available_end=available_end,
        booked_start=booked_start,
        booked_end=booked_end,
        post_council=post_council,
        post_region=post_region,
        post_left=post_left,
        day_rate=_field(workers, "day_rate", np.float64),
    )
    m = len(requests)
    cooling = {
        key: cooling_off_from(*key).toordinal()
        for key in {(r.start, r.cooling_off_months) for r in requests}
    }
    starts = _field(requests, "start", np.int32, date.toordinal)
    asks = Asks(
        council=_field(requests, "council_code", np.int32, councils.__getitem__),
        region=_field(requests, "region", np.int32, regions.__getitem__),
        roles_allowed=np.array(
            [_ROLES_ALLOWED[(r.role, r.grade_flex)] for r in requests], dtype=bool
        ).reshape(m, len(_ROLES)),
        start=starts,
        end=_field(requests, "end", np.int32, date.toordinal),
        checked_since=starts - REGISTRATION_CHECK_DAYS,
        cooling_from=np.array(
            [cooling[(r.start, r.cooling_off_months)] for r in requests], dtype=np.int32
        ),
        required=_field(requests, "required", np.int32, specialism_mask),
        preferred=_field(requests, "preferred", np.int32, specialism_mask),
        onsite=_field(requests, "onsite_days", np.int32),
        max_rate=_field(requests, "max_day_rate", np.float64),
        tier=_field(requests, "tier", np.int32),
    )
    return pool, asks


def _simple_rules(pool: Pool, asks: Asks, rule: str) -> np.ndarray:
    """(requests, workers): the rules that need one comparison per pair."""
    if rule == ROLE:
        return asks.roles_allowed[:, pool.role]
    if rule == SPECIALISM:
        required = asks.required[:, None]
        return (pool.specialisms[None] & required) == required
    if rule == LOCATION:
        return (
            pool.in_council[asks.council]
            | pool.in_region[asks.region]
            | ((asks.onsite == 0)[:, None] & pool.remote[None])
        )
    if rule == REGISTRATION:
        return pool.registered[None] & (pool.checked[None] >= asks.checked_since[:, None])
    if rule == EXPERIENCE:
        return pool.qualified_enough[None] <= asks.start[:, None]
    if rule == RATE:
        return pool.day_rate[None] <= asks.max_rate[:, None]
    raise ValueError(rule)


def _listed_rules(
    pool: Pool, asks: Asks, r: np.ndarray, w: np.ndarray | None, rule: str
) -> np.ndarray:
    """The rules over each worker's lists of dates, for the pairs ``(r[k], w[k])``, or with
    ``w`` None for every request in ``r`` (rows) against every worker (columns). A loop
    over the few entries a worker has is quicker than a reduction over them."""
    if w is None:  # broadcast (requests, 1) against (workers,)
        start, end = asks.start[r][:, None], asks.end[r][:, None]
        council, region = asks.council[r][:, None], asks.region[r][:, None]
        since = asks.cooling_from[r][:, None]
        w = np.arange(len(pool.ids))
        found: np.ndarray = np.zeros((len(r), len(w)), dtype=bool)
    else:
        start, end = asks.start[r], asks.end[r]
        council, region, since = asks.council[r], asks.region[r], asks.cooling_from[r]
        found = np.zeros(len(r), dtype=bool)
    if rule == AVAILABILITY:
        for k in range(pool.available_start.shape[1]):
            found |= (pool.available_start[w, k] <= start) & (pool.available_end[w, k] >= end)
        return found
    if rule == OVERLAP:
        for k in range(pool.booked_start.shape[1]):
            found |= (pool.booked_start[w, k] <= end) & (pool.booked_end[w, k] >= start)
        return ~found
    if rule == COOLING_OFF:
        for k in range(pool.post_left.shape[1]):
            nearby = (pool.post_council[w, k] == council) | (pool.post_region[w, k] == region)
            found |= nearby & (pool.post_left[w, k] >= since)
        return ~found
    raise ValueError(rule)


_SIMPLE = (ROLE, SPECIALISM, RATE, REGISTRATION, EXPERIENCE, LOCATION)
_LISTED = (AVAILABILITY, OVERLAP, COOLING_OFF)


_ONE_COMPARISON_FIELDS = (
    "role",
    "registered",
    "checked",
    "qualified_enough",
    "specialisms",
    "in_region",
    "in_council",
    "remote",
    "day_rate",
)


def _take_workers(pool: Pool, index: np.ndarray) -> Pool:
    """The workers at ``index`` only, in the fields the one-comparison rules read (the
    others are left whole: the rules over lists index them by the pool's own numbers)."""
    taken = {
        name: getattr(pool, name)[:, index]
        if name in ("in_region", "in_council")
        else getattr(pool, name)[index]
        for name in _ONE_COMPARISON_FIELDS
    }
    return replace(pool, **taken)


def feasible(pool: Pool, asks: Asks) -> np.ndarray:
    """(requests, workers): the worker passes every hard rule for the request.

    Requests that allow the same roles are checked together against only the workers of
    those roles; the rules over lists only for the pairs the others allow."""
    allowed = np.zeros((len(asks.start), len(pool.ids)), dtype=bool)
    alike: dict[bytes, list[int]] = defaultdict(list)
    for i, roles in enumerate(asks.roles_allowed):
        alike[roles.tobytes()].append(i)
    for members in alike.values():
        these = np.array(members, dtype=np.int64)
        who = np.flatnonzero(asks.roles_allowed[members[0]][pool.role])
        if not len(who):
            continue
        some_asks, some_pool = subset(asks, these), _take_workers(pool, who)
        passing = _simple_rules(some_pool, some_asks, _SIMPLE[1])
        for rule in _SIMPLE[2:]:
            passing &= _simple_rules(some_pool, some_asks, rule)
        r, w = np.nonzero(passing)
        w = who[w]
        keep = np.ones(len(r), dtype=bool)
        for rule in _LISTED:
            keep &= _listed_rules(pool, some_asks, r, w, rule)
        allowed[these[r[keep]], w[keep]] = True
    return allowed


def rule_passes(pool: Pool, asks: Asks) -> np.ndarray:
    """(rules in ``RULE_IDS`` order, requests, workers): the worker passes the rule."""
    passes = np.empty((len(RULE_IDS), len(asks.start), len(pool.ids)), dtype=bool)
    for rule in _SIMPLE:
        passes[RULE_IDS.index(rule)] = _simple_rules(pool, asks, rule)
    everyone = np.arange(len(asks.start))
    for rule in _LISTED:
        passes[RULE_IDS.index(rule)] = _listed_rules(pool, asks, everyone, None, rule)
    return passes


def subset(asks: Asks, index: np.ndarray) -> Asks:
    """The requests at ``index`` only."""
    return Asks(**{name: getattr(asks, name)[index] for name in Asks.__dataclass_fields__})
