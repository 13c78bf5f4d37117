"""apps.core.db.stored_instance: a hand-built stored row is the row a query would give."""

import pytest
from django.db import connection

from apps.conversations.models import Conversation, Message
from apps.conversations.services import message_post_from_visitor
from apps.core import db
from apps.visitors.models import Visitor
from tests.factories import TenantFactory


@pytest.mark.django_db
def test_a_hand_built_row_equals_the_row_read_back(unscoped):
    """Built without ``Model.__init__`` (``_direct``), a message is the one the database
    returns: same field values, stored, saveable, and its foreign key leads to the row."""
    tenant = TenantFactory()
    visitor = Visitor.objects.create(tenant=tenant)
    stored = message_post_from_visitor(visitor=visitor, client_id="c-1", body="merhaba").message
    conversation = stored.conversation
    assert db._direct(Message)  # the path under test, not the from_db fallback
    built = db.stored_instance(
        Message,
        {
            "id": stored.pk,
            "tenant_id": stored.tenant_id,
            "conversation_id": conversation.pk,
            "sender": Message.Sender.VISITOR,
            "body": "merhaba",
            "client_id": "c-1",
            "created_at": stored.created_at,
        },
        connection,
    )
    read = Message.objects.get(pk=stored.pk)
    fields = [f.attname for f in Message._meta.concrete_fields]
    assert {f: getattr(built, f) for f in fields} == {f: getattr(read, f) for f in fields}
    assert built == read and not built._state.adding and built._state.db == "default"
    assert built.get_deferred_fields() == set()
    assert built.conversation.pk == conversation.pk
    built.body = "güncellendi"
    built.save(update_fields=["body"])
    assert Message.objects.get(pk=stored.pk).body == "güncellendi"


def test_a_model_with_init_listeners_is_built_by_its_init():
    """A model something listens to (``post_init``) is built by ``from_db``, so the listener
    still runs."""
    from django.db.models.signals import post_init

    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    db._direct.cache_clear()
    post_init.connect(listener, sender=Conversation)
    try:
        assert not db._direct(Conversation)
        built = db.stored_instance(Conversation, {"id": 7, "number": 3}, connection)
    finally:
        post_init.disconnect(listener, sender=Conversation)
        db._direct.cache_clear()
    assert seen == [built] and built.number == 3 and not built._state.adding
