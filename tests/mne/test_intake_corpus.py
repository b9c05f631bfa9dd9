"""Real files published by statistics offices and partners' systems (tests/data/real/, see its
README for sources and licences): each is imported as a user would, with the mapping they
would give, and every value it must store is compared; the dry run agrees with the import on
status and exit code for every file, as it is and with its mapping, with and without
--partial."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from mne import cli
from tests.conftest import ROOT
from tests.mne.intake_files import dump_store, stored

CORPUS = ROOT / "tests" / "data" / "real"
EXPECTED: dict[str, dict[str, Any]] = json.loads((CORPUS / "expected.json").read_text("utf-8"))
DRY_STATUS = {"committed": "dry-run"}


def run(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *args: str,
) -> tuple[int, dict[str, Any]]:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    capsys.readouterr()
    code = cli.main(["import", *args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def mapping_args(entries: list[str]) -> list[str]:
    return [arg for entry in entries for arg in ("--map", entry)]


def test_every_corpus_file_is_described() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.name not in ("README.md", "expected.json")}
    assert files == set(EXPECTED)
    readme = (CORPUS / "README.md").read_text("utf-8")
    assert all(name in readme for name in files)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_dry_run_agrees_with_the_import(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    path = str(CORPUS / name)
    for extra in ([], mapping_args(EXPECTED[name]["map"])):
        for partial in ([], ["--partial"]):
            before = dump_store(engine)
            dry_code, dry = run(engine, monkeypatch, capsys, path, *extra, *partial, "--dry-run")
            assert dump_store(engine) == before
            code, real = run(engine, monkeypatch, capsys, path, *extra, *partial)
            assert dry_code == code, (extra, partial, dry, real)
            assert dry["status"] == DRY_STATUS.get(real["status"], real["status"])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_real_file_stores_exactly_its_values(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
) -> None:
    case = EXPECTED[name]
    args = [str(CORPUS / name), *mapping_args(case["map"])]
    code, summary = run(engine, monkeypatch, capsys, *args)
    assert (code, summary["status"]) == (0, "committed"), summary["errors"][:3]
    if "sheet" in case:
        assert summary["sheet"] == case["sheet"]
    want = {tuple(key.split("|")): value for key, value in case["values"].items()}
    assert stored(engine) == pytest.approx(want)
    messages = " ".join(w["message"] for w in [*summary["warnings"], *summary["errors"]])
    assert "“”" not in messages and Path(name).name not in messages
