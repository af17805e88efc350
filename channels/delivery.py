"""Where adapters hand replies for push channels (SMS, Telegram): the durable outbox."""

from __future__ import annotations

from typing import Any

from anyio import to_thread

from cairn.db import Database
from channels.models import OptOut
from channels.outbox import OutboxWorker, enqueue


class Delivery:
    """Enqueue replies and opt-outs; the worker sends them."""

    def __init__(self, *, db: Database, worker: OutboxWorker) -> None:
        self._db = db
        self._worker = worker

    async def send_texts(
        self,
        channel: str,
        address: str,
        conversation_id: str,
        texts: list[str],
    ) -> None:
        """Queue one message per text, in order, in one transaction (adviser replies, HELP)."""

        def store() -> None:
            with self._db.session() as session:
                for text in texts:
                    body: dict[str, Any] = {"text": text}
                    enqueue(
                        session=session,
                        channel=channel,
                        conversation_id=conversation_id,
                        address=address,
                        body=body,
                    )

        if texts:
            await to_thread.run_sync(store)
            self._worker.notify()

    async def send_text(self, channel: str, address: str, text: str) -> None:
        """Queue one service message (HELP, START) outside any conversation."""
        await self.send_texts(channel, address, "-", [text])

    def opt_out(self, opt_out_id: str) -> None:
        """Remember a STOP."""
        with self._db.session() as session:
            if session.get(OptOut, opt_out_id) is None:
                session.add(OptOut(id=opt_out_id, channel="sms"))

    def opt_in(self, opt_out_id: str) -> bool:
        """Forget a STOP; return whether there was one."""
        with self._db.session() as session:
            found = session.get(OptOut, opt_out_id)
            if found is not None:
                session.delete(found)
            return found is not None
