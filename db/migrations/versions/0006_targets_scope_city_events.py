"""targets with a scope, a band and the 'international' kind; indicators' comparability and
natural limit; city events (mergers, splits, renames, dissolutions)

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind IN ('official', 'guideline', 'illustrative', 'user_set')"
NEW_KINDS = "kind IN ('official', 'international', 'guideline', 'illustrative', 'user_set')"
SCOPES = "scope IN ('network', 'country', 'city')"


def upgrade() -> None:
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("comparable", sa.Boolean(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("natural_limit", sa.Float(), nullable=True))
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(length=8), nullable=False, server_default="network")
        )
        batch_op.add_column(sa.Column("country_iso2", sa.String(length=2), nullable=True))
        batch_op.add_column(sa.Column("value_high", sa.Float(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_target_country_iso2_country"), "country", ["country_iso2"], ["iso2"]
        )
        batch_op.drop_constraint("kind", type_="check")
        batch_op.create_check_constraint("kind", sa.text(NEW_KINDS))
        batch_op.create_check_constraint("scope", sa.text(SCOPES))
    op.execute("UPDATE target SET scope = 'city' WHERE city_id IS NOT NULL")
    op.create_table(
        "city_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("others_vi", sa.Text(), nullable=False),
        sa.Column("others_en", sa.Text(), nullable=False),
        sa.Column("others_id", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('merge', 'split', 'rename', 'dissolve')", name=op.f("ck_city_event_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_city_event")),
        sa.UniqueConstraint("code", name=op.f("uq_city_event_code")),
    )
    op.create_table(
        "city_event_city",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.CheckConstraint(
            "role IN ('predecessor', 'successor')", name=op.f("ck_city_event_city_role")
        ),
        sa.ForeignKeyConstraint(
            ["city_id"], ["city.id"], name=op.f("fk_city_event_city_city_id_city")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["city_event.id"],
            name=op.f("fk_city_event_city_event_id_city_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "city_id", "role", name=op.f("pk_city_event_city")),
    )


def downgrade() -> None:
    op.drop_table("city_event_city")
    op.drop_table("city_event")
    op.execute("DELETE FROM target WHERE kind = 'international' OR scope = 'country'")
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_constraint("scope", type_="check")
        batch_op.drop_constraint("kind", type_="check")
        batch_op.create_check_constraint("kind", sa.text(OLD_KINDS))
        batch_op.drop_constraint(batch_op.f("fk_target_country_iso2_country"), type_="foreignkey")
        batch_op.drop_column("value_high")
        batch_op.drop_column("country_iso2")
        batch_op.drop_column("scope")
    with op.batch_alter_table("indicator", schema=None) as batch_op:
        batch_op.drop_column("natural_limit")
        batch_op.drop_column("comparable")
