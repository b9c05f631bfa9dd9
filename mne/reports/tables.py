"""The tables of a report as every format shows them: columns chosen and named in the report's
language, codes beside names, statuses as words. Each sheet is a `Sheet`: its frame (numbers
kept as numbers) and, per numeric column, how many decimals each row shows (the indicator's own
decimals for values in its unit)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from mne.catalog import TARGET_KIND_LABELS
from mne.i18n import MISSING, N_, Translator
from mne.projects import FINANCING_LABELS, PROJECT_STATUS_LABELS
from mne.reports.content import DEMO_MARK, DEMO_NOTICE, ReportContent
from mne.scoring import STATUS_LABELS
from mne.tasks import TASK_STATUS_LABELS

OBSERVATION_STATUS_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted, not yet approved"),
    "approved": N_("Approved"),
}
DIRECTION_LABELS = {"higher": N_("Higher is better"), "lower": N_("Lower is better")}

# Column headers, English source; translated where they are written.
HEADERS = {
    "city": N_("City code"),
    "city_name": N_("City"),
    "country": N_("Country"),
    "focus_area": N_("Focus area code"),
    "focus_area_name": N_("Focus area"),
    "indicator": N_("Indicator code"),
    "indicator_name": N_("Indicator"),
    "unit": N_("Unit"),
    "direction": N_("Direction"),
    "base_year": N_("Baseline year"),
    "base_value": N_("Baseline"),
    "target_year": N_("Target year"),
    "target_value": N_("Target"),
    "target_kind": N_("Kind of target"),
    "latest_year": N_("Latest year"),
    "latest_value": N_("Latest value"),
    "gap": N_("Gap to target"),
    "score": N_("Score (0–100)"),
    "status": N_("Status"),
    "period": N_("Period"),
    "year": N_("Year"),
    "value": N_("Value"),
    "value_status": N_("Approval"),
    "source": N_("Source"),
    "note": N_("Note"),
    "updated_at": N_("Updated"),
    "task": N_("Task code"),
    "group": N_("Group"),
    "group_name": N_("Task group"),
    "title": N_("Title"),
    "lead_agency": N_("Lead agency"),
    "partners": N_("Partners"),
    "start_date": N_("Start"),
    "due_date": N_("Due"),
    "percent_complete": N_("% complete"),
    "overdue": N_("Overdue"),
    "financing": N_("Financing"),
    "start_year": N_("Start year"),
    "end_year": N_("End year"),
    "definition": N_("Definition"),
    "source_standard": N_("Source standard"),
    "target_city": N_("Target for city"),
    "target_source": N_("Source of the target"),
    "item": N_("Item"),
    "figure": N_("Figure"),
}

REPORT_TITLE = N_("Smart urban development: monitoring and evaluation report")
APPROVED_ONLY = N_("Approved values only")
WITH_SUBMITTED = N_("Includes submitted values not yet approved")
ALL_YEARS = N_("all years")


@dataclass(frozen=True)
class Sheet:
    """A table to write: `frame` with its final column names, and for numeric columns the
    decimals of each row (a Series) or of the whole column (an int)."""

    name: str
    frame: pd.DataFrame
    decimals: dict[str, pd.Series | int] = field(default_factory=dict)
    percent_unit: pd.Series | None = None  # rows whose unit is "%" (values shown with a % sign)


def header(column: str, tr: Translator) -> str:
    """A column's header in the report's language."""
    return tr(HEADERS[column])


def _labelled(codes: pd.Series, labels: dict[str, str], tr: Translator) -> pd.Series:
    words = {code: tr(label) for code, label in labels.items()}
    return codes.map(words).fillna(codes)


def _headed(
    frame: pd.DataFrame, tr: Translator, names: dict[str, str] | None = None
) -> pd.DataFrame:
    headers = {**HEADERS, **(names or {})}
    return frame.rename(columns={c: tr(headers[c]) for c in frame.columns})


def period_text(content: ReportContent, tr: Translator) -> str:
    first, last = content.first_year, content.last_year
    if first is None and last is None:
        return tr(ALL_YEARS)
    if first == last:
        return str(first)
    return f"{first or ''}–{last or ''}"


def values_note(content: ReportContent, tr: Translator) -> str:
    return tr(WITH_SUBMITTED) if content.include_submitted else tr(APPROVED_ONLY)


def data_up_to(content: ReportContent, tr: Translator) -> str:
    """The reporting year, with a newer year in progress and when values last changed."""
    key = content.key_figures
    if key is None or key.year is None:
        return MISSING
    text = str(key.year)
    if key.reporting.in_progress:
        text += " · " + tr(
            "{year} in progress ({n} / {total} cities)",
            year=key.reporting.newer_year,
            n=key.reporting.newer_cities,
            total=key.reporting.reporting_cities,
        )
    if content.as_of is not None:
        text += " · " + tr("values last changed {date}", date=tr.date(content.as_of.date()))
    return text


def summary_items(content: ReportContent, tr: Translator) -> list[tuple[str, object]]:
    """The summary's label/value pairs (numbers as numbers)."""
    f = content.figures
    latest = content.latest_year
    return [
        (tr("Report"), tr(REPORT_TITLE)),
        (tr("Scope"), content.scope_name),
        (tr("Period"), period_text(content, tr)),
        (tr("Values shown"), values_note(content, tr)),
        (tr("Data up to"), data_up_to(content, tr)),
        (tr("Made on"), tr.date(content.generated)),
        (tr("Cities in scope"), f["cities"]),
        (
            tr("Cities reporting in {year}", year=latest) if latest else tr("Cities reporting"),
            f["cities_reporting"],
        ),
        (tr("Indicators"), f["indicators"]),
        (tr("Indicators with data"), f["indicators_reported"]),
        (tr("City × indicator pairs with a status"), f["pairs"]),
        (tr("Values"), f["values"]),
        (tr("Priority tasks"), f["tasks"]),
        (tr("Tasks late"), f["tasks_late"]),
        (tr("ASCN projects"), f["projects"]),
    ]


