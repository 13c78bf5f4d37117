"""Canned responses in a real browser: the "/" picker in the inbox composer (against the server,
with a visitor on a real socket) and the management page."""

import json
import re

from django.db.models import F
from django_scopes import scope
from playwright.sync_api import expect

from apps.canned import services
from apps.canned.models import CannedResponse
from apps.tenants.models import Role
from apps.tenants.services import widget_settings_get
from tests.browser import test_inbox
from tests.browser.test_inbox import live, next_message_from, sign_in_to_inbox
from tests.conversations.conftest import VisitorClient
from tests.factories import member, signed_identity
from tests.utils import in_thread

# The inbox tests' workspace with an operator (the web server: tests/browser/conftest.py).
team = test_inbox.team


def canned(actor, shortcut, title, body, *, personal=False, used=0, tr=""):
    def create():
        with scope(tenant=actor.tenant):
            response = services.canned_create(
                actor=actor,
                personal=personal,
                shortcut=shortcut,
                titles={"en": title, "tr": title if tr else ""},
                bodies={"en": body, "tr": tr},
            )
            CannedResponse.objects.filter(pk=response.pk).update(
                usage_count=F("usage_count") + used
            )
        return response

    return in_thread(create)


def identified_visitor(asgi, tenant, name: str) -> VisitorClient:
    with scope(tenant=tenant):
        secret = in_thread(widget_settings_get, tenant=tenant).identity_secret
    visitor = VisitorClient(asgi, tenant.widget_key)
    visitor.hello()
    visitor.send(
        "identify",
        **signed_identity(secret, "cust-7", name=name),
    )
    assert visitor.expect("ready")["visitor"]["name"] == name
    return visitor


def picker_strings(page) -> dict:
    return json.loads(page.locator("#canned-strings").text_content())


@live
def test_operator_inserts_a_canned_response_with_the_keyboard_and_the_visitor_gets_it(
    asgi, asgi_page, team, screenshot
):
    tenant, operator = team
    admin = in_thread(member, tenant, Role.ADMIN)
    canned(admin, "refund", "Refund policy", "Refunds take 5 days, {visitor.first_name}.", used=5)
    referral = canned(
        admin,
        "referral",
        "Referral programme",
        "Hi {visitor.first_name|there}, thanks for the referral! — {operator.first_name}",
        used=1,
    )
    canned(admin, "thanks", "Thanks for your reference", "Thank you!")
    canned(admin, "hours", "Opening hours", "We are open 9-17.")
    canned(operator, "sig", "My signature", "{operator.name}, {workspace.name}", personal=True)

    visitor = identified_visitor(asgi, tenant, "Jane Doe")
    visitor.say("Hi, I came through a referral link")
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page = inbox.page
    page.locator("#inbox-list button").first.click()
    composer = page.get_by_label(inbox.s("reply_label"))
    expect(composer).to_have_attribute("role", "combobox")
    expect(composer).to_have_attribute("aria-expanded", "false")

    # "/" opens the picker above the composer; "ref" narrows it: shortcut prefixes first,
    # the most used first among them, then other fuzzy matches (a title here).
    composer.press_sequentially("/ref")
    picker = page.get_by_test_id("canned-picker")
    expect(picker).to_be_visible()
    expect(composer).to_have_attribute("aria-expanded", "true")
    listbox = page.get_by_role("listbox", name=picker_strings(page)["canned_label"])
    options = listbox.get_by_role("option")
    expect(options).to_have_count(3)
    expect(options.locator(".canned-option-shortcut")).to_have_text(
        ["/refund", "/referral", "/thanks"]
    )
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    picker_box, composer_box = picker.bounding_box(), composer.bounding_box()
    assert picker_box["y"] + picker_box["height"] <= composer_box["y"]  # above the composer

    # Arrows move the choice (and wrap); the composer points at the active option.
    composer.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    expect(composer).to_have_attribute("aria-activedescendant", f"canned-option-{referral.pk}")
    composer.press("ArrowUp")
    composer.press("ArrowUp")
    expect(options.nth(2)).to_have_attribute("aria-selected", "true")
    composer.press("ArrowDown")
    composer.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    screenshot(page, "canned_picker")

    # Enter inserts (it does not send): "/ref" becomes the filled text with the visitor's name.
    composer.press("Enter")
    filled = "Hi Jane, thanks for the referral! — Ayşe"
    expect(composer).to_have_value(filled)
    expect(picker).to_be_hidden()
    expect(composer).to_have_attribute("aria-expanded", "false")
    expect(inbox.messages.locator(".msg-operator")).to_have_count(0)
    with scope(tenant=tenant):
        used = in_thread(CannedResponse.objects.get, pk=referral.pk)
    assert used.usage_count == 2 and used.last_used_at is not None

    # Now Enter sends, and the visitor receives exactly that.
    composer.press("Enter")
    expect(composer).to_have_value("")
    assert next_message_from(visitor, "operator")["body"] == filled
    expect(inbox.messages.locator(".msg-operator .msg-body")).to_have_text([filled])

    # Mid-sentence after a space works too; Tab inserts; a click inserts; Escape closes.
    composer.press_sequentially("Regards, /si")
    expect(options).to_have_count(1)
    composer.press("Tab")
    expect(composer).to_have_value(f"Regards, {operator.user.full_name}, {tenant.name}")
    composer.fill("")
    composer.press_sequentially("/hou")
    options.filter(has_text="/hours").click()
    expect(composer).to_have_value("We are open 9-17.")
    expect(composer).to_be_focused()
    composer.press_sequentially(" /")
    expect(picker).to_be_visible()
    composer.press("Escape")
    expect(picker).to_be_hidden()
    expect(composer).to_have_value("We are open 9-17. /")
    composer.press_sequentially("x")  # still closed for this "/" after Escape
    expect(picker).to_be_hidden()
    composer.fill("a/b")  # not after a space: no picker
    composer.press("End")
    expect(picker).to_be_hidden()
    assert inbox.dialogs == []
    visitor.close()


