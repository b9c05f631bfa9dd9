"""The Priority task groups page: demo and empty stores in each language, the group in the
URL, and posting a progress update through the page's form."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select
from streamlit.testing.v1 import AppTest

from db import models as m
from mne import accounts, markup, task_admin, tasks
from mne.access import operator
from mne.i18n import LANGUAGES, Translator
from mne.store import init_store
from tests.pages.conftest import AppFactory

EMPTY = (
    "No tasks recorded yet for the six priority task groups. Load the demo data with "
    "`python -m mne init --demo` to try this page."
)

FIRST_ADMIN = (
    "This dashboard runs as a demo: anyone may look, nobody may change data until the "
    "first administrator account exists. Whoever runs the server creates it with "
    "`python -m mne user add NAME --role admin`; then sign in, and the administrator "
    "adds the other accounts on the Accounts page."
)


@pytest.fixture
def demo_store(engine: Engine) -> Engine:
    """A store of its own with the demo data and an analyst account, for tests that write."""
    init_store(engine, with_demo=True)
    accounts.create_user(engine, operator(), "analyst.hn", "long enough password", "analyst")
    return engine


def _metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tasks_page_with_demo_data(demo_engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(demo_engine, lang, "tasks.py")
    assert app.title[0].value == tr("Priority task groups")
    metrics = _metrics(app)
    counts = tasks.status_counts(demo_engine)
    assert sum(counts.values()) == 18
    for status, label in tasks.TASK_STATUS_LABELS.items():
        assert metrics[tr(label)] == tr.number(counts[status])
    # The first group is chosen; its overdue tasks counted by hand from the store.
    assert app.selectbox[0].value == "G1"
    today = dt.date.today()
    with demo_engine.connect() as conn:
        overdue = conn.execute(
            select(func.count())
            .select_from(m.Task)
            .join(m.TaskGroup)
            .where(
                m.TaskGroup.code == "G1",
                m.Task.due_date < today,
                m.Task.percent_complete < 100,
            )
        ).scalar_one()
    assert metrics[tr("Overdue")] == tr.number(overdue)
    # Progress, status counts, timeline, the task's reports, its linked indicators.
    assert len(app.get("plotly_chart")) == 5
    history = app.dataframe[0].value
    assert len(history) == len(tasks.task_history(demo_engine, app.selectbox[1].value))
    assert not app.error
    # No account yet: the update form is replaced by how to create the first admin.
    assert not app.get("form")
    assert [i.value for i in app.info] == [tr(FIRST_ADMIN)]


def test_the_group_and_task_come_from_the_url(demo_engine: Engine, open_page: AppFactory) -> None:
    app = open_page(demo_engine, "en", "tasks.py")
    app.query_params["group"] = "G3"
    app.query_params["task"] = "G3-02"
    app.run()
    assert [s.value for s in app.selectbox] == ["G3", "G3-02"]
    app.selectbox[0].set_value("G5").run()
    assert app.query_params["group"] == "G5"
    assert app.selectbox[1].value.startswith("G5-")
    assert app.query_params["task"] == app.selectbox[1].value


@pytest.mark.parametrize("lang", LANGUAGES)
def test_tasks_page_on_an_empty_store(engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(engine, lang, "tasks.py")
    assert app.title[0].value == tr("Priority task groups")
    assert [i.value for i in app.info] == [tr(EMPTY)]
    assert app.get("plotly_chart") == []


def _task_state(engine: Engine, code: str) -> tuple[float, int]:
    with engine.connect() as conn:
        percent = conn.execute(
            select(m.Task.percent_complete).where(m.Task.code == code)
        ).scalar_one()
        reports = conn.execute(
            select(func.count()).select_from(m.TaskUpdate).join(m.Task).where(m.Task.code == code)
        ).scalar_one()
    return float(percent), int(reports)


def test_a_viewer_sees_no_update_form(demo_store: Engine, open_page: AppFactory) -> None:
    accounts.create_user(demo_store, operator(), "viewer.hn", "long enough password", "viewer")
    app = open_page(demo_store, "en", "tasks.py", user="viewer.hn")
    assert not app.get("form") and not app.text_area and not app.text_input
    assert "Add or edit tasks" not in [h.value for h in app.subheader]
    assert "Ministry analysts post progress updates on tasks." in [c.value for c in app.caption]


def test_posting_an_update_through_the_form(demo_store: Engine, open_page: AppFactory) -> None:
    app = open_page(demo_store, "en", "tasks.py", user="analyst.hn")
    code = app.selectbox[1].value
    percent, reports = _task_state(demo_store, code)
    new_percent = min(100.0, percent + 10)
    note = "Permits <b>issued</b> **online** [link](http://x)"
    app.number_input[0].set_value(new_percent)
    app.text_area[0].input(note)
    app.button[0].click().run()
    assert not app.exception and not app.error
    assert _task_state(demo_store, code) == (new_percent, reports + 1)
    stored = f"Update on {markup.markdown(code)} stored"  # drawn as markdown: the code escaped
    assert any(s.value.startswith(stored) for s in app.success)
    newest = app.dataframe[0].value.iloc[0]  # newest report first
    assert newest["report_date"] == dt.date.today()
    assert newest["percent_complete"] == new_percent
    assert newest["note"] == note  # stored and shown as typed, as plain text
    assert _metrics(app)["% complete"] == Translator("en").percent(new_percent / 100)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_future_date_is_refused_and_nothing_stored(
    demo_store: Engine, open_page: AppFactory, lang: str
) -> None:
    tr = Translator(lang)
    app = open_page(demo_store, lang, "tasks.py", user="analyst.hn")
    code = app.selectbox[1].value
    before = _task_state(demo_store, code)
    today = dt.date.today()
    future = today + dt.timedelta(days=3)
    app.date_input[0].set_value(future)
    app.number_input[0].set_value(100.0)
    app.button[0].click().run()
    expected = tasks.UpdateRefused("future_date", date=future, today=today).message(
        tr.on("markdown")
    )
    assert [e.value for e in app.error] == [expected]
    assert _task_state(demo_store, code) == before
    assert not app.success


def test_tasks_whose_indicators_have_no_values_yet(engine: Engine, open_page: AppFactory) -> None:
    """Tasks are recorded but no city has reported their indicators: the page still shows
    the linked indicators (all insufficient data), with no 'latest data' year."""
    from db.engine import writing
    from mne import demo

    with writing(engine) as conn:
        demo.load_tasks(conn)
    app = open_page(engine, "en", "tasks.py")
    assert not app.exception
    assert not any("latest data" in c.value for c in app.caption)


def _fill_task(app: AppTest, key: str, values: dict[str, str]) -> None:
    for field, value in values.items():
        app.text_input(key=f"{key}-{field}").input(value)


def _click(app: AppTest, label: str) -> AppTest:
    return next(b for b in app.button if b.label == label).click().run()


TITLES = {
    "title-vi": "Số hoá hồ sơ cấp phép xây dựng",
    "title-en": "Digitise building permit files",
    "title-id": "Digitalisasi berkas izin bangunan",
}


def test_an_analyst_adds_a_task_through_the_form(demo_store: Engine, open_page: AppFactory) -> None:
    app = open_page(demo_store, "en", "tasks.py", user="analyst.hn")
    _fill_task(app, "add-task", {"code": "g3-90", **TITLES, "lead": "Bộ Xây dựng"})
    app.selectbox(key="add-task-group").set_value("G3")
    app.date_input(key="add-task-start").set_value(dt.date(2026, 1, 1))
    app.date_input(key="add-task-due").set_value(dt.date(2026, 12, 31))
    app.multiselect(key="add-task-cities").select("VNHAN")
    _click(app, "Add the task")
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert [s.value for s in app.success] == [f"Task {markup.markdown('G3-90')} added."]
    # The page opens on the new task, in its group's list.
    assert [s.value for s in app.selectbox[:2]] == ["G3", "G3-90"]
    assert app.text_input(key="add-task-code").value == ""  # ready for the next task
    stored = tasks.tasks_frame(demo_store, "en").set_index("code").loc["G3-90"]
    assert (stored["title"], stored["lead_agency"]) == (TITLES["title-en"], "Bộ Xây dựng")
    assert tasks.task_cities(demo_store, "G3-90", "en")["code"].tolist() == ["VNHAN"]


def test_an_analyst_edits_the_picked_task(demo_store: Engine, open_page: AppFactory) -> None:
    app = open_page(demo_store, "en", "tasks.py", user="analyst.hn")
    code = app.selectbox[1].value
    key = f"edit-task-{code}"
    assert (
        app.text_input(key=f"{key}-title-en").value
        == tasks.tasks_frame(demo_store, "en").set_index("code").loc[code, "title"]
    )  # filled in with what the task holds
    app.text_input(key=f"{key}-lead").input("Cục Phát triển đô thị")
    _click(app, "Save the task")
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert [s.value for s in app.success] == [f"{markup.markdown(code)}: 1 fields changed."]
    stored = tasks.tasks_frame(demo_store, "en").set_index("code").loc[code]
    assert stored["lead_agency"] == "Cục Phát triển đô thị"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_due_date_before_the_start_is_refused_in_the_language(
    demo_store: Engine, open_page: AppFactory, lang: str
) -> None:
    tr = Translator(lang)
    app = open_page(demo_store, lang, "tasks.py", user="analyst.hn")
    before = tasks.tasks_frame(demo_store, "en")
    _fill_task(app, "add-task", {"code": "G1-91", **TITLES})
    app.date_input(key="add-task-start").set_value(dt.date(2026, 6, 1))
    app.date_input(key="add-task-due").set_value(dt.date(2026, 5, 1))
    _click(app, tr("Add the task"))
    expected = task_admin.TaskInvalid(
        task_admin.DUE_BEFORE_START, due=dt.date(2026, 5, 1), start=dt.date(2026, 6, 1)
    ).message(tr.on("markdown"))
    assert [e.value for e in app.error] == [expected]
    assert not app.success
    assert tasks.tasks_frame(demo_store, "en").equals(before)


def test_an_analyst_adds_the_first_task_on_an_empty_store(
    engine: Engine, open_page: AppFactory
) -> None:
    accounts.create_user(engine, operator(), "analyst.hn", "long enough password", "analyst")
    app = open_page(engine, "en", "tasks.py", user="analyst.hn")
    assert [i.value for i in app.info] == [EMPTY]
    _fill_task(app, "add-task", {"code": "G1-01", **TITLES})
    _click(app, "Add the task")
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert [s.value for s in app.selectbox[:2]] == ["G1", "G1-01"]
