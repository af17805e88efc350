"""What the young person is told when triage finds a risk: support first, nothing else."""

from __future__ import annotations

from channels.schemas import Button
from escalation.triage import Triage

# Numbers from each body's own site (checked 2026-12-02): samaritans.org, childline.org.uk,
# giveusashout.org, breathingspace.scot, nhs24.scot, sdafmh.org.uk.
EMERGENCY = "If you are in danger right now, call 999."
SAMARITANS = "Samaritans: call 116 123, free, any time."
CHILDLINE = "Childline (under 19): call 0800 1111, free."
SHOUT = "Shout: text SHOUT to 85258."
BREATHING_SPACE = "Breathing Space (Scotland's line if you're feeling low): 0800 83 85 87."
NHS24 = "NHS 24: call 111 if you need urgent health help."
DA_FM_HELPLINE = "Scotland's Domestic Abuse and Forced Marriage Helpline: 0800 027 1234, any time."

_SUICIDE = [EMERGENCY, SAMARITANS, SHOUT, CHILDLINE, BREATHING_SPACE]
_SAFEGUARDING = [EMERGENCY, CHILDLINE, SHOUT]
_LINES_BY_CATEGORY = {
    "medical": [EMERGENCY, NHS24, SAMARITANS],
    "suicide": _SUICIDE,
    "self_harm": [SAMARITANS, SHOUT, CHILDLINE, NHS24, BREATHING_SPACE],
    "abuse": _SAFEGUARDING,
    "exploitation": _SAFEGUARDING,
    "forced_marriage": [EMERGENCY, DA_FM_HELPLINE, CHILDLINE],
    "domestic_violence": [EMERGENCY, DA_FM_HELPLINE, CHILDLINE, SHOUT],
    "violence": _SAFEGUARDING,
    "homeless": [EMERGENCY, SHOUT, CHILDLINE],
    "unsafe_home": _SAFEGUARDING,
    "friend_at_risk": [EMERGENCY, SAMARITANS, SHOUT, CHILDLINE],
}
_DEFAULT = _SUICIDE
# For a concern: nothing is known to be urgent, so the listening lines come before 999.
_CONCERN = [SAMARITANS, SHOUT, BREATHING_SPACE, CHILDLINE]

SMS_LINES = {
    EMERGENCY: "In danger now? Call 999.",
    SAMARITANS: "Samaritans 116 123 (free, 24/7).",
    CHILDLINE: "Childline 0800 1111.",
    SHOUT: "Text SHOUT to 85258.",
    BREATHING_SPACE: "Breathing Space 0800 83 85 87.",
    NHS24: "NHS 24: 111.",
    DA_FM_HELPLINE: "Abuse & Forced Marriage line 0800 027 1234.",
}

SAFE, NOT_SAFE = "/safe", "/not_safe"
SAFETY_BUTTONS = [
    Button(title="Yes, I'm safe", payload=SAFE),
    Button(title="No, I'm not safe", payload=NOT_SAFE),
    Button(title="Talk to a person", payload="/request_human"),
]
GLAD_SAFE = (
    "Thank you for letting me know. If that changes, Samaritans are there any time on "
    "116 123, and you can ask for a person here whenever you like."
)


# Shown whenever Cairn cannot answer (a store down, an error): nobody in need meets a dead end.
OUTAGE_LINES = [EMERGENCY, SAMARITANS, SHOUT, CHILDLINE, BREATHING_SPACE]


def categories(decision: Triage) -> list[str]:
    """The risk categories named in the decision's reasons, in order."""
    found = []
    for reason in decision.reasons:
        level, _, category = reason.partition(":")
        if level in ("crisis", "concern") and category and category not in found:
            found.append(category)
    return found


def support_lines(decision: Triage) -> list[str]:
    """The support lines that fit the reasons, most urgent first, without repeats."""
    lines: list[str] = []
    for category in categories(decision):
        for line in _LINES_BY_CATEGORY.get(category, _DEFAULT):
            if line not in lines:
                lines.append(line)
    return lines or list(_DEFAULT)


def crisis_sms(decision: Triage) -> str:
    """The same support in at most two SMS segments (306 GSM-7 characters)."""
    lines = " ".join(SMS_LINES[line] for line in support_lines(decision)[:4])
    return "Thank you for telling me. You're not alone: a person from our team will reply. " + lines


def crisis_text(decision: Triage) -> str:
    """A warm, short reply with the right support lines and no career content."""
    opening = (
        "Thank you for telling me. That sounds really hard, and you don't have to deal with "
        "it on your own. I've asked a person from our team to join this chat."
    )
    return opening + " " + " ".join(support_lines(decision))


def concern_text() -> str:
    """Acknowledge, ask gently whether they are safe, show the lines, offer a person."""
    return (
        "Thank you for sharing that with me. It sounds like a lot to carry. Before anything "
        "else: are you safe right now? If you're not, or you might not be, call 999. "
        + " ".join(_CONCERN)
        + " I can also get a person from our team to chat with you."
    )


def concern_sms() -> str:
    """The check-in in at most two SMS segments."""
    lines = " ".join(SMS_LINES[line] for line in _CONCERN[:3])
    return (
        "Thanks for telling me. Are you safe right now? Reply SAFE or NOT SAFE. "
        f"In danger, call 999. {lines} Say PERSON to talk to someone."
    )
