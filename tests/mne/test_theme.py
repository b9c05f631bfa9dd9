"""One theme of colours (mne.theme): every coded status has its colour, and no other module of
mne/ or pages/ writes a colour of its own."""

from __future__ import annotations

import re

from mne import projects, scoring, tasks, theme
from tests.conftest import ROOT

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|(?<![\w.])rgba?\(")


def test_every_status_has_a_colour_and_readable_text() -> None:
    assert set(theme.STATUS_COLOURS) == set(scoring.STATUS_ORDER) == set(theme.STATUS_TEXT_COLOURS)
    assert set(theme.TASK_STATUS_COLOURS) == set(tasks.TASK_STATUS_LABELS)
    assert set(theme.PROJECT_STATUS_COLOURS) == set(projects.PROJECT_STATUS_LABELS)
    assert len(set(theme.OKABE_ITO)) == len(theme.OKABE_ITO)


def test_colours_are_written_in_the_theme_only() -> None:
    files = [*(ROOT / "mne").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]
    writing = {
        str(path.relative_to(ROOT))
        for path in files
        if path.name != "theme.py" and HEX_COLOUR.search(path.read_text(encoding="utf-8"))
    }
    assert not writing
