from __future__ import annotations

from channels.render import (
    TELEGRAM_MAX_CHARS,
    is_gsm,
    render_sms,
    render_sms_messages,
    render_telegram,
    sms_segments,
    to_gsm,
)
from channels.schemas import Button, Reply, Source

URL = "https://www.mygov.scot/ema"
LONG = " ".join(
    f"Sentence number {i} says something useful about EMA \u2014 it\u2019s paid fortnightly."
    for i in range(60)
)


def make_reply(text: str = LONG) -> Reply:
    return Reply(
        text=text,
        sources=[Source("EMA", URL, "2026-11-24"), Source("Bursaries", "https://x.org", "2026")],
        buttons=[Button("Talk to a person", "/request_human")],
    )


def test_a_sourced_answer_fits_two_segments_with_one_whole_link() -> None:
    text = render_sms(make_reply())
    assert sms_segments(text) <= 2
    assert is_gsm(text)  # typographic quotes and dashes were replaced, not sent as UCS-2
    assert text.endswith(f"\nMore: {URL}")
    assert text.count("https://") == 1
    body = text.split("\nReply:")[0].split("\nMore:")[0]
    assert body.endswith(".")  # cut at a sentence, never mid-word


def test_list_items_stay_lines_and_the_options_come_only_if_they_fit() -> None:
    reply = Reply(
        text="You need:\n- Maths\n- English",
        sources=[Source("Jobs", URL, "2026-11-24")],
        buttons=[Button("Tell me more", "/tell_me_more")],
    )
    assert render_sms(reply) == f"You need:\n- Maths\n- English\nReply: Tell me more.\nMore: {URL}"
    full = render_sms(make_reply("A fact that fills the message " + "word " * 48 + "end."))
    assert "Reply:" not in full and full.endswith(f"More: {URL}") and sms_segments(full) == 2


def test_tell_me_more_on_sms_is_split_never_cut() -> None:
    reply = Reply(
        text=LONG,
        sources=[Source("Jobs", URL, "2026-11-24")],
        meta={"expanded": True},
    )
    parts = render_sms_messages(reply)
    assert len(parts) > 1 and parts[-1].endswith(f"More: {URL}")
    assert " ".join(" ".join(parts).split()).startswith(" ".join(to_gsm(LONG).split())[:400])


def test_short_sms_is_one_segment() -> None:
    text = render_sms(Reply(text="EMA is 30 pounds a week."))
    assert text == "EMA is 30 pounds a week."
    assert sms_segments(text) == 1


def test_sms_with_emoji_still_fits() -> None:
    text = render_sms(make_reply(LONG + " \U0001f600"))
    assert sms_segments(text) <= 3


def test_telegram_is_escaped_html_under_the_limit() -> None:
    reply = make_reply("<b>not markup</b> & " + "word " * 2000)
    text = render_telegram(reply)
    assert len(text) <= TELEGRAM_MAX_CHARS
    assert text.startswith("&lt;b&gt;not markup&lt;/b&gt; &amp;")
    assert f'<a href="{URL}">EMA</a> (last reviewed 2026-11-24)' in text
