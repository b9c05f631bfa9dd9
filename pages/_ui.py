"""What every page shares: the store, the language, cached reads and the demo banner.

Caching lives here, not in mne: reads are cached per store version (advanced by every write,
on any server or the command line), store view, language and arguments.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import inspect
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, cast, overload
from urllib.parse import urlencode, urlsplit

import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from mne import (
    access,
    accounts,
    analysis,
    catalog,
    city,
    city_search,
    compare,
    coverage,
    demo,
    entry,
    explorer,
    markup,
    overview,
    projects,
    sessions,
    tasks,
    theme,
    value_review,
    web,
)
from mne import store as mne_store
from mne.charts import TOPOJSON_URL
from mne.errors import UserError
from mne.i18n import DEFAULT_LANGUAGE, MISSING, Translator, normalise_language
from mne.intake import batches, revert
from mne.reports.cells import neutralise_formulas
from mne.scoring import STATUS_LABELS
from mne.store import Store, open_store, store_url
from mne.theme import STATUS_COLOURS, STATUS_TEXT_COLOURS

T = TypeVar("T")
# Cached reads kept per process, over every store version, view, language and argument.
MAX_CACHED_READS = 512
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
def _engine_for(url: str) -> Store:
    return open_store(url)


def includes_submitted() -> bool:
    """The sidebar's switch: count submitted values too (default: approved values only)."""
    return st.session_state.get("include_submitted") is True


def engine() -> Store:
    """The store (set up with demo data on the very first start): for writes, and for reads
    that are not of the values the dashboards count."""
    return _engine_for(store_url())


def view() -> analysis.StoreView:
    """The store's values as the sidebar's switch says to count them: approved only, or
    approved and submitted ones."""
    return analysis.StoreView(engine(), includes_submitted())


def language() -> str:
    return normalise_language(st.session_state.get("lang", DEFAULT_LANGUAGE))


def translator() -> Translator:
    return Translator(language())


# --- Cached reads, keyed on the store version --------------------------------------------------
#
# Every write transaction advances the store's version (db.engine.writing), whoever makes it:
# this server, another app server, or `python -m mne` on the command line. Each script run reads
# the version once (start_run, from app.py) and every cached read of the run is keyed on it, so
# a page shows what the store holds at the start of its run, on every server, without a TTL.

# Per store URL, the newest version this process has seen: older cached reads are dropped.
_newest_version: dict[str, int] = {}


def start_run() -> None:
    """Once per script run (app.py), and again after a write: read the store version."""
    url = store_url()
    version = mne_store.version(_engine_for(url))
    private().run_version = version
    if version > _newest_version.get(url, -1):
        if url in _newest_version:  # what was cached belongs to older versions: free it
            _read.clear()
            _figure.clear()
        _newest_version[url] = version


def after_write() -> None:
    """Call after a write in this run, so the rest of the run reads the store as written."""
    start_run()


def store_key() -> tuple[str, bool, int, str]:
    """What every cached read is keyed on: the store, which values it counts, its version,
    and the day (a task's status moves to "late" when its due date passes)."""
    version = private().run_version
    if version is None or PagesManager.uses_pages_directory:
        # A page run alone, in Streamlit's old multipage mode (AppTest runs pages so), has had
        # no app.py to read the version this run: read it for each read instead.
        start_run()
        version = private().run_version
    assert version is not None
    return store_url(), includes_submitted(), version, dt.date.today().isoformat()


@st.cache_data(show_spinner=False, max_entries=MAX_CACHED_READS)
def _read(
    store: tuple[str, bool, int, str],
    name: str,
    lang: str | None,
    args: tuple[Any, ...],
    _call: Callable[[analysis.StoreView, str | None, tuple[Any, ...]], Any],
) -> Any:
    url, with_submitted = store[0], store[1]
    return _call(analysis.StoreView(_engine_for(url), with_submitted), lang, args)


