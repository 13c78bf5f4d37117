"""What every benchmark shares: the bench database, processes pinned to a core, result rows.

The servers under test run on core 0 and the load generators on core 1 (``os.sched_setaffinity``;
on a one-core machine both share it and the report says so). Everything talks to loopback only.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
SERVER_CPU = 0
LOAD_CPU = 1
BENCH_DB = os.environ.get("BENCH_DB_NAME", "sohbet_bench")


@dataclass
class Row:
    """One line of the result table."""

    id: str  # "B1"
    figure: str  # what was measured, e.g. "p99 delivery @ 200 msg/s"
    value: float | None  # Sohbet's figure
    unit: str  # "ms", "msg/s", "KB", ...
    baseline: float | None = None  # the raw baseline's figure in the same run
    target: str = ""  # e.g. "≤ 3× baseline"
    ok: bool | None = None  # target met (None: informational)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.baseline:
            return None
        return self.value / self.baseline

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio}


@dataclass
class Env:
    quick: bool
    database_url: str  # the bench database (created fresh)
    admin_database_url: str  # the server's maintenance database, for CREATE/DROP
    redis_url: str
    out_dir: Path
    cpus: int = field(default_factory=lambda: len(os.sched_getaffinity(0)))
    # Tiny sizes that only show every benchmark still runs end to end (the test suite's check,
    # tests/core/test_bench_command.py); its figures mean nothing.
    smoke: bool = False

    def size(self, *, full, quick, smoke):
        return smoke if self.smoke else quick if self.quick else full

    @classmethod
    def from_environment(cls, quick: bool, out_dir: Path, smoke: bool = False) -> Env:
        base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
        if not base.startswith(("postgres://", "postgresql://")):
            raise SystemExit("The benchmarks need PostgreSQL: set DATABASE_URL=postgres://...")
        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        parts = urlsplit(base)
        admin = urlunsplit(parts._replace(path="/postgres"))
        bench = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
        # A Redis database of its own, so nothing left by the app or the tests mixes in.
        redis_parts = urlsplit(redis_url)
        redis_bench = urlunsplit(redis_parts._replace(path="/9"))
        out_dir.mkdir(parents=True, exist_ok=True)
        return cls(quick or smoke, bench, admin, redis_bench, out_dir, smoke=smoke)

    def server_env(self, **extra: str) -> dict[str, str]:
        """The environment of a Sohbet process under test."""
        env = {
            **os.environ,
            # Production mode, as deployed: no debug query log, hashed static files.
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "ENCRYPTION_KEYS": "YmVuY2gtb25seS1lbmNyeXB0aW9uLWtleS0zMmJ5dGU=",
            "SECURE_SSL_REDIRECT": "0",
            "BEHIND_TLS_PROXY": "0",
            "STATIC_ROOT": str(self.out_dir / "static"),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "RATELIMIT_ENABLE": "0",  # load generators would trip the per-visitor limits
            "LOG_LEVEL": "WARNING",
            # Database connections as deployed: Django's pool (config/settings.py, DB_POOL).
            # As deployed: events and jobs go to the broker, a Celery worker runs the handlers
            # (start_worker), never the web process itself.
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "PERIODIC_JOBS_IN_WEB": "0",  # the periodic jobs run elsewhere (Celery beat)
            **extra,
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pin(cpu: int):
    """A ``preexec_fn`` that pins the child to one core (when the machine has it)."""

    def apply() -> None:
        available = os.sched_getaffinity(0)
        if cpu in available and len(available) > 1:
            os.sched_setaffinity(0, {cpu})

    return apply


class Proc:
    def __init__(self, popen: subprocess.Popen, port: int | None, log: Path):
        self.popen = popen
        self.port = port
        self.log = log
        self.ready_url: str | None = None
        self.timeout = 60.0

    @property
    def pid(self) -> int:
        return self.popen.pid

    def wait_ready(self) -> Proc:
        """Until ``ready_url`` answers (servers started with ``wait=False`` start together)."""
        deadline = time.monotonic() + self.timeout
        while True:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.popen.args[0]} exited: {self.log.read_text()[-3000:]}")
            try:
                with urlopen(self.ready_url, timeout=2):  # noqa: S310 (loopback)
                    return self
            except Exception:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"not ready: {self.log.read_text()[-3000:]}") from None
                time.sleep(0.2)

    def stop(self, *, graceful: bool = True) -> None:
        """SIGTERM and the server's graceful shutdown; ``graceful=False``: SIGKILL, for a
        server whose figures are taken and whose goodbyes nobody measures."""
        if self.popen.poll() is None:
            if not graceful:
                self.popen.kill()
                self.popen.wait(15)
                return
            self.popen.terminate()
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)


def start(
    cmd: list[str],
    *,
    env: dict,
    cpu: int | None,
    log: Path,
    port: int | None = None,
    ready_url: str | None = None,
    timeout: float = 60,
    wait: bool = True,
) -> Proc:
    proc = Proc(
        subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            preexec_fn=pin(cpu) if cpu is not None else None,
        ),
        port,
        log,
    )
    proc.ready_url, proc.timeout = ready_url, timeout
    if ready_url and wait:
        proc.wait_ready()
    return proc


# daphne, for comparison, with the keepalive the web process uses (the server pings a socket only
# after 50 s without a frame from it, so the clients' own pings spare it protocol pings as well).
DAPHNE_KEEPALIVE = ("--ping-interval", "50", "--ping-timeout", "30")

# "uvicorn" is the web process as deployed (``python -m config.serve``: the same keepalive, no
# permessage-deflate, websockets' sans-I/O protocol); the others are the same with one setting
# changed: websockets' legacy protocol, or Python's own event loop and HTTP parser.
UVICORN_VARIANTS = {
    "uvicorn": (),
    "uvicorn-legacy": ("--ws", "websockets"),
    "uvicorn-asyncio": ("--loop", "asyncio", "--http", "h11"),
}
SERVERS = ("daphne", *UVICORN_VARIANTS)
DEFAULT_SERVER = "uvicorn"


def asgi_command(server: str, app: str, port: int) -> list[str]:
    if server == "daphne":
        return [
            sys.executable,
            "-m",
            "daphne",
            "-v",
            "0",
            *DAPHNE_KEEPALIVE,
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            app,
        ]
    if server in UVICORN_VARIANTS:
        return [
            sys.executable,
            "-m",
            "config.serve",
            "--app",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            *UVICORN_VARIANTS[server],
        ]
    raise ValueError(server)


def start_sohbet(
    env: Env,
    *,
    server: str = DEFAULT_SERVER,
    name: str = "sohbet",
    wait: bool = True,
    **extra: str,
) -> Proc:
    """Sohbet under ``server`` on core 0."""
    port = free_port()
    return start(
        asgi_command(server, "config.asgi:application", port),
        env=env.server_env(**extra),
        cpu=SERVER_CPU,
        log=env.out_dir / f"{name}-{server}-{port}.log",
        port=port,
        ready_url=f"http://127.0.0.1:{port}/healthz",
        wait=wait,
    )


def celery_worker_command(*, pool: str = "solo", concurrency: int | None = None) -> list[str]:
    """``celery worker`` for Sohbet, quiet, without the cluster chatter a single worker does
    not need."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        f"--pool={pool}",
        *([f"--concurrency={concurrency}"] if concurrency else []),
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "warning",
    ]


