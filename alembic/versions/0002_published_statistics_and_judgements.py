"""published statistics and judgements

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('layout', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('first_year', sa.Integer(), nullable=False),
    sa.Column('last_year', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('revised', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('kept_newer', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha256')
    )
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_last_year'), ['last_year'], unique=False)

    op.create_table('published_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('area_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('area_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('figure_values', sa.JSON(), nullable=False),
    sa.Column('suppressions', sa.JSON(), nullable=False),
    sa.Column('carried', sa.JSON(), nullable=False),
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['publication_id'], ['publication.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('area_code', 'year')
    )
    with op.batch_alter_table('published_row', schema=None) as batch_op:
        batch_op.create_index('ix_published_row_level_year', ['level', 'year'], unique=False)

    op.create_table('figure_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('measure', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('old_value', sa.Float(), nullable=True),
    sa.Column('old_suppression', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('new_value', sa.Float(), nullable=True),
    sa.Column('new_suppression', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('old_publication_id', sa.Integer(), nullable=False),
    sa.Column('new_publication_id', sa.Integer(), nullable=False),
    sa.Column('revised_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['new_publication_id'], ['publication.id'], ),
    sa.ForeignKeyConstraint(['old_publication_id'], ['publication.id'], ),
    sa.ForeignKeyConstraint(['row_id'], ['published_row.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('figure_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_figure_revision_measure'), ['measure'], unique=False)
        batch_op.create_index(batch_op.f('ix_figure_revision_new_publication_id'), ['new_publication_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_figure_revision_row_id'), ['row_id'], unique=False)

    op.create_table('judgement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('council_code', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('framework', sa.String(length=60), nullable=False),
    sa.Column('inspection_start', sa.Date(), nullable=False),
    sa.Column('inspection_end', sa.Date(), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.Column('grade', sa.String(length=40), nullable=True),
    sa.Column('impact_of_leaders', sa.String(length=40), nullable=True),
    sa.Column('help_and_protection', sa.String(length=40), nullable=True),
    sa.Column('in_care', sa.String(length=40), nullable=True),
    sa.Column('care_leavers', sa.String(length=40), nullable=True),
    sa.Column('urn', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['council_code'], ['council.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('council_code', 'inspection_start')
    )
    with op.batch_alter_table('judgement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judgement_council_code'), ['council_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('judgement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judgement_council_code'))

    op.drop_table('judgement')
    with op.batch_alter_table('figure_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_figure_revision_row_id'))
        batch_op.drop_index(batch_op.f('ix_figure_revision_new_publication_id'))
        batch_op.drop_index(batch_op.f('ix_figure_revision_measure'))

    op.drop_table('figure_revision')
    with op.batch_alter_table('published_row', schema=None) as batch_op:
        batch_op.drop_index('ix_published_row_level_year')

    op.drop_table('published_row')
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_last_year'))

    op.drop_table('publication')
