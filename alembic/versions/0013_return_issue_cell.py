"""a return's issue names its cell

``return_issue`` gains ``cell``: where the issue is, as a spreadsheet names it
(``Workforce!K3`` on a workbook's sheet, ``K3`` in a CSV file), worked out from the columns
the file had when it was read. Issues stored before have none.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 18:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # noqa: F401
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("return_issue", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cell", sa.String(length=80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("return_issue", schema=None) as batch_op:
        batch_op.drop_column("cell")
