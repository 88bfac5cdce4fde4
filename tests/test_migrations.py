"""Migrations run from empty on both backends, round-trip, and match the models."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from workforce import migrations
from workforce.db import make_engine
from workforce.models import metadata

TABLES = {
    "region",
    "council",
    "reporting_unit",
    "council_succession",
    "statistical_neighbour",
    "job_run",
}


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _drift(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection,
                opts={"compare_type": True, "render_as_batch": engine.dialect.name == "sqlite"},
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_from_empty(blank_database_url: str) -> None:
    assert _tables(blank_database_url) == set()
    migrations.upgrade(blank_database_url)
    assert _tables(blank_database_url) >= TABLES
    migrations.downgrade(blank_database_url, "base")
    assert _tables(blank_database_url) == set()
    migrations.upgrade(blank_database_url)
    assert _tables(blank_database_url) >= TABLES
    engine = make_engine(blank_database_url)
    try:
        assert migrations.current_revision(engine) == migrations.head_revision()
    finally:
        engine.dispose()


def test_the_models_match_the_migrations(database_url: str) -> None:
    assert _drift(database_url) == []
