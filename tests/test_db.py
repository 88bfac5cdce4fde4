from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from workforce.councils.models import Council, Region
from workforce.db import backend_name, make_engine, session_scope


def test_the_engine_speaks_the_expected_backend(engine: Engine, backend: str) -> None:
    assert backend_name(engine) == backend


def test_sqlite_runs_with_foreign_keys_and_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/nested/folder/x.db")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()
    assert (tmp_path / "nested" / "folder" / "x.db").is_file()


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(
            Council(code="999", ons_code="E06999999", name="Nowhere", region_code="E12999999")
        )


def test_session_scope_commits_on_success_and_rolls_back_on_error(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(Region(code="E92000001", name="England", kind="country"))
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.add(
            Region(code="E12000001", name="North East", kind="region", parent_code="E92000001")
        )
        session.flush()
        raise RuntimeError("boom")
    with Session(engine) as session:
        assert [r.code for r in session.exec(select(Region))] == ["E92000001"]


def test_moments_are_stored_in_utc_and_read_back_with_their_zone(engine: Engine) -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from workforce.runs.models import JobRun

    summer = timezone(timedelta(hours=1), "BST")
    started = datetime(2026, 7, 1, 9, 30, tzinfo=summer)
    with session_scope(engine) as session:
        session.add(JobRun(job="check", trigger="cli", started_at=started))
    with session_scope(engine) as session:
        run = session.exec(select(JobRun).where(JobRun.job == "check")).one()
        assert run.started_at.tzinfo is not None
        assert run.started_at == started
        assert run.started_at.astimezone(UTC).hour == 8


def test_a_time_without_a_zone_is_refused_not_guessed(engine: Engine) -> None:
    from datetime import datetime

    from sqlalchemy.exc import StatementError

    from workforce.runs.models import JobRun

    with pytest.raises(StatementError, match="naive time"), session_scope(engine) as session:
        session.add(JobRun(job="check", trigger="cli", started_at=datetime(2026, 7, 1, 9, 30)))
