"""The widget settings page's live preview: the widget as visitors will see it, in each
language, changing as the admin types, and the same as the real widget once saved."""

from __future__ import annotations

import base64
import re

import pytest
from playwright.sync_api import expect

from apps.tenants.models import Role
from tests.factories import TenantFactory, member
from tests.utils import in_thread

pytestmark = pytest.mark.browser

FRAME = '[data-testid="widget-preview-frame"]'
PNG = base64.b64decode(  # one red pixel
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def refused(page) -> list[str]:
    """What the browser refuses or fails on the page and its frames, as it happens."""
    found: list[str] = []
    page.on("console", lambda m: m.type == "error" and found.append(m.text))
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def test_the_preview_follows_the_admin_typing_in_each_language(asgi_page, login, screenshot):
    admin = in_thread(lambda: member(TenantFactory(name="Lale Flowers"), Role.ADMIN))
    tenant = admin.tenant
    page = asgi_page()
    errors = refused(page)
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/widget/")

    preview = page.frame_locator(FRAME)
    launcher = preview.locator("#sohbet-widget .l")  # inside the launcher's shadow root
    window = preview.locator("main.chat")
    english = page.get_by_role("button", name="English", exact=True)
    turkish = page.get_by_role("button", name="Turkish", exact=True)
    expect(english).to_have_attribute("aria-pressed", "true")
    expect(window.locator(".head h1")).to_have_text("Lale Flowers")
    expect(window.locator(".head .av")).to_have_text("LF")
    expect(window.locator("#status")).to_have_text("Away. Leave a message and we will reply here.")
    expect(window.locator("#input")).to_have_attribute("placeholder", "Type your message…")
    expect(launcher.locator(".t")).to_have_count(0)  # no launcher text yet: the icon alone
    expect(window.locator(".welcome")).to_have_count(0)

    # English, as the admin types it
    page.locator("#id_launcher_text_en").fill("Chat with Lale")
    page.locator("#id_welcome_title_en").fill("Hello 👋")
    page.locator("#id_welcome_message_en").fill("Ask us about your flowers.")
    expect(launcher.locator(".t")).to_have_text("Chat with Lale")
    expect(window.locator(".welcome .bubble strong")).to_have_text("Hello 👋")
    expect(window.locator(".welcome .bubble p")).to_have_text("Ask us about your flowers.")
    expect(window.locator(".welcome .name")).to_have_text("Lale Flowers")
    page.locator("#id_display_name").fill("Ayşe Yılmaz")
    expect(window.locator(".head h1")).to_have_text("Ayşe Yılmaz")
    expect(window.locator(".head .av")).to_have_text("AY")

    # An avatar picked, not yet saved: in the header and beside the welcome
    avatar = page.locator("#id_avatar")
    avatar.set_input_files({"name": "logo.png", "mimeType": "image/png", "buffer": PNG})
    picked = window.locator(".head .av img")
    expect(picked).to_have_attribute("src", re.compile(r"^data:image/png;base64,"))
    expect(picked).to_have_js_property("naturalWidth", 1)  # the frame's policy lets it show
    expect(window.locator(".welcome .av img")).to_have_count(1)
    avatar.set_input_files([])
    expect(window.locator(".head .av")).to_have_text("AY")

    # Turkish chosen with its button: no Turkish texts yet, so visitors get the English ones,
    # with the chat window's own words in Turkish
    turkish.click()
    expect(turkish).to_have_attribute("aria-pressed", "true")
    expect(english).to_have_attribute("aria-pressed", "false")
    expect(preview.locator("html")).to_have_attribute("lang", "tr")
    expect(launcher.locator(".t")).to_have_text("Chat with Lale")
    expect(window.locator("#input")).to_have_attribute("placeholder", "Mesajınızı yazın…")
    english.click()
    expect(window.locator("#input")).to_have_attribute("placeholder", "Type your message…")

    # Typing in a Turkish field shows Turkish
    page.locator("#id_launcher_text_tr").fill("Lale'ye yazın")
    expect(turkish).to_have_attribute("aria-pressed", "true")
    expect(launcher.locator(".t")).to_have_text("Lale'ye yazın")
    page.locator("#id_welcome_title_tr").fill("Merhaba 👋")
    expect(window.locator(".welcome .bubble strong")).to_have_text("Merhaba 👋")
    expect(window.locator(".welcome .bubble p")).to_have_text("Ask us about your flowers.")
    page.locator("#id_welcome_title_en").fill("Hello there 👋")  # and back to English
    expect(english).to_have_attribute("aria-pressed", "true")
    expect(window.locator(".welcome .bubble strong")).to_have_text("Hello there 👋")
    expect(launcher.locator(".t")).to_have_text("Chat with Lale")

    # The colour: the launcher, the header and the send button; light colours get dark text
    expect(launcher).to_have_css("background-color", "rgb(37, 99, 235)")
    page.locator("#id_color").fill("#dc2626")
    expect(launcher).to_have_css("background-color", "rgb(220, 38, 38)")
    expect(window.locator(".head")).to_have_css("background-color", "rgb(220, 38, 38)")
    expect(launcher).to_have_css("color", "rgb(255, 255, 255)")
    page.locator("#id_color").fill("#fde047")
    expect(launcher).to_have_css("background-color", "rgb(253, 224, 71)")
    expect(launcher).to_have_css("color", "rgb(17, 17, 17)")
    page.locator("#id_color").fill("#0f766e")

    # The position: the launcher and the window move to the left
    expect(launcher).to_have_css("right", "20px")
    page.locator("#id_position").select_option("left")
    expect(launcher).to_have_css("left", "20px")
    expect(window).to_have_css("left", "20px")
    page.locator("#id_position").select_option("right")
    expect(launcher).to_have_css("right", "20px")

    # Beside the form on a wide screen, below it on a phone (where the widget fills the screen)
    form = page.locator("form", has=page.locator("#id_color")).bounding_box()
    frame = page.locator(FRAME).bounding_box()
    assert frame["x"] >= form["x"] + form["width"]
    inside = page.locator(FRAME).element_handle().content_frame()
    assert inside.evaluate("innerWidth") == 480  # the narrowest page where it is not a phone's
    expect(window).to_have_css("width", "380px")
    screenshot(page, "widget_preview_settings")
    page.set_viewport_size({"width": 400, "height": 800})
    form = page.locator("form", has=page.locator("#id_color")).bounding_box()
    frame = page.locator(FRAME).bounding_box()
    assert frame["y"] >= form["y"] + form["height"]
    expect(window).to_have_css("border-radius", "0px")
    page.locator(FRAME).scroll_into_view_if_needed()
    screenshot(page, "widget_preview_settings_phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    # Saved, the real widget on a page looks as the preview did
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Widget settings saved.")).to_be_visible()
    expect(launcher.locator(".t")).to_have_text("Chat with Lale")  # the saved texts, previewed
    shop = asgi_page(width=480, height=720)
    shop.goto(f"/demo/?key={tenant.widget_key}")
    real = shop.locator("#sohbet-widget .l")
    expect(real.locator(".t")).to_have_text("Chat with Lale")
    expect(real).to_have_css("background-color", "rgb(15, 118, 110)")
    real.click()
    chat = shop.frame_locator('iframe[src*="/chat/?embed=1"]')
    expect(chat.locator(".welcome .bubble strong")).to_have_text("Hello there 👋")
    expect(chat.locator(".head")).to_have_css("background-color", "rgb(15, 118, 110)")
    screenshot(shop, "widget_preview_real_widget")
    assert errors == []
