"""Rasa custom actions, served in-process by the service (rasa-sdk's ActionExecutor)."""

from __future__ import annotations

from rasa_sdk import Action

from bot.actions.feedback import ActionRecordFeedback
from bot.actions.handoff import ActionHandoffSubmit, ActionRequestHuman, ValidateHandoffForm
from bot.actions.knowledge import (
    ActionAnswerQuestion,
    ActionKnowledgeFirst,
    ActionTellMeMore,
    Answerer,
)
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
    more_services = ActionMoreServices(directory)
    return [
        ActionAnswerQuestion(answerer, vectors),
        ActionKnowledgeFirst(answerer, vectors),
        ActionTellMeMore(answerer, more_services),
        ActionRequestHuman(),
        ValidateHandoffForm(),
        ActionHandoffSubmit(),
        ActionRecordFeedback(),
        ValidateServicesForm(resolver),
        ActionFindServices(directory),
        more_services,
    ]
