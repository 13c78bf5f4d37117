"""The chat window's frames that the offline app answers, over a real socket of a real web
process: the pre-chat form (``contact``), "email me this conversation" (``transcript``) and the
rating after a chat (``rating``) (docs/widget-protocol.md)."""

import pytest
from django_scopes import scope

from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation
from apps.offline import services
from apps.offline.models import EmailThread, Rating
from apps.tenants.models import Role
from apps.visitors.models import Consent, Visitor
from tests.conversations.conftest import VisitorClient
from tests.factories import TenantFactory, member
from tests.live import asgi_servers
from tests.utils import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def web(transactional_db, mail_server):
    """A web process whose emails go to the test's mail server."""
    with asgi_servers(
        1, EMAIL_URL=mail_server.url, INBOUND_EMAIL_DOMAIN="reply.example"
    ) as servers:
        yield servers[0]


@pytest.fixture
def shop(transactional_db):
    tenant = TenantFactory(name="Lale Çiçekçilik")
    admin = member(tenant, Role.ADMIN)
    return tenant, admin


def test_the_form_is_checked_and_kept_with_the_visitor(web, shop):
    tenant, admin = shop
    with scope(tenant=tenant):
        services.offline_settings_update(
            membership=admin,
            values={
                "form_mode": "always",
                "ask_name": "required",
                "consent_required": True,
                "privacy_url": "https://lale.example/privacy",
                "consent_text_en": "Lale may keep my details.",
            },
        )
    visitor = VisitorClient(web, tenant.widget_key)
    assert visitor.hello()["visitor"]["email_known"] is False

    visitor.send("contact", fields={"email": "deniz@example.com", "consent": True})
    error = visitor.expect("error")
    assert (error["code"], error["field"], error["frame"]) == ("required", "name", "contact")
    visitor.send("contact", fields={"name": "Deniz", "email": "deniz@", "consent": True})
    assert visitor.expect("error")["field"] == "email"
    visitor.send("contact", fields={"name": "Deniz", "email": "deniz@example.com"})
    assert visitor.expect("error")["field"] == "consent"
    with scope(tenant=tenant):
        assert Visitor.objects.get().unverified == {}  # nothing kept from refused forms

    visitor.send(
        "contact",
        fields={"name": " Deniz  Yılmaz ", "email": "Deniz@Example.com", "consent": True},
    )
    assert visitor.expect("contact") == {
        "type": "contact",
        "saved": True,
        "email": True,
        "by_email": False,
    }
    with scope(tenant=tenant):
        stored = Visitor.objects.get()
        consent = Consent.objects.get()
    assert stored.unverified == {"name": "Deniz Yılmaz", "email": "deniz@example.com"}
    assert not stored.is_verified
    assert (consent.purpose, consent.text, consent.url) == (
        "privacy",
        "Lale may keep my details.",
        "https://lale.example/privacy",
    )
    # The next visit knows the address: the chat window does not ask again.
    again = VisitorClient(web, tenant.widget_key)
    ready = again.hello(token=visitor.seen[0]["visitor"]["token"])
    assert ready["visitor"]["email_known"] is True


def test_an_email_left_while_nobody_can_answer_marks_the_conversation(web, shop):
    tenant, _admin = shop
    visitor = VisitorClient(web, tenant.widget_key)
    visitor.hello()
    visitor.say("Is anyone there?")
    visitor.send("contact", fields={"email": "deniz@example.com"})
    assert visitor.expect("contact")["by_email"] is True
    with scope(tenant=tenant):
        conversation = Conversation.objects.get()
        thread = EmailThread.objects.get()
    assert conversation.reply_by_email
    assert (thread.conversation_id, thread.address) == (conversation.pk, "deniz@example.com")


def test_the_visitor_gets_the_transcript_by_email(web, shop, mail_server):
    tenant, _admin = shop
    visitor = VisitorClient(web, tenant.widget_key)
    visitor.hello()
    conversation = visitor.say("Please send me this chat.")["conversation"]

    visitor.send("transcript", conversation=conversation)
    assert visitor.expect("error")["code"] == "no_address"  # none given, none known
    visitor.send("transcript", conversation=conversation, address="not an address")
    assert visitor.expect("error")["field"] == "address"
    visitor.send("transcript", conversation="c_someone_elses")
    assert visitor.expect("error")["code"] == "not_found"

    visitor.send("transcript", conversation=conversation, address="deniz@example.com")
    answer = visitor.expect("transcript")
    assert (answer["sent"], answer["address"]) == (True, "deniz@example.com")

    def transcript_arrived():
        """the transcript email"""
        return mail_server.messages()

    [email] = wait_for(transcript_arrived)
    assert email["To"] == "deniz@example.com"
    assert "Please send me this chat." in email.get_body(("plain",)).get_content()
    assert email["Reply-To"].endswith("@reply.example")


def test_a_resolved_chat_is_rated_once(web, shop):
    tenant, admin = shop
    visitor = VisitorClient(web, tenant.widget_key)
    visitor.hello()
    conversation = visitor.say("Thanks!")["conversation"]
    visitor.send("rating", conversation=conversation, score=5)
    assert visitor.expect("error")["code"] == "not_resolved"

    with scope(tenant=tenant):
        conversation_services.conversation_set_status(
            membership=admin, conversation=Conversation.objects.get(), status="resolved"
        )
    assert visitor.expect("conversation")["conversation"]["status"] == "resolved"
    visitor.send("rating", conversation=conversation, score=9)
    assert visitor.expect("error")["field"] == "score"
    visitor.send("rating", conversation=conversation, score=4)
    assert visitor.expect("rating")["score"] == 4
    visitor.send("rating", conversation=conversation, score=1, comment="Quick and kind")
    assert visitor.expect("rating") == {
        "type": "rating",
        "conversation": conversation,
        "score": 4,  # the first rating stands
        "comment": True,
    }
    with scope(tenant=tenant):
        rating = Rating.objects.get()
    assert (rating.score, rating.comment) == (4, "Quick and kind")

    # Reopened by the visitor's next message and resolved again: a new rating is asked for.
    visitor.say("One more thing…")
    with scope(tenant=tenant):
        conversation_services.conversation_set_status(
            membership=admin, conversation=Conversation.objects.get(), status="resolved"
        )
    resolved_again = visitor.expect("conversation")["conversation"]
    while resolved_again["status"] != "resolved":  # first the reopening
        resolved_again = visitor.expect("conversation")["conversation"]
    assert resolved_again["resolved_at"] != rating.resolved_at.isoformat()
    visitor.send("rating", conversation=conversation, score=2)
    assert visitor.expect("rating")["score"] == 2
    with scope(tenant=tenant):
        assert sorted(Rating.objects.values_list("score", flat=True)) == [2, 4]
