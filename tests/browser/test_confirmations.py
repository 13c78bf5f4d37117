"""Destructive actions ask first, in a dialog that names what will happen (static/js/confirm.js):
removing a member, deleting a team, a label or a canned response, making a new identity secret.
Cancel and Esc leave everything as it was; the dialog's action button does it."""

import re
import uuid
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django_scopes import scope
from playwright.sync_api import expect

from apps.canned import services as canned_services
from apps.canned.models import CannedResponse
from apps.conversations.models import Label
from apps.conversations.services import (
    conversation_assign,
    conversation_label,
    label_create,
    message_create,
)
from apps.tenants.models import Membership, Role, Team
from apps.tenants.services import team_create, widget_settings_get
from apps.visitors.models import Visitor
from tests.browser.test_language import turkish
from tests.factories import PASSWORD, TenantFactory, member
from tests.utils import in_thread

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def workspace():
    tenant = in_thread(TenantFactory, name="Lale Çiçekçilik")
    with scope(tenant=tenant):
        admin = in_thread(member, tenant, Role.ADMIN, full_name="Mehmet Demir")
        operator = in_thread(member, tenant, full_name="Ayşe Kaya")
    return tenant, admin, operator


def exists(model, tenant, **lookup) -> bool:
    def query():
        with scope(tenant=tenant):
            return model.objects.filter(**lookup).exists()

    return in_thread(query)


def conversations(tenant, admin, count: int, *, label=None, team=None) -> None:
    """``count`` new conversations (a visitor's message each), with ``label`` / in ``team``."""

    def make():
        with scope(tenant=tenant):
            for n in range(count):
                message = message_create(
                    sender="visitor",
                    visitor=Visitor.objects.create(tenant=tenant),
                    client_id=uuid.uuid4().hex,
                    body=f"Merhaba {n}",
                )
                if label is not None:
                    conversation_label(
                        membership=admin, conversation=message.conversation, add=[label.pk]
                    )
                if team is not None:
                    conversation_assign(
                        membership=admin, conversation=message.conversation, team=team.pk
                    )

    in_thread(make)


def turkish_plural(msgid: str, count: int) -> str:
    """The Turkish catalogue's plural form of ``msgid`` for ``count`` (Turkish: n != 1)."""
    po_path = Path(settings.LOCALE_PATHS[0]) / "tr" / "LC_MESSAGES" / "django.po"
    entry = polib.pofile(str(po_path)).find(msgid)
    assert entry is not None and "fuzzy" not in entry.flags, msgid
    text = entry.msgstr_plural[0 if count == 1 else 1]
    assert text, msgid
    return text


def dialog(page, title: str):
    return page.get_by_role("alertdialog", name=title)


def test_removing_a_member_asks_first(page, login, workspace, screenshot):
    tenant, admin, operator = workspace
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/members/")
    row = page.locator(f"tr[data-member='{operator.user.email}']")

    row.get_by_role("button", name="Remove").click()
    asking = dialog(page, "Remove Ayşe Kaya?")
    expect(asking).to_be_visible()
    expect(asking).to_contain_text(
        "Ayşe Kaya loses access to Lale Çiçekçilik at once; their conversations stay."
    )
    expect(asking.get_by_role("button", name="Cancel")).to_be_focused()
    screenshot(page, "confirm-member-remove")

    page.keyboard.press("Escape")
    expect(asking).to_be_hidden()
    expect(row).to_be_visible()
    assert exists(Membership, tenant, pk=operator.pk)

    row.get_by_role("button", name="Remove").click()
    asking.get_by_role("button", name="Cancel").click()
    expect(asking).to_be_hidden()
    expect(row.get_by_role("button", name="Remove")).to_be_focused()
    assert exists(Membership, tenant, pk=operator.pk)

    row.get_by_role("button", name="Remove").click()
    asking.get_by_role("button", name="Remove Ayşe Kaya").click()
    expect(page.get_by_role("status")).to_contain_text("Ayşe Kaya was removed.")
    expect(row).to_have_count(0)
    assert not exists(Membership, tenant, pk=operator.pk)


