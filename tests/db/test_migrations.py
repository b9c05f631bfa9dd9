"""The Alembic migrations go up, down to base and up again on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from db.engine import get_engine
from db.migrate import downgrade, has_schema, upgrade
from db.models import Base


def test_migrations_up_down_up(store_url: str) -> None:
    engine = get_engine(store_url)
    model_tables = set(Base.metadata.tables)
    with engine.begin() as conn:
        upgrade(conn)
    assert set(inspect(engine).get_table_names()) == model_tables | {"alembic_version"}
    with engine.begin() as conn:
        downgrade(conn, "base")
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    with engine.begin() as conn:
        upgrade(conn)
    assert has_schema(engine)
    assert set(inspect(engine).get_table_names()) == model_tables | {"alembic_version"}


def test_migrations_match_the_models(store_url: str) -> None:
    """Autogenerate finds nothing to add: the migrations create exactly the models' schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = get_engine(store_url)
    with engine.begin() as conn:
        upgrade(conn)
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
