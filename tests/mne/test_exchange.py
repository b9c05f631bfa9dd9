"""Exports in partners' formats (mne.exchange) read back by the Upload: DHIS2 JSON, DHIS2 CSV,
SDMX-CSV and Open SDG, from a demo store into an empty one, on both stores. The values are
compared as sets read from the two stores."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from mne import cli, exchange, intake
from mne.access import operator
from mne.i18n import Translator
from mne.intake.batches import values_frame

Key = tuple[str, str, str, float]


def _keys(frame: pd.DataFrame) -> set[Key]:
    return {(r.city, r.indicator, r.period, float(r.value)) for r in frame.itertuples()}


def _export(engine: Engine, fmt: str, **filters: object) -> bytes:
    chosen = exchange.ValueFilter(status="all", **filters)  # type: ignore[arg-type]
    statement = exchange.values_statement(chosen, exchange.shown_condition("all"))
    out = io.BytesIO()
    exchange.write(engine, statement, fmt, out)
    return out.getvalue()


def _upload_files(fmt: str, data: bytes) -> list[tuple[str, bytes]]:
    """The files a partner's export gives the Upload, in the Upload's own reading."""
    if fmt == "open-sdg":
        return exchange.open_sdg_files(data)
    if fmt == "dhis2-json":
        converted = exchange.dhis2_json_to_csv(json.loads(data))
        assert converted is not None
        return [("dataValueSets.csv", converted)]
    return [(f"export.{fmt}.csv", data)]


def _import_all(engine: Engine, files: list[tuple[str, bytes]]) -> None:
    """Store every file as the operator; each must pass the Upload's checks whole."""
    for name, data in files:
        preview = intake.check(engine, data, name, Translator("en"), actor=operator())
        assert preview.file_problem is None, preview.file_problem
        assert preview.errors.empty, (name, preview.errors.head(5).to_dict("records"))
        summary = intake.commit_preview(engine, preview, operator())
        assert summary["status"] == "committed", summary


@pytest.mark.parametrize("fmt", exchange.FORMATS)
def test_an_export_reimports_with_the_same_values(
    demo_engine: Engine, engine: Engine, fmt: str
) -> None:
    if demo_engine.dialect.name != engine.dialect.name:
        pytest.skip("one store kind at a time")
    exported = _keys(values_frame(demo_engine))
    assert len(exported) > 1000
    _import_all(engine, _upload_files(fmt, _export(demo_engine, fmt)))
    assert _keys(values_frame(engine)) == exported


def test_export_filters_and_the_command_line(
    demo_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    stored = values_frame(demo_engine)
    approved = stored[stored["status"] == "approved"]
    out = tmp_path / "vn.csv"
    args = ["export", "--format", "sdmx-csv", "--out", str(out), "--country", "VN"]
    assert cli.main([*args, "--period", "2020-2022"]) == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0])[:7] == exchange.SDMX_HEADER[:7]
    assert {r["STRUCTURE"] for r in rows} == {"dataflow"} and {r["ACTION"] for r in rows} == {"I"}
    got = {(r["REF_AREA"], r["INDICATOR"], r["TIME_PERIOD"], float(r["OBS_VALUE"])) for r in rows}
    wanted = approved[
        approved["city"].str.startswith("VN")
        & approved["period"].str[:4].astype(int).between(2020, 2022)
    ]
    assert got == _keys(wanted) and got


def test_a_mapping_file_writes_a_partners_ids(demo_engine: Engine, tmp_path: Path) -> None:
    stored = values_frame(demo_engine)
    first = stored.iloc[0]
    ids = tmp_path / "ids.csv"
    ids.write_text(
        f"kind,code,id\ndataElement,{first.indicator},fbfJHSPpUQD\norgUnit,{first.city},DiszpKrYNg8\n",
        encoding="utf-8",
    )
    chosen = exchange.ValueFilter(cities=(first.city,), indicators=(first.indicator,))
    statement = exchange.values_statement(chosen, exchange.shown_condition("all"))
    out = io.BytesIO()
    exchange.write(demo_engine, statement, "dhis2-json", out, exchange.PartnerIds.read(ids))
    values = json.loads(out.getvalue())["dataValues"]
    assert values and {(v["dataElement"], v["orgUnit"]) for v in values} == {
        ("fbfJHSPpUQD", "DiszpKrYNg8")
    }


def test_an_open_sdg_zip_has_one_csv_and_metadata_per_indicator(demo_engine: Engine) -> None:
    data = _export(demo_engine, "open-sdg")
    indicators = set(values_frame(demo_engine)["indicator"])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert {exchange.open_sdg_file_name(i) for i in indicators} <= names
        assert {f"meta/{i.lower()}.json" for i in indicators} <= names
        one = sorted(indicators)[0]
        header = archive.read(exchange.open_sdg_file_name(one)).decode().splitlines()[0]
    assert header.split(",")[:2] == ["Year", "GeoCode"] and header.endswith("Value")


def test_the_command_line_imports_a_dhis2_json_file(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    body = {
        "dataValues": [
            {"dataElement": "CS_SLUM_POP", "period": "2019", "orgUnit": "VNDAD", "value": "7.5"},
            {"dataElement": "CS_SLUM_POP", "period": "2020-Q1", "orgUnit": "VNHAN", "value": "3"},
        ]
    }
    path = tmp_path / "sync.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    assert cli.main(["import", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["inserted"] == 2
    assert _keys(values_frame(engine)) == {
        ("VNDAD", "CS_SLUM_POP", "2019", 7.5),
        ("VNHAN", "CS_SLUM_POP", "2020-Q1", 3.0),
    }
    path.write_text('{"rows": []}', encoding="utf-8")
    assert cli.main(["import", str(path)]) == 2
