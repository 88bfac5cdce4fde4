"""a council may rejoin an MoU group: one row per stay

``mou_group_council`` was keyed by group and council, so a council that left a group could
never join it again. Each stay is now its own row with an ``id``; the stays of a council in
a group never overlap (the service checks), and at most one is open (``left_on`` blank),
which a partial unique index makes sure of. Existing memberships are copied as they are.

Downgrading refuses while a council has more than one stay in a group: the old table can
hold only one, and a stay would be lost.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 23:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = "group_name, council_code, joined_on, left_on"


def _member_columns() -> list[sa.Column]:
    return [
        sa.Column("group_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("council_code", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=True),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["council_code"], ["council.code"]),
        sa.ForeignKeyConstraint(["group_name"], ["mou_group.name"]),
    ]


def _replace(old: str, new: str) -> None:
    """Copy ``old`` into ``new``, drop ``old`` and give ``new`` its name, keeping the
    PostgreSQL constraint and sequence names what a table created under that name has."""
    op.execute(f"INSERT INTO {new} ({COLUMNS}) SELECT {COLUMNS} FROM {old}")
    op.drop_table(old)
    op.rename_table(new, old)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT {new}_pkey TO {old}_pkey")
        for column in ("group_name", "council_code"):
            op.execute(
                f"ALTER TABLE {old} RENAME CONSTRAINT {new}_{column}_fkey TO {old}_{column}_fkey"
            )


def upgrade() -> None:
    op.create_table(
        "mou_group_council_stay",
        sa.Column("id", sa.Integer(), nullable=False),
        *_member_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    _replace("mou_group_council", "mou_group_council_stay")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER SEQUENCE mou_group_council_stay_id_seq RENAME TO mou_group_council_id_seq"
        )
    with op.batch_alter_table("mou_group_council", schema=None, recreate="never") as batch_op:
        batch_op.create_index("ix_mou_group_council_group_name", ["group_name"], unique=False)
        batch_op.create_index(
            "ix_mou_group_council_council_code", ["council_code"], unique=False
        )
        batch_op.create_index(
            "uq_mou_group_council_open",
            ["group_name", "council_code"],
            unique=True,
            sqlite_where=sa.text("left_on IS NULL"),
            postgresql_where=sa.text("left_on IS NULL"),
        )


def downgrade() -> None:
    twice = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT group_name, council_code, COUNT(*) FROM mou_group_council "
                "GROUP BY group_name, council_code HAVING COUNT(*) > 1 "
                "ORDER BY group_name, council_code"
            )
        )
        .all()
    )
    if twice:
        listed = "; ".join(f"council {c} in {g!r}: {n} stays" for g, c, n in twice)
        raise RuntimeError(
            "Cannot downgrade below 0014: before it a council could be a member of a group "
            f"only once, and these councils rejoined ({listed}). Remove the extra stays first."
        )
    with op.batch_alter_table("mou_group_council", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("uq_mou_group_council_open")
        batch_op.drop_index("ix_mou_group_council_council_code")
        batch_op.drop_index("ix_mou_group_council_group_name")
    op.create_table(
        "mou_group_council_pair",
        *_member_columns(),
        sa.PrimaryKeyConstraint("group_name", "council_code"),
    )
    _replace("mou_group_council", "mou_group_council_pair")
