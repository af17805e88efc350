"""Turn a postcode, a town or a council area name into one of Scotland's 32 council areas.

Offline: a postcode table (districts, and sectors where a district spans two councils) and a
place gazetteer, both under `knowledge/places/` (sources and licences in SOURCES.md).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from rapidfuzz import fuzz, process

from knowledge.text import fold

PLACES_DIR = Path(__file__).resolve().parent / "places"
OUTSIDE = "outside-scotland"
SCOTTISH_POSTCODE_AREAS = frozenset(
    "AB DD DG EH FK G HS IV KA KW KY ML PA PH TD ZE".lower().split()
)
# Every UK postcode area letter pair we might see; anything not Scottish is outside Scotland.
_POSTCODE = re.compile(r"\b([a-z]{1,2})(\d[a-z\d]?)(?:\s*(\d)([a-z]{2})?)?\b")
_FULL_POSTCODE = re.compile(r"\b[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\b", re.IGNORECASE)

COUNCILS: dict[str, tuple[str, ...]] = {
    "aberdeen-city": ("Aberdeen City", "Aberdeen"),
    "aberdeenshire": ("Aberdeenshire", "Shire"),
    "angus": ("Angus",),
    "argyll-and-bute": ("Argyll and Bute", "Argyll & Bute", "Argyll", "Bute"),
    "city-of-edinburgh": ("City of Edinburgh", "Edinburgh", "Embra", "Edinburgh City"),
    "clackmannanshire": ("Clackmannanshire", "Clacks", "Wee County"),
    "dumfries-and-galloway": ("Dumfries and Galloway", "Dumfries & Galloway", "D&G", "Galloway"),
    "dundee-city": ("Dundee City", "Dundee"),
    "east-ayrshire": ("East Ayrshire",),
    "east-dunbartonshire": ("East Dunbartonshire", "East Dunbarton"),
    "east-lothian": ("East Lothian",),
    "east-renfrewshire": ("East Renfrewshire", "East Ren"),
    "falkirk": ("Falkirk",),
    "fife": ("Fife", "Kingdom of Fife"),
    "glasgow-city": ("Glasgow City", "Glasgow", "Glesga", "Glesca", "Weegie"),
    "highland": ("Highland", "Highlands", "The Highlands"),
    "inverclyde": ("Inverclyde",),
    "midlothian": ("Midlothian",),
    "moray": ("Moray",),
    "na-h-eileanan-siar": (
        "Na h-Eileanan Siar", "Comhairle nan Eilean Siar", "Eilean Siar", "Western Isles",
        "Outer Hebrides", "Na h Eileanan Siar",
    ),
    "north-ayrshire": ("North Ayrshire",),
    "north-lanarkshire": ("North Lanarkshire", "North Lanarks"),
    "orkney-islands": ("Orkney Islands", "Orkney", "Orkneys"),
    "perth-and-kinross": ("Perth and Kinross", "Perth & Kinross", "Perthshire", "P&K"),
    "renfrewshire": ("Renfrewshire",),
    "scottish-borders": ("Scottish Borders", "Borders", "The Borders"),
    "shetland-islands": ("Shetland Islands", "Shetland", "Shetlands", "Zetland"),
    "south-ayrshire": ("South Ayrshire",),
    "south-lanarkshire": ("South Lanarkshire", "South Lanarks"),
    "stirling": ("Stirling",),
    "west-dunbartonshire": ("West Dunbartonshire", "West Dunbarton"),
    "west-lothian": ("West Lothian",),
}  # fmt: skip
_FILLER = re.compile(
    r"\b(?:i am|im|i'm|i live|live|living|staying|stay|from|in|at|near|around|the|council|area|"
    r"it's|its|it is|my|postcode|is|town|city|village|island|of|oot|fae|frae|up|doon|down)\b"
)


class Kind(StrEnum):
    """How the text was understood."""

    POSTCODE = "postcode"
    COUNCIL = "council"
    PLACE = "place"
    AMBIGUOUS = "ambiguous"
    OUTSIDE = "outside_scotland"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Resolution:
    """The council area found (if any), how, and the choices when it is ambiguous."""

    kind: Kind
    council_area: str | None = None
    candidates: tuple[str, ...] = field(default_factory=tuple)

    @property
    def found(self) -> bool:
        """Whether one council area was found."""
        return self.council_area is not None


def council_name(slug: str) -> str:
    """The council area's official name."""
    return COUNCILS[slug][0]


def redact_postcodes(text: str, replace: str = "[postcode]") -> str:
    """Remove full postcodes from text that is to be stored."""
    return _FULL_POSTCODE.sub(replace, text)


