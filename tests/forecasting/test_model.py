"""The panel model: census years, no leakage, bounds, scenarios, and the backtest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest

from tests.builders.forecasting import panel as synthetic_panel
from workforce.forecasting import backtest, model
from workforce.forecasting.panel import JudgementEvent, Panel, census_year


def test_a_judgement_after_30_september_counts_from_the_next_census_year() -> None:
    assert census_year(date(2022, 9, 30)) == 2022
    assert census_year(date(2022, 10, 1)) == 2023
    assert JudgementEvent("202", date(2021, 11, 5), "inadequate").year == 2022


def test_up_to_keeps_nothing_later() -> None:
    synthetic, _ = synthetic_panel()
    cut = synthetic.up_to(2019)
    assert cut.last_year == 2019
    assert all(j.year <= 2019 for events in cut.judgements.values() for j in events)
    assert synthetic.last_year == 2023  # the original is untouched


def _perturbed_after(panel: Panel, origin: int) -> Panel:
    """The same panel with every later figure and staff count scrambled and a later
    judgement everywhere."""
    values = panel.values.copy()
    later = values.index.get_level_values("year") > origin
    values.loc[later] = values.loc[later] * 0 + 99.0
    judgements = {
        code: [*events, JudgementEvent(code, date(origin + 1, 3, 1), "inadequate")]
        for code, events in panel.judgements.items()
    }
    staff = panel.staff.copy()
    staff.loc[staff.index.get_level_values("year") > origin] = 0.5  # every council "small"
    return replace(panel, values=values, judgements=judgements, staff=staff)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_no_data_after_the_origin_reaches_a_backtest_fit(bundled: Panel) -> None:
    origin = 2020
    frame, fits = backtest.forecasts_at(bundled, "agency_rate_fte", 1, origin)
    assert {f["cutoff"] for f in fits} == {origin}
    assert all(f["last_judgement_year"] <= origin for f in fits)
    # Scrambling everything after the origin changes no forecast made at it.
    altered, _ = backtest.forecasts_at(
        _perturbed_after(bundled, origin), "agency_rate_fte", 1, origin
    )
    columns = [c for c in frame.columns if c not in ("actual",)]
    pd.testing.assert_frame_equal(frame[columns], altered[columns])
    assert not np.allclose(frame["actual"].dropna(), 99.0)  # ... but the outcomes did change


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("newest", [False, True], ids=["origins 2020-2022", "newest origins"])
def test_the_backtest_beats_every_baseline_for_turnover_and_agency(
    bundled: Panel, newest: bool
) -> None:
    """The issue's bar: horizon 1, origins 2020-2022, MASE below 1 and below every
    baseline, 80% intervals covering 75-85% of outcomes; no-judgement model reported.
    The same bar holds from the newest origins the data allow (2021-2023 with 2024 data)."""
    report = backtest.run_backtest(
        bundled,
        measures=["turnover_rate_fte", "agency_rate_fte"],
        origins=backtest.default_origins(bundled) if newest else [2020, 2021, 2022],
        horizons=[1],
    )
    for measure in ("turnover_rate_fte", "agency_rate_fte"):
        panel_score = report.score(measure, 1, "panel")
        assert panel_score.mase is not None and panel_score.mase < 1.0, measure
        for method in backtest.METHODS[1:]:
            other = report.score(measure, 1, method)
            assert other.mase is not None and panel_score.mase < other.mase, (measure, method)
        assert panel_score.coverage_80 is not None
        assert 0.75 <= panel_score.coverage_80 <= 0.85, measure
        assert panel_score.coverage_95 is not None and panel_score.coverage_95 >= 0.90
        for group in ("recent_inadequate", "rest"):
            assert report.score(measure, 1, "panel_without_judgements", group).n > 0
    assert "panel_without_judgements" in report.table()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_forecasts_stay_within_bounds(bundled: Panel) -> None:
    for measure in ("agency_rate_fte", "vacancy_rate_fte", "caseload_fte"):
        fitted = model.fit(bundled, measure, 2)
        out = model.forecast(fitted, bundled)
        assert len(out) >= 145
        for column in ("point", "lo80", "hi80", "lo95", "hi95"):
            assert (out[column] >= 0).all()
            if measure != "caseload_fte":
                assert (out[column] <= 100).all()
        assert (out["lo95"] <= out["lo80"]).all() and (out["lo80"] <= out["point"]).all()
        assert (out["point"] <= out["hi80"]).all() and (out["hi80"] <= out["hi95"]).all()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_scenario_changes_only_that_council(bundled: Panel) -> None:
    fitted = model.fit(bundled, "agency_rate_fte", 1)
    assert fitted.params["new_inadequate"] > 0  # agency work rises after a failed inspection
    event = JudgementEvent("202", date(bundled.last_year + 1, 3, 31), "inadequate", True)
    before = model.forecast(fitted, bundled).set_index("council_code")
    after = model.forecast(fitted, bundled.with_judgement(event)).set_index("council_code")
    assert after.loc["202", "point"] > before.loc["202", "point"]
    others = before.index != "202"
    pd.testing.assert_frame_equal(before[others], after[others])


def test_a_steady_council_gets_a_narrower_band_than_an_erratic_one() -> None:
    synthetic, _ = synthetic_panel(effect=0.0)
    values = synthetic.values.copy()
    erratic = values.index.get_level_values("council_code") == "101"
    values.loc[erratic, "agency_rate_fte"] += np.tile([8.0, -8.0], 5)
    noisy = replace(synthetic, values=values)
    out = model.forecast(model.fit(noisy, "agency_rate_fte", 1), noisy).set_index("council_code")
    width = out["hi80"] - out["lo80"]
    assert width["101"] > 2 * width["102"]
