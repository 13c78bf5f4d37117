import pytest
from channels.layers import channel_layers
from django.test import override_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_layers():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def test_healthz_ok_on_configured_services(client, fresh_layers):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["channel_layer"] == "ok"


@pytest.mark.redis
def test_healthz_checks_real_redis_and_broker(client, fresh_layers, settings):
    from config.celery import app

    app.conf.task_always_eager = False
    response = client.get("/healthz")
    assert response.json()["checks"] == {
        "database": "ok",
        "channel_layer": "ok",
        "broker": "ok",
    }


DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _healthz_with_layer(client, backend: str):
    with override_settings(
        CHANNEL_LAYERS={"default": {"BACKEND": backend, "CONFIG": {"hosts": [DEAD_REDIS]}}}
    ):
        channel_layers.backends.clear()
        return client.get("/healthz")


def test_healthz_503_names_the_failing_part(client, fresh_layers):
    from config.celery import app

    app.conf.task_always_eager = False
    old_broker = app.conf.broker_url
    app.conf.broker_url = DEAD_REDIS
    try:
        response = _healthz_with_layer(client, "channels_redis.core.RedisChannelLayer")
    finally:
        # The check opens a connection of its own (never the app's pool), so nothing pooled
        # points at the dead broker; a force-closed pool could not be used again (kombu 5.7).
        app.conf.broker_url = old_broker
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert set(body["failing"]) == {"channel_layer", "broker"}
    assert body["checks"]["database"] == "ok"


def test_healthz_fails_when_the_pubsub_layer_cannot_reach_redis(client, fresh_layers):
    """The project's own layer keeps a socket's channel in the process; the check must still
    cross Redis (a group), or a dead Redis would pass it."""
    response = _healthz_with_layer(client, "apps.core.layers.ResyncingPubSubChannelLayer")
    assert response.status_code == 503
    assert "channel_layer" in response.json()["failing"]
