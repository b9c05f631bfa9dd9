"""The dashboard's entry point: page config, language, sign-in gate, the switch between
approved and submitted values, demo banner, and the navigation the signed-in role may see."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from mne import runs, sessions, web
from mne.access import ROLE_LABELS, Actor
from mne.i18n import LANGUAGE_NAMES, LANGUAGES, N_, Translator, normalise_language
from mne.navigation import DASHBOARD_PATHS, PAGES, may_open
from pages import _ui as ui

# The language comes from the URL (?lang=en) so a view can be shared by link.
ui.forget_unusable("lang", lambda value: value in LANGUAGES)
if "lang" not in st.session_state:
    st.session_state["lang"] = normalise_language(st.query_params.get("lang"))
st.sidebar.selectbox(
    "Ngôn ngữ · Language · Bahasa",
    LANGUAGES,
    format_func=LANGUAGE_NAMES.__getitem__,
    key="lang",
)
st.query_params["lang"] = st.session_state["lang"]
tr = ui.translator()
st.set_page_config(
    page_title=web.APP_TITLE[tr.lang],
    page_icon=str(Path(__file__).parent / "static" / "favicon.png"),
    layout="wide",
)

ui.engine()  # creates and seeds the store on the very first start
ui.start_run()  # the store version this run's cached reads are keyed on
demo_mode = ui.demo_mode()
actor = None if demo_mode else ui.refresh_actor()


def signed_out() -> None:
    """Accounts exist and this tab's session is over (a browser opening a page without one is
    sent to the sign-in form by the HTTP layer, mne.web): every page path stays known, so no
    "Page not found", and the page asks to sign in and come back here."""
    link = ui.signin_link()  # before st.navigation, which may drop the query of another page
    known = [
        st.Page(
            lambda: _signed_out_page(link),
            title=tr("Sign in"),
            url_path=p.url_path or None,
            default=not p.url_path,
        )
        for p in PAGES
    ]
    sso = st.Page("pages/sso.py", title=tr("Sign in with single sign-on"), url_path="sso")
    st.navigation([*known, sso], position="hidden").run()
    st.stop()


def _signed_out_page(link: str) -> None:
    st.title(tr("Sign in"))
    notice = ui.private().ended
    if notice in web.ENDED_NOTICES:
        st.info(
            tr(web.ENDED_NOTICES[notice], minutes=sessions.idle_minutes()),
            icon=":material/schedule:",
        )
    ui.same_tab_link(tr("Sign in"), link)


def account_box(actor: Actor | None, tr: Translator) -> None:
    with st.sidebar:
        if actor is None:
            st.caption(tr("Demo mode: no accounts yet, nobody may change data."))
            return
        st.caption(
            tr.on("markdown")(
                N_("Signed in as {name} ({role})"),
                name=actor.label,
                role=tr(ROLE_LABELS[actor.role]),
            )
        )
        if st.button(tr("Sign out"), icon=":material/logout:"):
            ui.sign_out()
            st.rerun()


def values_switch(tr: Translator) -> str:
    """The sidebar switch; returns the sentence saying which values the figures count."""
    ui.forget_unusable("include_submitted", lambda value: isinstance(value, bool))
    st.sidebar.toggle(
        tr("Include submitted values"),
        key="include_submitted",
        help=tr(
            "Dashboards and reports count approved values by default. Switch on to also count "
            "values submitted by cities and not yet approved by the ministry."
        ),
    )
    if ui.includes_submitted():
        return tr("Figures include submitted values not yet approved.")
    return tr("Figures count approved values only.")


if not demo_mode and actor is None:
    signed_out()

account_box(actor, tr)
values_note = values_switch(tr)
st.sidebar.caption(values_note)

if ui.has_demo():
    st.warning(
        tr(
            "Demo data: the figures shown are synthetic, for trying the dashboard out. "
            "Remove them with `python -m mne demo remove`."
        ),
        icon=":material/science:",
    )


def sections() -> dict[str, list[st.Page]]:
    """Every page, by section: the writing pages in the demo mode too (they explain how to
    create the first administrator), else by role. A page the role may not open keeps its
    path, hidden, and says so, so its link never reads "Page not found"."""
    found: dict[str, list[st.Page]] = {}
    for spec in PAGES:
        allowed = may_open(spec, actor, demo_mode)
        found.setdefault(tr(spec.section), []).append(
            st.Page(
                f"pages/{spec.file}" if allowed else _not_allowed,
                title=tr(spec.title),
                icon=f":material/{spec.icon}:",
                url_path=spec.url_path or None,
                default=not spec.url_path,
                visibility="visible" if allowed else "hidden",
            )
        )
    return found


def _not_allowed() -> None:
    st.title(tr("Not available"))
    st.warning(tr("Your role may not open this page."), icon=":material/block:")


current = st.navigation(sections(), expanded=True)
if current.url_path in DASHBOARD_PATHS:
    st.caption(values_note)
with runs.page_slot():  # a page's own work, a few at a time (mne.runs)
    current.run()
