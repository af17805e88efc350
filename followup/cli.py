"""`cairn followup ...`: send what is due (at a given time, for tests and catch-up) and list."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlalchemy import select

from cairn.db import Database, as_utc
from cairn.settings import get_settings
from channels.identity import conversation_id
from followup.models import FollowUp
from followup.service import send_due

followup_app = typer.Typer(help="Consented follow-up check-ins.", no_args_is_help=True)


@followup_app.command("run")
def run(
    now: Annotated[
        str | None, typer.Option(help="Act as if it were this ISO time (UTC if no offset).")
    ] = None,
) -> None:
    """Queue the check-ins and reminders due now (the service does this every minute)."""
    settings = get_settings()
    secret = settings.secret_key.get_secret_value()
    at = datetime.fromisoformat(now) if now else datetime.now(UTC)
    at = as_utc(at)
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            queued = send_due(
                session=session,
                now=at,
                # opt-outs are kept by the same keyed hash as conversations, never by number
                opt_out_id=lambda channel, address: conversation_id(
                    secret=secret, channel=channel, address=address
                ),
            )
    finally:
        db.dispose()
    typer.echo(json.dumps({"at": at.isoformat(), "queued": queued}))


@followup_app.command("status")
def status() -> None:
    """Count follow-ups by state (no identifiers)."""
    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.session() as session:
            counts = Counter(session.scalars(select(FollowUp.status)))
    finally:
        db.dispose()
    typer.echo(json.dumps(dict(sorted(counts.items()))))
