"""Catalog administration (issue 15, Build 3): what an administrator changes in the app is
audited, read by uploads, and survives `python -m mne init`; a retired indicator keeps its
values and leaves the upload template."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from db import models as m
from db.engine import store_version
from mne import accounts, audit, catalog, catalog_admin, cli, intake
from mne.access import Actor, Invalid, operator
from mne.i18n import Translator
from mne.intake import batches
from mne.intake.template import template_xlsx

TR = Translator("en")
PASSWORD = "correct horse battery"


@pytest.fixture
def admin(engine: Engine) -> Actor:
    accounts.create_user(engine, operator(), "admin.c", PASSWORD, "admin")
    actor = accounts.load_actor_by_name(engine, "admin.c")
    assert actor is not None
    return actor


def _init(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert cli.main(["init"]) == 0


def test_an_alias_and_a_name_changed_in_the_app_survive_init(
    engine: Engine, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    indicator = catalog.indicators(engine, "en").iloc[0]
    city = catalog.cities(engine, "en").iloc[0]
    catalog_admin.edit_indicator(
        engine, admin, indicator["code"], {"name_vi": "Tên mới của chỉ tiêu", "unit": "%"}
    )
    catalog_admin.add_city_alias(engine, admin, city["code"], "Thủ phủ Thử Nghiệm")
    actions = audit.audit_frame(engine, audit.AuditFilter(user="admin.c"))["action"]
    assert list(actions).count("edit_catalog") == 2

    _init(engine, monkeypatch)

    names = catalog.indicators(engine, "vi").set_index("code")["name"]
    assert names[indicator["code"]] == "Tên mới của chỉ tiêu"
    text = (
        "city,indicator,period,value\n"
        f"Thu phu Thu Nghiem,Tên mới của chỉ tiêu,2024,{indicator['plausible_min']}\n"
    )
    preview = intake.check(engine, text.encode(), "alias.csv", TR)
    assert preview.errors.empty, preview.errors["message"].tolist()
    assert preview.valid["city_id"].tolist() == [city["id"]]


def test_a_retired_indicator_keeps_its_values_and_leaves_the_template(
    engine: Engine, admin: Actor
) -> None:
    indicator = catalog.indicators(engine, "en").iloc[0]
    city = catalog.cities(engine, "en").iloc[0]
    text = f"city,indicator,period,value\n{city['code']},{indicator['code']},2024,{indicator['plausible_max']}\n"
    intake.commit_preview(engine, intake.check(engine, text.encode(), "v.csv", TR), operator())
    catalog_admin.set_indicator_active(engine, admin, indicator["code"], False)

    assert indicator["code"] not in set(catalog.indicators(engine, "en")["code"])
    assert batches.values_frame(engine, indicator=indicator["code"])["value"].tolist() == [
        indicator["plausible_max"]
    ]
    book = load_workbook(io.BytesIO(template_xlsx(engine, TR)))
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert indicator["code"] not in cells
    assert catalog.indicators(engine, "en").iloc[0]["code"] in cells  # the others are there


def test_wrong_catalog_edits_are_refused_and_change_nothing(engine: Engine, admin: Actor) -> None:
    indicator = catalog.indicators(engine, "en").iloc[0]
    cities = catalog.cities(engine, "en")
    before = catalog.indicators(engine, "en")
    for changes in (
        {"plausible_min": 10, "plausible_max": 5},
        {"name_en": ""},
        {"name_en": "x" * 301},
        {"unit": "a\x00b"},
        {"direction": "sideways"},
    ):
        with pytest.raises(Invalid):
            catalog_admin.edit_indicator(engine, admin, indicator["code"], changes)
    with pytest.raises(Invalid):  # the name of another city
        catalog_admin.add_city_alias(
            engine, admin, cities.iloc[0]["code"], str(cities.iloc[1]["name_en"])
        )
    after = catalog.indicators(engine, "en")
    assert before.equals(after)


def test_a_city_added_in_the_app_is_audited_read_by_uploads_and_survives_init(
    engine: Engine, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    indicator = catalog.indicators(engine, "en").iloc[0]
    version = store_version(engine)
    catalog_admin.add_city(
        engine, admin, "vnxyz", "Thành phố Thử", "Test City", "vn", aliases=("TP Thử",)
    )
    log = audit.audit_frame(engine, audit.AuditFilter(user="admin.c"))
    assert log[["action", "entity", "entity_id"]].values.tolist() == [
        ["edit_catalog", "city", "VNXYZ"]
    ]
    assert store_version(engine) > version

    _init(engine, monkeypatch)

    cities = catalog.cities(engine, "vi").set_index("code")
    assert cities.loc["VNXYZ", "name"] == "Thành phố Thử"
    text = f"city,indicator,period,value\nTP Thu,{indicator['code']},2024,{indicator['plausible_min']}\n"
    preview = intake.check(engine, text.encode(), "new-city.csv", TR)
    assert preview.errors.empty, preview.errors["message"].tolist()
    assert preview.valid["city_id"].tolist() == [cities.loc["VNXYZ", "id"]]


def test_a_wrong_new_city_is_refused_and_adds_nothing(engine: Engine, admin: Actor) -> None:
    cities = catalog.cities(engine, "en")
    other = str(cities.iloc[0]["name_en"])
    for args in (
        ("VN12", "Tên", "Name", "VN"),  # not the seed's code form
        ("XXABC", "Tên", "Name", "XX"),  # no such country
        ("VNQQQ", "Tên", other.upper(), "VN"),  # folds to another city's name
        ("VNQQQ", "", "Name", "VN"),  # empty name
        (str(cities.iloc[0]["code"]), "Tên", "Name", str(cities.iloc[0]["code"])[:2]),
    ):
        with pytest.raises(Invalid):
            catalog_admin.add_city(engine, admin, *args)
    assert catalog.cities(engine, "en").equals(cities)


def test_a_merger_recorded_in_the_app_dates_the_cities_and_survives_init(
    engine: Engine, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog_admin.add_city(engine, admin, "VNAAQ", "Phố Một", "Town One", "VN")
    catalog_admin.add_city(engine, admin, "VNAAR", "Phố Hai", "Town Two", "VN")
    day = dt.date(2025, 7, 1)
    catalog_admin.record_city_event(
        engine, admin, "VN2025_AAQ", day, "merge", ["VNAAQ", "VNAAR"], ["VNAAQ"]
    )
    with pytest.raises(Invalid):  # a city that is not in the catalog
        catalog_admin.record_city_event(
            engine, admin, "VN2025_BAD", day, "merge", ["VNAAQ", "VNNOPE"], ["VNAAQ"]
        )

    _init(engine, monkeypatch)

    cities = catalog.cities(engine, "en").set_index("code")
    assert pd.isna(cities.loc["VNAAQ", "valid_to"])
    assert str(cities.loc["VNAAR", "valid_to"])[:10] == "2025-06-30"
    with engine.connect() as conn:
        e, link = m.table(m.CityEvent), m.table(m.CityEventCity)
        roles = conn.execute(
            select(link.c.role).join(e, e.c.id == link.c.event_id).where(e.c.code == "VN2025_AAQ")
        ).scalars()
        assert sorted(roles) == ["predecessor", "predecessor", "successor"]
        assert conn.execute(select(e.c.id).where(e.c.code == "VN2025_BAD")).first() is None


def test_a_dissolution_ends_the_city_and_names_who_takes_over(engine: Engine, admin: Actor) -> None:
    catalog_admin.add_city(engine, admin, "VNAAS", "Phố Ba", "Town Three", "VN")
    day = dt.date(2025, 7, 1)
    with pytest.raises(Invalid):  # a dissolution has no city of the catalog after it
        catalog_admin.record_city_event(
            engine, admin, "VN2025_AAX", day, "dissolve", ["VNAAS"], ["VNAAS"]
        )
    version = store_version(engine)
    catalog_admin.record_city_event(
        engine, admin, "VN2025_AAS", day, "dissolve", ["VNAAS"], [], others="phường Ba, phường Tư"
    )
    assert store_version(engine) > version
    cities = catalog.cities(engine, "en").set_index("code")
    assert str(cities.loc["VNAAS", "valid_to"])[:10] == "2025-06-30"
    with engine.connect() as conn:
        e = m.table(m.CityEvent)
        event = conn.execute(select(e.c.kind, e.c.others_en).where(e.c.code == "VN2025_AAS")).one()
        assert tuple(event) == ("dissolve", "phường Ba, phường Tư")
        assert conn.execute(select(e.c.id).where(e.c.code == "VN2025_AAX")).first() is None