def cached(function: Callable[..., T], per_language: bool = True) -> Callable[..., T]:
    """`function(store, ...)` of mne as a read cached per store version, view, language
    (passed as its `lang` argument, wherever that stands; unless `per_language` is False) and
    the other arguments (hashable: pass tuples, not lists). Keyed on the function's module
    and qualified name, so two modules' functions of the same name never share entries.
    A function whose first parameter takes an analysis.StoreView gets the sidebar's view of
    the values; any other gets the store's engine."""
    name = f"{function.__module__}.{function.__qualname__}"
    parameters = list(inspect.signature(function).parameters.values())
    lang_second = [p.name for p in parameters[1:2]] == ["lang"]
    takes_view = "StoreView" in str(parameters[0].annotation)

    def call(view: analysis.StoreView, lang: str | None, args: tuple[Any, ...]) -> Any:
        store = view if takes_view else view.engine
        if lang is None:
            return function(store, *args)
        if lang_second:
            return function(store, lang, *args)
        return function(store, *args, lang=lang)

    @functools.wraps(function)
    def load(*args: Any) -> T:
        lang = language() if per_language else None
        return cast(T, _read(store_key(), name, lang, tuple(args), _call=call))

    return load


load_overview = cached(overview.overview)
load_cities = cached(catalog.cities)
load_city_names = cached(city_search.city_names, per_language=False)
load_entry_grid = cached(entry.grid)  # (city, period)
# (batch_id, city, period): values returned for correction, still their batch's.
load_returned_values = cached(value_review.returned_values, per_language=False)
load_batch_review = cached(value_review.batch_values)  # (batch_id): flagged first
load_indicators = cached(catalog.indicators)
load_focus_areas = cached(catalog.focus_areas)
load_targets = cached(catalog.targets)
load_batches = cached(batches.batches_frame, per_language=False)
# (batch_id, limit): the first `limit` values a batch set, and how many it set in all.
load_batch_changes = cached(batches.batch_changes, per_language=False)
load_batch_value_count = cached(batches.batch_value_count, per_language=False)
_has_demo = cached(demo.has_demo, per_language=False)


def has_demo() -> bool:
    return bool(_has_demo())


@st.cache_data(show_spinner=False, max_entries=MAX_CACHED_READS)
def _figure(
    store: tuple[str, bool, int, str], lang: str, key: tuple[Any, ...], _build: Callable[[], Any]
) -> Any:
    return _build().to_plotly_json()


