"""What the bot gives the team in the inbox: the knowledge base's answers to the visitor's last
message, ready to insert, and handing a conversation back to the bot."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.tenants.models import Role
from tests.bot.helpers import BotChat
from tests.factories import member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def suggestions(client: Client, chat: BotChat, number: int):
    url = reverse("bot_inbox:suggestions", kwargs={"slug": chat.tenant.slug, "number": number})
    return client.get(url)


def test_the_operator_gets_the_closest_entries_in_the_visitors_language():
    chat = BotChat(mode="off")  # the team answers; the knowledge base still helps them
    chat.writes("Merhaba")
    chat.writes("siparisimi nasil takip edebilirim acaba")
    client = Client()
    client.force_login(chat.admin.user)
    data = suggestions(client, chat, chat.conversation.number).json()
    first = data["suggestions"][0]
    assert (first["id"], first["question"], first["answer"]) == (
        "tracking",
        "Siparişim nerede?",
        "Kargo takip bağlantısı kargo e-postasında.",
    )
    assert 0 < first["score"] <= 1
    # The inbox page loads the script that shows them, with its text.
    page = client.get(reverse("inbox:inbox", kwargs={"slug": chat.tenant.slug}))
    assert b"bot/suggest.js" in page.content
    assert b"From the knowledge base" in page.content


def test_no_suggestion_for_unrelated_words_and_none_of_another_workspace():
    chat, other = BotChat(mode="off"), BotChat(mode="off")
    chat.writes("zzz qqq")
    client = Client()
    client.force_login(chat.admin.user)
    assert suggestions(client, chat, chat.conversation.number).json()["suggestions"] == []
    stranger = Client()
    stranger.force_login(other.admin.user)
    other.writes("where is my order")
    assert suggestions(stranger, chat, chat.conversation.number).status_code == 404


def test_handing_back_to_the_bot_from_the_inbox():
    chat = BotChat()
    chat.writes("I want to talk to a person")
    assert not chat.fresh().bot_holds
    operator = member(chat.tenant, Role.OPERATOR)
    client = Client()
    client.force_login(operator.user)
    url = reverse(
        "bot_inbox:resume", kwargs={"slug": chat.tenant.slug, "number": chat.conversation.number}
    )
    assert client.get(url).status_code == 405
    response = client.post(url, content_type="application/json", data={})
    assert response.status_code == 200
    assert chat.fresh().bot_holds
    chat.writes("can I pay in installments")
    assert chat.bot_messages()[-1].body == "Yes, up to 6 installments with credit cards."
