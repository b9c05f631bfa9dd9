"""What can be wrong with an upload, each with a code and a message in the user's language.

Row problems are collected in a frame (row, column, code, message, value) with one row per
problem; whole-file problems raise `FileProblem` before any row is looked at. Messages say
what is wrong and how to fix it; the row is the one a person sees in a spreadsheet (the
header is row 1).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from mne.errors import ErrorKinds, UserError
from mne.i18n import N_, Translator

PROBLEM_COLUMNS = ["row", "column", "code", "message", "value"]

# Errors block their row; warnings are for a person to confirm.
ERRORS = {
    "unknown_city": N_(
        "Unknown city “{value}”. Closest matches: {suggestions}. Use a code or name from the "
        "template's Cities sheet."
    ),
    "unknown_indicator": N_(
        "Unknown indicator “{value}”. Closest matches: {suggestions}. Use a code from the "
        "template's Indicators sheet."
    ),
    "unknown_city_plain": N_(
        "Unknown city “{value}”. Use a code or name from the template's Cities sheet."
    ),
    "unknown_indicator_plain": N_(
        "Unknown indicator “{value}”. Use a code from the template's Indicators sheet."
    ),
    "text_too_long": N_(
        "This cell holds {length} characters; at most {limit} can be stored here. Shorten it "
        "(a long note can go in a separate document)."
    ),
    "control_character": N_(
        "This text holds an invisible control character ({code}) that cannot be stored. Delete "
        "it (it is often left over from copying out of another program) and upload again."
    ),
    "number_too_large": N_(
        "{value} is too large to be stored (numbers go up to {limit}). Check the number and "
        "its unit."
    ),
    "not_a_number": N_("“{value}” is not a number. Write digits only, e.g. 1234,5 or 1234.5."),
    "ambiguous_number": N_(
        "“{value}” could be a whole number with a thousands separator or a decimal number. "
        "Write numbers without thousands separators (1234) and with one decimal mark "
        "(1234,5 or 1234.5)."
    ),
    "out_of_range": N_(
        "{value} is outside the plausible range of this indicator ({low} to {high} {unit}). "
        "Check the unit and the decimal separator."
    ),
    "percent_over_100": N_("{value} is a percentage over 100. Percentages go from 0 to 100."),
    "bad_period": N_(
        "“{value}” is not a period. Write a year (2024), a quarter (2024-Q1) or a month (2024-03)."
    ),
    "period_out_of_range": N_("{value} is outside the years accepted ({first} to {last})."),
    "duplicate_conflict": N_(
        "The same city, indicator and period appear on {count} rows with different values "
        "(rows {rows}). Keep one row."
    ),
    "duplicate_conflict_other": N_(
        "The same city, indicator and period as row {first}, with a different value: see "
        "row {first} and keep one row."
    ),
    "percent_sign": N_(
        "“{value}” has a percent sign but this indicator is measured in {unit}. Remove the "
        "% sign or check the indicator."
    ),
    "not_allowed": N_(
        "You may upload data of {allowed} only; “{value}” is another city. Remove this row, or "
        "ask that city's focal point to upload it."
    ),
    "locked": N_(
        "The stored value {old} for this city, indicator and period is approved, and approved "
        "values are locked. Ask a ministry analyst to reopen it, or remove this row."
    ),
    "empty_city": N_(
        "The city is empty. Write the city's code or name from the template's Cities sheet in "
        "column {column}."
    ),
    "empty_indicator": N_(
        "The indicator is empty. Write the indicator's code from the template's Indicators "
        "sheet in column {column}."
    ),
    "extra_cells": N_(
        "This row has more cells than the header: “{value}” in {column} has no column name. "
        'A number with a comma in a comma-separated file must be in quotes ("1,5"); '
        "otherwise remove the extra cell or give its column a name."
    ),
}
WARNINGS = {
    "outlier": N_(
        "{value} is far from this city's own history for the indicator (median {median}). "
        "Please confirm it."
    ),
    "jump": N_(
        "{value} changes by more than half from the year before ({previous}). Please confirm."
    ),
    "duplicate_same": N_("This value appears on {count} rows (rows {rows}); it is stored once."),
    "disaggregated": N_("Row with a breakdown ({value}) was skipped: only totals are stored."),
    "other_places": N_(
        "{rows} rows for {count} places that are not cities of the catalog were skipped "
        "({examples}). To store one, map it to a city: city:PLACE=CODE."
    ),
    "no_place": N_(
        "{rows} rows name no place (totals of the whole area) and were skipped: values are "
        "stored per city."
    ),
    "unmapped_series": N_(
        "{rows} rows of “{value}” (column {column}) were skipped: it is none of our "
        "indicators. To store them, map it: series:{value}=CODE."
    ),
    "other_unit": N_(
        "{rows} rows in unit “{value}” (column {column}) were skipped: the indicator is "
        "measured in {unit}. If it is the same unit, map it: unit:{value}={unit}."
    ),
}


class RowProblem(UserError):
    """A problem of one row: an error blocks it, a warning is for a person to confirm. Not
    raised: the checks say them for many rows at once in the problem frame (`render`); their
    kinds are declared here, with the others."""

    kinds = ErrorKinds()
    numbers = True


RowProblem.define_all(
    ERRORS,
    {
        "unknown_city": "A city that is no city of the catalog; close ones are suggested.",
        "unknown_indicator": "An indicator that is none of the catalog's; close ones suggested.",
        "unknown_city_plain": "A city that is no city of the catalog, with nothing close.",
        "unknown_indicator_plain": "An indicator that is none of ours, with nothing close.",
        "text_too_long": "A text cell longer than its column can store.",
        "control_character": "A text cell with an invisible control character.",
        "number_too_large": "A number larger than the store's numbers can hold.",
        "not_a_number": "A value that is no number.",
        "ambiguous_number": "A number that reads as a thousands separator or a decimal mark.",
        "out_of_range": "A value outside the indicator's plausible range.",
        "percent_over_100": "A percentage over 100.",
        "bad_period": "A period that is no year, quarter or month.",
        "period_out_of_range": "A year outside the years accepted.",
        "duplicate_conflict": "One city, indicator and period on several rows, values differ.",
        "duplicate_conflict_other": "A later row of a conflicting duplicate.",
        "percent_sign": "A % sign on a value of an indicator not measured in percent.",
        "not_allowed": "A focal point's row of a city not assigned to them.",
        "locked": "A row that would replace an approved (locked) value.",
        "empty_city": "A row with no city.",
        "empty_indicator": "A row with no indicator.",
        "extra_cells": "A row with more cells than the header has names.",
    },
)
RowProblem.define_all(
    WARNINGS,
    {
        "outlier": "A value far from the city's own history of the indicator.",
        "jump": "A value that changes by more than half from the year before.",
        "duplicate_same": "The same value on several rows: stored once.",
        "disaggregated": "A row with a breakdown, skipped: only totals are stored.",
        "other_places": "Rows of places that are not cities of the catalog, skipped.",
        "no_place": "Rows of no place (totals of the whole area), skipped.",
        "unmapped_series": "Rows of a series that is none of our indicators, skipped.",
        "other_unit": "Rows in another unit than the indicator's, skipped.",
    },
    severity="warning",
)
CLOSEST_HEADER = N_(" Closest column for {role}: “{header}”?")
SHEET_READ = N_(
    "Read the sheet “{sheet}” of this workbook (sheets: {sheets}). To read another, choose it "
    "on the Upload page or with --sheet."
)
FILE_PROBLEMS = {
    "empty": N_("The file is empty. Upload a CSV or Excel file with a header row and values."),
    "header_only": N_("The file has a header row but no values below it."),
    "not_a_table": N_(
        "This file is not a table that can be read. Upload CSV (comma, semicolon, tab or | "
        "separated) or Excel .xlsx; download the template to see the expected shape."
    ),
    "too_large": N_(
        "The file is {size} MB, over the limit of {limit} MB. Split it into smaller files."
    ),
    "xlsx_too_large": N_(
        "This Excel file unpacks to more than {limit} MB. Save it again without unused sheets "
        "and formatting, or as CSV."
    ),
    "missing_columns": N_(
        "Required column(s) missing: {columns}. Columns found: {found}.{closest} Name the "
        "column in the file (city, indicator, period, value; a city may also be GeoCode, "
        "thành phố or kota), or map it: column:HEADER=city (the Upload page's mapping, or "
        "--map on the command line)."
    ),
    "no_header": N_(
        "The first row holds values ({first}), not column names: the file has no header row. "
        "Add a header row above it (city, indicator, period, value) and upload it again."
    ),
    "only_breakdowns": N_(
        "No row of this file is a total that can be stored: every row has a breakdown "
        "({example}). If a breakdown column names indicators (PM2.5, PM10...), map its values: "
        "series:VALUE=CODE."
    ),
    "no_city_rows": N_(
        "No row of this file is about a city of the catalog: its places are {examples}. Map a "
        "place to a city (city:PLACE=CODE), or upload a file of our cities."
    ),
    "file_name_indicator": N_(
        "The indicator is taken from the file name “{file}” ({number}), which is none of our "
        "indicators, and the file has no indicator or Series column. Add an indicator column, "
        "or name the file after one of ours (indicator_11-6-2.csv)."
    ),
    "no_such_sheet": N_("The workbook has no sheet “{sheet}”. Its sheets: {sheets}."),
    "unknown_shape": N_(
        "Could not tell which columns hold the city, the indicator, the period and the value. "
        "Columns found: {found}. Use the template's column names: city, indicator, period, value."
    ),
    "bad_xlsx": N_("This Excel file could not be opened ({detail}). Save it again as .xlsx."),
    "too_many_columns": N_(
        "Line {line} has {cells} cells, more than the {limit} columns a file may have. If it "
        "ends in a long run of separators (,,,,), delete them (in a spreadsheet: delete the "
        "empty columns at the right and save again); otherwise split the file."
    ),
    "too_many_unknown_city": N_(
        "The file names {count} different places that are not cities of the catalog (more "
        "than {limit}), such as {examples}. Check that the city column holds our city codes or "
        "names (the template's Cities sheet), or map the places: city:PLACE=CODE."
    ),
    "too_many_unknown_indicator": N_(
        "The file names {count} different indicators that are not in the catalog (more than "
        "{limit}), such as {examples}. Check that the indicator column holds our indicator "
        "codes (the template's Indicators sheet), or map them: series:NAME=CODE."
    ),
    "mixed_encoding": N_(
        "The file is written in UTF-8 except on {count} row(s) ({rows}), which hold characters "
        "in another encoding (shown as �): “{sample}”. Nothing was read. Retype the letters of "
        "those rows, or save the whole file again as “CSV UTF-8”, and upload it again."
    ),
    "too_many_cells": N_(
        "The sheet has more than {limit} cells. Delete the empty rows and columns around the "
        "data (or unused sheets and formatting) and save again, or split the file."
    ),
    "repeated_column": N_(
        "The column name “{name}” appears more than once (columns {columns}). Give each column "
        "its own name or remove the extra one."
    ),
}


class FileProblem(UserError):
    """A problem with the whole file: nothing in it is read. Numbers are written the
    language's way; with missing_columns, the closest header of each missing column; with a
    workbook of several sheets, the sheet read."""

    kinds = ErrorKinds()
    numbers = True

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code, **values)
        # The sheet read, and the workbook's sheets, said with the problem.
        self.sheet = ""
        self.sheets: tuple[str, ...] = ()
        # (role, closest header) for each missing column, shown with missing_columns.
        self.closest: list[tuple[str, str]] = []

    def written(self, tr: Translator) -> dict[str, object]:
        values = super().written(tr)
        if self.code == "missing_columns":
            values["closest"] = "".join(
                tr(CLOSEST_HEADER, role=role, header=header) for role, header in self.closest
            )
        return values

    def message(self, tr: Translator) -> str:
        text = super().message(tr)
        if self.sheet and len(self.sheets) > 1:
            text += " " + sheet_note(tr, self.sheet, self.sheets)
        return text


FileProblem.define_all(
    FILE_PROBLEMS,
    {
        "empty": "The file holds no bytes, or only blanks.",
        "header_only": "The file has a header row and no row of values.",
        "not_a_table": "The bytes are no CSV or Excel table (an image, a PDF, a binary).",
        "too_large": "The file is over the upload limit (mne.intake.limits).",
        "xlsx_too_large": "An Excel file unpacks to more than the limit (a zip bomb guard).",
        "missing_columns": "No column is found for the city, indicator, period or value.",
        "no_header": "The first row holds values, not column names.",
        "only_breakdowns": "Every row has a breakdown (sex, age...): no total to store.",
        "no_city_rows": "No row names a city of the catalog.",
        "file_name_indicator": "The indicator read from the file name is none of ours.",
        "no_such_sheet": "The sheet asked for is not in the workbook.",
        "unknown_shape": "The columns match none of the layouts the reader knows.",
        "bad_xlsx": "The Excel file cannot be opened (damaged, encrypted, old .xls).",
        "too_many_columns": "A line has more cells than a file may have columns.",
        "too_many_unknown_city": "More different unknown places than a file may name.",
        "too_many_unknown_indicator": "More different unknown indicators than a file may name.",
        "mixed_encoding": "A UTF-8 file with rows in another encoding.",
        "too_many_cells": "A sheet with more cells than the limit.",
        "repeated_column": "Two columns share a name.",
    },
)
UNKNOWN_NAMES_LIMIT = 1000  # different unknown names in a file before it is refused whole


def refuse_too_many_unknown(names: pd.Series, known: pd.Series, field: str) -> None:
    """A file naming more than UNKNOWN_NAMES_LIMIT different cities (`field` "city") or
    indicators ("indicator") that are not in the catalog is not a file of ours with a few
    mistakes: one message, not a list of 100,000 rows (nor minutes of work to make it).
    `names` is the stripped text of each line (or header), `known` whether it matched the
    catalog (with the person's mapping); empty names do not count. Called where the names are
    first matched (mne.intake.shape), before the long table is built."""
    unknown = names[~known.to_numpy() & (names != "").to_numpy()]
    if len(unknown) <= UNKNOWN_NAMES_LIMIT:
        return
    count = _distinct_count(unknown)
    if count <= UNKNOWN_NAMES_LIMIT:
        return
    raise FileProblem(
        f"too_many_unknown_{field}",
        count=count,
        limit=UNKNOWN_NAMES_LIMIT,
        examples=", ".join(f"“{name}”" for name in _first_distinct(unknown, 5)),
    )


def _distinct_count(values: pd.Series) -> int:
    """How many different texts: sorted, then each one unlike the one before. (A hash table
    of 1,000,000 names costs about 100 MB; the sorted copy, in Arrow's buffers, half that.)"""
    text = pa.array(values.astype("str"))
    ordered = pc.take(text, pc.sort_indices(text))
    return int(pc.sum(pc.not_equal(ordered[1:], ordered[:-1])).as_py() or 0) + 1


def _first_distinct(values: pd.Series, n: int) -> list[str]:
    """The first `n` different texts, in the order they come."""
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(str(value))
        if len(seen) == n:
            break
    return list(seen)


def sheet_note(tr: Translator, sheet: str, sheets: tuple[str, ...]) -> str:
    return tr(SHEET_READ, sheet=sheet, sheets=", ".join(sheets))


QUOTED_CHARS = 120  # characters of a cell quoted in a message
# A list of rows in a message names at most this many runs of consecutive rows.
ROW_RUNS_SHOWN = 5


def row_groups(keys: pd.DataFrame, rows: pd.Series, tr: Translator) -> pd.DataFrame:
    """Per group of `keys` (one line per group, indexed by the group's first cell): the first
    row, the number of rows and a bounded list of the rows ("2–10001" or "2, 4, 6, 8, 10, …"),
    built from runs of consecutive rows so its length does not grow with the group."""
    key = list(keys.columns)
    ordered = keys.assign(_row=rows.to_numpy(), _cell=rows.index.to_numpy()).sort_values(
        [*key, "_row"], kind="stable"
    )
    ordered = ordered.drop_duplicates([*key, "_row"])
    group = ordered.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    row = ordered["_row"].to_numpy()
    new_group = np.r_[True, group[1:] != group[:-1]]
    new_run = new_group | np.r_[True, row[1:] != row[:-1] + 1]
    run = np.cumsum(new_run) - 1
    runs = pd.DataFrame({"group": group, "run": run, "row": row})
    spans = runs.groupby("run", sort=True).agg(
        group=("group", "first"), start=("row", "min"), end=("row", "max")
    )
    spans["rank"] = spans.groupby("group").cumcount()
    shown = spans[spans["rank"] < ROW_RUNS_SHOWN]
    text = (
        shown["start"]
        .astype(str)
        .where(
            shown["start"] == shown["end"],
            shown["start"].astype(str) + "–" + shown["end"].astype(str),
        )
    )
    listed = text.groupby(shown["group"]).agg(", ".join)
    many = spans.groupby("group")["rank"].max() >= ROW_RUNS_SHOWN
    listed = listed.where(~many.reindex(listed.index, fill_value=False), listed + ", …")
    firsts = pd.Series(new_group).to_numpy()
    summary = pd.DataFrame(
        {
            "group": group[firsts],
            "first_cell": ordered["_cell"].to_numpy()[firsts],
            "first": row[firsts],
            "count": np.bincount(group),
        }
    )
    summary["rows"] = summary["group"].map(listed)
    summary["count_text"] = summary["count"].map(lambda n: tr.number(int(n)))
    return summary.set_index("first_cell")


def problem_frame(
    rows: pd.Series, columns: pd.Series, code: str, messages: pd.Series, values: pd.Series
) -> pd.DataFrame:
    """Problems of the long table's cells; `cell` is the index of the value cell concerned."""
    return pd.DataFrame(
        {
            "cell": rows.index.to_numpy(),
            "row": rows.to_numpy(),
            "column": columns.astype(str).to_numpy(),
            "code": code,
            "message": messages.to_numpy(),
            "value": values.astype(str).to_numpy(),
        }
    )


def empty_problems() -> pd.DataFrame:
    types = {"cell": "int64", "row": "int64"}
    return pd.DataFrame(
        {c: pd.Series(dtype=types.get(c, object)) for c in ["cell", *PROBLEM_COLUMNS]}
    )


def for_people(problems: pd.DataFrame) -> pd.DataFrame:
    """One line per row, column and problem (a wide row's bad city is reported once)."""
    return (
        problems[PROBLEM_COLUMNS]
        .drop_duplicates(["row", "column", "code", "message"])
        .sort_values(["row", "column"], kind="stable")
        .reset_index(drop=True)
    )


def render(tr: Translator, template: str, frame: pd.DataFrame) -> pd.Series:
    """One message per row of `frame`, formatting the template with its columns.

    Messages are formatted once per distinct set of values, so a file with the same mistake
    on many rows costs one format call per distinct mistake."""
    if frame.empty:
        return pd.Series([], dtype=object, index=frame.index)
    text = tr(template)
    keys = frame.astype(str).astype(object)
    # A person's cell quoted in a message is cut short: a message stays a line, whatever the cell.
    long = keys.apply(lambda column: column.str.len() > QUOTED_CHARS)
    if long.to_numpy().any():
        keys = keys.where(~long, keys.apply(lambda c: c.str.slice(0, QUOTED_CHARS) + "…"))
    distinct = keys.drop_duplicates()
    distinct["_message"] = [
        text.format(**dict(zip(keys.columns, row, strict=True)))
        for row in distinct.itertuples(index=False, name=None)
    ]
    messages = keys.merge(distinct, on=list(keys.columns), how="left")["_message"]
    return pd.Series(messages.to_numpy(), index=frame.index)
