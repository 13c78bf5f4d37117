"""PostgreSQL from the event loop, for the few hot statements a socket runs itself.

Django's ORM is synchronous: a consumer runs it in a worker thread (``ScopedConsumer.run``),
which costs a hop there and back and makes the event loop and the thread take turns on the GIL;
under load each turn waits for the other's switch interval. The chat message's common case is
one hand-written statement (apps.conversations.message_sql), so it runs here instead: psycopg's
async connection, from a small pool per event loop, in autocommit, with server-side parameters
(prepared after a few uses). Everything else keeps Django's connections. docs/performance.md,
item 37. ``ASYNC_DB_POOL_MAX=0`` turns it off (every statement then goes through Django).
Under load the messages go together (``GroupWriter``, group commit: item 60).
"""

import asyncio
import collections
import functools
import time
import weakref

from django.conf import settings
from django.db import connections
from psycopg import AsyncConnection, OperationalError
from psycopg.pq import TransactionStatus
from psycopg_pool import AsyncConnectionPool

APPLICATION_NAME = "sohbet-loop"  # how these connections show in pg_stat_activity

_pools: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncConnectionPool]" = (
    weakref.WeakKeyDictionary()
)
_lenders: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Lender]" = (
    weakref.WeakKeyDictionary()
)
_opening: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Future]" = (
    weakref.WeakKeyDictionary()
)


@functools.cache
def django_connection():
    """A Django connection object of the default database for what its methods compute on
    the event loop (the vendor, adapting values to parameters, decoding values); it never
    connects. ``connections["default"]`` there would make a new one for every socket's
    context (asgiref's ``Local``), kept as long as the socket: 3.5 KB per presence socket
    (docs/performance.md, item 46)."""
    return connections.create_connection("default")


def available() -> bool:
    """Whether statements may run from the event loop: PostgreSQL, and not turned off."""
    return django_connection().vendor == "postgresql" and settings.ASYNC_DB_POOL_MAX > 0


def _connection_kwargs() -> dict:
    """Django's own connection parameters (the same server, database and credentials, the
    test database in tests), without what only Django's sync connections use."""
    params = connections["default"].get_connection_params()
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    # Timestamps come back aware and in UTC, as from Django's connections.
    # One plan per statement and connection (docs/performance.md, item 52): under PostgreSQL's
    # default, the chat statement's writable CTEs were planned afresh on every execution.
    params["options"] = (
        f"{params.get('options', '')} -c TimeZone=UTC -c plan_cache_mode=force_generic_plan"
    ).strip()
    params["application_name"] = APPLICATION_NAME
    return params


async def _configure(conn: AsyncConnection) -> None:
    await conn.set_autocommit(True)  # each statement is its own transaction


async def pool() -> AsyncConnectionPool:
    """This event loop's pool, opened on first use."""
    loop = asyncio.get_running_loop()
    found = _pools.get(loop)
    if found is None:
        found = AsyncConnectionPool(
            kwargs=_connection_kwargs(),
            min_size=min(settings.ASYNC_DB_POOL_MIN, settings.ASYNC_DB_POOL_MAX),
            max_size=settings.ASYNC_DB_POOL_MAX,
            timeout=settings.ASYNC_DB_POOL_TIMEOUT,
            configure=_configure,
            open=False,
            name="sohbet-loop",
        )
        # Kept before it is open, so that callers meanwhile wait for the same opening.
        _pools[loop] = found
        _opening[loop] = asyncio.ensure_future(found.open())
    opening = _opening.get(loop)
    if opening is not None:
        try:
            await asyncio.shield(opening)
        except Exception:
            if _pools.get(loop) is found:  # the next caller tries afresh
                _pools.pop(loop, None)
                _opening.pop(loop, None)
            raise
        _opening.pop(loop, None)
    return found


RETURN_AFTER = 300.0  # seconds a connection stays out of the pool before it goes back once


