"""The main pages in English and Turkish, on a laptop (1280x800) and a phone (390x844).

Each page must fit its screen (nothing scrolls sideways) and show its heading. The screenshots
go to ``test-artifacts/screenshots/``; ``scripts/screenshots`` runs this file with
``SCREENSHOTS_DIR=docs/screenshots`` to refresh the ones the documentation shows.
"""

import os
import uuid
from pathlib import Path

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from apps.canned import services as canned_services
from apps.conversations import services as conversation_services
from apps.tenants import services as tenant_services
from apps.tenants.models import Membership, Team, Tenant
from apps.visitors.models import Visitor
from tests.browser.conftest import SCREENSHOTS, log_in
from tests.browser.test_widget import Widget
from tests.factories import PASSWORD, UserFactory, member
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

LAUNCHER = {"en": "Chat with us", "tr": "Bize yazın"}
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}
LANGUAGES = {"en": "en-US", "tr": "tr-TR"}
OUT = Path(os.environ.get("SCREENSHOTS_DIR") or SCREENSHOTS)

CHATS = [
    ("Zeynep Arslan", "Merhaba, siparişim ne zaman gelir?", "Bugün kargoya veriliyor."),
    ("Can Öztürk", "Do you deliver on Sundays?", None),
    ("Elif Şahin", "İade formunu nereden bulabilirim?", None),
]


def shop() -> tuple[Tenant, object]:
    """Lale Çiçekçilik, a flower shop: Ayşe (owner), Mehmet (operator, Billing), three chats."""
    owner = UserFactory(full_name="Ayşe Kaya")
    owner.set_password(PASSWORD)
    owner.save()
    # Made as sign-up makes a workspace: its chat window has its texts in every language.
    tenant = tenant_services.tenant_create(
        name="Lale Çiçekçilik", owner=owner, timezone_name="Europe/Istanbul", language="tr"
    )
    with scope(tenant=tenant):
        ayse = Membership.objects.get(user=owner)
    mehmet = member(tenant, full_name="Mehmet Demir")
    with scope(tenant=tenant):
        billing = Team.objects.create(tenant=tenant, name="Billing")
        mehmet.teams.add(billing)
        conversation_services.label_create(membership=ayse, name="VIP", color="#db2777")
        canned_services.canned_create(
            actor=ayse,
            personal=False,
            shortcut="hello",
            titles={"en": "Hello", "tr": "Merhaba"},
            bodies={"en": "Hello, how can I help?", "tr": "Merhaba, nasıl yardımcı olabilirim?"},
        )
        for name, question, answer in CHATS:
            conversation = conversation_services.message_create(
                sender="visitor",
                visitor=Visitor.objects.create(tenant=tenant, name=name),
                client_id=uuid.uuid4().hex,
                body=question,
            ).conversation
            if answer:
                conversation_services.message_create(
                    sender="operator",
                    conversation=conversation,
                    author=ayse.user,
                    client_id=uuid.uuid4().hex,
                    body=answer,
                )
    return tenant, ayse


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def too_wide(page) -> list[str]:
    """What sticks out of the screen on the right, for the failure message."""
    return page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 8)
            .map((e) => e.tagName + "." + e.className + " " + e.getBoundingClientRect().right)"""
    )


def shoot(page, name: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUT / f"{name}.png"), animations="disabled")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_main_pages_fit_the_screen(asgi_page, language, size):
    tenant, owner = in_thread(shop)
    owner.user.language = language
    in_thread(owner.user.save, update_fields=["language"])
    width, height = SIZES[size]
    slug = tenant.slug

    newcomer = asgi_page(locale=LANGUAGES[language], width=width, height=height)
    newcomer.goto("/accounts/login/")
    expect(newcomer.get_by_role("heading", level=1)).to_be_visible()
    assert fits(newcomer), "login"
    shoot(newcomer, f"login-{language}-{size}")

    # Signed in, the pages speak the person's own language, whatever the browser's.
    page = asgi_page(width=width, height=height)
    log_in(page, owner.user.email, PASSWORD)
    pages = [
        ("home", f"/app/{slug}/"),
        ("settings-widget", f"/app/{slug}/settings/widget/"),
        ("settings-members", f"/app/{slug}/members/"),
        ("inbox", f"/app/{slug}/inbox/1/"),
    ]
    for name, path in pages:
        page.goto(path)
        expect(page.get_by_role("heading", level=1).first).to_be_visible()
        if name == "inbox":
            expect(page.get_by_text(CHATS[0][1]).last).to_be_visible()
        assert fits(page), (name, too_wide(page))
        shoot(page, f"{name}-{language}-{size}")

    if size == "phone":  # the menu, opened over the page
        page.get_by_role("button", name=menu_name(language)).click()
        expect(page.get_by_role("navigation", name=workspace_name(language))).to_be_visible()
        shoot(page, f"menu-{language}-{size}")

    # The visitor's side: the chat window open on the shop's site, in the visitor's language.
    widget = Widget(asgi_page(locale=LANGUAGES[language], width=width, height=height))
    widget.launcher = widget.page.get_by_role("button", name=LAUNCHER[language])
    widget.goto(f"/demo/?key={tenant.widget_key}").open()
    assert fits(widget.page), "widget"
    shoot(widget.page, f"widget-{language}-{size}")


def menu_name(language: str) -> str:
    return {"en": "Menu", "tr": "Menü"}[language]


def workspace_name(language: str) -> str:
    return {"en": "Workspace", "tr": "Çalışma alanı"}[language]
