#!/usr/bin/env python3
"""One bounded load round against a running server (standard library only).

    drive.py --setup setup.json --ledger ledger.jsonl --out round.json \
             --users 5 --duration 120 \
             [--background-at 30 --background-time-limit 30]

``--users N``: about two thirds salespeople, one third planners (at least one
of each). Bounded in users, in time (``--duration``) and in requests (each
user stops after ``--max-cycles`` cycles). With ``--background-at S``, S
seconds in, a planner starts a re-plan of every open MO of the plant (a
queue_job job); the round then waits for it to end (``--run-timeout``).

The round's statistics per call type (count, ok, refused, error, p50, p95,
p99, max) and the background run's end are written to ``--out``.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import lib


def split(users):
    planners = max(1, users // 3)
    return max(1, users - planners), planners


def run_threads(setup, ledger, stats, sales, planners, duration, max_cycles, seed):
    actors = lib.make_users(setup, stats, ledger, sales, planners, seed=seed)
    deadline = time.monotonic() + duration

    def loop(actor, index):
        time.sleep(index * 0.2)  # ramp up
        for _ in range(max_cycles):
            if time.monotonic() >= deadline:
                return
            try:
                actor.cycle()
            except Exception as error:  # noqa: BLE001 (a client bug: record, go on)
                stats.add("client: unexpected", 0.0, "error", repr(error))
            time.sleep(actor.rng.uniform(0.5, 2.0))

    threads = [
        threading.Thread(target=loop, args=(actor, i), daemon=True)
        for i, actor in enumerate(actors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(duration + 120)
    return stats.summary()


def run_locust(args, sales, planners):
    """One headless locust round of the users of locustfile.py."""
    out = Path(args.out)
    stats_path = out.with_suffix(".locust_stats.json")
    stats_path.unlink(missing_ok=True)
    env = dict(
        os.environ,
        PPS_LOAD_SETUP=str(Path(args.setup).resolve()),
        PPS_LOAD_LEDGER=str(Path(args.ledger).resolve()),
        PPS_LOAD_STATS=str(stats_path),
        PPS_LOAD_SALES=str(sales),
        PPS_LOAD_PLANNERS=str(planners),
        PPS_LOAD_MAX_CYCLES=str(args.max_cycles),
        PPS_LOAD_SEED=str(args.seed),
    )
    env.pop("PYTHONPATH", None)
    users = sales + planners
    command = [
        args.locust,
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 2)),
        "--run-time",
        f"{int(args.duration)}s",
        "--stop-timeout",
        "120",
        "--only-summary",
        "--csv",
        str(out.with_suffix("")),
        "--exit-code-on-error",
        "0",
    ]
    subprocess.run(
        command,
        env=env,
        check=False,
        timeout=args.duration + 300,
        stdout=subprocess.DEVNULL,
    )
    if not stats_path.exists():
        raise SystemExit(f"locust wrote no statistics ({stats_path})")
    return json.loads(stats_path.read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--setup", required=True)
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--max-cycles", type=int, default=40)
    parser.add_argument("--runner", choices=["threads", "locust"], default="threads")
    parser.add_argument("--locust", help="the locust executable (--runner locust)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--background-at", type=float)
    parser.add_argument("--background-time-limit", type=float, default=30)
    parser.add_argument("--run-timeout", type=float, default=600)
    args = parser.parse_args()
    setup = json.loads(Path(args.setup).read_text())
    ledger = lib.Ledger(args.ledger)
    stats, background_stats = lib.Stats(), lib.Stats()
    sales, planners = split(args.users)
    load = [os.getloadavg()[0]]
    background = {}

    def start_background():
        time.sleep(args.background_at)
        load.append(os.getloadavg()[0])
        try:
            background["run"] = lib.start_background_run(
                setup, background_stats, ledger, args.background_time_limit
            )
            background["started"] = time.monotonic() - started
        except (lib.Refused, lib.CallError) as error:
            background["error"] = str(error)

    started = time.monotonic()
    starter = None
    if args.background_at is not None:
        starter = threading.Thread(target=start_background, daemon=True)
        starter.start()
    if args.runner == "locust":
        calls = run_locust(args, sales, planners)
    else:
        calls = run_threads(
            setup,
            ledger,
            stats,
            sales,
            planners,
            args.duration,
            args.max_cycles,
            args.seed,
        )
    if starter:
        starter.join()
    load.append(os.getloadavg()[0])
    if background.get("run"):
        rows = lib.wait_for_runs(setup, [background["run"]], args.run_timeout)
        background["end"] = rows[0] if rows else None
        background["ended_after_s"] = round(time.monotonic() - started, 1)
    calls.update(background_stats.summary())
    result = {
        "users": args.users,
        "sales": sales,
        "planners": planners,
        "runner": args.runner,
        "duration_s": args.duration,
        "wall_s": round(time.monotonic() - started, 1),
        "load_avg": [round(x, 2) for x in load],
        "background": background,
        "calls": calls,
    }
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(json.dumps({k: v for k, v in result.items() if k != "calls"}))
    for name, row in calls.items():
        print(
            f"  {name:38} n={row['count']:4} ok={row['ok']:4} "
            f"refused={row['refused']:3} error={row['error']:3} "
            f"p50={row['p50']:.3f} p95={row['p95']:.3f} p99={row['p99']:.3f}"
        )
    errors = sum(row["error"] for row in calls.values())
    return (
        1
        if errors and args.runner == "threads" and os.environ.get("PPS_LOAD_STRICT")
        else 0
    )


if __name__ == "__main__":
    sys.exit(main())
