from __future__ import annotations

import base64

from fastapi.testclient import TestClient

from evaluation.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio
from evaluation.soak_ledger import Ledger, Phases, percentile

ALICE, BOB = "+447000000001", "+447000000002"


def make_ledger() -> Ledger:
    ledger = Ledger()
    ledger.send(sid="SM1", sender=ALICE, at=10.0)
    ledger.send(sid="SM2", sender=BOB, at=10.5)
    ledger.send(sid="SM3", sender=ALICE, at=20.0)
    return ledger


def test_a_reply_belongs_to_the_senders_latest_message_sent_before_it() -> None:
    ledger = make_ledger()
    assert ledger.reply(to=ALICE, body="first answer", at=10.2) is ledger.sent[0]
    assert ledger.reply(to=ALICE, body="second answer", at=20.3) is ledger.sent[2]
    assert ledger.reply(to=BOB, body="first answer", at=30.0) is ledger.sent[1]
    assert ledger.reply(to="+447000000009", body="who?", at=11.0) is None
    assert ledger.reply(to=ALICE, body="too early", at=9.0) is None
    assert ledger.unmatched == 2


def test_the_same_body_twice_for_one_message_is_a_duplicate_but_not_across_messages() -> None:
    ledger = make_ledger()
    ledger.reply(to=ALICE, body="hello", at=10.2)
    ledger.reply(to=ALICE, body="part two", at=10.3)
    ledger.reply(to=ALICE, body="hello", at=20.1)  # the same answer to a new message
    ledger.reply(to=ALICE, body="hello", at=20.2)  # ... sent twice
    summary = ledger.summary(Phases(15.0, 15.0, 1.0))
    assert summary["sent"] == 3
    assert summary["answered"] == 2
    assert summary["lost"] == 1  # BOB never heard back
    assert summary["duplicated"] == 1
    assert summary["duplicate_sms"] == 1


def test_latency_is_to_the_first_reply_and_bucketed_by_when_the_message_was_sent() -> None:
    ledger = make_ledger()
    ledger.reply(to=ALICE, body="a", at=10.1)
    ledger.reply(to=ALICE, body="b", at=19.0)
    ledger.reply(to=BOB, body="c", at=13.5)
    ledger.reply(to=ALICE, body="d", at=20.25)
    summary = ledger.summary(Phases(fault_start=10.4, fault_end=11.0, recovery_s=5.0))
    assert summary["p95_before_ms"] == 100.0
    assert summary["p95_during_ms"] == 3000.0  # sent at 10.5, inside fault + recovery
    assert summary["p95_after_ms"] == 250.0
    assert [summary[f"sent_{p}"] for p in ("before", "during", "after")] == [1, 1, 1]


def test_trouble_replies_are_answered_but_counted() -> None:
    ledger = make_ledger()
    ledger.reply(to=BOB, body="Sorry, I'm having trouble", at=11.0)
    assert ledger.summary(Phases(0, 0), trouble_prefix="Sorry, I'm")["trouble_replies"] == 1


def test_percentile_is_nearest_rank_and_none_when_empty() -> None:
    assert percentile([], 0.95) is None
    assert percentile([float(v) for v in range(1, 101)], 0.95) == 95.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0


def test_the_fake_provider_speaks_the_messages_api_and_can_be_down() -> None:
    fake = FakeTwilio()
    client = TestClient(fake.app())
    auth = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    url = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    form = {"To": ALICE, "From": "+447700900000", "Body": "hi"}
    created = client.post(url, data=form, headers={"Authorization": auth})
    assert created.status_code == 201
    assert created.json()["sid"].startswith("SM")
    assert [(m.to, m.body) for m in fake.take()] == [(ALICE, "hi")]
    assert client.post(url, data=form).status_code == 401
    fake.fail_for(60)
    assert client.post(url, data=form, headers={"Authorization": auth}).status_code == 503
    assert fake.take() == []
    assert fake.refused == 1
