"""What the inbox shows of conversations that continue by email: the rows marked and the
"Email" filter, where the reply will reach the visitor, messages that came in by email, and the
visitor's rating after the chat."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation
from apps.offline import services as offline_services
from apps.tenants.models import Role
from tests.browser.test_inbox import new_conversation, sign_in_to_inbox
from tests.factories import TenantFactory, member
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_the_operator_sees_who_waits_for_a_reply_by_email(asgi, asgi_page, screenshot):
    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik")
    with scope(tenant=tenant):
        operator = in_thread(member, tenant, Role.ADMIN, full_name="Ayşe Kaya")
    # Nobody is online: the first visitor leaves an address, the second does not.
    by_email = new_conversation(asgi, tenant, "Do you ship to İzmir?")
    by_email.send("contact", fields={"email": "deniz@example.com"})
    assert by_email.expect("contact")["by_email"] is True
    chat_only = new_conversation(asgi, tenant, "Just looking, thanks")
    with scope(tenant=tenant):
        waiting, other = in_thread(
            lambda: list(Conversation.objects.select_related("visitor").order_by("number"))
        )

    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page = inbox.page
    expect(inbox.item(waiting.number).locator(".conv-email")).to_have_text("Email")
    expect(inbox.item(other.number)).to_be_visible()
    expect(inbox.item(other.number).locator(".conv-email")).to_have_count(0)
    # Without an address there is nobody to email the transcript to: the operator is told.
    inbox.item(other.number).click()
    page.get_by_role("button", name="Email transcript").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "There is no email address to send the transcript to."
    )
    page.get_by_label("Channel").select_option("email")
    expect(inbox.item(other.number)).to_have_count(0)
    expect(inbox.item(waiting.number)).to_be_visible()

    # Before answering: the visitor is on the page now; once gone, the reply goes by email.
    inbox.item(waiting.number).click()
    reach = page.get_by_test_id("reach")
    expect(reach).to_have_text("On the page now: they see your reply at once.")
    by_email.close()
    expect(reach).to_have_text("Not on the page: your reply also goes to them by email.")
    chat_only.close()

    # A reply that came in by email, from another address than the visitor's.
    with scope(tenant=tenant):
        in_thread(
            conversation_services.message_create,
            sender="visitor",
            visitor=waiting.visitor,
            client_id="email:1",
            body="Yes please, to Karşıyaka.",
            content={
                "email": {
                    "attachments": ["address.pdf"],
                    "from_mismatch": True,
                }
            },
        )
    message = inbox.messages.locator(".msg-visitor").last
    expect(message).to_contain_text("Yes please, to Karşıyaka.")
    expect(message.locator(".msg-via")).to_have_text("by email")
    expect(message).to_contain_text("Attachments: address.pdf")
    expect(message).to_contain_text("Sent from another address than the visitor's.")

    # The operator emails the transcript to the visitor.
    page.get_by_role("button", name="Email transcript").click()
    expect(page.get_by_text("The transcript is on its way to deniz@example.com.")).to_be_visible()

    # Resolved, then rated by the visitor: a line in the history, with the comment.
    page.get_by_role("button", name=inbox.s("resolve")).click()
    expect(page.locator("#inbox-conv-status")).to_have_text(inbox.s("status_resolved"))
    with scope(tenant=tenant):
        in_thread(
            offline_services.rating_give,
            conversation=in_thread(lambda: Conversation.objects.get(pk=waiting.pk)),
            score=5,
            comment="Fast and friendly",
        )
    rated = inbox.messages.locator(".activity-rated")
    page.reload()  # the panel reads the visitor's ratings when the conversation opens
    expect(rated).to_contain_text("The visitor rated this conversation 5 of 5")
    expect(rated).to_contain_text("Fast and friendly")
    panel = page.locator("#inbox-visitor-body")
    expect(panel).to_contain_text("Ratings after a chat")
    expect(panel).to_contain_text(f"5 of 5 #{waiting.number}")
    expect(panel).to_contain_text("Fast and friendly")
    screenshot(page, "inbox_conversation_by_email")
