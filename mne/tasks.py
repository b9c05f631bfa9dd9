"""The forum's priority task groups: tasks, their status and each group's progress."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine, case, func, select

from db import models as m
from mne.i18n import N_

# Shown in this order everywhere, with the same colours (mne.charts.TASK_STATUS_COLOURS).
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
    """done at 100 %; not started before any work; late past the due date; at risk when
    under 80 % of the straight-path share; otherwise on track."""
    if percent >= 100:
        return "done"
    if percent <= 0 and (start is None or start > today):
        return "not_started"
    if due is not None and due < today:
        return "late"
    behind = (
        start is not None
        and due is not None
        and (percent / 100 < AT_RISK_SHARE * expected_share(start, due, today))
    )
    if behind:
        return "at_risk"
    return "on_track"


def tasks_frame(engine: Engine, lang: str) -> pd.DataFrame:
    """Every task with its group, status and percent complete."""
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
    return pd.read_sql(statement, engine)


def group_progress(engine: Engine, lang: str) -> pd.DataFrame:
    """One row per task group: tasks, mean percent complete, and tasks per status.

    Groups with no task yet are kept (with 0 tasks) so a page shows all six."""
    g, t = m.table(m.TaskGroup), m.table(m.Task)
    statement = (
        select(
            g.c.code.label("group"),
            g.c[f"name_{lang}"].label("name"),
            func.count(t.c.id).label("tasks"),
            func.avg(t.c.percent_complete).label("percent_complete"),
            *[
                func.sum(case((t.c.status == status, 1), else_=0)).label(status)
                for status in TASK_STATUS_LABELS
            ],
        )
        .select_from(g)
        .outerjoin(t, t.c.task_group_id == g.c.id)
        .group_by(g.c.code, g.c[f"name_{lang}"], g.c.sort)
        .order_by(g.c.sort)
    )
    frame = pd.read_sql(statement, engine)
    return frame.fillna({s: 0 for s in TASK_STATUS_LABELS}).astype(
        {s: int for s in TASK_STATUS_LABELS}
    )


def status_counts(engine: Engine) -> dict[str, int]:
    """Number of tasks in each status (every status present, zero when none)."""
    t = m.table(m.Task)
    with engine.connect() as conn:
        result = conn.execute(select(t.c.status, func.count()).group_by(t.c.status))
        rows = {str(status): int(count) for status, count in result}
    return {status: int(rows.get(status, 0)) for status in TASK_STATUS_LABELS}
