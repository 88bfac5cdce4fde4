"""Every published local-authority rate, recomputed from its published counts.

A release rounds FTE counts to one decimal and rates to one decimal, so a rate agrees
when the published value is reachable from counts anywhere inside their rounding
intervals. Rows that disagree are collected and shown in full, never skipped.
"""

from collections import defaultdict
from pathlib import Path

import pytest

from workforce.data import BUNDLED_DATA
from workforce.measures import MEASURES, check_published
from workforce.statistics.formats import parse_release
from workforce.statistics.models import GeographicLevel

RELEASES = sorted((BUNDLED_DATA / "csww").glob("*.csv"))
DERIVED = [m.name for m in MEASURES.values() if m.is_derived]


def _rows(path: Path) -> dict[tuple[str, int], dict[str, float | None]]:
    _layout, rows, _ignored = parse_release(path.read_bytes(), path.name)
    return {
        (row.area_code, row.year): row.values
        for row in rows
        if row.level is GeographicLevel.local_authority
    }


@pytest.mark.parametrize("path", RELEASES, ids=[p.name for p in RELEASES])
def test_every_published_rate_follows_from_its_counts(path: Path) -> None:
    rows = _rows(path)
    checked: dict[str, int] = defaultdict(int)
    disagreements = []
    for (area, year), values in sorted(rows.items()):
        for name in DERIVED:
            published = values.get(name)
            if published is None:
                continue
            counts = {i: values.get(i) for i in MEASURES[name].inputs}
            result = check_published(name, counts, published, year)  # type: ignore[arg-type]
            if result is None:
                continue  # an input is suppressed: the row is not complete for this measure
            checked[name] += 1
            agrees, low, high = result
            if not agrees:
                disagreements.append(
                    f"{area} {year} {name}: published {published}, "
                    f"counts give {low:.3f} to {high:.3f}"
                )
    assert disagreements == [], "\n".join(disagreements)
    # Every complete row was checked: about 150 councils a year, for each derived measure.
    years = {year for _, year in rows}
    for name in ("turnover_rate_fte", "agency_rate_fte", "vacancy_rate_fte", "caseload_fte"):
        assert checked[name] >= 140 * len(years), (name, checked[name])


def test_complete_rows_are_all_the_rows_with_every_input() -> None:
    rows = _rows(BUNDLED_DATA / "csww" / "csww_indicators_2017_to_2023.csv")
    complete = [
        key
        for key, values in rows.items()
        if all(
            values.get(i) is not None for i in ("leavers_fte", "inpost_fte", "turnover_rate_fte")
        )
    ]
    assert len(complete) == 1048
