"""A city picker finds a city the way people type it (issue 15, Build 4): codes, names in
each language and aliases, with or without accents, through the folding the upload uses."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from mne import catalog
from tests.pages.conftest import AppFactory

# What people type, and the English name of the city they mean (the catalog's, not the demo's).
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
