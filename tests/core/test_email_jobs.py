"""Emails go out from background jobs once: a worker that dies after the mail server accepted
an email, before its job was acknowledged, sends no second copy when the job runs again."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.core.conftest import wait_for
from tests.factories import TenantFactory, member

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_worker_killed_after_the_email_went_out_sends_no_second_copy(broker, mail_server):
    env = {"EMAIL_URL": mail_server.url, "CELERY_VISIBILITY_TIMEOUT": "1"}
    user = member(TenantFactory(), email="forgetful@example.com").user
    mail_server.holding.set()
    first = broker(**env)

    response = Client().post(reverse("password_reset"), {"email": user.email})
    assert response.status_code == 302
    wait_for(mail_server.goodbye_waiting.is_set)  # accepted; the job not yet acknowledged
    assert len(mail_server.accepted) == 1
    first.kill()
    mail_server.holding.clear()

    second = broker(**env)
    # The job is handed out again (its worker never acknowledged it) and runs to its end.
    wait_for(lambda: "deliver_email" in second.log_text() and "succeeded" in second.log_text())
    assert len(mail_server.accepted) == 1
    assert b"forgetful@example.com" in mail_server.accepted[0]
