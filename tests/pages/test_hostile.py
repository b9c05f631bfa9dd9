"""Hostile text (tests/data/hostile.py) in the fields people fill — account names, user names,
upload file names, return comments — reaches the pages' markdown elements escaped: shown as
typed, never as a link, an image, HTML, a colour, an icon or a formula (mne.markup)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from mne import accounts, approval, markup
from mne.access import operator
from mne.i18n import Translator
from mne.intake import check, commit_preview
from mne.store import init_store
from tests.data import hostile
from tests.pages.conftest import AppFactory

PAYLOAD = " ".join(hostile.MARKUP)
PASSWORD = "long enough password"


def _fill(app: AppTest, label: str, value: str) -> None:
    next(t for t in app.text_input if t.label == label).input(value)


def _add_account(app: AppTest, username: str) -> None:
    _fill(app, "User name", username)
    _fill(app, "Password (at least 10 characters)", PASSWORD)
    next(b for b in app.button if b.label == "Add the account").click().run()


def _markdown_bodies(app: AppTest) -> list[str]:
    """The text of every element Streamlit draws as markdown, sidebar included."""
    bodies = []
    for part in (app.main, app.sidebar):
        for kind in ("markdown", "caption", "info", "warning", "error", "success", "title"):
            bodies += [str(e.value) for e in getattr(part, kind)]
        bodies += [str(e.value) for e in (*part.header, *part.subheader)]
    return bodies


def _shown_as_text(app: AppTest, payload: str, times: int = 1) -> None:
    bodies = _markdown_bodies(app)
    for raw in hostile.MARKUP:
        assert not any(raw in body for body in bodies), raw
    assert sum(body.count(markup.markdown(payload)) for body in bodies) >= times


@pytest.fixture
def returned_batch(engine: Engine) -> None:
    """A focal point named PAYLOAD uploads a file named PAYLOAD; an administrator named
    PAYLOAD returns it with the comment PAYLOAD."""
    accounts.create_user(
        engine, operator(), "focal.x", PASSWORD, "focal_point", PAYLOAD, ("VNHAN",)
    )
    accounts.create_user(engine, operator(), "admin.x", PASSWORD, "admin", PAYLOAD)
    focal = accounts.load_actor_by_name(engine, "focal.x")
    admin = accounts.load_actor_by_name(engine, "admin.x")
    assert focal is not None and admin is not None
    text = "city,indicator,period,value\nVNHAN,QE_PM25,2024,38\n"
    preview = check(engine, text.encode(), PAYLOAD + ".csv", Translator("en"), actor=focal)
    batch = commit_preview(engine, preview, focal)["batch_id"]
    approval.return_batch(engine, admin, batch, PAYLOAD)


@pytest.mark.usefixtures("returned_batch")
def test_a_hostile_comment_file_name_and_account_name_show_as_text(
    engine: Engine, open_page: AppFactory
) -> None:
    app = open_page(engine, "en", "history.py", user="admin.x")
    returned = [w.value for w in app.warning if "was returned by" in str(w.value)]
    assert len(returned) == 1
    assert markup.markdown(PAYLOAD) + "\\.csv" in returned[0]  # the file name
    assert returned[0].endswith(markup.markdown(PAYLOAD))  # the comment
    # the file name and the comment (AppTest does not see the sidebar of a switched page)
    _shown_as_text(app, PAYLOAD, times=2)

    app = open_page(engine, "en", "review.py", user="admin.x")
    _shown_as_text(app, PAYLOAD, times=0)  # nothing raw


def test_a_hostile_user_name_is_refused_as_text(engine: Engine, open_page: AppFactory) -> None:
    accounts.create_user(engine, operator(), "admin.x", PASSWORD, "admin", "Admin")
    app = open_page(engine, "en", "users.py", user="admin.x")
    _add_account(app, hostile.MD_IMAGE)
    errors = [str(e.value) for e in app.error]
    assert errors == [
        Translator("en").on("markdown")(
            "“{username}” is not a valid user name: use 3 to 120 letters, digits or . _ - @ +,"
            " without spaces.",
            username=hostile.MD_IMAGE,
        )
    ]
    assert hostile.MD_IMAGE not in errors[0] and markup.markdown(hostile.MD_IMAGE) in errors[0]


def test_a_user_name_that_reads_as_an_address_is_added_as_text(
    engine: Engine, open_page: AppFactory
) -> None:
    accounts.create_user(engine, operator(), "admin.x", PASSWORD, "admin", "Admin")
    app = open_page(engine, "en", "users.py", user="admin.x")
    name = "+1@127.0.0.1"  # a formula's start, and an address markdown would link
    _add_account(app, name)
    assert not app.error, [e.value for e in app.error]
    notices = [str(s.value) for s in app.success]
    assert notices == ["Account " + markup.markdown(name) + " added."]
    assert "@\u2060" in notices[0]  # no mailto link: the address is broken by a word joiner


def test_a_hostile_task_update_note_is_shown_as_text(engine: Engine, open_page: AppFactory) -> None:
    init_store(engine, with_demo=True)
    accounts.create_user(engine, operator(), "analyst.x", PASSWORD, "analyst", PAYLOAD)
    app = open_page(engine, "en", "tasks.py", user="analyst.x")
    app.number_input[0].set_value(100.0)
    app.text_area[0].input(PAYLOAD)
    app.button[0].click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert app.dataframe[0].value.iloc[0]["note"] == PAYLOAD  # a plain text cell, as typed
    _shown_as_text(app, PAYLOAD, times=0)  # and never raw in a markdown element


def test_a_hostile_target_note_is_shown_as_text(engine: Engine, open_page: AppFactory) -> None:
    init_store(engine, with_demo=True)
    accounts.create_user(engine, operator(), "analyst.x", PASSWORD, "analyst")
    app = open_page(engine, "en", "catalog.py", user="analyst.x")
    _fill(app, "Note", PAYLOAD)
    next(b for b in app.button if b.label == "Save the target").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert [x.value for x in app.success] == ["Target saved."]
    app.run()  # the table of targets is drawn above the form: the next run shows the new one
    notes = [
        frame.value["note"].tolist() for frame in app.dataframe if "note" in frame.value.columns
    ]
    assert any(PAYLOAD in column for column in notes)  # a plain text cell, as typed
    _shown_as_text(app, PAYLOAD, times=0)
