"""Folding of names for matching: "TP. Hồ Chí Minh", "tp ho chi minh" and "TP.HỒ CHÍ MINH"
all fold to the same key; names in other scripts (กรุงเทพมหานคร, ភ្នំពេញ, ວຽງຈັນ) keep their
letters and marks, so they fold to a key of their own, never to the empty string."""

from __future__ import annotations

import re
import unicodedata

# Letters (L*), marks (M*) and digits (N*) of any script make a key; the rest separates words.
_WORD_CATEGORIES = ("L", "M", "N")
_SPACES = re.compile(r"\s+")
# The combining diacritics of Latin letters (Vietnamese tones and vowel marks among them):
# dropped, so "Đà Nẵng" and "Da Nang" meet. Marks of other scripts are part of their letters.
_LATIN_DIACRITICS = range(0x0300, 0x0370)
_NOT_ASCII_WORD = re.compile(r"[^a-z0-9]+")


def fold(name: str) -> str:
    """Lower case, without Latin diacritics (đ -> d), punctuation and extra spaces collapsed."""
    name = str(name)
    if name.isascii():  # the same key, an order of magnitude faster (files of many names)
        return _NOT_ASCII_WORD.sub(" ", name.lower()).strip()
    text = unicodedata.normalize("NFKD", str(name)).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if ord(ch) not in _LATIN_DIACRITICS).casefold()
    kept = "".join(ch if unicodedata.category(ch)[0] in _WORD_CATEGORIES else " " for ch in text)
    return unicodedata.normalize("NFC", _SPACES.sub(" ", kept).strip())
