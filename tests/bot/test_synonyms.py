"""A workspace's own words that mean the same (Settings → Bot): an admin adds a group, and a
question in those words gets the entry that uses another of them, in this workspace only."""

import json

import pytest
from django.urls import reverse
from django_scopes import scope

from apps.bot import selectors, services
from apps.bot.services import answering
from apps.tenants.models import Role
from tests.factories import TenantFactory, member
from tests.utils import page_text

pytestmark = pytest.mark.django_db

PLANS = [
    {
        "id": "pro-plan",
        "question_en": "What does the Pro plan include?",
        "answer_en": "Pro has unlimited users, stock tracking and the API.",
        "question_tr": "Pro paket neler içeriyor?",
        "answer_tr": "Pro pakette sınırsız kullanıcı, stok takibi ve API var.",
    },
    {
        "id": "opening-hours",
        "question_en": "When is support open?",
        "answer_en": "Weekdays 09:00 to 18:00.",
    },
]


def workspace(name="Kasa"):
    tenant = TenantFactory(name=name)
    admin = member(tenant, Role.ADMIN)
    with scope(tenant=tenant):
        report = services.entries_import(
            tenant_id=tenant.pk, raw=json.dumps(PLANS), kind="json", author=admin.user
        )
    assert report.ok, report.errors
    return tenant, admin


def answered(tenant, question: str) -> str | None:
    """The entry the bot answers ``question`` with, as the chat window would get it."""
    with scope(tenant=tenant):
        decision = answering.decide(tenant_id=tenant.pk, question=question)
        entry_id = decision.entry_id
        if entry_id is None:
            return None
        return selectors.entries_by_id([entry_id])[entry_id].external_id


def save(client, tenant, text: str):
    return client.post(
        reverse("bot:synonyms", kwargs={"slug": tenant.slug}), {"synonyms": text}, follow=True
    )


def saved(tenant) -> str:
    with scope(tenant=tenant):
        return selectors.bot_settings(tenant_id=tenant.pk).synonyms


def test_a_question_in_the_workspaces_own_words_finds_the_entry_that_uses_another(client):
    tenant, admin = workspace()
    other, _ = workspace(name="Other shop")
    assert answered(tenant, "what do I get with premium?") is None
    assert answered(tenant, "premium üyelikte neler var?") is None

    client.force_login(admin.user)
    page = save(client, tenant, "  Pro plan,  premium , Pro paket \n\nkurulum, onboarding\n")
    assert page.status_code == 200
    assert "Words that mean the same saved." in page_text(page)
    assert saved(tenant) == "Pro plan, premium , Pro paket\nkurulum, onboarding"

    assert answered(tenant, "what do I get with premium?") == "pro-plan"
    assert answered(tenant, "premium üyelikte neler var?") == "pro-plan"
    assert answered(tenant, "when is support open?") == "opening-hours"
    # Another workspace's bot does not read them.
    assert answered(other, "what do I get with premium?") is None


def test_a_line_of_one_word_is_refused_with_its_number_and_nothing_changes(client):
    tenant, admin = workspace()
    client.force_login(admin.user)
    save(client, tenant, "Pro plan, premium")
    page = save(client, tenant, "Pro plan, premium\npremium")
    assert page.status_code == 400
    assert "Line 2: give two or more words or phrases, separated by commas." in page_text(page)
    assert saved(tenant) == "Pro plan, premium"
    assert answered(tenant, "what do I get with premium?") == "pro-plan"

    too_many = "\n".join(f"a{n}, b{n}" for n in range(301))
    page = save(client, tenant, too_many)
    assert page.status_code == 400
    assert "Too many lines: 300 at most." in page_text(page)
    assert saved(tenant) == "Pro plan, premium"


def test_emptying_the_words_takes_them_back(client):
    tenant, admin = workspace()
    client.force_login(admin.user)
    save(client, tenant, "Pro plan, premium")
    assert answered(tenant, "what do I get with premium?") == "pro-plan"
    save(client, tenant, "")
    assert saved(tenant) == ""
    assert answered(tenant, "what do I get with premium?") is None


def test_operators_cannot_change_them(client):
    tenant, _admin = workspace()
    operator = member(tenant, Role.OPERATOR)
    client.force_login(operator.user)
    response = client.post(
        reverse("bot:synonyms", kwargs={"slug": tenant.slug}), {"synonyms": "Pro plan, premium"}
    )
    assert response.status_code == 403
    assert saved(tenant) == ""
