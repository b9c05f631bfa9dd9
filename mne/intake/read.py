"""From the bytes of an uploaded file to a table of text cells with spreadsheet row numbers.

CSV: the encoding is found from a byte-order mark, then strict UTF-8, then Windows-1258
(Vietnamese) when the text has its separate tone marks after vowels (or đ), else
Windows-1252. (charset-normalizer was tried and mistook Portuguese "São" for Vietnamese.) The
separator (, ; tab |) is the one that splits a line of the top of the file into known column
names (Excel's "sep=;" first line is obeyed), else csv.Sniffer's guess. Excel: the template's
"Data" sheet or the first sheet, read with openpyxl after checking how large the file unpacks.
The header need not be on the first line: title lines above it are skipped, and every cell
keeps the row number a person sees in a spreadsheet.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from mne.intake.problems import FileProblem
from mne.text import fold

DEFAULT_MAX_MB = 50
# An .xlsx is a zip: refuse one whose parts add up to more than this many times the limit.
XLSX_UNPACK_FACTOR = 10
SEPARATORS = ",;\t|"
HEADER_SEARCH_ROWS = 10
# Share of control characters above which decoded "text" is taken for a binary file.
BINARY_CONTROL_SHARE = 0.01

# Header names (folded) that identify each role; the first match wins.
COLUMN_NAMES = {
    "city": [
        "city",
        "city code",
        "ma thanh pho",
        "thanh pho",
        "do thi",
        "tinh thanh pho",
        "tinh thanh",
        "don vi",
        "kota",
        "kode kota",
        "orgunit",
        "geocode",
        "location",
        "ten thanh pho",
        "ten do thi",
        "city name",
    ],
    "indicator": [
        "indicator",
        "indicator code",
        "ma chi tieu",
        "chi tieu",
        "chi so",
        "indikator",
        "kode indikator",
        "dataelement",
        "series",
        "ten chi tieu",
        "indicator name",
    ],
    "period": ["period", "year", "nam", "ky", "ky bao cao", "tahun", "periode", "time period"],
    "value": ["value", "gia tri", "so lieu", "nilai", "obs value"],
    "note": ["note", "ghi chu", "catatan", "comment", "comment obs"],
    "source": ["source", "nguon", "nguon so lieu", "sumber"],
}
KNOWN_HEADERS = {name for names in COLUMN_NAMES.values() for name in names}
# Columns of a wide file that hold no values even when they hold numbers (row numbers).
ROW_NUMBER_HEADERS = {"stt", "tt", "no", "so tt", "so thu tu", "nomor", "row"}

# Signs of Vietnamese in text decoded as Windows-1258: a tone mark after a vowel, or đ (in
# Windows-1252 the same bytes are rare letters: Ì Ò Þ ì ò ð).
_CP1258_EVIDENCE = re.compile("[aeiouyăâêôơưAEIOUYĂÂÊÔƠƯ][\u0300\u0301\u0303\u0309\u0323]|[đĐ]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SEPARATOR_HINT = re.compile(r"^\ufeff?sep=(.)\r?\n", re.IGNORECASE)


def max_upload_bytes() -> int:
    return int(float(os.environ.get("MNE_MAX_UPLOAD_MB", DEFAULT_MAX_MB)) * 1024 * 1024)


@dataclass
class RawTable:
    """Text cells under their header; `rows` holds the spreadsheet row of each line and
    `typed_numbers` marks the cells that Excel stored as numbers (already unambiguous).
    `overflow` (CSV only) names, for each line, the first non-empty cell beyond the header's
    last column ("column" and "value", empty strings when there is none): the sign of a
    comma inside an unquoted number, which must never be dropped silently."""

    cells: pd.DataFrame
    rows: pd.Series
    file_format: str  # csv / xlsx
    typed_numbers: pd.DataFrame | None = None
    encoding: str = ""
    separator: str = ""
    overflow: pd.DataFrame | None = None


def read_table(data: bytes, file_name: str) -> RawTable:
    """Read an uploaded file, or raise FileProblem for a whole-file problem."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise FileProblem("too_large", size=len(data) / 2**20, limit=limit / 2**20)
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, limit * XLSX_UNPACK_FACTOR)
    text, encoding = decode(data)
    if not text.strip():
        raise FileProblem("empty")
    text, hinted = _separator_hint(text)
    separator = hinted or choose_separator(text)
    grid = _parse_csv(text, separator)
    cells, rows, _keep, overflow = _header_and_body(grid, _top_widths(text, separator))
    return RawTable(cells, rows, "csv", None, encoding, separator, overflow)


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with; FileProblem for a binary file."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return _text(data.decode(name)), name
            except UnicodeDecodeError as error:
                raise FileProblem("not_a_table") from error
    if b"\x00" in data:
        raise FileProblem("not_a_table")
    try:
        return _text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    vietnamese = data.decode("cp1258", errors="replace")
    if _CP1258_EVIDENCE.search(vietnamese):
        return _text(vietnamese), "cp1258"
    return _text(data.decode("cp1252", errors="replace")), "cp1252"


