"""Importing a DfE workforce release: validate every cell, then write it in one go.

Nothing is written unless the whole file is valid. Re-importing a file changes nothing;
a newer release replaces the figures it revises and records each revision (old value,
new value, the two releases, when). A figure is only replaced by a release at least as
new as the one it came from, so importing an old file after a new one loses nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session, col

from workforce.councils.models import Council, ReportingUnit
from workforce.db import driver_datetime, executemany, fetchall
from workforce.errors import Problem
from workforce.statistics.formats import ReleaseRow, parse_release
from workforce.statistics.models import GeographicLevel, Publication
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
    if session.scalars(
        select(col(Publication.id)).where(col(Publication.sha256) == digest)
    ).first():
        report.already_imported = True
        return report
    layout, rows, report.ignored_columns = parse_release(data, source_name, progress)
    report.layout = layout.name
    incoming = {(row.area_code, row.year): row for row in rows}
    years = sorted({year for _, year in incoming})
    report.years = (years[0], years[-1])
    report.rows = len(incoming)
    report.warnings = _unknown_councils(session, incoming, source_name)

    publication = Publication(
        source_name=source_name,
        sha256=digest,
        layout=layout.name,
        first_year=years[0],
        last_year=years[-1],
        rows=report.rows,
    )
    session.add(publication)
    session.flush()
    assert publication.id is not None
    report.publication_id = new_id = publication.id
    connection = session.connection()
    marks = ", ".join("?" for _ in years)
    existing_rows = {
        (row[1], row[2]): row
        for row in fetchall(
            connection,
            "SELECT r.id, r.area_code, r.year, r.area_name, r.publication_id, "  # noqa: S608
            "p.last_year FROM published_row r JOIN publication p ON p.id = r.publication_id "
            f"WHERE r.year IN ({marks})",
            years,
        )
    }
    # (area, year) -> measure -> (figure id, value, suppression code, release if carried)
    existing: dict[tuple[str, int], dict[str, tuple[int, float | None, str | None, int]]] = {}
    for figure_id, area, year, measure, value, code, carried in fetchall(
        connection,
        "SELECT id, area_code, year, measure, value, suppression, "  # noqa: S608
        f"carried_from_id FROM published_figure WHERE year IN ({marks})",
        years,
    ):
        existing.setdefault((area, year), {})[measure] = (figure_id, value, code, carried)
    now = utcnow()
    stamp = driver_datetime(connection, now)
    new_rows: list[tuple[object, ...]] = []
    renamed: list[tuple[object, ...]] = []
    confirmed_rows: list[int] = []
    new_figures: list[tuple[object, ...]] = []
    # Figures the new release publishes differently (or again, after they were carried).
    republished: list[tuple[object, ...]] = []
    carried_figures: list[tuple[object, ...]] = []
    revisions: list[tuple[object, ...]] = []
    for (area, year), new in incoming.items():
        current = existing_rows.get((area, year))
        codes = new.suppressions
        if current is None:
            new_rows.append((new.level.value, area, new.area_name, year, new_id))
            new_figures.extend(
                (area, year, measure, value, codes.get(measure))
                for measure, value in new.values.items()
            )
            report.added += len(new.values)
            continue
        row_id, _, _, area_name, old_id, last_year = current
        if last_year > years[-1]:
            report.kept_newer += len(new.values)
            continue
        old = existing.get((area, year), {})
        for measure, value in new.values.items():
            code = codes.get(measure)
            figure = old.get(measure)
            if figure is None:
                report.added += 1
                new_figures.append((area, year, measure, value, code))
            elif (figure[1], figure[2]) == (value, code):
                report.unchanged += 1
                if figure[3] is not None:
                    republished.append((value, code, figure[0]))
            else:
                report.revised += 1
                republished.append((value, code, figure[0]))
                release = figure[3] or old_id
                revisions.append(
                    (figure[0], figure[1], figure[2], value, code, release, new_id, stamp)
                )
        # Measures the new release lacks keep their older figure, marked with its release.
        carried_figures.extend(
            (old_id, figure[0])
            for measure, figure in old.items()
            if figure[3] is None and measure not in new.values
        )
        if new.area_name != area_name:
            renamed.append((new.area_name, new_id, row_id))
        else:
            confirmed_rows.append(row_id)
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
    new_figures.sort(key=lambda figure: figure[:3])
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
    publication.added, publication.revised = report.added, report.revised
    publication.unchanged, publication.kept_newer = report.unchanged, report.kept_newer
    session.add(publication)
    session.flush()
    return report


def _unknown_councils(
    session: Session, incoming: dict[tuple[str, int], ReleaseRow], name: str
) -> list[Problem]:
    known = set(session.scalars(select(col(Council.code)))) | set(
        session.scalars(select(col(ReportingUnit.code)))
    )
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
