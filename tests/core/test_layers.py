"""The pub/sub channel layer's additions (apps.core.layers) on a real Redis."""

import asyncio
import uuid

import pytest
from django.conf import settings

from tests.utils import run

pytestmark = pytest.mark.redis


def fresh_layer():
    """The pub/sub layer on the test Redis, under a prefix of its own."""
    from apps.core.layers import ResyncingPubSubChannelLayer

    return ResyncingPubSubChannelLayer(
        hosts=[settings.REDIS_URL], prefix=f"test-{uuid.uuid4().hex[:8]}"
    )


def test_the_events_of_one_transaction_reach_every_group_in_order():
    """``group_send_many`` (one pipelined round trip) delivers like ``group_send`` one by one:
    every socket of every group gets its events, in the order they were published."""

    async def scenario():
        layer = fresh_layer()
        try:
            a, b = await layer.new_channel(), await layer.new_channel()
            await layer.group_add("visitor", a)
            await layer.group_add("inbox", a)
            await layer.group_add("inbox", b)
            await layer.group_send_many(
                [
                    ("visitor", {"type": "chat.message", "n": 1}),
                    ("inbox", {"type": "inbox.conversation", "n": 2}),
                    ("visitor", {"type": "chat.status", "n": 3}),
                    ("nobody", {"type": "chat.message", "n": 4}),
                ]
            )
            got_a = [(await asyncio.wait_for(layer.receive(a), 5))["n"] for _ in range(3)]
            got_b = [(await asyncio.wait_for(layer.receive(b), 5))["n"]]
            with pytest.raises(TimeoutError):  # nothing more, nothing twice
                await asyncio.wait_for(layer.receive(b), 0.3)
            return got_a, got_b
        finally:
            await layer.flush()

    assert run(scenario()) == ([1, 2, 3], [2])


def test_a_sockets_own_channel_stays_in_the_process_and_groups_still_cross_redis():
    """A consumer's channel costs Redis nothing (no SUBSCRIBE on opening, no UNSUBSCRIBE on
    closing); a send to it arrives as a copy; its groups still go through Redis, where a
    second process (here a second layer) reaches it."""
    import redis

    from apps.core.layers import ResyncingPubSubChannelLayer

    prefix = f"test-{uuid.uuid4().hex[:8]}"
    inspect = redis.Redis.from_url(settings.REDIS_URL)

    def subscribed() -> list[str]:
        return sorted(c.decode() for c in inspect.pubsub_channels(f"{prefix}*"))

    async def scenario():
        here = ResyncingPubSubChannelLayer(hosts=[settings.REDIS_URL], prefix=prefix)
        there = ResyncingPubSubChannelLayer(hosts=[settings.REDIS_URL], prefix=prefix)
        try:
            channel = await here.new_channel()
            after_open = subscribed()
            sent = {"type": "chat.message", "body": "hi", "tags": ["a"]}
            await here.send(channel, sent)
            sent["tags"].append("changed after sending")
            direct = await asyncio.wait_for(here.receive(channel), 5)
            await here.group_add("visitor.1", channel)
            after_join = subscribed()
            await there.group_send("visitor.1", {"type": "chat.message", "body": "from there"})
            crossed = await asyncio.wait_for(here.receive(channel), 5)
            return after_open, direct, after_join, crossed
        finally:
            await here.flush()
            await there.flush()

    after_open, direct, after_join, crossed = run(scenario())
    assert after_open == []
    assert direct == {"type": "chat.message", "body": "hi", "tags": ["a"]}
    assert after_join == [f"{prefix}__group__visitor.1"]
    assert crossed["body"] == "from there"


def test_each_event_loop_keeps_its_own_layer():
    """The layer reached directly (no proxy per call) is still the one of the running loop: a
    second loop (another thread's, or the next ``asyncio.run``) gets its own connections, and
    the first loop's layer still works after the second was used."""
    from apps.core.layers import ResyncingPubSubChannelLayer

    layer = ResyncingPubSubChannelLayer(
        hosts=[settings.REDIS_URL], prefix=f"test-{uuid.uuid4().hex[:8]}"
    )
    first_loop, second_loop = asyncio.new_event_loop(), asyncio.new_event_loop()

    async def round_trip(group: str):
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        await layer.group_send(group, {"type": "chat.message", "group": group})
        event = await asyncio.wait_for(layer.receive(channel), 5)
        return layer._get_layer(), event["group"]

    def scenario():
        try:
            first, got = first_loop.run_until_complete(round_trip("a"))
            second, got_second = second_loop.run_until_complete(round_trip("b"))
            again, got_again = first_loop.run_until_complete(round_trip("c"))
            return (got, got_second, got_again), first is again and first is not second
        finally:
            for loop in (first_loop, second_loop):
                loop.run_until_complete(layer.flush())
                loop.close()

    async def in_a_thread():  # tests.utils.run: a thread of its own, where no loop runs
        return await asyncio.to_thread(scenario)

    assert run(in_a_thread()) == (("a", "b", "c"), True)


