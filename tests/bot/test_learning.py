"""Learning, only with consent: questions the bot missed become proposed entries with the
team's reply as a draft, only from visitors who agreed; taking consent back removes their
words; nothing goes live until an admin makes an entry of it."""

import copy

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from apps.bot import services, widget
from apps.bot.models import Entry, Proposal
from apps.conversations import services as conversation_services
from apps.visitors.services import visit_start
from tests.bot.helpers import BotChat
from tests.utils import page_text

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def missed_then_answered(chat: BotChat, question: str, reply: str) -> None:
    chat.writes(question)
    assert chat.bot_messages()[-1].content["bot"]["kind"] == "unsure"
    chat.writes("talk to a person please")
    chat.operator_writes(reply)
    with scope(tenant=chat.tenant):
        conversation_services.conversation_resolve(
            membership=chat.admin, conversation=chat.conversation
        )


def consent(chat: BotChat, given) -> dict:
    with scope(tenant=chat.tenant):
        frame = {"type": "consent", "purpose": "learning"}
        if given is not None:
            frame["given"] = given
        return widget.frame_consent(visitor=chat.visitor, frame=frame, language="en")


def another_visitor(chat: BotChat) -> BotChat:
    """A new visitor of ``chat``'s workspace."""
    other = copy.copy(chat)
    with scope(tenant=chat.tenant):
        other.visitor = visit_start(tenant=chat.tenant, token=None, ip="10.0.0.2").visitor
    other.conversation = None
    return other


def proposals(chat: BotChat) -> list[Proposal]:
    with scope(tenant=chat.tenant):
        return list(Proposal.objects.order_by("id"))


def test_a_consenting_visitors_missed_question_becomes_a_proposal_with_the_reply():
    chat = BotChat()
    assert consent(chat, True) == {"type": "consent", "purpose": "learning", "given": True}
    assert consent(chat, None)["given"] is True  # asked again: it stands
    missed_then_answered(
        chat, "do you sell garden furniture", "Not yet, garden furniture comes in spring."
    )
    [proposal] = proposals(chat)
    assert proposal.question == "do you sell garden furniture"
    assert proposal.answer == "Not yet, garden furniture comes in spring."
    assert proposal.status == "pending"
    with scope(tenant=chat.tenant):
        assert not Entry.objects.filter(answer_en__icontains="spring").exists()  # not live
    # Stored encrypted, like every message.
    with connection.cursor() as cursor:
        cursor.execute("SELECT question FROM bot_proposal WHERE id = %s", [proposal.pk])
        assert "garden" not in cursor.fetchone()[0]


def test_without_consent_the_conversation_is_never_read_for_learning():
    chat = BotChat()
    missed_then_answered(chat, "do you sell garden furniture", "Not yet.")
    assert proposals(chat) == []
    # An operator's suggestion keeps the reply but not the visitor's words.
    with scope(tenant=chat.tenant):
        services.proposal_suggest(membership=chat.admin, conversation=chat.conversation)
    [suggested] = proposals(chat)
    assert (suggested.question, suggested.answer, suggested.source) == ("", "Not yet.", "operator")


def test_taking_consent_back_removes_the_visitors_words_from_pending_proposals():
    chat = BotChat()
    consent(chat, True)
    missed_then_answered(chat, "do you sell garden furniture", "Not yet.")
    assert len(proposals(chat)) == 1
    assert consent(chat, False)["given"] is False
    assert proposals(chat) == []
    # A later miss is not read either.
    chat.writes("and parasols for the balcony?")
    with scope(tenant=chat.tenant):
        conversation_services.conversation_resolve(
            membership=chat.admin, conversation=chat.conversation
        )
    assert proposals(chat) == []


