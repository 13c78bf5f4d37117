"""``python -m bench.profile [--rate 150] [--seconds 10] [--target floor] [--server daphne]``:
where one server process spends its CPU under the B1 chat load.

Prepares the bench database as ``python -m bench`` does, starts Sohbet (the pub/sub layer, uvicorn
unless ``--server`` says otherwise) on core 0, attaches py-spy to it and sends visitor messages
at one fixed rate from core 1. Writes ``bench-results/profile-<rate>.txt`` (collapsed stacks of
the thread holding the GIL, for flamegraph.pl or speedscope.app) and prints the functions with
the most samples (self time and the project's own frames). py-spy needs ptrace: run as root or
with ``kernel.yama.ptrace_scope=0``.
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import time

import psutil

from bench.common import (
    DEFAULT_SERVER,
    LOAD_CPU,
    ROOT,
    SERVERS,
    Env,
    pin,
    start_baseline,
    start_sohbet,
)


def top(collapsed: str, limit: int = 25) -> str:
    """The leaf functions and the project's own functions with the most samples."""
    leaf: collections.Counter = collections.Counter()
    ours: collections.Counter = collections.Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        leaf[frames[-1]] += n
        for frame in set(frames):
            if "apps/" in frame or "config/" in frame:
                ours[frame] += n
    out = [f"{total} samples", "", "self time:"]
    out += [f"{100 * n / total:5.1f} %  {name}" for name, n in leaf.most_common(limit)]
    out += ["", "the project's functions (inclusive):"]
    out += [f"{100 * n / total:5.1f} %  {name}" for name, n in ours.most_common(limit)]
    return "\n".join(out)


def wait_for(path, load: subprocess.Popen) -> None:
    while not path.exists():
        if load.poll() is not None:
            raise SystemExit("the load generator stopped early")
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--rate", type=int, default=150, help="visitor messages per second")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--server", choices=SERVERS, default=DEFAULT_SERVER, help="the ASGI server")
    parser.add_argument(
        "--target",
        choices=["sohbet", "floor", "baseline"],
        default="sohbet",
        help="Sohbet, the stack's floor (bench/floor.py) or the raw baseline",
    )
    parser.add_argument(
        "--no-spy", action="store_true", help="only the server's CPU seconds, no sampling"
    )
    parser.add_argument(
        "--hellos",
        type=int,
        default=0,
        help="instead of chat messages, open this many presence sockets (B3's hello/ready)",
    )
    parser.add_argument(
        "--fanout",
        type=int,
        default=0,
        help="instead of B1's load, B4's: this many visitor messages, one every 50 ms, to a "
        "workspace with 50 operators online",
    )
    parser.add_argument("--spy-rate", type=int, default=100, help="py-spy samples per second")
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(ROOT / ".venv/bin/py-spy")
    env = Env.from_environment(True, ROOT / "bench-results")

    from bench import b124_realtime, setup

    setup.prepare_database(env)
    setup.django_setup(env)
    if args.hellos:
        profile_hellos(env, args, spy)
        return
    target = args.target if args.target == "sohbet" else "baseline"
    if args.fanout:
        workspace = setup.seed_workspaces(1, 50)[0]
        scenario, count, seconds = "broadcast", args.fanout, max(1, int(args.fanout * 0.05) - 1)
        options = {
            "target": target,
            "events": args.fanout,
            "slug": workspace.slug,
            "widget_key": workspace.widget_key,
            "sessions": workspace.operator_sessions,
        }
        stem = env.out_dir / f"profile-{args.target}-fanout"
    else:
        scenario, seconds = "chat", args.seconds
        options = {
            "target": target,
            "pairs": b124_realtime._pairs(setup.seed_workspaces(10, 10))
            if args.target == "sohbet"
            else b124_realtime.CONVERSATIONS,
            "rates": [args.rate],
            "duration": args.seconds,
            "ready_wait": 1,
        }
        stem = env.out_dir / f"profile-{args.target}-{args.rate}"
    if args.target == "sohbet":
        sohbet = start_sohbet(env, server=args.server)
    else:
        sohbet = start_baseline(env, server=args.server, app=args.target)
    ready, done = env.out_dir / "profile-ready", env.out_dir / "profile-done"
    ready.unlink(missing_ok=True)
    done.unlink(missing_ok=True)
    options.update(port=sohbet.port, ready_file=str(ready), done_file=str(done))
    try:
        load = subprocess.Popen(
            [sys.executable, "-m", "bench.loadgen", scenario, json.dumps(options)],
            cwd=ROOT,
            env=env.server_env(),
            stdout=subprocess.PIPE,
            text=True,
            preexec_fn=pin(LOAD_CPU),
        )
        # Profile and count only the steady load, not the sockets' set-up or closing.
        wait_for(ready, load)
        # --gil: only the thread holding the GIL, i.e. where the process's Python CPU goes.
        record = [
            spy,
            "record",
            "--pid",
            str(sohbet.pid),
            "--rate",
            str(args.spy_rate),
            "--gil",
            "--duration",
            str(seconds),
            "-f",
            "raw",
            "-o",
            f"{stem}.txt",
        ]
        cpu_before = psutil.Process(sohbet.pid).cpu_times()
        spies = [] if args.no_spy else [subprocess.Popen(record, preexec_fn=pin(LOAD_CPU))]
        wait_for(done, load)
        cpu_after = psutil.Process(sohbet.pid).cpu_times()
        out, _ = load.communicate(timeout=seconds + 120)
        result = json.loads(out.strip().splitlines()[-1])
        if not args.fanout:
            result = result["results"][0]
        for proc in spies:
            proc.wait(60)
        busy = cpu_after.user + cpu_after.system - cpu_before.user - cpu_before.system
    finally:
        sohbet.stop()
    lat = result["latency_ms"]
    system = cpu_after.system - cpu_before.system
    if args.fanout:
        print(
            f"server CPU while loaded: {busy:.1f} s, {1000 * busy / count:.2f} ms per event "
            f"(of which the kernel's {1000 * system / count:.2f} ms); "
            f"{result['deliveries']}/{result['expected_deliveries']} delivered, "
            f"p50 {lat['p50']} ms, p95 {lat['p95']} ms",
            file=sys.stderr,
        )
        if not args.no_spy:
            print(top((stem.with_suffix(".txt")).read_text()))
        return
    print(
        f"server CPU while loaded: {busy:.1f} s, {1000 * busy / result['sent']:.2f} ms per message"
        f" (of which the kernel's {1000 * system / result['sent']:.2f} ms)",
        file=sys.stderr,
    )
    print(
        f"{result['received']}/{result['sent']} delivered; p50 {lat['p50']} ms, "
        f"p99 {lat['p99']} ms",
        file=sys.stderr,
    )
    if not args.no_spy:
        print(top((stem.with_suffix(".txt")).read_text()))


