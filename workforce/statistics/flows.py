"""Importing a DfE workforce release: validate every cell, then write it in one go.

Nothing is written unless the whole file is valid. Re-importing a file changes nothing;
a newer release replaces the figures it revises and records each revision (old value,
new value, the two releases, when). A figure is only replaced by a release at least as
new as the one it came from, so importing an old file after a new one loses nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection
from sqlmodel import Session

from workforce.db import driver_datetime, executemany
from workforce.errors import Problem
from workforce.statistics.formats import ReleaseRow, parse_release
from workforce.statistics.models import GeographicLevel
from workforce.timeutils import utcnow


@dataclass
class CswwImportReport:
    source_name: str
    layout: str = ""
    rows: int = 0
    years: tuple[int, int] | None = None
    added: int = 0
    revised: int = 0
    unchanged: int = 0
    kept_newer: int = 0
    already_imported: bool = False
    publication_id: int | None = None
    ignored_columns: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        if self.already_imported:
            return f"{self.source_name}: already imported (same content); nothing changed"
        span = f"{self.years[0]}-{self.years[1]}" if self.years else "no years"
        return (
            f"{self.source_name} ({self.layout}, {span}, {self.rows} rows): "
            f"{self.added} figures added, {self.revised} revised, {self.unchanged} unchanged, "
            f"{self.kept_newer} kept from a newer release"
            + (f"; {len(self.warnings)} warning(s)" if self.warnings else "")
        )


def import_release(
    *,
    session: Session,
    data: bytes,
    source_name: str,
    progress: Callable[[int], None] | None = None,
) -> CswwImportReport:
    """Return what importing one release file did; nothing is written if it is invalid."""
    report = CswwImportReport(source_name=source_name)
    digest = hashlib.sha256(data).hexdigest()
    session.flush()
    connection = session.connection()
    if _select(connection, "SELECT id FROM publication WHERE sha256 = ?", (digest,)):
        report.already_imported = True
        return report
    layout, rows, report.ignored_columns = parse_release(data, source_name, progress)
    report.layout = layout.name
    incoming = {(row.area_code, row.year): row for row in rows}
    years = sorted({year for _, year in incoming})
    report.years = (years[0], years[-1])
    report.rows = len(incoming)
    report.warnings = _unknown_councils(connection, incoming, source_name)
    stamp = driver_datetime(connection, utcnow())
    [(new_id,)] = _select(
        connection,
        "INSERT INTO publication (source_name, sha256, layout, first_year, last_year, "
        '"rows", imported_at, added, revised, unchanged, kept_newer) '
        "VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0) RETURNING id",
        (source_name, digest, layout.name, years[0], years[-1], report.rows, stamp),
    )
    report.publication_id = new_id
    # The release's years: a span as one range test, else each year.
    if years == list(range(years[0], years[-1] + 1)):
        in_years, scope = "BETWEEN ? AND ?", [years[0], years[-1]]
    else:
        in_years, scope = "IN (" + ", ".join("?" for _ in years) + ")", years
    existing_rows = {
        (row[1], row[2]): row
        for row in _select(
            connection,
            "SELECT r.id, r.area_code, r.year, r.area_name, r.publication_id, "  # noqa: S608
            "p.last_year FROM published_row r JOIN publication p ON p.id = r.publication_id "
            f"WHERE r.year {in_years}",
            scope,
        )
    }
    existing = _stored_figures(connection, in_years, scope)
    new_rows: list[tuple[object, ...]] = []
    renamed: list[tuple[object, ...]] = []
    confirmed_rows: list[int] = []
    # Rows with figures to add: (area, year, the row, the measures to add).
    additions: list[tuple[str, int, ReleaseRow, Iterable[str]]] = []
    # Figures the new release publishes differently (or again, after they were carried).
    republished: list[tuple[object, ...]] = []
    carried_figures: list[tuple[object, ...]] = []
    revisions: list[tuple[object, ...]] = []
    for (area, year), new in incoming.items():
        values, codes = new.values, new.suppressions
        current = existing_rows.get((area, year))
        if current is None:
            new_rows.append((new.level.value, area, new.area_name, year, new_id))
            additions.append((area, year, new, values))
            report.added += len(values)
            continue
        row_id, _, _, area_name, old_id, last_year = current
        if last_year > years[-1]:
            report.kept_newer += len(values)
            continue
        if new.area_name != area_name:
            renamed.append((new.area_name, new_id, row_id))
        else:
            confirmed_rows.append(row_id)
        stored = existing.get((area, year))
        if stored is None:
            additions.append((area, year, new, values))
            report.added += len(values)
            continue
        old, ids, carried = stored
        published = {**values, **codes} if codes else values
        if published == old and not carried:
            report.unchanged += len(values)
            continue
        # The figures this release adds or publishes differently, in the file's order.
        changed = [m for m, figure in published.items() if old.get(m, _ABSENT) != figure]
        added = [measure for measure in changed if measure not in ids]
        report.added += len(added)
        report.revised += len(changed) - len(added)
        report.unchanged += len(values) - len(changed)
        if added:
            additions.append((area, year, new, added))
        for measure in changed:
            figure_id = ids.get(measure)
            if figure_id is None:
                continue
            value, code = values[measure], codes.get(measure)
            old_value, old_code = _figure(old[measure])
            republished.append((value, code, figure_id))
            release = carried.get(measure) or old_id
            revisions.append((figure_id, old_value, old_code, value, code, release, new_id, stamp))
        if carried:
            # Figures carried from an older release that this one publishes again, unchanged.
            republished.extend(
                (values[measure], codes.get(measure), ids[measure])
                for measure in carried
                if measure in values and measure not in changed
            )
        if len(old) > len(values) - len(added):
            # Measures the new release lacks keep their older figure, marked with its release.
            carried_figures.extend(
                (old_id, ids[measure])
                for measure in old.keys() - published.keys()
                if measure not in carried
            )
    executemany(
        connection,
        "INSERT INTO published_row (level, area_code, area_name, year, publication_id) "
        "VALUES (?, ?, ?, ?, ?)",
        new_rows,
    )
    executemany(
        connection,
        "UPDATE published_row SET area_name = ?, publication_id = ? WHERE id = ?",
        renamed,
    )
    # Rows the new release confirms now come from it: one statement per chunk.
    for start in range(0, len(confirmed_rows), 5000):
        chunk = confirmed_rows[start : start + 5000]
        placeholders = ", ".join("?" for _ in chunk)
        executemany(
            connection,
            f"UPDATE published_row SET publication_id = ? WHERE id IN ({placeholders})",  # noqa: S608
            [(new_id, *chunk)],
        )
    # In key order, so each page of the (area, year, measure) index is written once.
    additions.sort(key=_row_key)
    new_figures = [
        (area, year, measure, row.values[measure], row.suppressions.get(measure))
        for area, year, row, measures in additions
        for measure in sorted(measures)
    ]
    executemany(
        connection,
        "INSERT INTO published_figure (area_code, year, measure, value, suppression) "
        "VALUES (?, ?, ?, ?, ?)",
        new_figures,
    )
    executemany(
        connection,
        "UPDATE published_figure SET value = ?, suppression = ?, carried_from_id = NULL "
        "WHERE id = ?",
        republished,
    )
    executemany(
        connection,
        "UPDATE published_figure SET carried_from_id = ? WHERE id = ?",
        carried_figures,
    )
    executemany(
        connection,
        "INSERT INTO figure_revision (figure_id, old_value, old_suppression, new_value, "
        "new_suppression, old_publication_id, new_publication_id, revised_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        revisions,
    )
    executemany(
        connection,
        "UPDATE publication SET added = ?, revised = ?, unchanged = ?, kept_newer = ? WHERE id = ?",
        [(report.added, report.revised, report.unchanged, report.kept_newer, new_id)],
    )
    return report


# A stored figure as compared with a release's: its value, its suppression code where it
# is suppressed, or None where blank (both, in the unlikely case a row holds both).
Stored = float | str | tuple[float | None, str | None] | None
_ABSENT = object()


def _select(connection: Connection, sql: str, params: Sequence[Any] = ()) -> Sequence[Any]:
    """Return every row of ``sql`` (``?`` placeholders) as the driver gives them."""
    if connection.dialect.name != "sqlite":
        sql = sql.replace("?", "%s")
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, tuple(params))
        return cursor.fetchall()
    finally:
        cursor.close()


def _stored_figures(
    connection: Connection, in_years: str, scope: list[int]
) -> dict[tuple[str, int], tuple[dict[str, Stored], dict[str, int], dict[str, int]]]:
    """Return each stored row's figures: measure -> figure, -> id, and -> release if carried."""
    rows: dict[tuple[str, int], tuple[dict[str, Stored], dict[str, int], dict[str, int]]] = {}
    figures: dict[str, Stored] = {}
    ids: dict[str, int] = {}
    carried: dict[str, int] = {}
    last_area, last_year = None, None
    for figure_id, area, year, measure, value, code, carried_from in _select(
        connection,
        "SELECT id, area_code, year, measure, value, suppression, "  # noqa: S608
        f"carried_from_id FROM published_figure WHERE year {in_years}",
        scope,
    ):
        if area != last_area or year != last_year:
            last_area, last_year = area, year
            row = rows.get((area, year))
            if row is None:
                row = rows[area, year] = ({}, {}, {})
            figures, ids, carried = row
        if code is None:
            figures[measure] = value
        else:
            figures[measure] = code if value is None else (value, code)
        ids[measure] = figure_id
        if carried_from is not None:
            carried[measure] = carried_from
    return rows


