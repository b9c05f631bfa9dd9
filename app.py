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

pages = [
    st.Page(
        "pages/overview.py",
        title=tr("Overview"),
        icon=":material/dashboard:",
        url_path="overview",
        default=True,
    ),
    st.Page(
        "pages/city.py", title=tr("City profile"), icon=":material/location_city:", url_path="city"
    ),
    st.Page(
        "pages/compare.py",
        title=tr("Compare"),
        icon=":material/compare_arrows:",
        url_path="compare",
    ),
    st.Page(
        "pages/explorer.py",
        title=tr("Indicator explorer"),
        icon=":material/bar_chart:",
        url_path="explorer",
    ),
    st.Page(
        "pages/coverage.py",
        title=tr("Data coverage"),
        icon=":material/grid_on:",
        url_path="coverage",
    ),
    st.Page(
        "pages/catalog.py", title=tr("Catalog"), icon=":material/menu_book:", url_path="catalog"
    ),
    st.Page(
        "pages/upload.py", title=tr("Upload"), icon=":material/upload_file:", url_path="upload"
    ),
    st.Page(
        "pages/methodology.py",
        title=tr("Methodology"),
        icon=":material/functions:",
        url_path="methodology",
    ),
    st.Page(
        "pages/tasks.py",
        title=tr("Priority task groups"),
        icon=":material/task_alt:",
        url_path="tasks",
    ),
    st.Page(
        "pages/projects.py",
        title=tr("ASCN projects"),
        icon=":material/construction:",
        url_path="projects",
    ),
    st.Page("pages/history.py", title=tr("History"), icon=":material/history:", url_path="history"),
]
st.navigation(pages).run()
