"""agency assignments sheet, version 2: pay route, qualified date, notice, early end,
project costs; an unnamed project-team worker

``agency_assignment`` gains the columns version 2 of the quarterly return's assignments
sheet adds, all nullable, and ``template_version``: rows already stored came from version 1.
``swe_number`` may be empty, for a project-team worker the return does not name; the
downgrade stores those as an empty string again.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 15:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

SWE_NUMBER = sqlmodel.sql.sqltypes.AutoString(length=12)

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('agency_assignment', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('template_version', sa.Integer(), nullable=False, server_default=sa.text('1'))
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
