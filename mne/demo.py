"""Deterministic demo data: synthetic observations 2015-2025, task updates and SCAP projects.

Everything made here is marked (upload_batch.is_demo, task.is_demo, ...) so pages can say
"demo data" while any is present and `python -m mne demo remove` takes it all out again.
The figures are synthetic: each city has a latent level of development, each city x indicator
a trend, and the values carry noise, gaps, late starters and an incomplete latest year.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, exists, insert, select

from db import models as m
from mne.catalog import SEED_DIR, _records, read_seed
from mne.tasks import task_status

FIRST_YEAR, LAST_YEAR = 2015, 2025
SEED = 20251105  # the day of the Vietnam Urban Forum
# Demo task updates are made as of this date, so the demo is the same whenever it is loaded.
DEMO_AS_OF = dt.date(2026, 11, 1)


def has_demo(engine: Engine | Connection) -> bool:
    """True while any demo row is in the store."""
    statement = select(
        exists().where(m.UploadBatch.is_demo)
        | exists().where(m.Task.is_demo)
        | exists().where(m.ScapProject.is_demo)
    )
    if isinstance(engine, Connection):
        return bool(engine.execute(statement).scalar())
    with engine.connect() as conn:
        return bool(conn.execute(statement).scalar())


def load_demo(conn: Connection) -> dict[str, int]:
    """Add the demo rows (after removing any earlier demo rows). Returns counts."""
    remove_demo(conn)
    observations = demo_observations(conn)
    batch_id = _insert_demo_batch(conn, len(observations))
    observations["batch_id"] = batch_id
    conn.execute(insert(m.table(m.Observation)), _records(observations))
    tasks, updates = load_tasks(conn)
    projects = load_projects(conn)
    return {
        "observations": len(observations),
        "tasks": tasks,
        "task_updates": updates,
        "projects": projects,
    }


def remove_demo(conn: Connection) -> None:
    """Delete every demo row; users' own rows stay."""
    demo_batches = select(m.UploadBatch.id).where(m.UploadBatch.is_demo).scalar_subquery()
    history = m.table(m.ObservationHistory)
    conn.execute(
        history.delete().where(
            history.c.batch_id.in_(demo_batches) | history.c.replaced_by_batch_id.in_(demo_batches)
        )
    )
    conn.execute(m.table(m.Observation).delete().where(m.Observation.batch_id.in_(demo_batches)))
    conn.execute(m.table(m.UploadBatch).delete().where(m.UploadBatch.is_demo))
    demo_tasks = select(m.Task.id).where(m.Task.is_demo).scalar_subquery()
    for linked in (m.TaskUpdate, m.TaskCity, m.TaskIndicator):
        core = m.table(linked)
        conn.execute(core.delete().where(core.c.task_id.in_(demo_tasks)))
    conn.execute(m.table(m.TaskUpdate).delete().where(m.TaskUpdate.is_demo))
    conn.execute(m.table(m.Task).delete().where(m.Task.is_demo))
    conn.execute(m.table(m.ScapProject).delete().where(m.ScapProject.is_demo))


def _insert_demo_batch(conn: Connection, rows: int) -> int:
    digest = hashlib.sha256(f"demo:{SEED}:{FIRST_YEAR}-{LAST_YEAR}".encode()).hexdigest()
    result = conn.execute(
        insert(m.table(m.UploadBatch)).returning(m.UploadBatch.id),
        {
            "file_name": "demo",
            "sha256": digest,
            "format": "demo",
            "user_name": "demo",
            "rows": rows,
            "inserted": rows,
            "is_demo": True,
            "note": "Synthetic demo data / Dữ liệu minh họa",
        },
    )
    return int(result.scalar_one())


