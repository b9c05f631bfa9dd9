"""The values the dashboards and reports count come through analysis.StoreView: approved ones,
or approved and submitted ones when asked. Every read of theirs sees a submitted value only
through a view that includes it, and no module of theirs reads the observation table itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import Engine

from mne import accounts, analysis, city, compare, coverage, explorer, intake, overview
from mne.access import operator
from mne.i18n import Translator
from mne.reports import content
from tests.conftest import ROOT

# The modules that compute what dashboards and reports show. Intake, approval, review, the
# API and the exchange formats read every status on purpose, and say which.
COUNTING_MODULES = [
    "mne/analysis.py",
    "mne/city.py",
    "mne/compare.py",
    "mne/coverage.py",
    "mne/explorer.py",
    "mne/headline.py",
    "mne/methodology.py",
    "mne/overview.py",
    "mne/progress.py",
    "mne/scoring.py",
    "mne/reports/content.py",
]
CSV = "city,indicator,period,value\nVNHAN,QE_PM25,2023,30\n"


def _observation_reads(path: Path) -> list[int]:
    """Lines that name the observation model (m.Observation) outside StoreView itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "StoreView":
            allowed |= set(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "Observation"
        and node.lineno not in allowed
    ]


@pytest.mark.parametrize("module", COUNTING_MODULES)
def test_no_counting_module_reads_the_observation_table_itself(module: str) -> None:
    assert _observation_reads(ROOT / module) == [], module


def test_the_check_finds_a_raw_read(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("from db import models as m\n\no = m.table(m.Observation)\n")
    assert _observation_reads(sneaky) == [3]


def test_each_read_counts_a_submitted_value_only_when_asked(engine: Engine) -> None:
    accounts.create_user(
        engine,
        operator(),
        "focal.view",
        "a long test password",
        "focal_point",
        city_codes=("VNHAN",),
    )
    focal = accounts.load_actor_by_name(engine, "focal.view")
    assert focal is not None
    preview = intake.check(engine, CSV.encode(), "submitted.csv", Translator("en"), actor=focal)
    assert intake.commit_preview(engine, preview, focal)["status"] == "committed"
    approved, both = analysis.StoreView(engine), analysis.StoreView(engine, True)
    hanoi = int(city.data_counts(both)["city_id"].iloc[0])

    def counted(view: analysis.StoreView) -> dict[str, int]:
        return {
            "yearly": len(analysis.yearly_values(view)),
            "cities": len(city.data_counts(view)),
            "coverage": len(coverage.reported_years(view)),
            "indicators": len(explorer.reported_indicators(view)),
            "defaults": len(compare.default_indicators(view, ["VNHAN"], [])),
            "overview": int(overview.overview(view, "en").figures.cities_reporting),
            "report": len(content.observations(view, "en", [hanoi], [*range(1, 500)])),
        }

    assert set(counted(approved).values()) == {0}
    assert set(counted(both).values()) == {1}
    assert counted(engine) == counted(approved)  # a bare engine counts approved values only
