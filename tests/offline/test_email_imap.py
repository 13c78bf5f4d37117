"""Email coming in by the IMAP mailbox, against a real IMAP server (dovecot on loopback): the
periodic job takes unseen messages in, posts each reply once in its conversation, never posts
auto-replies or bounces, and leaves a message it could not take for the next poll."""

import io

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from apps.offline import tasks
from apps.offline.models import InboundEmail
from apps.offline.services import imap
from apps.tenants.models import Role
from tests.conversations.conftest import OperatorClient, session_for
from tests.factories import TenantFactory, member
from tests.live import asgi_servers
from tests.offline.mail import QUOTED, chat_by_email, raw_email, reply_address, visitor_messages

pytestmark = pytest.mark.django_db


def states(tenant) -> list[tuple[str, str]]:
    with scope(tenant=tenant):
        return list(InboundEmail.objects.order_by("id").values_list("state", "reason"))


def test_a_reply_in_the_mailbox_is_posted_once_and_automatic_mail_never(imap_server, settings):
    tenant = TenantFactory()
    thread = chat_by_email(tenant)
    to = reply_address(thread)
    reply = raw_email(to=to, body="Yes, tomorrow at ten is fine." + QUOTED)
    imap_server.deliver(reply)
    imap_server.deliver(raw_email(to=to, headers={"Auto-Submitted": "auto-replied"}))
    imap_server.deliver(
        raw_email(to=to, sender="MAILER-DAEMON@mx.example.com", body="Delivery failed")
    )
    settings.INBOUND_IMAP_URL = imap_server.url

    assert tasks.imap_poll.delay().get() == 3

    _first, posted = visitor_messages(tenant, thread.conversation)
    assert posted.body == "Yes, tomorrow at ten is fine."
    assert posted.content == {"email": {"attachments": []}}
    assert states(tenant) == [("posted", ""), ("ignored", "auto_reply"), ("ignored", "bounce")]
    assert imap_server.unseen() == 0

    # Polling again takes nothing; the same email delivered again is taken and posts nothing.
    assert imap.imap_poll() == 0
    imap_server.deliver(reply)
    assert imap.imap_poll() == 1
    assert len(visitor_messages(tenant)) == 2
    assert len(states(tenant)) == 3


def test_a_message_that_cannot_be_taken_now_stays_for_the_next_poll(imap_server, settings):
    settings.RATELIMIT_ENABLE = True
    settings.CHAT_MESSAGES_PER_MINUTE = 1  # the visitor's chat message used it up
    tenant = TenantFactory()
    thread = chat_by_email(tenant)
    imap_server.deliver(raw_email(to=reply_address(thread), body="Are you there?"))

    assert imap.imap_poll(url=imap_server.url) == 0
    assert imap_server.unseen() == 1
    assert states(tenant) == []  # nothing half-applied

    settings.CHAT_MESSAGES_PER_MINUTE = 30
    assert imap.imap_poll(url=imap_server.url) == 1
    assert imap_server.unseen() == 0
    assert visitor_messages(tenant, thread.conversation)[-1].body == "Are you there?"


def test_an_email_for_no_workspace_is_left_seen_in_the_mailbox(imap_server, settings):
    imap_server.deliver(raw_email(to=f"reply+unknown@{settings.INBOUND_EMAIL_DOMAIN}"))
    assert imap.imap_poll(url=imap_server.url) == 1
    assert imap_server.unseen() == 0  # it stays in the mailbox, seen: nowhere else to keep it
    with scopes_disabled():
        assert not InboundEmail.objects.exists()


def test_without_a_mailbox_the_job_does_nothing(settings):
    settings.INBOUND_IMAP_URL = ""
    assert tasks.imap_poll.delay().get() == 0


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("imap://user:pa%40ss@127.0.0.1:1143/INBOX", (False, "127.0.0.1", 1143, "user", "pa@ss")),
        (
            "imaps://me%40acme.example:pw@imap.acme.example/Replies",
            (True, "imap.acme.example", 993, "me@acme.example", "pw"),
        ),
    ],
)
def test_the_mailbox_address(url, expected):
    address = imap.imap_address(url)
    assert (address.tls, address.host, address.port, address.user, address.password) == expected


def test_the_command_takes_one_email_in(settings, tmp_path):
    tenant = TenantFactory()
    thread = chat_by_email(tenant)
    path = tmp_path / "reply.eml"
    path.write_bytes(raw_email(to=reply_address(thread), body="From a file." + QUOTED))
    out = io.StringIO()

    call_command("email_receive", str(path), stdout=out)
    call_command("email_receive", str(path), stdout=out)

    number = thread.conversation.number
    assert out.getvalue().splitlines() == [f"posted (conversation #{number})"] * 2
    assert visitor_messages(tenant, thread.conversation)[-1].body == "From a file."
    assert len(visitor_messages(tenant)) == 2


@pytest.fixture
def web(transactional_db):
    """A real web process (its own ASGI server) with the inbox socket."""
    with asgi_servers(1) as servers:
        yield servers[0]


@pytest.mark.postgres
@pytest.mark.redis
def test_a_reply_taken_from_the_mailbox_shows_live_in_the_inbox(imap_server, web):
    tenant = TenantFactory()
    operator = member(tenant, Role.ADMIN)
    thread = chat_by_email(tenant)
    inbox = OperatorClient(web, tenant.slug, session_for(operator.user))
    inbox.expect("ready")
    inbox.send("subscribe", conversation=thread.conversation.number, after_id=None)
    inbox.expect("history", conversation=thread.conversation.number)
    imap_server.deliver(raw_email(to=reply_address(thread), body="On my way." + QUOTED))

    assert imap.imap_poll(url=imap_server.url) == 1

    live = inbox.expect_message(sender="visitor", body="On my way.")
    assert live["content"] == {"email": {"attachments": []}}
    inbox.close()