def cached_figure(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """A large figure built once per store version, language and `key` (the page's filters),
    kept as plotly JSON: a warm rerun then skips building it again."""
    return _figure(store_key(), language(), key, build)


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


def sync_query(values: dict[str, tuple[str, str]]) -> None:
    """Keep a page's view in its URL, `values` holding each parameter's (value, default).

    The URL changes once per run at most (each change is an entry in the browser's history),
    and a page's defaults are not written to it: arriving on a page adds no entry of its own,
    so Back goes to the page before it; a view the user chose is an entry, so Back returns to
    the view before it."""
    current = st.query_params.to_dict()
    wanted = dict(current)
    for key, (value, default) in values.items():
        if value and (value != default or key in current):
            wanted[key] = value
        else:
            wanted.pop(key, None)
    if wanted != current:
        st.query_params.from_dict(wanted)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Excel opens Vietnamese names correctly; text that a spreadsheet
    would run as a formula (=, +, -, @...) is neutralised."""
    buffer = io.StringIO()
    neutralise_formulas(frame).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8-sig")


def batch_changes_table(changes: pd.DataFrame) -> None:
    """The values a batch set (batches.batch_changes): city, indicator, period, before, set."""
    tr = translator()
    st.dataframe(
        tr.readable(changes, values=("old_value", "new_value")),
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


def in_progress_note(reporting: Any) -> None:
    """Under headline figures: a newer year that some cities have reported already
    (mne.headline.ReportingYear), and why the headline keeps the reporting year."""
    if reporting is None or not reporting.in_progress:
        return
    tr = translator()
    st.caption(
        tr(
            "{year} in progress: {n} / {total} cities have reported so far. Headline figures "
            "use {reporting}, the latest year at least half the reporting cities have reported "
            "(see Methodology).",
            year=reporting.newer_year,
            n=reporting.newer_cities,
            total=reporting.reporting_cities,
            reporting=reporting.year,
        )
    )


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


def guard_unsaved(pending: bool) -> None:
    """Ask before this page's typed values are lost (a menu link, closing or reloading the
    tab): mne/unsaved.js reads this marker. `pending` says the server holds values sent with
    the form but not saved; what is typed and not yet sent the script notices itself."""
    tr = translator()
    question = tr("The values you typed are not saved. Leave this page?")
    st.html(
        f'<span data-mne-unsaved-guard data-pending="{int(pending)}" '
        f'data-message="{html.escape(question)}"></span>'
    )


# --- Who is signed in ----------------------------------------------------------------------


def demo_mode() -> bool:
    """No account exists yet: anyone may look, nobody may change data."""
    return not accounts.has_accounts(engine())


@dataclass
class Private:
    """What the script keeps between runs of one browser tab. Held as one object under one key:
    a browser can send any widget state under any key, but never an object of this class, so
    nothing it sends can stand in for the signed-in account or the store version."""

    token: str | None = None  # the session's token when no cookie carries it (AppTest)
    actor: access.Actor | None = None
    ended: str = ""  # why the session is over: expired, revoked, disabled, unknown
    run_version: int | None = None
    kept: dict[str, Any] = field(default_factory=dict)  # the pages' own values, see keep()


PRIVATE = "_mne_private"


def private() -> Private:
    held = st.session_state.get(PRIVATE)
    if not isinstance(held, Private):
        held = Private()
        st.session_state[PRIVATE] = held
    return held


def keep(name: str, value: Any) -> None:
    """Keep a page's value (an upload's result, a notice) for the tab's next runs."""
    private().kept[name] = value


def kept(name: str, default: Any = None) -> Any:
    return private().kept.get(name, default)


def forget(name: str) -> None:
    private().kept.pop(name, None)


def take(name: str, default: Any = None) -> Any:
    """A kept value, forgotten as it is read (a notice shown once)."""
    return private().kept.pop(name, default)


def forget_unusable(key: str, usable: Callable[[Any], bool]) -> None:
    """Before a widget is drawn: forget the value its key holds when the widget could not show
    it (a browser can send any value under any key), so the widget starts from its default
    instead of failing every later run of the tab."""
    if key in st.session_state and not usable(st.session_state[key]):
        del st.session_state[key]


def session_token() -> str | None:
    """The browser's session token: its cookie (set by the sign-in route, mne.web)."""
    cookie = st.context.cookies.get(sessions.COOKIE_NAME)
    return cookie if isinstance(cookie, str) and cookie else private().token


def sign_out() -> None:
    """End this browser's session in the store: every tab and server sees it on its next run."""
    sessions.sign_out(engine(), session_token())
    held = private()
    held.actor, held.ended = None, "revoked"


def refresh_actor() -> access.Actor | None:
    """Once per run, in app.py: the account the browser's session signs in now, or None (and
    why in `private().ended`). A session idle longer than MNE_SESSION_MINUTES, revoked, or of
    a disabled account signs in nobody."""
    held = private()
    checked = sessions.check(engine(), session_token())
    actor = None if checked.user_id is None else accounts.load_actor(engine(), checked.user_id)
    held.actor = actor
    if actor is None and checked.ended:
        held.ended = "revoked" if checked.ended == "unknown" else checked.ended
    return actor


