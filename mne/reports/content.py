"""What a report holds, gathered once as frames from the store with the functions every page
uses (mne.analysis, mne.scoring, mne.catalog, mne.tasks, mne.projects), then written as PDF,
Excel or CSV by the sibling modules.

A scope is the network, a country (ISO2), a city (code) or a priority task group (G1...G6: its
tasks, and the indicators they are meant to move, over the whole network). The period keeps
the years from `first_year` to `last_year`: latest values, statuses and gaps are those of the
period. Values are read through an analysis.StoreView: approved ones only, unless submitted
ones are asked for.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine, func, select

from db import models as m
from db.bulk import read_frame
from mne import analysis, catalog, headline, scoring, tasks
from mne import projects as project_room
from mne.analysis import StoreView
from mne.city import _target_kinds
from mne.errors import ErrorKinds, UserError
from mne.i18n import N_, Translator
from mne.overview import named_focus_area_index

SCOPE_KINDS = ("network", "country", "city", "task-group")
SCOPE_PATTERN = re.compile(r"^(network|country:[A-Za-z]{2}|city:[A-Za-z0-9_-]+|task-group:G\d+)$")
# How many rows the summary's "largest gaps" and "late tasks" tables show.
GAPS_SHOWN = 10

REPORT_ERRORS = {
    "bad_scope": N_(
        "The scope {scope} is not understood. Write network, country:VN, city:VNHAN or "
        "task-group:G1."
    ),
    "unknown_country": N_("There is no city of the country {code} in the catalog."),
    "unknown_city": N_("There is no city with the code {code}."),
    "unknown_group": N_("There is no priority task group {code}."),
    "bad_period": N_(
        "The period {period} is not understood. Write the first and last year, e.g. 2015-2024."
    ),
}


class ReportError(UserError):
    """A report that cannot be made as asked, with a message a person can act on."""

    kinds = ErrorKinds()

    @property
    def reason(self) -> str:
        return self.code


ReportError.define_all(
    REPORT_ERRORS,
    {
        "bad_scope": "A scope that is none of network, country:XX, city:CODE, task-group:GN.",
        "unknown_country": "A country:XX scope of a country with no city in the catalog.",
        "unknown_city": "A city:CODE scope of a code that is no city of the catalog.",
        "unknown_group": "A task-group:GN scope of a group that is no priority task group.",
        "bad_period": "A period that is not FIRST-LAST years.",
    },
)


class ExportFailed(UserError):
    """The charts of a PDF could not be drawn (the browser did not start or failed)."""

    kinds = ErrorKinds()

    def __init__(self, error: str) -> None:
        super().__init__("export_failed", error=error)
        self.error = error


EXPORT_FAILED = ExportFailed.define(
    "export_failed",
    N_(
        "The PDF could not be made: the chart exporter (plotly's kaleido, with Chromium) "
        "failed ({error}). Try again; Excel and CSV reports need no browser."
    ),
    "The browser that draws a PDF's charts did not start or failed.",
)


@dataclass(frozen=True)
class Scope:
    kind: str  # one of SCOPE_KINDS
    code: str | None = None

    @property
    def text(self) -> str:
        """As the command line writes it: network, country:VN, city:VNHAN, task-group:G1."""
        return self.kind if self.code is None else f"{self.kind}:{self.code}"

    @property
    def slug(self) -> str:
        """For a file name: network, country-VN, city-VNHAN, task-group-G1."""
        return self.kind if self.code is None else f"{self.kind}-{self.code}"


def parse_scope(text: str) -> Scope:
    """network | country:XX | city:CODE | task-group:G1 (ReportError bad_scope otherwise)."""
    value = (text or "").strip()
    if not SCOPE_PATTERN.match(value):
        raise ReportError("bad_scope", scope=value or "''")
    kind, _, code = value.partition(":")
    if kind == "country":
        code = code.upper()
    return Scope(kind, code or None)


def parse_period(text: str | None) -> tuple[int | None, int | None]:
    """ "2015-2024" -> (2015, 2024); "2024" -> (2024, 2024); empty -> every year."""
    value = (text or "").strip()
    if not value:
        return None, None
    match = re.fullmatch(r"(\d{4})(?:\s*[-–]\s*(\d{4}))?", value)
    if not match:
        raise ReportError("bad_period", period=value)
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise ReportError("bad_period", period=value)
    return first, last


@dataclass(frozen=True)
class ReportContent:
    """Every frame a report shows; names in `lang`, codes kept beside them."""

    scope: Scope
    lang: str
    include_submitted: bool
    first_year: int | None
    last_year: int | None
    generated: dt.date
    as_of: pd.Timestamp | None
    scope_name: str  # "Hà Nội", "Việt Nam", "G1 · ...", or the network's name
    cities: pd.DataFrame  # id, code, name, country, country_name, lat, lon
    indicators: pd.DataFrame  # catalog.indicators of the scope (id, code, name, focus_area...)
    areas: pd.DataFrame  # catalog.focus_areas
    progress: pd.DataFrame  # per city x indicator: PROGRESS_COLUMNS
    observations: pd.DataFrame  # long: OBSERVATION_COLUMNS
    index: pd.DataFrame  # per city x focus area: city_id, city, city_name, focus_area...
    city_index: pd.DataFrame  # per city: code, name, country_name, lat, lon, index
    status_counts: pd.DataFrame  # status, pairs
    groups: pd.DataFrame  # tasks.group_progress (of the scope's groups)
    tasks: pd.DataFrame  # tasks.timeline of the scope's tasks (with overdue)
    projects: pd.DataFrame  # projects.project_list of the scope's cities
    targets: pd.DataFrame  # catalog.targets of the scope's indicators
    figures: dict[str, object] = field(default_factory=dict)

    key_figures: headline.KeyFigures | None = None
    counts_demo: bool = False  # synthetic demo values or tasks are among what it counts

    @property
    def latest_year(self) -> int | None:
        """The reporting year of the scope (mne.headline.reporting_year): the year "as of"
        that the headline figures and charts use."""
        return None if self.key_figures is None else self.key_figures.year

    @property
    def largest_gaps(self) -> pd.DataFrame:
        """The city x indicator pairs furthest from their target (relative gap, still to go)."""
        gaps = self.progress[self.progress["gap_relative"] > 0]
        gaps = gaps.sort_values("gap_relative", ascending=False)
        if self.progress["city"].nunique() > 1:  # the furthest city of each indicator first
            gaps = gaps.drop_duplicates("indicator")
        return gaps.head(GAPS_SHOWN)

    @property
    def city_table(self) -> pd.DataFrame:
        """Per city of the scope: code, name, country_name, indicators with a status, mean
        focus-area index, and pairs achieved or on track."""
        p = self.progress
        good = p["status"].isin(["target_achieved", "on_track"])
        per_city = (
            p.assign(good=good)
            .groupby("city")
            .agg(indicators=("indicator", "nunique"), good=("good", "sum"))
        )
        frame = self.city_index.merge(per_city, left_on="code", right_index=True, how="left")
        frame[["indicators", "good"]] = frame[["indicators", "good"]].fillna(0).astype(int)
        return frame[["code", "name", "country_name", "indicators", "index", "good"]]

    @property
    def late_tasks(self) -> pd.DataFrame:
        """Tasks past their due date and not done."""
        return self.tasks[self.tasks["overdue"]]


PROGRESS_COLUMNS = [
    "city",
    "city_name",
    "country",
    "focus_area",
    "focus_area_name",
    "indicator",
    "indicator_name",
    "unit",
    "decimals",
    "direction",
    "base_year",
    "base_value",
    "target_value",
    "target_year",
    "target_kind",
    "latest_year",
    "latest_value",
    "gap",
    "gap_relative",
    "score",
    "status",
]
OBSERVATION_COLUMNS = [
    "city",
    "city_name",
    "country",
    "focus_area",
    "indicator",
    "indicator_name",
    "unit",
    "decimals",
    "period",
    "year",
    "value",
    "status",
    "source",
    "note",
    "updated_at",
]


def _scope_cities(engine: Engine, scope: Scope, lang: str) -> pd.DataFrame:
    cities = catalog.cities(engine, lang)
    if scope.kind == "country":
        cities = cities[cities["country"] == scope.code]
        if cities.empty:
            raise ReportError("unknown_country", code=scope.code)
    elif scope.kind == "city":
        cities = cities[cities["code"] == scope.code]
        if cities.empty:
            raise ReportError("unknown_city", code=scope.code)
    return cities.reset_index(drop=True)


def _group_indicator_ids(engine: Engine, group: str) -> list[int]:
    """The indicators the group's tasks are meant to move."""
    t, ti, g = m.table(m.Task), m.table(m.TaskIndicator), m.table(m.TaskGroup)
    statement = (
        select(ti.c.indicator_id)
        .join(t, t.c.id == ti.c.task_id)
        .join(g, g.c.id == t.c.task_group_id)
        .where(g.c.code == group)
        .distinct()
    )
    with engine.connect() as conn:
        return [int(i) for i in conn.execute(statement).scalars()]


