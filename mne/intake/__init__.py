"""Indicator uploads: read what cities send, check it, show it, then store it as one batch.

    preview = check(engine, data, file_name, tr)      # nothing is stored
    result = commit_preview(engine, preview, user_name, partial=False)

`check` reads the file (mne.intake.read), turns it into a long table (shape), checks every
value (validate) and compares with the store (store.diff). By default a file with any error
stores nothing; with `partial` the valid values are stored and the rejected rows handed back.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from mne import access
from mne.access import Actor
from mne.i18n import N_, Translator
from mne.intake import memory, store
from mne.intake.mapping import Mapping, MappingProblem
from mne.intake.permissions import locked_values, other_cities, with_problems
from mne.intake.problems import (
    WARNINGS,
    FileProblem,
    empty_problems,
    for_people,
    problem_frame,
    render,
    sheet_note,
)
from mne.intake.read import RawTable, read_table
from mne.intake.shape import Note, to_long
from mne.intake.validate import Lookup, check_rows, grouped_problems, history_warnings

Progress = Callable[[float, str], None]
DEFAULT_PROBLEMS_KEPT = 1000
LEFT_OFF = N_(
    "{n} more problems are not listed here. Fix the ones above and check the file again, or "
    "download the rejected rows, which hold every problem."
)


@dataclass
class Preview:
    file_name: str
    sha256: str
    format: str = ""
    encoding: str = ""
    separator: str = ""
    file_problem: str | None = None
    file_problem_code: str = ""  # its code (too_large, no_header…), for the JSON summaries
    long: pd.DataFrame = field(default_factory=pd.DataFrame)  # every value cell, as read
    valid: pd.DataFrame = field(default_factory=pd.DataFrame)  # ready to store
    errors: pd.DataFrame = field(default_factory=empty_problems)
    warnings: pd.DataFrame = field(default_factory=empty_problems)
    errors_left_off: int = 0  # problems found beyond those listed (see problems_kept)
    warnings_left_off: int = 0
    rejected_rows: pd.DataFrame = field(default_factory=pd.DataFrame)  # original rows + reasons
    warned_rows: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)  # changed cells, old -> new
    counts: dict[str, int] = field(default_factory=dict)
    checked: store.Checked | None = None  # the diff, reused by the commit when still current
    sheet: str = ""  # the workbook's sheet read, and all its sheets
    sheets: tuple[str, ...] = ()
    sheet_note: str = ""  # which sheet was read, said when the workbook has several
    mapping: tuple[str, ...] = ()  # the mapping entries the file was read with
    remembered: bool = False  # the mapping is the one remembered for this source
    source_key: str = ""  # the source (its header row), under which a mapping is remembered
    source_columns: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return self.file_problem is not None or not self.errors.empty

    def summary(self, status: str, batch_id: int | None = None) -> dict[str, Any]:
        """The import summary of design.md's command-line contract."""
        errors = (
            [
                {
                    "row": None,
                    "column": None,
                    "code": self.file_problem_code or "file",
                    "message": self.file_problem,
                }
            ]
            if self.file_problem
            else _records(self.errors)
        )
        return {
            "status": status,
            "format": self.format,
            "sheet": self.sheet,
            "sheets": list(self.sheets),
            "mapping": list(self.mapping),
            "mapping_remembered": self.remembered,
            "batch_id": batch_id,
            "rows": self.counts.get("rows", 0),
            "inserted": self.counts.get("new", 0),
            "updated": self.counts.get("changed", 0),
            "unchanged": self.counts.get("unchanged", 0),
            "rejected": self.counts.get("rejected", 0),
            "missing": self.counts.get("missing", 0),
            "errors": errors,
            "errors_left_off": self.errors_left_off,
            "warnings": _records(self.warnings),
            "warnings_left_off": self.warnings_left_off,
        }


