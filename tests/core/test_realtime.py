"""Events published inside a transaction go out after commit, together; never after rollback."""

import pytest
from django.db import transaction

from apps.core import realtime

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sent(monkeypatch):
    calls: list[list] = []
    monkeypatch.setattr(realtime, "publish_many", lambda items: calls.append(list(items)))
    return calls


def test_events_of_one_transaction_go_out_together_after_commit(sent):
    with transaction.atomic():
        realtime.publish_on_commit("a", {"type": "x"})
        realtime.publish_on_commit("b", {"type": "y"})
        assert sent == []
    assert sent == [[("a", {"type": "x"}), ("b", {"type": "y"})]]


def test_a_rolled_back_transaction_publishes_nothing_and_leaves_nothing_behind(sent):
    with pytest.raises(RuntimeError), transaction.atomic():
        realtime.publish_on_commit("lost", {"type": "x"})
        raise RuntimeError
    with transaction.atomic():
        realtime.publish_on_commit("kept", {"type": "y"})
    assert sent == [[("kept", {"type": "y"})]]
