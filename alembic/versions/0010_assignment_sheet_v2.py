"""agency assignments sheet, version 2: pay route, qualified date, notice, early end,
project costs; an unnamed project-team worker

``agency_assignment`` gains the columns version 2 of the quarterly return's assignments
sheet adds, all nullable, and ``template_version``: rows already stored came from version 1.
``swe_number`` may be empty, for a project-team worker the return does not name; the
downgrade stores those as an empty string again. On SQLite the table is copied and swapped
in, with foreign keys (``mou_finding`` refers to assignments) checked once that is done.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 15:40:00.000000
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

SWE_NUMBER = sqlmodel.sql.sqltypes.AutoString(length=12)

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _copying_the_table(change: Callable[[], None]) -> None:
    """Run ``change``, which copies the table and swaps the copy in on SQLite, with foreign
    keys checked once it is done: ``mou_finding`` rows refer to assignments by id, the copy
    keeps every id, and dropping the table they refer to would otherwise be refused. SQLite
    lets the check be turned off only outside a transaction, so this is the migration's
    first statement."""
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        change()
        return
    op.execute('PRAGMA foreign_keys = OFF')
    change()
    broken = bind.execute(sa.text('PRAGMA foreign_key_check')).all()
    if broken:
        raise RuntimeError(f'foreign keys broken by copying agency_assignment: {broken[:5]}')
    op.execute('PRAGMA foreign_keys = ON')


def upgrade() -> None:
    _copying_the_table(_add_columns)


def _add_columns() -> None:
    with op.batch_alter_table('agency_assignment', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('template_version', sa.Integer(), nullable=False, server_default='1')
        )
        batch_op.add_column(sa.Column('pay_route', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('date_qualified', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('notice_given_on', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                'early_end_reason', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=True
            )
        )
        batch_op.add_column(sa.Column('project_costs_itemised', sa.Boolean(), nullable=True))
        batch_op.alter_column('swe_number', existing_type=SWE_NUMBER, nullable=True)


def downgrade() -> None:
    _copying_the_table(_drop_columns)


def _drop_columns() -> None:
    agency_assignment = sa.table('agency_assignment', sa.column('swe_number', sa.String()))
    op.execute(
        agency_assignment.update()
        .where(agency_assignment.c.swe_number.is_(None))
        .values(swe_number='')
    )
    with op.batch_alter_table('agency_assignment', schema=None) as batch_op:
        batch_op.alter_column('swe_number', existing_type=SWE_NUMBER, nullable=False)
        batch_op.drop_column('project_costs_itemised')
        batch_op.drop_column('early_end_reason')
        batch_op.drop_column('notice_given_on')
        batch_op.drop_column('date_qualified')
        batch_op.drop_column('pay_route')
        batch_op.drop_column('template_version')
