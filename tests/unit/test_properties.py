"""Property-based tests (hypothesis) for the text handling every message goes through."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cairn.db import Database
from channels.live import LocalHub
from channels.rasa_client import RasaClient
from channels.render import SMS_MAX_SEGMENTS, sms_units, split_sms, to_gsm
from channels.router import Router
from escalation.triage import triage
from knowledge.location import LocationResolver
from knowledge.text import normalise_query, plain

RESOLVER = LocationResolver()
ROUTER = Router(
    db=Database("sqlite://"),
    rasa=RasaClient("http://127.0.0.1:9"),
    resolver=RESOLVER,
    hub=LocalHub(),
    secret="x" * 40,
)
TEXT = st.text(max_size=400)
POSTCODES = st.sampled_from(["PA1 2BX", "G12 8QQ", "eh11ab", "KW15 1NR", "iv2 3", "DD1", "ZE1 0AA"])


@given(TEXT)
def test_normalisers_never_fail_and_plain_has_no_punctuation(text: str) -> None:
    assert isinstance(normalise_query(text), str)
    flat = plain(text)
    assert flat == flat.strip() and "  " not in flat
    assert all(ch.isalnum() or ch == " " or ch == "_" for ch in flat)


@given(TEXT)
def test_triage_answers_any_text(text: str) -> None:
    assert triage(text).level.value in ("crisis", "concern", "needs_person", "none")


@given(st.text(max_size=60), POSTCODES, st.text(max_size=60))
@settings(max_examples=300)
def test_a_postcode_never_survives_into_the_stored_text(before: str, code: str, after: str) -> None:
    text, _ = ROUTER._drop_postcode(f"{before} {code} {after}")
    found = RESOLVER.postcode(text)
    assert found is None or found[0].replace(" ", "").lower() != code.replace(" ", "").lower()


@given(TEXT)
def test_the_postcode_parser_never_fails(text: str) -> None:
    RESOLVER.postcode(text)


@given(st.lists(st.text(min_size=1, max_size=30), max_size=120).map(" ".join))
def test_sms_splitting_keeps_every_word_and_fits_the_budget(text: str) -> None:
    parts = split_sms(text)
    assert " ".join(parts).split() == to_gsm(text).split()  # split, never cut
    for part in parts:
        assert sms_units(part) <= SMS_MAX_SEGMENTS * 153 or len(part.split()) == 1


@given(TEXT)
def test_printable_keeps_newlines_and_drops_controls(text: str) -> None:
    from channels.turns import printable

    out = printable(text)
    assert "\x00" not in out and all(ch in "\n\t" or ord(ch) >= 32 for ch in out if ord(ch) < 127)
    assert out.count("\n") == text.count("\n")