def _records(problems: pd.DataFrame) -> list[dict[str, Any]]:
    frame = problems[["row", "column", "code", "message"]]
    return [
        {"row": int(r.row), "column": r.column, "code": r.code, "message": r.message}
        for r in frame.itertuples(index=False)
    ]


def _no_progress(share: float, label: str) -> None:
    return None


def check(
    engine: Engine,
    data: bytes,
    file_name: str,
    tr: Translator,
    progress: Progress = _no_progress,
    actor: Actor | None = None,
    mapping: Mapping | None = None,
    sheet: str | None = None,
    use_remembered: bool = True,
) -> Preview:
    """Read and check a file against the store; nothing is written.

    With an `actor`, rows the actor may not store are errors too: a focal point's rows of
    other cities, and rows that would replace approved values. (The commit enforces both
    whatever the preview said.) A `mapping` tells which of the file's columns, series, units
    and places are which of ours (mne.intake.mapping); without one, the mapping remembered
    for the file's source is used (unless `use_remembered` is false) and the preview says so.
    `sheet` picks a workbook's sheet."""
    mapping = mapping or Mapping()
    preview = Preview(file_name=file_name, sha256=hashlib.sha256(data).hexdigest())
    progress(0.05, tr("Reading the file…"))
    table: RawTable | None = None
    try:
        table = read_table(data, file_name, sheet)
        preview.sheet, preview.sheets = table.sheet, table.sheets
        preview.source_columns = list(map(str, table.cells.columns))
        preview.source_key = memory.source_key(preview.source_columns)
        if not mapping and use_remembered:
            mapping = memory.recall(engine, preview.source_key)
            preview.remembered = bool(mapping)
        preview.mapping = mapping.written
        lookup = Lookup.load(engine).with_mapping(mapping)
        long = to_long(table, file_name, lookup)
    except MappingProblem as problem:
        preview.file_problem, preview.file_problem_code = problem.message(tr), problem.code
        return preview
    except FileProblem as problem:
        if table is not None and not problem.sheet:
            problem.sheet, problem.sheets = table.sheet, table.sheets
        preview.sheet, preview.sheets = problem.sheet or preview.sheet, problem.sheets
        preview.file_problem, preview.file_problem_code = problem.message(tr), problem.code
        return preview
    if len(table.sheets) > 1:
        preview.sheet_note = sheet_note(tr, table.sheet, table.sheets)
    preview.format = f"{table.file_format}/{long.shape}"
    preview.encoding, preview.separator = table.encoding, table.separator
    progress(0.35, tr("Checking {n} values…", n=len(long.frame)))
    try:
        frame, errors = check_rows(long.frame, lookup, tr)
    except FileProblem as problem:
        problem.sheet, problem.sheets = table.sheet, table.sheets
        preview.file_problem, preview.file_problem_code = problem.message(tr), problem.code
        return preview
    if actor is not None:
        frame, errors = with_problems(frame, errors, other_cities(frame, actor, lookup, tr))
    valid = _valid_rows(frame)
    progress(0.65, tr("Comparing with the stored values…"))
    version = store.store_version(engine)
    existing = store.existing_values(engine, valid)
    difference = store.diff(valid, existing)
    if actor is not None and not actor.may("approve"):
        locked = locked_values(frame, difference.changed, tr)
        if not locked.empty:
            frame, errors = with_problems(frame, errors, locked)
            valid = _valid_rows(frame)
            difference = store.diff(valid, existing)
    preview.long = _readable(frame, lookup)
    preview.checked = store.Checked(difference, version)
    history = existing[["city_id", "indicator_id", "year", "value"]]
    warnings = [
        history_warnings(
            frame[~frame["error"]].astype({"city_id": int, "indicator_id": int}), history, tr
        ),
        _skipped(long.skipped, tr),
        _notes(long.notes, tr),
        _repeated_same(frame, tr),
    ]
    all_errors = for_people(errors)
    all_warnings = for_people(pd.concat([w for w in warnings if not w.empty] or [empty_problems()]))
    preview.errors, preview.errors_left_off = _kept(all_errors)
    preview.warnings, preview.warnings_left_off = _kept(all_warnings)
    preview.valid = valid
    preview.changes = _changes(difference.changed, lookup)
    preview.rejected_rows = _rows_with_reasons(table, all_errors)
    preview.warned_rows = _rows_with_reasons(table, all_warnings)
    preview.counts = {
        "rows": len(long.frame),
        "new": len(difference.new),
        "changed": len(difference.changed),
        "unchanged": len(difference.unchanged),
        "rejected": int(frame["error"].sum()),
        "missing": int(len(long.frame) - len(frame)),
    }
    progress(1.0, tr("Checked."))
    return preview