def test_an_admin_makes_an_entry_of_a_group_of_similar_questions_or_dismisses_it():
    first = BotChat()
    consent(first, True)
    missed_then_answered(first, "do you sell garden furniture", "Garden furniture comes in May.")
    second = another_visitor(first)
    consent(second, True)
    missed_then_answered(second, "garden furniture do you sell it", "Coming in May.")
    client = Client()
    client.force_login(first.admin.user)
    page = client.get(reverse("bot:proposals", kwargs={"slug": first.tenant.slug}))
    text = page_text(page)
    assert "2 similar questions" in text
    assert "“do you sell garden furniture”" in text and "Garden furniture comes in May." in text
    ids = ",".join(str(p.pk) for p in proposals(first))
    new = reverse("bot:entry_new", kwargs={"slug": first.tenant.slug}) + f"?proposals={ids}"
    form = client.get(new)
    assert "do you sell garden furniture" in form.content.decode()
    response = client.post(
        new,
        {
            "id": "garden",
            "question_en": "Do you sell garden furniture?",
            "variants_en": "garden furniture do you sell it",
            "answer_en": "Garden furniture comes in May.",
            "tags": "",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    assert {p.status for p in proposals(first)} == {"approved"}
    # The bot now answers it (the chats above are with a person now: a new visitor asks).
    third = another_visitor(first)
    third.writes("do you sell garden furniture?")
    assert third.bot_messages()[-1].body == "Garden furniture comes in May."


def test_the_words_of_a_visitor_who_chose_a_suggestion_become_a_phrasing_an_admin_can_add():
    chat = BotChat()
    consent(chat, True)
    chat.writes("the parcel with my item")
    chat.choose(chat.bot_messages()[-1], "tracking")  # the bot was not sure; they chose
    stranger = another_visitor(chat)  # the same, without consent: never read
    stranger.writes("the parcel with my item")
    stranger.choose(stranger.bot_messages()[-1], "tracking")
    # Proposed at once (a chat the bot holds is seldom resolved), and once only.
    assert len(proposals(chat)) == 1
    with scope(tenant=chat.tenant):
        for conversation in (chat.conversation, stranger.conversation):
            conversation_services.conversation_resolve(
                membership=chat.admin, conversation=conversation
            )
    [proposal] = proposals(chat)
    assert (proposal.source, proposal.question) == ("choice", "the parcel with my item")
    with scope(tenant=chat.tenant):
        tracking = Entry.objects.get(external_id="tracking")
    assert proposal.entry_id == tracking.pk

    client = Client()
    client.force_login(chat.admin.user)
    url = reverse("bot:proposals", kwargs={"slug": chat.tenant.slug})
    page = client.get(url)
    text = page_text(page)
    assert "Visitors' words for your entries" in text
    assert "“the parcel with my item” → Where is my order?" in text
    assert 'data-testid="proposal"' not in page.content.decode()  # not a proposed entry
    response = client.post(url, {"add_phrasing": str(proposal.pk)}, follow=True)
    assert "Added to the phrasings of the entry tracking." in page_text(response)
    assert proposals(chat)[0].status == "approved"
    with scope(tenant=chat.tenant):
        tracking.refresh_from_db()
        assert tracking.variants_en.splitlines() == [
            "How can I track my order?",
            "the parcel with my item",
        ]
        assert tracking.revisions.order_by("-id").first().author == chat.admin.user
    # The next visitor who asks that way gets the answer at once.
    third = another_visitor(chat)
    third.writes("the parcel with my item")
    assert third.bot_messages()[-1].body == "Your tracking link is in the shipping email."


def test_a_chosen_entry_that_did_not_help_is_not_proposed():
    chat = BotChat()
    consent(chat, True)
    chat.writes("the parcel with my item")
    chat.choose(chat.bot_messages()[-1], "tracking")
    assert len(proposals(chat)) == 1
    chat.press(chat.bot_messages()[-1], "person")  # under the chosen answer: it did not help
    assert proposals(chat) == []
    with scope(tenant=chat.tenant):
        conversation_services.conversation_resolve(
            membership=chat.admin, conversation=chat.conversation
        )
    assert proposals(chat) == []  # no reply of the team after the question either


def test_dismissing_and_the_inbox_suggestion():
    chat = BotChat(mode="off")
    chat.writes("hi, what is your returns address?")
    chat.operator_writes("Send it to Lale Home, Kadıköy, Istanbul.")
    client = Client()
    client.force_login(chat.admin.user)
    url = reverse(
        "bot_inbox:suggest", kwargs={"slug": chat.tenant.slug, "number": chat.conversation.number}
    )
    assert client.post(url, content_type="application/json", data={}).status_code == 201
    [proposal] = proposals(chat)
    page = client.post(
        reverse("bot:proposals", kwargs={"slug": chat.tenant.slug}), {"dismiss": str(proposal.pk)}
    )
    assert page.status_code == 302
    assert proposals(chat)[0].status == "dismissed"
    listed = page_text(client.get(reverse("bot:proposals", kwargs={"slug": chat.tenant.slug})))
    assert "Nothing proposed." in listed