@live
def test_picker_empty_state_links_to_the_management_page(asgi, asgi_page, team, screenshot):
    tenant, operator = team
    visitor = VisitorClient(asgi, tenant.widget_key)
    visitor.hello()
    visitor.say("Hello?")
    inbox = sign_in_to_inbox(asgi_page, tenant, operator)
    page = inbox.page
    page.locator("#inbox-list button").first.click()
    composer = page.get_by_label(inbox.s("reply_label"))
    composer.press_sequentially("/")
    picker = page.get_by_test_id("canned-picker")
    strings = picker_strings(page)
    expect(picker).to_contain_text(strings["canned_empty"])
    screenshot(page, "canned_picker_empty")

    # With nothing to insert, Enter sends what was typed.
    composer.press_sequentially("nothing")
    expect(picker).to_be_visible()
    composer.press("Enter")
    assert next_message_from(visitor, "operator")["body"] == "/nothing"
    expect(picker).to_be_hidden()

    composer.press_sequentially("/")
    picker.get_by_role("link", name=strings["canned_create"]).click()
    expect(page).to_have_url(re.compile(rf"/app/{tenant.slug}/canned/$"))
    visitor.close()


@live
def test_management_page(asgi, asgi_page, team, screenshot):
    tenant, operator = team
    admin = in_thread(member, tenant, Role.ADMIN, full_name="Adam Admin")
    canned(
        admin,
        "refund",
        "Refund policy",
        "Hi {visitor.first_name|there}, refunds take 5 days.",
        used=12,
        tr="Merhaba {visitor.first_name|}, iadeler 5 gün sürer.",
    )
    canned(operator, "sig", "My signature", "{operator.name}", personal=True)
    canned(admin, "bye", "Sign-off", "Thanks, {operator.first_name}!", personal=True, used=3)
    inbox = sign_in_to_inbox(asgi_page, tenant, admin)
    page = inbox.page
    page.get_by_test_id("nav-settings").click()
    page.get_by_test_id("settings-canned").click()
    expect(page.get_by_role("heading", name="Canned responses", level=1)).to_be_visible()
    expect(page.get_by_test_id("canned-workspace")).to_contain_text("/refund")
    expect(page.get_by_test_id("canned-personal")).to_contain_text("/bye")
    expect(page.get_by_test_id("canned-personal")).not_to_contain_text("/sig")  # not theirs

    page.get_by_test_id("canned-new").click()
    page.get_by_label("Shortcut").fill("ship")
    page.get_by_label("Everyone in the workspace").check()
    english = page.locator("fieldset[data-language=en]")
    english.get_by_label("Title").fill("Shipping")
    english.get_by_label("Message").fill("Hi {visitor.nickname}, it ships today.")
    page.get_by_role("button", name="Save").click()
    error = page.get_by_role("alert").filter(has_text="{visitor.nickname}")
    expect(error).to_contain_text("is not a variable")
    screenshot(page, "canned_form_error")

    english.get_by_label("Message").fill("Hi {visitor.first_name|there}, it ships today.")
    page.locator("fieldset[data-language=tr]").get_by_label("Message").fill(
        "Merhaba, bugün kargoda."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("/ship")
    expect(page.get_by_test_id("canned-workspace")).to_contain_text("Shipping")
    screenshot(page, "canned_list")
    with scope(tenant=tenant):
        ship = in_thread(CannedResponse.objects.get, shortcut="ship")
    assert ship.body_tr == "Merhaba, bugün kargoda." and ship.owner is None
