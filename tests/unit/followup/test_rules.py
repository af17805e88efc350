"""Follow-up rules: consent first, daytime only, one check-in and one reminder, STOP honoured."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from cairn.db import Database
from cairn.migrations import upgrade
from channels.models import Conversation, OptOut, OutboxMessage
from followup import service
from followup.models import FollowUp
from followup.service import Answer, understand
from insight.models import InsightOutbox

NOON = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # 12:00 in Scotland (GMT in December)
NUMBER = "+447700900123"


def opt_out_id(channel: str, address: str) -> str:
    return f"{channel}:{address}"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path}/main.db"
    upgrade("main", url)
    database = Database(url)
    yield database
    database.dispose()


def conversation(
    db: Database, conv_id: str = "c1", channel: str = "sms", helped: bool = True
) -> None:
    with db.session() as session:
        session.add(
            Conversation(
                id=conv_id,
                channel=channel,
                council_area="fife",
                first_help="article" if helped else None,
                help_topic="apprenticeships" if helped else None,
            )
        )


def offer(db: Database, conv_id: str = "c1", intent: str = "thank", at: datetime = NOON) -> bool:
    with db.session() as session:
        conv = session.get_one(Conversation, conv_id)
        return (
            service.maybe_offer(session=session, conversation=conv, intent=intent, at=at)
            is not None
        )


def answer(db: Database, text: str, conv_id: str = "c1", at: datetime = NOON) -> Answer | None:
    with db.session() as session:
        row = service.open_follow_up(session=session, conversation_id=conv_id)
        assert row is not None
        meaning = understand(row.status, text)
        if meaning is not None:
            service.record(
                session=session,
                follow_up_id=row.id,
                answer=meaning,
                at=at,
                address=NUMBER,
                council_area="fife",
            )
        return meaning


def run(db: Database, at: datetime) -> int:
    with db.session() as session:
        return service.send_due(session=session, now=at, opt_out_id=opt_out_id)


def sent(db: Database) -> list[str]:
    with db.session() as session:
        return [json.loads(r.body)["text"] for r in session.scalars(select(OutboxMessage))]


def state(db: Database, conv_id: str = "c1") -> FollowUp:
    with db.session() as session:
        row = session.scalars(select(FollowUp).where(FollowUp.conversation_id == conv_id)).one()
        session.expunge(row)
        return row


@pytest.mark.parametrize(
    ("status", "text", "expected"),
    [
        ("offered", "yes", Answer("consent")),
        ("offered", "Yes please!", Answer("consent")),
        ("offered", "/followup_yes", Answer("consent")),
        ("offered", "no thanks", Answer("decline")),
        ("offered", "what about college?", Answer("ignored")),
        ("offered", "STOP", Answer("stop")),
        ("sent", "4", Answer("outcome", "job")),
        ("sent", "I got a job!", Answer("outcome", "job")),
        ("sent", "/checkin_apprenticeship", Answer("outcome", "apprenticeship")),
        ("reminded", "Started a course", Answer("outcome", "course")),
        ("sent", "still looking tbh", Answer("outcome", "still_looking")),
        ("sent", "can I talk to someone", Answer("outcome", "talk")),
        ("sent", "what's the weather", None),
        ("scheduled", "yes", None),
    ],
)
def test_a_message_is_read_against_the_follow_ups_state(
    status: str, text: str, expected: Answer | None
) -> None:
    assert understand(status, text) == expected


def test_offered_only_after_help_at_a_goodbye_and_only_once(db: Database) -> None:
    conversation(db, "helped")
    conversation(db, "unhelped", helped=False)
    assert not offer(db, "helped", intent="ask_question")
    assert not offer(db, "unhelped", intent="thank")
    assert offer(db, "helped", intent="thank")
    assert not offer(db, "helped", intent="goodbye")  # never asked twice


def test_consent_records_its_time_and_wording_then_one_check_in_and_one_reminder(
    db: Database,
) -> None:
    conversation(db)
    assert offer(db)
    consented = NOON + timedelta(minutes=1)
    assert answer(db, "yes", at=consented) == Answer("consent")
    row = state(db)
    assert row.status == "scheduled"
    assert row.consent_at is not None and row.consent_wording == service.offer_reply("sms").text
    assert "Reply YES or NO" in row.consent_wording
    due = consented + service.CHECK_IN_AFTER
    assert run(db, due - timedelta(hours=1)) == 0  # not yet
    night = due.replace(hour=22)
    assert run(db, night) == 0  # due, but it is night in Scotland
    morning = (night + timedelta(days=1)).replace(hour=9, minute=30)
    assert run(db, morning) == 1
    assert run(db, morning + timedelta(minutes=1)) == 0  # sent once
    assert sent(db) == [service.check_in_reply("sms").text]
    assert run(db, morning + service.REMIND_AFTER) == 1  # one reminder
    assert run(db, morning + service.REMIND_AFTER + timedelta(days=1)) == 0
    assert run(db, morning + timedelta(days=30)) == 0
    assert state(db).status == "expired"
    assert len(sent(db)) == 2


def test_an_outcome_is_an_anonymous_event_and_the_number_is_forgotten(db: Database) -> None:
    person = "young-person"  # not hex: a random event id cannot contain it by chance
    conversation(db, person)
    offer(db, person)
    answer(db, "yes", conv_id=person)
    assert run(db, NOON + timedelta(days=15)) == 1
    got = answer(db, "I got a job", conv_id=person, at=NOON + timedelta(days=16))
    assert got == Answer("outcome", "job")
    with db.session() as session:
        events = [json.loads(r.event) for r in session.scalars(select(InsightOutbox))]
        outcome = next(e for e in events if e["kind"] == "outcome")
        checkin = next(e for e in events if e["kind"] == "checkin")
        assert session.get(FollowUp, 1) is not None
        from escalation.models import ChannelAddress

        assert session.get(ChannelAddress, person) is None
    assert outcome["outcome"] == "job"
    assert outcome["first_help"] == "article" and outcome["topic"] == "apprenticeships"
    assert outcome["time_to_outcome"] == "under 3 weeks"
    assert checkin["council_area"] == "fife"
    flat = json.dumps([outcome, checkin])
    assert NUMBER not in flat and person not in flat and "hour" in outcome
    assert outcome["hour"].endswith(":00:00+00:00")
    assert run(db, NOON + timedelta(days=25)) == 0  # answered: no reminder


def test_nothing_is_sent_to_a_number_that_said_stop(db: Database) -> None:
    conversation(db)
    offer(db)
    answer(db, "yes")
    with db.session() as session:
        session.add(OptOut(id=opt_out_id("sms", NUMBER), channel="sms"))
    assert run(db, NOON + timedelta(days=15)) == 0
    assert sent(db) == []
    assert state(db).status == "cancelled"


def test_declined_or_ignored_offers_are_never_sent(db: Database) -> None:
    conversation(db, "no")
    conversation(db, "ignored")
    offer(db, "no")
    offer(db, "ignored")
    answer(db, "no", conv_id="no")
    answer(db, "how do I write a CV?", conv_id="ignored")
    assert {state(db, "no").status, state(db, "ignored").status} == {"declined"}
    assert run(db, NOON + timedelta(days=20)) == 0


def test_a_crash_before_commit_sends_nothing_and_the_next_run_sends_once(db: Database) -> None:
    conversation(db)
    offer(db)
    answer(db, "yes")
    due = NOON + timedelta(days=15)
    with pytest.raises(RuntimeError), db.session() as session:
        assert service.send_due(session=session, now=due, opt_out_id=opt_out_id) == 1
        raise RuntimeError("the process dies before the transaction commits")
    assert sent(db) == [] and state(db).status == "scheduled"
    assert run(db, due) == 1
    assert run(db, due) == 0
    assert len(sent(db)) == 1


def test_a_web_check_in_is_shown_on_the_next_visit_once(db: Database) -> None:
    conversation(db, "w", channel="web")
    offer(db, "w")
    answer(db, "yes", conv_id="w")
    assert run(db, NOON + timedelta(days=15)) == 0  # nothing to push on the web
    with db.session() as session:
        early = service.show_on_visit(session=session, conversation_id="w", now=NOON)
        due = service.show_on_visit(
            session=session, conversation_id="w", now=NOON + timedelta(days=15)
        )
        again = service.show_on_visit(
            session=session, conversation_id="w", now=NOON + timedelta(days=15, hours=1)
        )
        checkins = [e for e in session.scalars(select(InsightOutbox)) if '"checkin"' in e.event]
    assert early is None
    assert due is not None and [b.payload for b in due.buttons][-1] == "/checkin_talk"
    assert again is not None and len(checkins) == 1  # shown again, counted once
