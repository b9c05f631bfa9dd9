"""the audit log refuses TRUNCATE on PostgreSQL (a statement-level trigger)

The row-level triggers of 0002 refuse UPDATE and DELETE, but TRUNCATE fires no row trigger:
`TRUNCATE audit_log` emptied the log. SQLite has no TRUNCATE (its DELETE without WHERE runs
the row trigger of 0002), so nothing changes there.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRES_FUNCTION = """CREATE FUNCTION audit_log_no_truncate() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only: it cannot be truncated'; END $$
LANGUAGE plpgsql"""
POSTGRES_TRIGGER = """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_no_truncate()"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION audit_log_no_truncate()")
