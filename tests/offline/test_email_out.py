"""Replies by email, transcripts and the links in them, with a real SMTP server on loopback:
what the visitor finds in their mailbox, and what the links in it do."""

import datetime
import re
import time
import uuid
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation
from apps.offline import services, tasks
from apps.offline.models import EmailThread, OfflineSettings, Rating
from apps.tenants.models import Role
from apps.visitors.services import visit_start
from tests.factories import TenantFactory, member
from tests.live import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

LATER = datetime.timedelta(minutes=3)  # past the default delay of 2 minutes


class Chat:
    """A workspace, its operator and a visitor who left an email address and wrote."""

    def __init__(self, *, language: str = "en-GB", email: str = "deniz@example.com", **form):
        self.tenant = TenantFactory(name="Lale Çiçekçilik")
        self.operator = member(self.tenant, Role.ADMIN, full_name="Ayşe Kaya")
        with scope(tenant=self.tenant):
            if form:
                OfflineSettings.objects.create(tenant=self.tenant, **form)
            self.start = visit_start(
                tenant=self.tenant,
                token=None,
                ip="10.0.0.1",
                language=language,
                tz="Europe/Istanbul",
            )
            if email:
                services.contact_give(visitor=self.start.visitor, fields={"email": email})
        self.conversation = None

    def visitor_writes(self, body: str = "Is my order on its way?"):
        with scope(tenant=self.tenant):
            result = conversation_services.message_create(
                sender="visitor", visitor=self.start.visitor, client_id=uuid.uuid4().hex, body=body
            )
        self.conversation = result.conversation
        return result.message

    def operator_writes(self, body: str, conversation=None):
        with scope(tenant=self.tenant):
            return conversation_services.message_create(
                sender="operator",
                author=self.operator.user,
                conversation=conversation or self.conversation,
                client_id=uuid.uuid4().hex,
                body=body,
            ).message

    def visitor_reads(self, message) -> None:
        with scope(tenant=self.tenant):
            conversation_services.messages_mark_by_visitor(
                visitor=self.start.visitor, up_to=message.pk, state="read"
            )

    def resolve(self) -> None:
        with scope(tenant=self.tenant):
            conversation_services.conversation_resolve(
                membership=self.operator, conversation=self.conversation
            )

    def thread(self) -> EmailThread:
        with scope(tenant=self.tenant):
            return EmailThread.objects.get(conversation=self.conversation)


def due_later(delta=LATER) -> int:
    return services.replies_email_due(now=timezone.now() + delta)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def link(message, path_start: str, index: int = 0) -> str:
    """The path of a link in the email's text part whose path starts with ``path_start``."""
    urls = re.findall(r"https://chat\.sohbet\.example(/\S+)", text_of(message))
    found = [url for url in urls if url.startswith(path_start)]
    return found[index]


# --- replies ------------------------------------------------------------------------------------


def test_unread_replies_are_emailed_once_after_the_delay_two_in_one_email(mail):
    chat = Chat()
    chat.visitor_writes("Is my order on its way?")
    chat.operator_writes("Let me check.")
    chat.operator_writes("It left the warehouse this morning.")

    assert services.replies_email_due() == 0  # not yet: the visitor may still be reading
    assert mail.accepted == []
    assert due_later() == 1
    assert due_later() == 0  # nothing new: no second email

    [email] = mail.messages()
    assert email["To"] == "deniz@example.com"
    assert email["Subject"].strip() == "2 new replies from Lale Çiçekçilik"
    assert email["From"].addresses[0].display_name == "Lale Çiçekçilik"
    text = text_of(email)
    assert "Let me check." in text
    assert "It left the warehouse this morning." in text
    assert "Is my order on its way?" in text  # the visitor's message, for context
    assert "Ayşe Kaya" in text
    assert "Let me check." in html_of(email)


def test_replies_the_visitor_read_are_not_emailed(mail):
    chat = Chat()
    chat.visitor_writes()
    reply = chat.operator_writes("Here is the answer.")
    chat.visitor_reads(reply)

    assert due_later() == 0
    assert mail.accepted == []
    assert chat.thread().due_at is None


