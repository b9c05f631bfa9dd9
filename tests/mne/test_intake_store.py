"""Storing uploads: batches, same-content re-upload, revert, concurrent and killed imports,
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from db import models as m
from mne.access import operator
from mne.i18n import Translator
from mne.intake import batches, check, commit_preview, revert
from tests.conftest import ROOT

TESTER = operator("tester")

TR = Translator("en")


def upload(engine: Engine, text: str, name: str = "upload.csv", partial: bool = False) -> dict:
    return commit_preview(engine, check(engine, text.encode(), name, TR), TESTER, partial=partial)


def stored(engine: Engine) -> dict[tuple[str, str, str], float]:
    frame = batches.values_frame(engine)
    return {(r.city, r.indicator, r.period): r.value for r in frame.itertuples()}


def content(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table (ids and timestamps included), for byte-for-byte comparison."""
    out = {}
    with engine.connect() as conn:
        for table in m.Base.metadata.sorted_tables:
            rows = conn.execute(select(table)).all()
            out[table.name] = sorted(tuple(map(repr, r)) for r in rows)
    return out


FIRST = "city,indicator,period,value\nVNHAN,QE_PM25,2023,40\nVNHAN,QE_PM25,2024,38\nVNSGN,QE_PM25,2024,30\n"
SECOND = "city,indicator,period,value\nVNHAN,QE_PM25,2024,35\nVNSGN,QE_PM25,2024,30\nVNDAD,QE_PM25,2024,20\n"


def test_a_commit_is_one_batch_with_counts(engine: Engine) -> None:
    result = upload(engine, FIRST, "first.csv")
    assert result["status"] == "committed" and result["inserted"] == 3
    listed = batches.batches_frame(engine)
    assert listed.iloc[0]["file_name"] == "first.csv"
    assert listed.iloc[0]["inserted"] == 3 and listed.iloc[0]["user_name"] == "tester"
    assert stored(engine)[("VNHAN", "QE_PM25", "2024")] == 38


def test_same_content_again_changes_nothing_and_says_so(engine: Engine) -> None:
    upload(engine, FIRST)
    before = content(engine)
    again = upload(engine, FIRST)
    assert again["status"] == "unchanged" and again["batch_id"] is None
    assert again["unchanged"] == 3 and again["same_as_batch"] == 1
    assert content(engine) == before


def test_changed_values_keep_history_and_revert_restores_exactly(engine: Engine) -> None:
    upload(engine, FIRST)
    after_first = stored(engine)
    second = upload(engine, SECOND)
    assert (second["inserted"], second["updated"], second["unchanged"]) == (1, 1, 1)
    assert stored(engine)[("VNHAN", "QE_PM25", "2024")] == 35
    changes = batches.batch_changes(engine, second["batch_id"])
    hanoi = changes[changes["city"] == "VNHAN"].iloc[0]
    assert (hanoi["old_value"], hanoi["new_value"]) == (38, 35)
    revert.revert(engine, second["batch_id"], TESTER)
    assert stored(engine) == after_first
    revert.revert(engine, 1, TESTER)
    assert stored(engine) == {}


def test_revert_is_refused_when_a_later_batch_changed_the_values(engine: Engine) -> None:
    upload(engine, FIRST)
    upload(engine, SECOND)
    before = content(engine)
    with pytest.raises(revert.RevertRefused) as refused:
        revert.revert(engine, 1, TESTER)
    assert refused.value.reason == "later" and refused.value.values["later"] == "#2"
    assert content(engine) == before
    with pytest.raises(revert.RevertRefused):
        revert.revert(engine, 99, TESTER)


def test_a_rejected_upload_changes_nothing(engine: Engine) -> None:
    upload(engine, FIRST)
    before = content(engine)
    result = upload(engine, FIRST.replace("38", "abc").replace("40", "41"))
    assert result["status"] == "rejected"
    assert content(engine) == before


def test_partial_stores_the_valid_rows(engine: Engine) -> None:
    result = upload(engine, FIRST.replace("38", "abc"), partial=True)
    assert result["status"] == "committed" and result["inserted"] == 2 and result["rejected"] == 1
    assert ("VNHAN", "QE_PM25", "2024") not in stored(engine)


