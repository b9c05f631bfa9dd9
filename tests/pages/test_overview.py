"""The Overview page, with demo data and with an empty store, in each language."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from mne import analysis, catalog, headline
from mne.i18n import LANGUAGES, Translator
from tests.pages.conftest import AppFactory

# The banner every page shows while demo rows are in the store.
DEMO_BANNER = {"vi": "Dữ liệu minh họa", "en": "Demo data", "id": "Data demo"}
NO_VALUES = (
    "No indicator values yet. Upload a city's indicator file, or load the demo data "
    "with `python -m mne init --demo`."
)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_overview_with_demo_data(demo_engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(demo_engine, lang, "overview.py")
    assert app.title[0].value == tr("Overview")
    assert any(w.value.startswith(DEMO_BANNER[lang]) for w in app.warning)
    metrics = {m.label: m.value for m in app.metric}
    reporting = next(v for k, v in metrics.items() if k.startswith(tr("Cities reporting")))
    # The store's reporting year (the rule is tested by hand in tests/mne/test_headline.py):
    # the cities with a value in it, of the cities that were a unit all that year.
    year = headline.reporting_year(analysis.yearly_values(demo_engine))
    in_scope = headline.cities_in_year(catalog.cities(demo_engine, lang), year.year)
    assert 0 < year.cities <= in_scope
    assert reporting == f"{year.cities} / {in_scope}"
    charts = app.get("plotly_chart")
    # heatmap, progress statuses, index map, task-group progress, task statuses
    assert len(charts) == 5
    movers = app.dataframe[0].value
    # The change written in the language, with its sign: the five first moved up.
    assert len(movers) == 10 and movers["change"].head(5).str.startswith("+").all()
    assert movers.columns[0] == "change"
    assert not app.info  # no empty-state message


@pytest.mark.parametrize("lang", LANGUAGES)
def test_overview_on_an_empty_store(engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(engine, lang, "overview.py")
    assert app.title[0].value == tr("Overview")
    assert not any(w.value.startswith(DEMO_BANNER[lang]) for w in app.warning)
    assert app.get("plotly_chart") == []
    messages = [i.value for i in app.info]
    assert tr(NO_VALUES) in messages
    assert any(m == tr("No tasks recorded yet for the six priority task groups.") for m in messages)
