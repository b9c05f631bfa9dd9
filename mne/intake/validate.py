"""Checks over the long table: names to codes, numbers, periods, ranges, duplicates; warnings
against each city's own history. Every check is a whole-column operation."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field, replace

import pandas as pd
from sqlalchemy import Engine, select

from db import models as m
from mne import city_time, outliers
from mne.i18n import MISSING, Translator
from mne.intake.limits import limit_problems
from mne.intake.mapping import Mapping
from mne.intake.parse import parse_numbers
from mne.intake.problems import (
    ERRORS,
    WARNINGS,
    empty_problems,
    problem_frame,
    render,
    row_groups,
)
from mne.periods import parse_periods
from mne.text import fold

FIRST_YEAR = 1990
JUMP_SHARE = 0.5
SUGGESTED_NAMES = 200  # distinct unknown names of a file that get the closest names


@dataclass
class Lookup:
    """The catalog as the checks need it: folded names to ids, and indicator facts."""

    city_keys: pd.Series  # alias_key -> city_id
    indicator_keys: pd.Series  # alias_key -> indicator_id
    cities: pd.DataFrame  # id, code, name
    indicators: pd.DataFrame  # id, code, name, unit, plausible_min, plausible_max
    mapping: Mapping = field(default_factory=Mapping)
    cities_in_time: pd.DataFrame = field(default_factory=pd.DataFrame)  # city_time.validity

    @classmethod
    def load(cls, engine: Engine) -> Lookup:
        with engine.connect() as conn:
            city_keys = pd.read_sql(select(m.CityAlias.alias_key, m.CityAlias.city_id), conn)
            indicator_keys = pd.read_sql(
                select(m.IndicatorAlias.alias_key, m.IndicatorAlias.indicator_id), conn
            )
            cities = pd.read_sql(select(m.City.id, m.City.code, m.City.name_en.label("name")), conn)
            indicators = pd.read_sql(
                select(
                    m.Indicator.id,
                    m.Indicator.code,
                    m.Indicator.name_en.label("name"),
                    m.Indicator.unit,
                    m.Indicator.plausible_min,
                    m.Indicator.plausible_max,
                ),
                conn,
            )
        return cls(
            city_keys.set_index("alias_key")["city_id"],
            indicator_keys.set_index("alias_key")["indicator_id"],
            cities,
            indicators,
            cities_in_time=city_time.validity(engine),
        )

    def is_indicator(self, header: str) -> bool:
        return fold(header) in self.indicator_keys.index

    def is_city(self, name: str) -> bool:
        return fold(name) in self.city_keys.index

    def unit_of(self, indicator: str) -> str | None:
        """Our unit of the indicator a name stands for (None when it names none)."""
        key = fold(indicator)
        if key not in self.indicator_keys.index:
            return None
        units = self.indicators.set_index("id")["unit"]
        return str(units[self.indicator_keys[key]])

    def with_mapping(self, mapping: Mapping) -> Lookup:
        """The catalog with a person's mapping added as aliases of this upload only.
        MappingProblem when the mapping names a code that is not in the catalog."""
        if not mapping:
            return self
        mapping.check_codes(self.indicators["code"], self.cities["code"])
        city_ids = self.cities.set_index(self.cities["code"].str.upper())["id"]
        indicator_ids = self.indicators.set_index(self.indicators["code"].str.upper())["id"]
        extra_cities = pd.Series(
            {written: city_ids[code.upper()] for written, code in mapping.cities.items()},
            dtype="int64",
        )
        extra_indicators = pd.Series(
            {written: indicator_ids[code.upper()] for written, code in mapping.series.items()},
            dtype="int64",
        )
        return replace(
            self,
            city_keys=_with_keys(self.city_keys, extra_cities),
            indicator_keys=_with_keys(self.indicator_keys, extra_indicators),
            mapping=mapping,
        )


def _with_keys(keys: pd.Series, extra: pd.Series) -> pd.Series:
    """Alias keys with the mapping's entries, which win over the catalog's."""
    if extra.empty:
        return keys
    combined = pd.concat([extra, keys[~keys.index.isin(extra.index)]])
    combined.index.name = keys.index.name
    return combined.rename(keys.name)


def _resolve(names: pd.Series, keys: pd.Series) -> pd.Series:
    """The id each name stands for (NaN when unknown); each distinct name is folded once,
    and the rows take their name's id by position (pd.factorize), not by a hash look-up each."""
    if names.empty:
        return pd.Series(float("nan"), index=names.index, name=names.name)
    codes, distinct = pd.factorize(names, use_na_sentinel=False)
    ids = pd.Series(distinct, dtype=names.dtype).map(fold).map(keys).to_numpy()
    return pd.Series(ids[codes], index=names.index, name=names.name)