def _in_period(frame: pd.DataFrame, first: int | None, last: int | None) -> pd.DataFrame:
    keep = pd.Series(True, index=frame.index)
    if first is not None:
        keep &= frame["year"] >= first
    if last is not None:
        keep &= frame["year"] <= last
    return frame[keep]


def observations(
    store: StoreView | Engine,
    lang: str,
    city_ids: list[int],
    indicator_ids: list[int],
    first_year: int | None = None,
    last_year: int | None = None,
) -> pd.DataFrame:
    """The stored values the view counts, long, with codes and names (OBSERVATION_COLUMNS),
    by city, indicator and period."""
    view = StoreView.of(store)
    o, c, i = view.observations(), m.table(m.City), m.table(m.Indicator)
    fa = m.table(m.FocusArea)
    city_name = c.c.name_vi if lang == "vi" else c.c.name_en
    statement = (
        select(
            c.c.code.label("city"),
            city_name.label("city_name"),
            c.c.country_iso2.label("country"),
            fa.c.code.label("focus_area"),
            i.c.code.label("indicator"),
            i.c[f"name_{lang}"].label("indicator_name"),
            i.c.unit,
            i.c.decimals,
            o.c.period,
            o.c.year,
            o.c.value,
            o.c.status,
            o.c.source,
            o.c.note,
            o.c.updated_at,
        )
        .join(c, c.c.id == o.c.city_id)
        .join(i, i.c.id == o.c.indicator_id)
        .join(fa, fa.c.id == i.c.focus_area_id)
        .where(o.c.city_id.in_(city_ids), o.c.indicator_id.in_(indicator_ids))
        .order_by(c.c.code, fa.c.sort, i.c.code, o.c.period)
    )
    if first_year is not None:
        statement = statement.where(o.c.year >= first_year)
    if last_year is not None:
        statement = statement.where(o.c.year <= last_year)
    with view.engine.connect() as conn:
        frame = read_frame(conn, statement)
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in OBSERVATION_COLUMNS})
    # In UTC without a zone (PostgreSQL gives aware times; Excel takes none).
    frame["updated_at"] = pd.to_datetime(frame["updated_at"], utc=True).dt.tz_convert(None)
    frame["unit"] = Translator(lang).units(frame["unit"])
    return frame.astype({"value": float, "year": int, "decimals": int})[OBSERVATION_COLUMNS]


