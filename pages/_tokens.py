"""The Accounts page's API tokens (administrators): make one for an account (shown once),
list them, revoke one. The decisions are mne.api_tokens'."""

from __future__ import annotations

import streamlit as st

from mne import api_tokens
from mne.access import AccessError, Actor
from mne.i18n import Translator
from mne.store import Store
from pages import _ui as ui

NEW_TOKEN = "api_token_new"


def token_panel(engine: Store, actor: Actor, tr: Translator, usernames: list[str]) -> None:
    st.subheader(tr("API tokens"))
    st.caption(
        tr(
            "A token lets a partner's system read the data, or also import, through /api/v1/ "
            "as the account it belongs to, with that account's role and cities."
        )
    )
    made = ui.take(NEW_TOKEN)
    if made:
        st.success(tr("Copy the token now: it is shown this once."), icon=":material/key:")
        st.code(made, language=None)
    with st.form("add-token", clear_on_submit=True):
        left, middle, right = st.columns(3)
        owner = left.selectbox(tr("Account"), usernames, key="token_owner")
        name = middle.text_input(tr("Used by"), max_chars=120, key="token_name")
        scope = right.selectbox(
            tr("Scope"),
            list(api_tokens.SCOPES),
            format_func=lambda s: tr(api_tokens.SCOPE_LABELS[s]),
            key="token_scope",
        )
        days = st.number_input(
            tr("Days valid"),
            min_value=1,
            max_value=api_tokens.MAX_DAYS,
            value=api_tokens.DEFAULT_DAYS,
            key="token_days",
        )
        if st.form_submit_button(tr("Make a token"), icon=":material/key:"):
            try:
                _id, token = api_tokens.add(engine, actor, str(owner), name, scope, int(days))
            except AccessError as error:
                ui.show_error(error)
            else:
                ui.keep(NEW_TOKEN, token)
                st.rerun()
    tokens = api_tokens.tokens_frame(engine)
    if tokens.empty:
        st.caption(tr("No tokens yet."))
        return
    shown = tokens.assign(scope=tokens["scope"].map(lambda s: tr(api_tokens.SCOPE_LABELS[s])))
    st.dataframe(
        tr.readable(shown, times=("created_at", "expires_at", "revoked_at", "last_used_at")),
        hide_index=True,
        width="stretch",
        column_config={
            "id": tr("Token"),
            "username": tr("User name"),
            "name": tr("Used by"),
            "scope": tr("Scope"),
            "created_at": tr("Made"),
            "expires_at": tr("Expires"),
            "revoked_at": tr("Revoked"),
            "last_used_at": tr("Last used"),
        },
    )
    live = tokens[tokens["revoked_at"].isna()]
    if live.empty:
        return
    left, right = st.columns([3, 1])
    chosen = left.selectbox(
        tr("Token to revoke"),
        live["id"].tolist(),
        format_func=lambda i: (
            f"#{i} · {live.set_index('id').loc[i, 'username']} · "
            f"{live.set_index('id').loc[i, 'name']}"
        ),
        key="token_revoke",
    )
    if right.button(tr("Revoke"), icon=":material/block:"):
        try:
            api_tokens.revoke(engine, actor, int(chosen))
        except AccessError as error:
            ui.show_error(error)
        else:
            ui.keep("users_notice", tr("Token #{id} revoked.", id=int(chosen)))
            st.rerun()
