"""From the bytes of an uploaded file to a table of text cells with spreadsheet row numbers.

CSV: the encoding is found from a byte-order mark, then strict UTF-8, then charset-normalizer
choosing between Windows-1258 (Vietnamese) and Windows-1252; the separator by csv.Sniffer
among , ; tab |. Excel: the first sheet (or the template's "Data" sheet), read with openpyxl
after checking how large the file unpacks. The header need not be on the first line: title
lines above it are skipped, and every cell keeps the row number a person sees.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import unicodedata
import zipfile
from dataclasses import dataclass

import pandas as pd
from charset_normalizer import from_bytes

from mne.intake.problems import FileProblem
from mne.text import fold

DEFAULT_MAX_MB = 50
# An .xlsx is a zip: refuse one whose parts add up to more than this many times the limit.
XLSX_UNPACK_FACTOR = 10
SEPARATORS = ",;\t|"
HEADER_SEARCH_ROWS = 10

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
        "location",
        "geocode",
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
    ],
    "period": ["period", "year", "nam", "ky", "ky bao cao", "tahun", "periode", "time period"],
    "value": ["value", "gia tri", "so lieu", "nilai", "obs value"],
    "note": ["note", "ghi chu", "catatan", "comment", "comment obs"],
    "source": ["source", "nguon", "nguon so lieu", "sumber"],
}
KNOWN_HEADERS = {name for names in COLUMN_NAMES.values() for name in names}


def max_upload_bytes() -> int:
    return int(float(os.environ.get("MNE_MAX_UPLOAD_MB", DEFAULT_MAX_MB)) * 1024 * 1024)


@dataclass
class RawTable:
    """Text cells under their header; `rows` holds the spreadsheet row of each line and
    `typed_numbers` marks the cells that Excel stored as numbers (already unambiguous)."""

    cells: pd.DataFrame
    rows: pd.Series
    file_format: str  # csv / xlsx
    typed_numbers: pd.DataFrame | None = None
    encoding: str = ""
    separator: str = ""


def read_table(data: bytes, file_name: str) -> RawTable:
    """Read an uploaded file, or raise FileProblem for a whole-file problem."""
    limit = max_upload_bytes()
    if len(data) > limit:
        raise FileProblem("too_large", size=round(len(data) / 2**20, 1), limit=limit // 2**20)
    if not data.strip():
        raise FileProblem("empty")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, limit * XLSX_UNPACK_FACTOR)
    text, encoding = decode(data)
    separator = sniff_separator(text)
    grid = _parse_csv(text, separator)
    cells, rows, _ = _header_and_body(grid)
    return RawTable(cells, rows, "csv", None, encoding, separator)


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read with."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _nfc(data.decode(name)), name
    try:
        return _nfc(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:1_000_000], cp_isolation=["cp1258", "cp1252"]).best()
    encoding = best.encoding if best is not None else "cp1252"
    return _nfc(data.decode(encoding, errors="replace")), encoding


def _nfc(text: str) -> str:
    """Composed Unicode: Windows-1258 and macOS write Vietnamese tone marks as separate
    characters, which must compare equal to the composed letters."""
    return unicodedata.normalize("NFC", text)


def sniff_separator(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        counts = {sep: sample.count(sep) for sep in SEPARATORS}
        best = max(counts, key=lambda sep: counts[sep])
        if counts[best] == 0:
            return ","  # one column; the shape check says what is missing
        return best


def _parse_csv(text: str, separator: str) -> pd.DataFrame:
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
            quotechar='"',
        )
    except (pd.errors.ParserError, UnicodeError, ValueError) as error:
        raise FileProblem("not_a_table") from error
    # Line numbers: pandas counts records; with no multi-line cells they are the file's lines.
    grid.index = pd.RangeIndex(1, len(grid) + 1)
    return grid


def _header_and_body(grid: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, list[int]]:
    """Find the header among the first lines; the cells below it, their row numbers and the
    positions of the columns kept (those with a name)."""
    grid = grid.fillna("")
    header_at = _find_header(grid)
    header = [str(h).strip() for h in grid.iloc[header_at]]
    body = grid.iloc[header_at + 1 :]
    body = body[(body.astype(str).apply(lambda c: c.str.strip()) != "").any(axis=1)]
    named = [h if h else f"column {i + 1}" for i, h in enumerate(header)]
    keep = [i for i, h in enumerate(header) if h]  # unnamed trailing columns are dropped
    if not keep:
        raise FileProblem("not_a_table")
    cells = body.iloc[:, keep].astype(str)
    cells.columns = [named[i] for i in keep]
    if cells.empty:
        raise FileProblem("header_only")
    return cells.reset_index(drop=True), pd.Series(body.index.to_numpy(), name="row"), keep


def _find_header(grid: pd.DataFrame) -> int:
    """The first of the top lines with a known column name (title lines may sit above)."""
    for position in range(min(HEADER_SEARCH_ROWS, len(grid))):
        names = {fold(str(v)) for v in grid.iloc[position]}
        if names & KNOWN_HEADERS:
            return position
    for position in range(min(HEADER_SEARCH_ROWS, len(grid))):
        if (grid.iloc[position].astype(str).str.strip() != "").sum() >= 2:
            return position
    raise FileProblem("not_a_table")


def _read_xlsx(data: bytes, unpack_limit: int) -> RawTable:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise FileProblem("bad_xlsx", detail="zip") from error
    if unpacked > unpack_limit:
        raise FileProblem("xlsx_too_large", limit=unpack_limit // 2**20)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise FileProblem("bad_xlsx", detail=type(error).__name__) from error
    sheet = workbook["Data"] if "Data" in workbook.sheetnames else workbook.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    workbook.close()
    if not values:
        raise FileProblem("empty")
    raw = pd.DataFrame(values)
    raw.index = pd.RangeIndex(1, len(raw) + 1)
    is_number = raw.map(lambda v: isinstance(v, int | float) and not isinstance(v, bool))
    grid = raw.map(_cell_text)
    cells, rows, keep = _header_and_body(grid)
    typed = is_number.loc[rows.to_numpy()].iloc[:, keep]
    typed.columns = cells.columns
    return RawTable(cells, rows, "xlsx", typed.reset_index(drop=True))


def _cell_text(value: object) -> str:
    """Excel cells as text: numbers written plainly (2024, 12.5), so they parse unambiguously."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if hasattr(value, "year") and hasattr(value, "month"):
        return f"{value.year:04d}-{value.month:02d}"  # type: ignore[attr-defined]
    return str(value).strip()
