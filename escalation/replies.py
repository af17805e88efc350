"""What the young person is told when triage finds a risk: support first, nothing else."""

from __future__ import annotations

from escalation.triage import Triage

# Numbers from each body's own site (checked 2026-11-24): samaritans.org, childline.org.uk,
# giveusashout.org, breathingspace.scot, nhs24.scot.
EMERGENCY = "If you are in danger right now, call 999."
SAMARITANS = "Samaritans: call 116 123, free, any time."
CHILDLINE = "Childline (under 19): call 0800 1111, free."
SHOUT = "Shout: text SHOUT to 85258."
BREATHING_SPACE = "Breathing Space: 0800 83 85 87."
NHS24 = "NHS 24: call 111 if you need urgent health help."

_LINES_BY_REASON = {
    "crisis:medical": [EMERGENCY, NHS24],
    "crisis:suicide": [EMERGENCY, SAMARITANS, SHOUT, CHILDLINE],
    "crisis:self_harm": [SAMARITANS, SHOUT, CHILDLINE, NHS24],
    "crisis:abuse": [EMERGENCY, CHILDLINE, SHOUT],
    "crisis:exploitation": [EMERGENCY, CHILDLINE, SHOUT],
    "crisis:domestic_violence": [EMERGENCY, CHILDLINE, SHOUT],
    "crisis:violence": [EMERGENCY, CHILDLINE, SHOUT],
    "crisis:homeless": [EMERGENCY, SHOUT, CHILDLINE],
    "crisis:unsafe_home": [EMERGENCY, CHILDLINE, SHOUT],
}
_DEFAULT = [EMERGENCY, SAMARITANS, SHOUT, CHILDLINE]


def support_lines(decision: Triage) -> list[str]:
    """The support lines that fit the reasons, most urgent first, without repeats."""
    lines: list[str] = []
    for reason in decision.reasons:
        for line in _LINES_BY_REASON.get(reason, _DEFAULT):
            if line not in lines:
                lines.append(line)
    return lines or list(_DEFAULT)


SMS_LINES = {
    EMERGENCY: "In danger now? Call 999.",
    SAMARITANS: "Samaritans 116 123 (free, 24/7).",
    CHILDLINE: "Childline 0800 1111.",
    SHOUT: "Text SHOUT to 85258.",
    BREATHING_SPACE: "Breathing Space 0800 83 85 87.",
    NHS24: "NHS 24: 111.",
}


def crisis_sms(decision: Triage) -> str:
    """The same support in at most two SMS segments (306 GSM characters)."""
    lines = " ".join(SMS_LINES[line] for line in support_lines(decision)[:4])
    return "Thank you for telling me. You're not alone: a person from our team will reply. " + lines


def crisis_text(decision: Triage) -> str:
    """A warm, short reply with the right support lines and no career content."""
    opening = (
        "Thank you for telling me. That sounds really hard, and you don't have to deal with "
        "it on your own. I've asked a person from our team to join this chat."
    )
    return opening + " " + " ".join(support_lines(decision))
