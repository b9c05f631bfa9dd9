"""The dashboard's colours, once: the charts (mne.charts), the reports (PDF, Excel), the upload
template and the pages read them here.

Categories and statuses use the Okabe-Ito palette, distinct for the common colour-vision
deficiencies; continuous scores use cividis (mne.charts.SCORE_SCALE). Two files that cannot
import Python repeat BLUE: .streamlit/config.toml (primaryColor) and static/signin.css.
"""

from __future__ import annotations

# --- Okabe-Ito ----------------------------------------------------------------------------

BLUE = "#0072B2"
ORANGE = "#E69F00"
BLUISH_GREEN = "#009E73"
REDDISH_PURPLE = "#CC79A7"
SKY_BLUE = "#56B4E9"
VERMILLION = "#D55E00"
YELLOW = "#F0E442"
BLACK = "#000000"
WHITE = "#FFFFFF"
# Categories take these in turn (cities compared, lines of cities, financing sources).
OKABE_ITO = [BLUE, ORANGE, BLUISH_GREEN, REDDISH_PURPLE, SKY_BLUE, VERMILLION, YELLOW, BLACK]

# --- Greys and tints ------------------------------------------------------------------------

SEPARATOR_GREY = "#333333"  # lines between groups (the coverage matrix's countries)
TEXT_GREY = "#5A5A5A"  # the PDF's secondary text
EDGE_GREY = "#555555"  # outlines of bars and markers
PATH_GREY = "#777777"  # a task's path between reports
BORDER_GREY = "#888888"  # country borders on the map
NO_STATUS_GREY = "#999999"  # insufficient data, a task not started
OTHER_GREY = "#BBBBBB"  # the cities not chosen, behind the chosen ones
NO_INDEX_GREY = "#D9D9D9"  # a heatmap's cell without an index
PALE_BLUE = "#DDEBF7"  # the upload template's header
GRID_GREY = "#EEE"  # chart grid lines
OCEAN = "#E6F0F7"
LIGHT_BLUE = "#EBF1F7"  # the PDF's table stripes
LAND = "#F2F2F2"
PANEL = "#FAFAFA"  # behind the city profile's radar

# --- By meaning -----------------------------------------------------------------------------

# Indicator statuses (mne.scoring.STATUS_ORDER): blue for achieved, bluish green for on track,
# then yellow, orange and vermillion as things get worse, grey for no status. Yellow
# (moderate) and orange (limited) differ in lightness as well as hue.
STATUS_COLOURS = {
    "target_achieved": BLUE,
    "on_track": BLUISH_GREEN,
    "moderate": YELLOW,
    "limited": ORANGE,
    "deterioration": VERMILLION,
    "insufficient_data": NO_STATUS_GREY,
}
# Text on each status colour that stays readable (white only on the dark blue).
STATUS_TEXT_COLOURS = {status: BLACK for status in STATUS_COLOURS} | {"target_achieved": WHITE}
# The SDSN traffic light (mne.scoring.LIGHT_ORDER).
LIGHT_COLOURS = {"green": BLUISH_GREEN, "yellow": YELLOW, "orange": ORANGE, "red": VERMILLION}
# Task statuses (mne.tasks.TASK_STATUS_LABELS).
TASK_STATUS_COLOURS = {
    "not_started": NO_STATUS_GREY,
    "on_track": BLUISH_GREEN,
    "at_risk": ORANGE,
    "late": VERMILLION,
    "done": BLUE,
}
# SCAP project statuses (mne.projects.PROJECT_STATUS_LABELS).
PROJECT_STATUS_COLOURS = {"planning": REDDISH_PURPLE, "ongoing": SKY_BLUE, "completed": BLUE}


def rgb(colour: str) -> tuple[int, int, int]:
    """ "#RRGGBB" as (red, green, blue), 0 to 255 (the PDF's colours)."""
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def translucent(colour: str, alpha: float) -> str:
    """ "#RRGGBB" as a CSS rgba() with opacity `alpha` (an area's fill under its line)."""
    red, green, blue = rgb(colour)
    return f"rgba({red}, {green}, {blue}, {alpha})"


def hex_digits(colour: str) -> str:
    """ "#RRGGBB" without its "#" (openpyxl's colours)."""
    return colour.lstrip("#")
