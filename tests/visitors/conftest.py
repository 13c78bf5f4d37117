"""Socket fixtures for the visitor-context tests (real web, real sockets)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from apps.conversations.models import Conversation
from tests.conversations.conftest import OperatorClient, VisitorClient, session_for
from tests.factories import TenantFactory, member
from tests.live import start_server


@pytest.fixture(scope="module")
def web(django_db_setup, django_db_blocker):
    """One web process per test module, on the test database (each test still gets a fresh
    database: ``server`` asks for ``transactional_db``)."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("the web process is another process: needs a file or PostgreSQL test database")
    process = start_server()
    yield process
    process.stop()


@pytest.fixture
def server(web, transactional_db):
    return web


@pytest.fixture
def team(transactional_db):
    """A workspace with an operator and an admin."""
    tenant = TenantFactory()
    operator = member(tenant, full_name="Ayşe Operator")
    admin = member(tenant, role="admin", full_name="Deniz Admin")
    return tenant, operator, admin


def inbox_for(server, membership) -> OperatorClient:
    client = OperatorClient(server, membership.tenant.slug, session_for(membership.user))
    client.expect("ready")
    return client


def chatting_visitor(server, tenant, inbox: OperatorClient, body: str = "Hello there"):
    """A visitor who said ``body``; ``inbox`` is subscribed to the new conversation.
    Returns (visitor socket, conversation number)."""
    visitor = VisitorClient(server, tenant.widget_key)
    visitor.hello(page={"url": "https://shop.example.com/tulips", "title": "Tulips"})
    visitor.say(body)
    while True:
        summary = inbox.expect("conversation")["conversation"]
        if summary["preview"] == body:
            break
    number = summary["number"]
    inbox.send("subscribe", conversation=number, after_id=None)
    inbox.expect("history", conversation=number)
    return visitor, number


class BrowserVisitorClient(VisitorClient):
    """A visitor socket that sends a browser's headers (User-Agent, Accept-Language)."""

    def __init__(self, server, widget_key: str, headers: dict[str, str]):
        super().__init__(server, widget_key, headers=headers)


def long_ago(tenant, number: int) -> None:
    """Conversation ``number`` was resolved a month ago: the visitor's next message opens a new
    one instead of reopening it (settings.CHAT_REOPEN_WINDOW)."""
    with scopes_disabled():
        Conversation.objects.filter(tenant=tenant, number=number).update(
            status=Conversation.Status.RESOLVED, resolved_at=timezone.now() - timedelta(days=30)
        )
