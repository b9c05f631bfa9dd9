"""Tasks administered in the app (issue 15): an analyst adds and edits a task; each change is
audited before -> after and advances the store version; wrong input and a role that may not
edit tasks change nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import Engine, select

from db import models as m
from db.engine import store_version
from mne import accounts, audit, catalog, task_admin, tasks
from mne.access import Actor, Invalid, Refused, operator
from mne.i18n import LANGUAGES, Translator
from mne.task_admin import TaskFields

PASSWORD = "correct horse battery"
TODAY = dt.date(2026, 6, 1)


def _actor(engine: Engine, name: str, role: str) -> Actor:
    cities = ("VNHAN",) if role == "focal_point" else ()
    accounts.create_user(engine, operator(), name, PASSWORD, role, city_codes=cities)
    actor = accounts.load_actor_by_name(engine, name)
    assert actor is not None
    return actor


@pytest.fixture
def analyst(engine: Engine) -> Actor:
    return _actor(engine, "analyst.t", "analyst")


@pytest.fixture
def fields(engine: Engine) -> TaskFields:
    """A task of the first group, in the first two cities, moving the first indicator."""
    group = str(tasks.task_groups(engine, "en")["group"].iloc[0])
    cities = sorted(catalog.cities(engine, "en")["code"].iloc[:2])
    indicator = str(catalog.indicators(engine, "en")["code"].iloc[0])
    return TaskFields(
        group=group,
        title_vi="Số hoá hồ sơ cấp phép xây dựng",
        title_en="Digitise building permit files",
        title_id="Digitalisasi berkas izin bangunan",
        lead_agency="Bộ Xây dựng",
        partners="World Bank; GIZ",
        start_date=dt.date(2026, 1, 1),
        due_date=dt.date(2026, 12, 31),
        cities=tuple(cities),
        indicators=(indicator,),
    )


def _store(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every task row and link, to see that a refused change changed nothing."""
    with engine.connect() as conn:
        return {
            model.__tablename__: [tuple(r) for r in conn.execute(select(m.table(model)))]
            for model in (m.Task, m.TaskCity, m.TaskIndicator)
        }


def _log(engine: Engine, user: str) -> list[dict[str, Any]]:
    frame = audit.audit_frame(engine, audit.AuditFilter(user=user))
    return frame.to_dict("records")


def test_an_added_task_is_stored_listed_and_audited(
    engine: Engine, analyst: Actor, fields: TaskFields
) -> None:
    version = store_version(engine)
    task_admin.add_task(engine, analyst, " g9-01 ", fields, today=TODAY)

    assert store_version(engine) > version
    assert task_admin.task_fields(engine, "G9-01") == fields
    listed = tasks.tasks_frame(engine, "vi", today=TODAY).set_index("code").loc["G9-01"]
    assert (listed["title"], listed["group"]) == (fields.title_vi, fields.group)
    assert listed["percent_complete"] == 0
    with engine.connect() as conn:
        stored = conn.execute(select(m.Task.status).where(m.Task.code == "G9-01")).scalar()
    assert stored == tasks.task_status(0, fields.start_date, fields.due_date, TODAY)
    assert set(tasks.task_cities(engine, "G9-01", "en")["code"]) == set(fields.cities)
    (row,) = _log(engine, "analyst.t")
    assert (row["action"], row["entity"], row["entity_id"]) == ("edit_task", "task", "G9-01")
    assert row["before"] is None
    assert json.loads(row["after"]) == fields.audited()


def test_an_edit_is_audited_before_to_after_and_advances_the_version(
    engine: Engine, analyst: Actor, fields: TaskFields
) -> None:
    task_admin.add_task(engine, analyst, "G9-02", fields, today=TODAY)
    version = store_version(engine)
    other_group = str(tasks.task_groups(engine, "en")["group"].iloc[1])
    edited = dataclasses.replace(
        fields,
        group=other_group,
        title_en="Digitise every building permit file",
        due_date=dt.date(2027, 3, 31),
        cities=(),  # nationwide now
    )

    changed = task_admin.edit_task(engine, analyst, "G9-02", edited, today=TODAY)

    assert set(changed) == {"group", "title_en", "due_date", "cities"}
    assert store_version(engine) > version
    assert task_admin.task_fields(engine, "G9-02") == edited
    assert tasks.task_cities(engine, "G9-02", "en").empty
    newest = _log(engine, "analyst.t")[0]
    assert (newest["action"], newest["entity_id"]) == ("edit_task", "G9-02")
    assert json.loads(newest["before"]) == {
        "group": fields.group,
        "title_en": fields.title_en,
        "due_date": "2026-12-31",
        "cities": list(fields.cities),
    }
    assert json.loads(newest["after"]) == {
        "group": other_group,
        "title_en": "Digitise every building permit file",
        "due_date": "2027-03-31",
        "cities": [],
    }
    # The audit page names the action and every field in the language, no raw key.
    vi = Translator("vi")
    log = audit.audit_frame(engine, audit.AuditFilter(user="analyst.t"), limit=1)
    shown = audit.audit_display(log, vi).iloc[0]
    assert shown["action"] == vi("Task added or changed")
    assert vi("Task group") + ": G" in shown["after"]
    assert not any(key in shown["after"] for key in ("group:", "title_en", "due_date", "cities"))
    # The same fields again change nothing: no audit row, the version stays.
    version = store_version(engine)
    assert task_admin.edit_task(engine, analyst, "G9-02", edited, today=TODAY) == {}
    assert store_version(engine) == version and len(_log(engine, "analyst.t")) == 2


