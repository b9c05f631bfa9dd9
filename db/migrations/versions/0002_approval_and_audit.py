"""approval workflow on upload batches; audit log indexed by time and append-only

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REVIEW_CHECK = "review_state IN ('submitted', 'approved', 'returned')"

# The audit log is never updated or deleted, whatever the client: the store itself refuses.
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"""
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_FUNCTION = """CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql"""
POSTGRES_TRIGGER = """CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"""


def upgrade() -> None:
    with op.batch_alter_table("upload_batch", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("review_state", sa.String(length=16), nullable=False, server_default="submitted")
        )
        batch_op.add_column(
            sa.Column("reviewed_by", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("review_comment", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_check_constraint("review_state", sa.text(REVIEW_CHECK))
        batch_op.create_index(batch_op.f("ix_upload_batch_review_state"), ["review_state"])
    # Batches stored before the workflow: the demo's values were stored approved.
    op.execute("UPDATE upload_batch SET review_state = 'approved' WHERE is_demo")
    with op.batch_alter_table("upload_batch", schema=None) as batch_op:
        for column in ("review_state", "reviewed_by", "review_comment"):
            batch_op.alter_column(column, server_default=None)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"])
    if op.get_bind().dialect.name == "sqlite":
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
    else:
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))
    with op.batch_alter_table("upload_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_upload_batch_review_state"))
        batch_op.drop_constraint("review_state", type_="check")
        batch_op.drop_column("review_comment")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("review_state")
