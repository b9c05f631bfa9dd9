"""Creating, migrating and seeding a store."""

from __future__ import annotations

from sqlalchemy import Engine

from db.engine import writing
from db.migrate import has_schema, upgrade
from mne import demo
from mne.catalog import load_catalog


def init_store(engine: Engine, with_demo: bool = False) -> dict[str, int]:
    """Create or migrate the schema, bring the catalog up to date and, if asked, load the demo.

    One transaction under the write lock: safe to run again, and safe when two app servers
    start at once."""
    with writing(engine) as conn:
        upgrade(conn)
        load_catalog(conn)
        return demo.load_demo(conn) if with_demo else {}


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
