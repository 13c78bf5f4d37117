"""Who answers a conversation first: the apps above ``conversations`` may let the bot take it.

``conversations`` imports no feature app, so the bot registers a policy from its
``AppConfig.ready()``: ``register(fn)``, where ``fn(conversation) -> bool`` says whether the bot
should answer this chat. It is asked inside the message's transaction when a visitor's message
opens a conversation or reopens a resolved one, and only for an unassigned one; a conversation
the bot takes is in no queue and not waiting for people until it is handed off
(``services.conversation_handoff``).

An app that talks with the visitor in the bot's name for a while (a decision-tree flow)
registers ``register_busy(fn)``: while ``fn(conversation)`` holds, the bot's own answers wait.
"""

from collections.abc import Callable

from apps.conversations.models import Conversation

_policies: list[Callable[[Conversation], bool]] = []


def register(fn: Callable[[Conversation], bool]) -> Callable[[Conversation], bool]:
    """Add a policy (registering the same function again does nothing)."""
    if fn not in _policies:
        _policies.append(fn)
    return fn


def bot_takes(conversation: Conversation) -> bool:
    return any(fn(conversation) for fn in _policies)


_busy: list[Callable[[Conversation], bool]] = []


def register_busy(fn: Callable[[Conversation], bool]) -> Callable[[Conversation], bool]:
    if fn not in _busy:
        _busy.append(fn)
    return fn


def bot_busy(conversation: Conversation) -> bool:
    """Whether another part of Sohbet talks with the visitor for the bot now."""
    return any(fn(conversation) for fn in _busy)
