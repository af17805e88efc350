"""Remove personal data from a question before any phrase of it is counted.

Redaction is the first of two locks. The second is k-anonymity: a phrase is only published once
at least k different conversations used it (`insight.themes`), so a name or an address the
patterns miss still cannot surface. Patterns cover what young people actually type: phone
numbers, emails, postcodes, dates (of birth), National Insurance and SQA candidate numbers,
names after a cue ("my name is", "i'm called", "my teacher Mrs ..."), street addresses and school
names.
"""

from __future__ import annotations

import re

from knowledge.location import redact_postcodes

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# NI number: two letters, six digits (in pairs or not), a suffix letter A-D.
_NI = re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]?\b", re.IGNORECASE)
# Phone numbers: +44 or 0, then 9-10 more digits with spaces, dots, dashes or brackets.
_PHONE = re.compile(r"(?:\+\s?44\s?\(?0?\)?|\(?0)[\d\s().-]{8,16}\d")
_LONG_NUMBER = re.compile(r"\b\d[\d\s-]{6,}\d\b")  # candidate numbers and other long ids
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_DATE = re.compile(
    rf"\b\d{{1,2}}\s?[/.-]\s?\d{{1,2}}\s?[/.-]\s?\d{{2,4}}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b(?:,?\s+\d{{4}})?"
    rf"|\b(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}})?",
    re.IGNORECASE,
)
_WORD = r"[A-Za-z][A-Za-z'\u2019-]+"
_CAPITALISED = r"(?:Mc|Mac)?[A-Z][A-Za-z'\u2019-]+"
# A name: one word in any case, then any further capitalised words ("zainab", "Callum McLeod").
_NAME = rf"{_WORD}(?:\s+{_CAPITALISED})*"
_STRONG_CUES = (
    r"my name is|my names|my name's|name is|name's|first name|surname|last name|full name|"
    r"i am called|i'm called|im called|named|called"
)
_WEAK_CUES = r"call me|this is|it's|its|i am|i'm|im|signed|cheers|thanks|ta"
_NAME_CUE = re.compile(rf"\b(?i:({_STRONG_CUES})|{_WEAK_CUES})[:,]?\s+({_NAME})")
_TITLE = r"(?:(?i:mr|mrs|ms|dr)\.?|Miss)"
_RELATION_CUE = re.compile(
    r"\b(?i:my|our|the)\s+(?i:mum|mam|maw|mother|dad|da|father|gran|granny|grandad|papa|"
    r"brother|sister|pal|friend|mate|boyfriend|girlfriend|partner|guidance teacher|teacher|"
    r"careers adviser|careers advisor|adviser|advisor|coach|boss|manager|carer|social worker|"
    r"key worker|tutor|lecturer|son|daughter)"
    rf"(?:\s+(?i:is|was|called|named))?\s+((?:{_TITLE}\s+{_WORD}|{_CAPITALISED})"
    rf"(?:\s+{_CAPITALISED})*)"
)
_TITLE_NAME = re.compile(rf"\b{_TITLE}\s+{_WORD}(?:\s+{_CAPITALISED})?")
_STREET_TYPES = (
    r"street|st|road|rd|avenue|ave|drive|dr|crescent|cres|place|pl|terrace|terr|lane|ln|court|"
    r"ct|gardens|gdns|way|wynd|close|brae|grove|square|sq|park|view|row|loan|gate|vennel|walk|"
    r"quadrant|circus|parade|path|rise|green|mews|hill|bank|neuk|steading"
)
_ADDRESS = re.compile(
    r"\b(?:flat\s+[\w/]+,?\s+)?\d+[a-z]?(?:/\d+)?,?\s+(?:[A-Za-z'\u2019-]+\s+){1,3}"
    rf"(?:{_STREET_TYPES})\b\.?",
    re.IGNORECASE,
)
_FLAT = re.compile(r"\bflat\s+\d+(?:/\d+)?[a-z]?\b", re.IGNORECASE)
_SCHOOL = re.compile(
    r"\b(?:(?i:st\.?|saint)\s+)?"
    r"(?:(?!(?i:i|im|go|went|to|at|the|a|my|our|from|in|and|or|is|was|attend|attending)\s)"
    rf"{_WORD}\s+){{1,3}}"
    r"(?:(?i:high school|academy|grammar school|secondary school|primary school)"
    r"|High|Grammar|Primary|School)\b"
)
# Words that follow "i'm"/"its" far more often than a name does; "i'm Kyle" is a name,
# "i'm looking" is not. A capitalised word after a cue is a name unless it is listed here.
_NOT_NAMES = frozenset(
    """a an the and but or so not no yes just really very quite too also still only
    looking thinking wanting trying hoping going getting doing being having feeling working
    studying applying leaving starting finishing struggling wondering interested unsure sure
    scared worried nervous stressed confused lost stuck bored tired fine okay ok good great
    happy sad glad sorry new old young in at on from of for to with about into over under
    after before here there this that it its it's me my we you he she they them us his her
    who what when where why how which if then than because since until while
    doing done gonna wanna gotta like interested keen desperate fed up
    scottish british english irish welsh polish care experienced disabled autistic dyslexic
    deaf blind pregnant homeless unemployed employed self student pupil apprentice graduate
    year years yr yrs age aged nearly almost about around over under half
    s4 s5 s6 s3 s2 s1 p7 fifth sixth fourth third back later tomorrow today tonight asap now
    lazy crazy mad daft rubbish useless terrible bad rubbish done ready free available off out up
    down home away busy skint broke single alone shy quiet clever smart thick slow fast
    male female trans gay straight bi nonbinary gonna going kind sort bit lot pretty
    worried""".split()
)
_DESCRIPTIVE_ENDINGS = (
    "ing",
    "ed",
    "ly",
    "ful",
    "ous",
    "ive",
    "able",
    "ible",
    "less",
    "ish",
    "est",
)
PLACEHOLDERS = (
    "[email]",
    "[phone]",
    "[number]",
    "[postcode]",
    "[date]",
    "[ni]",
    "[name]",
    "[address]",
    "[school]",
)


def redact(text: str) -> str:
    """The text with every piece of personal data replaced by a bracketed placeholder."""
    text = _EMAIL.sub("[email]", text)
    text = redact_postcodes(text)
    text = _NI.sub(_ni_or_keep, text)
    text = _DATE.sub("[date]", text)
    text = _PHONE.sub("[phone]", text)
    text = _LONG_NUMBER.sub("[number]", text)
    text = _ADDRESS.sub("[address]", text)
    text = _FLAT.sub("[address]", text)
    text = _SCHOOL.sub("[school]", text)
    text = _RELATION_CUE.sub(lambda m: m.group(0).replace(m.group(1), "[name]"), text)
    text = _TITLE_NAME.sub("[name]", text)
    return _NAME_CUE.sub(_name_or_keep, text)


def _ni_or_keep(match: re.Match[str]) -> str:
    """An NI number has digits; 'SQ 12' style near-misses need all six."""
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "[ni]" if digits == 6 else match.group(0)


def _name_or_keep(match: re.Match[str]) -> str:
    """Replace a name after a cue; after a weak cue ("i'm ...") only if it is not a description."""
    strong, name = match.group(1), match.group(2)
    first = name.split()[0].lower().strip("'\u2019")
    if not strong and (first in _NOT_NAMES or first.endswith(_DESCRIPTIVE_ENDINGS)):
        return match.group(0)
    return match.group(0)[: match.start(2) - match.start(0)] + "[name]"
