"""The bundled reference data: complete, consistent, and loaded idempotently."""

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from workforce.councils.models import (
    Council,
    CouncilSuccession,
    Region,
    ReportingUnit,
    StatisticalNeighbour,
)
from workforce.councils.reference import (
    load_reference_data,
    parse_statistical_neighbours,
)
from workforce.data import BUNDLED_DATA, REFERENCE_DIR
from workforce.db import session_scope
from workforce.errors import InputDataError

TABLES: list[type[SQLModel]] = [
    Region,
    ReportingUnit,
    Council,
    CouncilSuccession,
    StatisticalNeighbour,
]


def _counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            t.__tablename__: session.exec(select(func.count()).select_from(t)).one()  # type: ignore[attr-defined]
            for t in TABLES
        }


def test_loading_twice_leaves_the_same_rows(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = load_reference_data(session=session)
    counts = _counts(engine)
    with session_scope(engine) as session:
        second = load_reference_data(session=session)
    assert first.changed == sum(counts.values())
    assert second.changed == 0
    assert _counts(engine) == counts
    assert counts == {
        "region": 12,
        "reporting_unit": 2,
        "council": 158,
        "council_succession": 8,
        "statistical_neighbour": 1560,
    }


def test_every_current_english_council_is_there(reference_session: Session) -> None:
    councils = reference_session.exec(select(Council)).all()
    current = [c for c in councils if c.last_year is None]
    assert len(current) == 153
    assert {c.code for c in councils if c.last_year is not None} == {
        "835",
        "836",
        "837",
        "909",
        "928",
    }
    assert all(
        len(c.code) == 3 and c.ons_code.startswith("E") and len(c.ons_code) == 9 for c in councils
    )
    london = [c for c in current if c.region_code == "E12000007"]
    assert len(london) == 33
    assert all(c.london_subregion_code in {"E13000001", "E13000002"} for c in london)


def test_combined_reporting_is_represented(reference_session: Session) -> None:
    units = {u.code: u for u in reference_session.exec(select(ReportingUnit))}
    assert set(units) == {"314 / 318", "940 / 941"}
    assert units["314 / 318"].lead_council_code == "314"
    members = {
        c.code: c.reporting_unit_code
        for c in reference_session.exec(
            select(Council).where(Council.reporting_unit_code.is_not(None))
        )  # type: ignore[union-attr]
    }
    assert members == {
        "314": "314 / 318",
        "318": "314 / 318",
        "940": "940 / 941",
        "941": "940 / 941",
    }


def test_every_code_in_the_bundled_public_files_resolves(reference_session: Session) -> None:
    known = set(reference_session.exec(select(Council.code)))
    units = set(reference_session.exec(select(ReportingUnit.code)))
    seen: set[str] = set()
    for path in (BUNDLED_DATA / "csww").glob("*.csv"):
        with path.open(encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                if row["geographic_level"] == "Local authority":
                    code = row["old_la_code"]
                    assert code in known or code in units, f"{path.name}: {code}"
                    seen.add(code)
    with (BUNDLED_DATA / "ofsted" / "ofsted_judgement_history.csv").open(
        encoding="utf-8-sig"
    ) as handle:
        for row in csv.DictReader(handle):
            assert row["la_code"] in known, row
    # ...and every current council has published figures, alone or in its combined row.
    for council in reference_session.exec(select(Council).where(Council.last_year.is_(None))):  # type: ignore[union-attr]
        assert council.code in seen or council.reporting_unit_code in seen, council


def test_each_council_has_ten_ranked_neighbours(reference_session: Session) -> None:
    rows = reference_session.exec(select(StatisticalNeighbour)).all()
    by_council: dict[str, list[int]] = {}
    for row in rows:
        by_council.setdefault(row.council_code, []).append(row.rank)
        assert row.neighbour_code != row.council_code
    assert all(sorted(ranks) == list(range(1, 11)) for ranks in by_council.values())
    camden = sorted((r for r in rows if r.council_code == "202"), key=lambda r: r.rank)
    assert [(r.neighbour_code, r.closeness) for r in camden[:2]] == [
        ("213", "Very close"),
        ("205", "Close"),
    ]


def _copy_reference(tmp_path: Path) -> Path:
    folder = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, folder)
    return folder


def test_a_changed_file_updates_only_what_changed(engine: Engine, tmp_path: Path) -> None:
    folder = _copy_reference(tmp_path)
    with session_scope(engine) as session:
        load_reference_data(session=session, folder=folder)
    path = folder / "local_authorities.csv"
    path.write_text(path.read_text().replace(",Camden,", ",London Borough of Camden,"))
    neighbours = folder / "statistical_neighbours_april_2021.csv"
    lines = neighbours.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    # Swap Camden's first two neighbours: both ranks change, the list stays valid.
    lines = [
        line.replace(
            "202,Camden,202,3,London (Inner),213,Very Close,205,Close",
            "202,Camden,202,3,London (Inner),205,Very Close,213,Close",
        )
        for line in lines
    ]
    neighbours.write_text("".join(lines))
    with session_scope(engine) as session:
        report = load_reference_data(session=session, folder=folder)
    assert report.tables["council"].updated == 1
    assert report.tables["statistical_neighbour"].updated == 2
    assert report.changed == 3
    with Session(engine) as session:
        assert session.get(Council, "202").name == "London Borough of Camden"  # type: ignore[union-attr]
        assert session.get(StatisticalNeighbour, ("202", 1)).neighbour_code == "205"  # type: ignore[union-attr]


def test_bad_rows_are_reported_with_file_row_column_and_value(
    engine: Engine, tmp_path: Path
) -> None:
    folder = _copy_reference(tmp_path)
    path = folder / "local_authorities.csv"
    text = path.read_text().replace("202,E09000007,Camden", "2O2,E09000007,Camden")
    path.write_text(text.replace("E06000047,County Durham", "W06000047,County Durham"))
    with pytest.raises(InputDataError) as caught, session_scope(engine) as session:
        load_reference_data(session=session, folder=folder)
    problems = {(p.file, p.column, p.value) for p in caught.value.problems}
    assert ("local_authorities.csv", "code", "2O2") in problems
    assert ("local_authorities.csv", "ons_code", "W06000047") in problems
    assert all(p.row and p.row > 1 for p in caught.value.problems)
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Council)).one() == 0