def _profile(indicators: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: the values a weak and a strong city have in 2015, and the share of that
    gap closed per year. From db/seed/demo_profile.csv, else a middle slice of the range."""
    profile = (
        pd.read_csv(SEED_DIR / "demo_profile.csv")
        if (SEED_DIR / "demo_profile.csv").exists()
        else None
    )
    frame = indicators[["id", "code", "direction", "plausible_min", "plausible_max", "decimals"]]
    if profile is not None:
        frame = frame.merge(profile, left_on="code", right_on="indicator", how="left")
    else:
        frame = frame.assign(weak=np.nan, strong=np.nan, trend=np.nan)
    span = frame["plausible_max"] - frame["plausible_min"]
    lower_better = frame["direction"] == "lower"
    low_end = frame["plausible_min"] + 0.2 * span
    high_end = frame["plausible_min"] + 0.8 * span
    frame["weak"] = frame["weak"].fillna(low_end.where(~lower_better, high_end))
    frame["strong"] = frame["strong"].fillna(high_end.where(~lower_better, low_end))
    frame["trend"] = frame["trend"].fillna(0.03)
    return frame


def demo_observations(conn: Connection) -> pd.DataFrame:
    """The synthetic observation grid, with gaps; one row per stored value."""
    rng = np.random.default_rng(SEED)
    cities = pd.read_sql(
        select(
            m.City.id, m.City.code, m.City.ascn_joined, m.City.valid_from, m.City.valid_to
        ).order_by(m.City.code),
        conn,
    )
    indicators = pd.read_sql(
        select(
            m.Indicator.id,
            m.Indicator.code,
            m.Indicator.direction,
            m.Indicator.plausible_min,
            m.Indicator.plausible_max,
            m.Indicator.decimals,
        ).order_by(m.Indicator.code),
        conn,
    )
    profile = _profile(indicators)
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)
    n_city, n_ind, n_year = len(cities), len(profile), len(years)

    city_level = rng.beta(2.2, 2.0, n_city)
    level = np.clip(city_level[:, None] + rng.normal(0, 0.12, (n_city, n_ind)), 0.02, 0.98)
    trend = profile["trend"].to_numpy()[None, :] * rng.normal(1.0, 0.7, (n_city, n_ind))
    elapsed = (years - FIRST_YEAR)[None, None, :]
    position = level[:, :, None] + trend[:, :, None] * elapsed
    position = position + rng.normal(0, 0.025, (n_city, n_ind, n_year))
    weak = profile["weak"].to_numpy()[None, :, None]
    strong = profile["strong"].to_numpy()[None, :, None]
    values = weak + (strong - weak) * np.clip(position, 0, 1.1)
    values = np.clip(
        values,
        profile["plausible_min"].to_numpy()[None, :, None],
        profile["plausible_max"].to_numpy()[None, :, None],
    )

    keep = rng.random((n_city, n_ind, n_year)) > 0.08  # scattered missing years
    keep &= (rng.random((n_city, n_ind)) > 0.10)[:, :, None]  # never reported
    start_year = FIRST_YEAR + rng.choice([0, 0, 0, 2, 4], n_city)  # late starters
    keep &= years[None, None, :] >= start_year[:, None, None]
    keep[:, :, -1] &= rng.random((n_city, n_ind)) > 0.35  # latest year not all in yet
    keep &= _within_validity(cities, years)[:, None, :]

    city_idx, ind_idx, year_idx = np.nonzero(keep)
    decimals = profile["decimals"].to_numpy()[ind_idx]
    raw = values[city_idx, ind_idx, year_idx]
    scale = 10.0**decimals
    rounded = np.round(raw * scale) / scale
    return pd.DataFrame(
        {
            "city_id": cities["id"].to_numpy()[city_idx],
            "indicator_id": profile["id"].to_numpy()[ind_idx],
            "period": years[year_idx].astype(str),
            "year": years[year_idx],
            "value": rounded,
            "status": "approved",
            "note": "",
            "source": "demo",
        }
    )


def _within_validity(cities: pd.DataFrame, years: np.ndarray) -> np.ndarray:
    """cities × years: whether the whole year lies inside the city's valid_from..valid_to,
    so the demo holds only values an upload could store (mne.city_time.outside_validity)."""
    first_day = pd.to_datetime(pd.Series(years.astype(str))).to_numpy()
    last_day = pd.to_datetime(pd.Series((years + 1).astype(str))).to_numpy() - np.timedelta64(
        1, "D"
    )
    valid_from = pd.to_datetime(cities["valid_from"]).to_numpy()[:, None]
    valid_to = pd.to_datetime(cities["valid_to"]).to_numpy()[:, None]
    starts_in = np.isnat(valid_from) | (first_day[None, :] >= valid_from)
    ends_in = np.isnat(valid_to) | (last_day[None, :] <= valid_to)
    return np.asarray(starts_in & ends_in)


def load_tasks(conn: Connection) -> tuple[int, int]:
    rng = np.random.default_rng(SEED + 1)
    tasks = read_seed("demo_tasks.csv")
    groups = dict(conn.execute(select(m.TaskGroup.code, m.TaskGroup.id)).all())
    city_ids = dict(conn.execute(select(m.City.code, m.City.id)).all())
    indicator_ids = dict(conn.execute(select(m.Indicator.code, m.Indicator.id)).all())
    updates: list[dict[str, object]] = []
    task_rows: list[dict[str, object]] = []
    for task in tasks.to_dict("records"):
        start = dt.date.fromisoformat(task["start"])
        due = dt.date.fromisoformat(task["due"])
        pace = float(rng.uniform(0.45, 1.25))
        history = _demo_updates(start, due, pace)
        percent = history[-1][1] if history else 0.0
        task_rows.append(
            {
                "code": task["code"],
                "task_group_id": groups[task["task_group"]],
                "title_vi": task["title_vi"],
                "title_en": task["title_en"],
                "title_id": task["title_id"],
                "lead_agency": task["lead_agency"],
                "partners": task["partners"].replace(";", "; "),
                "start_date": start,
                "due_date": due,
                "percent_complete": percent,
                "status": task_status(percent, start, due, DEMO_AS_OF),
                "is_demo": True,
            }
        )
        updates.extend(
            {
                "task_code": task["code"],
                "report_date": day,
                "percent_complete": share,
                "status": task_status(share, start, due, day),
                "is_demo": True,
                "note": "Demo progress report",
            }
            for day, share in history
        )
    conn.execute(insert(m.table(m.Task)), task_rows)
    task_ids = dict(conn.execute(select(m.Task.code, m.Task.id).where(m.Task.is_demo)).all())
    links = [(t["code"], c) for t in tasks.to_dict("records") for c in t["cities"].split(";") if c]
    if links:
        conn.execute(
            insert(m.table(m.TaskCity)),
            [{"task_id": task_ids[t], "city_id": city_ids[c]} for t, c in links if c in city_ids],
        )
    linked = [
        (t["code"], i)
        for t in tasks.to_dict("records")
        for i in t["linked_indicators"].split(";")
        if i
    ]
    if linked:
        conn.execute(
            insert(m.table(m.TaskIndicator)),
            [
                {"task_id": task_ids[t], "indicator_id": indicator_ids[i]}
                for t, i in linked
                if i in indicator_ids
            ],
        )
    if updates:
        for update in updates:
            update["task_id"] = task_ids[str(update.pop("task_code"))]
        conn.execute(insert(m.table(m.TaskUpdate)), updates)
    return len(task_rows), len(updates)


def _demo_updates(start: dt.date, due: dt.date, pace: float) -> list[tuple[dt.date, float]]:
    """Quarterly progress reports from the start until DEMO_AS_OF at a task's own pace."""
    reports: list[tuple[dt.date, float]] = []
    day = start + dt.timedelta(days=90)
    span = max((due - start).days, 1)
    while day <= DEMO_AS_OF:
        share = min(100.0, round(100 * pace * (day - start).days / span, 0))
        reports.append((day, share))
        if share >= 100:
            break
        day += dt.timedelta(days=91)
    return reports


def load_projects(conn: Connection) -> int:
    projects = read_seed("demo_scap_projects.csv")
    city_ids = dict(conn.execute(select(m.City.code, m.City.id)).all())
    area_ids = dict(conn.execute(select(m.FocusArea.code, m.FocusArea.id)).all())
    projects["city_id"] = projects.pop("city").map(city_ids)
    projects["focus_area_id"] = projects.pop("focus_area").map(area_ids)
    projects = projects.dropna(subset=["city_id", "focus_area_id"])
    for column in ("start_year", "end_year"):
        projects[column] = pd.to_numeric(projects[column].replace("", None)).astype("Int64")
    projects["is_demo"] = True
    conn.execute(insert(m.table(m.ScapProject)), _records(projects))
    return len(projects)
