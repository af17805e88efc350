"""Rasa custom actions, served in-process by the service (rasa-sdk's ActionExecutor)."""

from __future__ import annotations

from rasa_sdk import Action

from bot.actions.feedback import ActionRecordFeedback
from bot.actions.handoff import ActionHandoffSubmit, ActionRequestHuman, ValidateHandoffForm
from bot.actions.knowledge import ActionAnswerQuestion, Answerer
from bot.actions.services import ActionFindServices, ActionMoreServices, ValidateServicesForm
from knowledge.directory import Directory
from knowledge.embedding import RecentVectors
from knowledge.location import LocationResolver


def build_actions(
    *,
    answerer: Answerer,
    resolver: LocationResolver,
    directory: Directory,
    vectors: RecentVectors | None = None,
) -> list[Action]:
    """Instantiate every action with what it needs."""
    return [
        ActionAnswerQuestion(answerer, vectors),
        ActionRequestHuman(),
        ValidateHandoffForm(),
        ActionHandoffSubmit(),
        ActionRecordFeedback(),
        ValidateServicesForm(resolver),
        ActionFindServices(directory),
        ActionMoreServices(directory),
    ]
