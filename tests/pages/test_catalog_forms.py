"""The Catalog page's forms for administrators: an indicator renamed and a city's other name
added from the page are in the store; other roles see no form."""

from __future__ import annotations

from sqlalchemy import Engine

from mne import accounts, audit, catalog, city_search
from mne.access import operator
from mne.i18n import Translator
from tests.pages.conftest import AppFactory

PASSWORD = "a long test password"
TR = Translator("en")


def test_an_administrator_renames_an_indicator_and_names_a_city(
    engine: Engine, open_page: AppFactory
) -> None:
    accounts.create_user(engine, operator(), "admin.p", PASSWORD, "admin")
    app = open_page(engine, "en", "catalog.py", user="admin.p")
    code = app.selectbox(key="edit-ind").value
    app.text_input(key=f"edit-{code}-name-en").input("A clearer name")
    app.button(key=f"FormSubmitter:edit-indicator-{code}-{TR('Save the indicator')}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert catalog.indicators(engine, "en").set_index("code").loc[code, "name"] == "A clearer name"
    assert any(code in s.value for s in app.success)

    city = app.selectbox(key="edit-city").value
    app.text_input(key=f"alias-{city}").input("Phố Thử")
    app.button(key=f"FormSubmitter:edit-city-{city}-{TR('Save the city')}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    codes = list(catalog.cities(engine, "en")["code"])
    assert city_search.find(city_search.city_names(engine), "pho thu", codes) == [city]


def test_an_analyst_sees_no_catalog_form(engine: Engine, open_page: AppFactory) -> None:
    accounts.create_user(engine, operator(), "analyst.p", PASSWORD, "analyst")
    app = open_page(engine, "en", "catalog.py", user="analyst.p")
    assert not [s for s in app.selectbox if s.key in ("edit-ind", "edit-city")]


def test_an_administrator_adds_a_city_from_the_page(engine: Engine, open_page: AppFactory) -> None:
    accounts.create_user(engine, operator(), "admin.q", PASSWORD, "admin")
    app = open_page(engine, "en", "catalog.py", user="admin.q")
    country = app.selectbox(key="add-city-country").value
    app.text_input(key="add-city-code").input(f"{country}zzq")
    app.text_input(key="add-city-vi").input("Phố Mới")
    app.text_input(key="add-city-en").input("New Town")
    app.button(key=f"FormSubmitter:add-city-{TR('Add the city')}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    cities = catalog.cities(engine, "en").set_index("code")
    assert cities.loc[f"{country}ZZQ", "name"] == "New Town"
    assert any(f"{country}ZZQ" in s.value for s in app.success)

    app.text_input(key="add-city-code").input(f"{country}zzr")  # the same names again
    app.button(key=f"FormSubmitter:add-city-{TR('Add the city')}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert f"{country}ZZR" not in set(catalog.cities(engine, "en")["code"])
    assert any("New Town" in e.value or f"{country}ZZQ" in e.value for e in app.error)


def test_an_administrator_brings_back_a_retired_indicator(
    engine: Engine, open_page: AppFactory
) -> None:
    accounts.create_user(engine, operator(), "admin.r", PASSWORD, "admin")
    app = open_page(engine, "en", "catalog.py", user="admin.r")
    code = app.selectbox(key="edit-ind").value
    app.button(key="retire-ind").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert code not in set(catalog.indicators(engine, "en")["code"])

    app.selectbox(key="restore-ind").select(code).run()
    app.button(key="restore-ind-go").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert code in set(catalog.indicators(engine, "en")["code"])
    log = audit.audit_frame(engine, audit.AuditFilter(user="admin.r"))
    assert log["after"].astype(str).str.contains("is_active").sum() == 2


def test_an_administrator_records_a_rename_from_the_page(
    engine: Engine, open_page: AppFactory
) -> None:
    accounts.create_user(engine, operator(), "admin.s", PASSWORD, "admin")
    app = open_page(engine, "en", "catalog.py", user="admin.s")
    city = app.selectbox(key="edit-city").value
    app.text_input(key="event-code").input("TEST_RENAME")
    app.selectbox(key="event-kind").select("rename")
    app.multiselect(key="event-before").select(city)
    app.multiselect(key="event-after").select(city)
    app.button(key=f"FormSubmitter:city-event-{TR('Record the event')}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("TEST_RENAME" in s.value for s in app.success)
    log = audit.audit_frame(engine, audit.AuditFilter(user="admin.s"))
    assert log[["entity", "entity_id"]].values.tolist()[0] == ["city_event", "TEST_RENAME"]
