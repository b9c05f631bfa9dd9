"""Approvals value by value, through the pages (issue 15, Build 2): the analyst sees the
flagged value first with its warning, returns it with a comment and approves the others; the
focal point reads the returned value and why on History and under its cell on data entry."""

from __future__ import annotations

from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from mne import accounts, approval, intake, value_review
from mne.access import operator
from mne.i18n import Translator
from mne.intake import batches
from pages import _ui as ui
from tests.pages.conftest import AppFactory

PASSWORD = "a long test password"
TR = Translator("en")
COMMENT = "Twice last year's value: check the station."


def _upload(engine: Engine, user: str, text: str) -> int:
    actor = accounts.load_actor_by_name(engine, user)
    assert actor is not None
    preview = intake.check(engine, text.encode(), "values.csv", TR, actor=actor)
    return int(intake.commit_preview(engine, preview, actor)["batch_id"])


def _world(engine: Engine) -> int:
    accounts.create_user(
        engine, operator(), "focal.r", PASSWORD, "focal_point", city_codes=("VNHAN",)
    )
    accounts.create_user(engine, operator(), "analyst.r", PASSWORD, "analyst")
    first = _upload(engine, "focal.r", "city,indicator,period,value\nVNHAN,QE_PM25,2022,36.6\n")
    analyst = accounts.load_actor_by_name(engine, "analyst.r")
    assert analyst is not None
    approval.approve_batch(engine, analyst, first)
    return _upload(
        engine,
        "focal.r",
        "city,indicator,period,value\nVNHAN,QE_GREEN_SPACE,2023,8.2\n"
        "VNHAN,QE_PM25,2023,72.4\nVNHAN,QE_WASTE_RECYCLED,2023,21\n",
    )


def key_text(row) -> str:  # type: ignore[no-untyped-def]
    return f"{row['city']} · {row['period']}"


def _radios(app: AppTest, batch: int) -> list:  # type: ignore[type-arg]
    return [r for r in app.radio if str(r.key).startswith(f"decide-{batch}-")]


def test_return_one_value_approve_the_others(engine: Engine, open_page: AppFactory) -> None:
    batch = _world(engine)
    app = open_page(engine, "en", "review.py", user="analyst.r")
    shown = value_review.batch_values(engine, batch, "en")
    radios = _radios(app, batch)
    assert len(radios) == len(shown)
    flagged = shown.index[shown["warning"] != ""].tolist()
    assert flagged == [0]  # the jump is listed first, with its warning on the page
    labels = [m.value for m in app.markdown if ":material/warning:" in m.value]
    assert len(labels) == 1 and key_text(shown.iloc[0]) in labels[0]
    radios[0].set_value("return")
    app.text_input(key=f"why-{batch}-0").input(COMMENT)
    app.button(key=f"FormSubmitter:values-{batch}-{TR('Save the decisions')}").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("2 values approved, 1 returned" in s.value for s in app.success)

    statuses = batches.values_frame(engine, city="VNHAN", period="2023").set_index("indicator")
    key = shown.iloc[0]
    assert statuses.loc[key["indicator"], "status"] == "submitted"
    assert (statuses.drop(index=key["indicator"])["status"] == "approved").all()

    history = open_page(engine, "en", "history.py", user="focal.r")
    returned = [d.value for d in history.dataframe if "comment" in d.value.columns]
    assert returned and returned[0]["comment"].tolist() == [COMMENT]

    entry = open_page(engine, "en", "entry.py", user="focal.r")
    entry.selectbox(key="entry_year").set_value("2023").run()
    assert any(ui.plain(COMMENT) in c.value for c in entry.caption)  # as typed, escaped
