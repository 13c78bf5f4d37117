"""Events published inside a transaction go out after commit, together; never after rollback.
Work a socket runs in a worker thread hands its events to the socket's event loop."""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection, transaction

from apps.core import realtime
from tests.utils import run

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


def test_a_decorated_function_that_rolled_back_once_still_publishes_when_it_commits(sent):
    # One atomic block object serves every call of a decorated function.
    @transaction.atomic
    def work(n, fail):
        realtime.publish_on_commit("g", {"type": "x", "n": n})
        if fail:
            raise RuntimeError

    with pytest.raises(RuntimeError):
        work(1, fail=True)
    work(2, fail=False)
    work(3, fail=False)
    assert sent == [[("g", {"type": "x", "n": 2})], [("g", {"type": "x", "n": 3})]]


def test_an_event_of_a_rolled_back_savepoint_is_dropped_and_the_rest_keep_their_order(sent):
    with transaction.atomic():
        realtime.publish_on_commit("g", {"n": 1})
        with transaction.atomic():  # released: its event stays, in its place
            realtime.publish_on_commit("g", {"n": 2})
        with pytest.raises(RuntimeError), transaction.atomic():
            realtime.publish_on_commit("g", {"n": "lost"})
            raise RuntimeError
        realtime.publish_on_commit("g", {"n": 3})
        assert sent == []
    assert [event["n"] for batch in sent for _group, event in batch] == [1, 2, 3]


IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def _in_thread(work):
    """What ``ScopedConsumer.run`` does: ``work`` in a worker thread, handing its events over."""

    async def call(handover):
        def inner():
            try:
                with realtime.handed_over(handover):
                    return work()
            finally:
                connection.close()  # the worker thread's own connection

        return await sync_to_async(inner, thread_sensitive=False)()

    return call


def test_what_a_sockets_work_publishes_goes_out_after_it_in_order_even_when_it_fails(settings):
    settings.CHANNEL_LAYERS = IN_MEMORY

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("g", channel)

        def work():
            with transaction.atomic():
                realtime.publish_on_commit("g", {"type": "t", "n": 1})
                realtime.publish_on_commit("g", {"type": "t", "n": 2})
            realtime.publish("g", {"type": "t", "n": 3})
            raise RuntimeError("after the commit")

        with pytest.raises(RuntimeError):
            await realtime.run_handing_over(_in_thread(work))
        got = [(await asyncio.wait_for(layer.receive(channel), 2))["n"] for _ in range(3)]
        with pytest.raises(TimeoutError):  # each once
            await asyncio.wait_for(layer.receive(channel), 0.2)
        return got

    assert run(scenario()) == [1, 2, 3]


def test_work_whose_socket_stopped_waiting_still_publishes(settings):
    """A socket that closes while its work runs stops waiting for it; what the work commits
    afterwards still reaches the other sockets."""
    settings.CHANNEL_LAYERS = IN_MEMORY
    started, release = threading.Event(), threading.Event()

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("g", channel)

        def work():
            started.set()
            release.wait(5)
            with transaction.atomic():
                realtime.publish_on_commit("g", {"type": "t", "n": "late"})

        waiting = asyncio.ensure_future(realtime.run_handing_over(_in_thread(work)))
        await asyncio.to_thread(started.wait, 5)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        release.set()
        return (await asyncio.wait_for(layer.receive(channel), 5))["n"]

    assert run(scenario()) == "late"


def _row(number: int, **fields) -> dict:
    return {"type": "inbox.rows", "rows": [{"number": number, **fields}], realtime.ROWS: "number"}


async def _listen(layer, group: str) -> str:
    channel = await layer.new_channel()
    await layer.group_add(group, channel)
    return channel


async def _drain(layer, channel: str, quiet: float = 0.2) -> list[dict]:
    got = []
    try:
        while True:
            got.append(await asyncio.wait_for(layer.receive(channel), quiet))
    except TimeoutError:
        return got


def test_rows_that_follow_one_another_go_out_together_latest_per_thing(settings):
    """On a loop that serves sockets, the first rows go at once; the rows published within the
    window after them wait and go out as one event, a later row's fields over an earlier
    one's. Another group's rows keep their own pace."""
    settings.CHANNEL_LAYERS = IN_MEMORY

    async def scenario():
        realtime.serving()
        layer = get_channel_layer()
        inbox, other = await _listen(layer, "inbox.1"), await _listen(layer, "inbox.2")
        await realtime.asend_many([("inbox.1", _row(1, preview="a", unread=1))])
        first = await asyncio.wait_for(layer.receive(inbox), 0.01)  # no wait for the first
        await realtime.asend_many([("inbox.1", _row(2, preview="b"))])
        await realtime.asend_many([("inbox.2", _row(9, preview="elsewhere"))])
        await realtime.asend_many([("inbox.1", _row(1, preview="c", unread=2))])
        await realtime.asend_many([("inbox.1", _row(1, preview="d"))])
        other_rows = await asyncio.wait_for(layer.receive(other), 0.01)
        gathered = await asyncio.wait_for(layer.receive(inbox), 1)  # at the window's end
        return first, other_rows, gathered, await _drain(layer, inbox)

    first, other_rows, gathered, after = run(scenario())
    assert first["rows"] == [{"number": 1, "preview": "a", "unread": 1}]
    assert other_rows["rows"] == [{"number": 9, "preview": "elsewhere"}]
    assert gathered["type"] == "inbox.rows"
    assert gathered["rows"] == [
        {"number": 2, "preview": "b"},
        {"number": 1, "preview": "d", "unread": 2},
    ]
    assert after == []


@pytest.mark.parametrize("window_ended", [False, True])
def test_any_other_event_to_the_group_sends_the_waiting_rows_before_it(settings, window_ended):
    """Also when it is sent after the window's end, which only schedules the waiting rows'
    sending, and before that ran: it takes them out and goes after them."""
    settings.CHANNEL_LAYERS = IN_MEMORY

    async def scenario():
        realtime.serving()
        layer = get_channel_layer()
        inbox = await _listen(layer, "inbox.1")
        await realtime.asend_many([("inbox.1", _row(1, preview="a"))])
        await realtime.asend_many([("inbox.1", _row(1, preview="b"))])  # waits
        if window_ended:
            gatherer = realtime._gatherers[asyncio.get_running_loop()]
            gatherer.timers["inbox.1"].cancel()
            gatherer._due("inbox.1")  # the window's end, as its timer calls it
        await realtime.apublish("inbox.1", {"type": "inbox.conversation", "n": 1})
        return await _drain(layer, inbox, quiet=realtime.ROWS_WINDOW * 5)

    got = run(scenario())
    assert [e.get("rows", e.get("n")) for e in got] == [
        [{"number": 1, "preview": "a"}],
        [{"number": 1, "preview": "b"}],
        1,
    ]


def test_rows_published_where_no_socket_is_served_go_out_at_once(settings):
    """A worker's or a script's event loop may end any time: nothing waits there."""
    settings.CHANNEL_LAYERS = IN_MEMORY

    async def scenario():
        layer = get_channel_layer()
        inbox = await _listen(layer, "inbox.1")
        for preview in "abc":
            await realtime.asend_many([("inbox.1", _row(1, preview=preview))])
        return [
            (await asyncio.wait_for(layer.receive(inbox), 0.01))["rows"][0]["preview"]
            for _ in range(3)
        ]

    assert run(scenario()) == ["a", "b", "c"]
