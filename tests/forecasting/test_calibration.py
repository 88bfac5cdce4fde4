"""Intervals calibrated by horizon and weighted to recent years, out of sample; small
workforces; the caveats a council's forecasts carry when the backtest misses a target."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlmodel import Session

from tests.builders.forecasting import panel as synthetic_panel
from workforce.forecasting import backtest, caveats, model, words
from workforce.forecasting.models import BacktestScore, ForecastRun
from workforce.forecasting.panel import JudgementEvent, Panel
from workforce.forecasting.service import model_from_dict
from workforce.statistics.bundled import newest_census_year


def _scrambled_after(panel: Panel, origin: int) -> Panel:
    """Everything after ``origin`` replaced: figures, staff, and an inadequate judgement
    for every council."""
    values = panel.values.copy()
    later = values.index.get_level_values("year") > origin
    values.loc[later] = 99.0
    staff = panel.staff.copy()
    staff.loc[staff.index.get_level_values("year") > origin] = 0.5
    judgements = {
        code: [*events, JudgementEvent(code, date(origin + 1, 3, 1), "inadequate")]
        for code, events in panel.judgements.items()
    }
    return replace(panel, values=values, judgements=judgements, staff=staff)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("horizon", [1, 2])
def test_the_calibration_for_an_origin_never_sees_data_after_it(
    bundled: Panel, horizon: int
) -> None:
    origin = 2021
    fitted = model.fit(bundled.up_to(origin), "vacancy_rate_fte", horizon)
    blind = model.fit(_scrambled_after(bundled, origin).up_to(origin), "vacancy_rate_fte", horizon)
    assert fitted.cutoff == origin
    assert fitted.quantiles == blind.quantiles
    # ... while a fit that does see the later years calibrates differently.
    later = model.fit(bundled.up_to(origin + 2), "vacancy_rate_fte", horizon)
    assert later.quantiles != fitted.quantiles


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_intervals_are_calibrated_by_horizon_with_one_multiple_for_every_council(
    bundled: Panel,
) -> None:
    one = model.fit(bundled, "agency_rate_fte", 1)
    two = model.fit(bundled, "agency_rate_fte", 2)
    for fitted in (one, two):
        assert fitted.group_quantiles == {}
        assert 0 < fitted.quantiles[0.8] < fitted.quantiles[0.95]
    assert one.quantiles[0.8] < two.quantiles[0.8]  # two years ahead is less certain
    # A recently inadequate council's band and another council's use the same multiple of
    # their own volatility.
    rows = model.build_rows(
        bundled, "agency_rate_fte", 1, origins=[bundled.last_year], training=False
    ).frame
    out = one.predict(model.Rows(rows)).set_index("council_code")
    frame = rows.set_index("council_code")
    unclipped = (out["lo80"] > 0) & (out["hi80"] < 100) & ~frame["small_workforce"]
    for members in (frame["exposed"], ~frame["exposed"]):
        code = frame.index[unclipped & members][0]
        half = (out.loc[code, "hi80"] - out.loc[code, "lo80"]) / 2
        assert half == pytest.approx(one.quantiles[0.8] * frame.loc[code, "sigma"]), code


def test_recent_years_weigh_more_in_the_calibration() -> None:
    rng = np.random.default_rng(3)
    recent = np.abs(rng.normal(0, 1, 500))
    old = np.abs(rng.normal(0, 3, 500))  # an early, more volatile stretch
    scaled = np.concatenate([recent, old])
    equal = model.calibrate(scaled)
    assert equal[0.8] == pytest.approx(np.quantile(scaled, 0.8), rel=0.01)
    # The old residuals six years back (three half-lives) weigh an eighth of the recent ones.
    age = np.concatenate([np.zeros(500), np.full(500, 3 * model.RECENCY_HALF_LIFE)])
    weighted = model.calibrate(scaled, age)
    assert np.quantile(recent, 0.8) < weighted[0.8] < equal[0.8]
    for level in model.LEVELS:
        by_hand = np.quantile(
            scaled, level, weights=np.where(age > 0, 1 / 8, 1.0), method="inverted_cdf"
        )
        assert weighted[level] == pytest.approx(by_hand)
    # Ages only shift the weights: every residual the same age is the plain quantile.
    assert model.calibrate(scaled, np.full(1000, 4.0)) == equal


def _with_staff(panel: Panel, fte: dict[str, float]) -> Panel:
    index = pd.MultiIndex.from_tuples(
        [(code, year) for code in fte for year in range(2014, 2024)],
        names=["council_code", "year"],
    )
    staff = pd.Series([fte[code] for code, _ in index], index=index, dtype=float)
    return replace(panel, staff=staff, small_workforce_fte=30.0)


def test_small_workforce_is_the_england_tables_rule_and_widens_its_intervals() -> None:
    synthetic, _ = synthetic_panel(councils=40)
    fte = dict.fromkeys(synthetic.names, 200.0)
    fte["101"], fte["102"] = 29.9, 30.0
    panel = _with_staff(synthetic, fte)
    assert panel.small_workforce("101", 2023) and not panel.small_workforce("102", 2023)
    assert not panel.small_workforce("999", 2023)  # staff not known: not called small
    fitted = model.fit(panel, "agency_rate_fte", 1)
    rows = model.build_rows(panel, "agency_rate_fte", 1, origins=[2023], training=False).frame
    frame = rows.set_index("council_code")
    assert frame.loc["101", "small_workforce"] and frame.loc["101", "noise"] > 0
    assert not frame.loc["102", "small_workforce"] and frame.loc["102", "noise"] == 0
    # The same council on 29.9 FTE gets a wider band than on 200 FTE: binomial noise.
    large = _with_staff(synthetic, {**fte, "101": 200.0})
    narrow = model.forecast(fitted, large).set_index("council_code").loc["101"]
    wide = model.forecast(fitted, panel).set_index("council_code").loc["101"]
    assert wide["point"] == pytest.approx(narrow["point"])
    assert (wide["hi80"] - wide["lo80"]) > (narrow["hi80"] - narrow["lo80"]) + 1


def test_small_workforces_are_scored_apart_in_the_backtest() -> None:
    synthetic, _ = synthetic_panel(councils=60)
    fte = dict.fromkeys(synthetic.names, 200.0)
    fte["101"] = fte["105"] = 10.0
    report = backtest.run_backtest(
        _with_staff(synthetic, fte),
        measures=["agency_rate_fte"],
        origins=[2020, 2021],
        horizons=[1],
    )
    scores = {s.group: s for s in report.scores if s.method == "panel"}
    assert scores["small_workforce"].n == 4  # two councils, two origins
    assert scores["all"].n == 58 * 2
    assert scores["recent_inadequate"].n + scores["rest"].n == scores["all"].n
    for group in ("all", "recent_inadequate", "rest", "small_workforce"):
        assert scores[group].coverage_80 is not None and scores[group].coverage_95 is not None
    assert "small workforce" in report.table()


def test_coverage_over_all_measures_together_weighs_each_forecast_once() -> None:
    synthetic, _ = synthetic_panel(councils=60)
    measures = ["agency_rate_fte", "turnover_rate_fte"]
    report = backtest.run_backtest(synthetic, measures=measures, origins=[2020, 2021])
    for horizon in (1, 2):
        for group in ("all", "recent_inadequate", "rest"):
            one = [
                s
                for s in report.scores
                if (s.method, s.horizon, s.group) == ("panel", horizon, group) and s.n
            ]
            (together,) = [
                c
                for c in report.coverage_by_horizon
                if (c["horizon"], c["group"]) == (horizon, group)
            ]
            n = sum(s.n for s in one)
            assert together["n"] == n
            for level in (80, 95):
                held = sum(getattr(s, f"coverage_{level}") * s.n for s in one)
                assert together[f"coverage_{level}"] == pytest.approx(held / n)
                assert together[f"chance_{level}"] == [
                    round(x, 4) for x in caveats.coverage_by_chance(level, n)
                ]
    assert "over all measures together" in report.table()


def _score(group: str, mase: float, **extra: Any) -> dict[str, Any]:
    return {
        "measure": "agency_rate_fte",
        "horizon": 2,
        "group": group,
        "method": "panel",
        "n": 23,
        "mae": 1.0,
        "mase": mase,
        "bias": 0.0,
        "coverage_80": extra.get("coverage_80", 0.8),
        "coverage_95": extra.get("coverage_95", 0.95),
    }


def test_a_missed_target_is_said_in_words() -> None:
    scores = [
        _score("all", 0.9),
        _score("recent_inadequate", 1.12, coverage_95=1.0),
        _score("rest", 0.95),
    ]
    missed = caveats.missed_targets(scores)
    sentences = [m["sentence"] for m in missed]
    assert (
        "Agency worker rate, two years ahead, councils recently judged inadequate: the "
        "forecast did not beat carrying the last figure forward (MASE 1.12, n = 23)."
    ) in sentences
    assert any("95% ranges held 100%" in s and "too wide" in s for s in sentences)
    assert not any("councils overall" in s for s in sentences)  # 0.90 meets 0.93
    assert caveats.missed_targets([_score("all", 0.9), _score("rest", 0.95)]) == []


def test_a_coverage_miss_says_whether_chance_explains_it() -> None:
    # 23 forecasts: exactly-right 80% ranges hold 14 to 22 of them 19 times in 20.
    assert caveats.coverage_by_chance(80, 23) == (14 / 23, 22 / 23)
    few = caveats.missed_targets([_score("recent_inadequate", 0.9, coverage_80=17 / 23)])
    assert [m["within_chance"] for m in few] == [True]
    assert few[0]["chance"] == [round(14 / 23, 4), round(22 / 23, 4)]
    assert few[0]["sentence"].endswith(
        "the 80% ranges held 74% of the outcomes (target 76%-84%): too narrow (n = 23). "
        "Ranges that are exactly right hold 61%-96% of 23 outcomes 19 times in 20, so this "
        "is within chance."
    )
    # The same share of 600 forecasts is beyond chance.
    many = caveats.missed_targets([{**_score("all", 0.9, coverage_80=0.74), "n": 600}])
    assert [m["within_chance"] for m in many] == [False]
    assert many[0]["sentence"].endswith("so this is beyond chance.")


def _run(scores: list[dict[str, Any]], small: list[str]) -> ForecastRun:
    run = ForecastRun(
        model_version=model.MODEL_VERSION,
        data_cutoff=newest_census_year(),
        data_fingerprint="test",
        models=[{"measure": "agency_rate_fte", "horizon": 2, "small_workforce": small}],
        backtest_design={"origins": [2020, 2021, 2022, 2023], "horizons": [1, 2]},
    )
    run.score_rows = [
        BacktestScore(run_id=0, position=i, **s) for i, s in enumerate(scores, start=1)
    ]
    return run


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_caveat_appears_for_an_affected_council_and_not_for_another(
    public_session: Session, bundled: Panel
) -> None:
    last = newest_census_year()
    recent = [
        code
        for code, events in bundled.judgements.items()
        if any(e.inadequate and e.year >= last - 1 for e in events)
    ]
    assert "876" in recent and "202" not in recent  # Wiltshire was judged inadequate in 2024
    run = _run(
        [_score("all", 0.9), _score("recent_inadequate", 1.12), _score("rest", 0.95)],
        small=["420"],
    )
    sentence = (
        "Forecasts of the agency worker rate for councils recently judged inadequate have "
        "not beaten simply carrying the last figure forward in the service's backtest "
        "(two years ahead)."
    )
    assert caveats.council_caveats(session=public_session, run=run, code="876") == [sentence]
    assert caveats.council_caveats(session=public_session, run=run, code="202") == []
    scilly = caveats.council_caveats(session=public_session, run=run, code="420")
    assert scilly[-1] == caveats.SMALL_WORKFORCE
    # The council page's opening carries them.
    opening = words.council_opening(session=public_session, run=run, judgements=[], charts=[])
    assert opening.caveats == []  # no council to speak of
    said = words.council_opening(
        session=public_session, run=run, judgements=[], charts=[], code="876"
    )
    assert said.caveats == [sentence]


# A fit as a run stores it (flows._model_dict), one pooled multiple per level.
STORED_FIT: dict[str, Any] = {
    "measure": "turnover_rate_fte",
    "horizon": 1,
    "terms": ["own_gap", "national_gap"],
    "params": {"own_gap": -0.3, "national_gap": -0.1},
    "quantiles": {"0.8": 1.2, "0.95": 2.0},
    "n_obs": 900,
    "cutoff": 2023,
}


def test_a_run_stored_before_group_calibration_still_loads() -> None:
    loaded = model_from_dict(STORED_FIT)
    assert loaded.group_quantiles == {}
    synthetic, _ = synthetic_panel(councils=20)
    out = model.forecast(loaded, synthetic)
    rows = model.build_rows(synthetic, "turnover_rate_fte", 1, origins=[2023], training=False)
    half = (out["hi80"] - out["lo80"]).to_numpy() / 2
    assert np.allclose(half, 1.2 * rows.frame["sigma"].to_numpy())


def test_a_run_stored_with_group_multiples_keeps_them() -> None:
    """A ``panel-lad-4`` run kept a multiple per group: its forecasts read back as fitted."""
    stored = {
        **STORED_FIT,
        "group_quantiles": {
            "exposed": {"0.8": 1.5, "0.95": 2.5},
            "rest": {"0.8": 1.1, "0.95": 1.9},
        },
    }
    loaded = model_from_dict(stored)
    synthetic, _ = synthetic_panel(councils=20)
    frame = model.build_rows(
        synthetic, "turnover_rate_fte", 1, origins=[2023], training=False
    ).frame
    frame["exposed"] = [i % 2 == 0 for i in range(len(frame))]
    out = loaded.predict(model.Rows(frame))
    half = (out["hi80"] - out["lo80"]).to_numpy() / 2
    expected = np.where(frame["exposed"], 1.5, 1.1) * frame["sigma"].to_numpy()
    assert np.allclose(half, expected)
