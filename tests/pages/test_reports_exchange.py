"""The Reports page offers the scope's values in partners' formats (issue 16, Build 4): the
file prepared holds exactly the scope's approved values."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from mne import exchange
from mne.intake import batches
from tests.pages.conftest import AppFactory


@pytest.mark.parametrize("fmt", exchange.FORMATS)
def test_a_citys_values_for_partners(demo_engine: Engine, open_page: AppFactory, fmt: str) -> None:
    app = open_page(demo_engine, "en", "reports.py")
    app.radio(key="report_scope").set_value("city").run()
    city = app.selectbox(key="report_city").value
    app.selectbox(key="exchange_format").set_value(fmt).run()
    app.button(key="prepare-exchange").click().run()
    assert not app.exception, [e.value for e in app.exception]
    values = batches.values_frame(demo_engine, city=city)
    approved = int((values["status"] == "approved").sum())
    assert approved > 0
    assert any(c.value == f"{approved:,} values" for c in app.caption), [
        c.value for c in app.caption
    ]
    data, count = exchange.export_file(demo_engine, exchange.ValueFilter(cities=(city,)), fmt)
    assert count == approved and data
