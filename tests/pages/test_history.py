"""The History page: batches listed, one batch's changes, revert from the page."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from mne import accounts
from mne.access import Actor, operator
from mne.i18n import LANGUAGES, Translator
from mne.intake import batches, check, commit_preview, revert
from tests.pages.conftest import AppFactory

FIRST = "city,indicator,period,value\nVNHAN,QE_PM25,2024,38\nVNSGN,QE_PM25,2024,30\n"
SECOND = "city,indicator,period,value\nVNHAN,QE_PM25,2024,35\n"


def _focal_point(engine: Engine) -> Actor:
    accounts.create_user(
        engine,
        operator(),
        "focal.hanoi",
        "long enough password",
        "focal_point",
        city_codes=("VNHAN", "VNSGN"),
    )
    actor = accounts.load_actor_by_name(engine, "focal.hanoi")
    assert actor is not None
    return actor


def _upload(engine: Engine, text: str, name: str, actor: Actor) -> None:
    preview = check(engine, text.encode(), name, Translator("en"), actor=actor)
    assert commit_preview(engine, preview, actor)["status"] == "committed"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_history_on_an_empty_store(engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(engine, lang, "history.py")
    assert app.title[0].value == tr("Upload history")
    assert [i.value for i in app.info] == [
        tr("No uploads yet. Files stored from the Upload page appear here.")
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_history_with_demo_data_hides_the_demo_batch(
    demo_engine: Engine, open_page: AppFactory, lang: str
) -> None:
    app = open_page(demo_engine, lang, "history.py")
    assert not app.dataframe  # only the demo batch exists, hidden by default
    app.toggle[0].set_value(True).run()
    assert app.dataframe[0].value["file_name"].tolist() == ["demo"]


def test_history_lists_batches_and_reverts_one(engine: Engine, open_page: AppFactory) -> None:
    focal = _focal_point(engine)
    _upload(engine, FIRST, "first.csv", focal)
    _upload(engine, SECOND, "second.csv", focal)
    app = open_page(engine, "en", "history.py", user="focal.hanoi")
    listed = app.dataframe[0].value
    assert listed["file_name"].tolist() == ["second.csv", "first.csv"]
    assert listed["user_name"].tolist() == ["focal.hanoi", "focal.hanoi"]
    changes = app.dataframe[1].value  # the newest batch is chosen first
    tr = Translator("en")
    shown = [["VNHAN", tr.value(38.0), tr.value(35.0)]]
    assert changes[["city", "old_value", "new_value"]].values.tolist() == shown

    app.selectbox[0].set_value(1).run()  # first.csv: refused, second.csv changed its value
    app.checkbox[0].check().run()
    app.button[0].click().run()
    assert "cannot be reverted" in app.error[0].value and "#2" in app.error[0].value
    assert [(s.label, s.state) for s in app.status] == [("Batch #1 was not reverted.", "error")]

    app.selectbox[0].set_value(2).run()
    app.checkbox[0].check().run()
    app.button[0].click().run()
    assert not app.exception
    assert "Batch #2 reverted: 1 values restored, 0 removed." in [s.value for s in app.success]
    assert batches.values_frame(engine).set_index("city").loc["VNHAN", "value"] == 38


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_revert_button_shows_its_steps_in_the_users_language(
    engine: Engine, open_page: AppFactory, lang: str
) -> None:
    """The Revert button's status names the batch and writes each step of the revert as it
    starts, translated; a refused revert closes it as not reverted, after its first step."""
    tr = Translator(lang)
    focal = _focal_point(engine)
    _upload(engine, FIRST, "first.csv", focal)
    _upload(engine, SECOND, "second.csv", focal)
    app = open_page(engine, lang, "history.py", user="focal.hanoi")
    app.selectbox[0].set_value(1).run()
    app.checkbox[0].check().run()
    app.button[0].click().run()
    assert not app.exception
    status = app.status[0]
    assert (status.label, status.state) == (
        tr("Batch #{batch} was not reverted.", batch=1),
        "error",
    )
    assert [m.value for m in status.markdown] == [tr(revert.REVERT_CHECKING)]
