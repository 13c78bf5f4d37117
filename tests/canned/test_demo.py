"""The demo workspace has canned responses to try: "/" in its composer lists them, each in
the visitor's language with the operator's name filled in."""

import uuid

import pytest
from django.core.management import call_command
from django_scopes import scope

from apps.canned import selectors, services
from apps.conversations import services as conversation_services
from apps.tenants.models import Membership, Tenant
from apps.visitors.services import visit_start

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_demos_canned_responses_are_made_once_and_speak_the_visitors_language():
    call_command("seed_demo", "--no-superuser")
    call_command("seed_demo", "--no-superuser")  # made once
    tenant = Tenant.objects.get(slug="demo")
    with scope(tenant=tenant):
        operator = Membership.objects.get(user__email="operator@demo.sohbet.localhost")
        shortcuts = sorted(r.shortcut for r in selectors.visible_responses(membership=operator))
        assert shortcuts == ["bye", "hello", "order", "returns"]
        visitor = visit_start(tenant=tenant, token=None, ip="10.0.0.5", language="tr-TR").visitor
        conversation = conversation_services.message_create(
            sender="visitor", visitor=visitor, client_id=uuid.uuid4().hex, body="Merhaba"
        ).conversation
        hello = selectors.visible_responses(membership=operator).get(shortcut="hello")
        filled = services.canned_use(actor=operator, response=hello, conversation=conversation)
    first_name = operator.user.full_name.split()[0]
    assert filled.language == "tr"
    assert filled.text == f"Merhaba, ben {first_name}. Size nasıl yardımcı olabilirim?"
