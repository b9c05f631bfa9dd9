"""History: upload batches with who, when and counts; one batch's changes; revert."""

from __future__ import annotations

import streamlit as st

from mne.approval import REVIEW_STATE_LABELS
from mne.errors import UserError
from mne.i18n import N_
from mne.intake import batches, revert
from mne.intake.shape import format_description
from pages import _ui as ui

CHANGES_SHOWN = 1000
STATE_LABELS = {"committed": N_("Stored"), "reverted": N_("Reverted")}

tr = ui.translator()
engine = ui.engine()
ui.page_header(
    tr("Upload history"),
    tr(
        "Every stored file is a batch. Reverting a batch restores exactly the values it "
        "replaced and removes those it added."
    ),
    notice="history_notice",
    notice_icon="undo",
)

show_demo = st.toggle(tr("Show the demo data batch"), value=False)
table = ui.load_batches()
if not show_demo:
    table = table[~table["is_demo"]]
if table.empty:
    ui.empty_state(tr("No uploads yet. Files stored from the Upload page appear here."))
    st.stop()

returned = table[
    (table["review_state"] == "returned")
    & (table["state"] == "committed")
    & (table["review_comment"].fillna("") != "")  # returned whole; values returned are below
]
for batch in returned.itertuples():
    st.warning(
        tr.on("markdown")(
            N_("Batch #{batch} ({file}) was returned by {by}: {comment}"),
            batch=batch.id,
            file=batch.file_name,
            by=batch.reviewed_by,
            comment=batch.review_comment,
        ),
        icon=":material/assignment_return:",
    )
returned_values = ui.load_returned_values()
if not returned_values.empty:
    st.subheader(tr("Values returned for correction"))
    st.caption(
        tr(
            "An analyst sent these values back, each with why. They stay submitted until a "
            "corrected value is uploaded or entered."
        )
    )
    ui.returned_values_table(returned_values)

shown = table.assign(
    state=table["state"].map(lambda s: tr(STATE_LABELS[s])),
    review_state=table["review_state"].map(lambda s: tr(REVIEW_STATE_LABELS[s])),
    format=table["format"].map(lambda f: format_description(f, tr)),
)
st.dataframe(
    tr.readable(
        shown.drop(columns=["is_demo", "reverted_at", "reviewed_by"]),
        times=("created_at",),
        counts=("rows", "inserted", "updated", "unchanged", "rejected"),
    ),
    hide_index=True,
    width="stretch",
    # What a person looks for first, in sight at 1400 px: which batch, when, its state.
    column_order=[
        "id",
        "file_name",
        "created_at",
        "state",
        "review_state",
        "user_name",
        "rows",
        "inserted",
        "updated",
        "unchanged",
        "rejected",
        "format",
        "review_comment",
    ],
    column_config={
        "id": st.column_config.NumberColumn(tr("Batch"), format="#%d"),
        "file_name": tr("File"),
        "format": tr("Format"),
        "user_name": tr("By"),
        "created_at": tr("When"),
        "rows": tr("Values read"),
        "inserted": tr("New"),
        "updated": tr("Changed"),
        "unchanged": tr("Unchanged"),
        "rejected": tr("Rejected"),
        "state": tr("State"),
        "review_state": tr("Approval"),
        "review_comment": tr("Reviewer's comment"),
    },
)

batch_ids = table["id"].tolist()
chosen = st.selectbox(tr("Batch"), batch_ids, format_func=lambda b: f"#{b}")
changes = ui.load_batch_changes(int(chosen), CHANGES_SHOWN)
st.subheader(tr("Values set by batch #{batch}", batch=chosen))
if changes.empty:
    ui.empty_state(tr("This batch has no current values (reverted, or replaced later)."))
else:
    ui.batch_changes_table(changes)
    # Counted only when the page shows fewer values than the batch may have set.
    full = len(changes) == CHANGES_SHOWN
    total = ui.load_batch_value_count(int(chosen)) if full else len(changes)
    if total > len(changes):
        st.caption(
            tr(
                "Showing the first {shown} of {total} values.",
                shown=tr.number(len(changes)),
                total=tr.number(total),
            )
        )
        if st.button(tr("Prepare the full list (CSV)"), icon=":material/download:"):
            st.download_button(
                tr("Download the data (CSV)"),
                ui.csv_bytes(batches.batch_changes(engine, int(chosen))),
                f"batch-{chosen}.csv",
                "text/csv",
            )

state = table.loc[table["id"] == chosen, "state"].iloc[0]
if state == "committed" and ui.actor() is None:
    ui.explain_first_admin()
elif state == "committed" and ui.may("revert"):
    confirm = st.checkbox(tr("I want to revert batch #{batch}", batch=chosen))
    if st.button(tr("Revert"), disabled=not confirm, icon=":material/undo:"):
        # The write lock is held inside revert.revert only, for its statements: the page
        # reads what to show (the refreshed tables) after it, on the rerun.
        with st.status(tr("Reverting batch #{batch}…", batch=chosen), expanded=True) as status:
            try:
                actor = ui.actor()
                assert actor is not None  # may("revert") needs an account
                counts = revert.revert(
                    engine, int(chosen), actor, progress=lambda step: status.write(tr(step))
                )
            except UserError as problem:
                status.update(
                    label=tr("Batch #{batch} was not reverted.", batch=chosen),
                    state="error",
                    expanded=False,
                )
                refusal: UserError | None = problem
            else:
                status.update(label=tr("Batch #{batch} reverted.", batch=chosen), state="complete")
                refusal = None
        if refusal is not None:
            ui.show_error(refusal)
        else:
            ui.after_write()
            ui.keep(
                "history_notice",
                tr.on("markdown")(
                    N_("Batch #{batch} reverted: {restored} values restored, {removed} removed."),
                    batch=chosen,
                    **counts,
                ),
            )
            st.rerun()