def same_tab_link(label: str, href: str) -> None:
    """A button-like link that opens in this tab (st.link_button opens a new one): for the
    app's own routes, such as the sign-in form."""
    st.html(
        f'<a href="{html.escape(href)}" style="display:inline-block;padding:0.5rem 1rem;'
        f"border-radius:0.5rem;background:{theme.BLUE};color:{theme.WHITE};text-decoration:none;"
        f'font-weight:600">{html.escape(label)}</a>'
    )


def signin_link() -> str:
    """The sign-in page, which brings the browser back to this page with its query."""
    query = urlencode({**st.query_params.to_dict(), "lang": language()})
    target = (urlsplit(st.context.url or "/").path or "/") + f"?{query}"
    return web.signin_url(target, private().ended)


def actor() -> access.Actor | None:
    """The signed-in account of this run (set by app.py), None in the demo mode."""
    return private().actor


def may(action: access.Action) -> bool:
    current = actor()
    return current is not None and current.may(action)


@overload
def page_header(
    title: str,
    caption: str = "",
    *,
    signed_in: Literal[True],
    notice: str = "",
    notice_icon: str = "check_circle",
) -> access.Actor: ...


@overload
def page_header(
    title: str,
    caption: str = "",
    *,
    signed_in: bool = False,
    notice: str = "",
    notice_icon: str = "check_circle",
) -> access.Actor | None: ...


def page_header(
    title: str,
    caption: str = "",
    *,
    signed_in: bool = False,
    notice: str = "",
    notice_icon: str = "check_circle",
) -> access.Actor | None:
    """The top of every page: its title and what it is for (both translated already). A page
    that changes data (`signed_in`) stops there in the demo mode, explaining how the first
    administrator is created. Then the notice a write kept under the key `notice` (`keep`)
    before its rerun, shown once, with the Material icon `notice_icon`. Returns the signed-in
    account (None in the demo mode)."""
    st.title(title)
    if caption:
        st.caption(caption)
    current = actor()
    if signed_in and current is None:
        explain_first_admin()
        st.stop()
    message = take(notice) if notice else None
    if message:
        st.success(message, icon=f":material/{notice_icon}:")
    return current


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


def plain(text: object) -> str:
    """People's own text (names, file names, comments, stored messages) for a markdown
    element, shown exactly as typed: mne.markup escapes it, as it escapes the values of
    messages drawn with `translator().on("markdown")`."""
    return markup.markdown(text)


def find_city(key: str, codes: list[str], label: str | None = None) -> list[str]:
    """A "Find a city" box above the city picker keyed `key`: the picker's options (`codes`)
    narrowed to the cities the typed text names (codes, names in each language, aliases, with
    or without accents), best first; all of them while the box is empty. Typing selects the
    best match in a single picker; a multiple one keeps its choices among the options."""
    tr = translator()
    find_key = f"{key}_find"

    def matches() -> list[str]:
        return city_search.find(load_city_names(), st.session_state.get(find_key, ""), codes)

    def select_best() -> None:
        found = matches()
        if found and not isinstance(st.session_state.get(key), list):
            st.session_state[key] = found[0]

    query = st.text_input(
        label or tr("Find a city"),
        key=find_key,
        placeholder=tr("Code, name or other name, with or without accents"),
        on_change=select_best,
    )
    if not query.strip():
        return codes
    found = matches()
    if not found:
        st.caption(tr("No city is called “{query}”: every city is listed.", query=plain(query)))
        return codes
    chosen = st.session_state.get(key)
    kept = [c for c in chosen if c not in found] if isinstance(chosen, list) else []
    return found + kept


def returned_values_table(returned: pd.DataFrame) -> None:
    """Values an analyst returned: where, which, the value, why, by whom and when."""
    tr = translator()
    st.dataframe(
        tr.readable(returned, times=("returned_at",)),
        hide_index=True,
        width="stretch",
        column_order=[
            "city",
            "indicator",
            "period",
            "value",
            "comment",
            "batch_id",
            "returned_by",
            "returned_at",
        ],
        column_config={
            "batch_id": st.column_config.NumberColumn(tr("Batch"), format="#%d"),
            "city": tr("City"),
            "indicator": tr("Indicator"),
            "period": tr("Period"),
            "value": tr("Value"),
            "comment": tr("Why it came back"),
            "returned_by": tr("Returned by"),
            "returned_at": tr("When"),
        },
    )


