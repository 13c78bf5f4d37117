"""Chats the bot answered alone are resolved once quiet, so they do not pile up among the
team's open conversations; the visitor who comes back reopens the same chat with the bot."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from apps.bot import services
from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation
from apps.offline import services as offline_services
from apps.offline.models import OfflineSettings
from tests.bot.helpers import BotChat

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def minutes_later(n: int) -> int:
    """Run the job as it would run ``n`` minutes from now."""
    return services.conversations_resolve_idle(now=timezone.now() + timedelta(minutes=n))


def test_a_chat_the_bot_answered_is_resolved_once_quiet_and_comes_back_to_the_bot(mail):
    chat = BotChat()
    with scope(tenant=chat.tenant):  # emails transcripts on resolve, and knows the visitor
        OfflineSettings.objects.create(tenant=chat.tenant, transcript_on_resolve=True)
        offline_services.contact_give(visitor=chat.visitor, fields={"email": "deniz@example.com"})
    chat.writes("how can i track my order")
    assert minutes_later(29) == 0  # not quiet long enough
    assert chat.fresh().status == "open"
    assert minutes_later(31) == 1
    conversation = chat.fresh()
    assert conversation.status == "resolved"
    [resolved] = chat.activities("status")
    assert resolved.data == {"status": "resolved", "by": "bot"}
    assert mail.messages() == []  # no email about a chat the bot answered alone
    # The visitor comes back: the same chat, and the bot answers again.
    chat.writes("can I pay in installments?")
    assert chat.fresh().pk == conversation.pk
    assert chat.fresh().status == "open"
    assert chat.bot_messages()[-1].body == "Yes, up to 6 installments with credit cards."


def test_chats_with_people_are_never_resolved_by_the_bot(settings):
    chat = BotChat()
    chat.writes("talk to a person please")  # handed to people
    assert minutes_later(600) == 0
    back = BotChat()
    back.writes("talk to a person please")
    with scope(tenant=back.tenant):
        # An hour later, an operator hands it back to the bot.
        Conversation.objects.filter(pk=back.conversation.pk).update(
            last_activity_at=timezone.now() - timedelta(hours=1)
        )
        conversation_services.conversation_bot_resume(
            membership=back.admin, conversation=back.fresh()
        )
    assert minutes_later(10) == 0  # the bot's quiet time starts with its turn
    assert minutes_later(31) == 1
    settings.BOT_RESOLVE_IDLE_MINUTES = 0  # never
    other = BotChat()
    other.writes("how can i track my order")
    assert minutes_later(600) == 0
