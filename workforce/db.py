"""Database engine and sessions; the one place that knows SQLite from PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from workforce.config import get_settings, normalise_database_url
from workforce.errors import Busy

# Every table's id is an INTEGER column: 32 bits on PostgreSQL (64 on SQLite). A number
# past this names no stored row, and sent to the database it overflows.
MAX_ROW_ID = 2**31 - 1


def _sqlite_connect(busy_timeout_ms: int) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # SQLite leaves foreign keys off by default; WAL lets the API read while one writes.
        # The driver begins a transaction only at the first write, so reads before it hold
        # no snapshot that another writer could make stale; see begin_write for writers.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def make_engine(
    url: str,
    *,
    pool_size: int | None = None,
    pool_timeout: float | None = None,
    busy_timeout_seconds: float = 15.0,
    **kwargs: Any,
) -> Engine:
    """Return an engine for ``url`` with the service's connection settings.

    ``pool_size`` connections are kept (and four more allowed briefly beyond it);
    a caller waits ``pool_timeout`` seconds for one, then gets ``sqlalchemy.exc.TimeoutError``.
    On SQLite a writer waits ``busy_timeout_seconds`` for the one write lock.
    """
    url = normalise_database_url(url)
    parsed = make_url(url)
    pooling: dict[str, Any] = {}
    if pool_size is not None and parsed.database != ":memory:":
        # A request holds one connection at a time and runs in one of the API's threads,
        # so threads + a few covers every caller; the overflow absorbs a brief surge.
        pooling = {"pool_size": pool_size, "max_overflow": 4}
    if pool_timeout is not None and parsed.database != ":memory:":
        pooling["pool_timeout"] = pool_timeout
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pooling, **kwargs)
        event.listen(engine, "connect", _sqlite_connect(int(busy_timeout_seconds * 1000)))
        return engine
    return create_engine(url, pool_pre_ping=True, **pooling, **kwargs)


def begin_write(*, session: Session, what: str = "this change") -> None:
    """Make ``session``'s transaction a writer now, waiting its turn on SQLite.

    SQLite has one write lock. A transaction that read before it wrote fails at once with
    "database is locked" if another writer committed in between (the busy timeout does not
    cover that), so a writer that reads first begins ``IMMEDIATE``: it takes the write lock
    before its reads, waiting up to the busy timeout for it. If the lock is not free in
    time, :class:`~workforce.errors.Busy` says so and nothing is stored. Does nothing if the
    session has already written, and nothing on PostgreSQL, where writers lock only what
    they touch.
    """
    if session.get_bind().dialect.name != "sqlite":
        return
    connection = session.connection()
    driver_connection = connection.connection.dbapi_connection
    if driver_connection is None or driver_connection.in_transaction:
        return
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except OperationalError as exc:
        if "locked" not in str(exc.orig) and "busy" not in str(exc.orig):
            raise
        session.rollback()
        raise Busy(
            f"The database is busy storing other changes, so {what} was not stored. "
            "Nothing was lost: send it again in a few seconds.",
            retry_after=5,
        ) from None


def backend_name(engine: Engine) -> str:
    """Return ``sqlite`` or ``postgresql``."""
    return engine.dialect.name


def is_postgresql(bind: Engine | Connection) -> bool:
    """Return True if ``bind`` is a PostgreSQL database (False for SQLite)."""
    return bind.dialect.name == "postgresql"


_ENGINES: dict[str, Engine] = {}


def get_engine() -> Engine:
    """Return the engine for the configured database (one per URL per process)."""
    url = get_settings().database_url
    if url not in _ENGINES:
        settings = get_settings()
        _ENGINES[url] = make_engine(
            url,
            pool_size=settings.db_pool_size or settings.threads + 4,
            pool_timeout=settings.db_pool_timeout,
            busy_timeout_seconds=settings.write_wait_seconds,
        )
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


def driver_datetime(connection: Connection, moment: datetime) -> object:
    """Return ``moment`` as the driver stores it for a column written with :func:`executemany`.

    SQLite has no time type: it is written as text in the form SQLAlchemy reads back.
    """
    if connection.dialect.name == "sqlite":
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment


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
