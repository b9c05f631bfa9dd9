"""The forum's tasks administered in the app (issue 15): an analyst adds a task and edits its
group, titles, lead agency, partners, dates, cities and linked indicators. Each change is one
audited write (before -> after, action "edit_task") that advances the store version; a role
that may not edit tasks is refused (audited) and nothing changes. Progress reports stay in
mne.tasks.post_update."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from db import models as m
from db.engine import writing
from mne import access, audit
from mne.access import Actor, Invalid
from mne.i18n import LANGUAGES, N_
from mne.tasks import task_status


def _size(column: str) -> int:
    """A column's size in db.models (read from the model, so the two never drift apart):
    SQLite would store a longer text, PostgreSQL would refuse it; both are held to it."""
    return int(getattr(m.table(m.Task).c[column].type, "length", 0))


TEXT_LIMITS = {
    field: _size(field)
    for field in (*(f"title_{lang}" for lang in LANGUAGES), "lead_agency", "partners")
}
CODE_LIMIT = _size("code")
FIELD_LABELS = {
    "title_vi": N_("Vietnamese title"),
    "title_en": N_("English title"),
    "title_id": N_("Indonesian title"),
    "lead_agency": N_("lead agency"),
    "partners": N_("partners"),
}
# Like an indicator's names, a task's title is required in every language the app speaks.
REQUIRED = tuple(f"title_{lang}" for lang in LANGUAGES)
DUE_BEFORE_START = N_(
    "The due date ({due}) is before the start ({start}): give a due date on or after the start."
)


class TaskInvalid(Invalid):
    """Invalid of a task's fields; its dates are written the reader's way (vi 01/12/2026, en
    1 Dec 2026), as every user error's (mne.errors)."""


@dataclass(frozen=True)
class TaskFields:
    """What an analyst sets on a task; cities empty means nationwide."""

    group: str
    title_vi: str
    title_en: str
    title_id: str
    lead_agency: str = ""
    partners: str = ""
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    cities: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()

    def audited(self) -> dict[str, Any]:
        """The fields as the audit log keeps them (dates as ISO text, codes as lists)."""
        row = dataclasses.asdict(self)
        for day in ("start_date", "due_date"):
            row[day] = None if row[day] is None else row[day].isoformat()
        row["cities"], row["indicators"] = list(self.cities), list(self.indicators)
        return row


def add_task(
    engine: Engine, actor: Actor, code: str, fields: TaskFields, today: dt.date | None = None
) -> int:
    """A new task (0 % complete, status as of `today`); returns its id."""
    code = str(code or "").strip().upper()
    access.require(engine, actor, "edit_task", "task", code)
    if not re.fullmatch(rf"[A-Z0-9][A-Z0-9_-]{{0,{CODE_LIMIT - 1}}}", code):
        raise Invalid(N_("A task code is up to 32 letters, digits, - or _, e.g. G1-04."))
    fields = _checked(fields)
    t = m.table(m.Task)
    with writing(engine) as conn:
        if conn.execute(select(t.c.id).where(t.c.code == code)).first() is not None:
            raise Invalid(N_("There is already a task {code}."), code=code)
        group_id, city_ids, indicator_ids = _ids(conn, fields)
        status = task_status(0.0, fields.start_date, fields.due_date, today or dt.date.today())
        task_id = conn.execute(
            insert(t)
            .values(
                code=code,
                task_group_id=group_id,
                **_columns(fields),
                status=status,
                percent_complete=0.0,
                is_demo=False,
            )
            .returning(t.c.id)
        ).scalar_one()
        _link(conn, int(task_id), city_ids, indicator_ids)
        audit.record(
            conn, actor.user_id, actor.username, "edit_task", "task", code, None, fields.audited()
        )
    return int(task_id)


def edit_task(
    engine: Engine, actor: Actor, code: str, fields: TaskFields, today: dt.date | None = None
) -> dict[str, tuple[Any, Any]]:
    """Change a task's fields; returns those that changed, old -> new (audited so). Its
    status is worked out again from its percent and the new dates."""
    access.require(engine, actor, "edit_task", "task", code)
    fields = _checked(fields)
    t = m.table(m.Task)
    with writing(engine) as conn:
        row = conn.execute(select(t).where(t.c.code == code)).mappings().first()
        if row is None:
            raise Invalid(N_("There is no task with the code {task}."), task=code)
        group_id, city_ids, indicator_ids = _ids(conn, fields)
        before = _read(conn, code).audited()
        after = fields.audited()
        changed = {k: (before[k], v) for k, v in after.items() if v != before[k]}
        if not changed:
            return {}
        if "start_date" in changed:
            _check_first_report(conn, int(row["id"]), fields.start_date)
        status = task_status(
            float(row["percent_complete"]),
            fields.start_date,
            fields.due_date,
            today or dt.date.today(),
        )
        conn.execute(
            update(t)
            .where(t.c.id == row["id"])
            .values(task_group_id=group_id, **_columns(fields), status=status)
        )
        if "cities" in changed or "indicators" in changed:
            _link(conn, int(row["id"]), city_ids, indicator_ids, replace=True)
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "edit_task",
            "task",
            code,
            {k: old for k, (old, _) in changed.items()},
            {k: new for k, (_, new) in changed.items()},
        )
    return changed


def task_fields(engine: Engine, code: str) -> TaskFields:
    """What the edit form shows of a task: every field an analyst may change."""
    with engine.connect() as conn:
        return _read(conn, code)


