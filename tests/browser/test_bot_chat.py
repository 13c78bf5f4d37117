"""The knowledge-base bot in the chat window, as a visitor meets it, and in the inbox, as the
operator reads what it did: its answer, marked as automated, with where it comes from and two
buttons; when it is not sure, the closest entries to press; "That answered it" thanks the
visitor and the bot keeps the chat; "Talk to a person"
hands the chat to the team (told in the inbox's history), or, with nobody online, asks for an
email address."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from apps.bot import services
from apps.bot.models import Answer
from apps.conversations.models import Conversation
from apps.tenants.models import Role
from apps.visitors.models import Consent
from tests.bot.helpers import KB
from tests.browser.test_business_hours import chat_window
from tests.browser.test_inbox import sign_in_to_inbox
from tests.factories import TenantFactory, member
from tests.utils import in_thread, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

LEARNING_TR = "Bu sohbet otomatik yanıtları geliştirmek için kullanılabilir."
TRACKING_ANSWER = "Your tracking link is in the shipping email."
INSTALLMENTS_ANSWER = "Yes, up to 6 installments with credit cards."
PASSING_ON = "I am passing you to the team. Someone will be with you shortly."
NOBODY_THERE = (
    "Nobody from the team is available right now. Leave your email address and we will "
    "answer you by email."
)


def workspace():
    """A workspace whose bot, Lale, always answers first, from a small bilingual knowledge base
    (``tests.bot.helpers.KB``: returns, order tracking, installments)."""
    tenant = in_thread(TenantFactory, name="Lale Home")
    with scope(tenant=tenant):
        admin = in_thread(member, tenant, Role.ADMIN, full_name="Ayşe Kaya")
        report = in_thread(
            services.entries_import,
            tenant_id=tenant.pk,
            raw=json.dumps(KB, ensure_ascii=False),
            kind="json",
        )
        assert report.ok, report.errors
        in_thread(services.bot_settings_update, tenant_id=tenant.pk, mode="always", name="Lale")
    return tenant, admin


def read(tenant, fn):
    with scope(tenant=tenant):
        return in_thread(fn)


def ask(widget, question: str):
    widget.input.fill(question)
    widget.input.press("Enter")
    expect(widget.mine.filter(has_text=question)).to_have_count(1)


def bot_row(widget, body: str):
    """The bot's message with ``body`` in the chat window."""
    return widget.theirs.filter(has=widget.frame.locator(".bubble", has_text=body))


def expect_answer(widget, body: str, *, name: str, badge: str, source: str, buttons: list[str]):
    """The bot's answer as the visitor reads it: its name with a badge, the answer, where it
    comes from, and its buttons."""
    row = bot_row(widget, body)
    expect(row).to_have_count(1)
    expect(row.locator(".name")).to_be_visible()
    expect(row.locator(".name")).to_have_text(f"{name} {badge}")
    expect(row.locator(".name .badge")).to_have_text(badge)
    expect(row.locator(".bubble")).to_have_text(body)
    expect(row.locator(".from")).to_have_text(source)
    expect(row.get_by_role("button")).to_have_text(buttons)
    for label in buttons:
        expect(row.get_by_role("button", name=label)).to_be_visible()
    return row


