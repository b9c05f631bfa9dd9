"""People's text shown as text, on every surface: the one place values are escaped.

A message template ("Unknown city “{value}”.") is the project's own text; the values filled
into it come from files, forms and accounts. Each surface gives some characters a meaning:
Streamlit reads markdown (links, images, raw HTML, its `:red[...]` colour and
`:material/...:` icon codes, `$...$` LaTeX), a spreadsheet runs a cell starting with `=` as a
formula. So a value is escaped for the surface it is drawn on here, and nowhere else: a
`Translator` made `.on(surface)` passes every value it fills in through `escape`, and text
made outside a template (a stored message, a table cell) goes through `escape` whole.
Markdown is used only for text the project wrote.

Surfaces:
- "text": plain text (dataframe cells, chart labels, PDF text written by fpdf2 without its
  markdown option, the command line): unchanged.
- "markdown": Streamlit markdown (st.markdown, st.caption, st.info/warning/error/success,
  st.table cells, widget labels): every character markdown could read is backslash-escaped.
- "cell": a spreadsheet cell (CSV, Excel): formulas neutralised with a leading quote.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping

# Everything markdown (and Streamlit's :colour[...] and :icon: codes, $ LaTeX, raw HTML)
# gives a meaning to. A backslash before any ASCII punctuation is a literal in CommonMark.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
# A spreadsheet runs a text cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_START = r"^[=+\-@\t\r]"
_FORMULA_START = re.compile(FORMULA_START)
# Some of Streamlit's markdown reads the text after escapes are undone: links from bare
# addresses (http://…, www.…, a@b.c), icons (:material/home:) and emoji (:smile:). An
# invisible word joiner after ":" and "@" and before the dot of "www." breaks each of them;
# the text reads the same.
_WORD_JOINER = "\u2060"
_JOIN_AT = re.compile(r"(?<=[:@])|(?<=www)(?=\\?\.)", re.IGNORECASE)
# A line break in a value would start a new markdown block (a heading, a list, a quote).
_LINE_BREAKS = re.compile(r"\r\n?|\n")


def markdown(value: object) -> str:
    """`value` for a markdown element: shown exactly as typed, never as HTML, a link, an
    image, a colour, an icon or a formula."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", _LINE_BREAKS.sub(" ", str(value)))
    return _JOIN_AT.sub(_WORD_JOINER, escaped)


def cell(value: object) -> str:
    """`value` for a spreadsheet cell: a text a spreadsheet would run as a formula starts
    with a quote (mne.reports.cells does the same for whole frames)."""
    value = str(value)
    return "'" + value if _FORMULA_START.match(value) else value


def text(value: object) -> str:
    return str(value)


SURFACES: dict[str, Callable[[object], str]] = {"text": text, "markdown": markdown, "cell": cell}


def escape(value: object, surface: str) -> str:
    """`value` as it is drawn on `surface` (see the module's docstring)."""
    return SURFACES[surface](value)


class _Escaping(string.Formatter):
    """`str.format` whose every substituted value is escaped after its format spec is applied
    (so "{n:,}" still formats a number, then the result is escaped)."""

    def __init__(self, surface: str) -> None:
        self.surface = surface

    def format_field(self, value: object, format_spec: str) -> str:
        return escape(super().format_field(value, format_spec), self.surface)


def fill(template: str, surface: str, values: Mapping[str, object]) -> str:
    """`template` with `values` filled in, each escaped for `surface`; the template's own
    text is left as written."""
    if surface == "text":
        return template.format(**values)
    return _Escaping(surface).vformat(template, (), values)