def _text(text: str) -> str:
    """Composed Unicode (Windows-1258 and macOS write Vietnamese tone marks as separate
    characters, which must compare equal to the composed letters); binary files refused."""
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) > BINARY_CONTROL_SHARE * len(sample):
        raise FileProblem("not_a_table")
    return unicodedata.normalize("NFC", text)


def _separator_hint(text: str) -> tuple[str, str | None]:
    """Excel's optional first line "sep=;" names the separator; Excel does not show it, so
    the rows are counted from the line after it."""
    hint = _SEPARATOR_HINT.match(text)
    if hint is None:
        return text, None
    return text[hint.end() :], hint.group(1)


def choose_separator(text: str) -> str:
    """The separator that splits a top line into the most known column names (ties: the
    most columns), else csv.Sniffer's guess, else the most frequent one."""
    top = list(itertools.islice(io.StringIO(text), HEADER_SEARCH_ROWS * 2))
    scores = {separator: _header_score(top, separator) for separator in SEPARATORS}
    best = max(SEPARATORS, key=lambda separator: scores[separator])
    if scores[best][0] > 0:
        return best
    sample = "".join(top)
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        counts = {separator: sample.count(separator) for separator in SEPARATORS}
        return max(SEPARATORS, key=lambda separator: counts[separator])


def _header_score(lines: list[str], separator: str) -> tuple[int, int]:
    """(known column names, columns) of the line that has the most known names."""
    try:
        split = list(csv.reader(lines, delimiter=separator))
    except csv.Error:
        return (0, 0)
    return max(
        ((len({fold(cell) for cell in row} & KNOWN_HEADERS), len(row)) for row in split),
        default=(0, 0),
    )


def _parse_csv(text: str, separator: str) -> pd.DataFrame:
    """Every line as a row of text cells (missing cells empty), indexed by the row number a
    spreadsheet shows. Lines may have different numbers of cells (title lines, a row with a
    stray separator): the grid is as wide as the widest line."""
    width = _widest_line(text, separator)
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            header=None,
            names=range(width),
            dtype=str,
            keep_default_na=False,
            na_values=[],
            skip_blank_lines=False,
            engine="c",
            quotechar='"',
        )
    except (pd.errors.ParserError, UnicodeError, ValueError) as error:
        raise FileProblem("not_a_table") from error
    # pandas counts records (a cell written on two lines is one record), as a spreadsheet
    # counts rows.
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    return grid


def _top_widths(text: str, separator: str) -> list[int]:
    """The number of cells of each of the top records (the header is among them)."""
    top = itertools.islice(io.StringIO(text), HEADER_SEARCH_ROWS * 4)
    try:
        return [len(record) for record in csv.reader(top, delimiter=separator)]
    except csv.Error:
        return []


def _widest_line(text: str, separator: str) -> int:
    """An upper bound of the cells on a line: separators per line (quoted ones included) + 1,
    counted over the whole text at once."""
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    separators = np.flatnonzero(data == ord(separator))
    if separators.size == 0:
        return 1
    line_ends = np.flatnonzero((data == ord("\n")) | (data == ord("\r")))
    line_of = np.searchsorted(line_ends, separators)
    return int(np.bincount(line_of).max()) + 1


def _header_and_body(
    grid: pd.DataFrame, top_widths: list[int] | None = None
) -> tuple[pd.DataFrame, pd.Series, list[int], pd.DataFrame]:
    """Find the header among the first lines; the cells below it, their row numbers, the
    positions of the columns kept (those with a name) and each line's overflow (see RawTable)
    beyond the header's width, known from `top_widths` (cells in each top record)."""
    text = grid.fillna("").astype(str).apply(lambda column: column.str.strip())
    filled = text != ""
    if not filled.to_numpy().any():
        raise FileProblem("empty")
    header_at = _find_header(text, filled)
    width = grid.shape[1]
    if top_widths is not None and header_at < len(top_widths):
        width = top_widths[header_at]
    header = list(text.iloc[header_at])
    body = text.iloc[header_at + 1 :]
    body = body[filled.iloc[header_at + 1 :].any(axis=1)]
    keep = [i for i, h in enumerate(header) if h]  # unnamed columns are left out
    _refuse_repeated_headers(header, keep)
    cells = body.iloc[:, keep]
    cells.columns = [header[i] for i in keep]
    if cells.empty:
        raise FileProblem("header_only")
    rows = pd.Series(body.index.to_numpy(), name="row")
    overflow = _overflow(body.iloc[:, width:], width)
    return cells.reset_index(drop=True), rows, keep, overflow


