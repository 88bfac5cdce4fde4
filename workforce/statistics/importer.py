"""Importing a DfE workforce release: validate every cell, then write it in one go.

Nothing is written unless the whole file is valid. Re-importing a file changes nothing;
a newer release replaces the figures it revises and records each revision (old value,
new value, the two releases, when). A figure is only replaced by a release at least as
new as the one it came from, so importing an old file after a new one loses nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select
from sqlmodel import Session

from workforce.councils.models import Council, ReportingUnit
from workforce.db import executemany, fetchall
from workforce.errors import InputDataError, Problem
from workforce.runs.models import utcnow
from workforce.statistics.layouts import Layout, detect_layout
from workforce.statistics.models import GeographicLevel, Publication

SUPPRESSION_CODES = {
    "z": "not applicable",
    "x": "not available",
    "u": "low reliability",
    "c": "confidential",
    "low": "rounds to zero",
}
LEVELS = {
    "national": GeographicLevel.national,
    "regional": GeographicLevel.regional,
    "local authority": GeographicLevel.local_authority,
}
MAX_PROBLEMS = 500
INFINITY = float("inf")


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


class _Figure(NamedTuple):
    # A NamedTuple, not a dataclass: a release holds ~25,000 figures, built in a tight loop.
    level: GeographicLevel
    area_code: str
    area_name: str
    year: int
    measure: str
    value: float | None
    suppression: str | None


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputDataError(
        [Problem("csww.encoding", "file is neither UTF-8 nor Windows-1252 text", name)]
    )


def _cell(
    raw: str, name: str, line: int, column: str
) -> tuple[float | None, str | None, Problem | None]:
    text = raw.strip()
    if text == "":
        return None, None, None
    code = text.lower()
    if code in SUPPRESSION_CODES:
        return None, code, None
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or number != number or number in (float("inf"), float("-inf")):
        return (
            None,
            None,
            Problem(
                "csww.value",
                "expected a number or a suppression code (" + ", ".join(SUPPRESSION_CODES) + ")",
                name,
                line,
                column,
                raw,
            ),
        )
    if number < 0:
        return (
            None,
            None,
            Problem(
                "csww.negative", "counts and rates cannot be negative", name, line, column, raw
            ),
        )
    return number, None, None


def parse_release(
    data: bytes, name: str, progress: Callable[[int], None] | None = None
) -> tuple[Layout, list[_Figure], list[str]]:
    """Return the layout, every figure, and the columns ignored; raise with every problem."""
    reader = csv.reader(io.StringIO(_decode(data, name), newline=""))
    header = [h.strip() for h in next(reader, [])]
    layout, missing = detect_layout(header)
    if layout is None:
        raise InputDataError(
            [
                Problem(
                    "csww.layout",
                    "not a known DfE workforce release layout: lacks column(s) "
                    + ", ".join(missing),
                    name,
                    1,
                )
            ]
        )
    index = {column: position for position, column in enumerate(header)}
    measure_positions = [(index[c], c, m) for c, m in layout.columns.items() if c in index]
    ignored = [
        c
        for c in header
        if c not in layout.columns and c not in layout.required and c != "time_identifier" and c
    ]
    figures: list[_Figure] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, int], int] = {}
    for line_number, row in enumerate(reader, start=2):
        if progress and line_number % 100 == 0:
            progress(100)
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(
                Problem(
                    "csww.columns",
                    f"row has {len(row)} cells, header has {len(header)}",
                    name,
                    line_number,
                )
            )
            continue

        def get(column: str, _row: list[str] = row) -> str:
            return _row[index[column]].strip()

        level = LEVELS.get(get("geographic_level").lower())
        if level is None:
            problems.append(
                Problem(
                    "csww.geographic_level",
                    "expected National, Regional or Local authority",
                    name,
                    line_number,
                    "geographic_level",
                    get("geographic_level"),
                )
            )
            continue
        year_text = get("time_period")
        if not (year_text.isdigit() and len(year_text) == 4):
            problems.append(
                Problem(
                    "csww.time_period",
                    "expected a 4-digit census year",
                    name,
                    line_number,
                    "time_period",
                    year_text,
                )
            )
            continue
        year = int(year_text)
        if level is GeographicLevel.national:
            area, area_name, code_column = get("country_code"), get("country_name"), "country_code"
        elif level is GeographicLevel.regional:
            area, area_name, code_column = get("region_code"), get("region_name"), "region_code"
        else:
            area, area_name, code_column = get("old_la_code"), get("la_name"), "old_la_code"
        if not area:
            problems.append(
                Problem(
                    "csww.area_code",
                    f"a {level.value} row needs its code",
                    name,
                    line_number,
                    code_column,
                    "",
                )
            )
            continue
        if (area, year) in seen:
            problems.append(
                Problem(
                    "csww.duplicate",
                    f"{area} {year} already given in row {seen[(area, year)]}",
                    name,
                    line_number,
                    code_column,
                    area,
                )
            )
            continue
        seen[(area, year)] = line_number
        for position, column, measure in measure_positions:
            text = row[position]
            try:
                number = float(text)
            except ValueError:
                number = -1.0
            if 0.0 <= number < INFINITY:  # the common case: a plain, valid number
                figures.append(_Figure(level, area, area_name, year, measure, number, None))
                continue
            value, suppression, problem = _cell(text, name, line_number, column)
            if problem:
                problems.append(problem)
            else:
                figures.append(_Figure(level, area, area_name, year, measure, value, suppression))
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise InputDataError(problems)
    if not figures:
        raise InputDataError([Problem("csww.empty", "the file holds no figures", name)])
    return layout, figures, ignored


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
    if session.scalars(select(Publication.id).where(Publication.sha256 == digest)).first():
        report.already_imported = True
        return report
    layout, figures, report.ignored_columns = parse_release(data, source_name, progress)
    report.layout = layout.name
    years = sorted({f.year for f in figures})
    report.years = (years[0], years[-1])
    report.rows = len({(f.area_code, f.year) for f in figures})
    report.warnings = _unknown_councils(session, figures, source_name)

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

    # Every existing figure for these years, with the recency of the release it came from.
    # Tens of thousands of rows: read and written through the driver, in this transaction.
    marks = ", ".join("?" for _ in years)
    query = (
        "SELECT f.id, f.area_code, f.year, f.measure, f.value, f.suppression, "  # noqa: S608
        "f.publication_id, p.last_year FROM published_figure f "
        f"JOIN publication p ON p.id = f.publication_id WHERE f.year IN ({marks})"
    )
    existing = {
        (row[1], row[2], row[3]): (row[0], row[4], row[5], row[6], row[7])
        for row in fetchall(connection, query, years)
    }
    inserts: list[tuple[object, ...]] = []
    revised: list[tuple[object, ...]] = []
    confirmed: list[int] = []
    revisions: list[tuple[object, ...]] = []
    now = utcnow()
    sqlite = connection.dialect.name == "sqlite"
    stamp: object = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now
    for f in figures:
        current = existing.get((f.area_code, f.year, f.measure))
        if current is None:
            inserts.append(
                (
                    f.level.value,
                    f.area_code,
                    f.area_name,
                    f.year,
                    f.measure,
                    f.value,
                    f.suppression,
                    new_id,
                )
            )
            continue
        figure_id, value, suppression, old_id, last_year = current
        if last_year > years[-1]:
            report.kept_newer += 1
        elif (value, suppression) == (f.value, f.suppression):
            confirmed.append(figure_id)
        else:
            revised.append((f.value, f.suppression, f.area_name, new_id, figure_id))
            revisions.append(
                (figure_id, value, suppression, f.value, f.suppression, old_id, new_id, stamp)
            )
    executemany(
        connection,
        "INSERT INTO published_figure (level, area_code, area_name, year, measure, value, "
        "suppression, publication_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        inserts,
    )
    executemany(
        connection,
        "UPDATE published_figure SET value = ?, suppression = ?, area_name = ?, "
        "publication_id = ? WHERE id = ?",
        revised,
    )
    # Figures the new release confirms unchanged now come from it: one statement per chunk.
    for start in range(0, len(confirmed), 5000):
        chunk = confirmed[start : start + 5000]
        executemany(
            connection,
            "UPDATE published_figure SET publication_id = ? WHERE id IN "  # noqa: S608
            f"({', '.join('?' for _ in chunk)})",
            [(new_id, *chunk)],
        )
    executemany(
        connection,
        "INSERT INTO figure_revision (figure_id, old_value, old_suppression, new_value, "
        "new_suppression, old_publication_id, new_publication_id, revised_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        revisions,
    )
    report.added, report.revised, report.unchanged = len(inserts), len(revised), len(confirmed)
    publication.added, publication.revised = report.added, report.revised
    publication.unchanged, publication.kept_newer = report.unchanged, report.kept_newer
    session.add(publication)
    session.flush()
    return report


def _unknown_councils(session: Session, figures: list[_Figure], name: str) -> list[Problem]:
    known = set(session.scalars(select(Council.code))) | set(
        session.scalars(select(ReportingUnit.code))
    )
    unknown = sorted(
        {
            f.area_code
            for f in figures
            if f.level is GeographicLevel.local_authority and f.area_code not in known
        }
    )
    return [
        Problem(
            "csww.unknown_council",
            "no council or reporting unit has this code; its "
            "figures are kept and will join a council once the reference data knows it",
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
