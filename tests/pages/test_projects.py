"""The ASCN projects page: demo and empty stores in each language, filters in the URL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from streamlit.testing.v1 import AppTest

from mne.i18n import LANGUAGES, Translator
from mne.projects import PROJECT_STATUS_LABELS
from tests.pages.conftest import AppFactory

EMPTY = (
    "No SCAP projects recorded yet. Load the demo data with `python -m mne init --demo` "
    "to try this page."
)
COUNT = "SELECT COUNT(*) FROM scap_project p JOIN city c ON c.id = p.city_id WHERE 1 = 1"


def _count(engine: Engine, where: str = "") -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(COUNT + where)).scalar_one())


def _metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_projects_page_with_demo_data(
    demo_engine: Engine, open_page: AppFactory, lang: str
) -> None:
    tr = Translator(lang)
    app = open_page(demo_engine, lang, "projects.py")
    assert app.title[0].value == tr("ASCN projects")
    metrics = _metrics(app)
    total = _count(demo_engine)
    assert total > 0 and metrics[tr("Projects")] == tr.number(total)
    for status, label in PROJECT_STATUS_LABELS.items():
        assert metrics[tr(label)] == tr.number(_count(demo_engine, f" AND p.status = '{status}'"))
    # Focus area x status, by country, by financing source, by city.
    assert len(app.get("plotly_chart")) == 4
    assert len(app.dataframe[0].value) == total
    assert not app.info


def test_filters_come_from_the_url_and_go_back_to_it(
    demo_engine: Engine, open_page: AppFactory
) -> None:
    tr = Translator("en")
    app = open_page(demo_engine, "en", "projects.py")
    app.query_params["country"] = "VN,TH,XX"  # an unknown code is ignored
    app.query_params["status"] = "ongoing"
    app.run()
    assert app.multiselect[0].value == ["VN", "TH"]
    assert app.multiselect[1].value == ["ongoing"]
    where = " AND c.country_iso2 IN ('VN', 'TH') AND p.status = 'ongoing'"
    assert _metrics(app)[tr("Projects")] == tr.number(_count(demo_engine, where))
    assert len(app.dataframe[0].value) == _count(demo_engine, where)

    app.multiselect[1].select("completed").run()
    assert app.query_params["status"] == "ongoing,completed"
    where = " AND c.country_iso2 IN ('VN', 'TH') AND p.status IN ('ongoing', 'completed')"
    assert _metrics(app)[tr("Projects")] == tr.number(_count(demo_engine, where))
    app.multiselect[0].set_value([]).run()
    assert "country" not in app.query_params


def test_filters_matching_nothing_say_so(demo_engine: Engine, open_page: AppFactory) -> None:
    app = open_page(demo_engine, "en", "projects.py")
    app.query_params["country"] = "BN"
    app.query_params["status"] = "planning"
    app.run()
    assert _count(demo_engine, " AND c.country_iso2 = 'BN' AND p.status = 'planning'") == 0
    assert [i.value for i in app.info] == [
        "No project matches these filters. Choose other countries or statuses."
    ]
    assert app.get("plotly_chart") == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_projects_page_on_an_empty_store(engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(engine, lang, "projects.py")
    assert app.title[0].value == tr("ASCN projects")
    assert [i.value for i in app.info] == [tr(EMPTY)]
    assert app.get("plotly_chart") == []
