"""Audit log (administrators): every write, who made it, when, before -> after. Read-only:
no page or command edits or deletes it. Filters, and the filtered rows as CSV."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from mne import audit
from mne.audit import AUDIT_PAGE_ROWS, AuditFilter
from pages import _ui as ui

tr = ui.translator()
engine = ui.engine()
ui.page_header(
    tr("Audit log"),
    tr(
        "Every change to the store: uploads, reverts, approvals, targets, tasks, accounts, "
        "sign-ins and refused attempts. Times in {zone}. The log cannot be edited or "
        "deleted.",
        zone=tr.timezone_name,
    ),
    signed_in=True,
)

left, middle, right = st.columns([2, 1, 1])
actions = left.multiselect(
    tr("Actions"),
    audit.audit_actions(engine),
    format_func=lambda a: audit.action_name(a, tr),
    placeholder=tr("Choose options"),
)
user = middle.selectbox(
    tr("User"), ["", *audit.audit_users(engine)], format_func=lambda u: u or tr("Everyone")
)
text = right.text_input(
    tr("Contains"), help=tr("Searched in the entity and the before and after values.")
)
today = dt.datetime.now(dt.UTC).date()
period = st.date_input(
    tr("Between"), value=(today - dt.timedelta(days=30), today), format="DD/MM/YYYY"
)
since, until = (period[0], period[-1]) if isinstance(period, tuple) and period else (None, None)
chosen = AuditFilter(tuple(actions), user, text.strip(), since, until)

rows = audit.audit_frame(engine, chosen, limit=AUDIT_PAGE_ROWS + 1)
if rows.empty:
    ui.empty_state(tr("No audit entries match these filters."))
    st.stop()
if len(rows) > AUDIT_PAGE_ROWS:
    st.caption(tr("Showing the newest {n} entries; the CSV has all of them.", n=AUDIT_PAGE_ROWS))
# Before and after are people's text: shown as plain text cells, never as markdown.
st.dataframe(
    audit.audit_display(rows.head(AUDIT_PAGE_ROWS), tr),
    hide_index=True,
    width="stretch",
    column_config={
        "id": st.column_config.NumberColumn("#", format="%d"),
        "at": st.column_config.TextColumn(tr("When")),
        "user_name": st.column_config.TextColumn(tr("User")),
        "action": st.column_config.TextColumn(tr("Action")),
        "entity": st.column_config.TextColumn(tr("Entity")),
        "entity_id": st.column_config.TextColumn(tr("Which")),
        "before": st.column_config.TextColumn(tr("Before"), width="medium"),
        "after": st.column_config.TextColumn(tr("After"), width="medium"),
    },
)
if st.button(tr("Prepare the CSV"), icon=":material/download:"):
    st.download_button(
        tr("Download the audit log (CSV)"),
        ui.csv_bytes(audit.audit_frame(engine, chosen)),
        f"audit-log-{today:%Y%m%d}.csv",
        "text/csv",
        icon=":material/download:",
    )
