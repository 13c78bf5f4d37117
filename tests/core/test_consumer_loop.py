"""The consumers' own message loop (apps.core.consumers.JsonFrameConsumer.__call__): frames from
the socket and events from the channel layer are handled one at a time, in the order each
source delivers them, and the consumer ends cleanly when the socket goes."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from apps.core.consumers import JsonFrameConsumer


class Probe(JsonFrameConsumer):
    """Records what it handles and how many handlers ran at once."""

    log: list
    running = 0
    most_at_once = 0

    async def connect(self):
        await self.accept()
        await self.send_frame("channel", name=self.channel_name)

    async def _handle(self, tag: str) -> None:
        type(self).running += 1
        type(self).most_at_once = max(type(self).most_at_once, type(self).running)
        await asyncio.sleep(0.02)  # a handler that waits (the database, say)
        type(self).log.append(tag)
        type(self).running -= 1

    async def frame_work(self, frame: dict) -> None:
        await self._handle(f"frame {frame['n']}")
        await self.send_frame("done", n=frame["n"])

    async def probe_event(self, event: dict) -> None:
        await self._handle(f"event {event['n']}")

    async def disconnect(self, code):
        type(self).log.append("disconnected")


def test_frames_and_layer_events_are_handled_one_at_a_time_in_order(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    Probe.log, Probe.running, Probe.most_at_once = [], 0, 0

    async def all_events_handled() -> None:
        while sum(entry.startswith("event") for entry in Probe.log) < 5:
            await asyncio.sleep(0.01)

    async def scenario():
        communicator = WebsocketCommunicator(Probe.as_asgi(), "/probe/")
        connected, _ = await communicator.connect()
        assert connected
        channel = (await communicator.receive_json_from())["name"]
        layer = get_channel_layer()
        for n in range(5):
            await communicator.send_json_to({"type": "work", "n": n})
            await layer.send(channel, {"type": "probe.event", "n": n})
        done = [(await communicator.receive_json_from(timeout=5))["n"] for _ in range(5)]
        await asyncio.wait_for(all_events_handled(), timeout=5)
        await communicator.disconnect()
        return done

    # A loop of its own in a thread of its own, with a bound on how long the test waits for it.
    with ThreadPoolExecutor(1) as pool:
        done = pool.submit(asyncio.run, scenario()).result(timeout=30)
    assert done == [0, 1, 2, 3, 4]
    assert Probe.most_at_once == 1  # never two handlers at once
    frames = [e for e in Probe.log if e.startswith("frame")]
    events = [e for e in Probe.log if e.startswith("event")]
    assert frames == [f"frame {n}" for n in range(5)]
    assert events == [f"event {n}" for n in range(5)]
    assert Probe.log[-1] == "disconnected"
