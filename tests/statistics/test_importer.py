"""Importing DfE workforce releases: layouts, suppression, revisions, refusals."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from workforce.data import BUNDLED_DATA
from workforce.errors import InputDataError
from workforce.statistics.flows import import_release, import_release_file
from workforce.statistics.models import (
    FigurePublic,
    FigureRevision,
    Publication,
    PublishedFigure,
    PublishedRow,
)
from workforce.statistics.service import _figures

OLD = BUNDLED_DATA / "csww" / "csww_headline_measures_2017_to_2022.csv"
NEW = BUNDLED_DATA / "csww" / "csww_indicators_2017_to_2023.csv"


def _count(session: Session, table: type) -> int:
    return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _figure(session: Session, area: str, year: int, measure: str) -> FigurePublic:
    [figure] = _figures(session=session, area_codes=[area], years=[year], measures=[measure])
    return figure


def test_two_releases_in_order_record_every_revision(reference_session: Session) -> None:
    first = import_release_file(session=reference_session, path=OLD)
    assert (first.layout, first.years, first.rows) == ("csww_headline_measures", (2017, 2022), 978)
    assert first.added == 19560 and first.revised == 0
    second = import_release_file(session=reference_session, path=NEW)
    assert (second.layout, second.years, second.rows) == ("csww_indicators", (2017, 2023), 1137)
    assert second.revised == 2502
    assert second.warnings == [] and second.ignored_columns == []
    reference_session.commit()
    la_turnover = reference_session.scalar(
        select(func.count())
        .select_from(FigureRevision)
        .join(PublishedFigure, PublishedFigure.id == FigureRevision.figure_id)
        .join(
            PublishedRow,
            (PublishedRow.area_code == PublishedFigure.area_code)
            & (PublishedRow.year == PublishedFigure.year),
        )
        .where(
            PublishedFigure.measure == "turnover_rate_fte",
            PublishedRow.level == "local_authority",
        )
    )
    assert la_turnover == 93
    england = _figure(reference_session, "E92000001", 2023, "turnover_rate_fte")
    assert england.value == 15.9
    assert _figure(reference_session, "E92000001", 2023, "agency_rate_fte").value == 17.8
    assert _figure(reference_session, "E92000001", 2017, "caseload_fte").value == 17.7


def test_reimporting_changes_nothing_and_an_older_release_never_overwrites(
    reference_session: Session, tmp_path: Path
) -> None:
    import_release_file(session=reference_session, path=NEW)
    before = (_count(reference_session, PublishedRow), _count(reference_session, FigureRevision))
    assert import_release_file(session=reference_session, path=NEW).already_imported
    # The older release arriving after the newer one: its figures for the same years are
    # kept out, and the years only it holds are added.
    late = import_release_file(session=reference_session, path=OLD)
    assert late.kept_newer > 0 and late.revised == 0
    assert _count(reference_session, FigureRevision) == before[1]
    assert _figure(reference_session, "E92000001", 2022, "turnover_rate_fte").value == 17.1


def test_suppression_codes_are_missing_values_with_their_code(reference_session: Session) -> None:
    import_release_file(session=reference_session, path=NEW)
    suppressed = [f for f in _figures(session=reference_session) if f.suppression]
    assert {f.suppression for f in suppressed} == {"x", "z", "c", "u", "low"}
    assert all(f.value is None for f in suppressed)
    assert not any(f.value == 0 and f.suppression for f in suppressed)


def test_combined_councils_are_kept_as_published(reference_session: Session) -> None:
    import_release_file(session=reference_session, path=NEW)
    combined = _figure(reference_session, "314 / 318", 2023, "inpost_fte")
    assert combined.area_name == "Kingston upon Thames / Richmond upon Thames"
    assert combined.value is not None
    assert _figure(reference_session, "940 / 941", 2021, "inpost_fte").value is not None


def test_a_later_release_in_either_layout_imports_without_code_changes(
    reference_session: Session, tmp_path: Path
) -> None:
    text = NEW.read_text(encoding="utf-8-sig")
    header, *rows = text.splitlines()
    extra = [
        r.replace("2023,Reporting year", "2025,Reporting year", 1)
        for r in rows
        if r.startswith("2023,")
    ]
    later = tmp_path / "csww_indicators_2017_to_2025.csv"
    later.write_text(
        "\n".join([header + ",new_unknown_column", *(r + ",1" for r in rows + extra)]) + "\n"
    )
    report = import_release_file(session=reference_session, path=later)
    assert report.years == (2017, 2025)
    assert report.ignored_columns == ["new_unknown_column"]
    assert _figure(reference_session, "E92000001", 2025, "turnover_rate_fte").value == 15.9


def test_an_unknown_layout_is_refused_naming_what_it_lacks(reference_session: Session) -> None:
    data = b"time_period,geographic_level,la_name,inpost_fte\n2023,National,England,1\n"
    with pytest.raises(InputDataError) as caught:
        import_release(session=reference_session, data=data, source_name="odd.csv")
    [problem] = caught.value.problems
    assert problem.rule == "csww.layout"
    assert "country_code" in problem.message and "turnover_rate_fte" in problem.message
    assert _count(reference_session, Publication) == 0


def test_bad_cells_are_all_reported_and_nothing_is_written(reference_session: Session) -> None:
    lines = NEW.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    row = lines[13].split(",")  # County Durham 2023
    row[header.index("turnover_rate_fte")] = "15,5%"
    row[header.index("cases")] = "-3"
    bad_level = lines[14].split(",")
    bad_level[2] = "Ward"
    data = "\n".join([lines[0], ",".join(row), ",".join(bad_level), lines[15], lines[15]]).encode()
    with pytest.raises(InputDataError) as caught:
        import_release(session=reference_session, data=data, source_name="bad.csv")
    found = {(p.rule, p.row, p.column, p.value) for p in caught.value.problems}
    assert ("csww.columns", 2, None, None) in found  # "15,5%" splits the row: cell count is off
    assert ("csww.geographic_level", 3, "geographic_level", "Ward") in found
    assert any(p.rule == "csww.duplicate" and p.row == 5 for p in caught.value.problems)
    assert _count(reference_session, PublishedRow) == 0


def test_a_text_value_is_refused_with_its_cell(reference_session: Session) -> None:
    lines = NEW.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    row = lines[13].split(",")
    row[header.index("turnover_rate_fte")] = "n/a"
    row[header.index("cases")] = "-3"
    data = "\n".join([lines[0], ",".join(row)]).encode()
    with pytest.raises(InputDataError) as caught:
        import_release(session=reference_session, data=data, source_name="bad.csv")
    found = {(p.rule, p.row, p.column, p.value) for p in caught.value.problems}
    assert found == {
        ("csww.value", 2, "turnover_rate_fte", "n/a"),
        ("csww.negative", 2, "cases", "-3"),
    }


def test_windows_1252_files_are_read(reference_session: Session) -> None:
    lines = NEW.read_text(encoding="utf-8-sig").splitlines()
    data = "\n".join([lines[0], lines[13].replace("County Durham", "County Durhám")]).encode(
        "cp1252"
    )
    report = import_release(session=reference_session, data=data, source_name="cp1252.csv")
    assert report.added > 0
    assert _figure(reference_session, "840", 2023, "inpost_fte").area_name == "County Durhám"
