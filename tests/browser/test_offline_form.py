"""The pre-chat form, the email address asked for when nobody can answer, and the rating after
a chat, as the admin sets them up and the visitor meets them in the chat window."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation
from apps.offline import services as offline_services
from apps.offline.models import Rating
from apps.tenants.models import Role
from apps.visitors.models import Consent, Visitor
from tests.browser.a11y import assert_accessible
from tests.browser.test_business_hours import chat_window
from tests.factories import TenantFactory, member
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def read(tenant, fn):
    with scope(tenant=tenant):
        return in_thread(fn)


def test_admin_asks_for_details_and_consent_before_every_chat(asgi_page, login, screenshot):
    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik")
    with scope(tenant=tenant):
        admin = in_thread(member, tenant, Role.ADMIN, full_name="Ayşe Kaya")
    page = asgi_page()
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/")
    page.get_by_role("navigation", name="Settings").get_by_role(
        "link", name="Offline and email"
    ).click()
    expect(page.get_by_role("heading", name="Offline and email", level=1)).to_be_visible()
    page.get_by_label("Pre-chat form").select_option("always")
    page.get_by_label("Name", exact=True).select_option("required")
    page.get_by_label("Your question", exact=True).select_option("optional")
    page.get_by_label("Ask for consent").check()
    page.get_by_role("button", name="Save", exact=True).click()
    # Two things are missing: the question and the privacy notice. Nothing is saved.
    expect(page.get_by_text("Write the question that the form asks.")).to_be_visible()
    expect(page.get_by_text("Give the address of your privacy notice.")).to_be_visible()
    page.get_by_label("Your question (English)").fill("What is your order number?")
    page.get_by_label("Your question (Turkish)").fill("Sipariş numaranız nedir?")
    page.get_by_label("Privacy notice").fill("https://lale.example/privacy")
    page.get_by_label("Consent text (English)").fill("I agree that Lale keeps my details.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Offline and email settings saved.")
    expect(page.get_by_label("Pre-chat form")).to_have_value("always")
    assert_accessible(page)
    screenshot(page, "settings_offline_and_email")

    from tests.browser.test_widget import Widget

    widget = Widget(asgi_page()).goto(f"/demo/?key={tenant.widget_key}")
    widget.launcher = widget.page.get_by_role("button", name=tenant.name)
    widget.launcher.click()
    card = widget.frame.locator("#card")
    expect(card.get_by_role("heading", name="Before we start")).to_be_visible()
    expect(widget.input).to_be_hidden()  # the form comes first
    name = card.get_by_label("Name")
    card.get_by_role("button", name="Start the chat").click()
    expect(name).to_be_focused()
    expect(name).to_have_attribute("aria-invalid", "true")
    name.fill("Deniz Yılmaz")
    card.get_by_label("Email").fill("deniz@")
    card.get_by_role("button", name="Start the chat").click()
    expect(card.get_by_label("Email")).to_be_focused()
    card.get_by_label("Email").fill("deniz@example.com")
    card.get_by_label("What is your order number?").fill("A-1042")
    card.get_by_role("button", name="Start the chat").click()
    consent = card.get_by_role("checkbox", name="I agree that Lale keeps my details.")
    expect(consent).to_be_focused()
    expect(card.get_by_role("link", name="Privacy notice")).to_have_attribute(
        "href", "https://lale.example/privacy"
    )
    screenshot(widget.page, "widget_pre_chat_form")
    consent.press("Space")  # with the keyboard alone
    consent.press("Enter")  # submits the form
    expect(card).to_be_hidden()
    expect(widget.input).to_be_visible()
    widget.input.fill("Where is my order?")
    widget.input.press("Enter")
    expect(widget.mine).to_have_count(1)

    visitor = read(tenant, lambda: Visitor.objects.get())
    assert visitor.unverified["name"] == "Deniz Yılmaz"
    assert visitor.unverified["email"] == "deniz@example.com"
    assert visitor.unverified["answer"] == "A-1042"
    assert not visitor.is_verified  # typed, never a verified identity
    consent_row = read(tenant, lambda: Consent.objects.get())
    assert consent_row.text == "I agree that Lale keeps my details."
    assert consent_row.url == "https://lale.example/privacy"

    # Back later: the form is not asked again.
    widget.page.reload()
    widget.open()
    expect(card).to_be_hidden()


@pytest.mark.parametrize("phone", [False, True])
def test_with_nobody_there_the_visitor_leaves_an_email_and_rates_the_chat_later(
    asgi_page, screenshot, phone
):
    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik")
    with scope(tenant=tenant):
        admin = in_thread(member, tenant, Role.ADMIN)
    context = {"width": 360, "height": 640, "is_mobile": True} if phone else {}
    widget = chat_window(asgi_page, tenant, **context)
    card = widget.frame.locator("#card")
    widget.input.fill("Do you deliver on Sundays?")
    widget.input.press("Enter")
    expect(card.get_by_role("heading", name="Get the reply by email")).to_be_visible()
    email = card.get_by_label("Email")
    email.fill("not an address")
    card.get_by_role("button", name="Email me the reply").click()
    expect(email).to_have_attribute("aria-invalid", "true")
    if phone:
        screenshot(widget.page, "widget_email_card_phone")
    email.fill("deniz@example.com")
    card.get_by_role("button", name="Email me the reply").click()
    expect(card).to_be_hidden()
    expect(widget.frame.locator("#log")).to_contain_text("we will reply by email")
    if phone:
        screenshot(widget.page, "widget_email_asked_phone")

    conversation = read(tenant, lambda: Conversation.objects.get())
    assert conversation.reply_by_email  # the inbox's "Email" filter finds it

    # The visitor asks for the conversation by email: the address is known, so it just goes.
    widget.frame.get_by_role("button", name="Email me this conversation").click()
    expect(widget.frame.locator("#log")).to_contain_text(
        "We sent this conversation to deniz@example.com."
    )

    # The operator answers and resolves: the window asks for a rating.
    with scope(tenant=tenant):
        in_thread(
            conversation_services.message_create,
            sender="operator",
            conversation=conversation,
            author=admin.user,
            client_id="r1",
            body="Yes, until 14:00.",
        )
        in_thread(
            conversation_services.conversation_set_status,
            membership=admin,
            conversation=conversation,
            status="resolved",
        )
    expect(card.get_by_role("heading", name="How was this conversation?")).to_be_visible()
    card.get_by_role("button", name="4 of 5").click()
    expect(card.get_by_role("status")).to_have_text("Thank you for your feedback!")
    card.get_by_label("Anything to add? (optional)").fill("Quick & kind <3")
    card.get_by_role("button", name="Send feedback").click()
    expect(card.get_by_label("Anything to add? (optional)")).to_be_hidden()
    rating = read(tenant, lambda: Rating.objects.get())
    assert (rating.score, rating.comment) == (4, "Quick & kind <3")
    if not phone:
        screenshot(widget.page, "widget_rating_thanks")

    # Rated once per resolution: the window does not ask again after a reload.
    widget.page.reload()
    widget.open()
    expect(card).to_be_hidden()


def test_a_visitor_without_an_address_gives_one_for_the_transcript(asgi_page):
    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik")
    with scope(tenant=tenant):
        admin = in_thread(member, tenant, Role.ADMIN)
        in_thread(
            offline_services.offline_settings_update,
            membership=admin,
            values={"form_mode": "never"},
        )
    widget = chat_window(asgi_page, tenant)
    ask = widget.frame.get_by_role("button", name="Email me this conversation")
    expect(ask).to_be_hidden()  # nothing to send yet
    widget.input.fill("What are your opening hours?")
    widget.input.press("Enter")
    ask.click()
    card = widget.frame.locator("#card")
    address = card.get_by_label("Email")
    expect(address).to_be_focused()
    address.fill("deniz@example")
    address.press("Enter")
    expect(address).to_have_attribute("aria-invalid", "true")
    address.fill("deniz@example.com")
    address.press("Enter")
    expect(card).to_be_hidden()
    expect(widget.frame.locator("#log")).to_contain_text(
        "We sent this conversation to deniz@example.com."
    )


def test_a_turkish_visitor_is_asked_in_turkish(asgi_page):
    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik")
    widget = chat_window(asgi_page, tenant, locale="tr-TR")
    widget.input.fill("Pazar günü teslimat var mı?")
    widget.input.press("Enter")
    card = widget.frame.locator("#card")
    expect(card.get_by_role("heading", name="Yanıtı e-postayla alın")).to_be_visible()
    email = card.get_by_label("E-posta")
    email.fill("deniz@example")  # the browser takes it; the server does not
    card.get_by_role("button", name="Gönder").click()
    expect(card).to_contain_text("ad@ornek.com gibi bir e-posta adresi girin.")
    email.fill("deniz@example.com")
    card.get_by_role("button", name="Gönder").click()
    expect(widget.frame.locator("#log")).to_contain_text(
        "Teşekkürler! Ayrılırsanız e-postayla yanıt vereceğiz."
    )
    widget.frame.get_by_role("button", name="Bu konuşmayı bana e-postayla gönder").click()
    expect(widget.frame.locator("#log")).to_contain_text(
        "Bu konuşmayı deniz@example.com adresine gönderdik."
    )
