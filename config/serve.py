"""The web process: uvicorn serving HTTP and WebSockets for ``config.asgi``.

    python -m config.serve [--host 0.0.0.0] [--port 8000] [--workers N]

One command for every place that runs the web process (the image, Compose, ``scripts/run``,
the test suite's live servers and the benchmarks), so that they all run the same server with the
same settings. uvicorn was chosen over daphne by measurement: 15-25 % less CPU per chat message
(docs/performance.md, "Method": `python -m bench --servers uvicorn,daphne`).

The settings that differ from uvicorn's defaults, and why:

- Keepalive: every socket is pinged every 50 s and dropped when the pong is 30 s late
  (``WS_PING_INTERVAL_S``, ``WS_PING_TIMEOUT_S``), so a peer that vanished without closing
  (a phone that lost its network) frees its socket. Clients ping too (docs/widget-protocol.md):
  their pings carry the application's heartbeat.
- No permessage-deflate: chat frames are a few hundred bytes, and each compressed socket would
  keep about 40 KB of zlib state (with uvicorn's 4 KB windows) for as long as a visitor has a
  page open.
- Frames up to 1 MiB reach the application, which refuses anything over
  ``CHAT_FRAME_MAX_BYTES`` with an error frame; larger ones close the socket (1009).
- Client address and scheme are the TCP peer's: ``X-Forwarded-*`` is read by Django only where
  the settings say so (``RATELIMIT_IP_META_KEY``, ``BEHIND_TLS_PROXY``), never by the server.
- No access log by default (``ACCESS_LOG=1`` turns it on): the load balancer keeps one, and a
  line per page view would hold each visitor's address.
- uvloop's event loop and httptools' HTTP parser, which uvicorn uses when they are installed
  (both are dependencies): 8-13 % less CPU per chat message than Python's own.
- No ``Server`` header. The lifespan protocol starts the periodic jobs in the web process on
  the embedded defaults (``config.asgi``).
- uvicorn's own public options only: no subclass of its protocols.
- On shutdown, open sockets are closed with 1012 (the clients reconnect to another process) and
  requests in flight get ``GRACEFUL_SHUTDOWN_S`` seconds (8) to finish.
"""

import argparse
import os

PING_INTERVAL_S = float(os.environ.get("WS_PING_INTERVAL_S", "50"))
PING_TIMEOUT_S = float(os.environ.get("WS_PING_TIMEOUT_S", "30"))
WS_MAX_SIZE = 1 << 20


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def server_options(**overrides) -> dict:
    """uvicorn's keyword arguments for Sohbet's web process."""
    options = {
        "ws": "websockets-sansio",
        "ws_ping_interval": PING_INTERVAL_S,
        "ws_ping_timeout": PING_TIMEOUT_S,
        "ws_per_message_deflate": False,
        "ws_max_size": WS_MAX_SIZE,
        "lifespan": "auto",
        "proxy_headers": False,
        "server_header": False,
        "access_log": _env_flag("ACCESS_LOG"),
        "timeout_graceful_shutdown": int(os.environ.get("GRACEFUL_SHUTDOWN_S", "8")),
    }
    options.update(overrides)
    return options


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m config.serve", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("WEB_CONCURRENCY", "1")),
        help="processes sharing the port (WEB_CONCURRENCY); one per core at most",
    )
    parser.add_argument("--log-level", default=os.environ.get("LOG_LEVEL", "info").lower())
    # For the benchmarks: the raw baseline runs under exactly the same server settings.
    parser.add_argument("--app", default="config.asgi:application", help=argparse.SUPPRESS)
    parser.add_argument("--ws", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--loop", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--http", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import uvicorn

    overrides = {k: v for k, v in (("ws", args.ws), ("loop", args.loop), ("http", args.http)) if v}
    uvicorn.run(
        args.app,
        host=args.host,
        port=args.port,
        workers=args.workers if args.workers > 1 else None,
        log_level=args.log_level,
        **server_options(**overrides),
    )


if __name__ == "__main__":
    main()
