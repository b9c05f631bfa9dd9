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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from mne.intake.problems import FileProblem
from mne.text import fold

DEFAULT_MAX_MB = 50
# Columns a file may have (MNE_MAX_COLUMNS): a wide file of years or indicators has tens;
# a line of 100,000 separators would otherwise cost minutes and gigabytes.
DEFAULT_MAX_COLUMNS = 1000
# Characters a cell may hold (MNE_MAX_CELL_CHARS): a note is a paragraph, not a book.
DEFAULT_MAX_CELL_CHARS = 10_000
# What an .xlsx may unpack to (MNE_MAX_XLSX_UNPACKED_MB), whatever the file's own size: XML
# is read at a few MB a second.
DEFAULT_MAX_XLSX_UNPACKED_MB = 100
# An .xlsx (a zip) unpacking to more than this many times its own size is refused (once over
# the floor below): spreadsheets compress about 5 to 10 times; zip bombs hundreds of times.
XLSX_MAX_RATIO = 40
XLSX_RATIO_FLOOR_MB = 20
# Cells of a sheet read at most (MNE_MAX_CELLS), counted while its rows are read.
DEFAULT_MAX_CELLS = 5_000_000
# An .xlsx is a zip: refuse one whose parts add up to more than this many times the limit.
XLSX_UNPACK_FACTOR = 10
SEPARATORS = ",;\t|"
HEADER_SEARCH_ROWS = 10
# Share of control characters above which decoded "text" is taken for a binary file.
BINARY_CONTROL_SHARE = 0.01

# Headers (folded) of the place a row is about, from the most specific level (the city, its
# code) to the least (a country). When a file has several, the most specific level filled in on
# a row names its place; the others are context.
GEOGRAPHY_LEVELS = [
    [
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
        "nama kota",
        "kabupaten kota",
        "nama kabupaten kota",
        "kab kota",
        "kabupaten",
        "nama kabupaten",
        "orgunit",
        "org unit",
        "organisation unit",
        "organisationunit",
        "geocode",
        "location",
        "local authority",
        "municipality",
        "ten thanh pho",
        "ten do thi",
        "city name",
    ],
    ["tinh", "ten tinh", "province", "provinsi", "nama provinsi", "region", "wilayah", "vung"],
    ["geography", "country", "country name", "country code", "ref area", "negara", "quoc gia"],
]
GEOGRAPHY_HEADERS = [name for level in GEOGRAPHY_LEVELS for name in level]
# Header names (folded) that identify each role; the first match wins.
COLUMN_NAMES = {
    "city": GEOGRAPHY_HEADERS,
    "indicator": [
        "indicator",
        "indicator code",
        "ma chi tieu",
        "chi tieu",
        "chi so",
        "indikator",
        "kode indikator",
        "dataelement",
        "data element",
        "series",
        "series code",
        "ten chi tieu",
        "indicator name",
        "series name",
    ],
    "period": ["period", "year", "nam", "ky", "ky bao cao", "tahun", "periode", "time period"],
    "value": ["value", "gia tri", "so lieu", "nilai", "obs value"],
    "note": ["note", "ghi chu", "catatan", "comment", "comment obs"],
    "source": ["source", "nguon", "nguon so lieu", "sumber"],
}
# The unit a value is measured in, and breakdowns (a value for part of the population).
UNIT_HEADERS = ["unit", "units", "unit measure", "unit of measure", "don vi tinh", "dvt", "satuan"]
BREAKDOWN_HEADERS = [
    "sex",
    "gender",
    "age",
    "age group",
    "gioi tinh",
    "nhom tuoi",
    "do tuoi",
    "jenis kelamin",
    "kelompok umur",
    "umur",
]
KNOWN_HEADERS = {
    *(name for names in COLUMN_NAMES.values() for name in names),
    *UNIT_HEADERS,
    *BREAKDOWN_HEADERS,
}
# Columns of a wide file that hold no values even when they hold numbers (row numbers).
ROW_NUMBER_HEADERS = {"stt", "tt", "no", "so tt", "so thu tu", "nomor", "row"}
# DHIS2's data value CSV, in the documented column order (a file may come without its header).
DHIS2_ORDER = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
    "deleted",
]
_DHIS2_UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
_PERIODISH = re.compile(r"^\d{4}([-Q]?\w{0,3})?$")
_NUMBER_CELL = re.compile(r"^[+-]?\d[\d.,\s]*$")
# Sheets of a workbook looked at to find the one that holds the data.
SHEET_SCAN_ROWS = 12

