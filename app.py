"""The dashboard's entry point: page config, language, sign-in gate, the switch between
approved and submitted values, demo banner, and the navigation the signed-in role may see."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from mne.access import ROLE_LABELS, Actor
from mne.i18n import LANGUAGE_NAMES, LANGUAGES, N_, Translator, normalise_language
from pages import _ui as ui

APP_TITLE = N_("Smart urban M&E")

st.set_page_config(
    page_icon=str(Path(__file__).parent / "static" / "favicon.png"),
    layout="wide",
)

# The language comes from the URL (?lang=en) so a view can be shared by link.
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
st.set_page_config(page_title=tr(APP_TITLE))  # the browser tab, in the language

ui.engine()  # creates and seeds the store on the very first start
ui.start_run()  # the store version this run's cached reads are keyed on
demo_mode = ui.demo_mode()
actor = None if demo_mode else ui.refresh_actor()


def page(path: str, title: str, icon: str, url_path: str | None = None) -> st.Page:
    return st.Page(f"pages/{path}", title=title, icon=f":material/{icon}:", url_path=url_path)


def sign_in_only() -> None:
    """Accounts exist and nobody is signed in: the sign-in page is the only page."""
    st.navigation([page("signin.py", tr("Sign in"), "login", "signin")]).run()
    st.stop()


def account_box(actor: Actor | None, tr: Translator) -> None:
    with st.sidebar:
        if actor is None:
            st.caption(tr("Demo mode: no accounts yet, nobody may change data."))
            return
        st.caption(
            tr(
                "Signed in as {name} ({role})",
                name=ui.plain(actor.label),
                role=tr(ROLE_LABELS[actor.role]),
            )
        )
        if st.button(tr("Sign out"), icon=":material/logout:"):
            ui.sign_out()
            st.rerun()


def values_switch(tr: Translator) -> str:
    """The sidebar switch; returns the sentence saying which values the figures count."""
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
    sign_in_only()

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
    """The pages this user may see: writing pages in the demo mode too (they explain how to
    create the first administrator), else by role."""

    def allowed(action: str) -> bool:
        return demo_mode or (actor is not None and actor.may(action))

    found = {
        tr("Progress and gaps"): [
            st.Page(
                "pages/overview.py", title=tr("Overview"), icon=":material/dashboard:", default=True
            ),
            page("city.py", tr("City profile"), "location_city", "city"),
            page("explorer.py", tr("Indicator explorer"), "bar_chart", "explorer"),
            page("compare.py", tr("Compare"), "compare_arrows", "compare"),
            page("tasks.py", tr("Priority task groups"), "task_alt", "tasks"),
            page("projects.py", tr("ASCN projects"), "apartment", "projects"),
            page("coverage.py", tr("Data coverage"), "grid_on", "coverage"),
            page("reports.py", tr("Reports"), "summarize", "reports"),
        ],
        tr("Data"): [
            *(
                [page("upload.py", tr("Upload"), "upload_file", "upload")]
                if allowed("import")
                else []
            ),
            *(
                [page("review.py", tr("Approvals"), "fact_check", "review")]
                if allowed("approve")
                else []
            ),
            *(
                [page("history.py", tr("History"), "history", "history")]
                if allowed("import")
                else []
            ),
        ],
        tr("Reference"): [
            page("catalog.py", tr("Catalog"), "menu_book", "catalog"),
            page("methodology.py", tr("Methodology"), "functions", "methodology"),
        ],
        tr("Administration"): [
            *(
                [page("users.py", tr("Accounts"), "group", "users")]
                if allowed("manage_users")
                else []
            ),
            *(
                [page("audit.py", tr("Audit log"), "policy", "audit")]
                if allowed("view_audit")
                else []
            ),
        ],
    }
    return {section: pages for section, pages in found.items() if pages}


current = st.navigation(sections(), expanded=True)
if current.url_path in ui.DASHBOARD_PATHS:
    st.caption(values_note)
current.run()
