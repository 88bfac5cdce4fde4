"""The ``workforce`` command, in process and as real processes."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from workforce import migrations
from workforce.auth.flows import sign_in
from workforce.cli import app
from workforce.config import Settings
from workforce.db import make_engine
from workforce.locks import advisory_lock_key
from workforce.runs.models import JobRun

runner = CliRunner()
WORKFORCE = str(Path(sys.executable).with_name("workforce"))


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["db"],
        ["db", "upgrade"],
        ["demo"],
        ["serve"],
        ["scheduler"],
        ["jobs"],
        ["jobs", "list"],
        ["jobs", "run"],
        ["jobs", "runs"],
        ["users", "create"],
        ["users", "list"],
        ["users", "reset-password"],
        ["tokens", "create"],
        ["tokens", "list"],
        ["tokens", "revoke"],
        ["groups", "create"],
        ["audit", "tail"],
        ["returns", "ingest"],
        ["returns", "list"],
        ["returns", "show"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_db_upgrade_then_demo_loads_the_reference_data(
    blank_database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WORKFORCE_DATABASE_URL", blank_database_url)
    monkeypatch.setenv("WORKFORCE_DATA_DIR", str(tmp_path / "var"))
    from workforce.config import get_settings
    from workforce.db import dispose_engines

    get_settings.cache_clear()
    refused = runner.invoke(app, ["demo"])
    assert refused.exit_code == 1
    assert "run `workforce db upgrade` first" in refused.output
    upgraded = runner.invoke(app, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"Database at revision {migrations.head_revision()}." in upgraded.output
    assert (tmp_path / "var" / "inbox").is_dir()
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert "council: 158 added" in first.output
    match = re.search(r"as demo-admin@example.org with password (\S+)", first.output)
    assert match, first.output
    with Session(make_engine(blank_database_url)) as session:
        user = sign_in(
            session=session, email="demo-admin@example.org", password=match[1], source="t"
        )
        assert user.role == "admin"
    again = runner.invoke(app, ["demo"])
    assert "council: 0 added, 0 updated, 158 unchanged" in again.output
    assert "Demo admin demo-admin@example.org exists" in again.output
    assert match[1] not in again.output
    dispose_engines()
    get_settings.cache_clear()


def test_jobs_list_and_run(settings: Settings) -> None:
    listed = runner.invoke(app, ["jobs", "list"])
    assert listed.exit_code == 0
    for name in ("reference_refresh", "forecast_refit", "early_warning", "returns_inbox"):
        assert name in listed.output
    assert "never run" in listed.output
    ran = runner.invoke(app, ["jobs", "run", "reference_refresh"])
    assert ran.exit_code == 0, ran.output
    assert "reference_refresh run 1: succeeded, 1740 rows" in ran.output
    assert "last run" in runner.invoke(app, ["jobs", "list"]).output
    log = runner.invoke(app, ["jobs", "runs"])
    assert "succeeded" in log.output
    unknown = runner.invoke(app, ["jobs", "run", "nonsense"])
    assert unknown.exit_code == 2
    assert (
        "known jobs: early_warning, forecast_refit, kitemark_review, mou_assess, mou_digest, "
        "pool_housekeeping, published_statistics_import, reference_refresh, returns_inbox"
        in unknown.output
    )


def test_a_production_configuration_without_a_secret_key_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {**os.environ, "WORKFORCE_ENVIRONMENT": "production"}
    env.pop("WORKFORCE_SECRET_KEY")
    result = subprocess.run(
        [WORKFORCE, "jobs", "list"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "WORKFORCE_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_cli_runs_started_together_on_postgresql_one_runs_one_is_skipped(
    settings: Settings, engine: Engine
) -> None:
    """Two real processes; the job is held inside its work so the two runs must overlap."""
    env = {
        **os.environ,
        "WORKFORCE_DATABASE_URL": settings.database_url,
        "WORKFORCE_DATA_DIR": str(settings.data_dir),
    }
    blocker = make_engine(settings.database_url)
    with blocker.connect() as connection:
        # Whoever takes the job lock first then waits inside the job on this table lock,
        # so the other process certainly arrives while the lock is held.
        connection.execute(text("LOCK TABLE region IN ACCESS EXCLUSIVE MODE"))
        processes = [
            subprocess.Popen(
                [WORKFORCE, "jobs", "run", "reference_refresh"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        deadline = time.monotonic() + 60
        while all(p.poll() is None for p in processes) and time.monotonic() < deadline:
            time.sleep(0.1)
        finished = [p for p in processes if p.poll() is not None]
        assert len(finished) == 1, "one run should finish (skipped) while the other waits"
        connection.rollback()  # releases the table lock
    outputs = [p.communicate(timeout=60) for p in processes]
    blocker.dispose()
    assert [p.returncode for p in processes] == [0, 0]
    skipped_out, skipped_err = outputs[processes.index(finished[0])]
    assert "skipped - another run of reference_refresh holds its lock" in skipped_out
    assert f"PostgreSQL advisory lock {advisory_lock_key('reference_refresh')}" in skipped_out
    assert "WARNING workforce.jobs" in skipped_err  # the reason is logged too
    with Session(engine) as session:
        statuses = sorted(r.status for r in session.exec(select(JobRun)))
    assert statuses == ["skipped", "succeeded"]


def test_import_csww_reports_what_it_did_and_refuses_bad_files(
    reference_settings: Settings, tmp_path: Path
) -> None:
    from workforce.data import BUNDLED_DATA

    path = BUNDLED_DATA / "csww" / "csww_indicators_2017_to_2023.csv"
    first = runner.invoke(app, ["import", "csww", str(path)])
    assert first.exit_code == 0, first.output
    assert "25014 figures added, 0 revised" in first.output
    again = runner.invoke(app, ["import", "csww", str(path)])
    assert "already imported" in again.output
    bad = tmp_path / "bad.csv"
    bad.write_text(path.read_text(encoding="utf-8-sig").replace(",15.9,", ",fifteen,", 1))
    refused = runner.invoke(app, ["import", "csww", str(bad)])
    assert refused.exit_code == 1
    assert "refused, nothing was imported" in refused.output
    assert "row 2, column 'turnover_rate_fte': expected a number" in refused.output
    assert runner.invoke(app, ["import", "csww", str(tmp_path / "nope.csv")]).exit_code == 2


def test_import_neighbours_replaces_lists(reference_settings: Settings) -> None:
    from workforce.councils.reference import NEIGHBOURS_FILE

    result = runner.invoke(
        app, ["import", "neighbours", str(NEIGHBOURS_FILE), "--source", "DfE 2021"]
    )
    assert result.exit_code == 0, result.output
    assert "statistical_neighbour: 0 added, 1560 updated" in result.output
