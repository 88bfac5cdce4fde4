"""``workforce backtest`` prints the table or JSON the issue asks for."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from workforce.cli import app
from workforce.config import Settings
from workforce.statistics.bundled import newest_census_year

runner = CliRunner()
pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_backtest_json_and_table(public_settings: Settings) -> None:
    result = runner.invoke(
        app,
        [
            "backtest",
            "--measure",
            "turnover_rate_fte",
            "--origins",
            "2021,2022",
            "--horizons",
            "1",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["origins"] == [2021, 2022] and report["measures"] == ["turnover_rate_fte"]
    methods = {s["method"] for s in report["scores"]}
    assert methods == {
        "panel",
        "panel_without_judgements",
        "last_value",
        "last_value_plus_national_change",
        "council_mean",
    }
    assert {s["group"] for s in report["scores"]} == {
        "all",
        "recent_inadequate",
        "rest",
        "small_workforce",
    }
    # Coverage is reported for every group, not only for all councils.
    panel = {s["group"]: s for s in report["scores"] if s["method"] == "panel"}
    for group in ("all", "recent_inadequate", "rest"):
        assert panel[group]["n"] > 0 and 0 < panel[group]["coverage_80"] <= 1, group
        assert panel[group]["coverage_80"] <= panel[group]["coverage_95"], group
    # Small workforces are scored apart: the other groups add up without them.
    assert panel["all"]["n"] == panel["recent_inadequate"]["n"] + panel["rest"]["n"]
    assert panel["small_workforce"]["n"] > 0
    for missed in report["missed_targets"]:  # each miss said in words
        assert missed["sentence"].startswith("Turnover rate, one year ahead, ")
    assert all(f["cutoff"] == f["origin"] for f in report["fits"])

    table = runner.invoke(
        app, ["backtest", "--measure", "turnover_rate_fte", "--origins", "2022", "--horizons", "1"]
    )
    assert table.exit_code == 0 and "MASE" in table.output and "council_mean" in table.output
    assert "recent inadequate" in table.output and "small workforce" in table.output
    assert "cov80" in table.output
    assert "Targets missed:" in table.output or "Every target met." in table.output


def test_backtest_refuses_bad_arguments(public_settings: Settings) -> None:
    assert runner.invoke(app, ["backtest", "--measure", "absence"]).exit_code == 2
    late = runner.invoke(app, ["backtest", "--origins", str(newest_census_year())])
    assert late.exit_code == 2 and "nothing to compare" in late.output
    assert runner.invoke(app, ["backtest", "--origins", "twenty"]).exit_code == 2


def test_backtest_origins_follow_the_data(public_settings: Settings) -> None:
    last = newest_census_year()
    result = runner.invoke(
        app, ["backtest", "--measure", "turnover_rate_fte", "--horizons", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["origins"] == [last - 4, last - 3, last - 2, last - 1]
    assert {f["cutoff"] for f in report["fits"]} == {last - 4, last - 3, last - 2, last - 1}
