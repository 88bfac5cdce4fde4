"""Migrations run from empty on both backends, round-trip, and match the models."""

from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, delete, select

from workforce import migrations
from workforce.db import make_engine
from workforce.models import metadata
from workforce.mou.models import MouGroup, MouGroupCouncil

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


def test_mou_stays_survive_the_step_to_one_row_per_stay_and_back(
    reference_database_url: str,
) -> None:
    """0014 keeps every membership; going back below it refuses while a council has
    rejoined a group (a stay would be lost), and keeps the memberships once it has not."""
    engine = make_engine(reference_database_url)
    try:
        with Session(engine) as s:
            s.add(MouGroup(name="London"))
            s.flush()
            s.add(MouGroupCouncil(group_name="London", council_code="202"))
            s.add(
                MouGroupCouncil(group_name="London", council_code="203", left_on=date(2025, 6, 1))
            )
            s.add(
                MouGroupCouncil(group_name="London", council_code="203", joined_on=date(2026, 1, 1))
            )
            s.commit()
        with pytest.raises(RuntimeError, match="council 203 in 'London': 2 stays"):
            migrations.downgrade(reference_database_url, "0013")
        with Session(engine) as s:
            s.exec(delete(MouGroupCouncil).where(MouGroupCouncil.joined_on == date(2026, 1, 1)))
            s.commit()
        migrations.downgrade(reference_database_url, "0013")
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT group_name, council_code, joined_on, left_on FROM mou_group_council "
                    "ORDER BY council_code"
                )
            ).all()
        assert [(g, c, str(left) if left else None) for g, c, _, left in rows] == [
            ("London", "202", None),
            ("London", "203", "2025-06-01"),
        ]
        migrations.upgrade(reference_database_url)
        with Session(engine) as s:
            stays = s.exec(select(MouGroupCouncil).order_by(MouGroupCouncil.council_code)).all()
            assert [(m.council_code, m.left_on) for m in stays] == [
                ("202", None),
                ("203", date(2025, 6, 1)),
            ]
            assert all(m.id is not None for m in stays)
    finally:
        engine.dispose()
