"""Data entry (issue 15, Build 1): a focal point types a city's values for a year; they are
checked like an upload, nothing is saved while a cell has an error, and the saved values are
one batch of the form, submitted, that History reverts exactly."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from mne import accounts, catalog, entry
from mne.access import operator
from mne.accounts import load_actor_by_name
from mne.i18n import Translator
from mne.intake import batches, revert
from tests.pages.conftest import AppFactory

PASSWORD = "a long test password"


def _focal_point(engine: Engine, city: str) -> None:
    accounts.create_user(engine, operator(), "focal.e", PASSWORD, "focal_point", city_codes=(city,))


def _cell(app: AppTest, city: str, period: str, code: str):  # type: ignore[no-untyped-def]
    return app.text_input(key=f"entry-{city}-{period}-{code}")


def _ranged(engine: Engine) -> pd.DataFrame:
    """Three indicators with a plausible range, from the catalog."""
    indicators = catalog.indicators(engine, "en")
    return indicators.dropna(subset=["plausible_min", "plausible_max"]).head(3)


def test_a_focal_point_enters_values_and_an_error_saves_nothing(
    engine: Engine, open_page: AppFactory
) -> None:
    city = str(catalog.cities(engine, "en")["code"].iloc[0])
    _focal_point(engine, city)
    tr = Translator("en")
    app = open_page(engine, "en", "entry.py", user="focal.e")
    assert app.selectbox(key="entry_city").value == city
    assert len(app.selectbox(key="entry_city").options) == 1  # only the account's city
    period = str(app.selectbox(key="entry_year").value)
    chosen = _ranged(engine)
    values = {
        r.code: r.plausible_min + (r.plausible_max - r.plausible_min) / 2
        for r in chosen.itertuples()
    }
    too_big = chosen.iloc[2]
    typed = {**values, too_big["code"]: too_big["plausible_max"] * 10 + 1}
    for code, value in typed.items():
        _cell(app, city, period, code).input(str(value))
    app.button[0].click().run()  # the form's "Check the values"
    assert not app.exception, [e.value for e in app.exception]
    assert batches.values_frame(engine, city=city).empty, "nothing is saved while a cell is wrong"
    assert [e.value for e in app.error], "the error is said"
    marked = [c.value for c in app.caption if ":material/error:" in c.value]
    assert len(marked) == 1, marked  # under the one wrong cell
    assert not [b for b in app.button if b.label.startswith(tr("Save {n} values", n=3)[:4])]

    _cell(app, city, period, too_big["code"]).input(str(values[too_big["code"]]))
    app.button[0].click().run()
    save = [b for b in app.button if b.label == tr("Save {n} values", n=3)]
    assert save, [b.label for b in app.button]
    save[0].click().run()
    assert not app.exception, [e.value for e in app.exception]

    stored = batches.values_frame(engine, city=city)
    assert sorted(stored["indicator"]) == sorted(values)
    assert set(stored["status"]) == {"submitted"}  # a focal point's values wait for approval
    assert dict(zip(stored["indicator"], stored["value"], strict=True)) == values
    batch = batches.batches_frame(engine).iloc[0]
    assert batch["format"] == entry.FORMAT
    assert any(str(batch["id"]) in s.value for s in app.success)

    actor = load_actor_by_name(engine, "focal.e")
    assert actor is not None
    revert.revert(engine, int(batch["id"]), actor)
    assert batches.values_frame(engine, city=city).empty  # the form's batch reverted exactly


def test_an_unchanged_form_checks_nothing(engine: Engine, open_page: AppFactory) -> None:
    city = str(catalog.cities(engine, "en")["code"].iloc[0])
    _focal_point(engine, city)
    app = open_page(engine, "en", "entry.py", user="focal.e")
    app.button[0].click().run()
    assert [i.value for i in app.info] == [
        Translator("en")("No value differs from what is stored: nothing to check.")
    ]
    assert batches.batches_frame(engine).empty
