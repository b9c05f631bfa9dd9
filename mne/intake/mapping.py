"""What a person tells the upload about another system's words: which column holds what,
which series (or breakdown value) is which of our indicators, which unit is which, which place
is which of our cities.

Written `KIND:WRITTEN=TARGET`, one per entry (the command line's `--map`, the Upload page's
mapping box, one per line):

    column:Country Name=city        a header -> a role (city, indicator, period, value)
    series:PM2.5=QE_PM25            a series or breakdown value -> an indicator code
    unit:microgram/m3=µg/m³         a unit as written -> a unit of ours
    city:Alberta=VNHAN              a place as written -> a city code

A mapping is checked against the catalog before the file is read: a target that is no code of
ours is refused with the closest codes, so nothing lands under a guess.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from mne.errors import ErrorKinds, UserError
from mne.i18n import MISSING, N_
from mne.text import fold

KINDS = ("column", "series", "unit", "city")
ROLES = ("city", "indicator", "period", "value")
# Other words people use for a kind.
KIND_SYNONYMS = {"indicator": "series", "place": "city", "header": "column"}

MAPPING_PROBLEMS = {
    "syntax": N_(
        "“{entry}” is not a mapping. Write KIND:WRITTEN=TARGET, e.g. series:PM2.5=QE_PM25 "
        "(kinds: column, series, unit, city)."
    ),
    "role": N_(
        "“{entry}”: “{target}” is not a column role. Map a column to city, indicator, period "
        "or value."
    ),
    "indicator": N_(
        "“{entry}”: “{target}” is not an indicator code. Closest codes: {suggestions}. The "
        "codes are on the template's Indicators sheet."
    ),
    "city": N_(
        "“{entry}”: “{target}” is not a city code. Closest codes: {suggestions}. The codes are "
        "on the template's Cities sheet."
    ),
}


class MappingProblem(UserError):
    """A mapping that cannot be used; nothing is read with it."""

    kinds = ErrorKinds()


MappingProblem.define_all(
    MAPPING_PROBLEMS,
    {
        "syntax": "An entry that is not KIND:WRITTEN=TARGET.",
        "role": "A column mapped to no role of ours (city, indicator, period, value).",
        "indicator": "A series mapped to no indicator code of the catalog.",
        "city": "A place mapped to no city code of the catalog.",
    },
)


@dataclass(frozen=True)
class Mapping:
    """Folded written text -> target, per kind."""

    columns: dict[str, str] = field(default_factory=dict)
    series: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    cities: dict[str, str] = field(default_factory=dict)
    written: tuple[str, ...] = ()  # the entries as given, for showing and remembering

    @classmethod
    def parse(cls, entries: Iterable[str]) -> Mapping:
        """Entries as people write them; blank ones are left out. MappingProblem when one
        is not KIND:WRITTEN=TARGET or names a role that does not exist."""
        found: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}
        kept: list[str] = []
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            kind, written, target = _split(entry)
            if kind == "column":
                target = target.lower()
                if target not in ROLES:
                    raise MappingProblem("role", entry=entry, target=target)
            found[kind][fold(written)] = target
            kept.append(entry)
        return cls(found["column"], found["series"], found["unit"], found["city"], tuple(kept))

    def __bool__(self) -> bool:
        return bool(self.written)

    def check_codes(self, indicator_codes: Iterable[str], city_codes: Iterable[str]) -> None:
        """MappingProblem when a series or city entry names no code of the catalog."""
        for kind, targets, codes in (
            ("indicator", self.series, list(indicator_codes)),
            ("city", self.cities, list(city_codes)),
        ):
            known = {code.upper() for code in codes}
            for written, target in targets.items():
                if target.upper() not in known:
                    close = difflib.get_close_matches(target.upper(), sorted(known), n=3)
                    raise MappingProblem(
                        kind,
                        entry=self._entry_for(kind, written),
                        target=target,
                        suggestions=", ".join(close) or MISSING,
                    )

    def _entry_for(self, kind: str, written: str) -> str:
        prefix = "series" if kind == "indicator" else "city"
        for entry in self.written:
            entry_kind, entry_written, _target = _split(entry)
            if entry_kind == prefix and fold(entry_written) == written:
                return entry
        return written


def _split(entry: str) -> tuple[str, str, str]:
    kind, colon, rest = entry.partition(":")
    written, equals, target = rest.rpartition("=")
    kind = fold(kind)
    kind = KIND_SYNONYMS.get(kind, kind)
    if not colon or not equals or kind not in KINDS or not written.strip() or not target.strip():
        raise MappingProblem("syntax", entry=entry)
    return kind, written.strip(), target.strip()
