"""Every page, in vi, en and id, with the demo data and an administrator signed in, read as a
person reads it: no None, NaN or nan, no indicator or city code standing alone, no number in
another language's style and no English unit on a Vietnamese or Indonesian page.

What counts as visible: titles, headers, text, captions, messages, metrics, widget labels and
options, tab and expander labels, table cells, and the charts' titles, axis titles, legend
entries and text. The codes and units expected are read from the store."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from db import models as m
from mne import accounts
from mne.access import operator
from mne.i18n import LANGUAGES, Translator
from tests.pages.conftest import AppFactory

PAGES = [
    "overview.py",
    "city.py",
    "explorer.py",
    "compare.py",
    "tasks.py",
    "projects.py",
    "coverage.py",
    "reports.py",
    "upload.py",
    "review.py",
    "history.py",
    "catalog.py",
    "methodology.py",
    "users.py",
    "audit.py",
]
ADMIN = "admin.walk"
NOTHING = re.compile(r"\b(None|NaN|nan|NaT)\b")
# A decimal point (91.3) or a comma every three digits (1,710,000) is English style; a decimal
# comma (91,3) or a point every three digits (1.710.000) is Vietnamese and Indonesian style.
# Digits glued to letters (PM2.5, EC:ICT:1C) are names, not numbers.
ENGLISH_STYLE = re.compile(r"(?<![\w.,/:-])\d+(\.\d{1,2}|(,\d{3})+)(?![\w.,/:-])")
OTHER_STYLE = re.compile(r"(?<![\w.,/:-])\d+(,\d{1,2}|(\.\d{3})+)(?![\w.,/:-])")
# Section numbers of a standard are names too: "SDG target 11.1", "ISO 37120:2018 12.2".
REFERENCE = re.compile(
    r"(target|indicator|indikator|mục tiêu|chỉ tiêu|tujuan|ISO \d+(:\d{4})?)\s+\d+(\.\d+)+",
    re.IGNORECASE,
)
TEXT_ELEMENTS = (
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "info",
    "success",
    "warning",
    "error",
    "code",
)
LABELLED = (
    "selectbox",
    "multiselect",
    "radio",
    "text_input",
    "text_area",
    "number_input",
    "date_input",
    "checkbox",
    "toggle",
    "button",
    "slider",
    "select_slider",
    "tabs",
    "expander",
    "status",
)


@pytest.fixture(scope="module")
def walk_store(demo_engine: Engine) -> Engine:
    if accounts.load_actor_by_name(demo_engine, ADMIN) is None:
        accounts.create_user(demo_engine, operator(), ADMIN, "a long walk password 1", "admin")
    return demo_engine


def _codes(engine: Engine) -> tuple[set[str], set[str], set[str]]:
    """City codes, indicator codes and the catalog's units as the store keeps them."""
    with engine.connect() as conn:
        cities = set(conn.execute(select(m.City.code)).scalars())
        indicators = set(conn.execute(select(m.Indicator.code)).scalars())
        units = set(conn.execute(select(m.Indicator.unit)).scalars())
    return cities, indicators, units


def _chart_texts(spec: dict[str, Any]) -> Iterator[str]:
    layout = spec.get("layout", {})
    for value in layout.values():
        if isinstance(value, dict) and "title" in value:
            title = value["title"]
            yield str(title.get("text", "") if isinstance(title, dict) else title)
    for annotation in layout.get("annotations", []):
        yield str(annotation.get("text", ""))
    for trace in spec.get("data", []):
        if trace.get("showlegend", True) and trace.get("name"):
            yield str(trace["name"])
        text = trace.get("text")
        if isinstance(text, str):
            yield text
        elif isinstance(text, list):
            yield from (str(t) for t in text if t is not None)


def _texts(app: AppTest) -> Iterator[tuple[str, str]]:
    """(where, text) for everything a person reads on the page."""
    for kind in TEXT_ELEMENTS:
        for element in app.get(kind):
            yield kind, str(element.value)
    for element in app.get("metric"):
        yield "metric", f"{element.label} {element.value}"
    for kind in LABELLED:
        for element in app.get(kind):
            yield kind, str(getattr(element, "label", ""))
            for option in getattr(element, "options", []) or []:
                yield f"{kind} option", str(option)
    for chart in app.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for text in _chart_texts(spec):
            yield "chart", text


def _frames(app: AppTest) -> Iterator[pd.DataFrame]:
    for kind in ("dataframe", "table"):
        for element in app.get(kind):
            yield element.value


def _code_alone(text: str, codes: set[str]) -> bool:
    return text.strip() in codes


def _problems(app: AppTest, engine: Engine, lang: str) -> list[str]:
    tr = Translator(lang)
    cities, indicators, units = _codes(engine)
    codes = cities | indicators
    english_units = [u for u in units if tr.unit(u) != u] if lang != "en" else []
    style = ENGLISH_STYLE if lang in ("vi", "id") else OTHER_STYLE
    found: list[str] = []

    def check_text(where: str, text: str) -> None:
        if NOTHING.search(text):
            found.append(f"{where}: nothing shown as None/NaN: {text[:120]!r}")
        if _code_alone(text, codes):
            found.append(f"{where}: a code alone: {text!r}")
        if (match := style.search(REFERENCE.sub("", text))) is not None:
            found.append(f"{where}: {match.group(0)!r} in another language's style: {text[:120]!r}")
        for unit in english_units:
            if re.search(rf"(?<!\w){re.escape(unit)}(?!\w)", text):
                found.append(f"{where}: English unit {unit!r}: {text[:120]!r}")

    for where, text in _texts(app):
        check_text(where, text)
    for frame in _frames(app):
        for column in frame.columns:
            values = frame[column]
            if values.isna().any():
                found.append(f"table column {column!r}: an empty cell shows as None")
            shown = values.dropna()
            if (
                shown.empty
                or shown.map(lambda v: hasattr(v, "__len__") and not isinstance(v, str)).any()
            ):
                continue  # a list of values is drawn as a sparkline, not written
            if pd.api.types.is_float_dtype(shown) and lang != "en":
                if (shown != shown.round()).any():
                    found.append(f"table column {column!r}: decimals drawn with a point")
                continue
            if not pd.api.types.is_numeric_dtype(shown) and not pd.api.types.is_bool_dtype(shown):
                strings = shown.map(str)
                if strings.isin(codes).all() and not _named_beside(frame, column, engine, lang):
                    found.append(f"table column {column!r}: codes with no names beside them")
                for text in strings.head(50):
                    if not strings.isin(codes).all():
                        check_text(f"table column {column!r}", text)
    return sorted(set(found))


def _named_beside(frame: pd.DataFrame, column: str, engine: Engine, lang: str) -> bool:
    """Whether another column of the table holds the names of the codes in `column`."""
    from mne import catalog

    names = pd.concat(
        [
            catalog.cities(engine, lang).set_index("code")["name"],
            catalog.indicators(engine, lang).set_index("code")["name"],
        ]
    )
    first = str(frame[column].dropna().iloc[0])
    wanted = names.get(first)
    return any(
        wanted is not None and (frame[other].astype(str) == wanted).any()
        for other in frame.columns
        if other != column
    )


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_reads_in_the_language(
    walk_store: Engine, open_page: AppFactory, lang: str, page: str
) -> None:
    app = open_page(walk_store, lang, page, user=ADMIN)
    problems = _problems(app, walk_store, lang)
    assert not problems, "\n".join(problems)
