"""A new workspace starts finished: its chat window greets visitors in their language (its time
zone starts as the owner's browser's: tests/browser/test_workspace_defaults.py)."""

import json

import pytest

from apps.tenants.models import Tenant
from tests.http import WebClient
from tests.tenants.test_signup import confirm_path, sign_up, web  # noqa: F401 (fixture)


@pytest.mark.django_db(transaction=True)
def test_a_new_workspaces_chat_window_greets_in_each_language(web, live_server):  # noqa: F811
    person = web()
    sign_up(person, "owner@example.com", workspace_name="Lale Çiçekçilik", language="tr")
    person.post(confirm_path("owner@example.com"), {})
    tenant = Tenant.objects.get(name="Lale Çiçekçilik")

    def config(language: str) -> dict:
        answer = WebClient(live_server.url, language=language).get(
            f"/w/{tenant.widget_key}/config.json"
        )
        assert answer.status == 200
        return json.loads(answer.content)

    english, turkish = config("en"), config("tr")
    assert english["launcher_text"] == "Chat with us"
    assert english["welcome_title"] == "Hi there 👋"
    assert "Lale Çiçekçilik team" in english["welcome_message"]
    assert turkish["launcher_text"] == "Bize yazın"
    assert turkish["welcome_title"] == "Merhaba 👋"
    assert "Lale Çiçekçilik ekibi" in turkish["welcome_message"]
    # Nobody is online yet, and the header says so: the welcome promises no time to answer.
    assert english["team_online"] is False
    assert "minute" not in english["welcome_message"]
    assert "dakika" not in turkish["welcome_message"]
