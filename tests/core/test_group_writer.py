"""Group commit (apps.core.adb.GroupWriter): items that arrive while every lane is busy go
together in the next statement; each caller gets its own result or its own error; items of
one key never go together or at the same time. ``write`` here stands for the statement: it
records what it was given and waits until the test lets it finish."""

import asyncio

import pytest

from apps.core.adb import GroupWriter
from tests.utils import run


class Statement:
    """A ``write`` whose calls stay on their way until ``finish()``; an item ``"bad"`` makes a
    call with it fail."""

    def __init__(self):
        self.calls: list[list] = []
        self.running: list[list] = []  # calls on their way now
        self.most_at_once = 0
        self.gate = asyncio.Event()

    async def __call__(self, items: list) -> list:
        self.calls.append(list(items))
        self.running.append(items)
        self.most_at_once = max(self.most_at_once, len(self.running))
        try:
            await self.gate.wait()
        finally:
            self.running.remove(items)
        if "bad" in items:
            raise ValueError("bad item")
        return [f"stored {item}" for item in items]

    def finish(self) -> None:
        self.gate.set()


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def one_on_its_way():
    """A one-lane writer whose first item (``"first"``, key ``"a"``) is on its way."""
    statement = Statement()
    writer = GroupWriter(statement, lanes=1)
    first = asyncio.ensure_future(writer.submit("a", "first"))
    await settle()
    return statement, writer, first


def test_items_that_arrive_while_a_statement_is_on_its_way_go_together_in_the_next():
    async def scenario():
        statement = Statement()
        writer = GroupWriter(statement)
        calls = [asyncio.ensure_future(writer.submit(f"k{n}", f"m{n}")) for n in range(10)]
        await settle()
        assert statement.calls == [["m0"]]  # the first went at once, alone; the others wait
        statement.finish()
        results = await asyncio.gather(*calls)
        return statement, writer, results

    statement, writer, results = run(scenario())
    assert results == [f"stored m{n}" for n in range(10)]  # each its own, whatever the batch
    assert statement.calls[1] == [f"m{n}" for n in range(1, 10)]  # in the order handed in
    assert (writer.statements, writer.items) == (2, 10)
    assert statement.most_at_once == 1


def test_a_slow_statement_does_not_hold_up_the_items_behind_it():
    async def scenario():
        statement = Statement()
        writer = GroupWriter(statement, lanes=2, slow=0.05)
        first = asyncio.ensure_future(writer.submit("a", "slow"))
        await settle()
        behind = [asyncio.ensure_future(writer.submit(key, key)) for key in ("b", "c")]
        await settle()
        seen_at_once = [list(call) for call in statement.calls]
        await asyncio.sleep(0.15)  # the first is slow now: the second lane takes b and c
        seen_later = [list(call) for call in statement.calls]
        last = asyncio.ensure_future(writer.submit("d", "d"))
        await asyncio.sleep(0.15)
        seen_with_both_lanes_busy = [list(call) for call in statement.calls]
        statement.finish()
        results = await asyncio.gather(first, *behind, last)
        return seen_at_once, seen_later, seen_with_both_lanes_busy, statement, results

    seen_at_once, seen_later, seen_with_both_lanes_busy, statement, results = run(scenario())
    assert seen_at_once == [["slow"]]  # not slow yet: they wait for it, to go together
    assert seen_later == [["slow"], ["b", "c"]]
    assert seen_with_both_lanes_busy == seen_later  # two lanes at most
    assert statement.calls[-1] == ["d"] and statement.most_at_once == 2
    assert results == ["stored slow", "stored b", "stored c", "stored d"]


def test_a_quiet_writer_sends_each_item_at_once_alone():
    async def scenario():
        statement = Statement()
        statement.finish()
        writer = GroupWriter(statement, lanes=1)
        return statement, [await writer.submit(n, n) for n in range(3)]

    statement, results = run(scenario())
    assert statement.calls == [[0], [1], [2]]
    assert results == ["stored 0", "stored 1", "stored 2"]


def test_a_failed_statement_of_several_items_is_retried_item_by_item():
    async def scenario():
        statement, writer, first = await one_on_its_way()
        rest = [asyncio.ensure_future(writer.submit(key, key)) for key in ("x", "bad", "y")]
        await settle()
        statement.finish()
        return statement, await first, await asyncio.gather(*rest, return_exceptions=True)

    statement, first, (x, bad, y) = run(scenario())
    assert first == "stored first"
    assert x == "stored x" and y == "stored y"  # written again alone, and stored
    assert isinstance(bad, ValueError)  # only its own caller hears of it
    assert statement.calls == [["first"], ["x", "bad", "y"], ["x"], ["bad"], ["y"]]


def test_a_key_is_never_in_two_statements_at_once_and_keeps_its_order():
    async def scenario():
        statement = Statement()
        writer = GroupWriter(statement, lanes=3, slow=0)  # every lane at once
        # One visitor's three tabs and two other visitors, all at once.
        calls = [
            asyncio.ensure_future(writer.submit(key, item))
            for key, item in [("v", "v1"), ("v", "v2"), ("w", "w1"), ("v", "v3"), ("z", "z1")]
        ]
        await settle()
        seen_while_running = [list(items) for items in statement.running]
        statement.finish()
        await asyncio.gather(*calls)
        return statement, seen_while_running

    statement, seen_while_running = run(scenario())
    # v1 went alone, and v2 and v3 waited for it while w1 and z1 took the free lanes.
    assert seen_while_running == [["v1"], ["w1"], ["z1"]]
    order = [item for call in statement.calls for item in call if item.startswith("v")]
    assert order == ["v1", "v2", "v3"]
    for call in statement.calls:
        keys = [item[0] for item in call]
        assert len(keys) == len(set(keys))  # never two items of one key together


def test_a_caller_that_gives_up_while_waiting_is_not_written_and_others_are():
    async def scenario():
        statement, writer, first = await one_on_its_way()
        gives_up = asyncio.ensure_future(writer.submit("b", "gives up"))
        stays = asyncio.ensure_future(writer.submit("c", "stays"))
        await settle()
        gives_up.cancel()
        await settle()
        statement.finish()
        with pytest.raises(asyncio.CancelledError):
            await gives_up
        return statement, writer, await first, await stays

    statement, writer, first, stays = run(scenario())
    assert (first, stays) == ("stored first", "stored stays")
    assert statement.calls == [["first"], ["stays"]]
    assert writer.running == 0 and not writer.busy and not writer.waiting