def _figure(stored: Stored) -> tuple[float | None, str | None]:
    """Return a stored figure's value and suppression code."""
    if stored is None:
        return None, None
    if isinstance(stored, str):
        return None, stored
    if isinstance(stored, tuple):
        return stored
    return stored, None


def _row_key(addition: tuple[str, int, ReleaseRow, Iterable[str]]) -> tuple[str, int]:
    return addition[0], addition[1]


def _unknown_councils(
    connection: Connection, incoming: dict[tuple[str, int], ReleaseRow], name: str
) -> list[Problem]:
    known = {
        code
        for (code,) in _select(
            connection, "SELECT code FROM council UNION ALL SELECT code FROM reporting_unit"
        )
    }
    unknown = sorted(
        {
            area
            for (area, _), row in incoming.items()
            if row.level is GeographicLevel.local_authority and area not in known
        }
    )
    return [
        Problem(
            "csww.unknown_council",
            "no council or reporting unit has this code; its figures are kept and will join "
            "a council once the reference data knows it",
            name,
            None,
            "old_la_code",
            code,
        )
        for code in unknown
    ]


def import_release_file(
    *, session: Session, path: Path, progress: Callable[[int], None] | None = None
) -> CswwImportReport:
    """Return what importing the release file at ``path`` did."""
    return import_release(
        session=session, data=path.read_bytes(), source_name=path.name, progress=progress
    )
