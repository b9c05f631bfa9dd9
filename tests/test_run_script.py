"""scripts/run.sh seeds demo data only into a store that never held data."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

from sqlalchemy import Engine

from mne import demo
from tests.conftest import ROOT


def _run_sh_init() -> list[str]:
    """The `mne init` command scripts/run.sh runs before it serves (as it is written there)."""
    lines = (ROOT / "scripts" / "run.sh").read_text().splitlines()
    (line,) = [ln for ln in lines if " -m mne init" in ln]
    words = shlex.split(line)
    return [sys.executable, *words[words.index("-m") :]]


def _run(engine: Engine, command: list[str]) -> None:
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)


def test_run_sh_seeds_a_new_store_and_a_removed_demo_stays_removed(store_url: str) -> None:
    from db.engine import get_engine

    engine = get_engine(store_url)
    _run(engine, _run_sh_init())
    assert demo.has_demo(engine)  # a new store: the dashboard opens with demo data
    _run(engine, [sys.executable, "-m", "mne", "demo", "remove"])
    _run(engine, _run_sh_init())
    _run(engine, _run_sh_init())
    assert not demo.has_demo(engine)
