"""Reading a DfE workforce release file: its layout, every row and every cell, checked.

Parsing writes nothing; every problem in the file is reported at once, with its rule id.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter

from workforce.errors import InputDataError, Problem
from workforce.ingest.files import Unreadable
from workforce.ingest.tables import csv_rows
from workforce.statistics.layouts import Layout, detect_layout
from workforce.statistics.models import GeographicLevel

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
class ReleaseRow:
    """One row of a release: an area's figures for one census year."""

    level: GeographicLevel
    area_code: str
    area_name: str
    year: int
    line: int
    values: dict[str, float | None] = field(default_factory=dict)
    suppressions: dict[str, str] = field(default_factory=dict)


# A release holds every council, region and England for each year it covers (about 1,300
# rows for 2017-2024); this leaves room for decades more without reading without bound.
MAX_RELEASE_ROWS = 100_000


def _rows(data: bytes, name: str) -> list[tuple[int, list[str]]]:
    """Return the file's rows (header first), read by the one file-reading core."""
    try:
        return csv_rows(data, name, MAX_RELEASE_ROWS + 1)
    except Unreadable as exc:
        if exc.rule == "file.empty":
            return [(1, [])]  # refused below as lacking the layout's columns
        if exc.rule == "file.encoding":
            message = "file is neither UTF-8 nor Windows-1252 text"
            raise InputDataError([Problem("csww.encoding", message, name)]) from None
        row = exc.where.get("row")
        raise InputDataError([Problem(exc.rule, str(exc), name, row)]) from None


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
) -> tuple[Layout, list[ReleaseRow], list[str]]:
    """Return the layout, every figure, and the columns ignored; raise with every problem."""
    lines = _rows(data, name)
    header = [h.strip() for h in lines[0][1]]
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
    measures = [measure for _, _, measure in measure_positions]
    positions = [position for position, _, _ in measure_positions]
    cells_of: Callable[[list[str]], tuple[str, ...]] = (
        itemgetter(*positions) if len(positions) > 1 else lambda row: (row[positions[0]],)
    )
    ignored = [
        c
        for c in header
        if c not in layout.columns and c not in layout.required and c != "time_identifier" and c
    ]
    geography = itemgetter(
        *(
            index[column]
            for column in (
                "geographic_level",
                "time_period",
                "country_code",
                "country_name",
                "region_code",
                "region_name",
                "old_la_code",
                "la_name",
            )
        )
    )
    width = len(header)
    rows: list[ReleaseRow] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, int], int] = {}
    for line_number, row in lines[1:]:
        if progress and line_number % 100 == 0:
            progress(100)
        if not "".join(row).strip():
            continue
        if len(row) != width:
            problems.append(
                Problem(
                    "csww.columns",
                    f"row has {len(row)} cells, header has {width}",
                    name,
                    line_number,
                )
            )
            continue
        (
            level_text,
            year_text,
            country_code,
            country_name,
            region_code,
            region_name,
            la_code,
            la_name,
        ) = geography(row)
        level = LEVELS.get(level_text.strip().lower())
        if level is None:
            problems.append(
                Problem(
                    "csww.geographic_level",
                    "expected National, Regional or Local authority",
                    name,
                    line_number,
                    "geographic_level",
                    level_text.strip(),
                )
            )
            continue
        year_text = year_text.strip()
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
            area, area_name, code_column = country_code, country_name, "country_code"
        elif level is GeographicLevel.regional:
            area, area_name, code_column = region_code, region_name, "region_code"
        else:
            area, area_name, code_column = la_code, la_name, "old_la_code"
        area, area_name = area.strip(), area_name.strip()
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
        try:
            numbers = list(map(float, cells_of(row)))
        except ValueError:
            numbers = []
        # The common case: every cell a plain number, none negative, none infinite or NaN
        # (a NaN or an infinity makes the sum NaN or infinite).
        if numbers and min(numbers) >= 0.0 and sum(numbers) < INFINITY:
            figures: dict[str, float | None] = dict(zip(measures, numbers, strict=True))
            rows.append(ReleaseRow(level, area, area_name, year, line_number, figures))
        else:
            release_row = ReleaseRow(level, area, area_name, year, line_number)
            rows.append(release_row)
            values, suppressions = release_row.values, release_row.suppressions
            for position, column, measure in measure_positions:
                text = row[position]
                try:
                    number = float(text)
                except ValueError:
                    number = -1.0
                if 0.0 <= number < INFINITY:  # a plain, valid number
                    values[measure] = number
                    continue
                value, suppression, problem = _cell(text, name, line_number, column)
                if problem:
                    problems.append(problem)
                else:
                    values[measure] = value
                    if suppression:
                        suppressions[measure] = suppression
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise InputDataError(problems)
    if not rows:
        raise InputDataError([Problem("csww.empty", "the file holds no figures", name)])
    return layout, rows, ignored
