"""Hostile strings a person could type into any field: each must show as the text it is, on
every surface (pages, PDF, Excel, CSV), and never act as markup, a link, an image, a script or
a spreadsheet formula. Shared by the page, browser and export tests (issue 19)."""

from __future__ import annotations

# An address nobody answers: a page that asks for it has let markup through.
TRAP_HOST = "127.0.0.1:9"

SCRIPT = "<script>alert(1)</script>"
IMG_ONERROR = "<img src=x onerror=alert(1)>"
MD_IMAGE = f"![x](http://{TRAP_HOST}/x.png)"
MD_LINK = f"[click](http://{TRAP_HOST}/link)"
JS_LINK = "[js](javascript:alert(1))"
JS_URL = "javascript:alert(1)"
COLOUR = ":red[x]"
ICON = ":material/home:"
LATEX = "$x^2$"
HTML_ENTITY = "&lt;b&gt;"
BACKSLASH = "\\:red[x] \\*x*"  # a backslash meant to undo an escape
LONG = "A" * 5000
ZERO_WIDTH = "a\u200bb"
RIGHT_TO_LEFT = "\u202eabc"
HYPERLINK = f'=HYPERLINK("http://{TRAP_HOST}/f","x")'
AT_FORMULA = "@SUM(1)"
PLUS = "+1"
MINUS = "-1"

MARKUP = [
    SCRIPT,
    IMG_ONERROR,
    MD_IMAGE,
    MD_LINK,
    JS_LINK,
    JS_URL,
    COLOUR,
    ICON,
    LATEX,
    HTML_ENTITY,
    BACKSLASH,
]
INVISIBLE = [ZERO_WIDTH, RIGHT_TO_LEFT]
FORMULAS = [HYPERLINK, AT_FORMULA, PLUS, MINUS]
ALL = [*MARKUP, LONG, *INVISIBLE, *FORMULAS]
# Shown whole on a page (a long string is cut short in messages; invisible characters do
# not survive reading the page's text back): the text a test looks for as typed.
VISIBLE = [
    SCRIPT,
    IMG_ONERROR,
    MD_IMAGE,
    MD_LINK,
    JS_LINK,
    COLOUR,
    ICON,
    LATEX,
    HTML_ENTITY,
    BACKSLASH,
]
# What the payloads must never become in a page (CSS selectors).
ELEMENTS = [
    f"img[src*='{TRAP_HOST}']",
    "img[src='x']",
    f"a[href*='{TRAP_HOST}']",
    "a[href^='javascript:']",
    "[data-testid='stMarkdownContainer'] script",
    ".katex",
]
