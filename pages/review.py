"""Approvals: the batches focal points submitted, each to approve or return with a comment;
approved batches to reopen."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mne import access, approval, value_review
from mne.approval import REVIEW_STATE_LABELS
from pages import _ui as ui

CHANGES_SHOWN = 1000

tr = ui.translator()
engine = ui.engine()
actor = ui.page_header(
    tr("Approvals"),
    tr(
        "Values uploaded by city focal points are submitted: dashboards and reports count them "
        "once approved. Approve a batch, or return it with a comment saying what to fix."
    ),
    signed_in=True,
    notice="review_notice",
)

waiting_tab, approved_tab = st.tabs([tr("Waiting for review"), tr("Approved (reopen)")])


def batch_table(batches: pd.DataFrame) -> None:
    st.dataframe(
        tr.readable(batches, times=("created_at",), counts=("rows", "inserted", "updated")),
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.NumberColumn(tr("Batch"), format="#%d"),
            "created_at": tr("When"),
            "user_name": tr("By"),
            "file_name": tr("File"),
            "rows": tr("Values read"),
            "inserted": tr("New"),
            "updated": tr("Changed"),
            "review_state": tr("Approval"),
            "reviewed_by": tr("Reviewed by"),
            "review_comment": tr("Reviewer's comment"),
            "cities": tr("Cities"),
            "values": tr("Current values"),
        },
    )


def act(step: str, batch_id: int, comment: str) -> None:
    steps = {
        "approve": approval.approve_batch,
        "return": approval.return_batch,
        "reopen": approval.reopen_batch,
    }
    try:
        count = steps[step](engine, actor, batch_id, comment)
    except access.AccessError as error:
        ui.show_error(error)
        return
    ui.after_write()
    messages = {
        "approve": tr(
            "Batch #{batch} approved: {count} values now count.", batch=batch_id, count=count
        ),
        "return": tr("Batch #{batch} returned to its focal point.", batch=batch_id),
        "reopen": tr(
            "Batch #{batch} reopened: {count} values are submitted again.",
            batch=batch_id,
            count=count,
        ),
    }
    ui.keep("review_notice", messages[step])
    st.rerun()


def shown(batches: pd.DataFrame) -> pd.DataFrame:
    return batches.assign(
        review_state=batches["review_state"].map(lambda s: tr(REVIEW_STATE_LABELS[s]))
    )


def value_label(row: pd.Series, names: pd.Series) -> str:
    """ "PM2.5 · VNHAN · 2023: 36,6 → 72,4", with the warning the upload's checks raise;
    `names`: indicator names by code."""
    old = tr.number(row["old_value"], 2) if pd.notna(row["old_value"]) else tr("new")
    name = names.get(row["indicator"], row["indicator"])
    text = f"**{ui.plain(name)}** · {ui.plain(row['city'])} · {ui.plain(row['period'])}"
    text += f": {old} → {tr.number(row['new_value'], 2)}"
    if row["warning"]:
        text += f"  \n:material/warning: {ui.plain(row['warning'])}"
    if row["returned"]:
        text += "  \n" + tr("Returned: {comment}", comment=ui.plain(row["returned"]))
    return text


def value_by_value(batch_id: int) -> None:
    """Each value of the batch (flagged first): approve it, or return it with why."""
    values = ui.load_batch_review(batch_id)
    names = ui.load_indicators().set_index("code")["name"]
    undecided = values[values["status"] == "submitted"]
    st.markdown("**" + tr("Decide value by value") + "**")
    choices = {"approve": tr("Approve"), "return": tr("Return")}
    with st.form(f"values-{batch_id}", enter_to_submit=False):
        for n, row in undecided.iterrows():
            text, decision, why = st.columns([4, 2, 3], vertical_alignment="center")
            text.markdown(value_label(row, names))
            decision.radio(
                f"{row['city']} {row['indicator']} {row['period']}",
                list(choices),
                format_func=choices.__getitem__,
                horizontal=True,
                label_visibility="collapsed",
                key=f"decide-{batch_id}-{n}",
            )
            why.text_input(
                tr("Why it goes back"),
                placeholder=tr("Why it goes back (needed to return)"),
                max_chars=approval.COMMENT_LIMIT,
                label_visibility="collapsed",
                key=f"why-{batch_id}-{n}",
            )
        sent = st.form_submit_button(
            tr("Save the decisions"), type="primary", icon=":material/done_all:"
        )
    if sent:
        decide(batch_id, undecided)


def decide(batch_id: int, undecided: pd.DataFrame) -> None:
    keys = {n: (r.city, r.indicator, r.period) for n, r in undecided.iterrows()}
    decisions = {n: st.session_state.get(f"decide-{batch_id}-{n}") for n in keys}
    approved = [keys[n] for n, d in decisions.items() if d == "approve"]
    returned = {
        keys[n]: str(st.session_state.get(f"why-{batch_id}-{n}", ""))
        for n, d in decisions.items()
        if d == "return"
    }
    try:
        done = value_review.review_values(engine, actor, batch_id, approved, returned)
    except access.AccessError as error:
        ui.show_error(error)
        return
    ui.after_write()
    ui.keep(
        "review_notice",
        tr(
            "Batch #{batch}: {approved} values approved, {returned} returned to the focal point.",
            batch=batch_id,
            approved=done.approved,
            returned=done.returned,
        ),
    )
    st.rerun()


with waiting_tab:
    waiting = approval.review_queue(engine)
    if waiting.empty:
        ui.empty_state(tr("Nothing waits for review."))
    else:
        batch_table(shown(waiting))
        chosen = st.selectbox(
            tr("Batch to review"),
            waiting["id"].tolist(),
            format_func=lambda b: f"#{b}",
            key="review-batch",
        )
        if ui.load_batch_value_count(int(chosen)) <= value_review.REVIEWABLE:
            value_by_value(int(chosen))
            st.markdown("**" + tr("Or decide the whole batch") + "**")
        else:
            ui.batch_changes_table(ui.load_batch_changes(int(chosen), CHANGES_SHOWN))
        comment = st.text_area(
            tr("Comment (required to return)"),
            max_chars=approval.COMMENT_LIMIT,
            key="review-comment",
        )
        left, right = st.columns(2)
        if left.button(tr("Approve"), type="primary", icon=":material/verified:"):
            act("approve", int(chosen), comment)
        if right.button(tr("Return with comment"), icon=":material/assignment_return:"):
            act("return", int(chosen), comment)

with approved_tab:
    approved = approval.review_queue(engine, ("approved",))
    if approved.empty:
        ui.empty_state(tr("No approved uploads yet."))
    else:
        batch_table(shown(approved))
        chosen = st.selectbox(
            tr("Batch to reopen"),
            approved["id"].tolist(),
            format_func=lambda b: f"#{b}",
            key="reopen-batch",
        )
        reason = st.text_input(tr("Why reopen it?"), key="reopen-comment")
        if st.button(tr("Reopen"), icon=":material/lock_open:"):
            act("reopen", int(chosen), reason)