# Refusals (the role or the stored state says no) show a block; problems with what was given,
# an error.
REFUSALS = (access.AccessError, revert.RevertRefused, tasks.UpdateRefused)


def show_error(error: UserError) -> None:
    """Any user error (mne.errors) in the user's language: what is wrong and what to do."""
    icon = ":material/block:" if isinstance(error, REFUSALS) else ":material/error:"
    show = st.warning if error.severity == "warning" else st.error
    show(error.message(translator().on("markdown")), icon=icon)


PROBLEMS_SHOWN = 300


def problem_table(problems: pd.DataFrame) -> None:
    """Row problems as a plain table whose long messages wrap (the first few hundred; the
    download has them all)."""
    tr = translator()
    shown = problems.head(PROBLEMS_SHOWN)[["row", "column", "message"]].rename(
        columns={"row": tr("Row"), "column": tr("Column"), "message": tr("What to fix")}
    )
    # st.table draws every cell as markdown; the cells quote the file's own text.
    st.table(shown.map(plain), hide_index=True)
    if len(problems) > PROBLEMS_SHOWN:
        st.caption(
            tr(
                "Showing the first {shown} of {total}; the download has them all.",
                shown=PROBLEMS_SHOWN,
                total=len(problems),
            )
        )


# --- Priority task groups, ASCN projects, City profile, Compare, Explorer, Coverage ----------

load_task_groups = cached(tasks.group_progress)
load_group_tasks = cached(tasks.group_tasks)  # (group)
load_task_history = cached(tasks.task_history, per_language=False)  # (task code)
_task_cities = cached(tasks.task_cities)
_task_linked_status = cached(tasks.linked_indicator_status)


def load_task_links(code: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The task's cities and its linked indicators' status counts."""
    return _task_cities(code), _task_linked_status(code)


_project_counts = cached(projects.project_counts)
_project_list = cached(projects.project_list)
load_project_countries = cached(projects.project_countries)


def load_projects(
    countries: tuple[str, ...], statuses: tuple[str, ...]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Project counts (city x focus area x status x financing) and the projects listed."""
    return _project_counts(countries, statuses), _project_list(countries, statuses)


load_network_index = cached(city.network_index)  # every city's focus-area index
load_data_counts = cached(city.data_counts, per_language=False)  # per city: values stored
load_city_profile = cached(city.profile)  # (city code) -> mne.city.CityProfile
load_default_indicators = cached(compare.default_indicators, per_language=False)
load_comparison = cached(compare.comparison)  # (cities, indicators) -> compare.Comparison
load_reported_indicators = cached(explorer.reported_indicators, per_language=False)
_indicator_view = cached(explorer.indicator_view)
_coverage = cached(coverage.coverage_matrix)


def load_indicator_view(indicator: str, cities: list[str] | None) -> Any:
    """explorer.IndicatorView of one indicator over `cities` (codes; every city when None)."""
    return _indicator_view(indicator, None if cities is None else tuple(sorted(cities)))


def load_coverage(area: str | None, countries: list[str]) -> Any:
    """coverage.Coverage of a focus area (all when None) and countries (all when empty)."""
    return _coverage(area, tuple(sorted(countries)))


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
                f"{tr.number(v, d)} {tr.unit(u)}"
                for v, d, u in zip(
                    progress["latest_value"], decimals, progress["unit"], strict=True
                )
            ],
            "year": progress["latest_year"].astype(int).astype(str),
            "target": [
                f"{tr.number(v, d)} ({int(y)})" if pd.notna(v) else MISSING
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
