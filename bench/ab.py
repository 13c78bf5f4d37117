"""``python -m bench.ab OTHER_CHECKOUT [--rounds 6] [--rate 300] [--seconds 6]``: server CPU
per chat message, and the delivery's p50, of this checkout against another one (a ``git
worktree`` of the commit to compare with), measured in turns.

Both servers start once, on core 0; the B1 load (``bench.loadgen``, core 1) goes to one, then
the other, alternating which goes first in each round, and each server's CPU seconds are read
only while its load runs. On these shared machines speed drifts by 10-30 % over minutes, so two
runs one after the other can show a change that is only drift; taking turns spreads the drift
over both. Prints each turn and the medians (docs/performance.md, "Method").
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

import psutil

from bench import b124_realtime, common, setup
from bench.common import LOAD_CPU, Env, pin, start_sohbet
from bench.profile import wait_for


def one_turn(env: Env, server, pairs: list, rate: int, seconds: int) -> tuple[float, dict]:
    ready, done = env.out_dir / "ab-ready", env.out_dir / "ab-done"
    ready.unlink(missing_ok=True)
    done.unlink(missing_ok=True)
    options = {
        "target": "sohbet",
        "port": server.port,
        "pairs": pairs,
        "rates": [rate],
        "duration": seconds,
        "ready_file": str(ready),
        "ready_wait": 1,
        "done_file": str(done),
    }
    load = subprocess.Popen(
        [sys.executable, "-m", "bench.loadgen", "chat", json.dumps(options)],
        cwd=common.ROOT,
        env=env.server_env(),
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=pin(LOAD_CPU),
    )
    process = psutil.Process(server.pid)
    wait_for(ready, load)
    before = process.cpu_times()
    wait_for(done, load)
    after = process.cpu_times()
    out, _ = load.communicate(timeout=seconds + 120)
    result = json.loads(out.strip().splitlines()[-1])["results"][0]
    busy = after.user + after.system - before.user - before.system
    return 1000 * busy / result["sent"], result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__)
    parser.add_argument("other", type=Path, help="the other checkout (e.g. a git worktree)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--rate", type=int, default=300, help="visitor messages per second")
    parser.add_argument("--seconds", type=int, default=6, help="length of each turn")
    args = parser.parse_args()
    env = Env.from_environment(True, common.ROOT / "bench-results")
    setup.prepare_database(env)
    setup.django_setup(env)
    pairs = b124_realtime._pairs(setup.seed_workspaces(10, 10))
    here = common.ROOT
    roots = {"this": here, "other": args.other.resolve()}
    servers = {}
    try:
        for name, root in roots.items():
            common.ROOT = root  # the server's working directory: its code
            servers[name] = start_sohbet(env, name=f"ab-{name}")
        common.ROOT = here
        cpu: dict[str, list[float]] = {name: [] for name in roots}
        p50: dict[str, list[float]] = {name: [] for name in roots}
        for turn in range(args.rounds):
            order = ("this", "other") if turn % 2 == 0 else ("other", "this")
            for name in order:
                ms, result = one_turn(env, servers[name], pairs, args.rate, args.seconds)
                cpu[name].append(ms)
                lat = result["latency_ms"]
                p50[name].append(lat["p50"])
                print(
                    f"{name:5s} {ms:.3f} ms/msg  p50 {lat['p50']:.2f} ms  p99 {lat['p99']:.1f} ms"
                    f"  {result['received']}/{result['sent']}",
                    flush=True,
                )
    finally:
        common.ROOT = here
        for server in servers.values():
            server.stop()
    medians = {name: statistics.median(values) for name, values in cpu.items()}
    for name, values in cpu.items():
        turns = ", ".join(f"{v:.2f}" for v in values)
        print(
            f"{name:5s} median {medians[name]:.3f} ms/msg  ({turns}); "
            f"median p50 {statistics.median(p50[name]):.2f} ms"
        )
    print(f"this / other: {medians['this'] / medians['other']:.3f}")


if __name__ == "__main__":
    main()