def test_the_visitor_asks_the_bot_then_talks_to_a_person_who_sees_what_the_bot_did(
    asgi_page, screenshot
):
    tenant, admin = workspace()
    # The operator has the inbox open first: the team is online.
    inbox = sign_in_to_inbox(asgi_page, tenant, admin)
    page = inbox.page

    widget = chat_window(asgi_page, tenant)
    ask(widget, "how can I track my order")
    row = expect_answer(
        widget,
        TRACKING_ANSWER,
        name="Lale",
        badge="Automated",
        source="From: Where is my order?",
        buttons=["That answered it", "Talk to a person"],
    )
    # The bot holds the chat: no email is asked for, nobody waits.
    expect(widget.frame.locator("#card")).to_be_hidden()
    screenshot(widget.page, "widget_bot_answer")

    # In the inbox, live: the conversation, marked as the bot's.
    conversation = read(tenant, lambda: Conversation.objects.get())
    assert conversation.bot_holds
    item = inbox.item(conversation.number)
    expect(item).to_contain_text(TRACKING_ANSWER)
    expect(item.locator(".conv-prefix")).to_have_text("Bot:")
    expect(item.locator(".conv-bot")).to_have_text("Bot")
    expect(item.locator(".conv-bot")).to_have_attribute("title", "The bot is answering")

    row.get_by_role("button", name="Talk to a person").click()
    expect(bot_row(widget, PASSING_ON)).to_have_count(1)
    expect(widget.frame.get_by_role("button", name="Talk to a person")).to_have_count(0)
    expect(widget.frame.get_by_role("button", name="That answered it")).to_have_count(0)
    expect(row.locator(".choices")).to_be_hidden()
    # Someone is online: the chat goes to the team, no email card.
    expect(widget.frame.locator("#card")).to_be_hidden()
    expect(widget.input).to_be_enabled()

    conversation = read(tenant, lambda: Conversation.objects.get())
    assert not conversation.bot_holds
    assert conversation.waiting_since is not None
    answer = read(tenant, lambda: Answer.objects.get(kind=Answer.Kind.ANSWER))
    assert answer.helpful is False

    # The row is no longer the bot's; the operator opens it and reads what happened.
    expect(item.locator(".conv-bot")).to_have_count(0)
    expect(item).to_contain_text(PASSING_ON)
    item.click()
    log = inbox.messages
    expect(log.locator(".msg-visitor .msg-body")).to_have_text("how can I track my order")
    bot_messages = log.locator(".msg-bot")
    expect(bot_messages).to_have_count(2)
    expect(bot_messages.first.locator(".msg-author")).to_have_text("Bot")
    expect(bot_messages.first.locator(".msg-body")).to_have_text(TRACKING_ANSWER)
    expect(bot_messages.first.locator(".msg-files")).to_have_text(
        "Answer from the knowledge base: Where is my order?"
    )
    expect(bot_messages.last.locator(".msg-body")).to_have_text(PASSING_ON)
    expect(bot_messages.last.locator(".msg-files")).to_have_count(0)
    handoff = log.locator(".activity-handoff")
    expect(handoff.locator(".msg-body")).to_have_text(
        "The bot handed this to people: the visitor pressed “Talk to a person”"
    )
    expect(handoff.locator(".msg-tried")).to_have_text("It tried: Where is my order?")
    # The knowledge base's suggestions open above the composer; the thread stays at its end.
    suggestions = page.get_by_test_id("kb-suggest")
    expect(suggestions).to_contain_text("Where is my order?")
    expect(handoff.locator(".msg-tried")).to_be_in_viewport()
    # People have it now: it can be handed back to the bot.
    expect(page.get_by_role("button", name="Hand back to the bot")).to_be_visible()
    screenshot(page, "inbox_bot_handoff")
    # "Insert" puts the entry's answer into the reply box.
    suggestions.get_by_role("button", name="Insert: Where is my order?").click()
    expect(page.get_by_label(inbox.s("reply_label"))).to_have_value(TRACKING_ANSWER)

    # The operator answers; the visitor reads it from a person.
    composer = page.get_by_label(inbox.s("reply_label"))
    composer.fill("Hello! Let me look it up.")
    composer.press("Enter")
    expect(widget.theirs.filter(has_text="Hello! Let me look it up.")).to_have_count(1)


def test_when_not_sure_the_bot_offers_the_closest_entries_and_one_press_gets_the_answer(
    asgi_page, screenshot
):
    tenant, admin = workspace()
    inbox = sign_in_to_inbox(asgi_page, tenant, admin)
    widget = chat_window(asgi_page, tenant)
    ask(widget, "my order and my card")
    row = bot_row(widget, "Is it one of these?")
    expect(row).to_have_count(1)
    expect(row.get_by_role("group", name="I am not sure I have the answer")).to_be_visible()
    expect(row.get_by_role("button")).to_have_text(
        [
            "Can I pay in installments?",
            "Where is my order?",
            "How do I return an item?",
            "Talk to a person",
        ]
    )
    screenshot(widget.page, "widget_bot_suggestions")

    row.get_by_role("button", name="Can I pay in installments?").click()
    # The press asks that question for the visitor, and the bot answers it.
    expect(widget.mine.filter(has_text="Can I pay in installments?")).to_have_count(1)
    expect_answer(
        widget,
        INSTALLMENTS_ANSWER,
        name="Lale",
        badge="Automated",
        source="From: Can I pay in installments?",
        buttons=["That answered it", "Talk to a person"],
    )
    expect(row.locator(".choices")).to_be_hidden()

    # The operator reads what the bot offered and what the visitor chose.
    conversation = read(tenant, lambda: Conversation.objects.get())
    assert conversation.bot_holds
    inbox.item(conversation.number).click()
    bot_messages = inbox.messages.locator(".msg-bot")
    expect(bot_messages).to_have_count(2)
    expect(bot_messages.first.locator(".msg-files")).to_have_text(
        "Suggested: Can I pay in installments? · Where is my order? · How do I return an item?"
    )
    expect(bot_messages.last.locator(".msg-files")).to_have_text(
        "Answer the visitor chose from the suggestions: Can I pay in installments?"
    )


def test_a_chat_the_bot_answered_is_resolved_once_quiet_and_the_team_reads_why(asgi_page):
    tenant, admin = workspace()
    widget = chat_window(asgi_page, tenant)
    ask(widget, "how can I track my order")
    expect(bot_row(widget, TRACKING_ANSWER)).to_have_count(1)
    later = timezone.now() + timedelta(minutes=31)
    assert in_thread(services.conversations_resolve_idle, now=later) == 1
    # The chat window learns it at once.
    expect(widget.frame.locator("#log")).to_contain_text(
        "This conversation was closed. Send a message to start a new one."
    )
    conversation = read(tenant, lambda: Conversation.objects.get())
    inbox = sign_in_to_inbox(asgi_page, tenant, admin)
    inbox.open(f"{conversation.number}/")
    expect(inbox.messages).to_contain_text("The bot resolved this: nobody had written for a while")


