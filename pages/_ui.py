"""What every page shares: the store, the language, cached reads and the demo banner.

Caching lives here, not in mne: reads are cached per store URL and language, and every write
made through the UI calls `clear_caches()`.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.pages_manager import PagesManager

from db.engine import database_url, get_engine
from mne import catalog, demo, overview
from mne.charts import TOPOJSON_URL
from mne.i18n import DEFAULT_LANGUAGE, Translator, normalise_language
from mne.intake import store as intake_store
from mne.store import ensure_store

T = TypeVar("T")
CACHE_SECONDS = 600
PLOTLY_CONFIG = {"displaylogo": False, "topojsonURL": TOPOJSON_URL, "responsive": True}


def _use_app_navigation() -> None:
    """Make Streamlit route every run through app.py's st.navigation.

    A process whose app has a pages/ folder starts in Streamlit's old multipage mode, where a
    first request for /overview runs pages/overview.py alone (no language picker, no banner)
    until app.py has called st.navigation once. Leave that mode and run again through app.py."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_use_app_navigation()


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    engine = get_engine(url)
    ensure_store(engine)
    return engine


def engine() -> Engine:
    """The store, set up with demo data on the very first start."""
    return _engine_for(database_url())


def language() -> str:
    return normalise_language(st.session_state.get("lang", DEFAULT_LANGUAGE))


def translator() -> Translator:
    return Translator(language())


def clear_caches() -> None:
    st.cache_data.clear()


def _cached(function: Callable[[Engine, str], T]) -> Callable[[], T]:
    """A read of mne, cached per store and language."""

    @st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
    def read(url: str, lang: str, name: str) -> Any:
        return function(engine(), lang)

    return lambda: read(database_url(), language(), function.__qualname__)


load_overview = _cached(overview.overview)
load_cities = _cached(catalog.cities)
load_indicators = _cached(catalog.indicators)
load_focus_areas = _cached(catalog.focus_areas)
load_targets = _cached(catalog.targets)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _batches(url: str) -> pd.DataFrame:
    return intake_store.batches_frame(engine())


def load_batches() -> pd.DataFrame:
    return _batches(database_url())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _has_demo(url: str) -> bool:
    return demo.has_demo(engine())


def has_demo() -> bool:
    return _has_demo(database_url())


def chart(figure: Any, data: pd.DataFrame | None = None, name: str = "data") -> None:
    """Draw a plotly figure and offer the numbers behind it as CSV."""
    tr = translator()
    st.plotly_chart(figure, config=PLOTLY_CONFIG, width="stretch")
    if data is not None and not data.empty:
        st.download_button(
            tr("Download the data (CSV)"),
            data=csv_bytes(data),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"download-{name}",
            icon=":material/download:",
        )


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Excel opens Vietnamese names correctly."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8-sig")


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


def user_name() -> str:
    """Who is acting. Until accounts exist (issue 5) uploads are recorded as anonymous."""
    return str(st.session_state.get("user_name", "anonymous"))


PROBLEMS_SHOWN = 300


def problem_table(problems: pd.DataFrame) -> None:
    """Row problems as a plain table whose long messages wrap (the first few hundred; the
    download has them all)."""
    tr = translator()
    shown = problems.head(PROBLEMS_SHOWN)[["row", "column", "message"]].rename(
        columns={"row": tr("Row"), "column": tr("Column"), "message": tr("What to fix")}
    )
    st.table(shown, hide_index=True)
    if len(problems) > PROBLEMS_SHOWN:
        st.caption(
            tr(
                "Showing the first {shown} of {total}; the download has them all.",
                shown=PROBLEMS_SHOWN,
                total=len(problems),
            )
        )
