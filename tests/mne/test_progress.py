"""`python -m mne progress --json`: the figures behind every status, on a store built from a
small CSV (expected figures computed by hand), and over the whole demo store."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from db import models as m
from db.engine import writing
from mne.access import operator
from mne.i18n import Translator
from mne.intake import check, commit_preview
from mne.progress import progress_json
from tests import command_line
from tests.command_line import Ran

TESTER = operator("tester")

ROWS = """city,indicator,period,value
VNHAN,CS_HOUSING_FLOOR,2015,20
VNHAN,CS_HOUSING_FLOOR,2020,23
IDJKT,CS_HOUSING_FLOOR,2015,10
IDJKT,CS_HOUSING_FLOOR,2020,12
VNDAD,QE_PM25,2015,30
VNDAD,QE_PM25,2024,20
VNSGN,BI_TRANSPORT_LAND,2015,45
VNSGN,BI_TRANSPORT_LAND,2024,40
VNHAN,CS_HOUSING_FLOOR,2022,30
"""

KEYS = {"city", "indicator", "baseline", "latest", "target", "status", "score", "gap"}


def run_cli(engine: Engine, *args: str) -> Ran:
    return command_line.run_cli(engine, "progress", *args)


@pytest.fixture
def small_store(engine: Engine) -> Engine:
    preview = check(engine, ROWS.encode(), "small.csv", Translator("en"))
    assert commit_preview(engine, preview, TESTER)["status"] == "committed"
    # One value waits for review: only --include-submitted counts it.
    o, c = m.table(m.Observation), m.table(m.City)
    with writing(engine) as conn:
        hanoi = conn.execute(select(c.c.id).where(c.c.code == "VNHAN")).scalar_one()
        conn.execute(
            update(o).where(o.c.city_id == hanoi, o.c.period == "2022").values(status="submitted")
        )
    return engine


def by_pair(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["city"], r["indicator"]): r for r in rows}


def test_progress_json_on_a_small_store(small_store: Engine) -> None:
    result = run_cli(small_store, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["city"], r["indicator"]) for r in rows] == sorted(
        [
            ("IDJKT", "CS_HOUSING_FLOOR"),
            ("VNDAD", "QE_PM25"),
            ("VNHAN", "CS_HOUSING_FLOOR"),
            ("VNSGN", "BI_TRANSPORT_LAND"),
        ]
    )
    pairs = by_pair(rows)
    hanoi = pairs["VNHAN", "CS_HOUSING_FLOOR"]
    assert set(hanoi) == KEYS
    # Viet Nam's official target, milestones 28 (2025) and 32 (2030); the submitted 2022
    # value is not counted. R towards the 2025 milestone: (23/20)^(1/5) - 1 = 0.0283467 over
    # (28/20)^(1/10) - 1 = 0.0342197 = 0.82837 -> moderate; gap = 32 - 23 = 9.
    assert hanoi["baseline"] == {"period": "2015", "value": 20.0}
    assert hanoi["latest"] == {"period": "2020", "value": 23.0}
    assert hanoi["target"] == {"value": 32.0, "year": 2030, "kind": "official", "scope": "country"}
    assert hanoi["status"] == "moderate" and hanoi["gap"] == 9.0
    # Score: worst = 2.5th percentile of [12, 23] = 12.275; Hà Nội against its target 32:
    # (23 - 12.275) / (32 - 12.275) x 100 = 54.373.
    assert hanoi["score"] == pytest.approx(54.373, abs=1e-3)
    # Jakarta: no Vietnamese target. Trend only: (12/10)^(1/5) - 1 = 3.71 % a year -> on
    # track; score against the optimum 22.725: 12 is below the worst 12.275 -> 0.
    jakarta = pairs["IDJKT", "CS_HOUSING_FLOOR"]
    assert jakarta["target"] is None and jakarta["gap"] is None
    assert jakarta["status"] == "on_track" and jakarta["score"] == 0.0
    # PM2.5, the WHO guideline 5 for every city: CAGR_obs = (20/30)^(1/9) - 1 = -0.0440519,
    # CAGR_req = (5/30)^(1/15) - 1 = -0.1125922, R = 0.39125 -> limited; gap 5 - 20 = -15.
    # A single city reports PM2.5 and is short of the target: no score.
    pm = pairs["VNDAD", "QE_PM25"]
    assert pm["target"] == {"value": 5.0, "year": 2030, "kind": "guideline", "scope": "network"}
    assert pm["status"] == "limited" and pm["gap"] == -15.0 and pm["score"] is None
    # Transport land, the official band 16-26 % by 2030: 40 is above it, the nearest edge is
    # 26: gap 26 - 40 = -14; R = 0.13235 towards the 2025 band's upper edge 16 -> limited.
    land = pairs["VNSGN", "BI_TRANSPORT_LAND"]
    assert land["target"]["band"] == {"low": 16.0, "high": 26.0}
    assert land["target"]["value"] == 26.0 and land["gap"] == -14.0
    assert land["status"] == "limited"


def test_progress_filters_and_submitted_values(small_store: Engine) -> None:
    only = progress_json(small_store, city="VNHAN")
    assert [(r["city"], r["indicator"]) for r in only] == [("VNHAN", "CS_HOUSING_FLOOR")]
    one = progress_json(small_store, indicator="CS_HOUSING_FLOOR")
    assert {r["city"] for r in one} == {"VNHAN", "IDJKT"}
    # The submitted 2022 value (30) counts with --include-submitted: from 20 in 2015 to 30
    # in 2022, the 2025 milestone 28 is already met -> on track; gap 32 - 30 = 2.
    result = run_cli(small_store, "--city", "VNHAN", "--include-submitted", "--json")
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(result.stdout)
    assert row["latest"] == {"period": "2022", "value": 30.0}
    assert row["status"] == "on_track" and row["gap"] == 2.0


def test_progress_refuses_an_unknown_code(small_store: Engine) -> None:
    result = run_cli(small_store, "--city", "XXNOPE", "--json")
    assert result.returncode == 2 and "XXNOPE" in result.stderr
    result = run_cli(small_store, "--indicator", "NOPE", "--json")
    assert result.returncode == 2 and "NOPE" in result.stderr


def test_no_city_outside_vietnam_is_scored_against_a_vietnamese_target(
    demo_engine: Engine,
) -> None:
    """Over the whole demo store, through the command: a country's target reaches only that
    country's cities; an official target only cities of the country whose law sets it."""
    result = run_cli(demo_engine, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    t, c, i = m.table(m.Target), m.table(m.City), m.table(m.Indicator)
    with demo_engine.connect() as conn:
        country_of = dict(conn.execute(select(c.c.code, c.c.country_iso2)).all())
        country_targets = {
            (code, int(year)): country
            for code, year, country in conn.execute(
                select(i.c.code, t.c.year, t.c.country_iso2)
                .join(i, i.c.id == t.c.indicator_id)
                .where(t.c.scope == "country")
            ).all()
        }
    assert "VN" in set(country_targets.values())
    with_target = [r for r in rows if r["target"] is not None]
    foreign = [r for r in with_target if country_of[r["city"]] != "VN"]
    assert foreign, "the demo store has cities outside Viet Nam with targets"
    assert len({r["city"] for r in rows if country_of[r["city"]] != "VN"}) > 5
    for row in with_target:
        target = row["target"]
        if target["scope"] == "country":
            setter = country_targets[row["indicator"], target["year"]]
            assert setter == country_of[row["city"]], row
        if target["kind"] == "official":
            assert target["scope"] in ("country", "city"), row
            assert country_of[row["city"]] == "VN", row
    # And the Vietnamese targets do reach the Vietnamese cities.
    vietnamese = [
        r
        for r in with_target
        if country_of[r["city"]] == "VN" and r["target"]["scope"] == "country"
    ]
    assert vietnamese