# `python -m mne ARGS` in a process of its own whose import or revert, when PAUSE seconds are
# given, stops inside its open transaction before the commit (mne.intake.store.before_commit),
# touching MARKER to say so: python -c PAUSED_CLI URL PAUSE MARKER ARGS...
PAUSED_CLI = """
import os, pathlib, sys, time
url, pause, marker, *args = sys.argv[1:]
os.environ["DATABASE_URL"] = url
from mne import cli
from mne.intake import store
if float(pause):
    def stop_before_commit():
        pathlib.Path(marker).touch()
        time.sleep(float(pause))
    store.before_commit = stop_before_commit
sys.exit(cli.main(args))
"""


def paused_cli(
    url: str, args: list[str], pause: float = 0, marker: Path | None = None
) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", PAUSED_CLI, url, str(pause), str(marker or ""), *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _import_process(
    url: str, path: Path, pause: float = 0, marker: Path | None = None
) -> subprocess.Popen:
    return paused_cli(url, ["import", str(path), "--json", "--user", path.stem], pause, marker)


def _wait_for(marker: Path, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.time() < deadline, "the import never reached its commit"
        time.sleep(0.05)


def _big_file(path: Path, value: float) -> Path:
    """Every city x indicator QE_PM25 / CS_INTERNET_HH for 2000-2024 set to `value`."""
    cities = ["VNHAN", "VNSGN", "VNDAD", "THBKK", "SGSIN", "IDJKT"]
    lines = ["city,indicator,period,value"]
    lines += [
        f"{c},{i},{y},{value}"
        for c in cities
        for i in ("QE_PM25", "CS_INTERNET_HH")
        for y in range(2000, 2025)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_two_imports_at_once_never_mix(engine: Engine, tmp_path: Path) -> None:
    url = engine.url.render_as_string(hide_password=False)
    first = _import_process(url, _big_file(tmp_path / "ones.csv", 1), 2, tmp_path / "paused")
    _wait_for(tmp_path / "paused", first)
    second = _import_process(url, _big_file(tmp_path / "twos.csv", 2))
    results = [json.loads(p.communicate(timeout=120)[0]) for p in (first, second)]
    assert [r["status"] for r in results] == ["committed", "committed"]
    assert results[0]["inserted"] == 300 and results[1]["updated"] == 300
    values = set(stored(engine).values())
    assert values == {2.0}  # the second waited for the first, then replaced all of it
    revert.revert(engine, results[1]["batch_id"], TESTER)
    assert set(stored(engine).values()) == {1.0}


def test_an_import_killed_mid_commit_leaves_the_store_as_it_was(
    engine: Engine, tmp_path: Path
) -> None:
    upload(engine, FIRST)
    before = content(engine)
    url = engine.url.render_as_string(hide_password=False)
    process = _import_process(url, _big_file(tmp_path / "big.csv", 3), 60, tmp_path / "paused")
    _wait_for(tmp_path / "paused", process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert content(engine) == before
    assert upload(engine, SECOND)["status"] == "committed"  # the store is not left locked


def test_a_revert_tells_its_steps_and_readers_never_wait_for_it(engine: Engine) -> None:
    """Each step is told as it starts; meanwhile (the revert holding the write lock) other
    connections read the store as it was, without waiting: pages stay responsive."""
    upload(engine, FIRST)
    upload(engine, SECOND)
    before = stored(engine)
    seen: list[tuple[str, dict]] = []
    counts = revert.revert(engine, 2, TESTER, progress=lambda s: seen.append((s, stored(engine))))
    assert counts == {"restored": 1, "removed": 1}
    assert [step for step, _ in seen] == [
        revert.REVERT_CHECKING,
        revert.REVERT_RESTORING,
        revert.REVERT_REMOVING,
        revert.REVERT_RECORDING,
    ]
    assert all(values == before for _, values in seen)
    assert stored(engine) != before


def _revert_process(url: str, batch_id: int, marker: Path) -> subprocess.Popen:
    return paused_cli(url, ["revert", str(batch_id)], 60, marker)


def test_a_revert_killed_mid_way_leaves_the_store_as_it_was(engine: Engine, tmp_path: Path) -> None:
    """Killed after every statement of the revert (restore, delete, history, batch state, audit
    row) and before its commit: nothing of it stays, and the store is not left locked."""
    upload(engine, FIRST)
    upload(engine, _big_file(tmp_path / "ones.csv", 1).read_text(), "ones.csv")
    third = upload(engine, _big_file(tmp_path / "twos.csv", 2).read_text(), "twos.csv")
    assert third["updated"] == 300
    before = content(engine)
    url = engine.url.render_as_string(hide_password=False)
    process = _revert_process(url, third["batch_id"], tmp_path / "paused")
    _wait_for(tmp_path / "paused", process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert content(engine) == before
    assert revert.revert(engine, third["batch_id"], TESTER) == {"restored": 300, "removed": 0}
    assert set(stored(engine).values()) == {1.0}


NOTED = "city,indicator,period,value,note,source\n" + "".join(
    f"{city},QE_PM25,{year},{value},note {value},source {value}\n"
    for city, year, value in (("VNHAN", 2023, 40), ("VNHAN", 2024, 38), ("VNSGN", 2024, 30))
)
NOTED_AGAIN = (
    "city,indicator,period,value,note,source\n"
    "VNHAN,QE_PM25,2024,35,later,later\nVNDAD,QE_PM25,2024,20,new,new\n"
)


def _observations(engine: Engine) -> list[tuple]:
    """Every column of every observation but the time it was last written."""
    o = m.table(m.Observation)
    with engine.connect() as conn:
        rows = conn.execute(select(*[c for c in o.c if c.name != "updated_at"]).order_by(o.c.id))
        return [tuple(r) for r in rows]


def test_a_revert_puts_back_every_column_of_the_replaced_values(engine: Engine) -> None:
    """Id, value, note, source, status and batch of every replaced value come back; values
    the batch added go; its history rows go; the audit row says how many."""
    upload(engine, NOTED)
    before = _observations(engine)
    second = upload(engine, NOTED_AGAIN)
    assert (second["inserted"], second["updated"]) == (1, 1)
    assert revert.revert(engine, second["batch_id"], TESTER) == {"restored": 1, "removed": 1}
    assert _observations(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(m.ObservationHistory.id)).all() == []
        after = conn.execute(
            select(m.AuditLog.after).where(m.AuditLog.action == "revert")
        ).scalar_one()
    assert json.loads(after) == {"state": "reverted", "restored": 1, "removed": 1}


def _every_city_file(value: float) -> str:
    """Two values of two indicators for every catalog city (ids are not in code order)."""
    seed = (ROOT / "db" / "seed" / "cities.csv").read_text(encoding="utf-8").splitlines()
    codes = [line.split(",")[0] for line in seed[1:] if line]
    lines = ["city,indicator,period,value"]
    for code in codes:
        for indicator in ("QE_PM25", "CS_INTERNET_HH"):
            lines += [f"{code},{indicator},2023,{value}", f"{code},{indicator},2024,{value + 1}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("limit", [1, 3, 4, 5, 50, 139, 140, 141, 1000])
def test_a_batchs_first_changes_are_the_head_of_all_its_changes(engine: Engine, limit: int) -> None:
    """The History page reads a batch's first values a few cities at a time: the same rows,
    in the same order (city code, indicator code, period), as the head of the full list."""
    upload(engine, _every_city_file(1))
    second = upload(engine, _every_city_file(1).replace(",2\n", ",5\n"))  # the 2024 values
    assert second["updated"] == second["rows"] // 2
    for batch_id in (1, second["batch_id"]):
        full = batches.batch_changes(engine, batch_id)
        key = full[["city", "indicator", "period"]]
        assert key.equals(key.sort_values(list(key.columns)))
        first = batches.batch_changes(engine, batch_id, limit)
        assert first.equals(full.head(limit)), (batch_id, limit)
    assert batches.batch_changes(engine, 99, 10).empty
