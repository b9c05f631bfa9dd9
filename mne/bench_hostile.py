"""`python -m mne bench hostile`: files made to cost time or memory, each checked (read, check,
diff: the Upload page's preview, `import --dry-run`) against a well-formed file of the same
byte size, in a fresh process each so its peak memory is its own.

A hostile file passes when it is checked within HOSTILE_TIME_FACTOR times the well-formed
file's time with a peak under HOSTILE_PEAK_MB, or is refused early with its message.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import resource
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mne.bench import BENCH_CITIES, BENCH_INDICATORS, FIRST_YEAR, _prepare_store

HOSTILE_TIME_FACTOR = 3.0
HOSTILE_PEAK_MB = 500
HEADER = "city,indicator,period,value\n"
BENCH_YEARS = 20


def repeated_rows(rows: int) -> bytes:
    """The same row `rows` times (the issue's 240 KB file at 10,000)."""
    return (HEADER + "VNHAN,QE_PM25,2023,40.1\n" * rows).encode()


def conflicting_repeats(rows: int) -> bytes:
    """One key, two values, alternating."""
    return (HEADER + "VNHAN,QE_PM25,2023,40.1\nVNHAN,QE_PM25,2023,41\n" * (rows // 2)).encode()


def trailing_commas(commas: int) -> bytes:
    """One row followed by `commas` separators (100 KB at 100,000)."""
    return (HEADER + "VNHAN,QE_PM25,2023,40.1" + "," * commas + "\n").encode()


def unknown_cities(rows: int) -> bytes:
    """`rows` rows, each naming a different city that is not in the catalog."""
    return (HEADER + "".join(f"Nowhere {n},QE_PM25,2023,40.1\n" for n in range(rows))).encode()


def well_formed_csv(size: int) -> bytes:
    """Distinct values of the bench cities and indicators, about `size` bytes."""
    lines: list[str] = [HEADER]
    written = len(HEADER)
    keys = BENCH_CITIES * BENCH_INDICATORS * BENCH_YEARS
    for n in range(keys):
        city, rest = divmod(n, BENCH_INDICATORS * BENCH_YEARS)
        indicator, year = divmod(rest, BENCH_YEARS)
        line = f"BX{city:05d},BENCH_{indicator:02d},{FIRST_YEAR + year},{100 + n % 9000}.25\n"
        if written + len(line) > size:
            break
        lines.append(line)
        written += len(line)
    return "".join(lines).encode()


_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def _inline_row(cells: list[str]) -> str:
    return (
        "<row>"
        + "".join(f'<c t="inlineStr"><is><t>{cell}</t></is></c>' for cell in cells)
        + "</row>"
    )


def inflating_xlsx(unpacked_mb: int) -> bytes:
    """A small workbook whose sheet unpacks to about `unpacked_mb` MB of repeated rows."""
    base = _small_workbook()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info.filename))
                continue
            row = _inline_row(["VNHAN", "QE_PM25", "2023", "40.1"]).encode()
            block = row * (2**20 // len(row) + 1)
            with target.open(info.filename, "w", force_zip64=True) as sheet:
                sheet.write(_SHEET_HEAD.encode())
                sheet.write(_inline_row(["city", "indicator", "period", "value"]).encode())
                for _ in range(unpacked_mb):
                    sheet.write(block)
                sheet.write(_SHEET_TAIL.encode())
    return out.getvalue()


def well_formed_xlsx(size: int) -> bytes:
    """A workbook of distinct bench values, about `size` bytes."""
    trial = 10_000
    per_row = len(_workbook(trial)) / trial
    rows = min(int(size / per_row), BENCH_CITIES * BENCH_INDICATORS * BENCH_YEARS)
    return _workbook(max(10, rows))


def _workbook(rows: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Data")
    sheet.append(["city", "indicator", "period", "value"])
    for n in range(rows):
        city, rest = divmod(n, BENCH_INDICATORS * BENCH_YEARS)
        indicator, year = divmod(rest, BENCH_YEARS)
        sheet.append(
            [f"BX{city:05d}", f"BENCH_{indicator:02d}", FIRST_YEAR + year, 100 + n % 9000 + 0.25]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _small_workbook() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["city"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@dataclass
class Case:
    name: str
    make: Callable[[], bytes]
    kind: str = "csv"  # csv / xlsx: the well-formed file it is compared with


CASES = [
    Case("10k repeated rows", lambda: repeated_rows(10_000)),
    Case("20k repeated rows", lambda: repeated_rows(20_000)),
    Case("200k repeated rows (10x)", lambda: repeated_rows(200_000)),
    Case("20k alternating conflicting rows", lambda: conflicting_repeats(20_000)),
    Case("200k alternating conflicting rows (10x)", lambda: conflicting_repeats(200_000)),
    Case("100k trailing commas", lambda: trailing_commas(100_000)),
    Case("1M trailing commas (10x)", lambda: trailing_commas(1_000_000)),
    Case("100k unknown cities", lambda: unknown_cities(100_000)),
    Case("1M unknown cities (10x)", lambda: unknown_cities(1_000_000)),
    Case("xlsx unpacking to 320 MB", lambda: inflating_xlsx(320), "xlsx"),
    Case("xlsx unpacking to 3.2 GB (10x)", lambda: inflating_xlsx(3200), "xlsx"),
]


def _check(url: str, path: Path) -> dict[str, Any]:
    """The preview of one file; what it said (refused with a message, or its counts)."""
    from db.engine import get_engine
    from mne import intake
    from mne.i18n import Translator

    preview = intake.check(get_engine(url), path.read_bytes(), path.name, Translator("en"))
    return {
        "refused": preview.file_problem,
        "errors": len(preview.errors) + preview.errors_left_off,
        "warnings": len(preview.warnings) + preview.warnings_left_off,
        "longest_message": int(
            max([0, *preview.errors["message"].str.len(), *preview.warnings["message"].str.len()])
        ),
    }


def _measured(url: str, path: Path) -> dict[str, Any]:
    start = time.perf_counter()
    said = _check(url, path)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {**said, "seconds": round(seconds, 2), "peak_mb": round(peak)}


def _in_fresh_process(url: str, path: Path) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return dict(pool.apply(_measured, (url, path)))


def bench_hostile(cases: list[Case] | None = None) -> dict[str, Any]:
    """Each case and its well-formed file of the same size, checked in a fresh process."""
    cases = CASES if cases is None else cases
    results = []
    with tempfile.TemporaryDirectory(prefix="mne-bench-") as folder:
        work = Path(folder)
        url = f"sqlite:///{work / 'bench.db'}"
        _prepare_store(url, BENCH_CITIES, BENCH_INDICATORS)
        baselines: dict[tuple[str, int], dict[str, Any]] = {}
        for n, case in enumerate(cases):
            data = case.make()
            path = work / f"hostile-{n}.{case.kind}"
            path.write_bytes(data)
            del data
            measured = _in_fresh_process(url, path)
            size = path.stat().st_size
            key = (case.kind, size)
            # A refused CSV is compared too (what a well-formed file of its size costs);
            # a refused .xlsx bomb has no well-formed file of its size worth reading.
            if (measured["refused"] is None or case.kind == "csv") and key not in baselines:
                good = well_formed_csv(size) if case.kind == "csv" else well_formed_xlsx(size)
                good_path = work / f"good-{n}.{case.kind}"
                good_path.write_bytes(good)
                baselines[key] = {
                    **_in_fresh_process(url, good_path),
                    "bytes": good_path.stat().st_size,
                }
            path.unlink()
            results.append(_figures(case, size, measured, baselines.get(key)))
    _print_table(results)
    figures = {
        "benchmark": "hostile",
        "time_factor_limit": HOSTILE_TIME_FACTOR,
        "peak_mb_limit": HOSTILE_PEAK_MB,
        "all_pass": all(r["pass"] for r in results),
        "cases": results,
    }
    print(json.dumps(figures, ensure_ascii=False))
    return figures


def _figures(
    case: Case, size: int, measured: dict[str, Any], baseline: dict[str, Any] | None
) -> dict[str, Any]:
    refused = measured["refused"]
    ratio = None
    if baseline is not None:
        ratio = round(measured["seconds"] / max(baseline["seconds"], 0.01), 2)
    quick = refused is not None or (ratio is not None and ratio <= HOSTILE_TIME_FACTOR)
    return {
        "case": case.name,
        "bytes": size,
        "seconds": measured["seconds"],
        "peak_mb": measured["peak_mb"],
        "well_formed_seconds": baseline["seconds"] if baseline else None,
        "well_formed_peak_mb": baseline["peak_mb"] if baseline else None,
        "vs_well_formed": ratio,
        "refused": refused,
        "errors": measured["errors"],
        "warnings": measured["warnings"],
        "longest_message": measured["longest_message"],
        "pass": bool(quick and measured["peak_mb"] < HOSTILE_PEAK_MB),
    }


def _print_table(results: list[dict[str, Any]]) -> None:
    print(
        f"hostile files: each checked (read + check + diff) in a fresh process, against a "
        f"well-formed file of the same size; pass = within {HOSTILE_TIME_FACTOR:g}x its time "
        f"and under {HOSTILE_PEAK_MB} MB, or refused early"
    )
    print(
        f"{'case':<42}{'KB':>9}{'seconds':>9}{'good s':>8}{'x good':>8}{'peak MB':>9}"
        f"{'good MB':>9}  outcome"
    )
    for r in results:
        none = r["well_formed_seconds"] is None
        good = f"{'–':>8}" if none else f"{r['well_formed_seconds']:>8.2f}"
        ratio = f"{'–':>8}" if r["vs_well_formed"] is None else f"{r['vs_well_formed']:>8.2f}"
        good_mb = f"{'–':>9}" if none else f"{r['well_formed_peak_mb']:>9}"
        outcome = (
            f"refused: {r['refused'][:70]}…"
            if r["refused"]
            else f"checked: {r['errors']:,} errors, {r['warnings']:,} warnings"
        )
        print(
            f"{r['case']:<42}{r['bytes'] / 1024:>9.0f}{r['seconds']:>9.2f}{good:>8}{ratio:>8}"
            f"{r['peak_mb']:>9}{good_mb:>9}  {'PASS' if r['pass'] else 'FAIL'} {outcome}"
        )
