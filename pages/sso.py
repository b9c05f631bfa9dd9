"""Single sign-on (Streamlit's st.login, when .streamlit/secrets.toml has an [auth] section):
the identity provider's e-mail address is the account's user name, and the account gives the
role. A Streamlit page cannot set a cookie, so it ends with a single-use code that the app's
own route (/session, mne.web) exchanges for the session cookie."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from mne import sessions, signin, web
from pages import _ui as ui

tr = ui.translator()
engine = ui.engine()
ui.page_header(tr("Sign in with single sign-on"))
target = web.safe_next(st.query_params.get("next"))

if not st.user.is_logged_in or not st.user.get("email"):
    st.button(tr("Sign in with single sign-on"), on_click=st.login, icon=":material/key:")
else:
    try:
        actor = signin.sign_in_external(engine, str(st.user.get("email")))
    except signin.SignInRefused as refused:
        ui.show_error(refused)
        st.button(tr("Sign out of single sign-on"), on_click=st.logout)
    else:
        assert actor.user_id is not None  # single sign-on finds an account of the store
        code = sessions.issue_code(engine, actor.user_id)
        ui.same_tab_link(
            tr("Continue"), f"{web.SESSION_PATH}?{urlencode({'code': code, 'next': target})}"
        )
