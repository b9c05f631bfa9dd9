"""The dashboard's entry point: page config, language picker, demo banner and navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from mne.i18n import LANGUAGE_NAMES, LANGUAGES, normalise_language
from pages import _ui as ui

st.set_page_config(
    page_title="M&E đô thị thông minh",
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

ui.engine()  # creates and seeds the store on the very first start
if ui.has_demo():
    st.warning(
        tr(
            "Demo data: the figures shown are synthetic, for trying the dashboard out. "
            "Remove them with `python -m mne demo remove`."
        ),
        icon=":material/science:",
    )


def page(path: str, title: str, icon: str, url_path: str | None = None) -> st.Page:
    return st.Page(f"pages/{path}", title=title, icon=f":material/{icon}:", url_path=url_path)


sections = {
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
        page("upload.py", tr("Upload"), "upload_file", "upload"),
        page("history.py", tr("History"), "history", "history"),
    ],
    tr("Reference"): [
        page("catalog.py", tr("Catalog"), "menu_book", "catalog"),
        page("methodology.py", tr("Methodology"), "functions", "methodology"),
    ],
}
st.navigation(sections).run()