def _refuse_repeated_headers(header: list[str], keep: list[int]) -> None:
    """Two columns with the same name: which one holds the values is anybody's guess."""
    folded = pd.Series([fold(header[i]) for i in keep], index=keep)
    repeated = folded[folded.duplicated(keep=False) & (folded != "")]
    if repeated.empty:
        return
    first = repeated.index[0]
    positions = repeated[repeated == repeated[first]].index
    raise FileProblem(
        "repeated_column",
        name=header[first],
        columns=", ".join(str(position + 1) for position in positions),
    )


def _overflow(beyond: pd.DataFrame, width: int) -> pd.DataFrame:
    """Per line: the first non-empty cell to the right of the header's last column."""
    if beyond.shape[1] == 0:
        empty = np.full(len(beyond), "", dtype=object)
        return pd.DataFrame({"column": empty, "value": empty})
    filled = (beyond != "").to_numpy()
    first = filled.argmax(axis=1)
    has = filled.any(axis=1)
    values = beyond.to_numpy()[np.arange(len(beyond)), first]
    # Spreadsheet letters ("E"): what a person sees above the stray cell, in any language.
    positions = width + first + 1
    letters = {p: get_column_letter(int(p)) for p in np.unique(positions)}
    labels = pd.Series(positions).map(letters).to_numpy(dtype=object)
    return pd.DataFrame(
        {"column": np.where(has, labels, ""), "value": np.where(has, values, "")}
    ).astype(object)


def _find_header(text: pd.DataFrame, filled: pd.DataFrame) -> int:
    """Of the top lines, the one with the most known column names (title lines may sit
    above the header); without any, the first line with two cells filled in."""
    top = text.iloc[:HEADER_SEARCH_ROWS]
    known = [len({fold(v) for v in top.iloc[p]} & KNOWN_HEADERS) for p in range(len(top))]
    if max(known, default=0) > 0:
        return known.index(max(known))
    candidates = np.flatnonzero(filled.iloc[:HEADER_SEARCH_ROWS].sum(axis=1).to_numpy() >= 2)
    if candidates.size == 0:
        raise FileProblem("not_a_table")
    return int(candidates[0])


def _read_xlsx(data: bytes, unpack_limit: int) -> RawTable:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise FileProblem("bad_xlsx", detail="zip") from error
    if unpacked > unpack_limit:
        raise FileProblem("xlsx_too_large", limit=unpack_limit / 2**20)
    # openpyxl reads a sheet lazily, so a damaged sheet fails while its rows are read.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook["Data"] if "Data" in workbook.sheetnames else workbook.worksheets[0]
        lines = [
            ([cell.value for cell in line], [getattr(cell, "number_format", "") for cell in line])
            for line in sheet.iter_rows()
        ]
        workbook.close()
    except Exception as error:  # openpyxl, zipfile, zlib and XML raise many kinds
        raise FileProblem("bad_xlsx", detail=type(error).__name__) from error
    # object dtype keeps an empty cell None (pandas would make it NaN, written "nan").
    raw = pd.DataFrame([values for values, _formats in lines], dtype=object)
    if raw.empty:
        raise FileProblem("empty")
    raw.index = pd.RangeIndex(1, len(raw) + 1)
    formats = pd.DataFrame([formats for _values, formats in lines], index=raw.index, dtype=object)
    is_number = raw.map(type).isin([int, float])
    grid = raw.map(_cell_text).apply(lambda column: column.str.normalize("NFC"))
    # A cell shown as 45% holds 0.45: read it as the person sees it, "45%".
    shown_as_percent = is_number & formats.fillna("").astype(str).apply(
        lambda column: column.str.contains("%", regex=False)
    )
    if shown_as_percent.to_numpy().any():
        grid = grid.where(~shown_as_percent, raw.where(shown_as_percent).map(_percent_text))
    cells, rows, keep, _overflow_cells = _header_and_body(grid, None)
    typed = is_number.loc[rows.to_numpy()].iloc[:, keep]
    typed.columns = cells.columns
    return RawTable(cells, rows, "xlsx", typed.reset_index(drop=True))


def _percent_text(value: object) -> str:
    if not isinstance(value, int | float) or value != value:  # NaN: not shown as percent
        return ""
    return _cell_text(round(value * 100, 10)) + "%"


def _cell_text(value: object) -> str:
    """Excel cells as text: numbers written plainly (2024, 12.5), so they parse unambiguously."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.date | dt.datetime):
        return f"{value.year:04d}-{value.month:02d}"
    return str(value).strip()
