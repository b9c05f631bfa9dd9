"""What every page shares: the store, the language, cached reads and the demo banner.

Caching lives here, not in mne: reads are cached per store URL and language, and every write
made through the UI calls `clear_caches()`.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from streamlit.runtime.pages_manager import PagesManager

from db.engine import database_url, get_engine
from mne import access, analysis, catalog, demo, overview, signin
from mne.charts import TOPOJSON_URL
from mne.i18n import DEFAULT_LANGUAGE, Translator, normalise_language
from mne.intake import store as intake_store
from mne.reports.cells import neutralise_formulas
from mne.scoring import STATUS_COLOURS, STATUS_LABELS
from mne.store import ensure_store

T = TypeVar("T")
# The pages that show figures, which say whether submitted values are counted.
DASHBOARD_PATHS = frozenset(
    {"", "city", "explorer", "compare", "tasks", "projects", "coverage", "reports"}
)
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


def includes_submitted() -> bool:
    """The sidebar's switch: count submitted values too (default: approved values only)."""
    return bool(st.session_state.get("include_submitted", False))


def engine() -> Engine:
    """The store (set up with demo data on the very first start), as the sidebar's switch
    says: approved values only, or approved and submitted ones."""
    return analysis.store_view(_engine_for(database_url()), includes_submitted())


def view_key() -> str:
    """What cached reads are keyed by: the store and which values it counts."""
    return database_url() + ("#with-submitted" if includes_submitted() else "")


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

    return lambda: read(view_key(), language(), function.__qualname__)


load_overview = _cached(overview.overview)
load_cities = _cached(catalog.cities)
load_indicators = _cached(catalog.indicators)
load_focus_areas = _cached(catalog.focus_areas)
load_targets = _cached(catalog.targets)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _batches(url: str) -> pd.DataFrame:
    return intake_store.batches_frame(engine())


def load_batches() -> pd.DataFrame:
    return _batches(view_key())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _batch_changes(url: str, batch_id: int, limit: int) -> pd.DataFrame:
    return intake_store.batch_changes(engine(), batch_id, limit)


def load_batch_changes(batch_id: int, limit: int) -> pd.DataFrame:
    return _batch_changes(view_key(), batch_id, limit)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _batch_value_count(url: str, batch_id: int) -> int:
    return intake_store.batch_value_count(engine(), batch_id)


def load_batch_value_count(batch_id: int) -> int:
    return _batch_value_count(view_key(), batch_id)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _has_demo(url: str) -> bool:
    return demo.has_demo(engine())


def has_demo() -> bool:
    return _has_demo(view_key())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _figure(url: str, lang: str, key: tuple[Any, ...], _build: Callable[[], Any]) -> Any:
    return _build().to_plotly_json()