def start_worker(env: Env, *, name: str = "worker") -> Proc:
    """A Celery worker for the Sohbet server's events (their handlers: the search index…), on
    the load generator's core at the lowest priority: it runs the handlers as a deployment's
    worker does, with the CPU the measurement leaves (B9 measures the worker itself)."""

    def low_priority_on_load_core() -> None:
        pin(LOAD_CPU)()
        os.nice(19)

    log = env.out_dir / f"{name}.log"
    popen = subprocess.Popen(
        celery_worker_command(),
        cwd=ROOT,
        env=env.server_env(),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        preexec_fn=low_priority_on_load_core,
    )
    return Proc(popen, None, log)


def start_baseline(
    env: Env,
    *,
    server: str = DEFAULT_SERVER,
    app: str = "baseline",
    wait: bool = True,
    cpu: int = SERVER_CPU,
) -> Proc:
    """The raw baseline (``bench/baseline.py``) or, with ``app="floor"``, the stack's floor
    (``bench/floor.py``): the same endpoints. On the server core unless ``cpu`` says
    otherwise."""
    port = free_port()
    return start(
        asgi_command(server, f"bench.{app}:application", port),
        env={**env.server_env(), "BENCH_DATABASE_URL": env.database_url},
        cpu=cpu,
        log=env.out_dir / f"{app}-{server}-{port}.log",
        port=port,
        ready_url=f"http://127.0.0.1:{port}/healthz",
        wait=wait,
    )


def run_loadgen(env: Env, scenario: str, timeout: float = 600, **options) -> dict:
    """Run ``python -m bench.loadgen`` on core 1 and return the JSON it prints last."""
    args = [sys.executable, "-m", "bench.loadgen", scenario, json.dumps(options)]
    started = time.monotonic()
    done = subprocess.run(
        args,
        cwd=ROOT,
        env=env.server_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=pin(LOAD_CPU),
    )
    if done.returncode != 0:
        raise RuntimeError(f"loadgen {scenario} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["seconds"] = round(time.monotonic() - started, 1)  # where the bench's time goes
    return result


def sustained(result: dict) -> bool:
    """B2's rule for one step of the ramp: nothing lost and p99 under 100 ms."""
    lat = result["latency_ms"]
    return (
        result["received"] >= 0.999 * result["sent"] and lat["p99"] is not None and lat["p99"] < 100
    )


def percentile(samples: list[float], p: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def summary(samples: list[float]) -> dict:
    return {
        "n": len(samples),
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "p99": percentile(samples, 99),
        "mean": statistics.fmean(samples) if samples else None,
    }
