"""``python -m bench [--quick] [--only B1,B3] [--out FILE]``: every benchmark, one table, JSON.

Needs PostgreSQL (``DATABASE_URL``, any database on the server: a fresh ``sohbet_bench`` is made)
and Redis (``REDIS_URL``; database 9 is used and flushed). See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import DEFAULT_SERVER, ROOT, SERVERS, Env, Row

TARGETS = {"B1", "B2", "B3", "B4", "B5", "B6", "B8", "B9"}


def table(rows: list[Row]) -> str:
    def fmt(value) -> str:
        if value is None:
            return "–"
        if isinstance(value, float):
            return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"
        return f"{value:,}"

    head = ["id", "figure", "Sohbet", "baseline", "ratio", "unit", "target", "ok"]
    body = [
        [
            r.id,
            r.figure,
            fmt(r.value),
            fmt(r.baseline),
            f"{r.ratio:.2f}×" if r.ratio is not None else "–",
            r.unit,
            r.target,
            {True: "yes", False: "NO", None: "–"}[r.ok],
        ]
        for r in rows
    ]
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body, strict=True)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, body)])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes; under 3 minutes")
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: checks that everything runs, no figures"
    )
    parser.add_argument("--only", default="", help="comma-separated ids, e.g. B1,B4")
    parser.add_argument("--out", default="", help="JSON result file")
    parser.add_argument("--no-compare", action="store_true", help="skip the ASGI server comparison")
    parser.add_argument(
        "--servers",
        default="",
        help=f"ASGI servers to compare (of {', '.join(SERVERS)}); default: "
        f"{DEFAULT_SERVER} in quick mode, all in the full mode",
    )
    args = parser.parse_args()
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    if unknown := set(servers) - set(SERVERS):
        parser.error(f"unknown server: {', '.join(sorted(unknown))}")
    if not servers:
        one = args.quick or args.smoke or args.no_compare
        servers = [DEFAULT_SERVER] if one else [DEFAULT_SERVER, "daphne"]
    only = {x.strip().upper() for x in args.only.split(",") if x.strip()} or TARGETS
    out_dir = ROOT / "bench-results" / ("smoke" if args.smoke else "")
    env = Env.from_environment(args.quick, out_dir, smoke=args.smoke)
    mode = "smoke" if env.smoke else "quick" if env.quick else "full"

    from bench import machine, setup

    started = time.monotonic()
    timings: dict[str, float] = {}
    speed = {"before": machine.calibrate()}
    print(f"This machine now: {machine.describe(speed['before'])}.", flush=True)
    print(f"Preparing the bench database ({mode} mode)…", flush=True)
    setup.prepare_database(env)
    # Beside PostgreSQL's data directory, not in it: the same disk in the usual layouts.
    data_directory = setup.data_directory(env)
    data_directory = data_directory and os.path.dirname(data_directory.rstrip("/"))
    flush_seconds = env.size(full=5, quick=3, smoke=1)  # quick: about 600 flushes, in 3 minutes
    disk = {"before": machine.disk_flushes(data_directory, flush_seconds)}
    print(f"Its disk now: {machine.describe_disk(disk['before'])}.", flush=True)
    setup.django_setup(env)
    rows: list[Row] = []
    raw: dict = {}

    def section(name: str, fn):
        t = time.monotonic()
        print(f"{name}…", flush=True)
        result = fn()
        timings[name] = round(time.monotonic() - t, 1)
        return result

    if "B5" in only:
        from bench import b5_widget

        rows += section("B5 widget weight", lambda: b5_widget.run(env, setup.seed_workspaces(1, 1)))
    if only & {"B1", "B2", "B4"}:
        from bench import b124_realtime

        chat = setup.seed_workspaces(10, 10)
        fanout = setup.seed_workspaces(1, 50)[0]
        raw["realtime"] = []
        for server in servers:
            got, detail = section(
                f"B1/B2/B4 ({server})",
                lambda s=server: b124_realtime.run(env, chat, fanout, server=s, full_set=True),
            )
            rows += [r for r in got if r.id in only]
            raw["realtime"].append(detail)
    if "B3" in only:
        from bench import b3_idle

        idle_workspace = setup.seed_workspaces(1, 1)
        rows += section("B3 idle sockets", lambda: b3_idle.run(env, idle_workspace, servers))
    if "B6" in only:
        from bench import b6_inbox

        rows += section("B6 inbox queries", lambda: b6_inbox.run(env, setup.seed_workspaces(2, 1)))

    if "B8" in only:
        from bench import b8_bot

        tenant_id = setup.seed_workspaces(1, 1)[0].tenant_id
        rows += section("B8 bot answer", lambda: b8_bot.run(env, tenant_id))

    if "B9" in only:
        from bench import b9_events

        tenant_id = setup.seed_workspaces(1, 1)[0].tenant_id
        rows += section("B9 event stream", lambda: b9_events.run(env, tenant_id))

    speed["after"] = machine.calibrate()
    disk["after"] = machine.disk_flushes(data_directory, flush_seconds)
    rows.sort(key=lambda r: r.id)
    print()
    print(table(rows))
    print(f"\nThis machine at the end: {machine.describe(speed['after'])}.")
    print(f"Its disk at the end: {machine.describe_disk(disk['after'])}.")
    total = round(time.monotonic() - started, 1)
    missed = [r for r in rows if r.ok is False]
    print(f"\n{len(rows)} figures, {len(missed)} missed a target; {total} s in all.")
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": mode,
        "machine": {
            "cpus": env.cpus,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "speed": speed,  # bench/machine.py
            "disk": disk,
        },
        "seconds": total,
        "sections": timings,
        "rows": [r.as_dict() for r in rows],
        "raw": raw,
    }
    path = Path(args.out) if args.out else out_dir / f"results-{result['mode']}.json"
    path.write_text(json.dumps(result, indent=2))
    print(f"Results: {path}")


if __name__ == "__main__":
    main()
