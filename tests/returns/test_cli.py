"""``workforce returns ingest|list|show`` against a real database."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from tests.builders.returns import (
    CensusDesign,
    census_xml,
    quarterly_rows,
    to_csv,
    truncated_sheet_xlsx,
)
from workforce.cli import app
from workforce.config import Settings

runner = CliRunner()


def test_ingest_list_and_show(reference_settings: Settings, tmp_path: Path) -> None:
    census = tmp_path / "census.xml"
    census.write_bytes(census_xml(CensusDesign()))
    accepted = runner.invoke(app, ["returns", "ingest", str(census), "--council", "E09000007"])
    assert accepted.exit_code == 0, accepted.output
    assert "council 202, census 2025-09-30, version 1, accepted" in accepted.output
    assert "turnover_rate_fte" in accepted.output and "14.7" in accepted.output

    again = runner.invoke(app, ["returns", "ingest", str(census), "--council", "202"])
    assert "received before; nothing new was stored" in again.output

    rows = quarterly_rows()
    rows[1][4] = -3
    broken = tmp_path / "q.csv"
    broken.write_bytes(to_csv(rows))
    rejected = runner.invoke(app, ["returns", "ingest", str(broken), "--council", "202"])
    assert rejected.exit_code == 1
    assert "error: sheet 'q.csv', row 2, column 'inpost_fte': this must be at least 0" in (
        rejected.output
    )
    assert "[range.negative]" in rejected.output

    listed = runner.invoke(app, ["returns", "list", "--council", "202"])
    assert listed.exit_code == 0 and listed.output.count("Return ") == 2
    shown = runner.invoke(app, ["returns", "show", "2"])
    assert "rejected" in shown.output and "[range.negative]" in shown.output
    assert runner.invoke(app, ["returns", "show", "99"]).exit_code == 1
    beyond = runner.invoke(app, ["returns", "show", "99999999999999999999"])
    assert beyond.exit_code == 1 and "No return with id" in beyond.output
    missing = runner.invoke(
        app, ["returns", "ingest", str(tmp_path / "nope.xml"), "--council", "202"]
    )
    assert missing.exit_code == 2


def test_a_damaged_workbook_is_reported_by_rule_without_a_traceback(
    reference_settings: Settings, tmp_path: Path
) -> None:
    damaged = tmp_path / "return.xlsx"
    damaged.write_bytes(truncated_sheet_xlsx())
    result = runner.invoke(app, ["returns", "ingest", str(damaged), "--council", "202"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "rejected" in result.output and "[file.xlsx]" in result.output
    assert "sheet 'Workforce'" in result.output
    assert "Traceback" not in result.output and str(tmp_path) not in result.output
