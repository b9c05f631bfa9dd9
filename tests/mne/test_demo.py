"""Demo data: deterministic, plausible, marked, and removable in one command."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, func, select

from db import models as m
from db.engine import writing
from mne import city_time, demo
from mne.i18n import Translator
from tests.command_line import Ran, run_cli


def _observations(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql(
            select(
                m.City.code.label("city"),
                m.Indicator.code.label("indicator"),
                m.Observation.period,
                m.Observation.value,
                m.Indicator.plausible_min,
                m.Indicator.plausible_max,
            )
            .join(m.City, m.City.id == m.Observation.city_id)
            .join(m.Indicator, m.Indicator.id == m.Observation.indicator_id),
            conn,
        )


def test_demo_values_are_plausible_with_gaps(demo_engine: Engine) -> None:
    values = _observations(demo_engine)
    assert values["value"].between(values["plausible_min"], values["plausible_max"]).all()
    assert set(values["period"].astype(int)) == set(range(2015, 2026))
    assert values["city"].nunique() == 35
    cells = 35 * values["indicator"].nunique() * 11
    assert 0.6 < len(values) / cells < 0.9  # realistic gaps
    latest = values[values["period"] == "2025"]
    assert len(latest) < len(values[values["period"] == "2024"])  # latest year not all in


def test_demo_holds_only_values_an_upload_could_store(demo_engine: Engine) -> None:
    """No value for a period outside its city's reporting dates (Buôn Ma Thuột ended on 30
    June 2025): the upload's own validity check finds nothing in the demo."""
    with demo_engine.connect() as conn:
        stored = pd.read_sql(
            select(m.Observation.city_id, m.Observation.period.label("period_code")), conn
        )
    cities = city_time.validity(demo_engine)
    assert cities["valid_to"].notna().any()  # the check has a city that ended to look at
    found = city_time.outside_validity(stored, cities, Translator("en"))
    assert found.empty, found.head()


def test_demo_is_deterministic(engine: Engine) -> None:
    with writing(engine) as conn:
        demo.load_demo(conn)
    first = (
        _observations(engine).sort_values(["city", "indicator", "period"]).reset_index(drop=True)
    )
    with writing(engine) as conn:
        demo.load_demo(conn)
    second = (
        _observations(engine).sort_values(["city", "indicator", "period"]).reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(first, second)


def test_demo_tasks_and_projects(demo_engine: Engine) -> None:
    with demo_engine.connect() as conn:
        per_group = dict(
            conn.execute(
                select(m.TaskGroup.code, func.count(m.Task.id))
                .join(m.Task, m.Task.task_group_id == m.TaskGroup.id)
                .group_by(m.TaskGroup.code)
            ).all()
        )
        updates = conn.execute(select(func.count()).select_from(m.TaskUpdate)).scalar_one()
        statuses = set(conn.execute(select(m.Task.status)).scalars())
        projects = conn.execute(select(func.count()).select_from(m.ScapProject)).scalar_one()
    assert set(per_group) == {f"G{i}" for i in range(1, 7)} and min(per_group.values()) >= 2
    assert updates > 18 and projects >= 31
    assert {"late", "not_started"} & statuses and len(statuses) >= 3


def test_demo_remove_from_the_command_line_keeps_the_catalog(engine: Engine) -> None:
    def run(*args: str) -> Ran:
        done = run_cli(engine, *args)
        assert done.returncode == 0, done.stderr
        return done

    run("demo", "load")
    assert demo.has_demo(engine)
    run("demo", "remove")
    assert not demo.has_demo(engine)
    with engine.connect() as conn:
        for table in (m.Observation, m.Task, m.TaskUpdate, m.ScapProject, m.UploadBatch):
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(m.Indicator)).scalar_one() >= 36
    assert "No demo data" in run("demo", "status").stdout
