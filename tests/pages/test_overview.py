"""The Overview page, with demo data and with an empty store, in each language."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from mne import analysis, catalog, headline, overview
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
    data = overview.overview(demo_engine, lang)
    charts = app.get("plotly_chart")
    # heatmap, index map, progress statuses; task-group progress and statuses with tasks
    assert len(charts) == 3 + (2 if data.groups["tasks"].sum() > 0 else 0)
    movers = app.dataframe[0].value
    # The store's biggest movers, in order, the change written in the language with its sign.
    assert len(data.movers) > 0
    assert list(movers["change"]) == [tr.signed(c) for c in data.movers["change"]]
    ups = int((data.movers["change"] > 0).sum())
    assert movers["change"].head(ups).str.startswith("+").all()
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
