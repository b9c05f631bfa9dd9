"""Messages about stored batches, shared by the command line and the pages."""

from __future__ import annotations

from mne.i18n import Translator
from mne.intake.revert import REVERT_REFUSALS, RevertRefused

__all__ = ["REVERT_REFUSALS", "revert_refusal"]


def revert_refusal(refused: RevertRefused, tr: Translator) -> str:
    return refused.message(tr)
