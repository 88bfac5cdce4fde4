"""published figures in typed columns: a published_figure row per area, year and measure

Each figure leaves the JSON columns of ``published_row`` (``figure_values``,
``suppressions``, ``carried``) for its own row: value (NULL where suppressed), DfE's
suppression code (NULL when published) and, for a carried figure, the older release it
is from (NULL when it is from the row's release). A revision names the figure it revised.
The downgrade puts every figure back into the JSON columns.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 13:00:00.000000
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 5000

published_row = sa.table(
    'published_row',
    sa.column('id', sa.Integer()),
    sa.column('area_code', sa.String()),
    sa.column('year', sa.Integer()),
    sa.column('figure_values', sa.JSON()),
    sa.column('suppressions', sa.JSON()),
    sa.column('carried', sa.JSON()),
    sa.column('publication_id', sa.Integer()),
)
published_figure = sa.table(
    'published_figure',
    sa.column('id', sa.Integer()),
    sa.column('area_code', sa.String()),
    sa.column('year', sa.Integer()),
    sa.column('measure', sa.String()),
    sa.column('value', sa.Float()),
    sa.column('suppression', sa.String()),
    sa.column('carried_from_id', sa.Integer()),
)
figure_revision = sa.table(
    'figure_revision',
    sa.column('id', sa.Integer()),
    sa.column('row_id', sa.Integer()),
    sa.column('measure', sa.String()),
    sa.column('figure_id', sa.Integer()),
)


def _chunks(items: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def upgrade() -> None:
    op.create_table('published_figure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('suppression', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('carried_from_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['area_code', 'year'], ['published_row.area_code', 'published_row.year'], ),
    sa.ForeignKeyConstraint(['carried_from_id'], ['publication.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('area_code', 'year', 'measure')
    )
    with op.batch_alter_table('published_figure', schema=None) as batch_op:
        batch_op.create_index('ix_published_figure_measure_year', ['measure', 'year'], unique=False)

    bind = op.get_bind()
    figures: list[dict[str, Any]] = []
    area_of_row: dict[int, tuple[str, int]] = {}
    for row in bind.execute(sa.select(published_row).order_by(published_row.c.id)):
        area_of_row[row.id] = (row.area_code, row.year)
        codes, carried = row.suppressions or {}, row.carried or {}
        for measure, value in (row.figure_values or {}).items():
            figures.append(
                {
                    'area_code': row.area_code,
                    'year': row.year,
                    'measure': measure,
                    'value': value,
                    'suppression': codes.get(measure),
                    'carried_from_id': carried.get(measure),
                }
            )
    for chunk in _chunks(figures):
        bind.execute(sa.insert(published_figure), chunk)

    # Each revision names the figure it revised, found by its row's area and year.
    figure_ids = {
        (f.area_code, f.year, f.measure): f.id
        for f in bind.execute(
            sa.select(
                published_figure.c.id,
                published_figure.c.area_code,
                published_figure.c.year,
                published_figure.c.measure,
            )
        )
    }
    with op.batch_alter_table('figure_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('figure_id', sa.Integer(), nullable=True))
    links = []
    for revision_id, row_id, measure in bind.execute(
        sa.select(figure_revision.c.id, figure_revision.c.row_id, figure_revision.c.measure)
    ):
        figure_id = figure_ids.get((*area_of_row[row_id], measure))
        if figure_id is None:
            raise RuntimeError(f'revision {revision_id} names no stored figure ({measure})')
        links.append({'revision_id': revision_id, 'figure_id': figure_id})
    link = (
        sa.update(figure_revision)
        .where(figure_revision.c.id == sa.bindparam('revision_id'))
        .values(figure_id=sa.bindparam('figure_id'))
    )
    for chunk in _chunks(links):
        bind.execute(link, chunk)
    with op.batch_alter_table('figure_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_figure_revision_row_id'))
        batch_op.drop_index(batch_op.f('ix_figure_revision_measure'))
        batch_op.drop_column('row_id')
        batch_op.drop_column('measure')
        batch_op.alter_column('figure_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_figure_revision_figure_id'), ['figure_id'], unique=False)
        batch_op.create_foreign_key(
            'figure_revision_figure_id_fkey', 'published_figure', ['figure_id'], ['id']
        )

    # Dropped in place (SQLite 3.35+ and PostgreSQL): rebuilding published_row would drop
    # a table other tables refer to.
    with op.batch_alter_table('published_row', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('carried')
        batch_op.drop_column('suppressions')
        batch_op.drop_column('figure_values')


def downgrade() -> None:
    bind = op.get_bind()
    # Added with a default so SQLite can add them in place (see the upgrade).
    with op.batch_alter_table('published_row', schema=None, recreate='never') as batch_op:
        for name in ('figure_values', 'suppressions', 'carried'):
            batch_op.add_column(
                sa.Column(name, sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
            )
    row_ids: dict[tuple[str, int], int] = {}
    for row in bind.execute(
        sa.select(
            published_row.c.id,
            published_row.c.area_code,
            published_row.c.year,
            published_row.c.publication_id,
        )
    ):
        row_ids[(row.area_code, row.year)] = row.id
    by_row: dict[tuple[str, int], tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {}
    measure_of_figure: dict[int, tuple[int, str]] = {}
    for f in bind.execute(sa.select(published_figure).order_by(published_figure.c.id)):
        area = (f.area_code, f.year)
        values, codes, carried = by_row.setdefault(area, ({}, {}, {}))
        values[f.measure] = f.value
        if f.suppression is not None:
            codes[f.measure] = f.suppression
        if f.carried_from_id is not None:
            carried[f.measure] = f.carried_from_id
        measure_of_figure[f.id] = (row_ids[area], f.measure)
    restore = (
        sa.update(published_row)
        .where(published_row.c.id == sa.bindparam('row_id'))
        .values(
            figure_values=sa.bindparam('figure_values', type_=sa.JSON()),
            suppressions=sa.bindparam('suppressions', type_=sa.JSON()),
            carried=sa.bindparam('carried', type_=sa.JSON()),
        )
    )
    rows = [
        {'row_id': row_ids[area], 'figure_values': v, 'suppressions': s, 'carried': c}
        for area, (v, s, c) in by_row.items()
    ]
    for chunk in _chunks(rows):
        bind.execute(restore, chunk)
    if bind.dialect.name != 'sqlite':
        for name in ('figure_values', 'suppressions', 'carried'):
            op.alter_column('published_row', name, server_default=None)

    with op.batch_alter_table('figure_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('row_id', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True)
        )
    links = [
        {
            'revision_id': revision_id,
            'row_id': measure_of_figure[figure_id][0],
            'measure': measure_of_figure[figure_id][1],
        }
        for revision_id, figure_id in bind.execute(
            sa.select(figure_revision.c.id, figure_revision.c.figure_id)
        )
    ]
    unlink = (
        sa.update(figure_revision)
        .where(figure_revision.c.id == sa.bindparam('revision_id'))
        .values(row_id=sa.bindparam('row_id'), measure=sa.bindparam('measure'))
    )
    for chunk in _chunks(links):
        bind.execute(unlink, chunk)
    with op.batch_alter_table('figure_revision', schema=None) as batch_op:
        batch_op.drop_constraint('figure_revision_figure_id_fkey', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_figure_revision_figure_id'))
        batch_op.drop_column('figure_id')
        batch_op.alter_column('row_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column(
            'measure', existing_type=sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False
        )
        batch_op.create_foreign_key(
            'figure_revision_row_id_fkey', 'published_row', ['row_id'], ['id']
        )
        batch_op.create_index(batch_op.f('ix_figure_revision_measure'), ['measure'], unique=False)
        batch_op.create_index(batch_op.f('ix_figure_revision_row_id'), ['row_id'], unique=False)

    with op.batch_alter_table('published_figure', schema=None) as batch_op:
        batch_op.drop_index('ix_published_figure_measure_year')
    op.drop_table('published_figure')
