from __future__ import annotations

import pytest

from knowledge.location import Kind, LocationResolver, redact_postcodes


@pytest.fixture(scope="module")
def resolver() -> LocationResolver:
    return LocationResolver()


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("PA1 2BX", "renfrewshire"),
        ("pa12bx", "renfrewshire"),
        ("PA1", "renfrewshire"),
        ("PA2 9PE", "renfrewshire"),  # a sector key, not the PA29 district
        ("g51", "glasgow-city"),
        ("KW15 1", "orkney-islands"),
        ("im in paisley", "renfrewshire"),
        ("Stornoway", "na-h-eileanan-siar"),
        ("the Borders", "scottish-borders"),
        ("Comhairle nan Eilean Siar", "na-h-eileanan-siar"),
        ("Western Isles", "na-h-eileanan-siar"),
        ("Kilmarnoch", "east-ayrshire"),
        ("Bridge of Allan", "stirling"),
    ],
)
def test_places_and_postcodes_resolve_to_a_council_area(
    resolver: LocationResolver, text: str, area: str
) -> None:
    assert resolver.resolve(text).council_area == area


def test_outside_scotland_and_nonsense(resolver: LocationResolver) -> None:
    assert resolver.resolve("SW1A 1AA").kind is Kind.OUTSIDE
    assert resolver.resolve("Newcastle").kind is Kind.OUTSIDE
    assert resolver.resolve("asdf").kind is Kind.UNKNOWN
    assert resolver.resolve("hello").kind is Kind.UNKNOWN


def test_a_name_in_two_areas_asks_which(resolver: LocationResolver) -> None:
    resolution = resolver.resolve("Newton")
    assert resolution.kind is Kind.AMBIGUOUS
    assert len(resolution.candidates) >= 2


def test_full_postcodes_can_be_redacted() -> None:
    assert redact_postcodes("I live at PA1 2BX near g51") == "I live at [postcode] near g51"