def _as_of(view: StoreView, city_ids: list[int]) -> pd.Timestamp | None:
    """When the values the view counts in these cities last changed."""
    o = view.observations()
    statement = select(func.max(o.c.updated_at)).where(o.c.city_id.in_(city_ids))
    with view.engine.connect() as conn:
        value = conn.execute(statement).scalar()
    return None if value is None else pd.Timestamp(value)


def _counts_demo(
    view: StoreView,
    city_ids: list[int],
    indicator_ids: list[int],
    first_year: int | None,
    last_year: int | None,
) -> bool:
    """True when any value the report counts comes from the demo data."""
    o, b = view.observations(), m.table(m.UploadBatch)
    statement = (
        select(o.c.id)
        .join(b, b.c.id == o.c.batch_id)
        .where(
            b.c.is_demo,
            o.c.city_id.in_(city_ids),
            o.c.indicator_id.in_(indicator_ids),
        )
        .limit(1)
    )
    if first_year is not None:
        statement = statement.where(o.c.year >= first_year)
    if last_year is not None:
        statement = statement.where(o.c.year <= last_year)
    with view.engine.connect() as conn:
        return conn.execute(statement).first() is not None


def _named_progress(
    table: pd.DataFrame,
    scored: pd.DataFrame,
    cities: pd.DataFrame,
    indicators: pd.DataFrame,
    engine: Engine,
) -> pd.DataFrame:
    """scoring.progress_table with the score of the latest value, the target's kind, and the
    city's and indicator's codes and names."""
    if table.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PROGRESS_COLUMNS})
    table = table.merge(
        scored[["city_id", "indicator_id", "score"]], on=["city_id", "indicator_id"], how="left"
    )
    table["target_kind"] = _target_kinds(engine, table)
    table = table.merge(
        cities[["id", "code", "name", "country"]].rename(
            columns={"id": "city_id", "code": "city", "name": "city_name"}
        ),
        on="city_id",
    )
    facts = indicators[
        ["id", "code", "name", "focus_area", "focus_area_name", "unit", "decimals"]
    ].reset_index(names="order")
    table = table.merge(
        facts.rename(columns={"id": "indicator_id", "code": "indicator", "name": "indicator_name"}),
        on="indicator_id",
    )
    table = table.sort_values(["order", "city_name"], ignore_index=True)
    return table[PROGRESS_COLUMNS]


