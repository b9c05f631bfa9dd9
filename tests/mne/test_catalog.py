"""The catalog: complete, faithful to the reference, and loadable again without harm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata

import pandas as pd
from sqlalchemy import Engine, func, select

from db import models as m
from db.engine import writing
from mne.catalog import catalog_json, load_catalog, read_seed
from mne.text import fold
from tests.conftest import ROOT

FOCUS_AREAS = {"CS", "HW", "SS", "QE", "BI", "II"}


def test_catalog_json_from_the_command_line(engine: Engine) -> None:
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    result = subprocess.run(
        [sys.executable, "-m", "mne", "catalog", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    catalog = json.loads(result.stdout)
    assert len(catalog["cities"]) >= 35
    assert len(catalog["indicators"]) >= 36
    per_area = pd.Series([i["focus_area"] for i in catalog["indicators"]]).value_counts()
    assert set(per_area.index) == FOCUS_AREAS and per_area.min() >= 5
    for indicator in catalog["indicators"]:
        assert indicator["unit"] and indicator["name_vi"] and indicator["name_en"]
        assert indicator["direction"] in ("higher", "lower")
        assert indicator["min"] < indicator["max"]
    assert len(catalog["task_groups"]) == 6
    hcmc = next(c for c in catalog["cities"] if c["name_en"] == "Ho Chi Minh City")
    assert {"TP.HCM", "HCMC", "Sài Gòn"} <= set(hcmc["aliases"])
    assert hcmc["name_vi"] == "Thành phố Hồ Chí Minh" and hcmc["country"] == "VN"


def test_the_cities_of_the_reference_are_all_there(engine: Engine) -> None:
    reference = pd.read_csv(ROOT.parent / "shared" / "reference" / "cities.csv")
    names = {c["name_en"] for c in catalog_json(engine)["cities"]}
    assert set(reference["name_en"]) <= names
    members = read_seed("cities.csv").query("ascn_joined != ''")
    assert len(members) == 31


def test_the_forum_task_groups_match_the_sources(engine: Engine) -> None:
    groups = {g["code"]: g for g in catalog_json(engine)["task_groups"]}
    assert groups["G1"]["name_vi"] == "Nâng cấp năng lực quy hoạch và quản trị dựa trên dữ liệu"
    assert groups["G6"]["name_id"] == "Menyiapkan uji coba (sandbox) untuk mempercepat uji coba"
    assert groups["G2"]["name_en"] == "Accelerate urban digital transformation"


def test_only_the_reference_official_targets_are_official(engine: Engine) -> None:
    reference = pd.read_csv(ROOT.parent / "shared" / "reference" / "indicator_candidates.csv")
    official_names = set(
        reference.loc[reference["target_kind"].str.startswith("official"), "name_en"]
    )
    with engine.connect() as conn:
        official = set(
            conn.execute(
                select(m.Indicator.name_en)
                .join(m.Target, m.Target.indicator_id == m.Indicator.id)
                .where(m.Target.kind == "official")
            ).scalars()
        )
    assert official and official <= official_names


def test_vietnamese_text_is_composed_unicode() -> None:
    for name in ("cities.csv", "indicators.csv", "task_groups.csv", "demo_tasks.csv"):
        frame = read_seed(name)
        for column in frame.columns:
            for value in frame[column]:
                assert unicodedata.is_normalized("NFC", value), (name, column, value)


def test_loading_the_catalog_again_changes_nothing(engine: Engine) -> None:
    def counts() -> dict[str, int]:
        with engine.connect() as conn:
            return {
                t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in m.Base.metadata.sorted_tables
            }

    before = counts()
    with writing(engine) as conn:
        load_catalog(conn)
    assert counts() == before


def test_aliases_match_regardless_of_diacritics_and_case(engine: Engine) -> None:
    with engine.connect() as conn:
        keys = dict(
            conn.execute(
                select(m.CityAlias.alias_key, m.City.code).join(
                    m.City, m.City.id == m.CityAlias.city_id
                )
            ).all()
        )
    assert keys[fold("tp.hcm")] == keys[fold("Thành Phố Hồ Chí Minh")] == keys[fold("SAI GON")]
    assert keys[fold("Ha Noi")] == keys[fold("HÀ NỘI")]
    assert keys[fold("da nang")] == keys[fold("Đà Nẵng")]


def test_fold() -> None:
    assert fold("  TP. Hồ  Chí Minh ") == "tp ho chi minh"
    assert fold("Đà Nẵng") == fold("Da Nang") == "da nang"
    decomposed = unicodedata.normalize("NFD", "Huế")
    assert fold(decomposed) == fold("Huế") == "hue"
