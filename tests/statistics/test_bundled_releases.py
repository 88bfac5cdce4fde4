"""The 2017-2024 release as `workforce demo` loads it: every figure, code and revision.

The expected figures are read straight from the bundled files with the csv module, not
through the importer, so a parsing slip in the importer cannot hide itself here.
"""

import csv
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel
from typer.testing import CliRunner

import workforce.models  # noqa: F401  (every table, for the snapshot)
from workforce.cli import app
from workforce.config import Settings
from workforce.data import CSWW_DIR
from workforce.db import make_engine
from workforce.statistics.bundled import newest_census_year
from workforce.statistics.layouts import INDICATORS
from workforce.statistics.service import _figures, revisions

RELEASE_2023 = CSWW_DIR / "csww_indicators_2017_to_2023.csv"
RELEASE_2024 = CSWW_DIR / "csww_indicators_2017_to_2024.csv"
CODES = {"z", "x", "u", "c", "low"}

Figure = tuple[float | None, str | None]


def _as_published(path: Path) -> dict[tuple[str, int, str], Figure]:
    """Every figure in ``path``: (value, None) for a number, (None, code) where suppressed."""
    figures: dict[tuple[str, int, str], Figure] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            level = row["geographic_level"]
            area = {"National": row["country_code"], "Regional": row["region_code"]}.get(
                level, row["old_la_code"]
            )
            for measure in INDICATORS.columns:
                text = row[measure].strip()
                figure = (None, text) if text in CODES else (float(text), None)
                figures[(area, int(row["time_period"]), measure)] = figure
    return figures


def test_every_figure_of_the_2024_release_comes_back_exactly_as_published(
    public_session: Session,
) -> None:
    published = _as_published(RELEASE_2024)
    assert len(published) == 1300 * 22
    assert newest_census_year() == 2024
    stored = {(f.area_code, f.year, f.measure): f for f in _figures(session=public_session)}
    got = {key: (stored[key].value, stored[key].suppression) for key in published}
    assert got == published
    assert {stored[key].release for key in published} == {RELEASE_2024.name}
    # `low` is a figure that rounds to zero: kept as its code, never stored as 0.
    low = sorted(key for key, (_, code) in published.items() if code == "low")
    assert len(low) == 9
    assert ("394", 2024, "agency_rate_fte") in low and ("394", 2023, "agency_fte") in low
    assert all(stored[key].value is None and stored[key].suppression == "low" for key in low)
    suppressed = [f for f in stored.values() if f.suppression]
    assert {f.suppression for f in suppressed} == CODES
    assert all(f.value is None for f in suppressed)


def test_figures_the_2024_release_revised_are_revisions_with_their_history(
    public_session: Session,
) -> None:
    before, after = _as_published(RELEASE_2023), _as_published(RELEASE_2024)
    expected = {(*key, *before[key], *after[key]) for key in before if before[key] != after[key]}
    assert len(expected) == 48
    by_2024 = [r for r in revisions(session=public_session) if r.new_release == RELEASE_2024.name]
    assert {r.old_release for r in by_2024} == {RELEASE_2023.name}
    got = {
        (
            r.area_code,
            r.year,
            r.measure,
            r.old_value,
            r.old_suppression,
            r.new_value,
            r.new_suppression,
        )
        for r in by_2024
    }
    assert len(by_2024) == len(got)
    assert got == expected
    # A zero that the 2024 release publishes as `low`, and a figure it no longer vouches for.
    assert ("394", 2023, "agency_fte", 0.0, None, None, "low") in got
    assert ("330", 2023, "agency_cover_rate_fte", 101.9, None, None, "u") in got
    # A figure revised by each release in turn keeps every step, oldest first.
    history = [
        (r.old_release, r.old_value, r.old_suppression, r.new_release, r.new_value)
        for r in revisions(session=public_session, area_code="935", measure="agency_cover_rate_fte")
        if r.year == 2020
    ][::-1]
    assert history == [
        ("csww_headline_measures_2017_to_2022.csv", 100.0, None, RELEASE_2023.name, 111.8),
        (RELEASE_2023.name, 111.8, None, RELEASE_2024.name, None),
    ]
    # Where a figure was revised twice, each revision starts from the one before.
    chains: dict[tuple[str, int, str], list[Any]] = {}
    for r in reversed(revisions(session=public_session)):
        chains.setdefault((r.area_code, r.year, r.measure), []).append(r)
    twice = {key: chain for key, chain in chains.items() if len(chain) > 1}
    assert len(twice) == 8
    for key, chain in twice.items():
        for earlier, later in pairwise(chain):
            assert (later.old_release, later.old_value, later.old_suppression) == (
                earlier.new_release,
                earlier.new_value,
                earlier.new_suppression,
            ), key
        assert (chain[-1].new_value, chain[-1].new_suppression) == after[key], key


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the two logs (each command run is logged, by design)."""
    with engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in SQLModel.metadata.sorted_tables
            if table.name not in {"audit_event", "job_run"}
        }


def test_workforce_demo_twice_changes_nothing(settings: Settings) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert (
        "csww_indicators_2017_to_2024.csv (csww_indicators, 2017-2024, 1300 rows): "
        "3586 figures added, 48 revised, 24966 unchanged" in first.output
    )
    assert "Forecasts: succeeded" in first.output
    engine = make_engine(settings.database_url)
    try:
        loaded = _snapshot(engine)
        assert len(loaded["publication"]) == 3 and loaded["forecast_run"]
        again = runner.invoke(app, ["demo"])
        assert again.exit_code == 0, again.output
        assert again.output.count("already imported (same content); nothing changed") == 3
        assert "data unchanged since run" in again.output
        assert _snapshot(engine) == loaded
    finally:
        engine.dispose()
