"""Accounts (administrators): who may sign in, with which role and cities; add, change role,
disable or enable, unlock, set a new password."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mne import access, accounts
from mne.access import ROLE_LABELS, ROLES
from mne.i18n import N_
from pages import _ui as ui

tr = ui.translator()
engine = ui.engine()
actor = ui.page_header(
    tr("Accounts"),
    tr(
        "Viewers see dashboards and export reports; city focal points also upload and revert "
        "their cities' data; ministry analysts approve submissions and edit targets and tasks; "
        "administrators also manage accounts and read the audit log."
    ),
    signed_in=True,
    notice="users_notice",
)

users = accounts.users_frame(engine)
cities = ui.load_cities()
city_codes = cities["code"].tolist()
city_names = dict(zip(cities["code"], cities["name"], strict=True))


def role_label(role: str) -> str:
    return tr(ROLE_LABELS[role])


st.dataframe(
    tr.readable(
        users.assign(role=users["role"].map(role_label)), times=("locked_until", "last_login_at")
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "username": st.column_config.TextColumn(tr("User name")),
        "display_name": st.column_config.TextColumn(tr("Name")),
        "role": tr("Role"),
        "is_active": st.column_config.CheckboxColumn(tr("Active")),
        "locked_until": tr("Locked until"),
        "last_login_at": tr("Last sign-in"),
        "cities": tr("Cities"),
    },
)


def done(message: str) -> None:
    ui.keep("users_notice", message)
    st.rerun()


def city_picker(label: str, key: str, options: list[str], default: list[str]) -> list[str]:
    """A city multiselect inside a form; `options` come from its "Find a city" box, drawn
    above the form because a form's widgets do not rerun the page as people type."""
    return st.multiselect(
        label,
        options,
        placeholder=tr("Choose options"),
        default=default,
        format_func=lambda c: f"{c} · {city_names[c]}",
        key=key,
        help=tr("Needed for a city focal point: the cities whose data they may change."),
    )


add_tab, change_tab = st.tabs([tr("Add an account"), tr("Change an account")])
with add_tab:
    add_options = ui.find_city("add-cities", city_codes)
with add_tab, st.form("add-user", clear_on_submit=True):
    left, right = st.columns(2)
    username = left.text_input(tr("User name"), help=tr("Letters, digits or . _ - @ +"))
    display_name = right.text_input(tr("Name"))
    role = left.selectbox(tr("Role"), ROLES, format_func=role_label)
    password = right.text_input(
        tr("Password (at least {n} characters)", n=accounts.MIN_PASSWORD_LENGTH),
        type="password",
        autocomplete="new-password",
    )
    chosen_cities = city_picker(tr("Cities"), "add-cities", add_options, [])
    if st.form_submit_button(tr("Add the account"), type="primary", icon=":material/person_add:"):
        try:
            accounts.create_user(
                engine,
                actor,
                username,
                password,
                role,
                display_name,
                tuple(chosen_cities),
                ui.language(),
            )
        except access.AccessError as error:
            ui.show_error(error)
        else:
            done(tr.on("markdown")(N_("Account {username} added."), username=username.strip()))

with change_tab:
    if users.empty:
        st.stop()
    chosen = st.selectbox(tr("Account"), users["username"].tolist(), key="change-user")
    row = users[users["username"] == chosen].iloc[0]
    role_options = ui.find_city(f"cities-{chosen}", city_codes)
    with st.form("set-role"):
        new_role = st.selectbox(
            tr("Role"), ROLES, index=ROLES.index(row["role"]), format_func=role_label
        )
        current = [c for c in str(row["cities"]).split(", ") if c]
        new_cities = city_picker(tr("Cities"), f"cities-{chosen}", role_options, current)
        if st.form_submit_button(tr("Save role and cities"), icon=":material/save:"):
            try:
                accounts.set_role(engine, actor, chosen, new_role, tuple(new_cities))
            except access.AccessError as error:
                ui.show_error(error)
            else:
                done(tr.on("markdown")(N_("Account {username} changed."), username=chosen))
    with st.form("set-password", clear_on_submit=True):
        new_password = st.text_input(
            tr("New password (at least {n} characters)", n=accounts.MIN_PASSWORD_LENGTH),
            type="password",
            autocomplete="new-password",
        )
        if st.form_submit_button(tr("Set the password"), icon=":material/password:"):
            try:
                accounts.set_password(engine, actor, chosen, new_password)
            except access.AccessError as error:
                ui.show_error(error)
            else:
                done(tr.on("markdown")(N_("Account {username} changed."), username=chosen))
    left, middle, right = st.columns(3)
    active = bool(row["is_active"])
    if left.button(
        tr("Disable") if active else tr("Enable"),
        icon=":material/block:" if active else ":material/check:",
    ):
        try:
            accounts.set_active(engine, actor, chosen, not active)
        except access.AccessError as error:
            ui.show_error(error)
        else:
            done(tr.on("markdown")(N_("Account {username} changed."), username=chosen))
    if middle.button(
        tr("End sessions"),
        icon=":material/logout:",
        help=tr("Signs the account out of every browser and server."),
    ):
        try:
            ended = accounts.end_sessions(engine, actor, chosen)
        except access.AccessError as error:
            ui.show_error(error)
        else:
            done(
                tr.on("markdown")(
                    N_("{username} was signed out of {n} sessions."), username=chosen, n=ended
                )
            )
    if right.button(
        tr("Unlock"), icon=":material/lock_open:", disabled=pd.isna(row["locked_until"])
    ):
        try:
            accounts.unlock(engine, actor, chosen)
        except access.AccessError as error:
            ui.show_error(error)
        else:
            done(tr.on("markdown")(N_("Account {username} changed."), username=chosen))

st.divider()
from pages._tokens import token_panel  # noqa: E402

token_panel(engine, actor, tr, users["username"].tolist())
