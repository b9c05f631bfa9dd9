"""Task status from percent complete and dates."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from sqlalchemy import Engine, func, insert, select

from db import models as m
from db.engine import writing
from mne import analysis
from mne.access import Actor
from mne.i18n import LANGUAGES, Translator
from mne.scoring import STATUS_ORDER
from mne.tasks import (
    NOTE_LIMIT,
    UpdateRefused,
    expected_share,
    linked_indicator_status,
    post_update,
    task_history,
    task_status,
    timeline,
)

ANALYST = Actor("analyst.hn", "analyst")
START, DUE = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


@pytest.mark.parametrize(
    ("percent", "today", "status"),
    [
        (100, dt.date(2026, 6, 1), "done"),
        (0, dt.date(2025, 12, 1), "not_started"),
        (50, dt.date(2027, 1, 5), "late"),
        (10, dt.date(2026, 7, 2), "at_risk"),  # half the time gone, 10 % done
        (45, dt.date(2026, 7, 2), "on_track"),  # at least 80 % of the straight path
    ],
)
def test_task_status(percent: float, today: dt.date, status: str) -> None:
    assert task_status(percent, START, DUE, today) == status


def test_expected_share() -> None:
    assert expected_share(START, DUE, dt.date(2025, 1, 1)) == 0.0
    assert expected_share(START, DUE, dt.date(2027, 1, 1)) == 1.0
    assert expected_share(START, DUE, dt.date(2026, 7, 2)) == pytest.approx(0.5, abs=0.01)


# --- Posting a progress update ----------------------------------------------------------------

CODE = "GX-01"
TODAY = dt.date(2026, 7, 2)


def _add_task(engine: Engine) -> None:
    """A task from 1 Jan to 31 Dec 2026 with one report: 30 % on 1 March."""
    with writing(engine) as conn:
        group = conn.execute(select(m.TaskGroup.id).where(m.TaskGroup.code == "G1")).scalar_one()
        task = conn.execute(
            insert(m.table(m.Task)).returning(m.Task.id),
            {
                "code": CODE,
                "task_group_id": group,
                "title_vi": "Nhiệm vụ thử",
                "title_en": "Test task",
                "title_id": "Tugas uji",
                "start_date": START,
                "due_date": DUE,
                "percent_complete": 30.0,
                "status": "on_track",
            },
        ).scalar_one()
        conn.execute(
            insert(m.table(m.TaskUpdate)),
            {
                "task_id": task,
                "report_date": dt.date(2026, 3, 1),
                "percent_complete": 30.0,
                "status": "on_track",
                "note": "",
            },
        )


def _snapshot(engine: Engine) -> tuple[list[tuple[object, ...]], ...]:
    """Everything post_update may touch: the task, its reports, the audit log."""
    with engine.connect() as conn:
        return (
            [tuple(r) for r in conn.execute(select(m.table(m.Task)).order_by(m.Task.id))],
            [
                tuple(r)
                for r in conn.execute(select(m.table(m.TaskUpdate)).order_by(m.TaskUpdate.id))
            ],
            [tuple(r) for r in conn.execute(select(m.table(m.AuditLog)).order_by(m.AuditLog.id))],
        )


def _task_row(engine: Engine) -> tuple[float, str]:
    with engine.connect() as conn:
        row = conn.execute(
            select(m.Task.percent_complete, m.Task.status).where(m.Task.code == CODE)
        ).one()
    return float(row.percent_complete), str(row.status)


def test_post_update_stores_the_report_refreshes_the_task_and_audits(engine: Engine) -> None:
    _add_task(engine)
    posted = post_update(
        engine, CODE, dt.date(2026, 6, 1), 55, "  Contract signed  ", ANALYST, today=TODAY
    )
    # 55 % with half the time gone is above 80 % of the straight path: on track.
    assert (posted.percent_before, posted.percent_after) == (30.0, 55.0)
    assert posted.status_after == task_status(55, START, DUE, TODAY) == "on_track"
    assert _task_row(engine) == (55.0, "on_track")
    history = task_history(engine, CODE)
    assert history["report_date"].tolist() == [dt.date(2026, 3, 1), dt.date(2026, 6, 1)]
    assert history["percent_complete"].tolist() == [30.0, 55.0]
    assert history["note"].tolist() == ["", "Contract signed"]
    # The report keeps the status as of its own date (1 June: 41 % of the path expected).
    assert history["status"].iloc[-1] == task_status(55, START, DUE, dt.date(2026, 6, 1))
    with engine.connect() as conn:
        audit = conn.execute(select(m.table(m.AuditLog))).one()
    assert (audit.action, audit.entity, audit.entity_id, audit.user_name) == (
        "task_update",
        "task",
        CODE,
        "analyst.hn",
    )
    assert json.loads(audit.before) == {"percent_complete": 30.0, "status": "on_track"}
    after = json.loads(audit.after)
    assert (after["percent_complete"], after["status"]) == (55.0, "on_track")
    assert after["report"] == {
        "date": "2026-06-01",
        "percent_complete": 55.0,
        "note": "Contract signed",
    }


def test_a_backdated_report_is_kept_but_the_latest_report_sets_the_task(engine: Engine) -> None:
    _add_task(engine)
    post_update(engine, CODE, dt.date(2026, 2, 1), 12, "", ANALYST, today=TODAY)
    assert _task_row(engine)[0] == 30.0  # 1 March is still the latest report
    assert task_history(engine, CODE)["percent_complete"].tolist() == [12.0, 30.0]


def test_a_lower_percent_with_a_note_is_accepted(engine: Engine) -> None:
    _add_task(engine)
    post_update(engine, CODE, dt.date(2026, 6, 1), 25, "Scope grew", ANALYST, today=TODAY)
    assert _task_row(engine) == (25.0, task_status(25, START, DUE, TODAY))


def test_a_report_reaching_100_marks_the_task_done(engine: Engine) -> None:
    _add_task(engine)
    post_update(engine, CODE, TODAY, 100, "", ANALYST, today=TODAY)
    assert _task_row(engine) == (100.0, "done")


@pytest.mark.parametrize(
    ("code", "report_date", "percent", "note", "refusal"),
    [
        (CODE, dt.date(2026, 7, 3), 50, "", "future_date"),
        (CODE, dt.date(2025, 12, 31), 50, "", "before_start"),
        (CODE, dt.date(2026, 6, 1), 101, "", "percent_range"),
        (CODE, dt.date(2026, 6, 1), -1, "", "percent_range"),
        (CODE, dt.date(2026, 6, 1), float("nan"), "", "percent_range"),
        (CODE, dt.date(2026, 6, 1), 25, "   ", "lower_without_note"),
        (CODE, dt.date(2026, 6, 1), 50, "x" * (NOTE_LIMIT + 1), "note_too_long"),
        ("NOPE-1", dt.date(2026, 6, 1), 50, "", "unknown_task"),
    ],
)
def test_a_refused_update_changes_nothing(
    engine: Engine, code: str, report_date: dt.date, percent: float, note: str, refusal: str
) -> None:
    _add_task(engine)
    before = _snapshot(engine)
    with pytest.raises(UpdateRefused) as refused:
        post_update(engine, code, report_date, percent, note, ANALYST, today=TODAY)
    assert refused.value.code == refusal
    assert _snapshot(engine) == before
    # Every refusal has a message in each language, with its values filled in.
    for lang in LANGUAGES:
        message = refused.value.message(Translator(lang))
        assert message and "{" not in message


def test_refusal_messages_name_the_dates_and_figures() -> None:
    tr = Translator("en")
    future = UpdateRefused("future_date", date=dt.date(2026, 7, 3), today=TODAY)
    assert future.message(tr) == (
        "The report date 3 Jul 2026 is in the future. Give the day the progress was observed: "
        "today (2 Jul 2026) at the latest."
    )
    lower = UpdateRefused(
        "lower_without_note", percent=25.0, previous=30.0, previous_date=dt.date(2026, 3, 1)
    )
    assert "(25 %)" in lower.message(tr) and "(30 % on 1 Mar 2026)" in lower.message(tr)
    assert "12,5" in UpdateRefused("percent_range", percent=12.5).message(Translator("vi"))


# --- Timeline and linked indicators ----------------------------------------------------------


def test_timeline_flags_tasks_past_due_and_not_done() -> None:
    frame = pd.DataFrame(
        {
            "code": ["A", "B", "C", "D", "E"],
            "start_date": [START, START, START, None, None],
            "due_date": [
                dt.date(2026, 6, 30),
                dt.date(2026, 6, 30),
                DUE,
                None,
                dt.date(2026, 6, 30),
            ],
            "percent_complete": [40.0, 100.0, 10.0, 0.0, 0.0],
        }
    )
    shown = timeline(frame, TODAY)
    assert shown["overdue"].tolist() == [True, False, False, False, True]
    # One definition: overdue is exactly the "late" status, also for a task never started.
    assert (shown["status"] == "late").tolist() == shown["overdue"].tolist()


def test_a_task_past_its_due_date_with_no_work_is_late_not_unstarted() -> None:
    assert task_status(0, None, DUE, dt.date(2027, 1, 5)) == "late"
    assert task_status(0, dt.date(2027, 2, 1), dt.date(2027, 3, 1), dt.date(2027, 1, 5)) == (
        "not_started"
    )


def test_linked_indicator_status_counts_every_city_of_the_task(demo_engine: Engine) -> None:
    """G1-01 covers Hanoi; a nationwide task (no city) counts every city of the network."""
    counts = linked_indicator_status(demo_engine, "G1-01", "en")
    assert sorted(counts["indicator"].unique()) == ["CS_EGOV_ONLINE", "CS_OPEN_DATA"]
    assert set(counts["status"]) == set(STATUS_ORDER)
    assert counts.groupby("indicator")["cities"].sum().tolist() == [1, 1]
    # The one city's status is the one analysis.progress gives for Hanoi.
    with demo_engine.connect() as conn:
        hanoi = conn.execute(select(m.City.id).where(m.City.code == "VNHAN")).scalar_one()
        ids = dict(conn.execute(select(m.Indicator.code, m.Indicator.id)).all())
    progress = analysis.progress(demo_engine, [hanoi], [ids["CS_OPEN_DATA"]])
    expected = progress["status"].iloc[0] if len(progress) else "insufficient_data"
    shown = counts[(counts["indicator"] == "CS_OPEN_DATA") & (counts["cities"] == 1)]
    assert shown["status"].tolist() == [expected]

    nationwide = linked_indicator_status(demo_engine, "G1-02", "en")
    with demo_engine.connect() as conn:
        cities = conn.execute(select(func.count()).select_from(m.City)).scalar_one()
    assert nationwide.groupby("indicator")["cities"].sum().tolist() == [cities]