class _Lender:
    """A loop's connections, lent from a plain list. psycopg_pool's ``connection()`` (a
    generator context manager, a lock, its statistics and logging, each way) cost a chat
    message 5-9 % of its CPU; the pool still opens the connections, configures them and
    replaces broken ones, and this keeps up to ``size`` of them taken out of it
    (docs/performance.md, item 49)."""

    def __init__(self, found: AsyncConnectionPool, size: int):
        self.pool, self.size = found, size
        self.idle: list[AsyncConnection] = []
        self.taken = 0  # out of the pool: idle here, or lent
        self.since: dict[int, float] = {}  # id(connection): when it was taken out
        self.waiting: collections.deque[asyncio.Future] = collections.deque()

    async def lend(self) -> AsyncConnection:
        while True:
            if self.idle:
                return self.idle.pop()
            if self.taken < self.size:
                self.taken += 1
                try:
                    conn = await self.pool.getconn()
                    self.since[id(conn)] = time.monotonic()
                    return conn
                except BaseException:
                    self.taken -= 1
                    self._hand(None)
                    raise
            waiter = asyncio.get_running_loop().create_future()
            self.waiting.append(waiter)
            try:
                conn = await waiter
            except asyncio.CancelledError:
                if waiter.done() and not waiter.cancelled() and waiter.result() is not None:
                    self._hand(waiter.result())  # handed over as the waiter was cancelled
                raise
            if conn is not None:
                return conn
            # None: a place came free (a broken connection went back to the pool).

    async def give_back(self, conn: AsyncConnection) -> None:
        broken = conn.closed or conn.info.transaction_status != TransactionStatus.IDLE
        if broken or time.monotonic() - self.since[id(conn)] > RETURN_AFTER:
            # Broken: the pool closes it and opens another. Lent for long: back to the pool
            # now and then, so that its age limit (max_lifetime) applies.
            try:
                await self._put(conn)
            finally:
                self._hand(None)  # a waiter takes the freed place
        else:
            self._hand(conn)

    async def _put(self, conn: AsyncConnection) -> None:
        self.taken -= 1
        self.since.pop(id(conn), None)
        await self.pool.putconn(conn)

    def _hand(self, conn: AsyncConnection | None) -> None:
        """To the first live waiter; a connection nobody waits for goes to the idle list."""
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        if conn is not None:
            self.idle.append(conn)

    async def release_idle(self) -> None:
        """Give the idle connections back to the pool (to be checked, or closed)."""
        idle, self.idle = self.idle, []
        for conn in idle:
            await self._put(conn)


async def _lender() -> _Lender:
    loop = asyncio.get_running_loop()
    found = _lenders.get(loop)
    if found is None:
        opened = await pool()
        found = _lenders.get(loop)  # another caller's, made while this one waited
        if found is None:
            found = _lenders[loop] = _Lender(opened, settings.ASYNC_DB_POOL_MAX)
    return found


async def close() -> None:
    """Close this event loop's pool (tests; a process's pools go with it)."""
    loop = asyncio.get_running_loop()
    _opening.pop(loop, None)
    lender = _lenders.pop(loop, None)
    if lender is not None:
        await lender.release_idle()
    found = _pools.pop(loop, None)
    if found is not None:
        await found.close()


async def fetchone(sql: str, params: list):
    """Run one statement (it commits by itself) and return its first row. On a connection the
    server dropped, the loop's other idle connections are checked (and replaced) before the
    error is raised: after a database restart one statement fails, not one per connection."""
    return await _run(sql, params, many=False)


async def fetchall(sql: str, params: list) -> list:
    """``fetchone``, returning every row."""
    return await _run(sql, params, many=True)


async def _run(sql: str, params: list, *, many: bool):
    lender = _lenders.get(asyncio.get_running_loop()) or await _lender()
    conn = await lender.lend()
    try:
        cursor = await conn.execute(sql, params)
        return await (cursor.fetchall() if many else cursor.fetchone())
    except OperationalError:
        await lender.release_idle()
        await lender.pool.check()
        raise
    finally:
        await lender.give_back(conn)


