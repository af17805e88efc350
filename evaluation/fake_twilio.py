"""A loopback fake of Twilio's Messages API for load runs: records what the stack sends.

It speaks the documented protocol: `POST /2010-04-01/Accounts/{sid}/Messages.json` with form
fields To, From and Body and HTTP Basic credentials, answered 201 with the new message's JSON
(its `sid`). `fail_for(seconds)` makes it answer 503 for a while, as an outage would.
"""

from __future__ import annotations

import base64
import itertools
import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import FastAPI, Form, Header, HTTPException

ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "50a650a650a650a650a650a650a650a6"
FROM_NUMBER = "+447700900000"


@dataclass(frozen=True)
class SentSms:
    """One message the stack sent, and when it reached the provider (time.monotonic())."""

    to: str
    body: str
    at: float


class FakeTwilio:
    """Records every accepted message; thread-safe, since uvicorn serves it in a thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._new: list[SentSms] = []
        self._ids = itertools.count(1)
        self._down_until = 0.0
        self.accepted = 0
        self.refused = 0

    def fail_for(self, seconds: float) -> None:
        """Answer 503 to every request for the next `seconds`."""
        self._down_until = time.monotonic() + seconds

    def take(self) -> list[SentSms]:
        """The messages received since the last call."""
        with self._lock:
            new, self._new = self._new, []
        return new

    def app(self) -> FastAPI:
        """The Messages API, as an ASGI app."""
        app = FastAPI()
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()

        @app.post("/2010-04-01/Accounts/{sid}/Messages.json", status_code=201)
        def create(
            sid: str,
            to: Annotated[str, Form(alias="To")],
            from_: Annotated[str, Form(alias="From")],
            body: Annotated[str, Form(alias="Body")],
            authorization: Annotated[str, Header()] = "",
        ) -> dict[str, object]:
            now = time.monotonic()
            if sid != ACCOUNT_SID or authorization != expected:
                raise HTTPException(401, "bad credentials")
            if now < self._down_until:
                with self._lock:
                    self.refused += 1
                raise HTTPException(503, "service unavailable")
            with self._lock:
                self.accepted += 1
                self._new.append(SentSms(to, body, now))
                message_sid = f"SM{next(self._ids):032d}"
            return {
                "sid": message_sid, "account_sid": sid, "to": to, "from": from_, "body": body,
                "status": "queued", "num_segments": "1", "direction": "outbound-api",
            }  # fmt: skip

        return app
