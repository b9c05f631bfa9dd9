"""The yearly values every analysis page reads: quarters and months rolled up in SQL."""

from __future__ import annotations

from sqlalchemy import Engine

from mne import analysis
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
"""


def test_sub_annual_periods_roll_up_and_annual_values_win(engine: Engine) -> None:
    preview = check(engine, ROWS.encode(), "quarters.csv", Translator("en"))
    assert commit_preview(engine, preview, TESTER)["status"] == "committed"
    yearly = analysis.yearly_values(engine).set_index("year")["value"].to_dict()
    # 2023: mean of Q1 and Q2 = 35; 2024: the annual 25 wins over Q1's 10; 2022: one month.
    assert yearly == {2022: 33.0, 2023: 35.0, 2024: 25.0}


def test_yearly_values_of_an_empty_store_keep_their_types(engine: Engine) -> None:
    yearly = analysis.yearly_values(engine)
    assert yearly.empty and str(yearly["value"].dtype) == "float64"
