"""The yearly values every analysis page reads: quarters and months rolled up in SQL."""

from __future__ import annotations

from sqlalchemy import Engine

from mne import analysis, catalog
from mne.access import operator
from mne.i18n import Translator
from mne.intake import check, commit_preview

TESTER = operator("tester")

ROWS = """city,indicator,period,value
VNHAN,QE_PM25,2023-Q1,40
VNHAN,QE_PM25,2023-Q2,30
VNHAN,QE_PM25,2024-Q1,10
VNHAN,QE_PM25,2024,25
VNHAN,QE_PM25,2022-03,33
VNHAN,QE_PM25,2022-04,9
VNSGN,QE_PM25,2021-Q1,10
VNSGN,QE_PM25,2021-Q2,20
VNSGN,QE_PM25,2021-Q3,30
VNSGN,QE_PM25,2021-Q4,40
VNSGN,QE_PM25,2021-06,60
"""


def test_sub_annual_periods_roll_up_and_annual_values_win(engine: Engine) -> None:
    preview = check(engine, ROWS.encode(), "quarters.csv", Translator("en"))
    assert commit_preview(engine, preview, TESTER)["status"] == "committed"
    codes = catalog.cities(engine, "en").set_index("id")["code"]
    yearly = analysis.yearly_values(engine)
    got = {(codes[r.city_id], r.year): r.value for r in yearly.itertuples()}
    assert got == {
        ("VNHAN", 2022): 21.0,  # two months: (33 + 9) / 2
        ("VNHAN", 2023): 35.0,  # two quarters: (40 + 30) / 2
        ("VNHAN", 2024): 25.0,  # the annual 25 wins over Q1's 10
        ("VNSGN", 2021): 32.0,  # four quarters and a month, each once: 160 / 5
    }


def test_yearly_values_of_an_empty_store_keep_their_types(engine: Engine) -> None:
    yearly = analysis.yearly_values(engine)
    assert yearly.empty and str(yearly["value"].dtype) == "float64"
