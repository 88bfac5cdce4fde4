"""Migration 0008 moves returns' reports and figures, and forecast runs' results, out of
JSON into typed rows, and back, losslessly."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from workforce import migrations
from workforce.db import make_engine
from workforce.forecasting.models import EarlyWarning, ForecastRun
from workforce.returns.models import CouncilReturn

STAMP = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

ACCEPTED_ISSUES = [
    {
        "severity": "warning",
        "rule": "plausibility.agency_rate_fte",
        "message": "agency rate 63.3% is 4.1 standard deviations above",
        "sheet": None,
        "row": None,
        "column": "agency_rate_fte",
        "value": "63.3",
    },
    {
        "severity": "warning",
        "rule": "swe.format",
        "message": "not a Social Work England number",
        "sheet": "assignments.csv",
        "row": 3,
        "column": "swe_number",
        "value": "123456",
        "file": "q2.assignments.csv",
    },
]
REJECTED_ISSUES = [
    {
        "severity": "error",
        "rule": "scope.council",
        "message": "this file is for council 203",
        "sheet": "Workforce",
        "row": 2,
        "column": "council_code",
        "value": "203",
    },
    {
        "severity": "error",
        "rule": "xml.malformed",
        "message": "the file is not well-formed XML",
        "sheet": None,
        "row": None,
        "column": None,
        "value": None,
    },
]
# id, status, issues, measures, counts
RETURNS: list[tuple[Any, ...]] = [
    (
        1,
        "accepted",
        ACCEPTED_ISSUES,
        {"turnover_rate_fte": 14.7, "agency_rate_fte": 63.3, "vacancy_rate_fte": None},
        {"inpost_fte": 174.5, "inpost_headcount": 180.0, "leavers_fte": None},
    ),
    (2, "rejected", REJECTED_ISSUES, {}, {}),
]

BACKTEST = {
    "model_version": "panel-3",
    "origins": [2021, 2022],
    "horizons": [1, 2],
    "measures": ["agency_rate_fte"],
    "scores": [
        {
            "measure": "agency_rate_fte",
            "horizon": 1,
            "group": "all",
            "method": "panel",
            "n": 150,
            "mae": 2.5,
            "mase": 0.8,
            "bias": -0.1,
            "coverage_80": 0.81,
            "coverage_95": 0.96,
        },
        {
            "measure": "agency_rate_fte",
            "horizon": 1,
            "group": "recent_inadequate",
            "method": "last_value",
            "n": 0,
            "mae": None,
            "mase": None,
            "bias": None,
            "coverage_80": None,
            "coverage_95": None,
        },
    ],
    "fits": [{"measure": "agency_rate_fte", "horizon": 1, "origin": 2021, "n_obs": 300}],
    "generated_at": "2025-01-02T03:04:05+00:00",
}
STUDIES = [
    {
        "measure": "agency_rate_fte",
        "group": "inadequate",
        "events": 12,
        "controls": 140,
        "observations": 4000,
        "estimates": [
            {"k": -2, "estimate": 0.3, "se": 0.4, "lower": -0.5, "upper": 1.1},
            {"k": -1, "estimate": 0.0, "se": 0.0, "lower": 0.0, "upper": 0.0},
            {"k": 1, "estimate": 2.1, "se": 0.6, "lower": 0.9, "upper": 3.3},
        ],
        "pre_trend_p": 0.42,
        "note": "",
    },
    {
        "measure": "agency_rate_fte",
        "group": "requires_improvement_or_better",
        "events": 2,
        "controls": 150,
        "observations": 300,
        "estimates": [],
        "pre_trend_p": None,
        "note": "too few judgements of this grade with data around them to estimate",
    },
]
WARNINGS = [
    {
        "council_code": "202",
        "council_name": "Camden",
        "score": 3.75,
        "reasons": [
            "agency rate forecast at 31.0% for 2025",
            "turnover rose two years running",
            "judged inadequate by Ofsted (inspection ended 01 March 2024)",
        ],
        "figures": {
            "agency_rate_forecast": 31.0,
            "turnover": {"2022": 12.5, "2023": 14.0, "2024": 16.25},
            "inadequate_judgement": "2024-03-01",
            "inpost_fte": 38.5,
        },
        "caveats": ["small workforce: 38.5 FTE social workers in post in 2024"],
    },
    {
        "council_code": "203",
        "council_name": "Greenwich",
        "score": 1.2,
        "reasons": ["vacancy rate 30.0% in 2024, 12.0 points above its neighbours' mean"],
        "figures": {"vacancy_gap": 12.0},
        "caveats": [],
    },
]
# id, backtest, event studies, early warnings
RUNS: list[tuple[Any, ...]] = [
    (1, BACKTEST, STUDIES, WARNINGS),
    (2, {}, [], []),
]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _stored(url: str) -> dict[str, Any]:
    """Every return's and run's JSON, as the 0007 schema holds it."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            returns = {
                row[0]: tuple(_json(v) for v in row[1:])
                for row in connection.execute(
                    text("SELECT id, issues, measures, counts FROM council_return")
                )
            }
            runs = {
                row[0]: tuple(_json(v) for v in row[1:])
                for row in connection.execute(
                    text("SELECT id, backtest, event_studies, early_warnings FROM forecast_run")
                )
            }
    finally:
        engine.dispose()
    return {"returns": returns, "runs": runs}