# Signs of Vietnamese in text decoded as Windows-1258: a tone mark after a vowel, or đ (in
# Windows-1252 the same bytes are rare letters: Ì Ò Þ ì ò ð).
_CP1258_EVIDENCE = re.compile("[aeiouyăâêôơưAEIOUYĂÂÊÔƠƯ][\u0300\u0301\u0303\u0309\u0323]|[đĐ]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SEPARATOR_HINT = re.compile(r"^\ufeff?sep=(.)\r?\n", re.IGNORECASE)


def max_upload_bytes() -> int:
    return int(float(os.environ.get("MNE_MAX_UPLOAD_MB", DEFAULT_MAX_MB)) * 1024 * 1024)


def _limit(name: str, default: float) -> float:
    try:
        return max(1.0, float(os.environ.get(name, default)))
    except ValueError:
        return default


def max_columns() -> int:
    return int(_limit("MNE_MAX_COLUMNS", DEFAULT_MAX_COLUMNS))


def max_cell_chars() -> int:
    return int(_limit("MNE_MAX_CELL_CHARS", DEFAULT_MAX_CELL_CHARS))


def max_cells() -> int:
    return int(_limit("MNE_MAX_CELLS", DEFAULT_MAX_CELLS))


def max_xlsx_unpacked_bytes(packed: int) -> int:
    """What an .xlsx of `packed` bytes may unpack to: the absolute limit, and no more than
    XLSX_MAX_RATIO times its size once over the floor."""
    absolute = _limit("MNE_MAX_XLSX_UNPACKED_MB", DEFAULT_MAX_XLSX_UNPACKED_MB) * 2**20
    by_ratio = max(XLSX_MAX_RATIO * packed, XLSX_RATIO_FLOOR_MB * 2**20)
    return int(min(absolute, by_ratio))


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
    sheet: str = ""  # the sheet read (xlsx), and every sheet of the workbook
    sheets: tuple[str, ...] = ()
    # The header row is not names but values ("ACEH", "11934"): the file has no header row.
    header_is_data: bool = False
    headerless: str = ""  # the layout whose documented columns stood in for a missing header


def read_table(data: bytes, file_name: str, sheet: str | None = None) -> RawTable:
    """Read an uploaded file, or raise FileProblem for a whole-file problem. `sheet` names the
    workbook's sheet to read (default: the template's Data sheet, else the sheet whose top
    rows look most like a header)."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise FileProblem("too_large", size=len(data) / 2**20, limit=limit / 2**20)
    if data[:4] == b"PK\x03\x04":
        unpack_limit = min(limit * XLSX_UNPACK_FACTOR, max_xlsx_unpacked_bytes(len(data)))
        return _read_xlsx(data, unpack_limit, sheet)
    text, encoding = decode(data)
    if not text.strip():
        raise FileProblem("empty")
    text, hinted = _separator_hint(text)
    separator = hinted or choose_separator(text)
    grid = _parse_csv(text, separator)
    head = _header_and_body(grid, _top_widths(text, separator))
    return RawTable(
        head.cells,
        head.rows,
        "csv",
        None,
        encoding,
        separator,
        head.overflow,
        header_is_data=head.header_is_data,
        headerless=head.headerless,
    )


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with; FileProblem for a binary file."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _text(data.decode("utf-8-sig")), "utf-8-sig"
        except UnicodeDecodeError:
            _refuse_mostly_utf8(data[len(codecs.BOM_UTF8) :])
            raise FileProblem("not_a_table") from None
    for bom, name in (
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
        _refuse_mostly_utf8(data)
    vietnamese = data.decode("cp1258", errors="replace")
    if _CP1258_EVIDENCE.search(vietnamese):
        return _text(vietnamese), "cp1258"
    return _text(data.decode("cp1252", errors="replace")), "cp1252"


_BAD_BYTE = re.compile("[\udc80-\udcff]")
_GOOD_NON_ASCII = re.compile("[\u0080-\ud7ff\ue000-\uffff\U00010000-\U0010ffff]")
ROWS_LISTED = 5


def _refuse_mostly_utf8(data: bytes) -> None:
    """A UTF-8 file with a few rows in another encoding (a row pasted from an old program):
    FileProblem naming those rows, instead of reading the whole file in that encoding and
    turning every Vietnamese name into mojibake. Returns when the file has no UTF-8 letters
    at all (a Windows-1258 or -1252 file, read as such)."""
    text = data.decode("utf-8", errors="surrogateescape")
    if _GOOD_NON_ASCII.search(text) is None:
        return
    newlines = np.array([m.start() for m in re.finditer("\n", text)], dtype=np.int64)
    bad = np.array([m.start() for m in _BAD_BYTE.finditer(text)], dtype=np.int64)
    lines = np.unique(np.searchsorted(newlines, bad)) + 1  # 1-based line numbers
    first = int(lines[0])
    start = int(newlines[first - 2]) + 1 if first > 1 else 0
    line = text[start:].split("\n", 1)[0]
    # The row as UTF-8 reads it, the unreadable bytes shown as �: where to look.
    sample = line.encode("utf-8", errors="surrogateescape").decode("utf-8", errors="replace")
    shown = ", ".join(str(int(n)) for n in lines[:ROWS_LISTED])
    raise FileProblem(
        "mixed_encoding",
        count=len(lines),
        rows=shown + (", …" if len(lines) > ROWS_LISTED else ""),
        sample=sample.strip()[:60],
    )


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
    width, line = _widest_line(text, separator)
    if width > max_columns():
        raise FileProblem("too_many_columns", line=line, cells=width, limit=max_columns())
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


def _widest_line(text: str, separator: str) -> tuple[int, int]:
    """An upper bound of the cells on a line (separators per line, quoted ones included, + 1)
    and that line's number, counted over the whole text at once."""
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    separators = np.flatnonzero(data == ord(separator))
    if separators.size == 0:
        return 1, 1
    newline = data == ord("\n")
    line_ends = np.flatnonzero(newline | (data == ord("\r")))
    line_of = np.searchsorted(line_ends, separators)
    counts = np.bincount(line_of)
    widest = int(counts.argmax())
    first = int(separators[np.searchsorted(line_of, widest)])
    breaks = newline if newline.any() else data == ord("\r")  # old Mac files end lines in CR
    return int(counts[widest]) + 1, int(breaks[:first].sum()) + 1


@dataclass
class _Head:
    cells: pd.DataFrame
    rows: pd.Series
    keep: list[int]
    overflow: pd.DataFrame
    header_is_data: bool
    headerless: str


def _header_and_body(grid: pd.DataFrame, top_widths: list[int] | None = None) -> _Head:
    """Find the header among the first lines; the cells below it, their row numbers, the
    positions of the columns kept (those with a name) and each line's overflow (see RawTable)
    beyond the header's width, known from `top_widths` (cells in each top record). A DHIS2
    file without its header row gets DHIS2's documented column names."""
    text = grid.fillna("").astype(str).apply(lambda column: column.str.strip())
    filled = text != ""
    if not filled.to_numpy().any():
        raise FileProblem("empty")
    header_at = _find_header(text, filled)
    width = grid.shape[1]
    if top_widths is not None and header_at < len(top_widths):
        width = top_widths[header_at]
    header = list(text.iloc[header_at])
    headerless = ""
    body_from = header_at + 1
    if _is_dhis2_row(header):
        headerless, body_from = "dhis2", header_at
        header = [*DHIS2_ORDER, *[""] * len(header)][: len(header)]
    body = text.iloc[body_from:]
    body = body[filled.iloc[body_from:].any(axis=1)]
    keep = [i for i, h in enumerate(header) if h]  # unnamed columns are left out
    _refuse_repeated_headers(header, keep)
    cells = body.iloc[:, keep]
    cells.columns = [header[i] for i in keep]
    if cells.empty:
        raise FileProblem("header_only")
    rows = pd.Series(body.index.to_numpy(), name="row")
    overflow = _overflow(body.iloc[:, width:], width)
    return _Head(
        cells.reset_index(drop=True),
        rows,
        keep,
        overflow,
        not headerless and _is_data_row(header),
        headerless,
    )


def _is_dhis2_row(cells: list[str]) -> bool:
    """A first row that is DHIS2 data, not a header: a period second, a category option
    combination (a DHIS2 identifier) fourth, and no known column name."""
    filled = [c for c in cells if c]
    if len(cells) < 6 or len(filled) < 5 or {fold(c) for c in filled} & KNOWN_HEADERS:
        return False
    return bool(_PERIODISH.match(cells[1]) and _DHIS2_UID.match(cells[3]))


def _is_data_row(cells: list[str]) -> bool:
    """A header that holds a number other than a year is a row of data."""
    for cell in cells:
        if _NUMBER_CELL.match(cell) and not re.fullmatch(r"(19|20)\d\d", cell):
            return True
    return False


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


def read_sheet_names(data: bytes) -> tuple[str, ...]:
    """The sheets of a workbook (empty for a CSV or a file that is no workbook)."""
    if data[:4] != b"PK\x03\x04":
        return ()
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        names = tuple(workbook.sheetnames)
        workbook.close()
    except Exception:  # read_table reports a damaged workbook properly
        return ()
    return names


def _sheet_score(rows: list[list[object]]) -> tuple[int, int]:
    """(known column names and period headers of the best top line, filled cells): the sheet
    that scores highest is the one holding the data."""
    best = 0
    filled = 0
    for line in rows:
        texts = [_cell_text(value) for value in line]
        filled += sum(1 for t in texts if t)
        folded = {fold(t) for t in texts if t}
        years = sum(1 for t in texts if re.fullmatch(r"(19|20)\d\d", t))
        best = max(best, len(folded & KNOWN_HEADERS) + min(years, 2))
    return best, filled


def _choose_sheet(workbook: object, wanted: str | None) -> str:
    names: list[str] = list(workbook.sheetnames)  # type: ignore[attr-defined]
    if wanted:
        if wanted not in names:
            raise FileProblem("no_such_sheet", sheet=wanted, sheets=", ".join(names))
        return wanted
    if "Data" in names:  # the template's sheet
        return "Data"
    scores = {
        name: _sheet_score(
            [
                [cell.value for cell in line]
                for line in itertools.islice(
                    workbook[name].iter_rows(),  # type: ignore[index]
                    SHEET_SCAN_ROWS,
                )
            ]
        )
        for name in names
    }
    return max(names, key=lambda name: scores[name])  # ties: the first sheet


def _read_xlsx(data: bytes, unpack_limit: int, sheet_name: str | None = None) -> RawTable:
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
        sheets = tuple(workbook.sheetnames)
        chosen = _choose_sheet(workbook, sheet_name)
        sheet = workbook[chosen]
        lines = _sheet_lines(sheet.iter_rows())
        workbook.close()
    except FileProblem:
        raise
    except Exception as error:  # openpyxl, zipfile, zlib and XML raise many kinds
        raise FileProblem("bad_xlsx", detail=type(error).__name__) from error
    try:
        return _xlsx_table(lines, chosen, sheets)
    except FileProblem as problem:
        problem.sheet, problem.sheets = chosen, sheets
        raise


def _sheet_lines(rows: Iterator[Any]) -> list[tuple[list[object], list[str]]]:
    """Each row's values and number formats; FileProblem as soon as a row is wider than the
    column limit or the sheet holds more cells than the cell limit."""
    columns, cells = max_columns(), max_cells()
    lines: list[tuple[list[object], list[str]]] = []
    read = 0
    for number, line in enumerate(rows, start=1):
        if len(line) > columns:
            raise FileProblem("too_many_columns", line=number, cells=len(line), limit=columns)
        read += len(line)
        if read > cells:
            raise FileProblem("too_many_cells", limit=cells)
        lines.append(
            ([cell.value for cell in line], [getattr(cell, "number_format", "") for cell in line])
        )
    return lines


def _xlsx_table(
    lines: list[tuple[list[object], list[str]]], chosen: str, sheets: tuple[str, ...]
) -> RawTable:
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
    head = _header_and_body(grid, None)
    typed = is_number.loc[head.rows.to_numpy()].iloc[:, head.keep]
    typed.columns = head.cells.columns
    return RawTable(
        head.cells,
        head.rows,
        "xlsx",
        typed.reset_index(drop=True),
        sheet=chosen,
        sheets=sheets,
        header_is_data=head.header_is_data,
        headerless=head.headerless,
    )


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
