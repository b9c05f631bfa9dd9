"""Upload: template, file, progress, preview (new / changed / rejected), confirm, result."""

from __future__ import annotations

import hashlib

import streamlit as st

from mne import access, intake
from mne.i18n import MISSING, N_
from mne.intake.mapping import Mapping, MappingProblem
from mne.intake.read import read_sheet_names
from mne.intake.shape import format_description
from mne.intake.template import template_csv, template_xlsx
from mne.reports.cells import download_name
from pages import _ui as ui

# Valid first: at 1400 px the verdict and the codes are in sight before what was written.
VALUES_READ_ORDER = (
    "ok",
    "row",
    "city_code",
    "indicator_code",
    "period",
    "value",
    "city",
    "indicator",
    "column",
)

tr = ui.translator()
engine = ui.engine()
actor = ui.page_header(
    tr("Upload indicator data"),
    tr(
        "Send the values a city reported: CSV or Excel, long or wide, DHIS2 or Open SDG files. "
        "You see every value before anything is stored."
    ),
    signed_in=True,
)
if actor.may("approve"):
    st.caption(tr("Values you store are approved at once: your role approves submissions."))
else:
    cities = ui.load_cities()
    own = cities[cities["id"].isin(actor.city_ids)]["name"]
    st.info(
        tr.on("markdown")(
            N_(
                "You may upload data of {cities}. Your values are submitted for a ministry analyst "
                "to approve; dashboards count them once approved."
            ),
            cities=", ".join(own) or MISSING,
        ),
        icon=":material/info:",
    )

with st.expander(tr("1. Download the template"), expanded=False):
    st.markdown(
        tr(
            "The Excel template has a Data sheet to fill in, instructions, and the codes "
            "and names of every city and indicator."
        )
    )
    left, right = st.columns(2)
    left.download_button(
        tr("Template (Excel)"),
        template_xlsx(engine, tr),
        "mne-template.xlsx",
        icon=":material/table_view:",
    )
    right.download_button(
        tr("Template (CSV)"),
        template_csv(),
        "mne-template.csv",
        "text/csv",
        icon=":material/description:",
    )

st.subheader(tr("2. Choose a file"))
uploader_key = f"upload-{ui.kept('upload_round', 0)}"
uploaded = st.file_uploader(
    tr("Indicator file"),
    type=["csv", "txt", "tsv", "xlsx"],
    key=uploader_key,
    help=tr("UTF-8, UTF-16 or Windows-1258/1252; separated by , ; tab or |; up to 50 MB."),
)

if uploaded is None:
    result = ui.take("upload_result")
    if result:
        st.success(
            tr(
                "Stored as batch #{batch}: {inserted} new, {updated} changed, {unchanged} "
                "unchanged values.",
                batch=result["batch_id"],
                inserted=tr.number(result["inserted"]),
                updated=tr.number(result["updated"]),
                unchanged=tr.number(result["unchanged"]),
            ),
            icon=":material/check_circle:",
        )
        if result.get("rejected"):
            st.info(
                tr(
                    "{n} rows with errors were left out: fix them in the file and upload it "
                    "again to store them.",
                    n=tr.number(result["rejected"]),
                ),
                icon=":material/playlist_remove:",
            )
        if not ui.may("approve"):
            st.info(
                tr(
                    "The values wait for a ministry analyst's approval: until then they count "
                    "on the dashboards and in reports only with “{switch}”.",
                    switch=tr("Include submitted values"),
                ),
                icon=":material/pending:",
            )
    st.stop()

data = uploaded.getvalue()
with st.expander(tr("Other systems' files: sheet and mapping"), expanded=False):
    sheets = read_sheet_names(data)
    sheet = None
    if len(sheets) > 1:
        sheet = st.selectbox(
            tr("Sheet to read"), [tr("The sheet that holds the data"), *sheets], key="upload-sheet"
        )
        sheet = None if sheet not in sheets else sheet
    mapping_text = st.text_area(
        tr("Mapping, one per line"),
        key="upload-mapping",
        placeholder="series:PM2.5=QE_PM25\ncolumn:Country Name=city\ncity:Alberta=VNHAN",
        help=tr(
            "KIND:WRITTEN=TARGET: column (a header to city, indicator, period or value), series "
            "(a series or breakdown value to an indicator code), unit, city (a place to a city "
            "code)."
        ),
    )
try:
    mapping = Mapping.parse(mapping_text.splitlines())
except MappingProblem as problem:
    ui.show_error(problem)
    st.stop()
# The preview belongs to these bytes (whatever the file is called), read with this sheet and
# mapping, checked against the store as it is now, in this language, for this user: any other
# file, or any write since, is read and checked afresh.
cache_key = (
    "preview",
    hashlib.sha256(data).hexdigest(),
    ui.store_key(),
    ui.language(),
    actor.username,
    mapping.written,
    sheet,
)
if ui.kept("preview_key") != cache_key:
    bar = st.progress(0.0, text=tr("Reading the file…"))

    def show_progress(share: float, label: str) -> None:
        bar.progress(share, text=label)

    checked = intake.check(
        engine,
        data,
        uploaded.name,
        tr,
        progress=show_progress,
        actor=actor,
        mapping=mapping,
        sheet=sheet,
    )
    bar.empty()
    ui.keep("preview", checked)
    ui.keep("preview_key", cache_key)
