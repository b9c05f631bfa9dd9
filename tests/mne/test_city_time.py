"""Cities through time: validity dates refuse uploads for a unit that no longer exists, the
2025 reorganisation is recorded as events, and a series break is no outlier, no
deterioration, and is drawn on the City profile's trend chart."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from db import models as m
from mne import analysis, city, city_time, periods
from mne.access import operator
from mne.charts import city as city_charts
from mne.i18n import Translator
from mne.intake import check, commit_preview

TESTER = operator("tester")
EN = Translator("en")


def test_period_bounds_by_hand() -> None:
    bounds = periods.period_bounds(pd.Series(["2025", "2025-Q2", "2025-Q4", "2025-07", "2024-12"]))
    assert bounds["start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-01-01",
        "2025-04-01",
        "2025-10-01",
        "2025-07-01",
        "2024-12-01",
    ]
    assert bounds["end"].dt.strftime("%Y-%m-%d").tolist() == [
        "2025-12-31",
        "2025-06-30",
        "2025-12-31",
        "2025-07-31",
        "2024-12-31",
    ]


def test_the_2025_reorganisation_is_in_the_catalog(engine: Engine) -> None:
    c, e, ec = m.table(m.City), m.table(m.CityEvent), m.table(m.CityEventCity)
    with engine.connect() as conn:
        ended = dict(conn.execute(select(c.c.code, c.c.valid_to)).all())
        events = pd.read_sql(
            select(e.c.code, e.c.event_date, e.c.kind, ec.c.role, c.c.code.label("city"))
            .join(ec, ec.c.event_id == e.c.id)
            .join(c, c.c.id == ec.c.city_id),
            conn,
        )
    assert str(ended["VNBMV"]) == "2025-06-30"
    assert all(v is None for k, v in ended.items() if k != "VNBMV")
    merged = set(events.loc[(events["kind"] == "merge") & (events["role"] == "successor"), "city"])
    assert merged == {"VNDAD", "VNSGN", "VNHPH", "VNVCA"}
    assert (pd.to_datetime(events["event_date"]) == "2025-07-01").all()
    dissolved = events[events["kind"] == "dissolve"]
    assert dissolved["city"].tolist() == ["VNBMV"] and dissolved["role"].tolist() == ["predecessor"]
    breaks = analysis.series_breaks(engine)
    assert sorted(breaks["year"].unique()) == [2025] and len(breaks) == 4


def test_uploads_for_buon_ma_thuot_after_it_ended_are_refused_saying_why(engine: Engine) -> None:
    rows = (
        "city,indicator,period,value\n"
        "Buôn Ma Thuột,QE_PM25,2024,30\n"
        "Buôn Ma Thuột,QE_PM25,2025-Q2,31\n"
        "Buôn Ma Thuột,QE_PM25,2025-Q3,32\n"
        "Buôn Ma Thuột,QE_PM25,2025,33\n"
        "Đà Nẵng,QE_PM25,2025-Q3,20\n"
    )
    preview = check(engine, rows.encode(), "bmt.csv", EN)
    errors = preview.errors[preview.errors["code"] == "outside_validity"]
    # Spreadsheet rows (header = 1): 2025-Q3 (row 4) and the year 2025 (row 5) run past
    # 30 June 2025; 2024 and 2025-Q2 (ending 30 June) are fine, and so is Đà Nẵng.
    assert sorted(errors["row"].tolist()) == [4, 5]
    message = errors["message"].iloc[0]
    assert message.startswith("Buon Ma Thuot ceased to be a reporting unit after 30 Jun 2025")
    assert "2025-Q3" in message or "2025" in message
    vi = check(engine, rows.encode(), "bmt.csv", Translator("vi")).errors
    assert vi.loc[vi["code"] == "outside_validity", "message"].str.contains("Buôn Ma Thuột").all()


DA_NANG = "city,indicator,period,value\n" + "".join(
    f"VNDAD,QE_PM25,{year},{value}\n"
    for year, value in zip(
        range(2015, 2026),
        [30.0, 29.5, 30.2, 29.8, 30.1, 29.9, 30.3, 29.7, 30.0, 29.6, 45.0],
        strict=True,
    )
)


@pytest.fixture
def da_nang(engine: Engine) -> Engine:
    preview = check(engine, DA_NANG.encode(), "danang.csv", EN)
    assert commit_preview(engine, preview, TESTER)["status"] == "committed"
    return engine


def test_a_series_across_da_nang_s_enlargement_is_no_outlier_and_no_deterioration(
    da_nang: Engine,
) -> None:
    # PM2.5 around 30 for 2015-2024, then 45 in 2025 for the enlarged city. Without the break
    # 2025 would be an outlier (median 29.95, MAD 0.25: z = 0.6745 x 15.05 / 0.25 = 40.6) and
    # the status deterioration (higher PM2.5 is worse).
    with da_nang.connect() as conn:
        dad = conn.execute(select(m.City.id).where(m.City.code == "VNDAD")).scalar_one()
    table = city.indicator_table(da_nang, "en", dad, current_year=2026)
    pm = table[table["code"] == "QE_PM25"].iloc[0]
    assert pm["series_start"] == 2025
    assert not pm["outlier"] and pm["outlier_years"] == []
    assert pm["status"] == "insufficient_data" and pm["status"] != "deterioration"
    progress = analysis.progress(da_nang, [dad]).iloc[0]
    assert progress["reason"] == "series_break"
    # The break is drawn on the trend chart, labelled.
    values = pd.DataFrame({"year": pm["years"], "value": pm["history"]})
    figure = city_charts.indicator_trend(values, city.target_path(pm), pm, "Da Nang", EN, "2025")
    lines = [s for s in figure.layout.shapes if s.type == "line"]
    assert [line.x0 for line in lines] == [2024.5]
    assert any("Series break 2025" in (a.text or "") for a in figure.layout.annotations)
    # And the profile says why.
    events = city.profile(da_nang, "en", "VNDAD").events
    assert events["kind"].tolist() == ["merge"] and "Quảng Nam" in events["others"].iloc[0]


def test_a_period_before_a_city_began_is_refused_too() -> None:
    cities = pd.DataFrame(
        {
            "id": [1],
            "name_vi": ["Thành phố Mới"],
            "name_en": ["New City"],
            "valid_from": [pd.Timestamp("2020-07-01")],
            "valid_to": [pd.NaT],
            "note": [""],
        }
    )
    upload = pd.DataFrame({"city_id": [1.0, 1.0, 1.0], "period_code": ["2020", "2020-Q3", "2021"]})
    found = city_time.outside_validity(upload, cities, EN)
    assert found.index.tolist() == [0]
    assert found["message"].iloc[0].startswith("New City became a reporting unit on 1 Jul 2020")
