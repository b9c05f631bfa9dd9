"""A city picker finds a city the way people type it (issue 15, Build 4): codes, names in
each language and aliases, with or without accents, through the folding the upload uses."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from mne import accounts, catalog
from mne.access import operator
from mne.i18n import Translator
from tests.pages.conftest import AppFactory

# What people type, and the English name of the city they mean (the catalog's, not the demo's).
TR = Translator("en")
SPELLINGS = {
    "Da Nang": "Da Nang",
    "nang": "Da Nang",
    "HCMC": "Ho Chi Minh City",
    "Sài Gòn": "Ho Chi Minh City",
    "Bangkok": "Bangkok",
    "Băng Cốc": "Bangkok",
}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_spelling_selects_the_city_it_names(
    demo_engine: Engine, open_page: AppFactory, lang: str
) -> None:
    cities = catalog.cities(demo_engine, "en").set_index("name_en")
    app = open_page(demo_engine, lang, "city.py")
    for typed, meant in SPELLINGS.items():
        app.text_input(key="city_code_find").input(typed).run()
        assert not app.exception, [e.value for e in app.exception]
        picker = app.selectbox(key="city_code")
        assert picker.value == cities.loc[meant, "code"], typed
        assert picker.index == 0, typed  # the best match first
        assert not app.warning, [w.value for w in app.warning]


def test_a_name_of_no_city_lists_every_city_and_says_so(
    demo_engine: Engine, open_page: AppFactory
) -> None:
    app = open_page(demo_engine, "en", "city.py")
    chosen = app.selectbox(key="city_code").value
    app.text_input(key="city_code_find").input("Atlantis").run()
    picker = app.selectbox(key="city_code")
    assert len(picker.options) == len(catalog.cities(demo_engine, "en"))
    assert picker.value == chosen
    assert any("Atlantis" in c.value for c in app.caption)


# City pickers inside a form: (page, role, picker key). Their find box stands above the form.
PICKERS_IN_FORMS = [
    ("users.py", "admin", "add-cities"),
    ("catalog.py", "analyst", "target-city"),
    ("catalog.py", "admin", "event-before"),
    ("catalog.py", "admin", "event-after"),
]


@pytest.mark.parametrize(("page", "role", "key"), PICKERS_IN_FORMS)
def test_a_picker_inside_a_form_finds_each_spelling(
    engine: Engine, open_page: AppFactory, page: str, role: str, key: str
) -> None:
    accounts.create_user(engine, operator(), f"{role}.find", "a long test password", role)
    cities = catalog.cities(engine, "en").set_index("name_en")
    app = open_page(engine, "en", page, user=f"{role}.find")
    for typed, meant in SPELLINGS.items():
        app.text_input(key=f"{key}_find").input(typed).run()
        assert not app.exception, [e.value for e in app.exception]
        picker = next(w for w in [*app.selectbox, *app.multiselect] if w.key == key)
        code = cities.loc[meant, "code"]
        assert picker.options[0 if key != "target-city" else 1] == picker.format_func(code), typed
        if key == "target-city":  # a single picker selects the best match
            assert picker.value == code, typed


def test_an_account_keeps_its_cities_while_the_box_finds_another(
    engine: Engine, open_page: AppFactory
) -> None:
    cities = catalog.cities(engine, "en").set_index("name_en")
    hanoi, da_nang = cities.loc["Hanoi", "code"], cities.loc["Da Nang", "code"]
    accounts.create_user(engine, operator(), "admin.keep", "a long test password", "admin")
    accounts.create_user(
        engine, operator(), "focal.keep", "a long test password", "focal_point", city_codes=(hanoi,)
    )
    app = open_page(engine, "en", "users.py", user="admin.keep")
    app.selectbox(key="change-user").select("focal.keep").run()
    app.text_input(key="cities-focal.keep_find").input("Da Nang").run()
    assert not app.exception, [e.value for e in app.exception]
    picker = app.multiselect(key="cities-focal.keep")
    assert picker.value == [hanoi]
    picker.select(da_nang)
    app.button(key=f"FormSubmitter:set-role-{TR('Save role and cities')}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    users = accounts.users_frame(engine).set_index("username")
    assert sorted(users.loc["focal.keep", "cities"].split(", ")) == sorted([hanoi, da_nang])
