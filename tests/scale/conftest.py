"""The scale-out topology, started once for the module's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import twilio_env
from tests.fakes.server import LoopbackServer
from tests.fakes.twilio import FakeTwilio
from tests.scale.topology import Topology, scale_out


@pytest.fixture(scope="session")
def scale_twilio() -> Iterator[tuple[FakeTwilio, LoopbackServer]]:
    fake = FakeTwilio()
    with LoopbackServer(fake.app()) as server:
        yield fake, server


@pytest.fixture(scope="session")
def topology(
    tmp_path_factory: pytest.TempPathFactory, scale_twilio: tuple[FakeTwilio, LoopbackServer]
) -> Iterator[Topology]:
    data_dir: Path = tmp_path_factory.mktemp("scale")
    with scale_out(data_dir, extra_env=twilio_env(scale_twilio[1])) as running:
        yield running
