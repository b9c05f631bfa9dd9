"""Data entry in the browser: a city's every indicator for one period, typed rather than
uploaded (issue 15, Build 1).

What a person types goes through the upload's own pipeline (`intake.check` reads it as the
file it would have been), so every check, permission, approval state, lock, warning and the
batch history are the upload's by construction; only the batch's format says "form"."""

from __future__ import annotations

import io

import pandas as pd
from sqlalchemy import Engine

from mne import catalog, intake, value_review
from mne.access import Actor
from mne.i18n import Translator
from mne.intake.batches import values_frame

FORMAT = "form"
# Row 1 of the file the form becomes is its header: the first indicator is row 2.
FIRST_ROW = 2


def grid(engine: Engine, city: str, period: str, lang: str) -> pd.DataFrame:
    """Every active indicator, in the catalog's order, with what a person needs to type a
    value: name, unit, plausible range, the latest earlier value (and its period), and the
    value stored for `period` with its status (submitted ones included: the entry's own), and
    why an analyst returned it, if one did."""
    indicators = catalog.indicators(engine, lang)[
        ["code", "name", "focus_area_name", "unit", "decimals", "plausible_min", "plausible_max"]
    ]
    stored = values_frame(engine, city=city)
    current = stored[stored["period"] == period].set_index("indicator")[["value", "status"]]
    earlier = stored[stored["period"] < period].sort_values("period").groupby("indicator").last()
    earlier = earlier[["period", "value"]].rename(
        columns={"period": "previous_period", "value": "previous"}
    )
    returned = value_review.returned_values(engine, city=city, period=period)
    returned = returned.set_index("indicator")[["comment"]].rename(columns={"comment": "returned"})
    return (
        indicators.join(earlier, on="code")
        .join(current, on="code")
        .join(returned, on="code")
        .reset_index(drop=True)
    )


def as_file(city: str, period: str, typed: dict[str, str]) -> bytes:
    """The values typed (indicator code -> text as typed) as the long CSV an upload reads;
    blank cells are left out (a form never deletes a value)."""
    rows = pd.DataFrame(
        {"indicator": list(typed), "value": [str(v).strip() for v in typed.values()]}
    )
    rows = rows[rows["value"] != ""]
    frame = pd.DataFrame(
        {"city": city, "indicator": rows["indicator"], "period": period, "value": rows["value"]}
    )
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def changed(grid_frame: pd.DataFrame, typed: dict[str, str]) -> dict[str, str]:
    """The cells whose text is not blank and differs from the stored value it shows."""
    stored = dict(zip(grid_frame["code"], grid_frame["value"], strict=True))
    return {
        code: text
        for code, text in typed.items()
        if str(text).strip() and str(text).strip() != shown_value(stored.get(code))
    }


def shown_value(value: float | None) -> str:
    """A stored value as the form shows it in its cell (plain digits, no grouping), so an
    untouched cell reads back as unchanged."""
    return "" if value is None or pd.isna(value) else format(float(value), ".15g")


def check(
    engine: Engine, city: str, period: str, typed: dict[str, str], tr: Translator, actor: Actor
) -> intake.Preview:
    """The upload's preview of the values typed: errors and warnings per row, each row an
    indicator (`indicator_of_row`). Nothing is written."""
    data = as_file(city, period, typed)
    preview = intake.check(
        engine, data, file_name(city, period), tr, actor=actor, use_remembered=False
    )
    if not preview.file_problem:
        preview.format = FORMAT
    return preview


def file_name(city: str, period: str) -> str:
    """The name a form's batch carries in History (there is no file)."""
    return f"{FORMAT}-{city}-{period}"


def indicator_of_row(typed: dict[str, str]) -> dict[int, str]:
    """Which indicator each row of the form's file is (for problems by cell)."""
    kept = [code for code, text in typed.items() if str(text).strip()]
    return {FIRST_ROW + n: code for n, code in enumerate(kept)}


def save(engine: Engine, preview: intake.Preview, actor: Actor) -> dict[str, object]:
    """Store a checked form as one batch (format "form"), exactly as an upload is stored."""
    return intake.commit_preview(engine, preview, actor)
