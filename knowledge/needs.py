"""Map what a young person says they need to a services category."""

from __future__ import annotations

import re

from knowledge.directory import CATEGORIES
from knowledge.text import normalise_query

DEFAULT_NEED = "careers-advice"
# First match wins: specific needs before the general ones.
_KEYWORDS: list[tuple[str, str]] = [
    (r"young carer|\bcarer|caring for", "young-carers"),
    (r"care experienced|in care|care leaver|foster|kinship", "care-experienced-support"),
    (r"mental|stress|anxi|depress|wellbeing|counsel", "mental-health-and-wellbeing"),
    (r"homeless|housing|somewhere to (?:live|stay)|tenanc|rent\b", "housing"),
    (r"money|benefit|universal credit|debt|grant|cash|skint", "money-and-benefits"),
    (r"disab|autis|adhd|dyslex|wheelchair|deaf|blind|additional support", "disability-support"),
    (r"lgbt|gay|lesbian|trans\b|bisexual|queer|non binary", "lgbt"),
    (r"esol|english lessons|learn english|refugee|asylum|new scot", "new-scots-esol"),
    (r"digital|laptop|wifi|internet|computer access|data", "digital-access"),
    (r"volunteer", "volunteering"),
    (r"youth (?:club|work|group|centre)", "youth-work"),
    (r"apprentice|training", "apprenticeships-and-training"),
    (r"college|course", "college"),
    (r"career|adviser|advisor|guidance|what to do with my life", "careers-advice"),
    (r"job|work|employ|cv\b", "employability"),
]  # fmt: skip
_PATTERNS = [(re.compile(p), category) for p, category in _KEYWORDS]


def need_category(text: str | None) -> str:
    """A category slug for free text (or a slug given directly); careers advice by default."""
    if not text:
        return DEFAULT_NEED
    if text in CATEGORIES:
        return text
    normalised = normalise_query(text)
    for pattern, category in _PATTERNS:
        if pattern.search(normalised):
            return category
    return DEFAULT_NEED
