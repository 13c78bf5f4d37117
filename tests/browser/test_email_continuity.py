"""A conversation that continues by email, both ways, against real servers: a web process whose
mail goes to a real SMTP server on loopback (``tests.mail.MailServer``), the chat window and the
inbox in Chromium, and the visitor's answer coming back through the inbound endpoint as an
inbound-mail provider would post it (the email continuity of docs/email.md)."""

import json
import re
import time
import urllib.request
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from apps.conversations.models import Conversation, Message
from apps.offline import services as offline_services
from apps.offline.models import EmailThread
from apps.tenants.models import Role
from tests.browser.conftest import Contexts
from tests.browser.test_business_hours import chat_window
from tests.browser.test_inbox import sign_in_to_inbox
from tests.factories import TenantFactory, member
from tests.live import asgi_servers
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

DOMAIN = "reply.example"
VISITOR = "deniz@example.com"
# The periodic job that emails due replies runs every second in this web process.
EMAIL_TIMEOUT = 30


@pytest.fixture
def web(transactional_db, mail_server) -> Iterator:
    """A web process as deployed whose emails go to the test's mail server."""
    env = {"EMAIL_URL": mail_server.url, "INBOUND_EMAIL_DOMAIN": DOMAIN}
    env["EMAIL_DUE_CHECK_EVERY_S"] = "1"  # the due replies are looked for every second
    with asgi_servers(1, **env) as servers:
        yield servers[0]


@pytest.fixture
def web_page(browser, web, request) -> Iterator[Callable]:
    """Like ``asgi_page``: pages whose relative URLs resolve against that web process."""
    contexts = Contexts(browser, web.url)
    yield contexts.open
    contexts.close(request)


def in_scope(tenant, fn, /, *args, **kwargs):
    with scope(tenant=tenant):
        return in_thread(fn, *args, **kwargs)


def poll(page, condition: Callable[[], object], what: str, timeout: float = EMAIL_TIMEOUT):
    """Poll ``condition`` until it is truthy and return it; between polls the page keeps
    receiving its events (``page.wait_for_timeout``, not a sleep of the test's thread)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        page.wait_for_timeout(200)
    return value


def make_due_now(page, tenant, thread_pk: int) -> None:
    """The operator's reply made the thread due ``email_delay_minutes`` later (at least one
    minute): moving that moment to now stands for those minutes passing, unread."""

    def due_now() -> int:
        return EmailThread.objects.filter(pk=thread_pk, due_at__isnull=False).update(
            due_at=timezone.now()
        )

    poll(page, lambda: in_scope(tenant, due_now), "the reply is due to be emailed", timeout=15)


def deliver(web, secret: str, raw: bytes) -> dict:
    """POST a raw email to the workspace's inbound endpoint, as an inbound-mail provider does."""
    request = urllib.request.Request(  # noqa: S310 (the web process on loopback)
        web.url + reverse("inbound:email", args=[secret]),
        data=raw,
        method="POST",
        headers={"Content-Type": "message/rfc822"},
    )
    with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
        return json.loads(response.read())


def visitor_reply(*, to: str, replying_to: EmailMessage, text: str) -> bytes:
    """What the visitor's mail client sends back: their words above the quoted email."""
    reply = EmailMessage()
    reply["From"] = f"Deniz Yılmaz <{VISITOR}>"
    reply["To"] = to
    reply["Subject"] = f"Re: {replying_to['Subject']}"
    reply["Message-ID"] = make_msgid(domain="example.com")
    reply["In-Reply-To"] = replying_to["Message-ID"]
    reply["References"] = f"{replying_to.get('References', '')} {replying_to['Message-ID']}".strip()
    quoted = replying_to.get_body(("plain",)).get_content()
    reply.set_content(
        f"{text}\n\n"
        f"On Mon, 7 Dec 2026 at 10:02, Lale Çiçekçilik <{to}> wrote:\n"
        + "\n".join(f"> {line}" for line in quoted.splitlines())
        + "\n"
    )
    return reply.as_bytes(policy=policy.SMTP)


