"""Fill empty msgstrs of the vi/en/id catalogs from a JSON file {msgid: {"vi": ..., "id": ...}}
(English is the source: its msgstr is the msgid). Usage: i18n-fill.py TRANSLATIONS.json"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parent.parent / "mne" / "locales"


def fill(translations: dict[str, dict[str, str]]) -> None:
    for lang in ("vi", "en", "id"):
        path = LOCALES / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        for message in catalog:
            if not message.id or message.string:
                continue
            if lang == "en":
                message.string = message.id
            elif message.id in translations:
                message.string = translations[message.id][lang]
        with path.open("wb") as handle:
            write_po(handle, catalog, no_location=True, sort_output=True, width=76)


if __name__ == "__main__":
    fill(json.loads(Path(sys.argv[1]).read_text("utf-8")))