def gather(
    engine: Engine,
    scope: Scope,
    lang: str,
    include_submitted: bool = False,
    first_year: int | None = None,
    last_year: int | None = None,
    today: dt.date | None = None,
) -> ReportContent:
    """Everything a report of `scope` shows, its values read through
    StoreView(engine, include_submitted)."""
    view = StoreView(engine, include_submitted)
    today = today or dt.date.today()
    tr = Translator(lang)
    all_cities = catalog.cities(engine, lang)
    cities = _scope_cities(engine, scope, lang)
    indicators = catalog.indicators(engine, lang)
    areas = catalog.focus_areas(engine, lang)
    task_list = tasks.tasks_frame(engine, lang, today)
    if scope.kind in ("city", "country"):
        # A city's report lists its own tasks and the network's, marked as such.
        task_list = tasks.for_cities(engine, task_list, set(cities["code"]))
    groups = tasks.progress_by_group(tasks.task_groups(engine, lang), task_list)
    task_list = tasks.timeline(task_list, today)
    if scope.kind == "task-group":
        if scope.code not in set(groups["group"]):
            raise ReportError("unknown_group", code=scope.code)
        wanted = set(_group_indicator_ids(engine, str(scope.code)))
        indicators = indicators[indicators["id"].isin(wanted)].reset_index(drop=True)
        groups = groups[groups["group"] == scope.code].reset_index(drop=True)
        task_list = task_list[task_list["group"] == scope.code].reset_index(drop=True)

    city_ids = cities["id"].astype(int).tolist()
    indicator_ids = indicators["id"].astype(int).tolist()
    # Scores take their bounds from every city of the network, as on every page.
    network_yearly = _in_period(analysis.yearly_values(view), first_year, last_year)
    target_frame = analysis.targets(engine)
    scored = analysis.scores(network_yearly, indicators, target_frame)
    yearly = network_yearly[
        network_yearly["city_id"].isin(city_ids)
        & network_yearly["indicator_id"].isin(indicator_ids)
    ]
    table = scoring.progress_table(yearly, indicators, target_frame)
    progress = _named_progress(table, scored, cities, indicators, engine)

    mine = scored[scored["city_id"].isin(city_ids) & scored["indicator_id"].isin(indicator_ids)]
    index = _focus_area_index(mine, indicators, cities, areas)
    city_index = _city_index(index, cities)

    countries = [str(scope.code)] if scope.kind == "country" else None
    project_list = project_room.project_list(engine, lang, countries)
    if scope.kind == "city":
        project_list = project_list[project_list["city_name"].isin(cities["name"])]
    if scope.kind == "task-group":
        project_list = project_list.iloc[0:0]

    key = headline.key_figures(yearly, cities, len(indicators), progress["status"], task_list)
    figures: dict[str, object] = {
        "cities": key.cities,  # a reporting unit for the whole reporting year
        "cities_reporting": key.cities_reporting,
        "reporting_year": key.year,
        "indicators": len(indicators),
        "indicators_reported": key.indicators_reported,
        "pairs": len(progress),
        "coverage": key.coverage,
        "values": 0,
        "tasks": key.tasks,
        "tasks_late": key.tasks_late,
        "projects": len(project_list),
    }
    obs = observations(view, lang, city_ids, indicator_ids, first_year, last_year)
    figures["values"] = len(obs)
    scope_targets = catalog.targets(engine, lang)
    scope_targets = scope_targets[scope_targets["indicator"].isin(indicators["code"])]
    return ReportContent(
        scope=scope,
        lang=lang,
        include_submitted=include_submitted,
        first_year=first_year,
        last_year=last_year,
        generated=today,
        as_of=_as_of(view, city_ids),
        scope_name=_scope_name(scope, cities, all_cities, groups, tr),
        cities=cities,
        indicators=indicators,
        areas=areas,
        progress=progress,
        observations=obs,
        index=index,
        city_index=city_index,
        status_counts=key.status_counts,
        groups=groups,
        tasks=task_list,
        projects=project_list.reset_index(drop=True),
        targets=scope_targets.reset_index(drop=True),
        figures=figures,
        key_figures=key,
        counts_demo=_counts_demo(view, city_ids, indicator_ids, first_year, last_year)
        or bool(task_list["is_demo"].any()),
    )