def test_deleting_a_team_asks_first_and_counts_its_conversations(page, login, workspace):
    tenant, admin, _operator = workspace
    with scope(tenant=tenant):
        billing = in_thread(team_create, membership=admin, name="Billing")
        sales = in_thread(team_create, membership=admin, name="Sales")
        in_thread(team_create, membership=admin, name="Support")
    conversations(tenant, admin, 3, team=billing)
    conversations(tenant, admin, 1, team=sales)
    conversations(tenant, admin, 1)  # in no team
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/teams/")
    teams = page.get_by_test_id("team-list")

    teams.get_by_role("button", name="Delete Billing").click()
    asking = dialog(page, "Delete the team “Billing”?")
    expect(asking).to_be_visible()
    expect(asking).to_contain_text(
        "Its 3 conversations stay, without a team, and its members stay in the workspace."
    )
    asking.get_by_role("button", name="Cancel").click()
    expect(asking).to_be_hidden()
    expect(teams).to_contain_text("Billing")
    assert exists(Team, tenant, name="Billing")

    teams.get_by_role("button", name="Delete Sales").click()
    asking = dialog(page, "Delete the team “Sales”?")
    expect(asking).to_contain_text(
        "Its 1 conversation stays, without a team, and its members stay in the workspace."
    )
    page.keyboard.press("Escape")
    teams.get_by_role("button", name="Delete Support").click()
    asking = dialog(page, "Delete the team “Support”?")
    expect(asking).to_contain_text("It has no conversations; its members stay in the workspace.")
    page.keyboard.press("Escape")

    teams.get_by_role("button", name="Delete Billing").click()
    asking = dialog(page, "Delete the team “Billing”?")
    asking.get_by_role("button", name="Delete Billing").click()
    expect(teams).not_to_contain_text("Billing")
    assert not exists(Team, tenant, name="Billing")


def test_deleting_a_label_asks_first(page, login, workspace, screenshot):
    tenant, admin, _operator = workspace
    with scope(tenant=tenant):
        vip = in_thread(label_create, membership=admin, name="VIP")
        refund = in_thread(label_create, membership=admin, name="Refund")
        in_thread(label_create, membership=admin, name="Bug")
    conversations(tenant, admin, 2, label=vip)
    conversations(tenant, admin, 1, label=refund)
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/labels/")
    labels = page.get_by_test_id("label-list")

    labels.get_by_role("button", name="Delete Refund").click()
    asking = dialog(page, "Delete the label “Refund”?")
    expect(asking).to_contain_text("“Refund” is taken off 1 conversation; the conversation stays.")
    page.keyboard.press("Escape")
    labels.get_by_role("button", name="Delete Bug").click()
    asking = dialog(page, "Delete the label “Bug”?")
    expect(asking).to_contain_text("No conversation has “Bug”; nothing else changes.")
    page.keyboard.press("Escape")

    labels.get_by_role("button", name="Delete VIP").click()
    asking = dialog(page, "Delete the label “VIP”?")
    expect(asking).to_be_visible()
    expect(asking).to_contain_text("“VIP” is taken off 2 conversations; the conversations stay.")
    page.keyboard.press("Escape")
    expect(asking).to_be_hidden()
    expect(labels).to_contain_text("VIP")
    assert exists(Label, tenant, name="VIP")

    labels.get_by_role("button", name="Delete VIP").click()
    expect(asking.get_by_role("button", name="Delete VIP")).to_have_class(re.compile("danger"))
    screenshot(page, "confirm-label-delete")
    asking.get_by_role("button", name="Delete VIP").click()
    expect(labels).not_to_contain_text("VIP")
    expect(labels).to_contain_text("Refund")
    assert not exists(Label, tenant, name="VIP")
    assert exists(Label, tenant, name="Refund")


def test_deleting_a_canned_response_asks_first(page, login, workspace, screenshot):
    tenant, admin, _operator = workspace

    def create():
        with scope(tenant=tenant):
            return canned_services.canned_create(
                actor=admin,
                personal=False,
                shortcut="refund",
                titles={"en": "Refund policy", "tr": ""},
                bodies={"en": "Refunds take 5 days.", "tr": ""},
            )

    response = in_thread(create)
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/canned/")
    row = page.locator("tr[data-shortcut='refund']")

    row.get_by_role("link", name="Delete /refund").click()
    asking = dialog(page, "Delete /refund?")
    expect(asking).to_be_visible()
    expect(asking).to_contain_text("“Refund policy” will no longer be offered in the inbox")
    screenshot(page, "confirm-canned-delete")
    asking.get_by_role("button", name="Cancel").click()
    expect(asking).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/canned/$"))
    expect(row).to_be_visible()
    assert exists(CannedResponse, tenant, pk=response.pk)

    row.get_by_role("link", name="Delete /refund").click()
    asking.get_by_role("button", name="Delete /refund").click()
    expect(page.get_by_role("status")).to_contain_text("Canned response /refund deleted.")
    expect(row).to_have_count(0)
    assert not exists(CannedResponse, tenant, pk=response.pk)


