"""The Methodology page: formulas, a worked example a reader can redo, and any status of the
store reproduced with the numbers every page uses."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from mne import analysis, scoring
from mne.access import operator
from mne.i18n import LANGUAGES, Translator
from mne.intake import check, commit_preview
from tests.pages.conftest import AppFactory

TESTER = operator("tester")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_methodology_with_demo_data(demo_engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(demo_engine, lang, "methodology.py")
    assert app.title[0].value == tr("Methodology")
    # The worked example: (30/40)^(1/8) - 1 = -0.0353, (5/40)^(1/15) - 1 = -0.1294, R = 0.273.
    latex = " ".join(item.value for item in app.latex)
    assert "-0.0353" in latex and "-0.1294" in latex and "0.273" in latex
    assert any(tr(scoring.STATUS_LABELS["limited"]) in m.value for m in app.markdown)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_methodology_on_an_empty_store(engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(engine, lang, "methodology.py")
    assert app.title[0].value == tr("Methodology")
    assert tr("No values for this city and indicator yet.") in [i.value for i in app.info]


def test_a_status_is_reproduced_step_by_step(engine: Engine, open_page: AppFactory) -> None:
    rows = "city,indicator,period,value\n" + "".join(
        f"VNHAN,QE_PM25,{y},{v}\n" for y, v in [(2015, 40), (2019, 35), (2023, 30)]
    )
    preview = check(engine, rows.encode(), "hanoi.csv", Translator("en"))
    assert commit_preview(engine, preview, TESTER)["status"] == "committed"
    app = open_page(engine, "en", "methodology.py")
    app.selectbox[0].set_value("VNHAN").run()
    app.selectbox[1].set_value("QE_PM25").run()
    steps = dict(zip(app.table[-1].value.iloc[:, 0], app.table[-1].value.iloc[:, 1], strict=True))
    expected = analysis.progress(engine).iloc[0]
    assert steps["Status"] == "Limited progress" == scoring.STATUS_LABELS[expected["status"]]
    assert steps["R"] == "0.273"  # the worked example's numbers, from the store
    assert steps["Base year and value"] == "2015: 40.00"