def _focus_area_index(
    scored: pd.DataFrame, indicators: pd.DataFrame, cities: pd.DataFrame, areas: pd.DataFrame
) -> pd.DataFrame:
    columns = ["city_id", "city", "city_name", "focus_area", "focus_area_name", "index", "coverage"]
    if scored.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    index = named_focus_area_index(scored, indicators, cities, areas)
    return index.sort_values(["sort", "city_name"], ignore_index=True)[columns]


def _city_index(index: pd.DataFrame, cities: pd.DataFrame) -> pd.DataFrame:
    """Per city: the mean of the focus-area indices it has (empty when none), for the map."""
    mean = index.groupby("city_id")["index"].mean().rename("index").reset_index()
    frame = cities.merge(mean, left_on="id", right_on="city_id", how="left")
    return frame[["code", "name", "country_name", "lat", "lon", "index"]]


DEMO_NOTICE = N_(
    "Demo data: these figures are synthetic, made for trying the dashboard out; they describe "
    "no real city."
)
DEMO_MARK = N_("Synthetic demo data")

NETWORK_NAME = N_("ASEAN Smart Cities Network and Vietnamese cities")


def _scope_name(
    scope: Scope,
    cities: pd.DataFrame,
    all_cities: pd.DataFrame,
    groups: pd.DataFrame,
    tr: Translator,
) -> str:
    if scope.kind == "city":
        row = cities.iloc[0]
        return f"{row['name']} ({row['country_name']})"
    if scope.kind == "country":
        return str(cities.iloc[0]["country_name"])
    if scope.kind == "task-group":
        row = groups.iloc[0]
        return f"{row['group']} · {row['name']}"
    return tr(NETWORK_NAME)