def _read(conn: Connection, code: str) -> TaskFields:
    t, g = m.table(m.Task), m.table(m.TaskGroup)
    row = (
        conn.execute(
            select(t, g.c.code.label("group_code"))
            .join(g, g.c.id == t.c.task_group_id)
            .where(t.c.code == code)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise Invalid(N_("There is no task with the code {task}."), task=code)
    tc, c = m.table(m.TaskCity), m.table(m.City)
    ti, i = m.table(m.TaskIndicator), m.table(m.Indicator)
    cities = conn.execute(
        select(c.c.code).join(tc, tc.c.city_id == c.c.id).where(tc.c.task_id == row["id"])
    ).scalars()
    indicators = conn.execute(
        select(i.c.code).join(ti, ti.c.indicator_id == i.c.id).where(ti.c.task_id == row["id"])
    ).scalars()
    return TaskFields(
        group=str(row["group_code"]),
        **{f: str(row[f] or "") for f in TEXT_LIMITS},
        start_date=_date(row["start_date"]),
        due_date=_date(row["due_date"]),
        cities=tuple(sorted(cities)),
        indicators=tuple(sorted(indicators)),
    )


def _date(value: object) -> dt.date | None:
    """A stored date (SQLite may hand back text)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _checked(fields: TaskFields) -> TaskFields:
    """The fields cleaned (text trimmed, codes upper-case, sorted, once each), or Invalid
    with what to fix."""
    texts: dict[str, Any] = {
        f: _text(f, getattr(fields, f), limit) for f, limit in TEXT_LIMITS.items()
    }
    start, due = fields.start_date, fields.due_date
    if start is not None and due is not None and due < start:
        raise TaskInvalid(
            DUE_BEFORE_START,
            due=due,
            start=start,
        )
    return dataclasses.replace(
        fields,
        group=str(fields.group or "").strip().upper(),
        **texts,
        cities=_codes(fields.cities),
        indicators=_codes(fields.indicators),
    )


def _codes(codes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({str(c).strip().upper() for c in codes if str(c).strip()}))


def _text(field: str, value: object, limit: int) -> str:
    """One line of people's text: trimmed, within the limit both stores hold, no control
    characters (PostgreSQL refuses NUL; none belongs in a title)."""
    text = str(value if value is not None else "").strip()
    what = FIELD_LABELS[field]
    if field in REQUIRED and not text:
        raise Invalid(N_("The {what} is empty: fill it in."), what=what)
    if len(text) > limit:
        raise Invalid(
            N_("The {what} is {length} characters long; keep it under {limit}."),
            what=what,
            length=len(text),
            limit=limit,
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise Invalid(N_("The {what} holds control characters: type it again."), what=what)
    return text


def _ids(conn: Connection, fields: TaskFields) -> tuple[int, list[int], list[int]]:
    """The ids of the group, cities and indicators named; Invalid naming every unknown code."""
    g, c, i = m.table(m.TaskGroup), m.table(m.City), m.table(m.Indicator)
    group_id = conn.execute(select(g.c.id).where(g.c.code == fields.group)).scalar()
    if group_id is None:
        raise Invalid(N_("There is no task group {code}."), code=fields.group)
    cities = dict(conn.execute(select(c.c.code, c.c.id).where(c.c.code.in_(fields.cities))).all())
    unknown = [code for code in fields.cities if code not in cities]
    if unknown:
        raise Invalid(N_("No city has the code {codes}."), codes=", ".join(unknown))
    indicators = dict(
        conn.execute(select(i.c.code, i.c.id).where(i.c.code.in_(fields.indicators))).all()
    )
    unknown = [code for code in fields.indicators if code not in indicators]
    if unknown:
        raise Invalid(N_("No indicator has the code {codes}."), codes=", ".join(unknown))
    return int(group_id), list(cities.values()), list(indicators.values())


def _check_first_report(conn: Connection, task_id: int, start: dt.date | None) -> None:
    """A start after the task's first progress report would leave a report before the start,
    which post_update never accepts."""
    u = m.table(m.TaskUpdate)
    first = _date(
        conn.execute(
            select(u.c.report_date).where(u.c.task_id == task_id).order_by(u.c.report_date)
        ).scalar()
    )
    if start is not None and first is not None and start > first:
        raise TaskInvalid(
            N_(
                "The start ({start}) is after the task's first progress report ({first}): give a "
                "start on or before it."
            ),
            start=start,
            first=first,
        )


def _columns(fields: TaskFields) -> dict[str, Any]:
    texts = {f: getattr(fields, f) for f in TEXT_LIMITS}
    return {**texts, "start_date": fields.start_date, "due_date": fields.due_date}


def _link(
    conn: Connection,
    task_id: int,
    city_ids: list[int],
    indicator_ids: list[int],
    replace: bool = False,
) -> None:
    """The task's cities and linked indicators, in place of those it had."""
    tc, ti = m.table(m.TaskCity), m.table(m.TaskIndicator)
    if replace:
        conn.execute(delete(tc).where(tc.c.task_id == task_id))
        conn.execute(delete(ti).where(ti.c.task_id == task_id))
    if city_ids:
        conn.execute(insert(tc), [{"task_id": task_id, "city_id": c} for c in city_ids])
    if indicator_ids:
        conn.execute(insert(ti), [{"task_id": task_id, "indicator_id": i} for i in indicator_ids])
