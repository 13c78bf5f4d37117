"""Events published inside a transaction reach the channel layer after commit, in order; never
after a rollback (of the transaction or of the savepoint they were published in)."""

import pytest
from channels.layers import get_channel_layer
from django.db import transaction

from apps.core import realtime
from tests.utils import run

pytestmark = pytest.mark.django_db(transaction=True)


class Listener:
    """A channel of the real (in-memory) layer, joined to some groups."""

    def __init__(self, *groups: str) -> None:
        self.layer = get_channel_layer()
        self.channel = run(self.layer.new_channel())
        for group in groups:
            run(self.layer.group_add(group, self.channel))

    def received(self) -> list[tuple]:
        """Everything that reached the channel so far, in order (group name, number): read up
        to a marker sent now."""

        async def drain():
            await self.layer.send(self.channel, {"type": "x", "group": "end", "n": None})
            got = []
            while True:
                message = await self.layer.receive(self.channel)
                if message["group"] == "end":
                    return got
                got.append((message["group"], message["n"]))

        return run(drain())


@pytest.fixture
def listener(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return Listener("a", "b")


def event(group: str, n) -> dict:
    return {"type": "x", "group": group, "n": n}


def test_events_go_out_after_commit_in_order(listener):
    with transaction.atomic():
        realtime.publish_on_commit("a", event("a", 1))
        realtime.publish_on_commit("b", event("b", 2))
        realtime.publish_on_commit("a", event("a", 3))
        assert listener.received() == []
    assert listener.received() == [("a", 1), ("b", 2), ("a", 3)]


def test_outside_a_transaction_an_event_goes_out_at_once(listener):
    realtime.publish_on_commit("a", event("a", 1))
    assert listener.received() == [("a", 1)]


def test_a_rolled_back_transaction_publishes_nothing(listener):
    with pytest.raises(RuntimeError), transaction.atomic():
        realtime.publish_on_commit("a", event("a", "lost"))
        raise RuntimeError
    with transaction.atomic():
        realtime.publish_on_commit("a", event("a", "kept"))
    assert listener.received() == [("a", "kept")]


def test_an_event_of_a_rolled_back_savepoint_is_dropped_and_the_rest_keep_their_order(listener):
    with transaction.atomic():
        realtime.publish_on_commit("a", event("a", 1))
        with transaction.atomic():  # released: its event stays, in its place
            realtime.publish_on_commit("a", event("a", 2))
        with pytest.raises(RuntimeError), transaction.atomic():
            realtime.publish_on_commit("a", event("a", "lost"))
            raise RuntimeError
        realtime.publish_on_commit("a", event("a", 3))
    assert listener.received() == [("a", 1), ("a", 2), ("a", 3)]
