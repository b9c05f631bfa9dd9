"""Translations and locale-aware formatting.

Messages live in standard gettext catalogs (mne/locales/<lang>/LC_MESSAGES/messages.po), read
with Babel; the source strings are English. Code marks a message by calling the translator,
`tr("...")` or `_("...")`, or `N_("...")` for a constant translated later; `pybabel extract`
(see README) collects them. Numbers and dates are formatted by Babel per language, so
Vietnamese reads 1.234,5 and English 1,234.5.

This is the one place numbers, percentages, dates, times and units are written for people:
pages, tables, charts, reports and command-line messages all go through a `Translator`. Times
are stored in UTC and shown in the ministry's zone (`MNE_TIMEZONE`, default
Asia/Ho_Chi_Minh); nothing is written "—" (an em dash), never None or NaN.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from mne import markup

LANGUAGES = ("vi", "en", "id")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English", "id": "Bahasa Indonesia"}
LOCALES_DIR = Path(__file__).parent / "locales"
_BABEL_LOCALES = {"vi": "vi_VN", "en": "en_GB", "id": "id_ID"}
# What a person sees where there is no value.
MISSING = "—"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
# Dates written the way each language writes them in full ("1 tháng 12, 2026" is how
# Babel's medium vi pattern reads; the ministry writes day/month/year).
_DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy", "id": "d MMM yyyy"}
_DATETIME_PATTERNS = {"vi": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy HH:mm", "id": "d MMM yyyy HH:mm"}
# A count of people or things in a unit ("per 100000 population"): written with the
# language's thousands separator.
_UNIT_NUMBER = re.compile(r"(?<![\d.,])(\d{4,})(?![\d.,])")


def N_(message: str) -> str:
    """Mark a constant for extraction; it is translated where it is shown."""
    return message


# The units of the catalog (db/seed/indicators.csv), a large number written {n}: each is a
# message, so a unit reads in the user's language on pages, charts and reports.
UNIT_MESSAGES = (
    N_("count"),
    N_("minutes"),
    N_("years"),
    N_("m²/person"),
    N_("tCO2e/person"),
    N_("% of city GDP"),
    N_("per {n} population"),
    N_("per {n} population per year"),
    N_("per {n} live births"),
    N_("datasets per {n} residents"),
    N_("interruptions per customer per year"),
)


def timezone() -> ZoneInfo:
    """The zone times are shown in (MNE_TIMEZONE, default Asia/Ho_Chi_Minh)."""
    name = os.environ.get("MNE_TIMEZONE", "").strip() or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def normalise_language(lang: str | None) -> str:
    lang = (lang or "").strip().lower()[:2]
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@cache
def messages(lang: str) -> dict[str, str]:
    """The translated, non-fuzzy messages of one language (msgid -> msgstr)."""
    path = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


@dataclass(frozen=True)
class Translator:
    """Translates messages and formats numbers and dates for one language.

    `surface` is where the messages are drawn (mne.markup): every value filled into a
    message is escaped for it, so a city "![x](http://…)" quoted in a message drawn as
    markdown shows as typed. `on("markdown")` is the translator of markdown elements."""

    lang: str = DEFAULT_LANGUAGE
    surface: str = "text"

    def __call__(self, message: str, **values: object) -> str:
        text = messages(self.lang).get(message, message)
        return markup.fill(text, self.surface, values) if values else text

    def on(self, surface: str) -> Translator:
        """This translator for messages drawn on `surface` ("text", "markdown", "cell")."""
        return replace(self, surface=surface)

    def escape(self, value: object) -> str:
        """A value drawn on this translator's surface outside a message (a stored message,
        a person's name): escaped the way the messages' values are."""
        return markup.escape(value, self.surface)

    @property
    def locale(self) -> Locale:
        return Locale.parse(_BABEL_LOCALES[self.lang])

    def number(self, value: float | int | None, decimals: int = 0) -> str:
        """A number with the language's separators; an em dash for a missing value."""
        if value is None or _missing(value):
            return MISSING
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def value(self, value: float | int | None, decimals: int | None = None) -> str:
        """A stored value: `decimals` places when known, else as many as it has (up to 4)."""
        if value is None or _missing(value):
            return MISSING
        if decimals is not None and not _missing(decimals):
            return self.number(value, int(decimals))
        return format_decimal(value, format="#,##0.####", locale=self.locale)

    def signed(self, value: float | None, decimals: int = 1) -> str:
        """A change with its sign (+1,5 / −2,0)."""
        if value is None or _missing(value):
            return MISSING
        change = float(value)
        return ("+" if change > 0 else "−" if change < 0 else "") + self.number(
            abs(change), decimals
        )

    def percent(self, share: float | None, decimals: int = 0) -> str:
        """A share in 0..1 written as a percentage."""
        if share is None or _missing(share):
            return MISSING
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
        return format_percent(share, format=pattern, locale=self.locale)

    def date(self, value: dt.date | dt.datetime | None) -> str:
        """A date the way the language writes it (vi: 01/12/2026; en: 1 Dec 2026)."""
        if _missing(value):
            return MISSING
        if isinstance(value, dt.datetime):
            value = self.local(value)
        return format_date(value, format=_DATE_PATTERNS[self.lang], locale=self.locale)

    def local(self, value: dt.datetime) -> dt.datetime:
        """A stored time (UTC; naive means UTC) in the ministry's zone."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(timezone())

    def datetime(self, value: Any) -> str:
        """A stored time in the ministry's zone, to the minute."""
        if _missing(value):
            return MISSING
        moment = pd.Timestamp(value).to_pydatetime()
        return format_datetime(
            self.local(moment), format=_DATETIME_PATTERNS[self.lang], locale=self.locale
        )

    def datetimes(self, values: pd.Series) -> pd.Series:
        """`datetime` over a column."""
        return values.map(self.datetime)

    def readable(
        self,
        frame: pd.DataFrame,
        times: tuple[str, ...] = (),
        values: tuple[str, ...] = (),
        counts: tuple[str, ...] = (),
        dates: tuple[str, ...] = (),
        years: tuple[str, ...] = (),
    ) -> pd.DataFrame:
        """A table as a person reads it: `times` in the ministry's zone, `values` and `counts`
        with the language's separators, `dates` as the language writes them, `years` as 2025
        (no separator), and an em dash wherever a cell is empty."""
        shown = frame.copy()
        for column in dates:
            shown[column] = shown[column].map(self.date)
        for column in years:
            shown[column] = shown[column].map(lambda y: MISSING if _missing(y) else str(int(y)))
        for column in times:
            shown[column] = self.datetimes(shown[column])
        for column in values:
            shown[column] = shown[column].map(self.value)
        for column in counts:
            shown[column] = shown[column].map(self.number)
        for column in shown.columns:
            if shown[column].dtype == object:
                shown[column] = shown[column].map(lambda v: MISSING if _missing(v) else v)
        return shown

    @property
    def timezone_name(self) -> str:
        """The zone's name as shown beside times (Asia/Ho_Chi_Minh)."""
        return str(timezone().key)

    def unit(self, unit: object) -> str:
        """A catalog unit in this language, its large number written with the language's
        separators: "per 100000 population" reads "trên 100.000 dân" in vi."""
        if _missing(unit):
            return ""
        text = str(unit)
        found = _UNIT_NUMBER.search(text)
        if found is None:
            return self(text)
        template = text[: found.start()] + "{n}" + text[found.end() :]
        if template not in messages(self.lang) and self.lang != "en":
            return text
        return self(template, n=self.number(int(found.group(1))))

    def units(self, units: pd.Series) -> pd.Series:
        """`unit` over a column (each distinct unit translated once)."""
        names = {u: self.unit(u) for u in units.dropna().unique()}
        return units.map(names).fillna("")

    @property
    def plotly_separators(self) -> str:
        """plotly's `separators` layout value: decimal mark, then thousands mark."""
        symbols = self.locale.number_symbols["latn"]
        return symbols["decimal"] + symbols["group"]

    def name_column(self, base: str = "name") -> str:
        """The column holding a catalog name in this language (name_vi, name_en, name_id)."""
        return f"{base}_{self.lang}"