def test_with_nobody_online_talk_to_a_person_asks_for_an_email_address(asgi_page, screenshot):
    tenant, _admin = workspace()
    widget = chat_window(asgi_page, tenant)
    ask(widget, "how can I track my order")
    row = expect_answer(
        widget,
        TRACKING_ANSWER,
        name="Lale",
        badge="Automated",
        source="From: Where is my order?",
        buttons=["That answered it", "Talk to a person"],
    )
    card = widget.frame.locator("#card")
    expect(card).to_be_hidden()  # the bot answers: nobody is waited for yet

    row.get_by_role("button", name="Talk to a person").click()
    expect(bot_row(widget, NOBODY_THERE)).to_have_count(1)
    expect(widget.frame.get_by_role("button", name="Talk to a person")).to_have_count(0)
    # Now the chat waits for people, and nobody is there: the window asks for the address.
    expect(card.get_by_role("heading", name="Get the reply by email")).to_be_visible()
    card.get_by_label("Email").fill("deniz@example.com")
    card.get_by_role("button", name="Email me the reply").click()
    expect(card).to_be_hidden()
    expect(widget.frame.locator("#log")).to_contain_text("we will reply by email")
    conversation = read(tenant, lambda: Conversation.objects.get())
    assert not conversation.bot_holds
    assert conversation.reply_by_email
    screenshot(widget.page, "widget_bot_handoff_nobody_online")


def test_that_answered_it_thanks_the_visitor_and_the_bot_keeps_the_chat(asgi_page):
    tenant, _admin = workspace()
    widget = chat_window(asgi_page, tenant)
    ask(widget, "how can I track my order")
    row = expect_answer(
        widget,
        TRACKING_ANSWER,
        name="Lale",
        badge="Automated",
        source="From: Where is my order?",
        buttons=["That answered it", "Talk to a person"],
    )
    row.get_by_role("button", name="That answered it").click()
    expect(row.locator(".choices")).to_be_hidden()
    expect(widget.frame.get_by_role("button", name="That answered it")).to_have_count(0)
    expect(row).to_contain_text("Thanks for letting us know.")
    answer = read(tenant, lambda: Answer.objects.get())
    assert answer.helpful is True
    assert read(tenant, lambda: Conversation.objects.get()).bot_holds
    expect(bot_row(widget, PASSING_ON)).to_have_count(0)
    expect(bot_row(widget, NOBODY_THERE)).to_have_count(0)
    expect(widget.frame.locator("#card")).to_be_hidden()

    # The bot still answers the next question (in other words than the entry's), with its
    # buttons under the new answer only.
    ask(widget, "is it possible to pay in instalments")
    expect_answer(
        widget,
        "Yes, up to 6 installments with credit cards.",
        name="Lale",
        badge="Automated",
        source="From: Can I pay in installments?",
        buttons=["That answered it", "Talk to a person"],
    )
    expect(widget.frame.get_by_role("button", name="That answered it")).to_have_count(1)
    expect(row).to_contain_text("Thanks for letting us know.")


def test_a_turkish_visitor_gets_the_turkish_answer(asgi_page, screenshot):
    tenant, _admin = workspace()
    widget = chat_window(asgi_page, tenant, locale="tr-TR")
    ask(widget, "siparisim nerede")  # without Turkish letters
    row = expect_answer(
        widget,
        "Kargo takip bağlantısı kargo e-postasında.",
        name="Lale",
        badge="Otomatik",
        source="Kaynak: Siparişim nerede?",
        buttons=["Bu yanıtladı", "Bir kişiyle görüş"],
    )
    screenshot(widget.page, "widget_bot_answer_tr")
    row.get_by_role("button", name="Bu yanıtladı").click()
    expect(row.locator(".choices")).to_be_hidden()
    expect(row).to_contain_text("Bildirdiğiniz için teşekkürler.")

    # The visitor lets the chat help improve the answers: kept with the words shown, in Turkish.
    learn = widget.frame.get_by_role("checkbox", name=LEARNING_TR)
    expect(learn).not_to_be_checked()
    learn.check()
    wait_for(lambda: read(tenant, lambda: list(Consent.objects.values_list("purpose", "text"))))
    assert read(tenant, lambda: list(Consent.objects.values_list("purpose", "text"))) == [
        ("learning", LEARNING_TR)
    ]
    # After a reload: still given, and the answered message's buttons stay gone.
    widget.page.reload()
    widget.open()
    expect(widget.frame.get_by_role("checkbox", name=LEARNING_TR)).to_be_checked()
    expect(bot_row(widget, "Kargo takip bağlantısı kargo e-postasında.")).to_have_count(1)
    expect(widget.frame.get_by_role("button", name="Bu yanıtladı")).to_have_count(0)
    # Unticked: taken back.
    widget.frame.get_by_role("checkbox", name=LEARNING_TR).uncheck()
    wait_for(
        lambda: read(tenant, lambda: Consent.objects.filter(withdrawn_at__isnull=False).exists())
    )
