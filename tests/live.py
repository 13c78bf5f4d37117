"""Real ASGI servers (the web process, ``python -m config.serve``) for socket and browser tests.

``start_server()`` starts the web process, as deployed, on a free loopback port against the
test database (committed data: use ``transactional_db``) and, when REDIS_URL is set, the same
Redis channel layer as the test process, so several servers share the work as in production.
"""

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_database_url() -> str:
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{conf['NAME']}"
    user = conf.get("USER") or ""
    password = f":{conf['PASSWORD']}" if conf.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    port = f":{conf['PORT']}" if conf.get("PORT") else ""
    return f"postgres://{auth}{conf.get('HOST') or '127.0.0.1'}{port}/{conf['NAME']}"


class Server:
    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process = process
        self.port = port
        self.log = log
        self.url = f"http://127.0.0.1:{port}"
        self.ws = f"ws://127.0.0.1:{port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def kill(self) -> None:
        """A crash, not a shutdown."""
        self.process.kill()
        self.process.wait(10)


def start_server(**env: str) -> Server:
    port = free_port()
    log = ROOT / "test-artifacts" / f"web-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    layer = settings.CHANNEL_LAYERS["default"]
    full_env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "RATELIMIT_ENABLE": "0",
        # Counters of this server only: nothing carried over from earlier runs in Redis.
        "CACHE_PREFIX": f"t{uuid.uuid4().hex[:10]}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # Event handlers and jobs run in the web process after commit, as on the embedded
        # defaults; a test about the worker starts one (tests/core/conftest.py).
        "CELERY_TASK_ALWAYS_EAGER": "1",
        **({"CHANNELS_PREFIX": layer["CONFIG"]["prefix"]} if "CONFIG" in layer else {}),
        **env,
    }
    full_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "config.serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env=full_env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    server = Server(process, port, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the web process exited: {log.read_text()[-2000:]}")
        try:
            with urlopen(f"{server.url}/healthz", timeout=2):  # noqa: S310 (loopback)
                return server
        except Exception:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the web process did not start: {log.read_text()[-2000:]}")


@contextmanager
def asgi_servers(count: int = 1, **env: str):
    servers = [start_server(**env) for _ in range(count)]
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


class FlakyNetwork:
    """A TCP relay to the web process whose line can be cut.

    ``cut()``: every open connection through it drops at once (the browser's WebSocket closes),
    and new connections are accepted but get no answer until ``restore()``, as on a network that
    is down. After ``restore()`` the waiting connections go through.
    """

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.up = threading.Event()
        self.up.set()
        self.closed = False
        self.lock = threading.Lock()
        self.pairs: set[tuple[socket.socket, socket.socket]] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _addr = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        self.up.wait()
        if self.closed:
            client.close()
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=10)
            upstream.settimeout(None)
        except OSError:
            client.close()
            return
        pair = (client, upstream)
        with self.lock:
            self.pairs.add(pair)
        threading.Thread(target=self._pipe, args=(upstream, client, pair), daemon=True).start()
        self._pipe(client, upstream, pair)

    def _pipe(self, src: socket.socket, dst: socket.socket, pair) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        self._drop(pair)

    def _drop(self, pair) -> None:
        with self.lock:
            self.pairs.discard(pair)
        for sock in pair:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()

    def cut(self) -> None:
        self.up.clear()
        with self.lock:
            pairs = list(self.pairs)
        for pair in pairs:
            self._drop(pair)

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.closed = True
        self.up.set()
        with contextlib.suppress(OSError):
            self.listener.close()
        self.cut()