class LocationResolver:
    """Loads the tables once; resolves in microseconds."""

    def __init__(self, directory: Path = PLACES_DIR) -> None:
        self._postcodes: dict[str, str] = {}
        with (directory / "postcodes.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                # "pa2 9" (a sector) must not collide with "pa29" (a district)
                self._postcodes[" ".join(row["prefix"].lower().split())] = row["council_area"]
        self._names: dict[str, set[str]] = {}
        for slug, names in COUNCILS.items():
            for name in names:
                self._names.setdefault(_clean(name), set()).add(slug)
        self._councils = dict(self._names)
        with (directory / "places.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                self._names.setdefault(_clean(row["name"]), set()).add(row["council_area"])
        self._names.pop("", None)
        self._choices = list(self._names)

    def postcode(self, text: str) -> tuple[str, Resolution] | None:
        """Find a postcode (full or partial) in the text; return it and its resolution."""
        for match in _POSTCODE.finditer(fold(text)):
            area, district, sector_digit = match.group(1), match.group(2), match.group(3)
            outward = area + district
            if area not in SCOTTISH_POSTCODE_AREAS:
                if area in _UK_AREAS and (sector_digit or len(outward) >= 3):
                    return match.group(0), Resolution(Kind.OUTSIDE)
                continue
            council = None
            if sector_digit:
                council = self._postcodes.get(f"{outward} {sector_digit}")
            council = council or self._postcodes.get(outward)
            if council == OUTSIDE:
                return match.group(0), Resolution(Kind.OUTSIDE)
            if council:
                return match.group(0), Resolution(Kind.POSTCODE, council)
        return None

    def resolve(self, text: str) -> Resolution:
        """Resolve free text such as "PA1 2BX", "im in paisley" or "the Borders"."""
        found = self.postcode(text)
        if found:
            return found[1]
        cleaned = _clean(text)
        if not cleaned:
            return Resolution(Kind.UNKNOWN)
        for candidate in _spans(cleaned):
            if candidate in self._names:
                return self._from_names(candidate)
        if len(cleaned) >= 4:
            match = process.extractOne(cleaned, self._choices, scorer=fuzz.ratio, score_cutoff=84)
            if match is not None:
                return self._from_names(match[0])
        if fold(text) in _OUTSIDE_PLACES or cleaned in _OUTSIDE_PLACES:
            return Resolution(Kind.OUTSIDE)
        return Resolution(Kind.UNKNOWN)

    def _from_names(self, name: str) -> Resolution:
        councils = self._names[name]
        kind = Kind.COUNCIL if name in self._councils else Kind.PLACE
        if len(councils) == 1:
            (council,) = councils
            if council == OUTSIDE:
                return Resolution(Kind.OUTSIDE)
            return Resolution(kind, council)
        return Resolution(Kind.AMBIGUOUS, candidates=tuple(sorted(councils)))


def _clean(text: str) -> str:
    """Fold case and accents, drop filler words and punctuation (names and input alike)."""
    words = _FILLER.sub(" ", fold(text).replace("-", " "))
    return " ".join(re.sub(r"[^\w&' ]", " ", words).split())


def _spans(text: str) -> list[str]:
    """The whole text, then every run of up to four words, longest first."""
    words = text.split()
    spans = [text]
    for size in range(min(4, len(words)), 0, -1):
        spans += [" ".join(words[i : i + size]) for i in range(len(words) - size + 1)]
    return [s for s in spans if len(s) > 1]


_UK_AREAS = frozenset(
    "al b ba bb bd bh bl bn br bs bt ca cb cf ch cm co cr ct cv cw da de dh dl dn dt dy e ec en "
    "ex fy gl gu gy ha hd hg hp hr hu hx ig im ip je kt l la ld le ll ln ls lu m me mk n ne ng "
    "nn np nr nw ol ox pe pl po pr rg rh rm s sa se sg sk sl sm sn so sp sr ss st sw sy ta tf tn "
    "tq tr ts tw ub w wa wc wd wf wn wr ws wv yo".split()
)
_OUTSIDE_PLACES = frozenset(
    {
        "london", "manchester", "birmingham", "liverpool", "leeds", "newcastle", "sunderland",
        "carlisle", "berwick", "berwick upon tweed", "cardiff", "belfast", "bristol",
        "sheffield", "york", "dublin", "england", "wales", "ireland", "northern ireland",
        "newcastle upon tyne", "durham", "middlesbrough", "nottingham", "leicester", "oxford",
        "cambridge", "brighton", "plymouth", "swansea", "derry", "outside scotland",
    }
)  # fmt: skip
