"""Settings → Automation (admins): the rule list with its firings, saving a rule from the
editor's definition (refusals name the field and keep what was written), turning a rule on and
off, ordering, deleting, and "test against a conversation"."""

import json

import pytest
from django.urls import reverse
from django_scopes import scope

from apps.automation.models import Rule
from apps.tenants.models import Role
from tests.automation.helpers import Workspace
from tests.factories import member
from tests.utils import page_text

pytestmark = pytest.mark.django_db


def url(ws, name="automation:rules", **kwargs):
    return reverse(name, kwargs={"slug": ws.tenant.slug, **kwargs})


def definition(ws, **changes):
    data = {
        "name": "Returns",
        "enabled": True,
        "trigger": "visitor_message",
        "conditions": {
            "match": "all",
            "items": [{"field": "text", "op": "contains", "value": "iade"}],
        },
        "actions": [{"type": "label_add", "label": ws.label("iade")}],
    }
    data.update(changes)
    return {"definition": json.dumps(data)}


def rules(ws) -> list[Rule]:
    with scope(tenant=ws.tenant):
        return list(Rule.objects.order_by("position", "id"))


def test_the_admin_saves_a_rule_and_sees_it_listed(client):
    ws = Workspace()
    client.force_login(ws.admin.user)
    empty = client.get(url(ws))
    assert "No rules yet" in page_text(empty)
    saved = client.post(url(ws, "automation:rule_new"), definition(ws))
    assert saved.status_code == 302
    [rule] = rules(ws)
    assert rule.name == "Returns" and rule.enabled
    listed = page_text(client.get(url(ws)))
    assert "Returns" in listed and "The visitor writes" in listed and "0 times" in listed
    # Edited: the same rule, changed.
    client.post(
        url(ws, "automation:rule_edit", rule_id=rule.pk), definition(ws, name="Returns (TR)")
    )
    [rule] = rules(ws)
    assert rule.name == "Returns (TR)"


def test_a_refused_rule_names_the_field_and_keeps_what_was_written(client):
    ws = Workspace()
    client.force_login(ws.admin.user)
    bad = definition(
        ws,
        name="Pattern",
        conditions={"match": "all", "items": [{"field": "text", "op": "matches", "value": "(a"}]},
    )
    response = client.post(url(ws, "automation:rule_new"), bad)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-field="conditions.0.value"' in body
    assert "Not a valid pattern" in page_text(response)
    kept = json.loads(
        body.split('id="rule-definition" type="application/json">')[1].split("</script>")[0]
    )
    assert kept["name"] == "Pattern" and kept["conditions"]["items"][0]["value"] == "(a"
    assert rules(ws) == []
    garbage = client.post(url(ws, "automation:rule_new"), {"definition": "{not json"})
    assert garbage.status_code == 400
    assert "could not be read" in page_text(garbage)


def test_turning_off_moving_and_deleting(client):
    ws = Workspace()
    client.force_login(ws.admin.user)
    for name in ("First", "Second"):
        client.post(url(ws, "automation:rule_new"), definition(ws, name=name))
    first, second = rules(ws)
    client.post(url(ws, "automation:rule_toggle", rule_id=first.pk))  # no "enabled": off
    assert not rules(ws)[0].enabled
    client.post(url(ws, "automation:rule_move", rule_id=second.pk), {"direction": "up"})
    assert [r.name for r in rules(ws)] == ["Second", "First"]
    client.post(url(ws, "automation:rule_delete", rule_id=first.pk))
    assert [r.name for r in rules(ws)] == ["Second"]


def test_operators_and_other_workspaces_get_nothing(client):
    ws, other = Workspace(), Workspace(name="Other")
    rule = other.rule(trigger="visitor_message", actions=[{"type": "note", "text": "x"}])
    operator = member(ws.tenant, Role.OPERATOR)
    client.force_login(operator.user)
    assert client.get(url(ws)).status_code == 403
    assert client.post(url(ws, "automation:rule_new"), definition(ws)).status_code == 403
    client.force_login(ws.admin.user)
    assert client.get(url(ws, "automation:rule_edit", rule_id=rule.pk)).status_code == 404
    assert client.post(url(ws, "automation:rule_delete", rule_id=rule.pk)).status_code == 404
    assert len(rules(other)) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_testing_against_a_conversation_says_which_conditions_hold(client):
    ws = Workspace()
    ws.writes("Bu ürünü iade etmek istiyorum")
    client.force_login(ws.admin.user)
    data = definition(
        ws,
        conditions={
            "match": "all",
            "items": [
                {"field": "text", "op": "contains", "value": "iade"},
                {"field": "language", "op": "is", "value": "en"},
            ],
        },
    )
    answer = client.post(
        url(ws, "automation:rule_test"), {**data, "number": ws.conversation.number}
    ).json()
    assert answer == {"holds": False, "items": [{"ok": True}, {"ok": False}]}
    missing = client.post(url(ws, "automation:rule_test"), {**data, "number": 999})
    assert missing.status_code == 404
    assert missing.json()["message"] == "No such conversation in this workspace."
    assert ws.firings() == []  # a test does nothing