def test_a_later_reply_comes_in_a_new_email_threaded_after_the_first(mail):
    chat = Chat()
    chat.visitor_writes()
    chat.operator_writes("First answer.")
    assert due_later() == 1
    chat.operator_writes("Second answer.")
    assert due_later(LATER * 2) == 1

    first, second = mail.messages()
    thread = chat.thread()
    assert first["Reply-To"] == f"reply+{thread.reply_key}@reply.sohbet.example"
    assert second["Reply-To"] == first["Reply-To"]
    assert first["Message-ID"] and first["Message-ID"] != second["Message-ID"]
    assert first["In-Reply-To"] is None
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"] == first["Message-ID"]
    assert "Second answer." in text_of(second)
    assert "First answer." in text_of(second)  # shown again, before it, for context
    assert thread.message_ids == [first["Message-ID"], second["Message-ID"]]


def test_each_conversation_has_its_own_reply_address(mail):
    one, other = Chat(), Chat(email="ece@example.com")
    for chat in (one, other):
        chat.visitor_writes()
        chat.operator_writes("Hello!")
    assert due_later() == 2
    replies_to = {email["To"]: email["Reply-To"] for email in mail.messages()}
    assert len(set(replies_to.values())) == 2
    assert replies_to["deniz@example.com"] == (
        f"reply+{one.thread().reply_key}@reply.sohbet.example"
    )


def test_visitor_content_is_escaped_in_the_html_part(mail):
    chat = Chat()
    chat.visitor_writes('<script>alert("x")</script><b>bold</b>')
    chat.operator_writes('<img src=x onerror="alert(1)">')
    assert due_later() == 1

    html = html_of(mail.messages()[0])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=" in html
    assert '<script>alert("x")</script>' in text_of(mail.messages()[0])  # plain text, as typed


def test_a_turkish_visitor_gets_the_email_in_turkish(mail):
    chat = Chat(language="tr-TR")
    chat.visitor_writes("Siparişim nerede?")
    chat.operator_writes("Kargoya verildi.")
    assert due_later() == 1

    [email] = mail.messages()
    assert email["Subject"].strip() == "Lale Çiçekçilik size 1 yeni yanıt gönderdi"
    text = text_of(email)
    assert "Sohbete devam edin:" in text
    assert "Kargoya verildi." in text
    assert "Siz" in text


def test_no_email_when_the_workspace_does_not_email_replies(mail):
    chat = Chat(email_replies=False)
    chat.visitor_writes()
    chat.operator_writes("Hello!")
    assert due_later() == 0
    assert mail.accepted == []


def test_the_unsubscribe_link_asks_first_and_then_stops_the_emails(mail):
    chat = Chat()
    chat.visitor_writes()
    chat.operator_writes("Hello!")
    assert due_later() == 1
    [email] = mail.messages()
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_url = email["List-Unsubscribe"].strip().strip("<>")
    path = link(email, "/e/unsubscribe/")
    assert header_url == "https://chat.sohbet.example" + path

    client = Client()
    page = client.get(path)
    assert page.status_code == 200
    assert "Unsubscribe?" in page.content.decode()
    assert chat.thread().unsubscribed_at is None  # a link scanner's visit changes nothing

    done = client.post(path)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert chat.thread().unsubscribed_at is not None

    chat.operator_writes("Are you still there?")
    assert due_later(LATER * 2) == 0
    assert len(mail.accepted) == 1


def test_the_mail_clients_one_click_unsubscribe_works(mail):
    chat = Chat()
    chat.visitor_writes()
    chat.operator_writes("Hello!")
    due_later()
    path = urlsplit(mail.messages()[0]["List-Unsubscribe"].strip().strip("<>")).path
    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert chat.thread().unsubscribed_at is not None


def test_the_link_back_opens_the_same_chat_with_a_working_token(mail):
    chat = Chat()
    chat.visitor_writes()
    chat.operator_writes("Hello!")
    due_later()

    response = Client().get(link(mail.messages()[0], "/e/chat/"))
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("widget:chat", args=[chat.tenant.widget_key])
    token = re.fullmatch(r"vt=(vt_[\w-]+)", target.fragment).group(1)
    assert Client().get(target.path).status_code == 200

    # The chat page's first call with that token: the same visitor, recognised.
    visit = Client().post(
        reverse("widget:visit", args=[chat.tenant.widget_key]),
        {"token": token, "url": "https://shop.example/"},
        content_type="application/json",
    )
    assert visit.json()["returning"] is True
    assert visit.json()["visitor"] == chat.start.visitor.public_id.hex


