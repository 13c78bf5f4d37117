"""Settings → Automation → Flows (admins): writing a flow's steps, saving a draft and
publishing it, the outline with its warnings, refusals that name the field, export and import
between workspaces."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from apps.automation.models import Flow
from tests.automation.helpers import Workspace
from tests.utils import page_text

pytestmark = pytest.mark.django_db


def url(ws, name="automation:flows", **kwargs):
    return reverse(name, kwargs={"slug": ws.tenant.slug, **kwargs})


STEPS = {
    "start": "hello",
    "steps": [
        {"id": "hello", "type": "message", "text": {"en": "Hello!"}, "next": "bye"},
        {"id": "bye", "type": "end", "text": {"en": "Bye!", "tr": "Hoşça kalın!"}},
        {"id": "orphan", "type": "end"},
    ],
}


def flows(ws):
    with scope(tenant=ws.tenant):
        return list(Flow.objects.select_related("published"))


def test_the_admin_writes_a_flow_publishes_it_and_sees_its_outline(client):
    ws = Workspace()
    client.force_login(ws.admin.user)
    assert "No flows yet." in page_text(client.get(url(ws)))
    form = {"name": "Hello", "key": "hello", "definition": json.dumps(STEPS)}
    saved = client.post(url(ws, "automation:flow_new"), form)
    assert saved.status_code == 302
    [flow] = flows(ws)
    assert flow.published is None and flow.draft["start"] == "hello"
    page = page_text(client.get(saved["Location"]))
    assert "Not published yet" in page
    assert "hello · Send a message start “Hello!” then → bye" in page
    assert "orphan · End nothing leads here" in page
    client.post(url(ws, "automation:flow_edit", flow_id=flow.pk), {**form, "publish": "1"})
    [flow] = flows(ws)
    assert flow.published.number == 1
    assert "version 1" in page_text(client.get(url(ws)))


def test_a_refused_flow_names_the_field_and_keeps_the_text(client):
    ws = Workspace()
    client.force_login(ws.admin.user)
    broken = json.dumps(
        {
            "start": "hello",
            "steps": [{"id": "hello", "type": "message", "text": {"en": "Hi"}, "next": "gone"}],
        }
    )
    response = client.post(
        url(ws, "automation:flow_new"), {"name": "Hello", "key": "hello", "definition": broken}
    )
    assert response.status_code == 400
    assert 'data-field="steps.0.next"' in response.content.decode()
    assert "Choose the step this leads to." in page_text(response)
    assert "&quot;gone&quot;" in response.content.decode()  # what was written is still there
    assert flows(ws) == []
    bad_json = client.post(
        url(ws, "automation:flow_new"), {"name": "Hello", "key": "hello", "definition": "{"}
    )
    assert "The steps are not valid JSON." in page_text(bad_json)


def test_a_flow_exported_from_one_workspace_imports_into_another(client):
    ours, theirs = Workspace(name="Ours"), Workspace(name="Theirs")
    client.force_login(ours.admin.user)
    client.post(
        url(ours, "automation:flow_new"),
        {"name": "Hello", "key": "hello", "definition": json.dumps(STEPS)},
    )
    [flow] = flows(ours)
    exported = client.get(url(ours, "automation:flow_export", flow_id=flow.pk))
    assert exported["Content-Disposition"] == 'attachment; filename="flow-hello.json"'
    client.force_login(theirs.admin.user)
    upload = SimpleUploadedFile("flow-hello.json", exported.content, "application/json")
    imported = client.post(url(theirs), {"file": upload})
    assert imported.status_code == 302
    [copy] = flows(theirs)
    assert copy.draft == flow.draft and copy.published is None
    # A file that is wrong anywhere imports nothing.
    wrong = dict(json.loads(exported.content), key="other")
    wrong["definition"]["steps"][0]["type"] = "teleport"
    upload = SimpleUploadedFile("bad.json", json.dumps(wrong).encode(), "application/json")
    refused = client.post(url(theirs), {"file": upload})
    assert refused.status_code == 400
    assert "steps.0.type" in page_text(refused)
    assert len(flows(theirs)) == 1
    # Another workspace's flow is not found.
    assert client.get(url(theirs, "automation:flow_edit", flow_id=flow.pk)).status_code == 404


def test_deleting_a_flow(client):
    ws = Workspace()
    client.force_login(ws.admin.user)
    client.post(
        url(ws, "automation:flow_new"),
        {"name": "Hello", "key": "hello", "definition": json.dumps(STEPS)},
    )
    [flow] = flows(ws)
    client.post(url(ws, "automation:flow_delete", flow_id=flow.pk))
    assert flows(ws) == []
