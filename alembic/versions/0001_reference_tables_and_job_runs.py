"""reference tables and job runs

Revision ID: 0001
Revises: 
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('job_run',
    sa.Column('job', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=True),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('host', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_run_job'), ['job'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_run_started_at'), ['started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_run_status'), ['status'], unique=False)

    op.create_table('region',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent_code', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True),
    sa.ForeignKeyConstraint(['parent_code'], ['region.code'], ),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('reporting_unit',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('ons_code', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('lead_council_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=True),
    sa.Column('first_year', sa.Integer(), nullable=True),
    sa.Column('last_year', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('council',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('ons_code', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
    sa.Column('london_subregion_code', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=True),
    sa.Column('first_year', sa.Integer(), nullable=True),
    sa.Column('last_year', sa.Integer(), nullable=True),
    sa.Column('reporting_unit_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.ForeignKeyConstraint(['london_subregion_code'], ['region.code'], ),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], ),
    sa.ForeignKeyConstraint(['reporting_unit_code'], ['reporting_unit.code'], ),
    sa.PrimaryKeyConstraint('code'),
    sa.UniqueConstraint('ons_code')
    )
    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_council_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_council_reporting_unit_code'), ['reporting_unit_code'], unique=False)

    op.create_table('council_succession',
    sa.Column('predecessor_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('successor_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.ForeignKeyConstraint(['predecessor_code'], ['council.code'], ),
    sa.ForeignKeyConstraint(['successor_code'], ['council.code'], ),
    sa.PrimaryKeyConstraint('predecessor_code', 'successor_code')
    )
    op.create_table('statistical_neighbour',
    sa.Column('council_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('neighbour_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('closeness', sa.String(length=20), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['council_code'], ['council.code'], ),
    sa.ForeignKeyConstraint(['neighbour_code'], ['council.code'], ),
    sa.PrimaryKeyConstraint('council_code', 'rank'),
    sa.UniqueConstraint('council_code', 'neighbour_code')
    )
    with op.batch_alter_table('statistical_neighbour', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statistical_neighbour_neighbour_code'), ['neighbour_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('statistical_neighbour', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statistical_neighbour_neighbour_code'))

    op.drop_table('statistical_neighbour')
    op.drop_table('council_succession')
    with op.batch_alter_table('council', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_council_reporting_unit_code'))
        batch_op.drop_index(batch_op.f('ix_council_region_code'))
        batch_op.drop_index(batch_op.f('ix_council_name'))

    op.drop_table('council')
    op.drop_table('reporting_unit')
    op.drop_table('region')
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_run_status'))
        batch_op.drop_index(batch_op.f('ix_job_run_started_at'))
        batch_op.drop_index(batch_op.f('ix_job_run_job'))

    op.drop_table('job_run')
