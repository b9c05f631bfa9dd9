"""Sign in: user name and password, or the organisation's single sign-on when configured."""

from __future__ import annotations

import streamlit as st

from mne import signin
from pages import _ui as ui

tr = ui.translator()
engine = ui.engine()
st.title(tr("Sign in"))

NOTICES = {
    "expired": tr(
        "Your session ended after {minutes} minutes without activity. Sign in again.",
        minutes=signin.session_minutes(),
    ),
    "disabled": tr("Your account was disabled. Ask an administrator."),
}
notice = st.session_state.get("signin_notice")
if notice in NOTICES:
    st.info(NOTICES[notice], icon=":material/schedule:")


def single_sign_on() -> None:
    """Streamlit's st.login, when .streamlit/secrets.toml has an [auth] section: the identity
    provider's e-mail address is the account's user name, and the account gives the role."""
    try:
        configured = "auth" in st.secrets
    except Exception:  # no secrets file, or a malformed one: password sign-in still works
        configured = False
    if not configured:
        return
    if st.user.is_logged_in and st.user.get("email"):
        try:
            ui.sign_in(signin.sign_in_external(engine, str(st.user.get("email"))))
        except signin.SignInRefused as refused:
            st.error(refused.message(tr), icon=":material/block:")
            st.button(tr("Sign out of single sign-on"), on_click=st.logout)
            return
        st.rerun()
    st.button(tr("Sign in with single sign-on"), on_click=st.login, icon=":material/key:")
    st.divider()


single_sign_on()
with st.form("sign-in", enter_to_submit=True):
    username = st.text_input(tr("User name"), autocomplete="username")
    password = st.text_input(tr("Password"), type="password", autocomplete="current-password")
    submitted = st.form_submit_button(tr("Sign in"), type="primary", icon=":material/login:")
if submitted:
    try:
        actor = signin.authenticate(
            engine, username, password, source=str(st.context.ip_address or "")
        )
    except signin.SignInRefused as refused:
        st.error(refused.message(tr), icon=":material/block:")
    else:
        ui.sign_in(actor)
        st.rerun()
st.caption(
    tr(
        "Forgot your password? An administrator sets a new one on the Accounts page. After {n} "
        "wrong passwords in a row, sign-in from this device is paused for {minutes} minutes.",
        n=signin.MAX_FAILED_SIGN_INS,
        minutes=signin.LOCK_MINUTES,
    )
)
