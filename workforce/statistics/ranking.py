"""Ranking councils the way DfE's LAIT does: rank 1 is the best, quartile bands A-D.

Pure functions over plain values, so the England table, its API twin and the tests share
one rule for which direction is better, how ties rank, how quartile bands are cut, how a
change is put in words and which councils are too small to rank.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from workforce.measures import Measure

QUARTILE_BANDS = ("A", "B", "C", "D")

Key = TypeVar("Key")


def better_direction(measure: Measure) -> str | None:
    """Return "lower" or "higher" (the better direction of ``measure``), or None if neither."""
    if measure.higher_is_better is None:
        return None
    return "higher" if measure.higher_is_better else "lower"


def quartile_band(rank: int, ranked: int) -> str:
    """Return the quartile band (A the best quarter, D the worst) of ``rank`` among ``ranked``.

    Ranks 1 to a quarter of ``ranked`` are band A, and so on; with 150 councils ranks 1-38
    are A, 39-75 B, 76-113 C and 114-150 D.
    """
    if not 1 <= rank <= ranked:
        raise ValueError(f"rank {rank} is outside 1-{ranked}")
    return QUARTILE_BANDS[min(3, (4 * (rank - 1)) // ranked)]


def rank_values(
    values: Mapping[Key, float], *, higher_is_better: bool
) -> dict[Key, tuple[int, str]]:
    """Return each key's (rank, quartile band), rank 1 the best value.

    Ties share the better rank (two councils at the best value are both 1, the next is 3),
    as LAIT ranks them.
    """
    ranked = len(values)
    ordered = sorted(values.values(), reverse=higher_is_better)
    result: dict[Key, tuple[int, str]] = {}
    for key, value in values.items():
        rank = 1 + sum(1 for v in ordered if (v > value if higher_is_better else v < value))
        result[key] = (rank, quartile_band(rank, ranked))
    return result


def is_small_workforce(inpost_fte: float | None, threshold_fte: float) -> bool:
    """Return whether a council has fewer than ``threshold_fte`` FTE social workers in post.

    Unknown (suppressed or unpublished) staffing is not called small.
    """
    return inpost_fte is not None and inpost_fte < threshold_fte


def change_in_words(change: float | None, measure: Measure) -> str | None:
    """Return a change on the previous year in words, e.g. "up 1.2 pp (worse)".

    Rates change in percentage points ("pp"), other measures in their unit; the word in
    brackets says whether the change is for the better, where the measure has a direction.
    """
    if change is None:
        return None
    amount = round(abs(change), 1)
    if amount == 0:
        return "no change"
    unit = "pp" if measure.unit == "%" else measure.unit
    rose = change > 0
    words = f"{'up' if rose else 'down'} {amount:.1f} {unit}"
    direction = better_direction(measure)
    if direction is None:
        return words
    better = rose == (direction == "higher")
    return f"{words} ({'better' if better else 'worse'})"
