"""The services directory: validated records, found by council area and need."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator

from knowledge.location import COUNCILS
from knowledge.schema import one_of
from knowledge.sources import source_problem
from knowledge.text import fold

SERVICES_DIR = Path(__file__).resolve().parent / "services"
NATIONAL = "national"
CATEGORIES = frozenset(
    {
        "careers-advice", "employability", "apprenticeships-and-training", "college",
        "youth-work", "volunteering", "mental-health-and-wellbeing", "money-and-benefits",
        "housing", "disability-support", "care-experienced-support", "young-carers", "lgbt",
        "new-scots-esol", "digital-access",
    }
)  # fmt: skip


AREAS = frozenset(COUNCILS) | {NATIONAL}


class Service(BaseModel):
    """One service record (docs/services-guide.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
    name: str = Field(min_length=3)
    organisation: str = Field(min_length=2)
    categories: Annotated[list[str], Field(min_length=1), one_of(CATEGORIES, "category")]
    areas: Annotated[list[str], Field(min_length=1), one_of(AREAS, "council area")]
    phone: str
    url: HttpUrl
    address: str
    opening_times: str
    ages: str
    source_url: HttpUrl
    last_checked: date
    review_due: date

    @field_validator("url", "source_url")
    @classmethod
    def _own_page(cls, value: HttpUrl) -> HttpUrl:
        if problem := source_problem(value):
            raise ValueError(problem)
        return value

    @property
    def national(self) -> bool:
        """Whether it serves the whole of Scotland."""
        return NATIONAL in self.areas


class DirectoryProblem(BaseModel):
    """One broken record."""

    path: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.record}: {self.field}: {self.message}"


def load_directory(directory: Path, today: date) -> tuple[list[Service], list[DirectoryProblem]]:
    """Every valid, in-date record, and every problem found."""
    services: list[Service] = []
    problems: list[DirectoryProblem] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.yml")):
        try:
            records = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as exc:
            problems.append(
                DirectoryProblem(path=path.name, record="-", field="file", message=str(exc))
            )
            continue
        for number, raw in enumerate(records if isinstance(records, list) else [records], 1):
            label = str(raw.get("id", f"#{number}")) if isinstance(raw, dict) else f"#{number}"
            try:
                service = Service.model_validate(raw)
            except ValidationError as exc:
                problems += [
                    DirectoryProblem(
                        path=path.name,
                        record=label,
                        field=".".join(str(p) for p in err["loc"]) or "?",
                        message=err["msg"],
                    )
                    for err in exc.errors()
                ]
                continue
            found = _record_problems(service, path, seen, today)
            problems += found
            seen.add(service.id)
            if not found:
                services.append(service)
    return services, problems


def _record_problems(
    service: Service, path: Path, seen: set[str], today: date
) -> list[DirectoryProblem]:
    def problem(field: str, message: str) -> DirectoryProblem:
        return DirectoryProblem(path=path.name, record=service.id, field=field, message=message)

    found = []
    if service.id in seen:
        found.append(problem("id", "duplicate"))
    if not service.id.startswith(path.stem):
        found.append(problem("id", f"must start with {path.stem!r}"))
    if service.review_due < today:
        found.append(problem("review_due", f"overdue since {service.review_due}"))
    if not (service.phone or service.address or service.url):
        found.append(problem("phone", "no way to contact it"))
    return found


class Directory:
    """Services in memory, found by council area and need."""

    def __init__(self, services: list[Service]) -> None:
        self.services = services

    def find(self, *, council_area: str | None, need: str | None, limit: int = 5) -> list[Service]:
        """Local services for the need first, then national ones; at most `limit`."""

        def fits(service: Service) -> bool:
            return need is None or need in service.categories

        local = [s for s in self.services if council_area and council_area in s.areas and fits(s)]
        # The area's own records before regional ones listed by a neighbour.
        local.sort(key=lambda s: not s.id.startswith(council_area or "-"))
        national = [s for s in self.services if s.national and fits(s)]
        found: list[Service] = []
        seen: set[str] = set()
        for service in local + national:  # a regional body may be listed by several areas
            key = fold(re.sub(r"\(.*?\)", "", service.name))
            if key not in seen:
                seen.add(key)
                found.append(service)
        return found[:limit]

    def areas_covered(self) -> set[str]:
        """Council areas with at least one local record."""
        return {a for s in self.services for a in s.areas if a != NATIONAL}
