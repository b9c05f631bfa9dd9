"""Creating, migrating and seeding a store, and the version every cache is keyed on."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, exists, select

from db import models as m
from db.engine import database_url, get_engine, store_version, writing
from db.migrate import has_schema, upgrade
from mne import audit, demo
from mne.catalog import load_catalog

# The store's handle, as pages name it: they reach the store through mne, never db/ or
# sqlalchemy themselves.
Store = Engine


def store_url() -> str:
    """The store's address: DATABASE_URL, else the default SQLite file."""
    return database_url()


def open_store(url: str) -> Engine:
    """The process's one engine for `url`, set up with demo data on the very first start
    (`ensure_store`)."""
    engine = get_engine(url)
    ensure_store(engine)
    return engine


def version(engine: Engine) -> int:
    """The store's version, advanced by every write transaction (db.engine.writing): equal
    versions mean equal contents, on every app server of the store."""
    return store_version(engine)


def init_store(engine: Engine, with_demo: bool = False) -> dict[str, int]:
    """Create or migrate the schema, bring the catalog up to date and, if asked, load the demo.

    One transaction under the write lock: safe to run again, and safe when two app servers
    start at once."""
    with writing(engine) as conn:
        upgrade(conn)
        load_catalog(conn)
        return demo.load_demo(conn) if with_demo else {}


def init_store_with_demo_if_new(engine: Engine, user_name: str) -> dict[str, int]:
    """As init_store, loading the demo only into a store that never held data: no value, no
    task and no project of its own, and no demo ever removed (`python -m mne demo remove`
    stays final; `python -m mne demo load` brings the demo back on purpose)."""
    with writing(engine) as conn:
        upgrade(conn)
        load_catalog(conn)
        if not never_held_data(conn):
            return {}
        counts = demo.load_demo(conn)
        audit.record(conn, None, user_name, "demo.load", "demo", after=counts)
        return counts


def never_held_data(conn: Connection) -> bool:
    """No observation, batch, task or project, and no audit row saying the demo was removed."""
    held = select(
        exists().where(m.UploadBatch.id.is_not(None))
        | exists().where(m.Task.id.is_not(None))
        | exists().where(m.ScapProject.id.is_not(None))
        | exists().where(m.AuditLog.action == "demo.remove")
    )
    return not conn.execute(held).scalar()


def ensure_store(engine: Engine) -> bool:
    """On the app's first start against a store without tables, set it up with demo data.

    Returns True when it did. A store that has tables is left as it is (a store whose demo
    data was removed stays without it)."""
    if has_schema(engine):
        return False
    with writing(engine) as conn:
        if has_schema(conn):  # another process set it up while this one waited
            return False
        upgrade(conn)
        load_catalog(conn)
        demo.load_demo(conn)
    return True