def test_making_a_new_identity_secret_asks_first(page, login, workspace, screenshot):
    tenant, admin, _operator = workspace

    def secret() -> str:
        with scope(tenant=tenant):
            return widget_settings_get(tenant=tenant).identity_secret

    old = in_thread(secret)
    login(page, admin.user)
    page.goto(f"/app/{tenant.slug}/settings/widget/")
    shown = page.get_by_test_id("identity-secret")
    expect(shown).to_have_text(old)

    page.get_by_role("button", name="Make a new secret").click()
    asking = dialog(page, "Make a new identity secret?")
    expect(asking).to_be_visible()
    expect(asking).to_contain_text("The current secret stops working at once")
    screenshot(page, "confirm-identity-secret")
    asking.get_by_role("button", name="Cancel").click()
    expect(asking).to_be_hidden()
    expect(shown).to_have_text(old)
    assert in_thread(secret) == old

    page.get_by_role("button", name="Make a new secret").click()
    asking.get_by_role("button", name="Make a new secret").click()
    expect(page.locator(".messages")).to_contain_text("A new identity secret was made.")
    expect(shown).not_to_have_text(old)
    assert in_thread(secret) != old
    expect(shown).to_have_text(in_thread(secret))


def test_the_dialog_speaks_turkish(new_page, workspace, screenshot):
    tenant, admin, operator = workspace
    admin.user.language = "tr"
    in_thread(admin.user.save, update_fields=["language"])
    page = new_page(locale="tr-TR")
    page.goto("/accounts/login/")
    page.locator("input[name='username']").fill(admin.user.email)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main button[type='submit']").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"/app/{tenant.slug}/members/")
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    row = page.locator(f"tr[data-member='{operator.user.email}']")
    names = {"name": "Ayşe Kaya", "workspace": "Lale Çiçekçilik"}

    row.get_by_role("button", name=turkish("Remove")).click()
    asking = dialog(page, turkish("Remove %(name)s?") % names)
    expect(asking).to_be_visible()
    expect(asking).to_contain_text(
        turkish("%(name)s loses access to %(workspace)s at once; their conversations stay.") % names
    )
    screenshot(page, "confirm-member-remove-tr")
    asking.get_by_role("button", name=turkish("Cancel")).click()
    expect(asking).to_be_hidden()
    assert exists(Membership, tenant, pk=operator.pk)

    row.get_by_role("button", name=turkish("Remove")).click()
    asking.get_by_role("button", name=turkish("Remove %(name)s") % names).click()
    expect(page.get_by_role("status")).to_contain_text(turkish("%(name)s was removed.") % names)
    expect(row).to_have_count(0)
    assert not exists(Membership, tenant, pk=operator.pk)

    # The delete dialogs count in Turkish, one and many.
    with scope(tenant=tenant):
        vip = in_thread(label_create, membership=admin, name="VIP")
        billing = in_thread(team_create, membership=admin, name="Muhasebe")
    conversations(tenant, admin, 2, label=vip, team=billing)
    page.goto(f"/app/{tenant.slug}/settings/labels/")
    page.get_by_test_id("label-list").get_by_role("button").first.click()
    asking = dialog(page, turkish("Delete the label “%(label)s”?") % {"label": "VIP"})
    taken_off = "“%(name)s” is taken off %(counter)s conversation; the conversation stays."
    expect(asking).to_contain_text(turkish_plural(taken_off, 2) % {"name": "VIP", "counter": 2})
    screenshot(page, "confirm-label-delete-tr")
    page.keyboard.press("Escape")
    page.goto(f"/app/{tenant.slug}/settings/teams/")
    page.get_by_test_id("team-list").get_by_role("button").first.click()
    asking = dialog(page, turkish("Delete the team “%(team)s”?") % {"team": "Muhasebe"})
    stays = (
        "Its %(counter)s conversation stays, without a team, and its members stay in the workspace."
    )
    expect(asking).to_contain_text(turkish_plural(stays, 2) % {"counter": 2})
    screenshot(page, "confirm-team-delete-tr")


def test_leaving_a_workspace_asks_first_and_names_it_as_written(page, login):
    tenant = in_thread(TenantFactory, name='Lale "Çiçek" <Evi>')
    with scope(tenant=tenant):
        operator = in_thread(member, tenant, full_name="Ayşe Kaya")
    login(page, operator.user)
    page.goto(f"/app/{tenant.slug}/members/")

    page.get_by_role("button", name="Leave workspace").click()
    asking = dialog(page, 'Leave Lale "Çiçek" <Evi>?')
    expect(asking).to_contain_text(
        'You lose access to Lale "Çiçek" <Evi> at once; your conversations stay.'
    )
    page.keyboard.press("Escape")
    expect(asking).to_be_hidden()
    assert exists(Membership, tenant, pk=operator.pk)

    page.get_by_role("button", name="Leave workspace").click()
    asking.get_by_role("button", name="Leave workspace").click()
    expect(page.get_by_role("status")).to_contain_text('You left Lale "Çiçek" <Evi>.')
    assert not exists(Membership, tenant, pk=operator.pk)
