"""Folding of names for matching: "TP. Hồ Chí Minh", "tp ho chi minh" and "TP.HỒ CHÍ MINH"
all fold to the same key."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(name: str) -> str:
    """Lower case, without diacritics (đ -> d), punctuation and extra spaces collapsed."""
    text = unicodedata.normalize("NFKD", str(name)).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return _NOT_WORD.sub(" ", text).strip()