def _suggest(name: str, keys: pd.Series, labels: pd.Series) -> str:
    """Up to three catalog entries whose names are closest to `name`."""
    close = difflib.get_close_matches(fold(name), list(keys.index), n=6, cutoff=0.5)
    codes = list(dict.fromkeys(labels[keys[k]] for k in close))[:3]
    return ", ".join(codes) if codes else MISSING


def check_rows(
    long: pd.DataFrame, lookup: Lookup, tr: Translator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The long table with city_id, indicator_id, period, year, value and an `error` flag,
    and the row errors found."""
    headers: dict[str, str] = long.attrs.get("headers", {})
    frame = long.copy()
    frame["city_id"] = _resolve(frame["city"], lookup.city_keys)
    frame["indicator_id"] = _resolve(frame["indicator"], lookup.indicator_keys)
    # A file of too many unknown names never gets here: the shaping refused it where the names
    # were first matched (problems.refuse_too_many_unknown).
    numbers = parse_numbers(frame["value"], frame["typed"])
    frame["number"] = numbers["value"]
    periods = parse_periods(frame["period"])
    frame["period_code"] = periods["period"]
    frame["year"] = periods["year"]
    # A row whose value is missing but that has cells beyond the header still has a value.
    overflowing = _overflowing(frame)
    frame = frame[(numbers["status"].to_numpy() != "missing") | overflowing.to_numpy()].copy()
    numbers = numbers.loc[frame.index]

    problems = [
        _overflow_problems(frame[overflowing[frame.index]], tr),
        _unknown(frame, "city", "city_id", lookup, headers, tr),
        _unknown(frame, "indicator", "indicator_id", lookup, headers, tr),
        _number_problems(frame, numbers, tr),
        _period_problems(frame, headers, tr),
        _range_problems(frame, numbers, lookup, tr),
        _duplicate_conflicts(frame, tr),
        _validity_problems(frame, lookup, headers, tr),
        limit_problems(frame, headers, tr),
    ]
    errors = pd.concat(
        [p for p in problems if not p.empty] or [empty_problems()], ignore_index=True
    )
    frame["error"] = frame.index.isin(errors["cell"])
    return frame, errors


def _overflowing(frame: pd.DataFrame) -> pd.Series:
    if "overflow_column" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return frame["overflow_column"].astype(str) != ""


def _overflow_problems(bad: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    if bad.empty:
        return empty_problems()
    values = pd.DataFrame({"value": bad["overflow_value"], "column": bad["overflow_column"]})
    messages = render(tr, ERRORS["extra_cells"], values)
    return problem_frame(
        bad["row"], bad["overflow_column"], "extra_cells", messages, bad["overflow_value"]
    )


def _unknown(
    frame: pd.DataFrame,
    field: str,
    id_column: str,
    lookup: Lookup,
    headers: dict[str, str],
    tr: Translator,
) -> pd.DataFrame:
    """Names that are no city (indicator) of the catalog, with the closest ones suggested;
    an empty cell is unknown too."""
    bad = frame[frame[id_column].isna()]
    if bad.empty:
        return empty_problems()
    empty = bad[bad[field].astype(str).str.strip() == ""]
    bad = bad[~bad.index.isin(empty.index)]
    found = [_empty_names(empty, field, headers, tr)] if not empty.empty else []
    if bad.empty:
        return found[0]
    keys = lookup.city_keys if field == "city" else lookup.indicator_keys
    catalog = lookup.cities if field == "city" else lookup.indicators
    labels = catalog.set_index("id")["code"]
    names = bad[field].drop_duplicates()
    # Closest names are looked for (a fuzzy search over the catalog) for the first distinct
    # names only: a file of 100,000 unknown names costs seconds, not minutes.
    suggested = names.iloc[:SUGGESTED_NAMES]
    suggestions = {name: _suggest(name, keys, labels) for name in suggested}
    looked_up = bad[field].isin(suggested)
    with_suggestions = bad[looked_up]
    values = pd.DataFrame(
        {"value": with_suggestions[field], "suggestions": with_suggestions[field].map(suggestions)}
    )
    messages = pd.concat(
        [
            render(tr, ERRORS[f"unknown_{field}"], values),
            render(
                tr,
                ERRORS[f"unknown_{field}_plain"],
                bad.loc[~looked_up, [field]].set_axis(["value"], axis=1),
            ),
        ]
    ).loc[bad.index]
    column = field_column(bad, field, headers)
    unknown = problem_frame(bad["row"], column, f"unknown_{field}", messages, bad[field])
    return pd.concat([*found, unknown], ignore_index=True)


def _empty_names(
    empty: pd.DataFrame, field: str, headers: dict[str, str], tr: Translator
) -> pd.DataFrame:
    """An empty city or indicator cell: said as empty, naming the column to fill in."""
    column = field_column(empty, field, headers)
    messages = render(tr, ERRORS[f"empty_{field}"], pd.DataFrame({"column": column}))
    return problem_frame(empty["row"], column, f"empty_{field}", messages, empty[field])


def field_column(bad: pd.DataFrame, field: str, headers: dict[str, str]) -> pd.Series:
    """The column a person should look at: the header that holds the field in a wide file
    (the column of the value cell), else the file's own column for the field on that row
    (of several geography or indicator columns, the one the row's name came from)."""
    from_header = bad["column"] == bad[field]
    own: pd.Series | str = headers.get(field, field)
    per_row = f"{field}_header"
    if per_row in bad.columns:
        written = bad[per_row].astype(str)
        own = written.where(written != "", headers.get(field, field))
    return bad["column"].where(from_header, own)


def _number_problems(frame: pd.DataFrame, numbers: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    found = []
    for status, code in (("not_a_number", "not_a_number"), ("ambiguous", "ambiguous_number")):
        bad = frame[numbers["status"] == status]
        if not bad.empty:
            messages = render(tr, ERRORS[code], bad[["value"]])
            found.append(problem_frame(bad["row"], bad["column"], code, messages, bad["value"]))
    return pd.concat(found, ignore_index=True) if found else empty_problems()


def _period_problems(frame: pd.DataFrame, headers: dict[str, str], tr: Translator) -> pd.DataFrame:
    last_year = dt.date.today().year + 1
    unreadable = frame[frame["period_code"].isna()]
    outside = frame[frame["year"].notna() & ~frame["year"].between(FIRST_YEAR, last_year)]
    found = []
    if not unreadable.empty:
        messages = render(
            tr, ERRORS["bad_period"], unreadable[["period"]].rename(columns={"period": "value"})
        )
        found.append(
            problem_frame(
                unreadable["row"],
                field_column(unreadable, "period", headers),
                "bad_period",
                messages,
                unreadable["period"],
            )
        )
    if not outside.empty:
        values = (
            outside[["period"]]
            .rename(columns={"period": "value"})
            .assign(first=FIRST_YEAR, last=last_year)
        )
        messages = render(tr, ERRORS["period_out_of_range"], values)
        found.append(
            problem_frame(
                outside["row"],
                field_column(outside, "period", headers),
                "period_out_of_range",
                messages,
                outside["period"],
            )
        )
    return pd.concat(found, ignore_index=True) if found else empty_problems()


def _validity_problems(
    frame: pd.DataFrame, lookup: Lookup, headers: dict[str, str], tr: Translator
) -> pd.DataFrame:
    """A period outside the city's existence (mne.city_time): an error that says why."""
    if lookup.cities_in_time.empty:
        return empty_problems()
    found = city_time.outside_validity(frame, lookup.cities_in_time, tr)
    if found.empty:
        return empty_problems()
    bad = frame.loc[found.index]
    column = field_column(bad, "period", headers)
    return problem_frame(bad["row"], column, "outside_validity", found["message"], bad["period"])


def _range_problems(
    frame: pd.DataFrame, numbers: pd.DataFrame, lookup: Lookup, tr: Translator
) -> pd.DataFrame:
    facts = lookup.indicators.set_index("id")
    known = frame[frame["indicator_id"].notna() & frame["number"].notna()]
    unit = known["indicator_id"].map(facts["unit"])
    low = known["indicator_id"].map(facts["plausible_min"])
    high = known["indicator_id"].map(facts["plausible_max"])
    is_percent_unit = unit.str.startswith("%")
    percent_sign = numbers.loc[known.index, "percent"]
    found = []
    sign_bad = known[percent_sign & ~is_percent_unit]
    if not sign_bad.empty:
        values = pd.DataFrame({"value": sign_bad["value"], "unit": unit[sign_bad.index]})
        found.append(
            problem_frame(
                sign_bad["row"],
                sign_bad["column"],
                "percent_sign",
                render(tr, ERRORS["percent_sign"], values),
                sign_bad["value"],
            )
        )
    over_100 = known[is_percent_unit & (known["number"] > 100)]
    if not over_100.empty:
        found.append(
            problem_frame(
                over_100["row"],
                over_100["column"],
                "percent_over_100",
                render(tr, ERRORS["percent_over_100"], over_100[["value"]]),
                over_100["value"],
            )
        )
    outside = known[~known["number"].between(low, high) & ~known.index.isin(over_100.index)]
    if not outside.empty:
        values = pd.DataFrame(
            {
                "value": outside["value"],
                "low": low[outside.index].map(lambda v: tr.number(v, 0)),
                "high": high[outside.index].map(lambda v: tr.number(v, 0)),
                "unit": unit[outside.index],
            }
        )
        found.append(
            problem_frame(
                outside["row"],
                outside["column"],
                "out_of_range",
                render(tr, ERRORS["out_of_range"], values),
                outside["value"],
            )
        )
    return pd.concat(found, ignore_index=True) if found else empty_problems()


def _duplicate_conflicts(frame: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    keyed = frame.dropna(subset=["city_id", "indicator_id", "period_code", "number"])
    key = ["city_id", "indicator_id", "period_code"]
    repeated = keyed[keyed.duplicated(key, keep=False)]
    if repeated.empty:
        return empty_problems()
    spread = repeated.groupby(key)["number"].transform("nunique")
    conflicting = repeated[spread > 1]
    if conflicting.empty:
        return empty_problems()
    return grouped_problems(conflicting, key, "duplicate_conflict", ERRORS, tr)


def grouped_problems(
    cells: pd.DataFrame, key: list[str], code: str, templates: dict[str, str], tr: Translator
) -> pd.DataFrame:
    """One problem for a group of repeated cells, on its first row, naming a bounded list of
    its rows; each other cell of the group (when `templates` has "CODE_other") gets a short
    problem pointing at the first row, so every cell is still marked."""
    groups = row_groups(cells[key], cells["row"], tr)
    first = cells.loc[groups.index]
    values = pd.DataFrame(
        {"count": groups["count_text"].to_numpy(), "rows": groups["rows"].to_numpy()},
        index=first.index,
    )
    found = [
        problem_frame(
            first["row"], first["column"], code, render(tr, templates[code], values), first["value"]
        )
    ]
    if f"{code}_other" in templates:
        others = cells[~cells.index.isin(groups.index)]
        first_of = cells.groupby(key)["row"].transform("min").loc[others.index]
        messages = render(
            tr, templates[f"{code}_other"], pd.DataFrame({"first": first_of}, index=others.index)
        )
        found.append(
            problem_frame(others["row"], others["column"], code, messages, others["value"])
        )
    return pd.concat(found, ignore_index=True)


def history_warnings(valid: pd.DataFrame, history: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Values far from the city's own history (modified z-score over median / MAD) and large
    jumps from the year before. `history` holds the store's city_id, indicator_id, year, value."""
    if valid.empty or history.empty:
        return empty_problems()
    key = ["city_id", "indicator_id"]
    per_value = outliers.series_stats(history["value"], [history[k] for k in key])
    stats = pd.concat([history[key], per_value], axis=1).drop_duplicates(key)
    joined = valid.merge(stats, on=key, how="left").set_axis(valid.index)
    z = outliers.modified_z(joined["number"], joined[["median", "mad", "count"]])
    unusual = joined[outliers.unusual(z)]
    previous = history.assign(year=history["year"] + 1).groupby([*key, "year"])["value"].mean()
    prev = joined.join(previous.rename("previous"), on=[*key, "year"])["previous"]
    jump = (joined["number"] - prev).abs() > JUMP_SHARE * prev.abs()
    jumps = joined[jump & prev.notna() & ~joined.index.isin(unusual.index)]
    found = []
    if not unusual.empty:
        values = pd.DataFrame(
            {
                "value": unusual["value"],
                "median": unusual["median"].map(lambda v: tr.number(v, 2)),
            }
        )
        found.append(
            problem_frame(
                unusual["row"],
                unusual["column"],
                "outlier",
                render(tr, WARNINGS["outlier"], values),
                unusual["value"],
            )
        )
    if not jumps.empty:
        values = pd.DataFrame(
            {"value": jumps["value"], "previous": prev[jumps.index].map(lambda v: tr.number(v, 2))}
        )
        found.append(
            problem_frame(
                jumps["row"],
                jumps["column"],
                "jump",
                render(tr, WARNINGS["jump"], values),
                jumps["value"],
            )
        )
    return pd.concat(found, ignore_index=True) if found else empty_problems()
