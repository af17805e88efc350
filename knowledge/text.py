"""Normalise how young people write (SMS spellings, Scots, stretched letters) for search."""

from __future__ import annotations

import re
import unicodedata

# Whole-word respellings seen in young people's messages -> standard English.
SPELLINGS: dict[str, str] = {
    "u": "you",
    "ur": "your",
    "ye": "you",
    "yer": "your",
    "r": "are",
    "y": "why",
    "wot": "what",
    "wnt": "want",
    "dnt": "dont",
    "nite": "night",
    "rn": "right now",
    "wat": "what",
    "wit": "what",
    "whit": "what",
    "hw": "how",
    "hoo": "how",
    "cn": "can",
    "cud": "could",
    "wud": "would",
    "shud": "should",
    "dinnae": "dont",
    "dinny": "dont",
    "didnae": "didnt",
    "cannae": "cant",
    "canny": "cant",
    "wouldnae": "wouldnt",
    "isnae": "isnt",
    "wisnae": "wasnt",
    "nae": "no",
    "naw": "no",
    "aye": "yes",
    "ken": "know",
    "wantae": "want to",
    "wanna": "want to",
    "gonnae": "going to",
    "gonna": "going to",
    "tae": "to",
    "2": "to",
    "4": "for",
    "b4": "before",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ta": "thanks",
    "bc": "because",
    "cos": "because",
    "coz": "because",
    "cuz": "because",
    "n": "and",
    "uni": "university",
    "coll": "college",
    "apprentiship": "apprenticeship",
    "aprenticeship": "apprenticeship",
    "apprentaship": "apprenticeship",
    "hame": "home",
    "masel": "myself",
    "ma": "my",
    "wee": "small",
    "dosh": "money",
    "skint": "no money",
    "maw": "mum",
    "da": "dad",
    "jist": "just",
    "noo": "now",
    "aw": "all",
    "awright": "alright",
    "awrite": "alright",
    "fae": "from",
    "frae": "from",
    "wi": "with",
    "oot": "out",
    "aboot": "about",
    "dae": "do",
    "doin": "doing",
    "workin": "working",
    "lookin": "looking",
    "gettin": "getting",
    "im": "i am",
    "ive": "i have",
    "rly": "really",
    "sth": "something",
    "smth": "something",
    "abt": "about",
    "idk": "i dont know",
    "nxt": "next",
    "yr": "year",
    "yrs": "years",
    "qualis": "qualifications",
    "quals": "qualifications",
    # Common SMS shorthands (spelling, not meaning: "h8" is "hate" whatever follows).
    "wen": "when",
    "whn": "when",
    "wer": "where",
    "wher": "where",
    "whr": "where",
    "wht": "what",
    "skl": "school",
    "skool": "school",
    "skul": "school",
    "scl": "school",
    "schl": "school",
    "hrs": "hours",  # not "hr": that is human resources ("a job in HR")
    "wk": "week",
    "wks": "weeks",
    "mnth": "month",
    "mnths": "months",
    "2day": "today",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "2nite": "tonight",
    "ppl": "people",
    "bout": "about",
    "dunno": "dont know",
    "thru": "through",
    "tho": "though",
    "cld": "could",
    "shld": "should",
    "wiv": "with",
    "wif": "with",
    "tht": "that",
    "dat": "that",
    "hav": "have",
    "fone": "phone",
    "msg": "message",
    "txt": "text",
    "sum1": "someone",
    "some1": "someone",
    "any1": "anyone",
    "ne1": "anyone",
    "no1": "no one",
    "gr8": "great",
    "l8r": "later",
    "m8": "mate",
    "w8": "wait",
    "h8": "hate",
    "thnx": "thanks",
    "thanx": "thanks",
    "sry": "sorry",
    "soz": "sorry",
    "bcoz": "because",
    "becoz": "because",
    "bcos": "because",
    "wana": "want to",
    "gna": "going to",
    "gnna": "going to",
    "apprentiships": "apprenticeships",
    "aprenticeships": "apprenticeships",
    "apprentaships": "apprenticeships",
    "apprenticship": "apprenticeship",
    "apprenticships": "apprenticeships",
}
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # keeps \t \n \v \f \r: white space
_WORD = re.compile(r"[a-z0-9']+|[^a-z0-9'\s]+")
_STRETCH = re.compile(r"([a-z])\1{2,}")


def fold(text: str) -> str:
    """Lower-case, strip accents and control characters, collapse white space.

    Line breaks and tabs are white space: "want to die\nbye" stays two words apart.
    """
    if text.isascii():  # the common case, without a look at every character
        return " ".join(_ASCII_CONTROL.sub("", text).lower().split())
    text = unicodedata.normalize("NFKD", text)
    text = "".join(
        ch
        for ch in text
        if ch.isspace() or (not unicodedata.combining(ch) and unicodedata.category(ch)[0] != "C")
    )
    return " ".join(text.lower().replace("\u2019", "'").split())


def normalise_query(text: str) -> str:
    """Return `text` folded, with stretched letters shrunk and SMS/Scots words respelt."""
    folded = _STRETCH.sub(r"\1\1", fold(text))
    words = [SPELLINGS.get(w, w) if w[0].isalnum() else w for w in _WORD.findall(folded)]
    return " ".join(words)


_PUNCT = re.compile(r"[^\w\s]")


def plain(text: str) -> str:
    """`normalise_query` without punctuation or apostrophes: the one text a turn embeds.

    Triage matches it, Rasa's intent classifier and dense retrieval embed it, so the service
    computes one vector per message and all three share it.
    """
    return " ".join(_PUNCT.sub(" ", normalise_query(text).replace("'", "")).split())


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9£\"'(])")
_MARKUP = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+|[*_`#]+")
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def sentences(text: str) -> list[str]:
    """Split a passage into clean sentences; a list item is one sentence, marked "- "."""
    found: list[str] = []
    for line in text.splitlines():
        item = bool(_ITEM.match(line))
        line = _MARKUP.sub("", line).strip()
        if not line:
            continue
        if item:
            found.append(f"- {line}")
        else:
            found.extend(s.strip() for s in _SENTENCE.split(line) if s.strip())
    return found
