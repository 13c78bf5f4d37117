"""A transcript goes out once even when the worker sending it dies after the mail server
accepted it, before the job was acknowledged, and the job is handed out again."""

import uuid

import pytest
from django_scopes import scope

from apps.conversations import services as conversation_services
from apps.offline import services
from apps.visitors.services import visit_start
from tests.core.conftest import wait_for
from tests.factories import TenantFactory

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_worker_killed_after_the_transcript_went_out_sends_no_second_copy(broker, mail_server):
    env = {"EMAIL_URL": mail_server.url, "CELERY_VISIBILITY_TIMEOUT": "1"}
    tenant = TenantFactory(name="Lale Çiçekçilik")
    with scope(tenant=tenant):
        visitor = visit_start(tenant=tenant, token=None, ip="10.0.0.1").visitor
        visitor = services.contact_give(
            visitor=visitor, fields={"email": "deniz@example.com"}
        ).visitor
        conversation = conversation_services.message_create(
            sender="visitor", visitor=visitor, client_id=uuid.uuid4().hex, body="Hello?"
        ).conversation
    mail_server.holding.set()
    first = broker(**env)

    with scope(tenant=tenant):
        services.transcript_request(conversation=conversation, requested_by="visitor")
    wait_for(mail_server.goodbye_waiting.is_set)  # accepted; the job not yet acknowledged
    assert len(mail_server.accepted) == 1
    first.kill()
    mail_server.holding.clear()

    second = broker(**env)
    # The job is handed out again (its worker never acknowledged it) and runs to its end.
    wait_for(lambda: "transcript_send" in second.log_text() and "succeeded" in second.log_text())
    assert len(mail_server.accepted) == 1
    assert b"deniz@example.com" in mail_server.accepted[0]