def test_a_visitor_away_from_the_chat_gets_the_reply_by_email_and_answers_it(
    web, web_page, mail_server, screenshot
):
    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik")
    admin = in_scope(tenant, member, tenant, Role.ADMIN, full_name="Ayşe Kaya")
    settings = in_scope(
        tenant, offline_services.offline_settings_update, membership=admin, values={}
    )

    # Nobody is online: after the first message the chat window asks for an email address.
    widget = chat_window(web_page, tenant)
    widget.say("Do you deliver on Sundays?")
    card = widget.frame.locator("#card")
    expect(card.get_by_role("heading", name="Get the reply by email")).to_be_visible()
    card.get_by_label("Email").fill(VISITOR)
    card.get_by_role("button", name="Email me the reply").click()
    expect(card).to_be_hidden()
    expect(widget.frame.locator("#log")).to_contain_text("we will reply by email")
    conversation = in_scope(tenant, lambda: Conversation.objects.get())
    thread = in_scope(tenant, lambda: EmailThread.objects.get())
    assert thread.conversation_id == conversation.pk

    # The operator opens it while the visitor is still there; the visitor leaves, unanswered.
    inbox = sign_in_to_inbox(web_page, tenant, admin)
    page = inbox.page
    row = inbox.item(conversation.number)
    expect(row.locator(".conv-email")).to_have_text("Email")
    row.click()
    reach = page.get_by_test_id("reach")
    expect(reach).to_have_text("On the page now: they see your reply at once.")
    widget.page.close()
    expect(reach).to_have_text("Not on the page: your reply also goes to them by email.")

    composer = page.get_by_label(inbox.s("reply_label"))
    composer.fill("Yes, we deliver on Sundays until 14:00.")
    composer.press("Enter")
    mine = inbox.messages.locator(".msg-operator")
    expect(mine).to_have_count(1)
    expect(mine).to_have_attribute("data-mark", re.compile("sent|delivered"))

    make_due_now(page, tenant, thread.pk)
    [first] = poll(page, mail_server.messages, "the first reply email")
    assert first["To"] == VISITOR
    reply_to = f"reply+{thread.reply_key}@{DOMAIN}"
    assert first["Reply-To"] == reply_to  # the conversation's own address
    assert first["From"].addresses[0].display_name == "Lale Çiçekçilik"
    assert first["Message-ID"]
    for part in ("plain", "html"):
        assert "Yes, we deliver on Sundays until 14:00." in first.get_body((part,)).get_content()

    # Wait until the thread has recorded that email, then a second reply follows it, threaded.
    def recorded() -> list:
        return EmailThread.objects.get(pk=thread.pk).message_ids

    assert poll(page, lambda: in_scope(tenant, recorded), "the first email recorded") == [
        first["Message-ID"]
    ]
    composer.fill("Shall we bring them to your door?")
    composer.press("Enter")
    expect(mine).to_have_count(2)
    expect(mine.last).to_have_attribute("data-mark", re.compile("sent|delivered"))
    make_due_now(page, tenant, thread.pk)
    second = poll(page, lambda: mail_server.messages()[1:], "the second reply email")[0]
    assert second["To"] == VISITOR
    assert second["Reply-To"] == reply_to
    assert second["Message-ID"] not in (None, first["Message-ID"])
    assert second["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in second["References"].split()
    for part in ("plain", "html"):
        assert "Shall we bring them to your door?" in second.get_body((part,)).get_content()

    # The visitor answers the email; it comes in and shows live in the open conversation.
    raw = visitor_reply(to=reply_to, replying_to=second, text="Yes please, to Karşıyaka.")
    assert deliver(web, settings.inbound_secret, raw) == {"outcome": "posted"}
    theirs = inbox.messages.locator(".msg-visitor")
    answer = theirs.filter(has_text="Yes please, to Karşıyaka.")
    expect(answer.locator(".msg-body")).to_have_text("Yes please, to Karşıyaka.")  # no quote
    expect(answer.locator(".msg-via")).to_have_text("by email")
    expect(theirs.first.locator(".msg-via")).to_have_count(0)  # the chat message was not
    screenshot(page, "inbox_email_reply_live")

    # The provider delivers the same email again: recognised, not shown twice. A later email
    # that shows live marks the moment by which a second copy would have shown too.
    assert deliver(web, settings.inbound_secret, raw) == {"outcome": "posted"}
    later = visitor_reply(to=reply_to, replying_to=second, text="Ring twice, please.")
    assert deliver(web, settings.inbound_secret, later) == {"outcome": "posted"}
    expect(theirs.locator(".msg-body")).to_have_text(
        ["Do you deliver on Sundays?", "Yes please, to Karşıyaka.", "Ring twice, please."]
    )
    stored = in_scope(
        tenant,
        lambda: list(
            Message.objects.filter(sender="visitor").order_by("pk").values_list("body", flat=True)
        ),
    )
    assert stored == [
        "Do you deliver on Sundays?",
        "Yes please, to Karşıyaka.",
        "Ring twice, please.",
    ]
    assert inbox.dialogs == []
