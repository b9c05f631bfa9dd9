"""The forum's priority task groups: tasks, their status and each group's progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, insert, select, update

from db import models as m
from db.engine import writing
from mne import access, analysis, audit, scoring
from mne.access import Actor
from mne.errors import ErrorKinds, UserError
from mne.i18n import N_, Translator

# Shown in this order everywhere, with the same colours (mne.theme.TASK_STATUS_COLOURS).
TASK_STATUS_LABELS = {
    "not_started": N_("Not started"),
    "on_track": N_("On track"),
    "at_risk": N_("At risk"),
    "late": N_("Late"),
    "done": N_("Done"),
}
# A task is at risk when it is this far behind the straight path from start to due date.
AT_RISK_SHARE = 0.8


def expected_share(start: dt.date, due: dt.date, today: dt.date) -> float:
    """Share of the work a straight path from start to due date would have done by today."""
    span = (due - start).days
    if span <= 0:
        return 1.0
    return float(np.clip((today - start).days / span, 0.0, 1.0))


def task_status(percent: float, start: dt.date | None, due: dt.date | None, today: dt.date) -> str:
    """done at 100 %; late past the due date (started or not); not started before any work;
    at risk when under 80 % of the straight-path share; otherwise on track. The one
    definition of a late task: every page, report and command counts "late" from here."""
    if percent >= 100:
        return "done"
    if due is not None and due < today:
        return "late"
    if percent <= 0 and (start is None or start > today):
        return "not_started"
    behind = (
        start is not None
        and due is not None
        and (percent / 100 < AT_RISK_SHARE * expected_share(start, due, today))
    )
    if behind:
        return "at_risk"
    return "on_track"


def _date_or_none(value: object) -> dt.date | None:
    """A task's start or due date as read (a date, a text date on SQLite, or empty)."""
    if isinstance(value, dt.date):
        return value
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(str(value)).date()


def statuses_on(tasks: pd.DataFrame, today: dt.date) -> list[str]:
    """Each task's status on `today` (task_status). The stored status is the one of the
    task's latest report; a due date that passed since makes the task late today. One call
    per task (tasks are dozens, not observations)."""
    return [
        task_status(float(percent), _date_or_none(start), _date_or_none(due), today)
        for percent, start, due in zip(
            tasks["percent_complete"], tasks["start_date"], tasks["due_date"], strict=True
        )
    ]


def tasks_frame(engine: Engine, lang: str, today: dt.date | None = None) -> pd.DataFrame:
    """Every task with its group, percent complete and status on `today` (default: today)."""
    t, g = m.table(m.Task), m.table(m.TaskGroup)
    statement = (
        select(
            t.c.code,
            t.c[f"title_{lang}"].label("title"),
            g.c.code.label("group"),
            g.c[f"name_{lang}"].label("group_name"),
            g.c.sort.label("group_sort"),
            t.c.lead_agency,
            t.c.partners,
            t.c.start_date,
            t.c.due_date,
            t.c.status,
            t.c.percent_complete,
            t.c.is_demo,
        )
        .join(g, g.c.id == t.c.task_group_id)
        .order_by(g.c.sort, t.c.code)
    )
    frame = pd.read_sql(statement, engine)
    frame["status"] = pd.Series(
        statuses_on(frame, today or dt.date.today()), index=frame.index, dtype=object
    )
    return frame


def task_groups(engine: Engine, lang: str) -> pd.DataFrame:
    """The forum's task groups in their order: group (code), name."""
    g = m.table(m.TaskGroup)
    statement = select(g.c.code.label("group"), g.c[f"name_{lang}"].label("name"))
    return pd.read_sql(statement.order_by(g.c.sort), engine)


def group_progress(engine: Engine, lang: str, today: dt.date | None = None) -> pd.DataFrame:
    """One row per task group: tasks, mean percent complete, and tasks per status on `today`.

    Groups with no task yet are kept (with 0 tasks) so a page shows all six."""
    return progress_by_group(task_groups(engine, lang), tasks_frame(engine, lang, today))