def problems_kept() -> int:
    """How many errors (and warnings) a preview lists (MNE_MAX_PROBLEMS_LISTED); the rest are
    counted. The rejected-rows download still has every row with all its reasons."""
    try:
        return max(1, int(os.environ.get("MNE_MAX_PROBLEMS_LISTED", DEFAULT_PROBLEMS_KEPT)))
    except ValueError:
        return DEFAULT_PROBLEMS_KEPT


def _kept(problems: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The first problems (in row order) and how many more there are."""
    limit = problems_kept()
    return problems.head(limit).reset_index(drop=True), max(0, len(problems) - limit)


def _valid_rows(frame: pd.DataFrame) -> pd.DataFrame:
    good = frame[~frame["error"]]
    good = good.drop_duplicates(["city_id", "indicator_id", "period_code"])
    return pd.DataFrame(
        {
            "city_id": good["city_id"].astype("int64"),
            "indicator_id": good["indicator_id"].astype("int64"),
            "period": good["period_code"].astype(str),
            "year": good["year"].astype("int64"),
            "value": good["number"].astype(float),
            "note": good["note"].astype(str),
            "source": good["source"].astype(str),
            "row": good["row"],
        }
    ).reset_index(drop=True)


def _readable(frame: pd.DataFrame, lookup: Lookup) -> pd.DataFrame:
    """The long table as the user sees it: their text, the codes it maps to, the number."""
    cities = lookup.cities.set_index("id")["code"]
    indicators = lookup.indicators.set_index("id")["code"]
    return pd.DataFrame(
        {
            "row": frame["row"],
            "column": frame["column"],
            "city": frame["city"],
            "city_code": frame["city_id"].map(cities),
            "indicator": frame["indicator"],
            "indicator_code": frame["indicator_id"].map(indicators),
            "period": frame["period_code"],
            "value": frame["number"],
            "ok": ~frame["error"],
        }
    ).reset_index(drop=True)


def _skipped(skipped: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    if skipped.empty:
        return empty_problems()
    messages = render(tr, WARNINGS["disaggregated"], skipped[["value"]])
    return problem_frame(
        skipped["row"], skipped["column"], "disaggregated", messages, skipped["value"]
    )


def _notes(notes: list[Note], tr: Translator) -> pd.DataFrame:
    """Rows left out as a group (other places, series, units): one warning each."""
    if not notes:
        return empty_problems()
    return pd.DataFrame(
        {
            "cell": -1,
            "row": [note.row for note in notes],
            "column": [note.column for note in notes],
            "code": [note.code for note in notes],
            "message": [tr(WARNINGS[note.code], **note.values) for note in notes],
            "value": [str(note.values.get("value", "")) for note in notes],
        }
    ).astype({"cell": "int64", "row": "int64"})


def _repeated_same(frame: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    key = ["city_id", "indicator_id", "period_code"]
    good = frame[~frame["error"]]
    repeated = good[good.duplicated(key, keep=False)]
    if repeated.empty:
        return empty_problems()
    return grouped_problems(repeated, key, "duplicate_same", WARNINGS, tr)


def _changes(changed: pd.DataFrame, lookup: Lookup) -> pd.DataFrame:
    cities = lookup.cities.set_index("id")["code"]
    indicators = lookup.indicators.set_index("id")["code"]
    return (
        pd.DataFrame(
            {
                "row": changed["row"],
                "city": changed["city_id"].map(cities),
                "indicator": changed["indicator_id"].map(indicators),
                "period": changed["period"],
                "old_value": changed["old_value"],
                "new_value": changed["value"],
            }
        )
        .sort_values("row")
        .reset_index(drop=True)
    )


def _rows_with_reasons(table: RawTable, errors: pd.DataFrame) -> pd.DataFrame:
    """The original rows that have a problem, as the user wrote them, with the reasons."""
    if errors.empty:
        return pd.DataFrame()
    labelled = "[" + errors["column"].astype(str) + "] " + errors["message"].astype(str)
    reasons = _joined_per_row(errors["row"], labelled).rename("reasons")
    original = table.cells.assign(row=table.rows.to_numpy())
    rejected = original[original["row"].isin(reasons.index)]
    return rejected.merge(reasons, left_on="row", right_index=True)[
        ["row", *table.cells.columns, "reasons"]
    ]


def _joined_per_row(rows: pd.Series, texts: pd.Series) -> pd.Series:
    """The texts of each row joined with " | ", indexed by row: one vectorised step per
    rank (a row's first, second... text), never a Python call per row."""
    frame = pd.DataFrame({"row": rows.to_numpy(), "text": texts.to_numpy()})
    rank = frame.groupby("row").cumcount()
    joined = frame[rank == 0].set_index("row")["text"]
    for k in range(1, int(rank.max()) + 1 if len(rank) else 0):
        more = frame[rank == k].set_index("row")["text"]
        joined.loc[more.index] = joined.loc[more.index] + " | " + more
    return joined


def outcome(preview: Preview, partial: bool = False) -> str:
    """What storing the checked file would do: "committed", "rejected" or "unchanged". The
    dry run says this, and the commit does it (the store permitting)."""
    if preview.file_problem is not None:
        return "rejected"
    if preview.has_errors and not partial:
        return "rejected"
    if preview.valid.empty:
        return "rejected" if preview.has_errors else "unchanged"
    if preview.counts.get("new", 0) + preview.counts.get("changed", 0) == 0:
        return "unchanged"
    return "committed"


def dry_run(preview: Preview, actor: Actor, partial: bool = False) -> dict[str, Any]:
    """The summary the import of this preview would get, storing nothing: status "dry-run"
    where the import would commit, else the import's own status. Refused (access.Refused,
    not audited: nothing was attempted) when the actor may not import."""
    if not actor.may("import"):
        raise access.Refused(
            access.NOT_ALLOWED,
            role=access.ROLE_LABELS[actor.role],
            what=access.ACTIONS["import"].label,
        )
    status = outcome(preview, partial)
    return preview.summary("dry-run" if status == "committed" else status)


def commit_preview(
    engine: Engine, preview: Preview, actor: Actor, partial: bool = False
) -> dict[str, Any]:
    """Store a checked file as `actor`. Returns the import summary (status committed,
    rejected or unchanged). Refused (access.Refused) when the actor may not store it."""
    access.require(engine, actor, "import", "upload", preview.file_name)
    status = outcome(preview, partial)
    if status == "rejected" or preview.valid.empty:
        return preview.summary(status)
    result = store.commit(
        engine,
        preview.valid.drop(columns="row"),
        file_name=preview.file_name,
        sha256=preview.sha256,
        file_format=preview.format,
        actor=actor,
        rejected=preview.counts.get("rejected", 0),
        checked=preview.checked,
    )
    if result.status == "committed" and preview.mapping and not preview.remembered:
        memory.remember(
            engine,
            preview.source_key,
            preview.source_columns,
            Mapping.parse(preview.mapping),
            actor,
        )
    summary = preview.summary(result.status, result.batch_id)
    summary.update(inserted=result.inserted, updated=result.updated, unchanged=result.unchanged)
    if result.same_as_batch is not None:
        summary["same_as_batch"] = result.same_as_batch
    return summary
