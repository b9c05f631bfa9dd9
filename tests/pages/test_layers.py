"""The layers: pages draw, mne decides, db stores. A page reaches the store only through mne."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PAGE_FILES = sorted([*(ROOT / "pages").glob("*.py"), ROOT / "app.py"])
BELOW_MNE = ("db", "sqlalchemy")


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_a_page_imports_neither_db_nor_sqlalchemy(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [
        name
        for node in ast.walk(tree)
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    ]
    assert not [n for n in imported if n.split(".")[0] in BELOW_MNE]