def test_a_neighbours_file_with_a_bad_rating_or_unknown_code_is_refused(
    engine: Engine, tmp_path: Path
) -> None:
    folder = _copy_reference(tmp_path)
    path = folder / "statistical_neighbours_april_2021.csv"
    text = path.read_text(encoding="utf-8-sig")
    text = text.replace(
        "202,Camden,202,3,London (Inner),213,Very Close",
        "202,Camden,202,3,London (Inner),213,Rather Close",
    )
    text = text.replace(
        "203,Greenwich,203,3,London (Outer),308", "203,Greenwich,203,3,London (Outer),777"
    )
    path.write_text(text)
    with pytest.raises(InputDataError) as caught:
        parse_statistical_neighbours(path)
    [problem] = caught.value.problems
    assert (problem.rule, problem.column, problem.value) == (
        "neighbours.closeness",
        "SNP after SN1",
        "Rather Close",
    )
    path.write_text(text.replace("Rather Close", "Very Close"))
    with pytest.raises(InputDataError) as caught, session_scope(engine) as session:
        load_reference_data(session=session, folder=folder)
    [problem] = caught.value.problems
    assert (problem.rule, problem.column, problem.value) == (
        "neighbours.unknown_council",
        "SN1",
        "777",
    )


def test_a_file_that_is_not_a_neighbours_file_is_refused_naming_what_it_lacks(
    tmp_path: Path,
) -> None:
    path = tmp_path / "other.csv"
    path.write_text("LA num,LA Name,SN1,SNP\n202,Camden,213,Close\n")
    with pytest.raises(InputDataError, match=r"lacks column\(s\) SN2, SN3"):
        parse_statistical_neighbours(path)