def test_a_changed_or_expired_link_gets_a_clear_page(mail):
    chat = Chat()
    chat.visitor_writes()
    chat.operator_writes("Hello!")
    due_later()
    path = link(mail.messages()[0], "/e/chat/")

    changed = Client().get(path.replace("/e/chat/", "/e/chat/x"))
    assert changed.status_code == 400
    assert "This link does not work" in changed.content.decode()
    # A link made for one purpose does not work for another.
    other = Client().post(path.replace("/e/chat/", "/e/unsubscribe/"))
    assert other.status_code == 400
    assert chat.thread().unsubscribed_at is None

    month_later = time.time() + 31 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=month_later):
        expired = Client().get(path)
    assert expired.status_code == 410
    assert "This link has expired" in expired.content.decode()


# --- transcripts and ratings --------------------------------------------------------------------


def test_a_transcript_is_sent_once_even_when_its_job_runs_twice(mail):
    chat = Chat()
    chat.visitor_writes("Do you ship to Izmir?")
    chat.operator_writes("Yes, in two days.")
    with scope(tenant=chat.tenant):
        conversation_services.note_add(
            membership=chat.operator, conversation=chat.conversation, body="VIP customer"
        )
        services.transcript_request(
            conversation=chat.conversation, requested_by="operator", key="transcript-test-1"
        )
    assert len(mail.accepted) == 1  # the job ran (eagerly) once the request committed
    # The worker died before acknowledging it: the job runs again.
    tasks.transcript_send.delay(
        tenant_id=chat.tenant.pk, conversation_id=chat.conversation.pk, key="transcript-test-1"
    )
    assert len(mail.accepted) == 1

    [email] = mail.messages()
    assert email["Subject"].strip() == "Your conversation with Lale Çiçekçilik"
    assert email["Reply-To"] == f"reply+{chat.thread().reply_key}@reply.sohbet.example"
    text = text_of(email)
    assert "Do you ship to Izmir?" in text
    assert "Yes, in two days." in text
    assert "VIP customer" not in text + html_of(email)  # the team's notes stay private
    assert "/e/rate/" not in text  # not resolved: no rating asked
    assert due_later() == 0  # the transcript carried the reply: no separate email


def test_a_transcript_needs_an_address(mail):
    chat = Chat(email="")
    chat.visitor_writes()
    with scope(tenant=chat.tenant), pytest.raises(services.TranscriptError) as refused:
        services.transcript_request(conversation=chat.conversation, requested_by="visitor")
    assert refused.value.code == "no_address"
    with scope(tenant=chat.tenant), pytest.raises(services.TranscriptError) as refused:
        services.transcript_request(
            conversation=chat.conversation, requested_by="visitor", address="not an address"
        )
    assert refused.value.code == "invalid"
    assert mail.accepted == []


def test_the_transcript_goes_out_on_resolve_with_one_click_ratings(mail):
    chat = Chat(transcript_on_resolve=True)
    chat.visitor_writes()
    chat.operator_writes("Done, anything else?")
    chat.resolve()

    [email] = mail.messages()
    assert email["Subject"].strip() == "Your conversation with Lale Çiçekçilik"
    assert "Done, anything else?" in text_of(email)
    client = Client()

    four = client.get(link(email, "/e/rate/", index=3))
    assert four.status_code == 200
    assert "You rated the conversation 4 out of 5." in four.content.decode()
    again = client.get(link(email, "/e/rate/", index=3))
    assert "You already rated this conversation" in again.content.decode()
    two = client.get(link(email, "/e/rate/", index=1))
    assert "Your rating stays 4 out of 5." in two.content.decode()
    with scope(tenant=chat.tenant):
        [rating] = Rating.objects.all()
    assert rating.score == 4

    commented = client.post(link(email, "/e/rate/", index=3), {"comment": "Quick and kind."})
    assert commented.status_code == 200
    with scope(tenant=chat.tenant):
        rating.refresh_from_db()
    assert (rating.score, rating.comment) == (4, "Quick and kind.")


