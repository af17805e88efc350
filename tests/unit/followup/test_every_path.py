"""Every path, explored: no check-in without recorded consent, at night, twice, or after STOP.

A Hypothesis state machine interleaves what people and the clock can do (offers, answers of
every kind, STOP, "delete my data", visits, scheduler runs hours or weeks apart) and checks the
invariants after every step.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from cairn.db import Database
from cairn.migrations import upgrade
from channels.models import Conversation, OptOut, OutboxMessage
from channels.retention import delete_conversations
from followup import service
from followup.models import FollowUp

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # daytime: the scheduler can act at once
PEOPLE = ("sms-a", "tg-c", "web-d")
TEXTS = ("yes", "no", "what about college", "stop", "got a job", "6")
CHECK_INS = {service.CHECK_IN, service.REMINDER}
TEMPLATE: Path | None = None


def _template() -> Path:
    """One migrated database, copied for each example (migrating each time is slow)."""
    global TEMPLATE
    if TEMPLATE is None:
        TEMPLATE = Path(tempfile.mkdtemp()) / "template.db"
        upgrade("main", f"sqlite:///{TEMPLATE}")
    return TEMPLATE


def _channel(person: str) -> str:
    return {"sms": "sms", "tg": "telegram", "web": "web"}[person.split("-")[0]]


class FollowUpPaths(RuleBasedStateMachine):
    """People, answers and a clock; the invariants hold whatever the order."""

    def __init__(self) -> None:
        super().__init__()
        path = Path(tempfile.mkdtemp()) / "main.db"
        path.write_bytes(_template().read_bytes())
        self.db = Database(f"sqlite:///{path}")
        self.now = START
        self.stopped: set[str] = set()
        self.sends: list[tuple[str, datetime]] = []  # (person, when) of each check-in queued
        with self.db.session() as session:
            for person in PEOPLE:
                session.add(Conversation(id=person, channel=_channel(person), first_help="article"))

    def teardown(self) -> None:
        self.db.dispose()

    @rule(person=st.sampled_from(PEOPLE), intent=st.sampled_from(("thank", "greet")))
    def offer(self, person: str, intent: str) -> None:
        with self.db.session() as session:
            conversation = session.get(Conversation, person)
            if conversation is not None:
                service.maybe_offer(
                    session=session, conversation=conversation, intent=intent, at=self.now
                )

    @rule(person=st.sampled_from(PEOPLE), text=st.sampled_from(TEXTS))
    def say(self, person: str, text: str) -> None:
        with self.db.session() as session:
            row = service.open_follow_up(session=session, conversation_id=person)
            meaning = service.understand(row.status, text) if row is not None else None
            if row is not None and meaning is not None:
                service.record(
                    session=session,
                    follow_up_id=row.id,
                    answer=meaning,
                    at=self.now,
                    address=person,
                    council_area=None,
                )

    @rule(person=st.sampled_from(PEOPLE[:1]))
    def texts_stop(self, person: str) -> None:
        with self.db.session() as session:
            if session.get(OptOut, f"sms:{person}") is None:
                session.add(OptOut(id=f"sms:{person}", channel="sms"))
        self.stopped.add(person)

    @rule(person=st.sampled_from(PEOPLE))
    def deletes_their_data(self, person: str) -> None:
        with self.db.session() as session:
            delete_conversations(session=session, conversation_ids=[person])

    @rule(hours=st.sampled_from((11, 24 * 3, 24 * 15)))  # to night, to a reminder, to due
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @rule()
    def scheduler_runs(self) -> None:
        before = self._outbox_ids()
        with self.db.session() as session:
            service.send_due(session=session, now=self.now, opt_out_id=lambda c, a: f"{c}:{a}")
        with self.db.session() as session:
            for row in session.query(OutboxMessage).filter(OutboxMessage.id.notin_(before)):
                if json.loads(row.body)["text"].split(" Reply ")[0] in CHECK_INS:
                    self.sends.append((row.conversation_id, self.now))

    @rule(person=st.sampled_from(PEOPLE))
    def visits_the_web_page(self, person: str) -> None:
        with self.db.session() as session:
            if service.show_on_visit(session=session, conversation_id=person, now=self.now):
                self.sends.append((person, self.now))

    def _outbox_ids(self) -> list[int]:
        with self.db.session() as session:
            return [row.id for row in session.query(OutboxMessage)]

    @invariant()
    def nothing_without_consent(self) -> None:
        with self.db.session() as session:
            for row in session.query(FollowUp).filter(FollowUp.sent_at.is_not(None)):
                assert row.consent_at is not None
                assert row.consent_wording and row.consent_at <= row.sent_at
            for row in session.query(OutboxMessage):
                follow_up = (
                    session.query(FollowUp)
                    .filter(FollowUp.conversation_id == row.conversation_id)
                    .one_or_none()
                )
                assert follow_up is not None and follow_up.consent_at is not None

    @invariant()
    def at_most_a_check_in_and_one_reminder_in_the_daytime(self) -> None:
        for person in PEOPLE:
            times = [at for who, at in self.sends if who == person]
            pushed = _channel(person) != "web"
            assert len(times) <= (2 if pushed else 1)
            if pushed:
                assert all(service.is_daytime(at) for at in times)

    @invariant()
    def never_after_stop(self) -> None:
        with self.db.session() as session:
            for person in self.stopped:
                stop = session.get(OptOut, f"sms:{person}")
                assert stop is not None
                queued = session.query(OutboxMessage).filter(
                    OutboxMessage.conversation_id == person,
                    OutboxMessage.created_at >= stop.created_at,
                )
                assert queued.count() == 0


FollowUpPaths.TestCase.settings = settings(
    max_examples=120, stateful_step_count=30, deadline=None, derandomize=True, database=None
)
test_every_path = FollowUpPaths.TestCase
