"""What to tell a person when a page run fails for a reason outside their input: the store is
full, read-only, down or busy, or something unforeseen. Every write is one transaction
(db.engine.writing), so a failed run never leaves half a change: each message says so.

server.py shows these through st.App's `on_script_error`, instead of Streamlit's generic error
page (which offers to "Ask Google"); the full exception goes to the server's log with a
reference the message quotes, so IT can find it.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from mne.i18n import N_, Translator

log = logging.getLogger(__name__)

NOTHING_LOST = N_("Nothing was saved half-way: every change is stored whole or not at all.")


@dataclass(frozen=True)
class Failure:
    code: str  # store_full, store_read_only, store_down, store_busy, unexpected
    what: str  # a msgid: what happened
    todo: str  # a msgid: what to do


FAILURES = {
    "store_full": Failure(
        "store_full",
        N_("The store's disk is full, so nothing more can be saved."),
        N_("Ask IT to free space on the database server, then try again."),
    ),
    "store_read_only": Failure(
        "store_read_only",
        N_("The store is read-only at the moment, so nothing can be saved."),
        N_("Ask IT to make the database writable again (file or database permissions)."),
    ),
    "store_down": Failure(
        "store_down",
        N_("The store does not answer."),
        N_("Try again in a minute. If it lasts, ask IT to check the database server."),
    ),
    "store_busy": Failure(
        "store_busy",
        N_("The store is busy with another large change."),
        N_("Try again in a minute."),
    ),
    "unexpected": Failure(
        "unexpected",
        N_("Something went wrong on the server."),
        N_("Reload the page. If it happens again, tell IT the reference below."),
    ),
}

# Words of SQLite's and PostgreSQL's errors, lower case, that say which failure it is.
_SIGNS = (
    ("store_full", ("database or disk is full", "disk full", "no space left", "diskfull")),
    ("store_read_only", ("readonly", "read-only", "read only", "permission denied")),
    ("store_busy", ("database is locked", "lock timeout", "lock_timeout", "canceling statement")),
    (
        "store_down",
        (
            "connection refused",
            "could not connect",
            "server closed the connection",
            "unable to open database",
            "connection is closed",
            "terminating connection",
            "the database system is",
        ),
    ),
)


def classify(error: BaseException) -> Failure:
    """Which failure `error` is, from its text and its causes'."""
    texts: list[str] = []
    current: BaseException | None = error
    while current is not None and len(texts) < 5:
        texts.append(str(current).lower())
        current = current.__cause__ or current.__context__
    text = " ".join(texts)
    for code, signs in _SIGNS:
        if any(sign in text for sign in signs):
            return FAILURES[code]
    return FAILURES["unexpected"]


def explain(error: BaseException, tr: Translator) -> tuple[str, str]:
    """The message for a person (in their language) and the reference logged with the error."""
    failure = classify(error)
    reference = secrets.token_hex(4)
    log.error("page run failed (%s, reference %s)", failure.code, reference, exc_info=error)
    message = "\n\n".join(
        (
            tr(failure.what),
            tr(NOTHING_LOST),
            tr(failure.todo),
            tr("Reference: {reference}", reference=reference),
        )
    )
    return message, reference
