"""Rasa custom actions, served in-process by the service (rasa-sdk's ActionExecutor)."""

from __future__ import annotations

from rasa_sdk import Action

from bot.actions.handoff import ActionRequestHuman
from bot.actions.knowledge import ActionAnswerQuestion, Answerer
from bot.actions.services import ActionFindServices


def build_actions(*, answerer: Answerer) -> list[Action]:
    """Instantiate every action with what it needs."""
    return [ActionAnswerQuestion(answerer), ActionRequestHuman(), ActionFindServices()]
