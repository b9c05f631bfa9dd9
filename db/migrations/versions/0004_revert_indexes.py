"""indexes for reverting a batch and reading its values: by batch, in key order

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ["city_id", "indicator_id", "period"]


def upgrade() -> None:
    # Each composite index replaces the one-column index it starts with.
    op.drop_index("ix_observation_batch_id", table_name="observation")
    op.create_index("ix_observation_batch_key", "observation", ["batch_id", *KEY])
    op.drop_index("ix_observation_history_replaced_by_batch_id", table_name="observation_history")
    op.create_index(
        "ix_observation_history_replaced_by_key",
        "observation_history",
        ["replaced_by_batch_id", *KEY],
    )


def downgrade() -> None:
    op.drop_index("ix_observation_history_replaced_by_key", table_name="observation_history")
    op.create_index(
        "ix_observation_history_replaced_by_batch_id",
        "observation_history",
        ["replaced_by_batch_id"],
    )
    op.drop_index("ix_observation_batch_key", table_name="observation")
    op.create_index("ix_observation_batch_id", "observation", ["batch_id"])
