"""Stores for tests: a fresh SQLite file and a fresh PostgreSQL database per test.

A migrated store (and a demo store) is built once per test process and backend, then copied
for each test: a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL. Building
one takes 1–4 s (Alembic, the catalog, the demo); a copy takes milliseconds.

PostgreSQL is reached through TEST_POSTGRES_URL (an admin URL of a running server, as .ci/run
sets it up). Without it PostgreSQL cases are skipped locally, but fail under CI, so a CI run
can never pass without having tested PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url

from db.engine import dispose_engines, get_engine, make_engine
from mne import accounts, signin
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
    yield from _postgres_database()


def _postgres_database(template: str | None = None) -> Iterator[str]:
    """A URL to a new PostgreSQL database (a copy of `template`, or empty), dropped after."""
    name = f"mne_t_{uuid.uuid4().hex[:12]}"
    copied = f' TEMPLATE "{template}"' if template else ""
    with _admin() as admin:
        admin.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    try:
        yield _postgres_url(name)
    finally:
        dispose_engines()
        with _admin() as admin:
            admin.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _postgres_url(database: str) -> str:
    return (
        make_url(_postgres_admin_url()).set(database=database).render_as_string(hide_password=False)
    )


class TemplateStores:
    """Stores built once per test process, copied per test: (backend, with_demo) -> source
    (a SQLite file or a PostgreSQL database name). A template is never opened after it is
    built, so PostgreSQL can copy it (a template must have no session)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.built: dict[tuple[str, bool], str] = {}

    def copy(self, backend: str, tmp_path: Path, with_demo: bool) -> Iterator[str]:
        """A URL to a new store like init_store(with_demo) makes, dropped afterwards."""
        source = self._template(backend, with_demo)
        if backend == "sqlite":
            target = tmp_path / "store.db"
            shutil.copyfile(source, target)
            yield f"sqlite:///{target}"
            dispose_engines()
            return
        yield from _postgres_database(template=source)

    def _template(self, backend: str, with_demo: bool) -> str:
        key = (backend, with_demo)
        if key not in self.built:
            self.built[key] = self._build(backend, with_demo)
        return self.built[key]

    def _build(self, backend: str, with_demo: bool) -> str:
        suffix = "demo" if with_demo else "catalog"
        if backend == "sqlite":
            source = str(self.root / f"template-{suffix}.db")
            url = f"sqlite:///{source}"
        else:
            source = f"mne_tpl_{suffix}_{uuid.uuid4().hex[:8]}"
            with _admin() as admin:
                admin.execute(text(f'CREATE DATABASE "{source}"'))
            url = _postgres_url(source)
        engine = make_engine(url)  # not the shared cache: disposed here, never reopened
        try:
            init_store(engine, with_demo=with_demo)
        finally:
            engine.dispose()  # SQLite: the last close checkpoints the WAL into the file
        return source

    def drop(self) -> None:
        for (backend, _), source in self.built.items():
            if backend == "postgresql":
                with _admin() as admin:
                    admin.execute(text(f'DROP DATABASE IF EXISTS "{source}" WITH (FORCE)'))


@contextmanager
def _admin() -> Iterator[Connection]:
    """An AUTOCOMMIT connection to the PostgreSQL admin URL (CREATE and DROP DATABASE)."""
    admin = create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            yield conn
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def template_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TemplateStores]:
    stores = TemplateStores(tmp_path_factory.mktemp("templates"))
    yield stores
    stores.drop()


# Argon2id at the app's parameters costs 64 MiB and about 0.18 s of CPU a hash; a test that makes four
# accounts spent seconds hashing. Tests hash with the lowest parameters argon2 allows; the
# hashes stay Argon2id, and a test marked real_passwords uses the app's own.
CHEAP_PASSWORDS = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_passwords(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.node.get_closest_marker("real_passwords") is None:
        monkeypatch.setattr(accounts, "PASSWORDS", CHEAP_PASSWORDS)
        monkeypatch.setattr(signin, "PASSWORDS", CHEAP_PASSWORDS)


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables) on each backend."""
    yield from fresh_database_url(request.param, tmp_path)


@pytest.fixture(params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, template_stores: TemplateStores
) -> Iterator[Engine]:
    """A migrated store with the catalog and no observations (a copy of the template)."""
    for url in template_stores.copy(request.param, tmp_path, with_demo=False):
        yield get_engine(url)


@pytest.fixture(scope="module", params=BACKENDS)
def demo_engine(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    template_stores: TemplateStores,
) -> Iterator[Engine]:
    """A store with the catalog and the demo data, shared by a module's read-only tests."""
    for url in template_stores.copy(request.param, tmp_path_factory.mktemp("demo"), True):
        yield get_engine(url)
