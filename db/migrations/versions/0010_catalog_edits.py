"""catalog edits in the app: which indicators and cities an administrator changed, and which
aliases were added in the app, so `python -m mne init` never overwrites them

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGS = {
    "indicator": "changed_in_app",
    "city": "changed_in_app",
    "indicator_alias": "added_in_app",
    "city_alias": "added_in_app",
}


def upgrade() -> None:
    for table, column in FLAGS.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(column, sa.Boolean(), nullable=False, server_default=sa.false())
            )


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN in place (SQLite 3.35+): recreating `indicator` or `city`,
    # as batch mode would, means dropping a table other tables' foreign keys point at.
    for table, column in FLAGS.items():
        with op.batch_alter_table(table, recreate="never") as batch:
            batch.drop_column(column)
