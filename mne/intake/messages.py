"""Messages about stored batches, shared by the command line and the pages."""

from __future__ import annotations

from mne.i18n import N_, Translator
from mne.intake.store import RevertRefused

REVERT_REFUSALS = {
    "unknown": N_("There is no upload batch #{batch}."),
    "already": N_("Batch #{batch} was already reverted."),
    "later": N_(
        "Batch #{batch} cannot be reverted: some of its values were changed again by later "
        "batches ({later}). Revert those first."
    ),
}


def revert_refusal(refused: RevertRefused, tr: Translator) -> str:
    return tr(REVERT_REFUSALS[refused.reason], **refused.values)