def profile_hellos(env: Env, args, spy: str) -> None:
    """Where Sohbet's server spends its CPU opening presence sockets (B3's opening: each
    socket a returning visitor's hello and ready), 50 in flight as in B3."""
    from bench import b3_idle, setup

    workspace = setup.seed_workspaces(1, 1)[0]
    tokens = env.out_dir / "profile-tokens.txt"
    tokens.write_text("\n".join(setup.seed_visitor_tokens(workspace.tenant_id, args.hellos + 100)))
    sohbet = start_sohbet(env, server=args.server)
    stem = env.out_dir / f"profile-hellos-{args.hellos}"
    clients = b3_idle.Clients(
        env,
        "profile",
        {
            "n": args.hellos,
            "warmup": 100,
            "ping_interval": 0,
            "open_timeout": 60,
            "max_hold": 600,
            "port": sohbet.port,
            "path": f"/ws/presence/{workspace.widget_key}/",
            "tokens_file": str(tokens),
            "origin": "https://shop.example",
            "mode": "hello",
            "concurrency": 50,
        },
    )
    try:
        clients.expect("warm", 120)
        spies = []
        if not args.no_spy:
            record = [spy, "record", "--pid", str(sohbet.pid), "--rate", "100", "--gil"]
            record += ["--nonblocking", "-f", "raw", "-o", f"{stem}.txt"]
            spies.append(subprocess.Popen(record, preexec_fn=pin(LOAD_CPU)))
            time.sleep(1.0)
        cpu_before = psutil.Process(sohbet.pid).cpu_times()
        clients.send("go")
        opened = clients.expect("opened", 60 + args.hellos / 20)
        cpu_after = psutil.Process(sohbet.pid).cpu_times()
        for proc in spies:
            proc.send_signal(2)  # SIGINT: py-spy writes what it has
            proc.wait(60)
    finally:
        clients.stop()
        sohbet.stop()
    busy = cpu_after.user + cpu_after.system - cpu_before.user - cpu_before.system
    system = cpu_after.system - cpu_before.system
    n = max(1, opened["opened"])
    print(
        f"{opened['opened']} presence sockets opened in {opened['seconds']} s "
        f"({opened['rate']}/s); server CPU {1000 * busy / n:.2f} ms per socket "
        f"(of which the kernel's {1000 * system / n:.2f} ms)",
        file=sys.stderr,
    )
    if spies:
        print(top((stem.with_suffix(".txt")).read_text()))


if __name__ == "__main__":
    main()
