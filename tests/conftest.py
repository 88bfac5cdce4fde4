"""Test databases: every test gets a clean one, on SQLite and on PostgreSQL.

Each backend has template databases built once per session (migrated; or migrated and
loaded with the bundled reference data). A test gets a fresh copy: a copied SQLite file,
or ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, dropped afterwards. The development
database is never touched: the environment is pointed at a throwaway path on import.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

# Before any project import reads the settings: nothing may reach the development database.
_SCRATCH = Path(tempfile.mkdtemp(prefix="workforce-tests-"))
os.environ["WORKFORCE_ENVIRONMENT"] = "test"
os.environ["WORKFORCE_SECRET_KEY"] = "test-secret-key-" + "x" * 32
os.environ["WORKFORCE_DATA_DIR"] = str(_SCRATCH / "var")
os.environ["WORKFORCE_DATABASE_URL"] = f"sqlite:///{_SCRATCH / 'never-used.db'}"

from workforce import migrations  # noqa: E402
from workforce.config import Settings, get_settings  # noqa: E402
from workforce.councils.reference import load_reference_data  # noqa: E402
from workforce.db import dispose_engines, make_engine, session_scope  # noqa: E402
from workforce.statistics.bundled import load_public_data  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
POSTGRES_URL = os.environ.get(
    "WORKFORCE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]


# Two test runs at once on one server (two checkouts, say) must not share templates.
_RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID", uuid.uuid4().hex)[:8]


def _worker() -> str:
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{_RUN}"


# --- PostgreSQL server --------------------------------------------------------------------


def _postgres_reachable() -> str | None:
    """Return None if the test server answers, else why not."""
    engine = make_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return None
    except Exception as exc:
        return f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()


def _try_start_postgres() -> None:
    clusters = Path("/etc/postgresql")
    if not clusters.is_dir():
        return
    for version in sorted(p.name for p in clusters.iterdir()):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False,
            capture_output=True,
            timeout=60,
        )


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An AUTOCOMMIT engine on the test server's ``test`` database, for CREATE/DROP DATABASE."""
    problem = _postgres_reachable()
    if problem:
        _try_start_postgres()
        problem = _postgres_reachable()
    if problem:
        message = f"PostgreSQL test server at {POSTGRES_URL} is not reachable ({problem})"
        if IN_CI:
            pytest.fail(message + "; under CI=true the PostgreSQL tests must run", pytrace=False)
        pytest.skip(message)
    engine = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _pg_url(name: str) -> str:
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def _drop_pg(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- templates ---------------------------------------------------------------------------


def _fill_template(url: str, kind: str) -> None:
    """Migrate a template database and load what its kind holds."""
    migrations.upgrade(url)
    if kind in {"reference", "public"}:
        engine = make_engine(url)
        try:
            with session_scope(engine) as session:
                if kind == "public":
                    load_public_data(session=session)
                else:
                    load_reference_data(session=session)
        finally:
            engine.dispose()


class SqliteTemplates:
    """Template SQLite files, each built the first time a test asks for its kind."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.paths: dict[str, Path] = {}

    def __getitem__(self, kind: str) -> Path:
        if kind not in self.paths:
            path = self.folder / f"{kind}.db"
            if kind == "empty":
                path.touch()
            else:
                _fill_template(f"sqlite:///{path}", kind)
                # Fold the WAL into the main file so a plain copy carries everything.
                engine = make_engine(f"sqlite:///{path}")
                with engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                engine.dispose()
            self.paths[kind] = path
        return self.paths[kind]


class PostgresTemplates:
    """Template PostgreSQL databases, each built the first time a test asks for its kind."""

    def __init__(self, admin: Engine) -> None:
        self.admin = admin
        self.names: dict[str, str] = {}

    def __getitem__(self, kind: str) -> str:
        if kind not in self.names:
            name = f"wf_tpl_{kind}_{_worker()}"
            _drop_pg(self.admin, name)
            with self.admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            if kind != "empty":
                _fill_template(_pg_url(name), kind)
            self.names[kind] = name
        return self.names[kind]


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("sqlite-templates"))


@pytest.fixture(scope="session")
def postgres_templates(postgres_admin: Engine) -> Iterator[PostgresTemplates]:
    templates = PostgresTemplates(postgres_admin)
    yield templates
    for name in templates.names.values():
        _drop_pg(postgres_admin, name)


def _database(
    request: pytest.FixtureRequest, backend: str, kind: str, tmp_path: Path
) -> Iterator[str]:
    if backend == "sqlite":
        templates: SqliteTemplates = request.getfixturevalue("sqlite_templates")
        target = tmp_path / "test.db"
        shutil.copyfile(templates[kind], target)
        yield f"sqlite:///{target}"
        return
    admin: Engine = request.getfixturevalue("postgres_admin")
    pg_templates: PostgresTemplates = request.getfixturevalue("postgres_templates")
    name = f"wf_test_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_templates[kind]}"'))
    try:
        yield _pg_url(name)
    finally:
        dispose_engines()
        _drop_pg(admin, name)


# --- what tests ask for ----------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend this run of the test uses."""
    return str(request.param)


@pytest.fixture
def blank_database_url(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[str]:
    """URL of a clean, never-migrated database."""
    yield from _database(request, backend, "empty", tmp_path)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    """URL of a clean database migrated to head, with no data."""
    yield from _database(request, backend, "migrated", tmp_path)


@pytest.fixture
def reference_database_url(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[str]:
    """URL of a clean database migrated to head and loaded with the bundled reference data."""
    yield from _database(request, backend, "reference", tmp_path)


@pytest.fixture
def public_database_url(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[str]:
    """URL of a clean database holding all bundled public data (as `workforce demo` loads)."""
    yield from _database(request, backend, "public", tmp_path)


def _configured(monkeypatch: pytest.MonkeyPatch, url: str, tmp_path: Path) -> Iterator[Settings]:
    """Yield settings (and the process environment) aimed at ``url``; forget them after."""
    monkeypatch.setenv("WORKFORCE_DATABASE_URL", url)
    monkeypatch.setenv("WORKFORCE_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    dispose_engines()
    yield get_settings()
    get_settings.cache_clear()
    dispose_engines()


@pytest.fixture
def settings(
    monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path
) -> Iterator[Settings]:
    """Settings (and the process environment) aimed at a clean migrated database."""
    yield from _configured(monkeypatch, database_url, tmp_path)


@pytest.fixture
def reference_settings(
    monkeypatch: pytest.MonkeyPatch, reference_database_url: str, tmp_path: Path
) -> Iterator[Settings]:
    """Settings aimed at a clean database holding the bundled reference data."""
    yield from _configured(monkeypatch, reference_database_url, tmp_path)


@pytest.fixture
def public_settings(
    monkeypatch: pytest.MonkeyPatch, public_database_url: str, tmp_path: Path
) -> Iterator[Settings]:
    """Settings aimed at a clean database holding all bundled public data."""
    yield from _configured(monkeypatch, public_database_url, tmp_path)


@pytest.fixture
def public_session(public_settings: Settings) -> Iterator[Session]:
    engine = make_engine(public_settings.database_url)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    engine.dispose()


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def reference_engine(reference_settings: Settings) -> Iterator[Engine]:
    engine = make_engine(reference_settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def reference_session(reference_engine: Engine) -> Iterator[Session]:
    with Session(reference_engine, expire_on_commit=False) as session:
        yield session
