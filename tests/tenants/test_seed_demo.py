import pytest
from django.core.management import call_command
from django_scopes import scope

from apps.conversations.management.commands.seed_demo import DEMO_PASSWORD
from apps.tenants.models import Membership, Role, Tenant, User

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_a_working_login(capsys, client):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "operator@demo.sohbet.localhost" in out and DEMO_PASSWORD in out
    tenant = Tenant.objects.get(slug="demo")
    with scope(tenant=tenant):
        roles = sorted(Membership.objects.values_list("role", flat=True))
    assert roles == sorted([Role.OWNER, Role.OPERATOR])
    assert User.objects.filter(is_superuser=True).count() == 1
    assert client.login(username="operator@demo.sohbet.localhost", password=DEMO_PASSWORD)
    assert client.get("/app/demo/").status_code == 200


def test_the_demos_getting_started_list_counts_its_welcome_message_as_written(client):
    call_command("seed_demo", "--no-superuser")
    client.login(username="owner@demo.sohbet.localhost", password=DEMO_PASSWORD)
    page = client.get("/app/demo/").content.decode()
    welcome = page.split('data-step="welcome"')[1].split("</li>")[0]
    assert 'data-testid="step-done"' in welcome


def test_seed_demo_prints_the_address_the_app_runs_at(capsys):
    call_command("seed_demo", "--no-superuser", "--base-url", "http://127.0.0.1:8123/")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8123/app/demo/inbox/" in out and ":8000" not in out


def test_seed_demo_refuses_in_production(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION_MODE = True
    with pytest.raises(CommandError):
        call_command("seed_demo")
