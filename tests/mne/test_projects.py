"""SCAP project counts: every view equals a plain SQL count over scap_project."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from mne import catalog
from mne.projects import (
    FINANCING_LABELS,
    PROJECT_STATUS_LABELS,
    by_financing,
    by_focus_area_and_status,
    by_place_and_status,
    project_counts,
    project_list,
)

JOINED = """
    FROM scap_project p
    JOIN city c ON c.id = p.city_id
    JOIN focus_area fa ON fa.id = p.focus_area_id
"""


def _sql(engine: Engine, query: str, **params: object) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(text(query), params).mappings().all())


def test_the_demo_has_projects_in_several_statuses_and_sources(demo_engine: Engine) -> None:
    """Guards the tests below against passing on an empty or one-valued store."""
    counts = project_counts(demo_engine, "en")
    assert counts["projects"].sum() >= 50
    assert counts["status"].nunique() == 3 and counts["financing"].nunique() >= 4


def test_focus_area_by_status_equals_sql(demo_engine: Engine) -> None:
    expected = _sql(
        demo_engine,
        f"SELECT fa.code AS focus_area, p.status, COUNT(*) AS n {JOINED} "
        "GROUP BY fa.code, p.status",
    )
    frame = by_focus_area_and_status(
        project_counts(demo_engine, "en"), catalog.focus_areas(demo_engine, "en")
    )
    assert len(frame) == 6 * 3  # every focus area x status, zeros included
    got = frame[frame["projects"] > 0].set_index(["focus_area", "status"])["projects"]
    want = expected.set_index(["focus_area", "status"])["n"].astype(int)
    assert got.sort_index().to_dict() == want.sort_index().to_dict()


@pytest.mark.parametrize("place", ["country", "city"])
def test_counts_by_place_equal_sql(demo_engine: Engine, place: str) -> None:
    column = "c.country_iso2" if place == "country" else "c.code"
    expected = _sql(
        demo_engine,
        f"SELECT {column} AS place, p.status, COUNT(*) AS n {JOINED} GROUP BY {column}, p.status",
    )
    frame = by_place_and_status(project_counts(demo_engine, "vi"), place)
    got = frame[frame["projects"] > 0].set_index([place, "status"])["projects"]
    want = expected.set_index(["place", "status"])["n"].astype(int)
    want.index = want.index.set_names([place, "status"])
    assert got.sort_index().to_dict() == want.sort_index().to_dict()
    totals = frame.drop_duplicates(place)["total"].tolist()
    assert totals == sorted(totals, reverse=True)  # most projects first


def test_counts_by_financing_equal_sql(demo_engine: Engine) -> None:
    expected = _sql(
        demo_engine, "SELECT financing, COUNT(*) AS n FROM scap_project GROUP BY financing"
    )
    frame = by_financing(project_counts(demo_engine, "id"))
    assert frame["financing"].tolist() == list(FINANCING_LABELS)
    want = dict(zip(expected["financing"], expected["n"].astype(int), strict=True))
    assert frame.set_index("financing")["projects"].to_dict() == {
        source: want.get(source, 0) for source in FINANCING_LABELS
    }


def test_filters_by_country_and_status_equal_sql(demo_engine: Engine) -> None:
    expected = _sql(
        demo_engine,
        f"SELECT COUNT(*) AS n {JOINED} "
        "WHERE c.country_iso2 IN ('VN', 'TH') AND p.status = 'ongoing'",
    )["n"].iloc[0]
    counts = project_counts(demo_engine, "en", ["VN", "TH"], ["ongoing"])
    assert counts["projects"].sum() == expected > 0
    assert set(counts["country"]) == {"VN", "TH"} and set(counts["status"]) == {"ongoing"}
    assert len(project_list(demo_engine, "en", ["VN", "TH"], ["ongoing"])) == expected


def test_an_empty_store_counts_nothing(engine: Engine) -> None:
    counts = project_counts(engine, "en")
    assert counts.empty
    assert by_financing(counts)["projects"].tolist() == [0] * len(FINANCING_LABELS)
    areas = by_focus_area_and_status(counts, catalog.focus_areas(engine, "en"))
    assert len(areas) == 6 * len(PROJECT_STATUS_LABELS) and areas["projects"].sum() == 0
