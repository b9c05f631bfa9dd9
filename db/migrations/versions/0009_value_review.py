"""per-value review: the values of a batch an analyst returned, each with its comment

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "value_return",
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("returned_by", sa.String(120), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["upload_batch.id"],
            name=op.f("fk_value_return_batch_id_upload_batch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["city_id"], ["city.id"], name=op.f("fk_value_return_city_id_city")
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"], ["indicator.id"], name=op.f("fk_value_return_indicator_id_indicator")
        ),
        sa.PrimaryKeyConstraint(
            "batch_id", "city_id", "indicator_id", "period", name=op.f("pk_value_return")
        ),
    )


def downgrade() -> None:
    op.drop_table("value_return")