def progress_by_group(groups: pd.DataFrame, task_list: pd.DataFrame) -> pd.DataFrame:
    """group, name, tasks, percent_complete (mean) and one count column per task status."""
    per_status = (
        pd.crosstab(task_list["group"], task_list["status"])
        .reindex(columns=list(TASK_STATUS_LABELS), fill_value=0)
        .reindex(groups["group"], fill_value=0)
    )
    summary = task_list.groupby("group").agg(
        tasks=("code", "size"), percent_complete=("percent_complete", "mean")
    )
    frame = groups.merge(summary, left_on="group", right_index=True, how="left")
    frame = frame.merge(per_status, left_on="group", right_index=True, how="left")
    frame["tasks"] = frame["tasks"].fillna(0).astype(int)
    return frame.astype({s: int for s in TASK_STATUS_LABELS}).reset_index(drop=True)


def count_statuses(task_list: pd.DataFrame) -> dict[str, int]:
    """Number of tasks in each status (every status present, zero when none)."""
    counts = task_list["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in TASK_STATUS_LABELS}


def status_counts(engine: Engine, today: dt.date | None = None) -> dict[str, int]:
    """Number of tasks in each status on `today` (every status present, zero when none)."""
    return count_statuses(tasks_frame(engine, "en", today))


def group_tasks(engine: Engine, lang: str, group: str) -> pd.DataFrame:
    """The tasks of one group, in code order, for its timeline and task picker."""
    frame = tasks_frame(engine, lang)
    return frame[frame["group"] == group].reset_index(drop=True)


def timeline(tasks: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """Tasks with their status on `today` and an `overdue` flag: late on `today` (past the
    due date and not done), the same definition as the "late" status everywhere."""
    status = pd.Series(statuses_on(tasks, today), index=tasks.index, dtype=object)
    return tasks.assign(status=status, overdue=(status == "late").to_numpy(dtype=bool))


def last_report(engine: Engine) -> dt.date | None:
    """The date of the newest progress report on any task (the task figures' "as of")."""
    with engine.connect() as conn:
        value = conn.execute(select(func.max(m.TaskUpdate.report_date))).scalar()
    return None if value is None else pd.Timestamp(value).date()


def task_history(engine: Engine, code: str) -> pd.DataFrame:
    """A task's dated progress reports, oldest first: report_date, percent_complete, status,
    note."""
    u, t = m.table(m.TaskUpdate), m.table(m.Task)
    statement = (
        select(u.c.report_date, u.c.percent_complete, u.c.status, u.c.note)
        .join(t, t.c.id == u.c.task_id)
        .where(t.c.code == code)
        .order_by(u.c.report_date, u.c.id)
    )
    frame = pd.read_sql(statement, engine)
    frame["report_date"] = pd.to_datetime(frame["report_date"]).dt.date
    return frame


# --- Posting a progress update --------------------------------------------------------------

NOTE_LIMIT = 2000
UPDATE_REFUSALS = {
    "unknown_task": N_("There is no task with the code {task}."),
    "future_date": N_(
        "The report date {date} is in the future. Give the day the progress was observed: "
        "today ({today}) at the latest."
    ),
    "before_start": N_(
        "The report date {date} is before the task's start ({start}). Give a date on or after "
        "the start."
    ),
    "percent_range": N_("The percent complete must be between 0 and 100; {percent} was given."),
    "lower_without_note": N_(
        "The percent complete ({percent} %) is lower than the previous report ({previous} % on "
        "{previous_date}). Add a note saying why the progress went down, or correct the figure."
    ),
    "note_too_long": N_("The note has {length} characters; keep it within {limit}."),
}


class UpdateRefused(UserError):
    """A progress update that was not stored, with a message a person can act on."""

    kinds = ErrorKinds()
    numbers = True  # dates and numbers written the language's way


UpdateRefused.define_all(
    UPDATE_REFUSALS,
    {
        "unknown_task": "No task has this code.",
        "future_date": "The report date is after today.",
        "before_start": "The report date is before the task's start.",
        "percent_range": "The percent complete is below 0 or above 100.",
        "lower_without_note": "The percent complete went down and no note says why.",
        "note_too_long": "The note is longer than the limit.",
    },
)


@dataclass(frozen=True)
class PostedUpdate:
    task: str
    report_date: dt.date
    percent_before: float
    percent_after: float
    status_before: str
    status_after: str


def post_update(
    engine: Engine,
    task_code: str,
    report_date: dt.date,
    percent: float,
    note: str,
    actor: Actor,
    today: dt.date | None = None,
) -> PostedUpdate:
    """Store a dated progress report on a task, all or nothing, and refresh the task.

    Refused (UpdateRefused, nothing stored) when the task is unknown; the date is after
    `today` or before the task's start; the percent is outside 0..100; the percent is lower
    than the previous report (the latest one dated on or before this one) and no note says
    why; the note is over NOTE_LIMIT characters. A report dated before later ones is accepted
    (late paperwork) and kept in the history.

    The task then takes the percent of its latest report by date (the last posted among
    reports of the same day) and the status task_status gives for it today; the report
    itself keeps the status as of its own date. An audit_log row (action "task_update")
    holds the task's percent and status before and after, and the report posted.

    Only roles that edit tasks may post (refused with access.Refused, audited)."""
    access.require(engine, actor, "edit_task", "task", task_code)
    today = today or dt.date.today()
    note = (note or "").strip()
    t, u = m.table(m.Task), m.table(m.TaskUpdate)
    with writing(engine) as conn:
        task = conn.execute(
            select(t.c.id, t.c.start_date, t.c.due_date, t.c.percent_complete, t.c.status).where(
                t.c.code == task_code
            )
        ).first()
        if task is None:
            raise UpdateRefused("unknown_task", task=task_code)
        if report_date > today:
            raise UpdateRefused("future_date", date=report_date, today=today)
        if task.start_date is not None and report_date < task.start_date:
            raise UpdateRefused("before_start", date=report_date, start=task.start_date)
        if not (np.isfinite(percent) and 0 <= percent <= 100):
            raise UpdateRefused("percent_range", percent=float(percent))
        if len(note) > NOTE_LIMIT:
            raise UpdateRefused("note_too_long", length=len(note), limit=NOTE_LIMIT)
        previous = conn.execute(
            select(u.c.report_date, u.c.percent_complete)
            .where(u.c.task_id == task.id, u.c.report_date <= report_date)
            .order_by(u.c.report_date.desc(), u.c.id.desc())
            .limit(1)
        ).first()
        if previous is not None and percent < previous.percent_complete and not note:
            raise UpdateRefused(
                "lower_without_note",
                percent=float(percent),
                previous=float(previous.percent_complete),
                previous_date=previous.report_date,
            )
        percent = float(percent)
        conn.execute(
            insert(u).values(
                task_id=task.id,
                user_id=actor.user_id,
                report_date=report_date,
                percent_complete=percent,
                status=task_status(percent, task.start_date, task.due_date, report_date),
                note=note,
            )
        )
        latest = conn.execute(
            select(u.c.percent_complete)
            .where(u.c.task_id == task.id)
            .order_by(u.c.report_date.desc(), u.c.id.desc())
            .limit(1)
        ).scalar_one()
        status = task_status(latest, task.start_date, task.due_date, today)
        conn.execute(
            update(t).where(t.c.id == task.id).values(percent_complete=latest, status=status)
        )
        before = {"percent_complete": task.percent_complete, "status": task.status}
        after = {
            "percent_complete": latest,
            "status": status,
            "report": {"date": report_date.isoformat(), "percent_complete": percent, "note": note},
        }
        audit.record(
            conn, actor.user_id, actor.username, "task_update", "task", task_code, before, after
        )
    return PostedUpdate(
        task=task_code,
        report_date=report_date,
        percent_before=float(task.percent_complete),
        percent_after=float(latest),
        status_before=str(task.status),
        status_after=status,
    )


# --- Linked indicators ----------------------------------------------------------------------


def for_cities(engine: Engine, frame: pd.DataFrame, city_codes: set[str]) -> pd.DataFrame:
    """The tasks of `frame` that concern these cities: those naming one of them, and the
    network's (naming no city), marked `network_wide`."""
    t, tc, c = m.table(m.Task), m.table(m.TaskCity), m.table(m.City)
    named = pd.read_sql(
        select(t.c.code.label("task"), c.c.code.label("city"))
        .join(tc, tc.c.task_id == t.c.id)
        .join(c, c.c.id == tc.c.city_id),
        engine,
    )
    with_cities = set(named["task"])
    theirs = set(named.loc[named["city"].isin(city_codes), "task"])
    network_wide = ~frame["code"].isin(with_cities)
    kept = network_wide | frame["code"].isin(theirs)
    return frame.assign(network_wide=network_wide)[kept].reset_index(drop=True)


def task_cities(engine: Engine, code: str, lang: str) -> pd.DataFrame:
    """The cities a task covers (id, code, name); empty when it is nationwide."""
    t, tc, c = m.table(m.Task), m.table(m.TaskCity), m.table(m.City)
    name = c.c.name_vi if lang == "vi" else c.c.name_en
    statement = (
        select(c.c.id, c.c.code, name.label("name"))
        .join(tc, tc.c.city_id == c.c.id)
        .join(t, t.c.id == tc.c.task_id)
        .where(t.c.code == code)
        .order_by(c.c.code)
    )
    return pd.read_sql(statement, engine)


def linked_indicator_status(engine: Engine, code: str, lang: str) -> pd.DataFrame:
    """For each indicator the task is meant to move: how many of the task's cities (every
    city of the network when the task names none) are in each progress status
    (scoring.progress_status). A city with no value for the indicator counts as
    insufficient data. Long form: indicator, indicator_name, unit, status, cities,
    latest_year (the newest year of data behind the counts)."""
    t, ti, i = m.table(m.Task), m.table(m.TaskIndicator), m.table(m.Indicator)
    indicators = pd.read_sql(
        select(i.c.id, i.c.code, i.c[f"name_{lang}"].label("name"), i.c.unit)
        .join(ti, ti.c.indicator_id == i.c.id)
        .join(t, t.c.id == ti.c.task_id)
        .where(t.c.code == code)
        .order_by(i.c.code),
        engine,
    )
    indicators["unit"] = Translator(lang).units(indicators["unit"])
    columns = ["indicator", "indicator_name", "unit", "status", "cities", "latest_year"]
    if indicators.empty:
        return pd.DataFrame(columns=columns)
    scope = task_cities(engine, code, lang)
    if scope.empty:
        with engine.connect() as conn:
            city_ids = list(conn.execute(select(m.City.id)).scalars())
        chosen: list[int] | None = None
    else:
        city_ids = scope["id"].astype(int).tolist()
        chosen = city_ids
    table = analysis.progress(engine, chosen, indicators["id"].astype(int).tolist())
    pairs = pd.MultiIndex.from_product(
        [city_ids, indicators["id"].astype(int)], names=["city_id", "indicator_id"]
    ).to_frame(index=False)
    pairs = pairs.merge(
        table[["city_id", "indicator_id", "status", "latest_year"]],
        on=["city_id", "indicator_id"],
        how="left",
    ).fillna({"status": "insufficient_data"})
    counts = (
        pairs.groupby(["indicator_id", "status"])
        .agg(cities=("city_id", "size"), latest_year=("latest_year", "max"))
        .reset_index()
    )
    grid = pd.MultiIndex.from_product(
        [indicators["id"].astype(int), list(scoring.STATUS_ORDER)],
        names=["indicator_id", "status"],
    ).to_frame(index=False)
    counts = grid.merge(counts, on=["indicator_id", "status"], how="left")
    counts["cities"] = counts["cities"].fillna(0).astype(int)
    counts["latest_year"] = counts.groupby("indicator_id")["latest_year"].transform("max")
    counts = counts.merge(
        indicators.rename(
            columns={"id": "indicator_id", "code": "indicator", "name": "indicator_name"}
        ),
        on="indicator_id",
    )
    counts["latest_year"] = counts["latest_year"].astype("Int64")
    return counts[columns]