class GroupWriter:
    """Group commit for one kind of statement that can write many items at once.

    PostgreSQL spends most of a small write statement's CPU on the statement, not on its rows:
    the chat message's statement cost it 380-430 µs for one message and 130 µs a message for
    eight at once (docs/performance.md, item 60). So a caller hands in its item and waits:
    when no statement is on its way, its item goes at once, alone (no wait when the server is
    quiet); otherwise it waits for that statement, and every item that waited meanwhile goes
    in the next one (up to ``most``). The busier the server, the larger the statements, and the
    less each item costs. One statement at a time, except when the one on its way is slow
    (over ``slow`` seconds: a lock wait, a stalled disk): then another starts, up to ``lanes``,
    so that one slow statement does not hold up everything behind it.

    ``write(items)`` runs one statement for a list of items and returns one result per item,
    in their order. Items with the same ``key`` are never written together or at the same time,
    and go in the order they were handed in (a visitor's messages from two tabs, say). When a
    statement of several items fails, each is written again alone, so that an error reaches
    only the caller whose item caused it.
    """

    def __init__(self, write, *, lanes: int = 2, slow: float = 0.02, most: int = 64):
        self.write, self.lanes, self.slow, self.most = write, lanes, slow, most
        self.started: dict[object, float] = {}  # each statement on its way: when it started
        self.busy: set = set()  # keys of the items in them
        self.waiting: collections.deque = collections.deque()  # (key, item, future)
        self.statements = self.items = 0  # counted, for tests and the benchmarks
        self.tasks: set[asyncio.Task] = set()
        self.timer: asyncio.TimerHandle | None = None

    @property
    def running(self) -> int:
        """Statements on their way."""
        return len(self.started)

    async def submit(self, key, item):
        """Write ``item`` (in a statement of its own or with others); return its result."""
        if not self.started and not self.waiting and key not in self.busy:
            token = object()
            self.started[token] = asyncio.get_running_loop().time()
            self.busy.add(key)
            try:
                self.statements += 1
                self.items += 1
                return (await self.write([item]))[0]
            finally:
                self.busy.discard(key)
                del self.started[token]
                self._start()
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((key, item, future))
        self._start()
        return await future

    def _start(self) -> None:
        """Start a statement for the waiting items when a lane is free."""
        loop = asyncio.get_running_loop()
        while self.waiting:
            if self.started:
                if len(self.started) >= self.lanes:
                    return  # a statement that ends starts the next
                wait = self.slow - (loop.time() - max(self.started.values()))
                if wait > 0:  # the newest one on its way is not slow (yet): look again then
                    if self.timer is None:
                        self.timer = loop.call_later(wait, self._look_again)
                    return
            batch = self._take()
            if not batch:
                return  # every waiting item's key is on its way: its statement starts this
            token = object()
            self.started[token] = loop.time()
            task = asyncio.ensure_future(self._write(batch, token))
            self.tasks.add(task)  # held until done (the loop keeps only a weak reference)
            task.add_done_callback(self.tasks.discard)

    def _look_again(self) -> None:
        self.timer = None
        self._start()

    def _take(self) -> list:
        batch, keys, left = [], set(), collections.deque()
        while self.waiting and len(batch) < self.most:
            entry = self.waiting.popleft()
            key, _item, future = entry
            if future.done():
                continue  # its caller gave up (cancelled) before it went
            if key in self.busy or key in keys:
                left.append(entry)  # after the one on its way
            else:
                keys.add(key)
                batch.append(entry)
        left.extend(self.waiting)
        self.waiting = left
        self.busy |= keys
        return batch

    async def _write(self, batch: list, token: object) -> None:
        try:
            await self._write_batch(batch)
        except BaseException:
            for _key, _item, future in batch:
                future.cancel()  # the loop is closing (settled ones stay as they are)
            raise
        finally:
            self.busy.difference_update(key for key, _item, _future in batch)
            del self.started[token]
            self._start()

    async def _write_batch(self, batch: list) -> None:
        self.statements += 1
        self.items += len(batch)
        try:
            results = await self.write([item for _key, item, _future in batch])
        except Exception as error:
            if len(batch) == 1:
                _settle(batch[0][2], error=error)
                return
            for _key, item, future in batch:  # alone, so that each gets its own error only
                self.statements += 1
                try:
                    result = (await self.write([item]))[0]
                except Exception as own:
                    _settle(future, error=own)
                else:
                    _settle(future, result=result)
            return
        for (_key, _item, future), result in zip(batch, results, strict=True):
            _settle(future, result=result)


def _settle(future: asyncio.Future, *, result=None, error: BaseException | None = None) -> None:
    if future.done():
        return  # its caller was cancelled meanwhile; the item is written all the same
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