def cached_figure(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """A large figure built once per store, language and `key` (the page's filters), kept as
    plotly JSON: a warm rerun then skips building it again."""
    return _figure(view_key(), language(), key, build)


def chart(figure: Any, data: pd.DataFrame | None = None, name: str = "data") -> None:
    """Draw a plotly figure and offer the numbers behind it as CSV."""
    tr = translator()
    st.plotly_chart(figure, config=PLOTLY_CONFIG, width="stretch")
    if data is not None and not data.empty:
        st.download_button(
            tr("Download the data (CSV)"),
            data=lambda: csv_bytes(data),  # made on click: no CSV work on every rerun
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"download-{name}",
            icon=":material/download:",
        )


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Excel opens Vietnamese names correctly; text that a spreadsheet
    would run as a formula (=, +, -, @...) is neutralised."""
    buffer = io.StringIO()
    neutralise_formulas(frame).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8-sig")


def batch_changes_table(changes: pd.DataFrame) -> None:
    """The values a batch set (store.batch_changes): city, indicator, period, before, set."""
    tr = translator()
    st.dataframe(
        changes,
        hide_index=True,
        width="stretch",
        column_config={
            "city": tr("City"),
            "indicator": tr("Indicator"),
            "period": tr("Period"),
            "old_value": tr("Value before"),
            "new_value": tr("Value set"),
        },
    )


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


# --- Who is signed in ----------------------------------------------------------------------


def demo_mode() -> bool:
    """No account exists yet: anyone may look, nobody may change data."""
    return not access.has_accounts(engine())


def sign_in(actor: access.Actor) -> None:
    st.session_state["user_id"] = actor.user_id
    st.session_state["last_seen"] = time.time()
    st.session_state.pop("signin_notice", None)


def sign_out(reason: str = "") -> None:
    st.session_state.pop("actor", None)
    user_id = st.session_state.get("user_id")
    actor = access.load_actor(engine(), int(user_id)) if user_id is not None else None
    if actor is not None:
        signin.sign_out(engine(), actor, reason)
    for key in ("user_id", "last_seen"):
        st.session_state.pop(key, None)
    if reason:
        st.session_state["signin_notice"] = reason


def refresh_actor() -> access.Actor | None:
    """Once per run, in app.py: the signed-in account as it is now, or None. A session idle
    longer than MNE_SESSION_MINUTES ends; so does one whose account was disabled."""
    user_id = st.session_state.get("user_id")
    if user_id is None:
        st.session_state.pop("actor", None)
        return None
    now = time.time()
    if signin.session_expired(
        st.session_state.get("last_seen", now), now, signin.session_minutes()
    ):
        sign_out("expired")
        return None
    actor = access.load_actor(engine(), int(user_id))
    if actor is None:
        sign_out("disabled")
        return None
    st.session_state["last_seen"] = now
    st.session_state["actor"] = actor
    return actor


def actor() -> access.Actor | None:
    """The signed-in account of this run (set by app.py), None in the demo mode."""
    current = st.session_state.get("actor")
    return current if isinstance(current, access.Actor) else None


def may(action: str) -> bool:
    current = actor()
    return current is not None and current.may(action)


def explain_first_admin() -> None:
    """What a page that changes data shows while no account exists."""
    tr = translator()
    st.info(
        tr(
            "This dashboard runs as a demo: anyone may look, nobody may change data until the "
            "first administrator account exists. Whoever runs the server creates it with "
            "`python -m mne user add NAME --role admin`; then sign in, and the administrator "
            "adds the other accounts on the Accounts page."
        ),
        icon=":material/lock_open:",
    )


# Everything markdown (and Streamlit's :colour[...] and :icon: codes) gives a meaning to.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: object) -> str:
    """People's own text (names, file names, comments) for a markdown element: every character
    markdown would read as markup is escaped, so it shows exactly as typed, never as HTML,
    a link or an image."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


def access_error(error: access.AccessError) -> None:
    st.error(error.message(translator(), escape=plain), icon=":material/block:")


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


# --- Priority task groups and ASCN projects (pages/tasks.py, pages/projects.py) -------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _task_groups(url: str, lang: str) -> pd.DataFrame:
    from mne import tasks

    return tasks.group_progress(engine(), lang)


def load_task_groups() -> pd.DataFrame:
    return _task_groups(view_key(), language())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _group_tasks(url: str, lang: str, group: str) -> pd.DataFrame:
    from mne import tasks

    return tasks.group_tasks(engine(), lang, group)


def load_group_tasks(group: str) -> pd.DataFrame:
    return _group_tasks(view_key(), language(), group)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _task_history(url: str, code: str) -> pd.DataFrame:
    from mne import tasks

    return tasks.task_history(engine(), code)


def load_task_history(code: str) -> pd.DataFrame:
    return _task_history(view_key(), code)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _task_links(url: str, lang: str, code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    from mne import tasks

    return (
        tasks.task_cities(engine(), code, lang),
        tasks.linked_indicator_status(engine(), code, lang),
    )


def load_task_links(code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The task's cities and its linked indicators' status counts."""
    return _task_links(view_key(), language(), code)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _projects(
    url: str, lang: str, countries: tuple[str, ...], statuses: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    from mne import projects

    return (
        projects.project_counts(engine(), lang, countries, statuses),
        projects.project_list(engine(), lang, countries, statuses),
    )


def load_projects(
    countries: tuple[str, ...], statuses: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Project counts (city x focus area x status x financing) and the projects listed."""
    return _projects(view_key(), language(), countries, statuses)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _project_countries(url: str, lang: str) -> pd.DataFrame:
    from mne import projects

    return projects.project_countries(engine(), lang)


def load_project_countries() -> pd.DataFrame:
    return _project_countries(view_key(), language())


# --- City profile and Compare (pages/city.py, pages/compare.py) -----------------------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _network_index(url: str, lang: str) -> pd.DataFrame:
    from mne import city

    return city.network_index(engine(), lang)


def load_network_index() -> pd.DataFrame:
    """Every city's focus-area index (mne.city.network_index)."""
    return _network_index(view_key(), language())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _data_counts(url: str) -> pd.DataFrame:
    from mne import city

    return city.data_counts(engine())


def load_data_counts() -> pd.DataFrame:
    """Per reporting city: indicators and values stored, most data first."""
    return _data_counts(view_key())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _city_profile(url: str, lang: str, code: str) -> Any:
    from mne import city

    return city.profile(engine(), lang, code)


def load_city_profile(code: str) -> Any:
    """mne.city.CityProfile of one city."""
    return _city_profile(view_key(), language(), code)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _default_indicators(url: str, cities: tuple[str, ...], areas: tuple[str, ...]) -> list[str]:
    from mne import compare

    return compare.default_indicators(engine(), cities, areas)


def load_default_indicators(cities: tuple[str, ...], areas: tuple[str, ...]) -> list[str]:
    return _default_indicators(view_key(), cities, areas)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _comparison(url: str, lang: str, cities: tuple[str, ...], indicators: tuple[str, ...]) -> Any:
    from mne import compare

    return compare.comparison(engine(), lang, cities, indicators)


def load_comparison(cities: tuple[str, ...], indicators: tuple[str, ...]) -> Any:
    """mne.compare.Comparison of the chosen cities and indicators."""
    return _comparison(view_key(), language(), cities, indicators)


# --- Indicator explorer and Data coverage -------------------------------------------------------


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _reported_indicators(url: str) -> list[str]:
    from mne import explorer

    return explorer.reported_indicators(engine())


def load_reported_indicators() -> list[str]:
    """Codes of the indicators with at least one value."""
    return _reported_indicators(view_key())


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _indicator_view(url: str, lang: str, indicator: str, cities: tuple[str, ...] | None) -> Any:
    from mne import explorer

    return explorer.indicator_view(engine(), lang, indicator, cities)


def load_indicator_view(indicator: str, cities: list[str] | None) -> Any:
    """explorer.IndicatorView of one indicator over `cities` (codes; every city when None)."""
    chosen = None if cities is None else tuple(sorted(cities))
    return _indicator_view(view_key(), language(), indicator, chosen)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def _coverage(url: str, lang: str, area: str | None, countries: tuple[str, ...]) -> Any:
    from mne import coverage

    return coverage.coverage_matrix(engine(), lang, area, countries)


def load_coverage(area: str | None, countries: list[str]) -> Any:
    """coverage.Coverage of a focus area (all when None) and countries (all when empty)."""
    return _coverage(view_key(), language(), area, tuple(sorted(countries)))


# Text on each status colour that stays readable (white only on the dark blue).
STATUS_TEXT_COLOURS = {status: "#000000" for status in STATUS_COLOURS} | {
    "target_achieved": "#FFFFFF"
}


def progress_cells(progress: pd.DataFrame) -> pd.DataFrame:
    """The cells a progress table shows, in the user's language: status label, latest value
    with its unit, latest year, target (year) and gap, each number with the indicator's
    decimals. `progress` has status, latest_value, latest_year, target_value, target_year,
    gap, decimals and unit."""
    tr = translator()
    decimals = progress["decimals"].astype(int)
    return pd.DataFrame(
        {
            "status": progress["status"].map(lambda s: tr(STATUS_LABELS[s])),
            "latest": [
                f"{tr.number(v, d)} {u}"
                for v, d, u in zip(
                    progress["latest_value"], decimals, progress["unit"], strict=True
                )
            ],
            "year": progress["latest_year"].astype(int).astype(str),
            "target": [
                f"{tr.number(v, d)} ({int(y)})" if pd.notna(v) else "–"
                for v, d, y in zip(
                    progress["target_value"], decimals, progress["target_year"], strict=True
                )
            ],
            "gap": [tr.number(v, d) for v, d in zip(progress["gap"], decimals, strict=True)],
        },
        index=progress.index,
    )


def status_coloured(shown: pd.DataFrame, statuses: pd.Series) -> Any:
    """`shown` styled with each row's status colour on its "status" cell."""
    codes = statuses.to_numpy()

    def colour(column: pd.Series) -> list[str]:
        return [
            f"background-color: {STATUS_COLOURS[c]}; color: {STATUS_TEXT_COLOURS[c]}" for c in codes
        ]

    return shown.style.apply(colour, subset=["status"])
