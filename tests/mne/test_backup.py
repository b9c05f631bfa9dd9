"""`python -m mne backup` and `restore`: the whole store, row for row, on either backend."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from db import models as m
from db.engine import get_engine, store_version, writing
from mne import accounts, api_tokens, approval, demo, intake, sessions, value_review
from mne.access import Actor, operator
from mne.backup import file_sha256, head_revision
from mne.cli import main
from mne.i18n import Translator
from mne.intake import batches, revert
from mne.store import init_store
from tests.conftest import ROOT, fresh_database_url
from tests.mne.test_intake_store import _big_file, _import_process, _wait_for

TR = Translator("en")
FIRST = "city,indicator,period,value\nVNHAN,QE_PM25,2023,40\nVNHAN,QE_PM25,2024,38\n"
SECOND = "city,indicator,period,value\nVNHAN,QE_PM25,2024,35\nVNDAD,QE_PM25,2024,20\n"
LATER = "city,indicator,period,value\nVNSGN,QE_PM25,2024,30\n"
# Source backend -> target backend: the same one, and across (a backup restores into either).
PAIRS = [
    ("sqlite", "sqlite"),
    ("postgresql", "postgresql"),
    ("sqlite", "postgresql"),
    ("postgresql", "sqlite"),
]


@pytest.fixture(params=PAIRS, ids=["-".join(p) for p in PAIRS])
def two_urls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases: where a backup is taken, and where it is restored."""
    source_backend, target_backend = request.param
    source = fresh_database_url(source_backend, tmp_path / "source")
    target = fresh_database_url(target_backend, tmp_path / "target")
    urls = next(source), next(target)
    yield urls
    for generator in (target, source):
        next(generator, None)


def cli(monkeypatch: pytest.MonkeyPatch, url: str, *argv: str) -> int:
    monkeypatch.setenv("DATABASE_URL", url)
    return main(list(argv))


def upload(
    engine: Engine, text: str, name: str = "values.csv", actor: Actor | None = None
) -> dict[str, Any]:
    actor = actor or operator("tester")
    preview = intake.check(engine, text.encode(), name, TR, actor=actor)
    return intake.commit_preview(engine, preview, actor)


def fill(engine: Engine) -> None:
    """A store a ministry would have: values replaced (history), a batch reverted, one
    approved, a value returned, an account with its cities, tasks with progress reports, projects, audit rows."""
    cities = ("VNHAN", "VNDAD")
    accounts.create_user(
        engine, operator(), "focal", "a long pass phrase", "focal_point", city_codes=cities
    )
    focal = accounts.load_actor_by_name(engine, "focal")
    upload(engine, FIRST, "first.csv", focal)
    second = upload(engine, SECOND, "second.csv", focal)
    revert.revert(engine, second["batch_id"], focal)
    again = upload(engine, SECOND, "second-again.csv", focal)
    value = batches.values_frame(engine).query(f"batch_id == {again['batch_id']}").iloc[0]
    returned = {(value["city"], value["indicator"], value["period"]): "Check this value"}
    value_review.review_values(engine, operator("analyst"), again["batch_id"], [], returned)
    approval.approve_batch(engine, operator("analyst"), 1)
    with writing(engine) as conn:
        demo.load_tasks(conn)
        demo.load_projects(conn)
    assert focal is not None and focal.user_id is not None
    sessions.start(engine, focal.user_id, "Chromium")  # signed in in a browser
    sessions.issue_code(engine, focal.user_id)  # and on the way back from single sign-on
    api_tokens.add(engine, operator(), "focal", "partner's system", "read+import")


def _plain(value: Any) -> Any:
    """A value as a person reads it, whichever backend held it (an instant as naive UTC)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def content(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the metadata, ordered by primary key."""
    out = {}
    with engine.connect() as conn:
        for table in m.Base.metadata.sorted_tables:
            ordered = select(table).order_by(*table.primary_key.columns)
            out[table.name] = [tuple(map(_plain, row)) for row in conn.execute(ordered)]
    return out


def audit_actions(engine: Engine) -> list[str]:
    log = m.table(m.AuditLog)
    with engine.connect() as conn:
        return list(conn.execute(select(log.c.action).order_by(log.c.id)).scalars())


