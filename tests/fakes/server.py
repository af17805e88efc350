"""The loopback server the fakes run in (shared with `cairn bench soak`)."""

from __future__ import annotations

from evaluation.loopback import LoopbackServer

__all__ = ["LoopbackServer"]
