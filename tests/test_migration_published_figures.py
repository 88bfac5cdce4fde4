"""Migration 0007 moves every published figure out of JSON into rows, and back, losslessly."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text

from workforce import migrations
from workforce.db import make_engine

STAMP = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

# Two releases; the newer lacks agency_rate_fte, so 2022's agency figure is carried.
PUBLICATIONS = [
    (1, "csww_2022.csv", "a" * 64, "headline", 2017, 2022),
    (2, "csww_2023.csv", "b" * 64, "indicators", 2017, 2023),
]
# id, level, area, name, year, figure_values, suppressions, carried, publication
ROWS: list[tuple[Any, ...]] = [
    (
        1,
        "local_authority",
        "202",
        "Camden",
        2022,
        {"turnover_rate_fte": 15.5, "agency_rate_fte": 12.1, "vacancy_rate_fte": None},
        {"vacancy_rate_fte": "x"},
        {"agency_rate_fte": 1},
        2,
    ),
    (
        2,
        "local_authority",
        "314 / 318",
        "Kingston upon Thames / Richmond upon Thames",
        2023,
        {"turnover_rate_fte": None, "caseload_fte": 16.0, "absence_rate_fte": None},
        {"turnover_rate_fte": "low", "absence_rate_fte": "c"},
        {},
        2,
    ),
    (3, "national", "E92000001", "England", 2023, {"turnover_rate_fte": 17.1}, {}, {}, 2),
    (4, "regional", "E12000007", "London", 2017, {}, {}, {}, 1),
    (5, "local_authority", "202", "Camden", 2023, {"turnover_rate_fte": None}, {}, {}, 2),
]
# id, row, measure, old value, old code, new value, new code, old and new publication
REVISIONS: list[tuple[Any, ...]] = [
    (1, 1, "turnover_rate_fte", 15.0, None, 15.5, None, 1, 2),
    (2, 2, "turnover_rate_fte", 0.4, None, None, "low", 1, 2),
]


def _figures(url: str) -> dict[str, Any]:
    """Return every figure and revision as the 0006 schema holds them."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = {
                row[0]: (row[1], row[2], row[3], row[4], *(_json(v) for v in row[5:8]), row[8])
                for row in connection.execute(
                    text(
                        "SELECT id, level, area_code, area_name, year, figure_values, "
                        "suppressions, carried, publication_id FROM published_row"
                    )
                )
            }
            revisions = {
                tuple(row)
                for row in connection.execute(
                    text(
                        "SELECT id, row_id, measure, old_value, old_suppression, new_value, "
                        "new_suppression, old_publication_id, new_publication_id "
                        "FROM figure_revision"
                    )
                )
            }
    finally:
        engine.dispose()
    return {"rows": rows, "revisions": revisions}


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _load_at_0006(url: str) -> None:
    migrations.upgrade(url, "0006")
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for pid, name, sha, layout, first, last in PUBLICATIONS:
                connection.execute(
                    text(
                        "INSERT INTO publication (id, source_name, sha256, layout, first_year, "
                        "last_year, rows, imported_at, added, revised, unchanged, kept_newer) "
                        "VALUES (:id, :name, :sha, :layout, :first, :last, 1, :at, 0, 0, 0, 0)"
                    ),
                    {
                        "id": pid,
                        "name": name,
                        "sha": sha,
                        "layout": layout,
                        "first": first,
                        "last": last,
                        "at": STAMP,
                    },
                )
            for rid, level, area, name, year, values, codes, carried, pid in ROWS:
                connection.execute(
                    text(
                        "INSERT INTO published_row (id, level, area_code, area_name, year, "
                        "figure_values, suppressions, carried, publication_id) VALUES "
                        "(:id, :level, :area, :name, :year, :v, :s, :c, :pid)"
                    ),
                    {
                        "id": rid,
                        "level": level,
                        "area": area,
                        "name": name,
                        "year": year,
                        "v": json.dumps(values),
                        "s": json.dumps(codes),
                        "c": json.dumps(carried),
                        "pid": pid,
                    },
                )
            for rev in REVISIONS:
                connection.execute(
                    text(
                        "INSERT INTO figure_revision (id, row_id, measure, old_value, "
                        "old_suppression, new_value, new_suppression, old_publication_id, "
                        "new_publication_id, revised_at) VALUES "
                        "(:id, :row, :m, :ov, :oc, :nv, :nc, :op, :np, :at)"
                    ),
                    dict(
                        zip(["id", "row", "m", "ov", "oc", "nv", "nc", "op", "np"], rev), at=STAMP
                    ),
                )
    finally:
        engine.dispose()


def test_every_figure_moves_to_its_own_row_and_back(blank_database_url: str) -> None:
    url = blank_database_url
    _load_at_0006(url)
    before = _figures(url)
    assert len(before["rows"]) == len(ROWS)

    migrations.upgrade(url, "0007")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            figures = {
                (row[0], row[1], row[2]): (row[3], row[4], row[5])
                for row in connection.execute(
                    text(
                        "SELECT area_code, year, measure, value, suppression, carried_from_id "
                        "FROM published_figure"
                    )
                )
            }
            revised = {
                (row[0], row[1], row[2], row[3])
                for row in connection.execute(
                    text(
                        "SELECT r.id, f.area_code, f.year, f.measure FROM figure_revision r "
                        "JOIN published_figure f ON f.id = r.figure_id"
                    )
                )
            }
    finally:
        engine.dispose()
    expected = {
        (area, year, measure): (value, codes.get(measure), carried.get(measure))
        for _, _, area, _, year, values, codes, carried, _ in ROWS
        for measure, value in values.items()
    }
    assert figures == expected
    assert figures[("202", 2022, "agency_rate_fte")] == (12.1, None, 1)
    assert figures[("314 / 318", 2023, "turnover_rate_fte")] == (None, "low", None)
    assert revised == {
        (1, "202", 2022, "turnover_rate_fte"),
        (2, "314 / 318", 2023, "turnover_rate_fte"),
    }

    migrations.downgrade(url, "0006")
    assert _figures(url) == before
    migrations.upgrade(url)
