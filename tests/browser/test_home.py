"""The workspace's home page in the browser: the counts an admin reads at a glance, and the
getting-started checklist ticking itself as the admin does a step."""

import re
import uuid

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from apps.conversations import services as conversation_services
from apps.tenants.models import Role, Team, Tenant
from apps.visitors.models import Visitor
from tests.factories import TenantFactory, member
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def workspace() -> tuple[Tenant, object]:
    """Lale's workspace: Ayşe (admin) and Mehmet (operator, in Billing); three visitors wrote,
    one of them routed to Billing and one assigned to Ayşe."""
    tenant = TenantFactory(
        name="Lale Çiçekçilik", auto_assign=False, conversation_visibility=Tenant.Visibility.TEAMS
    )
    ayse = member(tenant, Role.ADMIN, full_name="Ayşe Kaya")
    mehmet = member(tenant, full_name="Mehmet Demir")
    with scope(tenant=tenant):
        billing = Team.objects.create(tenant=tenant, name="Billing")
        mehmet.teams.add(billing)
        conversations = [
            conversation_services.message_create(
                sender="visitor",
                visitor=Visitor.objects.create(tenant=tenant),
                client_id=uuid.uuid4().hex,
                body=body,
            ).conversation
            for body in ("Merhaba?", "Faturam nerede?", "Teslimat ne zaman?")
        ]
        conversation_services.conversation_assign(
            membership=ayse, conversation=conversations[1], team=billing.pk
        )
        conversation_services.conversation_assign(
            membership=ayse, conversation=conversations[2], assignee=ayse.user_id
        )
    return tenant, ayse


def stat(page, key: str):
    return page.locator(f'a.stat[data-stat="{key}"]')


def step(page, key: str):
    return page.get_by_test_id("getting-started").locator(f'li[data-step="{key}"]')


def test_home_shows_the_counts_and_the_checklist_ticks_itself(page, login, screenshot):
    tenant, ayse = in_thread(workspace)
    login(page, ayse.user)
    page.goto(f"/app/{tenant.slug}/")
    expect(page.get_by_role("heading", name="Lale Çiçekçilik", exact=True)).to_be_visible()

    # The counts, each a link into the inbox, on the view it counts.
    inbox = f"/app/{tenant.slug}/inbox/"
    expected = {
        "waiting": ("3", "Waiting for an answer", "?assignee=all&status=open&sort=waiting"),
        "unassigned": ("2", "Unassigned", "?assignee=unassigned&status=open"),
        "open": ("3", "Open", "?assignee=all&status=open"),
        "mine": ("1", "Assigned to you", "?assignee=mine&status=open"),
        "operators_online": ("0", "Operators online", ""),
        "visitors_online": ("0", "Visitors on your site now", ""),
    }
    for key, (value, label, view) in expected.items():
        expect(stat(page, key).locator(".stat-value")).to_have_text(value)
        expect(stat(page, key).locator(".stat-label")).to_have_text(label)
        expect(stat(page, key)).to_have_attribute("href", inbox + view)

    # The checklist: a teammate is there already; the tag to paste is under its step.
    checklist = page.get_by_test_id("getting-started")
    expect(checklist.get_by_role("heading", name="Getting started")).to_be_visible()
    expect(checklist).to_contain_text("3 of 4 steps left.")
    expect(step(page, "teammate")).to_have_class("done")
    expect(step(page, "teammate").get_by_test_id("step-done")).to_have_text("Done")
    expect(step(page, "snippet").get_by_test_id("step-todo")).to_have_text("To do")
    expect(step(page, "snippet").get_by_test_id("embed-snippet")).to_contain_text(
        f'"{tenant.widget_key}"'
    )
    screenshot(page, "home")
    # It copies with one click, for pasting into the site.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.bring_to_front()
    copy = step(page, "snippet").locator("button[data-copy]")  # its name changes on the click
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert tenant.widget_key in page.evaluate("navigator.clipboard.readText()")

    # The welcome step leads to the widget's settings; saving them ticks it.
    step(page, "welcome").get_by_role("link", name="Write your welcome message").click()
    expect(page.get_by_role("heading", name="Chat widget")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Widget settings saved.")).to_be_visible()
    page.goto(f"/app/{tenant.slug}/")
    expect(step(page, "welcome")).to_have_class("done")
    expect(page.get_by_test_id("getting-started")).to_contain_text("2 of 4 steps left.")
    expect(step(page, "snippet")).not_to_have_class(re.compile("done"))
    screenshot(page, "home_one_step_left")
