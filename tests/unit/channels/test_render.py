from __future__ import annotations

from channels.render import (
    TELEGRAM_MAX_CHARS,
    is_gsm,
    render_sms,
    render_telegram,
    sms_segments,
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


def test_sms_fits_three_segments_with_one_whole_link() -> None:
    text = render_sms(make_reply())
    assert sms_segments(text) <= 3
    assert is_gsm(text)  # typographic quotes and dashes were replaced, not sent as UCS-2
    assert text.endswith(f"More: {URL}")
    assert text.count("https://") == 1
    body = text.split(" Reply:")[0]
    assert body.endswith(".")  # cut at a sentence, never mid-word


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