preview: intake.Preview = ui.kept("preview")

if preview.file_problem:
    st.error(ui.plain(preview.file_problem), icon=":material/error:")
    st.stop()

st.subheader(tr("3. Check the preview"))
counts = preview.counts
cols = st.columns(5)
cols[0].metric(tr("New"), tr.number(counts["new"]))
cols[1].metric(tr("Changed"), tr.number(counts["changed"]))
cols[2].metric(tr("Unchanged"), tr.number(counts["unchanged"]))
cols[3].metric(tr("Rejected"), tr.number(counts["rejected"]))
cols[4].metric(tr("Empty (not stored)"), tr.number(counts["missing"]))
st.caption(
    tr(
        "Read as {format}; {rows} values.",
        format=format_description(preview.format, tr),
        rows=tr.number(counts["rows"]),
    )
)
if preview.sheet_note:
    st.caption(ui.plain(preview.sheet_note))
if preview.remembered:
    st.info(
        tr.on("markdown")(
            N_(
                "Read with the mapping remembered for this source: {mapping}. Type a mapping "
                "above to use another."
            ),
            mapping="; ".join(preview.mapping),
        ),
        icon=":material/history:",
    )

tab_errors, tab_warnings, tab_changes, tab_values = st.tabs(
    [
        tr("Errors ({n})", n=len(preview.errors) + preview.errors_left_off),
        tr("Warnings ({n})", n=len(preview.warnings) + preview.warnings_left_off),
        tr("Changes ({n})", n=len(preview.changes)),
        tr("Values read ({n})", n=len(preview.long)),
    ]
)
with tab_errors:
    if preview.errors.empty:
        st.success(tr("No errors."), icon=":material/check:")
    else:
        ui.problem_table(preview.errors)
        if preview.errors_left_off:
            st.caption(tr(intake.LEFT_OFF, n=preview.errors_left_off))
        st.download_button(
            tr("Download the rejected rows with reasons (CSV)"),
            ui.csv_bytes(preview.rejected_rows),
            download_name("rejected", uploaded.name),
            "text/csv",
            icon=":material/download:",
            key="download-rejected",
        )
with tab_warnings:
    if preview.warnings.empty:
        st.success(tr("No warnings."), icon=":material/check:")
    else:
        st.caption(tr("Warnings do not block storing; please confirm these values."))
        ui.problem_table(preview.warnings)
        if preview.warnings_left_off:
            st.caption(tr(intake.LEFT_OFF, n=preview.warnings_left_off))
        st.download_button(
            tr("Download the rows with warnings (CSV)"),
            ui.csv_bytes(preview.warned_rows),
            download_name("warnings", uploaded.name),
            "text/csv",
            icon=":material/download:",
            key="download-warnings",
        )
with tab_changes:
    if preview.changes.empty:
        st.info(tr("No stored value would change."), icon=":material/info:")
    else:
        st.dataframe(
            tr.readable(preview.changes, values=("old_value", "new_value")),
            hide_index=True,
            width="stretch",
            column_config={
                "row": st.column_config.NumberColumn(tr("Row"), format="%d"),
                "city": tr("City"),
                "indicator": tr("Indicator"),
                "period": tr("Period"),
                "old_value": tr("Stored value"),
                "new_value": tr("New value"),
            },
        )
with tab_values:
    st.dataframe(
        tr.readable(preview.long, values=("value",)),
        hide_index=True,
        width="stretch",
        column_order=[c for c in VALUES_READ_ORDER if c in preview.long.columns],
        column_config={
            "row": st.column_config.NumberColumn(tr("Row"), format="%d"),
            "column": tr("Column"),
            "city": tr("City (as written)"),
            "city_code": tr("City code"),
            "indicator": tr("Indicator (as written)"),
            "indicator_code": tr("Indicator code"),
            "period": tr("Period"),
            "value": tr("Value"),
            "ok": st.column_config.CheckboxColumn(tr("Valid")),
        },
    )

st.subheader(tr("4. Store"))
partial = False
if preview.has_errors:
    st.warning(
        tr(
            "Nothing is stored while rows have errors. Fix the file and upload it again, "
            "or store only the valid values."
        ),
        icon=":material/warning:",
    )
    partial = st.checkbox(
        tr("Store the {n} valid values and leave the rejected rows out", n=len(preview.valid))
    )
nothing_to_store = counts["new"] + counts["changed"] == 0
if nothing_to_store and not preview.has_errors:
    st.info(
        tr("All values in this file are already stored: nothing to do."), icon=":material/info:"
    )
disabled = nothing_to_store or (preview.has_errors and not partial)
if st.button(tr("Store the values"), type="primary", disabled=disabled, icon=":material/save:"):
    try:
        with st.spinner(tr("Storing…")):
            result = intake.commit_preview(engine, preview, actor, partial=partial)
    except access.AccessError as error:
        ui.show_error(error)
        ui.take("preview_key")
        st.stop()
    ui.after_write()
    if result["status"] == "committed":
        ui.keep("upload_result", result)
        ui.keep("upload_round", ui.kept("upload_round", 0) + 1)
        ui.take("preview_key")
        st.rerun()
    elif result["status"] == "unchanged":
        st.info(tr("All values in this file are already stored: nothing to do."))
    else:
        st.error(tr("Nothing was stored."))
