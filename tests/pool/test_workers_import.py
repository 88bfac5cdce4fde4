"""Importing pool workers from CSV and XLSX: every row checked with a rule id and its place,
all or nothing, upserted by Social Work England number, audited with its counts; hostile
files refused as the shared reader refuses them; two imports at once lose and duplicate
nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select
from typer.testing import CliRunner

from tests.builders import pool as build
from tests.builders.people import TEST_ACTOR
from workforce.auth.models import AuditEvent
from workforce.config import Settings
from workforce.errors import InputDataError
from workforce.pool import workers
from workforce.pool.models import (
    AreaKind,
    PoolAvailability,
    PoolPermanentPost,
    PoolWorker,
    PoolWorkerArea,
)
from workforce.pool.terms import PoolRole, Specialism
from workforce.pool.worker_file import COLUMNS, template_csv
from workforce.pool.workers_import import import_workers

TODAY = date(2026, 12, 1)


def _import(s: Session, data: bytes, name: str = "workers.csv") -> object:
    report = import_workers(session=s, data=data, file_name=name, actor=TEST_ACTOR, today=TODAY)
    s.commit()
    return report


def _refusal(s: Session, data: bytes, name: str = "workers.csv") -> list[tuple[str, object]]:
    with pytest.raises(InputDataError) as caught:
        import_workers(session=s, data=data, file_name=name, actor=TEST_ACTOR, today=TODAY)
    s.rollback()
    return [(p.rule, p.row) for p in caught.value.problems]


def _count(s: Session, model: type) -> int:
    return s.exec(select(func.count()).select_from(model)).one()


def test_a_csv_file_adds_each_worker_with_their_specialisms_areas_windows_and_past_posts(
    reference_session: Session,
) -> None:
    s = reference_session
    rows = [
        build.worker_row(
            name="Jo Example",
            swe_number="sw123",
            role="Team Manager",
            specialisms="child_protection; court work; Front door/MASH",
            work_regions="London; North West",
            work_councils="Hackney; 203",
            availability="2027-01-04..2027-06-30; 01/09/2027..31/12/2027",
            permanent_posts="Camden:2025-03-31; 203:2024-01-31",
            remote="y",
        ),
        build.worker_row(name="Sam Example", role="iro_cp_chair", specialisms=""),
    ]
    report = _import(s, build.workers_csv(rows))
    assert (report.created, report.updated, report.unchanged, report.rows) == (2, 0, 0, 2)

    (jo,) = s.exec(select(PoolWorker).where(PoolWorker.name == "Jo Example")).all()
    assert jo.swe_number == "SW0000000123"  # the census's form: SW and ten digits
    public = workers.worker_public(session=s, worker=jo)
    assert public.role is PoolRole.team_manager and public.remote
    assert public.specialisms == sorted(
        [Specialism.child_protection, Specialism.court_work, Specialism.front_door]
    )
    assert public.work_regions == [build.NORTH_WEST, build.LONDON]
    assert public.work_councils == ["203", "204"]
    assert public.availability == [
        (date(2027, 1, 4), date(2027, 6, 30)),
        (date(2027, 9, 1), date(2027, 12, 31)),
    ]
    assert public.permanent_posts == [("202", date(2025, 3, 31)), ("203", date(2024, 1, 31))]
    (audit,) = s.exec(select(AuditEvent).where(AuditEvent.entity == "pool_worker")).all()
    assert audit.action == "import"
    assert "2 added, 0 updated, 0 unchanged" in audit.summary


def test_an_xlsx_file_is_read_the_same_way(reference_session: Session) -> None:
    s = reference_session
    row = build.worker_row(qualified_on=date(2010, 9, 1), day_rate=512.5, references_held=3)
    report = _import(s, build.workers_xlsx([row]), "workers.xlsx")
    assert report.created == 1
    worker = s.exec(select(PoolWorker)).one()
    assert (worker.qualified_on, worker.day_rate, worker.references_held) == (
        date(2010, 9, 1),
        512.5,
        3,
    )


def test_a_reimport_updates_by_swe_number_replaces_the_lists_and_counts_the_unchanged(
    reference_session: Session,
) -> None:
    s = reference_session
    first = build.worker_row(availability="2027-01-04..2027-06-30", work_councils="202")
    second = build.worker_row()
    _import(s, build.workers_csv([first, second]))
    changed = {**first, "day_rate": "500", "availability": "2027-02-01..2027-03-31"}
    changed["work_councils"] = ""
    report = _import(s, build.workers_csv([changed, second]))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert _count(s, PoolWorker) == 2
    assert _count(s, PoolAvailability) == 2
    assert s.exec(select(PoolWorkerArea).where(PoolWorkerArea.kind == AreaKind.council)).all() == []
    updated = s.exec(select(PoolWorker).where(PoolWorker.swe_number == first["swe_number"])).one()
    assert updated.day_rate == 500.0
    summaries = s.exec(
        select(AuditEvent.summary)
        .where(AuditEvent.entity == "pool_worker")
        .order_by(col(AuditEvent.id))
    ).all()
    assert [x.split(": ")[1] for x in summaries] == [
        "2 added, 0 updated, 0 unchanged",
        "0 added, 1 updated, 1 unchanged",
    ]


def test_a_file_with_any_bad_row_stores_nothing_and_lists_every_problem_with_its_place(
    reference_session: Session,
) -> None:
    s = reference_session
    good = build.worker_row()
    bad = [
        build.worker_row(role="director"),
        build.worker_row(swe_number="123456"),
        build.worker_row(qualified_on="2031-01-01"),
        build.worker_row(specialisms="child_protection; knitting"),
        build.worker_row(work_regions="Atlantis"),
        build.worker_row(work_councils="999"),
        build.worker_row(availability="2027-06-30..2027-01-04; soon"),
        build.worker_row(permanent_posts="Camden 2025-03-31"),
        build.worker_row(day_rate="lots"),
        build.worker_row(day_rate="0"),
        build.worker_row(registration="pending"),
        build.worker_row(remote="maybe"),
        build.worker_row(home_region=""),
        {**good},  # the same worker twice
    ]
    problems = _refusal(s, build.workers_csv([good, *bad]))
    assert problems == [
        ("worker.role", 3),
        ("worker.swe_number", 4),
        ("worker.qualified_on", 5),
        ("worker.specialisms", 6),
        ("worker.work_regions", 7),
        ("worker.work_councils", 8),
        ("worker.availability", 9),
        ("worker.availability", 9),
        ("worker.permanent_posts", 10),
        ("worker.day_rate", 11),
        ("worker.day_rate", 12),
        ("worker.registration", 13),
        ("worker.remote", 14),
        ("worker.home_region", 15),
        ("worker.swe_number", 16),
    ]
    assert _count(s, PoolWorker) == 0
    assert _count(s, AuditEvent) == 0


def test_each_problem_says_its_sheet_column_and_value(reference_session: Session) -> None:
    s = reference_session
    data = build.workers_xlsx([build.worker_row(role="director")], sheet="workers")
    with pytest.raises(InputDataError) as caught:
        import_workers(session=s, data=data, file_name="w.xlsx", actor=TEST_ACTOR, today=TODAY)
    (problem,) = caught.value.problems
    assert (problem.rule, problem.sheet, problem.row, problem.column, problem.value) == (
        "worker.role",
        "workers",
        2,
        "role",
        "director",
    )
    assert "team_manager" in problem.message


def test_missing_and_unknown_columns_are_refused_before_any_row_is_read(
    reference_session: Session,
) -> None:
    s = reference_session
    columns = [c for c in COLUMNS if c != "swe_number"] + ["date_of_birth"]
    problems = _refusal(s, build.workers_csv([build.worker_row()], columns))
    assert problems == [("structure.missing_column", None), ("structure.unknown_column", 1)]


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (b"", "file.empty"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 64, "file.type"),
        (b"<?xml version='1.0'?><workers/>", "file.type"),
        (b"%PDF-1.4 something", "file.type"),
    ],
)
def test_files_that_are_not_tables_are_refused_in_words(
    reference_session: Session, data: bytes, rule: str
) -> None:
    assert [r for r, _ in _refusal(reference_session, data)] == [rule]


def test_formula_cells_are_refused_never_evaluated(reference_session: Session) -> None:
    s = reference_session
    hostile_csv = build.workers_csv(
        [build.worker_row(name='=HYPERLINK("http://evil.example","x")'), build.worker_row()]
    )
    assert _refusal(s, hostile_csv) == [("cell.formula", 2)]
    hostile_xlsx = build.workers_xlsx(
        [build.worker_row()], formulas={"day_rate": "=400+50", "name": '=CONCAT("a","b")'}
    )
    rules = [r for r, _ in _refusal(s, hostile_xlsx, "workers.xlsx")]
    assert rules.count("xlsx.formula") == 2
    assert _count(s, PoolWorker) == 0


def test_a_workbook_without_a_workers_sheet_among_several_is_refused(
    reference_session: Session,
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "notes"  # type: ignore[union-attr]
    book.create_sheet("people")
    import io

    out = io.BytesIO()
    book.save(out)
    assert [r for r, _ in _refusal(reference_session, out.getvalue(), "x.xlsx")] == [
        "structure.missing_sheet"
    ]


def test_the_template_is_a_valid_file(reference_session: Session) -> None:
    report = _import(reference_session, template_csv().encode())
    assert report.created == 1


def test_the_command_imports_a_file_and_refuses_a_bad_one_listing_every_problem(
    reference_settings: Settings, reference_engine: Engine, tmp_path: Path
) -> None:
    from workforce.cli import app

    good = tmp_path / "workers.csv"
    good.write_bytes(build.workers_csv([build.worker_row(), build.worker_row()]))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(build.workers_csv([build.worker_row(role="x"), build.worker_row(day_rate="")]))
    runner = CliRunner()
    result = runner.invoke(app, ["pool", "import-workers", str(good)])
    assert result.exit_code == 0, result.output
    assert "2 added, 0 updated, 0 unchanged" in result.output
    result = runner.invoke(app, ["pool", "import-workers", str(bad)])
    assert result.exit_code == 1
    assert "2 problem(s)" in result.output
    assert "[worker.role]" in result.output and "[worker.day_rate]" in result.output
    listed = runner.invoke(app, ["pool", "workers", "list"])
    assert listed.exit_code == 0 and "2 worker(s)." in listed.output
    with Session(reference_engine) as s:
        assert _count(s, PoolWorker) == 2


def test_two_imports_of_overlapping_files_at_once_lose_and_duplicate_nothing(
    reference_engine: Engine, backend: str
) -> None:
    shared = [build.worker_row() for _ in range(20)]
    files = [
        build.workers_csv(shared + [build.worker_row() for _ in range(10)]),
        build.workers_csv(shared + [build.worker_row() for _ in range(10)]),
    ]
    barrier = threading.Barrier(2)

    def run(number: int) -> object:
        with Session(reference_engine, expire_on_commit=False) as s:
            s.connection()
            barrier.wait(timeout=60)
            report = import_workers(
                session=s,
                data=files[number],
                file_name=f"w{number}.csv",
                actor=TEST_ACTOR,
                today=TODAY,
            )
            s.commit()
            return report

    with ThreadPoolExecutor(max_workers=2) as pool:
        reports = list(pool.map(run, range(2)))
    assert sorted(r.created for r in reports) == [10, 30]  # the second saw the first's 20
    assert sorted(r.unchanged for r in reports) == [0, 20]
    with Session(reference_engine) as s:
        assert _count(s, PoolWorker) == 40
        assert _count(s, PoolAvailability) == 40
        assert _count(s, PoolPermanentPost) == 0
        assert len(s.exec(select(AuditEvent).where(AuditEvent.action == "import")).all()) == 2