def test_events_published_at_once_arrive_in_order_and_whole():
    """Many publishers at once (a burst of chat messages): what waits while a pipeline is on its
    way goes out in the next one, and every event arrives once, in the order published, to a
    member in the publishing process (delivered there at once) and to one in another process
    (through Redis)."""
    from apps.core.layers import ResyncingPubSubChannelLayer

    async def scenario():
        layer = fresh_layer()
        there = ResyncingPubSubChannelLayer(hosts=[settings.REDIS_URL], prefix=layer.prefix)
        try:
            channel, far = await layer.new_channel(), await there.new_channel()
            for member_layer, member in ((layer, channel), (there, far)):
                await member_layer.group_add("inbox", member)
                await member_layer.group_add("visitor", member)

            async def publisher(n: int):
                await layer.group_send_many(
                    [
                        ("visitor", {"type": "chat.message", "n": n, "part": 0}),
                        ("inbox", {"type": "inbox.conversation", "n": n, "part": 1}),
                    ]
                )

            await asyncio.gather(*(publisher(n) for n in range(200)))
            await layer.group_send("inbox", {"type": "inbox.conversation", "n": 200, "part": 0})
            got = {}
            for name, member_layer, member in (("here", layer, channel), ("there", there, far)):
                events = [
                    await asyncio.wait_for(member_layer.receive(member), 5) for _ in range(401)
                ]
                with pytest.raises(TimeoutError):
                    await asyncio.wait_for(member_layer.receive(member), 0.3)
                got[name] = [(e["n"], e["part"]) for e in events]
            return got
        finally:
            await layer.flush()
            await there.flush()

    got = run(scenario())
    expected = [(n, part) for n in range(200) for part in (0, 1)] + [(200, 0)]
    assert got == {"here": expected, "there": expected}


def test_a_publish_to_a_dead_redis_fails_every_waiting_caller():
    """Nothing hangs when Redis is gone: each caller waiting on the shared pipeline gets the
    error (the realtime module logs it; the database has the data)."""
    from apps.core.layers import ResyncingPubSubChannelLayer

    async def scenario():
        layer = ResyncingPubSubChannelLayer(hosts=["redis://127.0.0.1:1/0"], prefix="dead")
        results = await asyncio.wait_for(
            asyncio.gather(
                *(layer.group_send(f"g{n}", {"type": "x"}) for n in range(5)),
                return_exceptions=True,
            ),
            10,
        )
        return [type(r).__name__ for r in results]

    assert run(scenario()) == ["ConnectionError"] * 5


def test_joining_and_leaving_groups_while_events_stream_in_loses_and_resyncs_nothing():
    """Events that arrive in one read are taken from the parser in a row; a subscription's
    confirmation among them is handled the usual way and does not count as a lost Redis. (The
    events come from another process: the publishing process's own members get its events
    without Redis.)"""
    from apps.core.layers import ResyncingPubSubChannelLayer

    async def scenario():
        layer = fresh_layer()
        there = ResyncingPubSubChannelLayer(hosts=[settings.REDIS_URL], prefix=layer.prefix)
        try:
            watcher, joiner = await layer.new_channel(), await layer.new_channel()
            await layer.group_add("stream", watcher)

            async def stream():
                for n in range(300):
                    await there.group_send_many(
                        [("stream", {"type": "x", "n": n}), ("stream", {"type": "x", "n": -n})]
                    )

            async def churn():
                for i in range(20):
                    await layer.group_add(f"side{i}", joiner)
                    if i % 2:
                        await layer.group_discard(f"side{i - 1}", joiner)

            await asyncio.gather(stream(), churn())
            await there.group_send("side19", {"type": "y", "n": 19})
            got = [await asyncio.wait_for(layer.receive(watcher), 5) for _ in range(600)]
            side = await asyncio.wait_for(layer.receive(joiner), 5)
            return [e["n"] for e in got], {e["type"] for e in got}, side
        finally:
            await layer.flush()
            await there.flush()

    numbers, types, side = run(scenario())
    assert numbers == [m for n in range(300) for m in (n, -n)]
    assert types == {"x"}  # no layer.resync among them
    assert side == {"type": "y", "n": 19}


