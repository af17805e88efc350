"""Render a reply for each channel's limits: SMS segments, Telegram HTML, the web in full."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from channels.schemas import Reply

# GSM 03.38 basic set plus the extension table (which costs two septets each).
_GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = set("^{}\\[~]|€")
_ASCII_FOR = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u2026": "...", "\u00a0": " ", "\u2022": "-",
}  # fmt: skip
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
SMS_MAX_SEGMENTS = 3
ANSWER_SMS_SEGMENTS = 2  # a knowledge answer; "MORE" gives the rest
TELEGRAM_MAX_CHARS = 4096


def to_gsm(text: str) -> str:
    """Replace typographic characters with GSM-7 ones so a segment holds 160, not 70."""
    return "".join(_ASCII_FOR.get(ch, ch) for ch in text)


def is_gsm(text: str) -> bool:
    """Whether the text can be sent in the GSM-7 alphabet."""
    return all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text)


def sms_units(text: str) -> int:
    """Length in the units segments are counted in (septets, or UTF-16 code units)."""
    if is_gsm(text):
        return sum(2 if ch in _GSM_EXTENDED else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


def sms_segments(text: str) -> int:
    """How many SMS segments the text needs."""
    units, single, multi = sms_units(text), 160, 153
    if not is_gsm(text):
        single, multi = 70, 67
    return 1 if units <= single else -(-units // multi)


def fit(text: str, budget: int, *, size: Callable[[str], int] = sms_units) -> str:
    """Trim to whole lines and sentences (or whole words) within `budget`, as `size` measures."""
    if size(text) <= budget:
        return text
    kept = ""
    for line in text.split("\n"):
        for number, sentence in enumerate(_SENTENCE_END.split(line)):
            joint = "" if not kept else (" " if number else "\n")
            if size(kept + joint + sentence) > budget:
                return kept or _words(text, budget, size)
            kept += joint + sentence
    return kept


def _words(text: str, budget: int, size: Callable[[str], int]) -> str:
    words = text.split()
    while words and size(" ".join(words) + "...") > budget:
        words.pop()
    return " ".join(words) + "..."


def render_sms(reply: Reply) -> str:
    """A sourced answer in at most two segments: whole sentences, then its source link; the
    options ("Reply: Tell me more / ...") only if they fit too."""
    text = to_gsm(reply.text)
    link = to_gsm(f"\nMore: {reply.sources[0].url}") if reply.sources else ""
    options = " / ".join(b.title for b in reply.buttons if not b.payload.startswith("http"))
    offer = to_gsm(f"\nReply: {options}.") if options else ""
    budget = ANSWER_SMS_SEGMENTS * 153
    body = fit(text, budget - sms_units(link))
    rendered = body + (offer if sms_units(body + offer + link) <= budget else "") + link
    if sms_segments(rendered) > ANSWER_SMS_SEGMENTS:  # a non-GSM character slipped in
        rendered = fit(rendered.encode("ascii", "replace").decode(), budget)
    return rendered.strip()


def render_telegram(reply: Reply) -> str:
    """HTML (Telegram's parse_mode) under 4096 characters, sources as links."""
    sources = "".join(
        f'\n\n<a href="{html.escape(s.url, quote=True)}">{html.escape(s.title)}</a> '
        f"(last reviewed {html.escape(s.last_reviewed)})"
        for s in reply.sources
    )
    body = fit(reply.text, TELEGRAM_MAX_CHARS - len(sources), size=_escaped_length)
    return html.escape(body, quote=False) + sources


def _escaped_length(text: str) -> int:
    return len(html.escape(text, quote=False))


def split_sms(text: str, *, max_segments: int = SMS_MAX_SEGMENTS) -> list[str]:
    """Split a long reply into messages of at most `max_segments` segments each.

    Breaks fall between lines, then sentences, then words: never inside a word or a link.
    """
    budget = max_segments * 153
    parts: list[str] = []
    current = ""
    for piece in _pieces(to_gsm(text), budget):
        candidate = f"{current}\n{piece}" if current else piece
        if sms_units(candidate) <= budget:
            current = candidate
        else:
            if current:
                parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, budget: int) -> list[str]:
    """Lines, and any line too long for one message split into sentences, then words."""
    pieces: list[str] = []
    for line in text.splitlines():
        if sms_units(line) <= budget:
            pieces.append(line)
            continue
        words: list[str] = []
        for word in line.split():
            if sms_units(" ".join([*words, word])) > budget and words:
                pieces.append(" ".join(words))
                words = []
            words.append(word)
        if words:
            pieces.append(" ".join(words))
    return [p for p in pieces if p.strip()]


def render_sms_messages(reply: Reply) -> list[str]:
    """An answer with one source fits one message; a longer list is split, never cut."""
    if reply.meta.get("sms_text"):
        return [to_gsm(str(reply.meta["sms_text"]))]
    if reply.sources and not reply.meta.get("expanded"):
        return [render_sms(reply)]
    if reply.sources:  # "tell me more": the whole passage, split, never cut
        return split_sms(f"{reply.text}\nMore: {reply.sources[0].url}")
    options = " / ".join(b.title for b in reply.buttons)
    text = reply.text + (f"\nReply: {options}" if options else "")
    return split_sms(text)


def outbound_bodies(channel: str, reply: Reply) -> list[dict[str, object]]:
    """The outbox bodies that deliver one reply on a push channel (none for the web)."""
    if channel == "sms":
        return [{"text": text} for text in render_sms_messages(reply)]
    if channel == "telegram":
        return [{"text": render_telegram(reply), "buttons": [vars(b) for b in reply.buttons]}]
    return []