def summary_sheet(content: ReportContent, tr: Translator) -> Sheet:
    rows = summary_items(content, tr)
    if content.counts_demo:
        rows.insert(0, (tr(DEMO_MARK), tr(DEMO_NOTICE)))
    rows += [
        (tr("Status: {status}", status=tr(STATUS_LABELS[s])), int(n))
        for s, n in zip(
            content.status_counts["status"], content.status_counts["pairs"], strict=True
        )
    ]
    frame = pd.DataFrame(rows, columns=["item", "figure"])
    return Sheet(tr("Summary"), _headed(frame, tr))


def indicators_sheet(content: ReportContent, tr: Translator) -> Sheet:
    p = content.progress
    frame = pd.DataFrame(
        {
            "city": p["city"],
            "city_name": p["city_name"],
            "country": p["country"],
            "focus_area_name": p["focus_area_name"],
            "indicator": p["indicator"],
            "indicator_name": p["indicator_name"],
            "unit": p["unit"],
            "base_year": p["base_year"].astype("Int64"),
            "base_value": p["base_value"],
            "target_year": p["target_year"].astype("Int64"),
            "target_value": p["target_value"],
            "target_kind": _labelled(p["target_kind"], TARGET_KIND_LABELS, tr),
            "latest_year": p["latest_year"].astype("Int64"),
            "latest_value": p["latest_value"],
            "gap": p["gap"],
            "score": p["score"],
            "status": _labelled(p["status"], STATUS_LABELS, tr),
        }
    )
    decimals = p["decimals"].astype(int).reset_index(drop=True)
    headed = _headed(frame.reset_index(drop=True), tr)
    numeric = {
        header(c, tr): decimals for c in ("base_value", "target_value", "latest_value", "gap")
    }
    numeric[header("score", tr)] = 1
    return Sheet(tr("Indicators"), headed, numeric, (p["unit"] == "%").reset_index(drop=True))


