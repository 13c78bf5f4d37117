"""Email coming in by the endpoint (/inbound/email/<secret>/): a reply becomes the visitor's
message in its conversation, bad input is kept and never posted, a retried delivery posts
once, and a workspace's endpoint takes only its own conversations' replies."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from apps.conversations.models import Conversation
from apps.offline import services
from apps.offline.inbound_text import html_to_text, reply_text
from apps.offline.models import EmailSender, InboundEmail
from apps.visitors.models import Visitor
from tests.factories import TenantFactory
from tests.offline.mail import (
    QUOTED,
    chat_by_email,
    inbound_settings,
    raw_email,
    reply_address,
    visitor_messages,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def workspace():
    tenant = TenantFactory()
    return tenant, inbound_settings(tenant, support_address="help@acme.example")


def post(client, secret: str, raw: bytes):
    url = reverse("inbound:email", kwargs={"secret": secret})
    return client.post(url, data=raw, content_type="message/rfc822")


def records(tenant) -> list[InboundEmail]:
    with scope(tenant=tenant):
        return list(InboundEmail.objects.order_by("id"))


def test_a_reply_is_posted_as_the_visitors_message_without_the_quoted_history(client, workspace):
    tenant, inbound = workspace
    thread = chat_by_email(tenant)
    raw = raw_email(
        to=reply_address(thread),
        body="It works now, thank you." + QUOTED,
        attachments=[("screenshot.png", b"\x89PNG...")],
    )

    response = post(client, inbound.inbound_secret, raw)

    assert response.status_code == 200
    assert response.json() == {"outcome": "posted"}
    _first, reply = visitor_messages(tenant, thread.conversation)
    assert reply.body == "It works now, thank you."
    assert reply.content == {"email": {"attachments": ["screenshot.png"]}}
    (record,) = records(tenant)
    assert (record.state, record.conversation_id, record.sender_mismatch) == (
        "posted",
        thread.conversation_id,
        False,
    )
    assert record.raw.encode() == raw  # kept (encrypted) for inspection


def test_an_unknown_secret_is_not_found(client, workspace):
    tenant, _inbound = workspace
    thread = chat_by_email(tenant)
    response = post(client, "not-a-secret", raw_email(to=reply_address(thread)))
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert records(tenant) == []


def test_an_email_over_the_limit_is_refused(client, workspace, settings):
    tenant, inbound = workspace
    thread = chat_by_email(tenant)
    settings.INBOUND_EMAIL_MAX_BYTES = 2000
    raw = raw_email(to=reply_address(thread), body="long " * 1000)

    response = post(client, inbound.inbound_secret, raw)

    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert records(tenant) == []
    assert len(visitor_messages(tenant)) == 1


def test_malformed_mime_is_kept_as_failed_and_not_posted(client, workspace):
    tenant, inbound = workspace
    thread = chat_by_email(tenant)
    raw = (
        f"From: ayse@example.com\r\nTo: {reply_address(thread)}\r\n"
        "Message-ID: <broken@mail.example.com>\r\n"
        "Content-Type: multipart/mixed\r\n\r\n--nowhere\r\nno parts here\r\n"
    ).encode()

    response = post(client, inbound.inbound_secret, raw)

    assert response.status_code == 400
    assert response.json()["error"] == "malformed"
    (record,) = records(tenant)
    assert record.state == "failed"
    assert "NoBoundaryInMultipartDefect" in record.reason
    assert record.raw.encode() == raw
    assert len(visitor_messages(tenant)) == 1


def test_an_unknown_reply_address_is_ignored(client, workspace, settings):
    tenant, inbound = workspace
    chat_by_email(tenant)
    raw = raw_email(to=f"reply+nosuchkey@{settings.INBOUND_EMAIL_DOMAIN}")

    response = post(client, inbound.inbound_secret, raw)

    assert response.json() == {"outcome": "ignored", "reason": "unknown address"}
    assert [r.state for r in records(tenant)] == ["ignored"]
    assert len(visitor_messages(tenant)) == 1


def test_a_reply_to_a_long_closed_conversation_is_ignored(client, workspace):
    tenant, inbound = workspace
    thread = chat_by_email(tenant)
    with scopes_disabled():
        Conversation.objects.filter(pk=thread.conversation_id).update(
            status="resolved", resolved_at=timezone.now() - datetime.timedelta(days=30)
        )
    response = post(client, inbound.inbound_secret, raw_email(to=reply_address(thread)))
    assert response.json() == {"outcome": "ignored", "reason": "expired address"}
    assert len(visitor_messages(tenant)) == 1


@pytest.mark.parametrize("message_id", ["<same@mail.example.com>", None])
def test_a_retried_delivery_is_posted_once(client, workspace, message_id):
    tenant, inbound = workspace
    thread = chat_by_email(tenant)
    raw = raw_email(to=reply_address(thread), message_id=message_id)

    first = post(client, inbound.inbound_secret, raw)
    again = post(client, inbound.inbound_secret, raw)

    assert first.json() == again.json() == {"outcome": "posted"}
    assert len(visitor_messages(tenant)) == 2
    (record,) = records(tenant)
    assert record.message_id == ("same@mail.example.com" if message_id else record.message_id)
    if message_id is None:
        assert record.message_id.startswith("sha256:")


def test_a_sender_that_is_not_the_conversations_address_is_flagged(client, workspace):
    tenant, inbound = workspace
    thread = chat_by_email(tenant)
    raw = raw_email(to=reply_address(thread), sender="Someone <someone@elsewhere.example>")

    post(client, inbound.inbound_secret, raw)

    reply = visitor_messages(tenant, thread.conversation)[-1]
    assert reply.content["email"]["from_mismatch"] is True
    assert reply.content["email"]["from_mismatch"] is True
    assert "someone@elsewhere.example" not in str(reply.content)  # unencrypted: never named
    assert records(tenant)[0].sender_mismatch is True


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "auto_reply"),
        ({"Precedence": "bulk"}, "auto_reply"),
        ({"X-Autoreply": "yes"}, "auto_reply"),
        ({"X-Autorespond": "Out of office"}, "auto_reply"),
        ({"Return-Path": "<>"}, "bounce"),
    ],
)
def test_auto_replies_and_bounces_are_recorded_and_not_posted(client, workspace, headers, reason):
    tenant, inbound = workspace
    thread = chat_by_email(tenant)
    raw = raw_email(to=reply_address(thread), body="I am out of the office.", headers=headers)

    response = post(client, inbound.inbound_secret, raw)

    assert response.json() == {"outcome": "ignored", "reason": reason}
    assert len(visitor_messages(tenant)) == 1


def test_a_delivery_status_report_is_a_bounce(client, workspace):
    tenant, inbound = workspace
    thread = chat_by_email(tenant)
    raw = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        f"To: {reply_address(thread)}\r\nMessage-ID: <dsn1@mx.example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "--b--\r\n"
    ).encode()

    response = post(client, inbound.inbound_secret, raw)

    assert response.json() == {"outcome": "ignored", "reason": "bounce"}
    assert len(visitor_messages(tenant)) == 1


def test_an_email_with_nothing_but_quoted_history_is_ignored(client, workspace):
    tenant, inbound = workspace
    thread = chat_by_email(tenant)
    response = post(
        client, inbound.inbound_secret, raw_email(to=reply_address(thread), body=QUOTED)
    )
    assert response.json() == {"outcome": "ignored", "reason": "empty"}


def test_an_html_only_reply_is_posted_as_text(client, workspace):
    tenant, inbound = workspace
    thread = chat_by_email(tenant)
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Yes, <b>tomorrow</b> is fine."
        "</p><p>Ayşe</p><div class='gmail_quote'>On Monday Acme wrote:<blockquote>Hello"
        "</blockquote></div></body></html>"
    )
    post(client, inbound.inbound_secret, raw_email(to=reply_address(thread), body=None, html=html))
    assert (
        visitor_messages(tenant, thread.conversation)[-1].body == "Yes, tomorrow is fine.\n\nAyşe"
    )


def test_the_support_address_starts_a_conversation_and_knows_the_sender_again(client, workspace):
    tenant, inbound = workspace
    with scope(tenant=tenant):
        # A visitor the site verified with the same address stays someone else.
        verified = Visitor.objects.create(
            tenant=tenant, email="new@example.com", verified_at=timezone.now()
        )
    first = raw_email(to="Acme <help@acme.example>", sender="Nur <new@example.com>", body="Hi!")
    second = raw_email(to="help@acme.example", sender="new@example.com", body="Any news?")

    assert post(client, inbound.inbound_secret, first).json() == {"outcome": "posted"}
    assert post(client, inbound.inbound_secret, second).json() == {"outcome": "posted"}

    one, two = visitor_messages(tenant)
    assert one.conversation_id == two.conversation_id
    with scope(tenant=tenant):
        conversation = Conversation.objects.select_related("visitor", "email_thread").get(
            pk=one.conversation_id
        )
        assert conversation.channel == "email"
        assert conversation.reply_by_email is True
        assert conversation.email_thread.address == "new@example.com"
        visitor = conversation.visitor
        assert visitor.pk != verified.pk
        assert (visitor.email, visitor.verified_at) == ("", None)
        assert visitor.unverified == {"email": "new@example.com", "name": "Nur"}
        (sender,) = EmailSender.objects.all()
        assert sender.visitor_id == visitor.pk
        assert "example" not in sender.address_hash  # a keyed hash, not the address


def test_a_reply_key_of_another_workspace_is_refused(client, workspace):
    tenant_a, _inbound_a = workspace
    thread_a = chat_by_email(tenant_a)
    tenant_b = TenantFactory()
    inbound_b = inbound_settings(tenant_b)

    response = post(client, inbound_b.inbound_secret, raw_email(to=reply_address(thread_a)))

    assert response.json() == {"outcome": "ignored", "reason": "unknown address"}
    assert len(visitor_messages(tenant_a)) == 1
    assert records(tenant_a) == []
    assert [r.reason for r in records(tenant_b)] == ["unknown address"]


def test_old_records_are_pruned(workspace, settings):
    tenant, _inbound = workspace
    thread = chat_by_email(tenant)
    services.inbound_receive(raw=raw_email(to=reply_address(thread)), source="command")
    services.inbound_receive(
        raw=raw_email(to=reply_address(thread), body="later"), source="command"
    )
    with scopes_disabled():
        old = InboundEmail.objects.order_by("id").first()
        InboundEmail.objects.filter(pk=old.pk).update(
            received_at=timezone.now()
            - datetime.timedelta(days=settings.INBOUND_EMAIL_KEEP_DAYS + 1)
        )
    assert services.inbound_prune() == 1
    assert len(records(tenant)) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Thanks, that works.\n\nOn Mon, Dec 7, 2026 at 10:00 AM Acme <\n"
            "reply+k@x.example> wrote:\n\n> Hello?\n",
            "Thanks, that works.",
        ),
        (
            "Teşekkürler, oldu.\n\n7 Ara 2026 Pzt 10:00 tarihinde Acme Destek <\n"
            "reply+k@x.example> şunu yazdı:\n\n> Merhaba\n",
            "Teşekkürler, oldu.",
        ),
        ("Tamam.\n\n07.12.2026 10:00 tarihinde Acme Destek yazdı:\n> Merhaba\n", "Tamam."),
        (
            "Yes please.\n\n-----Original Message-----\nFrom: Acme <reply+k@x.example>\n"
            "Sent: Monday, December 7, 2026 10:00 AM\nTo: Ayşe\nSubject: Re: Hi\n\nHello\n",
            "Yes please.",
        ),
        (
            "Evet lütfen.\n\nKimden: Acme Destek <reply+k@x.example>\nGönderildi: 7 Aralık 2026\n"
            "Kime: Ayşe\nKonu: Re: Sorunuz\n\nMerhaba\n",
            "Evet lütfen.",
        ),
        ("Peki.\n\n-----Orijinal İleti-----\nKimden: Acme\n\nMerhaba\n", "Peki."),
        ("See you.\n\n-- \nAyşe Yılmaz\nACME Ltd\n", "See you."),
        ("Ok great\n\nSent from my iPhone\n", "Ok great"),
        ("Tamam\n\niPhone'umdan gönderildi\n", "Tamam"),
        ("Tamam\n\nAndroid için Outlook'u edinin\n", "Tamam"),
        ("Line one\n> quoted\nLine after\n", "Line one\nLine after"),
        ("Items:\n- one\n- two\n", "Items:\n- one\n- two"),
        (
            "Hi\n\nThanks, but the order number is 123 and it is late.\n",
            "Hi\n\nThanks, but the order number is 123 and it is late.",
        ),
    ],
)
def test_quoted_history_and_signatures_are_cut(text, expected):
    assert reply_text(text) == expected


def test_text_the_database_cannot_hold_is_left_out(client, workspace):
    tenant, inbound = workspace
    thread = chat_by_email(tenant)
    raw = raw_email(
        to=reply_address(thread),
        body="Fine\x00 by me.",
        attachments=[("bad\x00name.pdf", b"%PDF")],
    )
    assert post(client, inbound.inbound_secret, raw).json() == {"outcome": "posted"}
    reply = visitor_messages(tenant, thread.conversation)[-1]
    assert reply.body == "Fine by me."
    assert reply.content == {"email": {"attachments": ["badname.pdf"]}}


def test_an_email_to_the_support_address_comes_in_by_the_mailbox_too(workspace):
    tenant, _inbound = workspace
    raw = raw_email(to="help@acme.example", sender="new@example.com", body="Hello?")
    record = services.inbound_receive(raw=raw, source="imap")
    assert (record.tenant_id, record.state) == (tenant.pk, "posted")
    # No workspace has this support address: nothing to record it in.
    assert services.inbound_receive(raw=raw_email(to="help@other.example"), source="imap") is None


def test_html_with_elements_left_open_inside_a_quote():
    html = (
        "<div>Sounds good<br/>see you</div><div class=gmail_quote><p>On Monday"
        "<img src=x><div>quoted</div></div><p>After the quote</p>"
    )
    assert html_to_text(html) == "Sounds good\nsee you\n\nAfter the quote"


def test_an_email_larger_than_a_form_may_be_is_taken(client, workspace, settings):
    tenant, inbound = workspace
    thread = chat_by_email(tenant)
    assert settings.INBOUND_EMAIL_MAX_BYTES > 2 * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    big = [("photo.jpg", b"\xff" * (2 * settings.DATA_UPLOAD_MAX_MEMORY_SIZE))]
    raw = raw_email(to=reply_address(thread), body="The photo.", attachments=big)

    assert post(client, inbound.inbound_secret, raw).json() == {"outcome": "posted"}
    assert visitor_messages(tenant, thread.conversation)[-1].body == "The photo."
