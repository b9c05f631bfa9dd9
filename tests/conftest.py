"""Stores for tests: a fresh SQLite file and a fresh PostgreSQL database per test.

PostgreSQL is reached through TEST_POSTGRES_URL (an admin URL of a running server, as .ci/run
sets it up). Without it PostgreSQL cases are skipped locally, but fail under CI, so a CI run
can never pass without having tested PostgreSQL.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from db.engine import dispose_engines, get_engine
from mne.store import init_store

BACKENDS = ["sqlite", "postgresql"]
ROOT = Path(__file__).resolve().parent.parent


def _postgres_admin_url() -> str:
    url = os.environ.get("TEST_POSTGRES_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TEST_POSTGRES_URL is not set: CI must test PostgreSQL")
        pytest.skip("TEST_POSTGRES_URL not set (PostgreSQL not available)")
    return url


def fresh_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A URL to a new, empty database on `backend`, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
        dispose_engines()
        return
    admin_url = _postgres_admin_url()
    name = f"mne_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables) on each backend."""
    yield from fresh_database_url(request.param, tmp_path)


@pytest.fixture
def engine(store_url: str) -> Engine:
    """A migrated store with the catalog and no observations."""
    engine = get_engine(store_url)
    init_store(engine)
    return engine


@pytest.fixture(scope="module", params=BACKENDS)
def demo_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A store with the catalog and the demo data, shared by a module's read-only tests."""
    for url in fresh_database_url(request.param, tmp_path_factory.mktemp("demo")):
        engine = get_engine(url)
        init_store(engine, with_demo=True)
        yield engine
