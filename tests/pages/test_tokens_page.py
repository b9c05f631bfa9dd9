"""The Accounts page's API tokens: an administrator makes one (shown once), sees it listed
and revokes it; the token then acts as nobody."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from mne import accounts, api_tokens
from mne.access import operator
from mne.i18n import Translator
from tests.pages.conftest import AppFactory

PASSWORD = "a long test password"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_admin_makes_lists_and_revokes_a_token_on_the_accounts_page(
    engine: Engine, open_page: AppFactory, lang: str
) -> None:
    tr = Translator(lang)
    accounts.create_user(engine, operator(), "admin.t", PASSWORD, "admin")
    accounts.create_user(engine, operator(), "viewer.t", PASSWORD, "viewer")
    app = open_page(engine, lang, "users.py", user="admin.t")
    assert not app.exception
    app.selectbox(key="token_owner").set_value("viewer.t")
    app.text_input(key="token_name").set_value("DHIS2 sync")
    app.selectbox(key="token_scope").set_value("read")
    form_buttons = [b for b in app.button if b.label == tr("Make a token")]
    form_buttons[0].click().run()
    assert not app.exception
    shown = [c.value for c in app.code]
    assert len(shown) == 1 and shown[0].startswith(api_tokens.PREFIX)
    checked = api_tokens.check(engine, shown[0])
    assert checked.actor is not None and checked.actor.username == "viewer.t"
    assert checked.scope == "read"
    listed = app.dataframe[-1].value
    assert list(listed["username"]) == ["viewer.t"] and shown[0] not in listed.to_string()
    app.run()  # shown once: the next run no longer shows it
    assert not app.code
    next(b for b in app.button if b.label == tr("Revoke")).click().run()
    assert not app.exception
    assert api_tokens.check(engine, shown[0]).refused == "revoked"
