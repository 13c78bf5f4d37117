"""A business signs up, invites a teammate, and promotes them: all through the browser."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.tenants.models import Tenant
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

ACCEPT_LINK = re.compile(r"https?://\S+/invite/[^/\s]+/")
CONFIRM_LINK = re.compile(r"https?://\S+/signup/confirm/[^/\s]+/")


def workspace_nav(page):
    return page.get_by_role("navigation", name="Workspace")


def settings_nav(page):
    return page.get_by_role("navigation", name="Settings")


def test_signup_invite_accept_and_promote(page, new_page, screenshot):
    # The owner signs up.
    page.goto("/signup/")
    expect(page.get_by_role("heading", name="Create your workspace")).to_be_visible()
    page.get_by_label("Your name").fill("Ayşe Yılmaz")
    page.get_by_label("Work email").fill("ayse@acme.example")
    page.get_by_label("Password").fill("lantern-Orbit-42-quiet")
    page.get_by_label("Company or workspace name").fill("Acme Destek")
    page.get_by_role("button", name="Create workspace").click()

    # The address is confirmed from the mailbox: one link, one button.
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_test_id("signup-sent")).to_contain_text(
        "We have sent an email to ayse@acme.example with the next step."
    )
    (welcome,) = [m for m in mail.outbox if m.to == ["ayse@acme.example"]]
    page.goto(CONFIRM_LINK.search(welcome.body).group(0))
    page.get_by_role("button", name="Create workspace").click()

    # The workspace's home: the getting-started checklist, with the snippet to paste.
    expect(page.get_by_role("heading", name="Acme Destek", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
    tenant = in_thread(Tenant.objects.get, name="Acme Destek")
    expect(page).to_have_url(re.compile(rf"/app/{tenant.slug}/$"))
    snippet = page.get_by_test_id("embed-snippet")
    expect(snippet).to_be_visible()
    expect(snippet).to_contain_text(f'"{tenant.widget_key}"')
    expect(snippet).to_contain_text("/widget.js")
    expect(snippet).to_contain_text("</script>")
    screenshot(page, "home_after_signup")

    # Members: the owner is listed and invites an operator.
    workspace_nav(page).get_by_role("link", name="Settings").click()
    settings_nav(page).get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="ayse@acme.example")).to_contain_text(
        "Ayşe Yılmaz"
    )
    invite = page.locator("section").filter(
        has=page.get_by_role("heading", name="Invite a teammate")
    )
    invite.get_by_label("Email address").fill("mehmet@acme.example")
    invite.get_by_label("Role").select_option(label="Operator")
    invite.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to mehmet@acme.example.")
    expect(invite.get_by_role("heading", name="Pending invitations")).to_be_visible()
    pending = invite.get_by_role("listitem").filter(has_text="mehmet@acme.example")
    expect(pending).to_contain_text("Operator")

    # The email was sent by a background job after the request's transaction committed.
    invitations = [m for m in mail.outbox if m.to == ["mehmet@acme.example"]]
    assert len(invitations) == 1, [m.subject for m in mail.outbox]
    assert invitations[0].subject == "Ayşe Yılmaz invited you to Acme Destek on Sohbet"
    link = ACCEPT_LINK.search(invitations[0].body)
    assert link, invitations[0].body
    accept_url = link.group(0)
    assert accept_url.startswith(page.url.split("/app/")[0])

    # The invited person, in their own browser, creates an account and joins.
    teammate = new_page()
    teammate.goto(accept_url)
    expect(teammate.get_by_role("heading", name="Join Acme Destek")).to_be_visible()
    expect(
        teammate.get_by_text("This invitation is for mehmet@acme.example, as Operator.")
    ).to_be_visible()
    teammate.get_by_label("Your name").fill("Mehmet Demir")
    teammate.get_by_label("Choose a password").fill("copper-Kettle-88-river")
    screenshot(teammate, "invitation_accept")
    teammate.get_by_role("button", name="Create account and join").click()
    expect(teammate.get_by_role("heading", name="Acme Destek")).to_be_visible()
    expect(teammate.get_by_text("You are signed in as Operator.")).to_be_visible()
    workspace_nav(teammate).get_by_role("link", name="Settings").click()
    expect(teammate.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    expect(settings_nav(teammate).get_by_role("link", name="Workspace")).to_have_count(0)
    teammate.go_back()

    # The owner sees the new member and makes them an admin.
    page.reload()
    row = page.get_by_role("row").filter(has_text="mehmet@acme.example")
    expect(row).to_contain_text("Mehmet Demir")
    expect(row.get_by_label("Role")).to_have_value("operator")
    expect(page.get_by_role("heading", name="Pending invitations")).to_have_count(0)
    row.get_by_label("Role").select_option(label="Admin")
    row.get_by_role("button", name="Change role").click()
    expect(page.get_by_role("status")).to_contain_text("Mehmet Demir is now Admin.")
    expect(
        page.get_by_role("row").filter(has_text="mehmet@acme.example").get_by_label("Role")
    ).to_have_value("admin")
    screenshot(page, "members")

    # The new admin now has the Settings link, and it opens.
    teammate.reload()
    expect(teammate.get_by_text("You are signed in as Admin.")).to_be_visible()
    settings_link = workspace_nav(teammate).get_by_role("link", name="Settings")
    expect(settings_link).to_be_visible()
    settings_link.click()
    expect(teammate.get_by_role("heading", name="Workspace", exact=True)).to_be_visible()


def test_the_getting_started_page_says_where_to_paste_the_tag(page, login):
    from apps.tenants.models import Role
    from tests.factories import TenantFactory, member

    owner = in_thread(lambda: member(TenantFactory(name="Kahve Evi"), Role.OWNER))
    login(page, owner.user)
    page.goto(f"/app/{owner.tenant.slug}/welcome/")  # the old address: the home page now
    expect(page).to_have_url(re.compile(rf"/app/{owner.tenant.slug}/$"))
    expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
    expect(page.get_by_text("Paste this tag before the closing")).to_contain_text(
        "before the closing </body> tag of every page"
    )
