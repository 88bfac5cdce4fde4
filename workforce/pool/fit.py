"""How well a worker who passes every hard rule fits a request: a score in [0, 1).

The score only ranks workers the hard rules (:mod:`workforce.pool.rules`) already allow;
the matcher never trades a filled post for a better fit. Five components, each in [0, 1],
weighted by ``FIT_WEIGHTS`` (summing to 1), the total capped at ``MAX_FIT``:

- ``specialisms``: the share of the request's preferred specialisms the worker holds
  (1 when the request prefers none);
- ``experience``: years qualified on the start date over ``EXPERIENCE_FULL_YEARS``, at
  most 1;
- ``intervention``: experience of a council under intervention; 1 for a request of a
  council under intervention or judged inadequate, 0.5 for any other;
- ``on_site``: with ``d`` the share of the week on site (``onsite_days / 5``),
  ``d x (home region is the council's region) + (1 - d) x (willing to work remotely)``;
- ``rate``: the headroom under the request's maximum day rate, as a share of it.

``fit`` gives the score for one pair with its words; ``fit_pairs`` the same scores for
many pairs at once, as the matcher needs them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workforce.pool.arrays import Asks, Pool
from workforce.pool.rules import RequestFacts, WorkerFacts, region_in_words
from workforce.pool.terms import SPECIALISM_LABELS, Specialism, Tier

FIT_WEIGHTS: dict[str, float] = {
    "specialisms": 0.35,
    "experience": 0.20,
    "intervention": 0.15,
    "on_site": 0.15,
    "rate": 0.15,
}
EXPERIENCE_FULL_YEARS = 10.0
MAX_FIT = 0.999
DAYS_A_WEEK = 5
_INTERVENTION_MATTERS = (int(Tier.intervention), int(Tier.inadequate))
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << len(Specialism))], dtype=np.int64)


@dataclass(frozen=True)
class Fit:
    score: float
    breakdown: dict[str, float]  # component -> its weighted part of the score
    words: dict[str, str]  # component -> what it rests on, in words


def years_qualified(worker: WorkerFacts, request: RequestFacts) -> float:
    return (request.start - worker.qualified_on).days / 365.25


def fit(worker: WorkerFacts, request: RequestFacts) -> Fit:
    """The worker's fit for the request, with each component's part and its words."""
    held = sorted(request.preferred & worker.specialisms)
    if request.preferred:
        specialisms = len(held) / len(request.preferred)
        names = ", ".join(SPECIALISM_LABELS[s] for s in held)
        specialisms_words = f"holds {len(held)} of {len(request.preferred)} preferred " + (
            f"specialisms ({names})" if held else "specialisms"
        )
    else:
        specialisms, specialisms_words = 1.0, "no preferred specialisms asked for"

    years = years_qualified(worker, request)
    experience = min(max(years / EXPERIENCE_FULL_YEARS, 0.0), 1.0)
    experience_words = f"{years:.1f} years qualified (full marks from {EXPERIENCE_FULL_YEARS:.0f})"

    matters = int(request.tier) in _INTERVENTION_MATTERS
    intervention = (1.0 if matters else 0.5) if worker.intervention_experience else 0.0
    intervention_words = (
        "has worked in a council under intervention"
        if worker.intervention_experience
        else "no experience of a council under intervention"
    )

    share = request.onsite_days / DAYS_A_WEEK
    at_home = worker.home_region == request.region
    on_site = share * at_home + (1 - share) * worker.remote
    home = region_in_words(worker.home_region, worker.home_region_name)
    lives = f"lives in {home}" + ("" if at_home else f", not {request.region_words}")
    remote = "willing to work remotely" if worker.remote else "not willing to work remotely"
    on_site_words = f"{request.onsite_days} days a week on site; {lives}; {remote}"

    if request.max_day_rate > 0:
        rate = min(max((request.max_day_rate - worker.day_rate) / request.max_day_rate, 0.0), 1.0)
    else:
        rate = 0.0
    rate_words = (
        f"day rate £{worker.day_rate:,.2f}, {rate:.0%} under the £{request.max_day_rate:,.2f} "
        f"maximum"
    )

    parts = {
        "specialisms": specialisms,
        "experience": experience,
        "intervention": intervention,
        "on_site": on_site,
        "rate": rate,
    }
    breakdown = {name: FIT_WEIGHTS[name] * value for name, value in parts.items()}
    return Fit(
        score=min(sum(breakdown.values()), MAX_FIT),
        breakdown=breakdown,
        words={
            "specialisms": specialisms_words,
            "experience": experience_words,
            "intervention": intervention_words,
            "on_site": on_site_words,
            "rate": rate_words,
        },
    )


def fit_parts(pool: Pool, asks: Asks, r: np.ndarray, w: np.ndarray) -> dict[str, np.ndarray]:
    """Each component's value (before weighting) for each pair of request ``r[k]`` and
    worker ``w[k]``, as ``fit`` computes it for one pair."""
    preferred = asks.preferred[r]
    wanted = _POPCOUNT[preferred]
    held = _POPCOUNT[pool.specialisms[w] & preferred]
    years = (asks.start[r] - pool.qualified[w]) / 365.25
    matters = np.isin(asks.tier[r], _INTERVENTION_MATTERS)
    share = asks.onsite[r] / DAYS_A_WEEK
    at_home = pool.home_region[w] == asks.region[r]
    max_rate = asks.max_rate[r]
    positive = max_rate > 0
    headroom = (max_rate - pool.day_rate[w]) / np.where(positive, max_rate, 1.0)
    return {
        "specialisms": np.where(wanted > 0, held / np.maximum(wanted, 1), 1.0),
        "experience": np.clip(years / EXPERIENCE_FULL_YEARS, 0.0, 1.0),
        "intervention": np.where(matters, 1.0, 0.5) * pool.intervention[w],
        "on_site": share * at_home + (1 - share) * pool.remote[w],
        "rate": np.where(positive, np.clip(headroom, 0.0, 1.0), 0.0),
    }


def fit_pairs(pool: Pool, asks: Asks, r: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``fit(...).score`` for each pair of request ``r[k]`` and worker ``w[k]``."""
    parts = fit_parts(pool, asks, r, w)
    score = sum(FIT_WEIGHTS[name] * value for name, value in parts.items())
    return np.minimum(score, MAX_FIT)
