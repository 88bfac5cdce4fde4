"""The stacked event study recovers a known effect and shows flat pre-judgement years."""

from __future__ import annotations

import pytest

from tests.builders.forecasting import panel
from workforce.forecasting.event_study import REFERENCE, estimate


def test_a_known_effect_is_recovered_with_flat_pre_trends() -> None:
    synthetic, events = panel(effect=5.0)
    study = estimate(synthetic, "agency_rate_fte", "inadequate")
    assert study.events == len(events)
    by_k = {e.k: e for e in study.estimates}
    assert by_k[REFERENCE].estimate == 0.0
    for k in (0, 1, 2, 3):
        assert by_k[k].estimate == pytest.approx(5.0, abs=0.6), k
        assert by_k[k].lower < 5.0 < by_k[k].upper
    for k in (-3, -2):
        assert by_k[k].estimate == pytest.approx(0.0, abs=0.6), k
    assert study.pre_trend_p is not None and study.pre_trend_p > 0.01


def test_no_effect_gives_intervals_around_zero() -> None:
    synthetic, _ = panel(effect=0.0, seed=3)
    study = estimate(synthetic, "agency_rate_fte", "inadequate")
    covering = [e for e in study.estimates if e.k != REFERENCE and e.lower <= 0 <= e.upper]
    assert len(covering) >= 5  # of 6 (95% intervals)


def test_too_few_events_says_so() -> None:
    synthetic, _ = panel(councils=8, treated_every=100)
    study = estimate(synthetic, "agency_rate_fte", "inadequate")
    assert study.estimates == [] and "too few" in study.note
