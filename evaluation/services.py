"""Location resolution accuracy on the labelled set, and coverage of the directory."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from knowledge.directory import Directory
from knowledge.location import COUNCILS, OUTSIDE, Kind, LocationResolver

DATASET = Path(__file__).resolve().parent / "datasets" / "locations.jsonl"


def expected_of(resolution_kind: Kind, council_area: str | None) -> str | None:
    """What the labelled set calls a resolution: a slug, outside-scotland or null."""
    if resolution_kind is Kind.OUTSIDE:
        return OUTSIDE
    return council_area


def evaluate(resolver: LocationResolver, directory: Directory) -> dict[str, object]:
    """Accuracy overall and by note, the misses, and careers-advice services per area."""
    rows = [json.loads(line) for line in DATASET.read_text().splitlines() if line.strip()]
    correct, by_kind, total_kind = 0, Counter[str](), Counter[str]()
    misses = []
    for row in rows:
        resolution = resolver.resolve(row["text"])
        got = expected_of(resolution.kind, resolution.council_area)
        kind = str(row.get("note") or "other").split(":")[0]
        total_kind[kind] += 1
        if got == row["council_area"]:
            correct += 1
            by_kind[kind] += 1
        else:
            misses.append({"text": row["text"], "expected": row["council_area"], "got": got})
    coverage = {
        area: len(directory.find(council_area=area, need="careers-advice", limit=50))
        for area in COUNCILS
    }
    return {
        "locations": len(rows),
        "accuracy": round(correct / len(rows), 4),
        "by_kind": {k: round(by_kind[k] / n, 3) for k, n in sorted(total_kind.items())},
        "misses": misses,
        "careers_advice_services_min": min(coverage.values()),
        "areas_with_fewer_than_4": sorted(a for a, n in coverage.items() if n < 4),
    }