def test_a_groups_members_in_the_publishing_process_get_its_events_without_redis():
    """A group event reaches this process's members when it is published, not back from Redis
    (an operator in the visitor's process sees the message one round trip sooner): it is
    there even when the publish itself fails. Redis's copy of it is dropped here, members
    in another process get it once, and every member sees the event as it was published."""
    import redis.asyncio

    from apps.core.layers import ResyncingPubSubChannelLayer

    async def scenario():
        here = fresh_layer()
        there = ResyncingPubSubChannelLayer(hosts=[settings.REDIS_URL], prefix=here.prefix)
        try:
            near, far = await here.new_channel(), await there.new_channel()
            await here.group_add("inbox.1", near)
            await there.group_add("inbox.1", far)
            sent = {"type": "inbox.conversation", "n": 1, "tags": ["a"]}
            await here.group_send_many([("inbox.1", sent)])
            first_near = await asyncio.wait_for(here.receive(near), 5)
            first_far = await asyncio.wait_for(there.receive(far), 5)
            wide = {"type": "inbox.conversation", **{f"k{n}": n for n in range(20)}}
            await here.group_send_many([("inbox.1", wide)])  # a map of 16 keys or more
            wide_near = await asyncio.wait_for(here.receive(near), 5)
            wide_far = await asyncio.wait_for(there.receive(far), 5)

            # Publishing now fails (Redis unreachable for this process's publisher).
            shard = here._get_layer()._shards[0]
            working, shard._redis = shard._redis, redis.asyncio.Redis(port=1)
            publisher, shard._publisher = shard._publisher, None  # made anew, from port 1
            try:
                with pytest.raises(redis.exceptions.ConnectionError):
                    await here.group_send_many(
                        [("inbox.1", {"type": "inbox.conversation", "n": 2})]
                    )
            finally:
                await shard._redis.aclose()
                shard._redis, shard._publisher = working, publisher
            second_near = await asyncio.wait_for(here.receive(near), 5)
            with pytest.raises(TimeoutError):  # nothing twice here, nothing of n=2 there
                await asyncio.wait_for(here.receive(near), 0.5)
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(there.receive(far), 0.2)
            return first_near, first_far, wide_near == wide_far == wide, second_near
        finally:
            await here.flush()
            await there.flush()

    first_near, first_far, wide_arrived_whole, second_near = run(scenario())
    assert first_near == first_far == {"type": "inbox.conversation", "n": 1, "tags": ["a"]}
    assert wide_arrived_whole
    assert second_near == {"type": "inbox.conversation", "n": 2}


def test_a_publish_after_redis_dropped_the_connection_still_arrives():
    """The publishing connection is kept between pipelines; when Redis has dropped it (a
    restart, a client kill), the next publish finds it broken and goes out on a new one."""
    import redis.asyncio

    from apps.core.layers import ResyncingPubSubChannelLayer

    async def scenario():
        here = fresh_layer()
        there = ResyncingPubSubChannelLayer(hosts=[settings.REDIS_URL], prefix=here.prefix)
        admin = redis.asyncio.Redis.from_url(settings.REDIS_URL)
        try:
            far = await there.new_channel()
            await there.group_add("inbox.1", far)
            await here.group_send("inbox.1", {"type": "x", "n": 1})
            first = await asyncio.wait_for(there.receive(far), 5)
            # Every ordinary connection but the admin's: the publisher's among them (the
            # subscribers are of the pub/sub kind and stay).
            killed = await admin.client_kill_filter(_type="normal", skipme=True)
            await here.group_send("inbox.1", {"type": "x", "n": 2})
            second = await asyncio.wait_for(there.receive(far), 5)
            return first["n"], killed >= 1, second["n"]
        finally:
            await admin.aclose()
            await here.flush()
            await there.flush()

    assert run(scenario()) == (1, True, 2)


def test_a_redis_that_never_answers_fails_the_publish_at_its_deadline_once():
    """A Redis that accepts the connection and then says nothing (a stub on loopback): the
    publish fails after the socket timeout, once (not sent again: Redis might have it), and
    the waiting caller is told."""
    from apps.core.layers import ResyncingPubSubChannelLayer

    async def scenario():
        connections = []

        async def silent(reader, writer):
            connections.append(writer)
            await reader.read(-1)  # until the client goes away

        stub = await asyncio.start_server(silent, "127.0.0.1", 0)
        port = stub.sockets[0].getsockname()[1]
        layer = ResyncingPubSubChannelLayer(
            hosts=[{"address": f"redis://127.0.0.1:{port}/0", "socket_timeout": 0.5}],
            prefix="silent",
        )
        started = asyncio.get_running_loop().time()
        try:
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(layer.group_send("g", {"type": "x"}), 10)
            return asyncio.get_running_loop().time() - started, len(connections)
        finally:
            await layer.flush()
            stub.close()

    took, connections = run(scenario())
    assert took >= 0.4 and connections == 1  # waited for its deadline, then gave up