def _wrong(fields: TaskFields) -> list[TaskFields]:
    replace = dataclasses.replace
    return [
        replace(fields, due_date=dt.date(2025, 12, 31)),  # due before the start
        replace(fields, cities=(*fields.cities, "VNNOPE", "XXQQQ")),
        replace(fields, indicators=("NO_SUCH_INDICATOR",)),
        replace(fields, group="G99"),
        replace(fields, title_vi="  "),
        replace(fields, title_en="x" * (task_admin.TEXT_LIMITS["title_en"] + 1)),
        replace(fields, partners="a\x00b"),
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_wrong_tasks_are_refused_in_the_language_and_change_nothing(
    engine: Engine, analyst: Actor, fields: TaskFields, lang: str
) -> None:
    tr = Translator(lang)
    task_admin.add_task(engine, analyst, "G9-03", fields, today=TODAY)
    before, version = _store(engine), store_version(engine)
    errors: list[Invalid] = []
    for wrong in _wrong(fields):
        for change, code in ((task_admin.add_task, "G9-04"), (task_admin.edit_task, "G9-03")):
            with pytest.raises(Invalid) as refused:
                change(engine, analyst, code, wrong, today=TODAY)
            errors.append(refused.value)
    for code in ("G9-03", "G9 04", ""):  # taken, a space, empty
        with pytest.raises(Invalid) as refused:
            task_admin.add_task(engine, analyst, code, fields, today=TODAY)
        errors.append(refused.value)
    assert _store(engine) == before and store_version(engine) == version
    assert len(_log(engine, "analyst.t")) == 1  # only the add
    messages = [error.message(tr) for error in errors]
    assert "VNNOPE, XXQQQ" in messages[2]  # every unknown code named
    assert "NO_SUCH_INDICATOR" in messages[4]
    assert tr.date(dt.date(2025, 12, 31)) in messages[0]  # dates the language's way
    if lang != "en":  # every message translated
        english = Translator("en")
        assert [m for m, e in zip(messages, errors, strict=True) if m == e.message(english)] == []


def test_a_start_after_the_first_progress_report_is_refused(
    engine: Engine, analyst: Actor, fields: TaskFields
) -> None:
    task_admin.add_task(engine, analyst, "G9-05", fields, today=TODAY)
    tasks.post_update(engine, "G9-05", dt.date(2026, 2, 1), 10, "", analyst, today=TODAY)
    later = dataclasses.replace(fields, start_date=dt.date(2026, 3, 1))
    with pytest.raises(Invalid):
        task_admin.edit_task(engine, analyst, "G9-05", later, today=TODAY)
    assert task_admin.task_fields(engine, "G9-05").start_date == fields.start_date


@pytest.mark.parametrize("role", ["viewer", "focal_point"])
def test_a_role_that_may_not_edit_tasks_is_refused_audited_and_changes_nothing(
    engine: Engine, analyst: Actor, fields: TaskFields, role: str
) -> None:
    task_admin.add_task(engine, analyst, "G9-06", fields, today=TODAY)
    actor = _actor(engine, f"{role}.t", role)
    before, version = _store(engine), store_version(engine)
    with pytest.raises(Refused):
        task_admin.add_task(engine, actor, "G9-07", fields, today=TODAY)
    with pytest.raises(Refused):
        task_admin.edit_task(engine, actor, "G9-06", dataclasses.replace(fields, title_en="X"))
    assert _store(engine) == before and store_version(engine) == version
    log = _log(engine, actor.username)
    assert [(r["action"], r["entity_id"]) for r in log] == [
        ("edit_task.denied", "G9-06"),
        ("edit_task.denied", "G9-07"),
    ]
