"""The mapping a person gave for a source, remembered for the next upload of that source.

A source is known by its header row (the folded column names, in order): the same system's
export has the same columns every time. A mapping is remembered when a file read with it is
stored, and used again, and said, when a later file of the source comes without one.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import Engine, func, insert, select, update

from db import models as m
from db.engine import writing
from mne.access import Actor
from mne.intake.mapping import Mapping
from mne.text import fold


def source_key(columns: list[str]) -> str:
    """The key of the source whose files have these columns."""
    return hashlib.sha256("\x1f".join(fold(c) for c in columns).encode()).hexdigest()


def recall(engine: Engine, key: str) -> Mapping:
    """The mapping remembered for the source (empty when there is none)."""
    with engine.connect() as conn:
        entries = conn.execute(
            select(m.SourceMapping.entries).where(m.SourceMapping.source_key == key)
        ).scalar()
    return Mapping.parse(json.loads(entries)) if entries else Mapping()


def remember(engine: Engine, key: str, columns: list[str], mapping: Mapping, actor: Actor) -> None:
    """Keep `mapping` as the source's mapping (replacing the one remembered before)."""
    values = {
        "headers": json.dumps(columns, ensure_ascii=False),
        "entries": json.dumps(list(mapping.written), ensure_ascii=False),
        "user_name": actor.username,
    }
    with writing(engine) as conn:
        row = conn.execute(
            select(m.SourceMapping.id).where(m.SourceMapping.source_key == key)
        ).scalar()
        if row is None:
            conn.execute(insert(m.SourceMapping).values(source_key=key, **values))
        else:
            conn.execute(
                update(m.SourceMapping)
                .where(m.SourceMapping.id == row)
                .values(updated_at=func.now(), **values)
            )