def observations_frame(content: ReportContent, tr: Translator) -> pd.DataFrame:
    """The long observations with codes and names (for Excel and CSV), headers translated."""
    o = content.observations
    frame = pd.DataFrame(
        {
            "city": o["city"],
            "city_name": o["city_name"],
            "country": o["country"],
            "focus_area": o["focus_area"],
            "indicator": o["indicator"],
            "indicator_name": o["indicator_name"],
            "unit": o["unit"],
            "period": o["period"],
            "year": o["year"],
            "value": o["value"],
            "value_status": _labelled(o["status"], OBSERVATION_STATUS_LABELS, tr),
            "source": o["source"],
            "note": o["note"],
            "updated_at": o["updated_at"],
        }
    )
    return _headed(frame.reset_index(drop=True), tr)


def observations_sheet(content: ReportContent, tr: Translator) -> Sheet:
    o = content.observations
    decimals = o["decimals"].astype(int).reset_index(drop=True)
    return Sheet(
        tr("Observations"),
        observations_frame(content, tr),
        {header("value", tr): decimals},
        (o["unit"] == "%").reset_index(drop=True),
    )


def tasks_sheet(content: ReportContent, tr: Translator) -> Sheet:
    t = content.tasks
    frame = pd.DataFrame(
        {
            "task": t["code"],
            "group": t["group"],
            "group_name": t["group_name"],
            "title": t["title"],
            "lead_agency": t["lead_agency"],
            "partners": t["partners"],
            "start_date": pd.to_datetime(t["start_date"]),
            "due_date": pd.to_datetime(t["due_date"]),
            "status": _labelled(t["status"], TASK_STATUS_LABELS, tr),
            "percent_complete": t["percent_complete"].astype(float),
            "overdue": t["overdue"].map({True: tr("Yes"), False: tr("No")}),
        }
    )
    return Sheet(tr("Tasks"), _headed(frame, tr), {header("percent_complete", tr): 0})


def projects_sheet(content: ReportContent, tr: Translator) -> Sheet:
    p = content.projects
    frame = pd.DataFrame(
        {
            "country": p["country"],
            "city_name": p["city_name"],
            "focus_area": p["focus_area"],
            "title": p["title"],
            "status": _labelled(p["status"], PROJECT_STATUS_LABELS, tr),
            "financing": _labelled(p["financing"], FINANCING_LABELS, tr),
            "start_year": p["start_year"],
            "end_year": p["end_year"],
        }
    )
    return Sheet(tr("Projects"), _headed(frame, tr))


def sources_frame(content: ReportContent) -> pd.DataFrame:
    """One row per indicator x target (an indicator without a target: one row, target empty):
    the definition and source standard, and each target's year, value, kind and source."""
    indicators = content.indicators.rename(columns={"code": "indicator", "name": "indicator_name"})[
        ["indicator", "indicator_name", "unit", "direction", "definition", "source_standard"]
    ]
    targets = content.targets.rename(
        columns={"city": "target_city", "year": "target_year", "value": "target_value"}
    )[["indicator", "target_city", "target_year", "target_value", "kind", "source"]]
    return indicators.merge(targets, on="indicator", how="left")


def sources_sheet(content: ReportContent, tr: Translator) -> Sheet:
    s = sources_frame(content)
    frame = pd.DataFrame(
        {
            "indicator": s["indicator"],
            "indicator_name": s["indicator_name"],
            "unit": s["unit"],
            "direction": _labelled(s["direction"], DIRECTION_LABELS, tr),
            "definition": s["definition"],
            "source_standard": s["source_standard"],
            "target_city": s["target_city"],
            "target_year": s["target_year"].astype("Int64"),
            "target_value": s["target_value"],
            "target_kind": _labelled(s["kind"], TARGET_KIND_LABELS, tr),
            "target_source": s["source"],
        }
    )
    decimals = s["indicator"].map(content.indicators.set_index("code")["decimals"]).fillna(1)
    return Sheet(
        tr("Sources"),
        _headed(frame, tr),
        {header("target_value", tr): decimals.astype(int)},
        (s["unit"] == "%").reset_index(drop=True),
    )


def workbook_sheets(content: ReportContent, tr: Translator) -> list[Sheet]:
    return [
        summary_sheet(content, tr),
        indicators_sheet(content, tr),
        observations_sheet(content, tr),
        tasks_sheet(content, tr),
        projects_sheet(content, tr),
        sources_sheet(content, tr),
    ]
