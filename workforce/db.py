"""Database engine and sessions; the one place that knows SQLite from PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine

from workforce.config import get_settings, normalise_database_url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys off by default; WAL lets the API read while a job writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Return an engine for ``url`` with the service's connection settings."""
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def backend_name(engine: Engine) -> str:
    """Return ``sqlite`` or ``postgresql``."""
    return engine.dialect.name


_ENGINES: dict[str, Engine] = {}


def get_engine() -> Engine:
    """Return the engine for the configured database (one per URL per process)."""
    url = get_settings().database_url
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close every engine's pooled connections and forget them."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on any error."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def executemany(connection: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run ``sql`` (``?`` placeholders) once per row straight through the driver.

    For bulk writes of tens of thousands of rows, where SQLAlchemy's per-row parameter
    processing costs more than the database itself. Runs in ``connection``'s transaction.
    """
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        sql = sql.replace("?", "%s")
    cursor = connection.connection.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def fetchall(connection: Connection, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Return every row of ``sql`` (``?`` placeholders) as plain tuples, through the driver."""
    if connection.dialect.name != "sqlite":
        sql = sql.replace("?", "%s")
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, tuple(params))
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        cursor.close()
