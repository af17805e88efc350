"""ASGI entry point for uvicorn: `uvicorn cairn.asgi:app`."""

from __future__ import annotations

import logging

from cairn.app import create_app
from cairn.settings import get_settings

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
app = create_app(get_settings())
