"""A page shows what the store holds now: a write made by another process (the command line)
is on the page's next run, with no cache to wait out."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from mne import overview
from mne.i18n import Translator
from mne.store import init_store
from tests.conftest import ROOT
from tests.pages.conftest import AppFactory


def test_an_import_from_the_command_line_shows_on_the_next_run(
    engine: Engine, open_page: AppFactory, tmp_path: Path
) -> None:
    init_store(engine, with_demo=True)
    tr = Translator("en")
    app = open_page(engine, "en", "overview.py")
    year = overview.overview(engine, "en").figures.year
    assert year is not None
    assert not any("in progress" in c.value for c in app.caption)

    early = tmp_path / "early.csv"
    early.write_text(f"city,indicator,period,value\nVNDAD,QE_PM25,{year + 1},21\n")
    url = engine.url.render_as_string(hide_password=False)
    subprocess.run(
        [sys.executable, "-m", "mne", "import", str(early)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
        timeout=300,
    )
    reporting = overview.overview(engine, "en").figures.reporting
    assert reporting.newer_year == year + 1
    app.run()
    expected = tr(
        "{year} in progress: {n} / {total} cities have reported so far. Headline figures "
        "use {reporting}, the latest year at least half the reporting cities have reported "
        "(see Methodology).",
        year=year + 1,
        n=reporting.newer_cities,
        total=reporting.reporting_cities,
        reporting=year,
    )
    assert expected in [c.value for c in app.caption]
