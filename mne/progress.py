"""The figures behind every status, for anyone to check: `python -m mne progress --json`.

One object per city x indicator with data, computed by the same functions every page and
report uses (analysis.yearly_values, analysis.targets, scoring.progress_table and
analysis.scores over the whole network):

    {"city", "indicator", "baseline": {"period", "value"}, "latest": {"period", "value"},
     "target": {"value", "year", "kind", "scope"} or null, "status", "score", "gap"}

status is one of STATUS_CODES; score the 0-100 score or null (no score for an indicator not
comparable across cities, or with a single reporting city short of its target); gap is
target - latest (null without a target). A band target (a range) adds "band": {"low",
"high"} to its target, its "value" is the edge nearest the latest value, and the gap is the
distance to that edge (0 inside the band)."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from db import models as m
from mne import analysis, scoring
from mne.errors import ErrorKinds, UserError
from mne.i18n import N_

# The status codes of the command's output, from scoring.STATUS_ORDER.
STATUS_CODES = {
    "target_achieved": "achieved",
    "on_track": "on_track",
    "moderate": "moderate",
    "limited": "limited",
    "deterioration": "deterioration",
    "insufficient_data": "insufficient_data",
}


class UnknownCode(UserError, ValueError):
    """A city or indicator code the catalog does not have: `what` (city, indicator) and the
    code `given`."""

    kinds = ErrorKinds()

    def __init__(self, kind: str, given: str) -> None:
        super().__init__(f"unknown_{kind}", codes=given, code=given)
        self.what, self.given = kind, given


UnknownCode.define(
    "unknown_city",
    N_("Unknown city code: {codes}. See `python -m mne catalog --json`."),
    "A --city code that is no city of the catalog.",
)
UnknownCode.define(
    "unknown_indicator",
    N_("Unknown indicator code “{code}”."),
    "An --indicator code that is no indicator of the catalog.",
)


def _id_of(engine: Engine, model: type[m.City] | type[m.Indicator], code: str) -> int:
    with engine.connect() as conn:
        found = conn.execute(select(model.id).where(model.code == code)).scalar()
    if found is None:
        raise UnknownCode("city" if model is m.City else "indicator", code)
    return int(found)


def progress_frame(
    engine: Engine,
    city: str | None = None,
    indicator: str | None = None,
    include_submitted: bool = False,
) -> pd.DataFrame:
    """scoring.progress_table of the chosen pairs with each pair's score, codes and gap."""
    view = analysis.StoreView(engine, include_submitted)
    city_id = _id_of(engine, m.City, city) if city else None
    indicator_id = _id_of(engine, m.Indicator, indicator) if indicator else None
    facts = analysis.indicator_facts(engine)
    target_frame = analysis.targets(engine)
    # The worst bound of a score is the network's: read every city of the indicator(s).
    network = analysis.yearly_values(view, None, None if indicator_id is None else [indicator_id])
    chosen = network if city_id is None else network[network["city_id"] == city_id]
    table = scoring.progress_table(chosen, facts, target_frame)
    scored = analysis.scores(network, facts, target_frame)[[*scoring.PAIR, "score"]]
    table = table.merge(scored, on=scoring.PAIR, how="left")
    with engine.connect() as conn:
        cities = dict(conn.execute(select(m.City.id, m.City.code)).all())
    codes = facts.set_index("id")["code"]
    table["city"] = table["city_id"].map(cities)
    table["indicator"] = table["indicator_id"].map(codes)
    band = table["target_high"].notna()
    above = band & (table["latest_value"] > table["target_high"])
    table["target_shown"] = table["target_value"].where(~above, table["target_high"])
    inside = band & table["latest_value"].between(table["target_value"], table["target_high"])
    table["gap_shown"] = (table["target_shown"] - table["latest_value"]).where(~inside, 0.0)
    return table.sort_values(["city", "indicator"], ignore_index=True)


def _number(value: object) -> float | None:
    if value is None or pd.isna(value):
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


def _period(year: object) -> str | None:
    number = _number(year)
    return None if number is None else str(int(number))


def progress_json(
    engine: Engine,
    city: str | None = None,
    indicator: str | None = None,
    include_submitted: bool = False,
) -> list[dict[str, Any]]:
    """The command's objects (module docstring), ordered by city and indicator code."""
    table = progress_frame(engine, city, indicator, include_submitted)
    out: list[dict[str, Any]] = []
    for row in table.to_dict("records"):
        target: dict[str, Any] | None = None
        if _number(row["target_value"]) is not None:
            target = {
                "value": _number(row["target_shown"]),
                "year": int(row["target_year"]),
                "kind": row["target_kind"],
                "scope": row["target_scope"],
            }
            if _number(row["target_high"]) is not None:
                target["band"] = {
                    "low": _number(row["target_value"]),
                    "high": _number(row["target_high"]),
                }
        out.append(
            {
                "city": row["city"],
                "indicator": row["indicator"],
                "baseline": {
                    "period": _period(row["base_year"]),
                    "value": _number(row["base_value"]),
                },
                "latest": {
                    "period": _period(row["latest_year"]),
                    "value": _number(row["latest_value"]),
                },
                "target": target,
                "status": STATUS_CODES[str(row["status"])],
                "score": _number(row["score"]),
                "gap": _number(row["gap_shown"]) if target is not None else None,
            }
        )
    return out