def test_backup_then_restore_into_an_empty_store_reproduces_every_table(
    two_urls: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source_url, target_url = two_urls
    source = get_engine(source_url)
    init_store(source)
    fill(source)
    expected = content(source)
    empty = [name for name, rows in expected.items() if not rows]
    assert empty == ["source_mapping"], "the test store should fill every table but one"
    dump = tmp_path / "mne.backup"

    assert cli(monkeypatch, source_url, "backup", str(dump)) == 0
    assert dump.stat().st_mode & 0o777 == 0o600  # password hashes: its owner's eyes only
    assert audit_actions(source)[-1] == "store.backup"
    backup_row = content(source)["audit_log"][-1]
    assert json.loads(backup_row[-1])["sha256"] == file_sha256(dump)

    assert cli(monkeypatch, target_url, "restore", str(dump)) == 0
    target = get_engine(target_url)
    restored = content(target)
    for name in expected:
        if name not in ("audit_log", "store_version"):
            assert restored[name] == expected[name], f"table {name} differs"
    assert restored["audit_log"][:-1] == expected["audit_log"]
    assert audit_actions(target)[-1] == "store.restore"
    assert store_version(target) > store_version(source)

    # The restored store goes on: new ids follow the restored ones (PostgreSQL's sequences).
    later = upload(target, LATER, "later.csv")
    assert later["status"] == "committed"
    assert later["batch_id"] == max(row[0] for row in expected["upload_batch"]) + 1


def test_a_backup_taken_while_an_import_writes_is_consistent_and_restores(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import in another process holds the write lock, mid-commit, while the backup is
    taken (SQLite: the online backup API; PostgreSQL: one snapshot). The backup holds the
    store as it was before that import, whole, and restores."""
    url = store_url
    engine = get_engine(url)
    init_store(engine)
    upload(engine, FIRST, "first.csv")
    before = content(engine)
    importing = _import_process(url, _big_file(tmp_path / "big.csv", 7), 3, tmp_path / "paused")
    _wait_for(tmp_path / "paused", importing)
    dump = tmp_path / "during-import.backup"
    assert cli(monkeypatch, url, "backup", str(dump)) == 0
    result = json.loads(importing.communicate(timeout=120)[0])
    assert result["status"] == "committed" and (result["inserted"], result["updated"]) == (298, 2)
    assert len(content(engine)["observation"]) == 300  # the import went through meanwhile

    with sqlite3.connect(dump) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    target_url = f"sqlite:///{tmp_path / 'restored.db'}"
    assert cli(monkeypatch, target_url, "restore", str(dump)) == 0
    restored = content(get_engine(target_url))
    for name in before:
        if name not in ("audit_log", "store_version"):
            assert restored[name] == before[name], f"table {name} differs"
    assert restored["audit_log"][:-1] == before["audit_log"]


def test_restore_refuses_a_store_that_holds_data_unless_forced(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    engine = get_engine(store_url)
    init_store(engine)
    upload(engine, FIRST, "first.csv")
    dump = tmp_path / "mne.backup"
    at_backup = content(engine)
    assert cli(monkeypatch, store_url, "backup", str(dump)) == 0
    upload(engine, SECOND, "second.csv")
    held = content(engine)
    capsys.readouterr()

    assert cli(monkeypatch, store_url, "restore", str(dump)) == 1
    said = capsys.readouterr().err
    assert "already holds data" in said and "--force" in said and "Nothing was restored" in said
    now = content(engine)
    assert {k: v for k, v in now.items() if k != "audit_log"} == {
        k: v for k, v in held.items() if k != "audit_log"
    }
    assert audit_actions(engine)[-1] == "store.restore_refused"

    version = store_version(engine)
    assert cli(monkeypatch, store_url, "restore", str(dump), "--force") == 0
    restored = content(engine)
    assert restored["observation"] == at_backup["observation"]
    assert restored["upload_batch"] == at_backup["upload_batch"]
    assert restored["audit_log"][:-1] == at_backup["audit_log"]
    assert store_version(engine) > version  # every server's caches refresh


def test_a_restore_that_fails_half_way_leaves_the_store_as_it_was(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """A backup whose last table cannot be stored (a value of a city that does not exist):
    the tables already dropped and copied come back as they were, in one transaction."""
    engine = get_engine(store_url)
    init_store(engine)
    upload(engine, FIRST)
    dump = tmp_path / "broken backup.mnebak"  # a space in the name, as people name files
    assert cli(monkeypatch, store_url, "backup", str(dump)) == 0
    with sqlite3.connect(dump) as broken:
        broken.execute("UPDATE observation SET city_id = 99999 WHERE id = 2")
    upload(engine, SECOND)
    before = content(engine)
    capsys.readouterr()
    assert cli(monkeypatch, store_url, "restore", str(dump), "--force") == 2
    said = capsys.readouterr().err
    assert "failed (IntegrityError" in said and "the store is as it was" in said
    assert "Traceback" not in said
    after = content(engine)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }
    assert after["audit_log"][:-1] == before["audit_log"]
    assert audit_actions(engine)[-1] == "store.restore_refused"
    assert upload(engine, LATER)["status"] == "committed"  # nothing left locked


def test_restore_into_a_store_with_the_catalog_only_needs_no_force(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m mne init` then `restore`: the catalog alone is nothing a restore loses."""
    source_url = f"sqlite:///{tmp_path / 'source.db'}"
    init_store(get_engine(source_url))
    upload(get_engine(source_url), FIRST)
    dump = tmp_path / "mne.backup"
    assert cli(monkeypatch, source_url, "backup", str(dump)) == 0
    engine = get_engine(store_url)
    init_store(engine)
    assert cli(monkeypatch, store_url, "restore", str(dump)) == 0
    assert len(content(engine)["observation"]) == 2


def test_restore_refuses_a_backup_of_another_schema_version(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    source_url = f"sqlite:///{tmp_path / 'old.db'}"
    init_store(get_engine(source_url))
    dump = tmp_path / "old.backup"
    assert cli(monkeypatch, source_url, "backup", str(dump)) == 0
    with sqlite3.connect(dump) as older:
        older.execute("UPDATE alembic_version SET version_num = '0005'")
    capsys.readouterr()

    assert cli(monkeypatch, store_url, "restore", str(dump), "--force") == 1
    said = capsys.readouterr().err
    assert "schema version 0005" in said and head_revision() in said
    assert "Nothing was restored" in said and "Traceback" not in said
    engine = get_engine(store_url)
    from db.migrate import has_schema

    assert not has_schema(engine)  # the empty database stays empty


def test_bad_paths_are_said_clearly_in_the_users_language(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    engine = get_engine(store_url)
    init_store(engine)
    upload(engine, FIRST)
    before = content(engine)
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("city,indicator\n")
    other_sqlite = tmp_path / "other.sqlite"
    sqlite3.connect(other_sqlite).execute("CREATE TABLE t (x)").connection.commit()
    existing = tmp_path / "exists.backup"
    existing.write_bytes(b"keep me")
    cases = [
        (["backup", str(tmp_path / "no" / "such" / "folder.backup")], 2, "does not exist"),
        (["backup", str(tmp_path)], 2, "is a folder"),
        (["backup", str(existing)], 1, "already exists"),
        (["backup", "/proc/mne.backup"], 2, "Cannot write"),
        (["restore", str(tmp_path / "missing.backup"), "--force"], 2, "There is no file"),
        (["restore", str(tmp_path), "--force"], 2, "is a folder"),
        (["restore", str(not_sqlite), "--force"], 2, "is not a backup"),
        (["restore", str(other_sqlite), "--force"], 2, "is not a backup"),
    ]
    for argv, code, words in cases:
        capsys.readouterr()
        assert cli(monkeypatch, store_url, *argv) == code, argv
        said = capsys.readouterr().err
        assert words in said and "Traceback" not in said, (argv, said)
    assert existing.read_bytes() == b"keep me"
    after = content(engine)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }

    if store_url.startswith("sqlite"):
        store_file = store_url.removeprefix("sqlite:///")
        assert cli(monkeypatch, store_url, "backup", store_file, "--force") == 1
        assert "is the store itself" in capsys.readouterr().err
    # In Vietnamese, as a process would print it.
    process = subprocess.run(
        [sys.executable, "-m", "mne", "--lang", "vi", "restore", str(not_sqlite)],
        cwd=ROOT,
        env={"DATABASE_URL": store_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 2
    assert "không phải là bản sao lưu" in process.stderr and "Traceback" not in process.stderr