def _load_at_0007(url: str) -> None:
    migrations.upgrade(url, "0007")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO region (code, name, kind) VALUES ('E12000007', 'London', 'x')")
            )
            connection.execute(
                text(
                    "INSERT INTO council (code, ons_code, name, region_code) "
                    "VALUES ('202', 'E09000007', 'Camden', 'E12000007')"
                )
            )
            for rid, status, issues, measures, counts in RETURNS:
                connection.execute(
                    text(
                        "INSERT INTO council_return (id, council_code, kind, period_end, "
                        "status, version, file_name, sha256, size_bytes, file_type, "
                        "archive_path, source, uploaded_by_name, uploaded_at, error_count, "
                        "warning_count, issues, measures, counts) VALUES (:id, '202', "
                        "'quarterly', NULL, :status, :id, 'q2.csv', :sha, 10, 'csv', '', "
                        "'upload', 'tests', :at, 0, 0, :issues, :measures, :counts)"
                    ),
                    {
                        "id": rid,
                        "status": status,
                        "sha": str(rid) * 64,
                        "at": STAMP,
                        "issues": json.dumps(issues),
                        "measures": json.dumps(measures),
                        "counts": json.dumps(counts),
                    },
                )
            for run_id, backtest, studies, warnings in RUNS:
                connection.execute(
                    text(
                        "INSERT INTO forecast_run (id, model_version, data_cutoff, "
                        "data_fingerprint, fitted_at, seconds, trigger, models, backtest, "
                        "event_studies, early_warnings, warnings_at) VALUES (:id, 'panel-3', "
                        "2024, :fp, :at, 1.5, 'test', '[]', :b, :e, :w, :at)"
                    ),
                    {
                        "id": run_id,
                        "fp": "f" * 64,
                        "at": STAMP,
                        "b": json.dumps(backtest),
                        "e": json.dumps(studies),
                        "w": json.dumps(warnings),
                    },
                )
    finally:
        engine.dispose()


def test_returns_and_forecast_results_move_to_rows_and_back(blank_database_url: str) -> None:
    url = blank_database_url
    _load_at_0007(url)
    before = _stored(url)
    assert before["returns"][1] == RETURNS[0][2:]
    assert before["runs"][1] == RUNS[0][1:]

    migrations.upgrade(url, "0008")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            figures = {
                tuple(row)
                for row in connection.execute(
                    text("SELECT return_id, kind, measure, value FROM return_measure")
                )
            }
            rules = [
                tuple(row)
                for row in connection.execute(
                    text(
                        "SELECT return_id, position, severity, rule, row, file "
                        "FROM return_issue ORDER BY return_id, position"
                    )
                )
            ]
            flagged = {
                tuple(row)
                for row in connection.execute(
                    text(
                        "SELECT council_code, measure, kind FROM early_warning "
                        "WHERE measure IN ('turnover_rate_fte', 'inpost_fte', 'vacancy_rate_fte')"
                    )
                )
            }
            series = [
                tuple(row)
                for row in connection.execute(
                    text(
                        "SELECT f.year, f.value FROM early_warning_figure f JOIN early_warning w "
                        "ON w.id = f.warning_id WHERE f.name = 'turnover' ORDER BY f.position"
                    )
                )
            ]
            mase = connection.execute(
                text(
                    "SELECT mase FROM backtest_score WHERE run_id = 1 AND \"group\" = 'all' "
                    "AND method = 'panel'"
                )
            ).scalar_one()
            estimates = connection.execute(
                text("SELECT count(*) FROM event_study_estimate")
            ).scalar_one()
    finally:
        engine.dispose()
    assert figures == {
        (1, "measure", "turnover_rate_fte", 14.7),
        (1, "measure", "agency_rate_fte", 63.3),
        (1, "measure", "vacancy_rate_fte", None),
        (1, "count", "inpost_fte", 174.5),
        (1, "count", "inpost_headcount", 180.0),
        (1, "count", "leavers_fte", None),
    }
    assert rules == [
        (1, 1, "warning", "plausibility.agency_rate_fte", None, None),
        (1, 2, "warning", "swe.format", 3, "q2.assignments.csv"),
        (2, 1, "error", "scope.council", 2, None),
        (2, 2, "error", "xml.malformed", None, None),
    ]
    assert flagged == {
        ("202", "turnover_rate_fte", "reason"),
        ("202", "inpost_fte", "caveat"),
        ("203", "vacancy_rate_fte", "reason"),
    }
    assert series == [(2022, 12.5), (2023, 14.0), (2024, 16.25)]
    assert (mase, estimates) == (0.8, 3)

    # Read back through the models (which are head's: later migrations add columns, such
    # as an issue's cell in 0013), each in the shape the JSON held.
    migrations.upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            returns = session.exec(select(CouncilReturn).order_by(col(CouncilReturn.id))).all()
            assert [(r.issues, r.measures, r.counts) for r in returns] == [
                tuple(row[2:]) for row in RETURNS
            ]
            runs = session.exec(select(ForecastRun).order_by(col(ForecastRun.id))).all()
            assert [(r.backtest, r.event_studies, r.early_warnings) for r in runs] == [
                tuple(row[1:]) for row in RUNS
            ]
            assert list(runs[0].backtest) == list(BACKTEST)  # the keys in their order
            # New rows take ids after the migrated ones (PostgreSQL's sequences moved on).
            line = EarlyWarning(
                run_id=2,
                rank=1,
                council_code="202",
                council_name="Camden",
                score=1.0,
                position=1,
                kind="reason",
                measure="vacancy_rate_fte",
                text="a new reason",
            )
            session.add(line)
            session.commit()
            assert line.id is not None and line.id > 5
            session.delete(line)
            session.commit()
    finally:
        engine.dispose()

    migrations.downgrade(url, "0007")
    assert _stored(url) == before
    migrations.upgrade(url)