def test_thumbs_links_and_no_links_when_ratings_are_off(mail):
    thumbs = Chat(transcript_on_resolve=True, rating=OfflineSettings.Rating.THUMBS)
    thumbs.visitor_writes()
    thumbs.resolve()
    [email] = mail.messages()
    assert len(re.findall(r"/e/rate/", text_of(email))) == 2
    down = Client().get(link(email, "/e/rate/", index=1))
    assert "You rated the conversation thumbs down." in down.content.decode()
    with scope(tenant=thumbs.tenant):
        assert Rating.objects.get().score == 1

    off = Chat(
        email="ece@example.com", transcript_on_resolve=True, rating=OfflineSettings.Rating.OFF
    )
    off.visitor_writes()
    off.resolve()
    assert "/e/rate/" not in text_of(mail.messages()[1])


def test_no_transcript_on_resolve_for_a_visitor_who_unsubscribed(mail):
    chat = Chat(transcript_on_resolve=True)
    chat.visitor_writes()
    with scope(tenant=chat.tenant):
        services.email_unsubscribe(conversation=chat.conversation)
    chat.resolve()
    assert mail.accepted == []
    with scope(tenant=chat.tenant):
        assert Conversation.objects.get().status == "resolved"


def test_a_reply_email_is_tried_again_later_when_the_mail_server_is_down(mail, settings):
    chat = Chat()
    chat.visitor_writes()
    chat.operator_writes("Hello!")
    settings.EMAIL_PORT = free_port()  # nothing listens there
    assert due_later() == 0
    assert chat.thread().due_at > timezone.now() + LATER  # tried again a few minutes later
    settings.EMAIL_PORT = mail.port
    assert due_later(LATER * 3) == 1
    assert "Hello!" in text_of(mail.messages()[0])


# --- what the chat window and the inbox ask -----------------------------------------------------


def test_an_operator_emails_the_transcript_from_the_conversation(mail, client):
    chat = Chat()
    chat.visitor_writes("Thanks for the help.")
    client.force_login(chat.operator.user)
    url = reverse(
        "offline_inbox:transcript",
        kwargs={"slug": chat.tenant.slug, "number": chat.conversation.number},
    )
    sent = client.post(url, {}, content_type="application/json")
    assert sent.status_code == 202
    assert mail.messages()[0]["To"] == "deniz@example.com"

    no_email = Chat(email="")
    no_email.visitor_writes()
    client.force_login(no_email.operator.user)
    refused = client.post(
        reverse(
            "offline_inbox:transcript",
            kwargs={"slug": no_email.tenant.slug, "number": no_email.conversation.number},
        )
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "no_address"

    outsider = member(TenantFactory())
    client.force_login(outsider.user)
    assert client.post(url).status_code == 404
    assert len(mail.accepted) == 1


def test_the_pages_speak_the_visitors_language(mail):
    chat = Chat(language="tr-TR")
    chat.visitor_writes()
    chat.operator_writes("Merhaba!")
    due_later()
    turkish = Client(HTTP_ACCEPT_LANGUAGE="tr")
    page = turkish.get(link(mail.messages()[0], "/e/unsubscribe/"))
    assert "Abonelikten çıkılsın mı?" in page.content.decode()
    assert 'lang="tr"' in page.content.decode()
    broken = turkish.get("/e/rate/nonsense/")
    assert broken.status_code == 400
    assert "Bu bağlantı çalışmıyor" in broken.content.decode()


def test_the_periodic_job_runs_the_due_emails(mail, settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["offline-email-due"]
    app.loader.import_default_modules()
    chat = Chat()
    chat.visitor_writes()
    chat.operator_writes("Hello!")
    with scope(tenant=chat.tenant):
        EmailThread.objects.update(due_at=timezone.now())
    assert app.tasks[entry["task"]]() == 1
    assert len(mail.accepted) == 1


def test_a_visitor_away_when_the_chat_was_resolved_is_asked_for_a_rating_by_email(mail):
    chat = Chat()
    chat.visitor_writes()
    chat.operator_writes("Your order left today.")
    chat.resolve()
    [email] = mail.messages()
    assert email["Subject"].strip() == "How was your conversation with Lale Çiçekçilik?"
    assert len(re.findall(r"/e/rate/", text_of(email))) == 5
    five = Client().get(link(email, "/e/rate/", index=4))
    assert "You rated the conversation 5 out of 5." in five.content.decode()

    # Rated: resolving again after a reopening asks again; ratings off asks nothing.
    chat.visitor_writes("One more question")
    chat.resolve()
    assert len(mail.messages()) == 2
    off = Chat(rating=OfflineSettings.Rating.OFF)
    off.visitor_writes()
    off.resolve()
    assert len(mail.messages()) == 2
