"""Row checks that depend on who uploads: a focal point's rows of other cities, and rows that
would replace approved (locked) values. Each row gets its own error, so the rest of the file
can still be stored (`--partial`) and the rejected rows come back with their reasons."""

from __future__ import annotations

import pandas as pd

from mne.access import Actor
from mne.i18n import MISSING, Translator
from mne.intake.problems import ERRORS, empty_problems, problem_frame, render
from mne.intake.validate import Lookup, field_column


def with_problems(
    frame: pd.DataFrame, errors: pd.DataFrame, more: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`frame` with the cells of `more` flagged as errors, and the errors joined."""
    if more.empty:
        return frame, errors
    frame = frame.copy()
    frame["error"] |= frame.index.isin(more["cell"])
    return frame, pd.concat([errors, more], ignore_index=True)


def other_cities(frame: pd.DataFrame, actor: Actor, lookup: Lookup, tr: Translator) -> pd.DataFrame:
    """Rows of known cities the actor may not change (everything is allowed to analysts)."""
    if actor.every_city:
        return empty_problems()
    known = frame[frame["city_id"].notna() & ~frame["error"]]
    bad = known[~known["city_id"].astype(int).isin(actor.city_ids)]
    if bad.empty:
        return empty_problems()
    codes = lookup.cities.set_index("id")["code"]
    allowed = ", ".join(sorted(codes[list(actor.city_ids)])) if actor.city_ids else MISSING
    values = pd.DataFrame({"value": bad["city"], "allowed": allowed}, index=bad.index)
    messages = render(tr, ERRORS["not_allowed"], values)
    column = field_column(bad, "city", frame.attrs.get("headers", {}))
    return problem_frame(bad["row"], column, "not_allowed", messages, bad["city"])


def locked_values(frame: pd.DataFrame, changed: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Rows that would replace an approved value (`changed` is the diff's changed rows, with
    the stored value's old_status and old_value)."""
    locked = changed[changed["old_status"] == "approved"]
    if locked.empty:
        return empty_problems()
    keys = locked[["city_id", "indicator_id", "period", "old_value"]].rename(
        columns={"period": "period_code"}
    )
    cells = frame[~frame["error"]].reset_index(names="cell")
    cells = cells.astype({"city_id": "int64", "indicator_id": "int64"}).merge(
        keys, on=["city_id", "indicator_id", "period_code"]
    )
    cells = cells.set_index("cell")
    messages = render(tr, ERRORS["locked"], pd.DataFrame({"old": cells["old_value"]}))
    return problem_frame(cells["row"], cells["column"], "locked", messages, cells["value"])
