import time
from unittest import mock

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_window():
    """django-ratelimit counts in fixed one-minute windows: a test whose posts straddled a
    window's end saw its count start again (a CI run failed so). Its clock stands still here."""
    frozen = time.time()
    with mock.patch("django_ratelimit.core.time") as clock:
        clock.time.return_value = frozen
        yield


def test_login_attempts_are_limited_per_ip(client, settings):
    settings.RATELIMIT_ENABLE = True
    codes = [
        client.post(reverse("login"), {"username": "a@b.c", "password": "wrong"}).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [200] * 10
    assert codes[-1] == 429
    limited = client.post(reverse("login"), {"username": "a@b.c", "password": "wrong"})
    assert "Too many attempts" in limited.content.decode()


def test_signup_posts_are_limited_per_ip(client, settings):
    settings.RATELIMIT_ENABLE = True
    for _ in range(10):
        client.post(reverse("tenants:signup"), {})
    assert client.post(reverse("tenants:signup"), {}).status_code == 429
