"""What an operator sees when what they may see changes while the inbox is open: no reload, no
stale rows, and no inbox left running for a session that ended."""

import re

from django_scopes import scope
from playwright.sync_api import expect

from apps.conversations import services as conversation_services
from apps.conversations.models import Conversation
from apps.tenants import services as tenant_services
from apps.tenants.models import Role, Tenant
from tests.browser.conftest import log_in
from tests.browser.test_inbox import Inbox, live, new_conversation
from tests.factories import PASSWORD, TenantFactory, member
from tests.utils import in_thread


def _workspace():
    tenant = TenantFactory(
        name="Lale Çiçekçilik", auto_assign=False, conversation_visibility=Tenant.Visibility.TEAMS
    )
    owner = member(tenant, Role.OWNER, full_name="Oya Owner")
    admin = member(tenant, Role.ADMIN, full_name="Ayşe Admin")
    with scope(tenant=tenant):
        billing = tenant_services.team_create(membership=owner, name="Billing")
        tenant_services.team_set_members(
            membership=owner, team_id=billing.pk, user_ids=[owner.user_id]
        )
    return tenant, owner, admin, billing


def _route(owner, number, team):
    with scope(tenant=owner.tenant):
        conversation_services.conversation_assign(
            membership=owner, conversation=Conversation.objects.get(number=number), team=team.pk
        )


@live
def test_a_demoted_admins_open_inbox_drops_what_they_may_no_longer_see(asgi, asgi_page, screenshot):
    tenant, owner, admin, billing = in_thread(_workspace)
    page = asgi_page()
    log_in(page, admin.user.email, PASSWORD)
    inbox = Inbox(page, tenant.slug)
    inbox.open()
    new_conversation(asgi, tenant, "My invoice is wrong")
    expect(inbox.item(1)).to_be_visible()
    in_thread(_route, owner, 1, billing)
    inbox.item(1).click()
    expect(inbox.messages.get_by_text("My invoice is wrong")).to_be_visible()

    def demote():
        with scope(tenant=tenant):
            tenant_services.membership_change_role(
                actor=owner, membership=admin, role=Role.OPERATOR
            )

    in_thread(demote)

    # The list and the open conversation go, without a reload; the page says why.
    expect(inbox.item(1)).to_have_count(0)
    expect(inbox.messages.get_by_text("My invoice is wrong")).to_have_count(0)
    expect(page.locator(".toast-text")).to_contain_text("Conversation #1")
    expect(page.locator("#inbox-banner")).to_be_hidden()
    screenshot(page, "inbox_demoted_admin")


@live
def test_a_password_change_keeps_this_browsers_inbox_and_signs_out_the_others(
    asgi, asgi_page, browser, screenshot
):
    tenant, _owner, admin, _billing = in_thread(_workspace)
    laptop = asgi_page()
    log_in(laptop, admin.user.email, PASSWORD)
    inbox = Inbox(laptop, tenant.slug)
    inbox.open()
    phone = asgi_page()
    log_in(phone, admin.user.email, PASSWORD)
    phone_inbox = Inbox(phone, tenant.slug)
    phone_inbox.open()

    # In another tab of the laptop's browser: a new password.
    settings_tab = laptop.context.new_page()
    settings_tab.goto("/accounts/password/change/")
    settings_tab.get_by_label("Old password").fill(PASSWORD)
    settings_tab.get_by_label("New password", exact=True).fill("a-new-Passw0rd!")
    settings_tab.get_by_label("New password confirmation").fill("a-new-Passw0rd!")
    settings_tab.get_by_role("button", name=re.compile("Change")).click()
    expect(settings_tab).to_have_url(re.compile("/accounts/password/change/done/"))

    # The phone's inbox stops and says so; the laptop's carries on with its new session.
    expect(phone.locator("#inbox-banner")).to_have_text(re.compile("signed out"))
    screenshot(phone, "inbox_signed_out_elsewhere")
    new_conversation(asgi, tenant, "Still there?")
    expect(inbox.item(1)).to_be_visible()
    expect(laptop.locator("#inbox-banner")).to_be_hidden()
