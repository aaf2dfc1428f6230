"""Seeded factory-like instances for the engine benchmarks.

20 work centers on a two-shift calendar (Monday to Friday, 06:00-22:00) with a
few one-day leaves; manufacturing orders with routings of 3-8 operations, 20%
of them with an alternative work center (20% slower); release and due dates;
component orders feeding a consuming order (multi-level precedence); about
10% rush orders. Minute 0 is a Monday midnight, days are calendar days.
"""

from __future__ import annotations

import json
import random

DAY = 1440
SHIFTS = (6 * 60, 22 * 60)  # two shifts back to back
N_CENTERS = 20


def calendar(days: int, leaves: set[int]) -> tuple[tuple[int, int], ...]:
    """Working windows of ``days`` days, weekends and ``leaves`` (day numbers) off."""
    return tuple(
        (d * DAY + SHIFTS[0], d * DAY + SHIFTS[1])
        for d in range(days)
        if d % 7 < 5 and d not in leaves
    )


def generate(n_ops: int, seed: int = 0, load: float = 0.85):
    """A ``ProblemData`` with about ``n_ops`` operations.

    ``load`` is the share of the non-rush working capacity the work needs
    over the release period, which sets how hard the due dates are to meet.
    """
    from engine import Job, Mode, Operation, Precedence, ProblemData, Resource

    rng = random.Random(seed)
    routings = []
    total = 0
    while total < n_ops:
        length = rng.randint(3, 8)
        steps = []
        for _ in range(length):
            center = rng.randrange(N_CENTERS)
            duration = rng.choice((30, 60, 90, 120, 180, 240, 300, 360, 480))
            alt = None
            if rng.random() < 0.2:
                alt = (center + rng.randint(1, N_CENTERS - 1)) % N_CENTERS
            steps.append((center, duration, alt))
        routings.append(steps)
        total += length
    work = sum(d for steps in routings for _, d, _ in steps)
    per_day = N_CENTERS * (SHIFTS[1] - SHIFTS[0]) * 5 / 7 * 0.8
    release_days = max(2, round(work / per_day / load))
    days = 3 * release_days + 30
    resources = []
    for c in range(N_CENTERS):
        leaves = {rng.randrange(days) for _ in range(rng.randint(0, 3))}
        resources.append(Resource(f"WC{c:02d}", calendar(days, leaves)))
    jobs, operations, precedences = [], [], []
    first_last = []
    for j, steps in enumerate(routings):
        release = rng.randrange(release_days) * DAY
        flow = sum(d for _, d, _ in steps)
        slack = int(flow * rng.uniform(2.0, 5.0)) + rng.randint(1, 6) * DAY
        rush = rng.random() < 0.1
        weight = rng.choice((1, 1, 1, 2, 3)) + (4 if rush else 0)
        jobs.append(Job(f"MO{j}", release, release + slack, weight, rush))
        first = len(operations)
        for k, (center, duration, alt) in enumerate(steps):
            modes = [Mode(center, duration)]
            if alt is not None:
                modes.append(Mode(alt, duration * 6 // 5))
            operations.append(Operation(f"MO{j}/{k}", j, tuple(modes)))
            if k:
                precedences.append(Precedence(len(operations) - 2, len(operations) - 1))
        first_last.append((first, len(operations) - 1))
    # about one order in five is a component of a later order released after it
    for j in range(len(routings) - 1):
        if rng.random() < 0.2:
            consumer = rng.randrange(j + 1, min(len(routings), j + 20))
            if jobs[consumer].release >= jobs[j].release:
                precedences.append(
                    Precedence(first_last[j][1], first_last[consumer][0])
                )
    return ProblemData(
        resources, jobs, operations, precedences, horizon=days * DAY, rush_share=0.2
    )


def with_changeovers(data, seed: int = 0, families: int = 4):
    """``data`` with a setup family per order (all its operations) and, on
    every work center, an asymmetric changeover matrix between different
    families (20 to 120 minutes; none within a family)."""
    from dataclasses import replace

    rng = random.Random(seed + 7919)
    names = [f"F{k}" for k in range(families)]
    family_of = [rng.choice(names) for _ in data.jobs]
    resources = []
    for res in data.resources:
        matrix = {
            (a, b): rng.choice((20, 30, 45, 60, 90, 120))
            for a in names
            for b in names
            if a != b
        }
        resources.append(replace(res, changeovers=matrix))
    operations = [replace(op, family=family_of[op.job]) for op in data.operations]
    return replace(data, resources=resources, operations=operations)


def without_changeovers(data):
    """The same problem with no changeover anywhere (families kept)."""
    from dataclasses import replace

    resources = [
        replace(r, changeovers={}, changeover_default=0) for r in data.resources
    ]
    return replace(data, resources=resources)


def run_per_size(doc: str, script: str, child, write, summary=None) -> None:
    """The command line of a per-size bench (``changeover.py``,
    ``secondary.py``, ``levelling.py``): each size solved in a child process
    of its own (its peak memory its own), ``child(size, seed, limit,
    workers)`` giving the row, ``write(rows, machine_info)`` the results
    after each size, ``summary(row)`` what is printed of it (default: its
    engine, blind and best rule entries)."""
    import argparse
    import json
    import subprocess
    import sys

    from machine import machine

    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000")
    parser.add_argument("--limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        size, seed, limit, workers = args.child.split(",")
        print(json.dumps(child(int(size), int(seed), float(limit), int(workers))))
        return
    info = machine()
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        argv = [
            sys.executable,
            script,
            "--child",
            f"{size},{args.seed},{args.limit},{args.workers}",
        ]
        out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
        r = rows[-1]
        if summary is None:
            print(size, r["engine"], r["blind"], r["best_rule"], flush=True)
        else:
            print(size, summary(r), flush=True)
        write(rows, info)


def _size_key(r: dict) -> str:
    return f"{r['size']}|{r['seed']}|{r['limit']}|{r['workers']}"


def _size_order(r: dict) -> tuple:
    return (r["size"], r["seed"], r["limit"])


def merge_runs(
    path,
    rows: list[dict],
    info: dict,
    locked: bool = False,
    key=_size_key,
    order=_size_order,
) -> list[dict]:
    """The bench's JSON results at ``path`` with ``rows`` merged in (a row
    replaces the earlier one of the same ``key``: size, seed, limit and
    workers unless told): written back with the machine ``info``; returns
    the runs, sorted by ``order``. With ``locked``, under a lock beside
    ``path`` (two runs side by side, one per core, share the file)."""
    import contextlib
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        if locked:
            lock = stack.enter_context(path.with_name(f".{path.stem}.lock").open("w"))
            fcntl.flock(lock, fcntl.LOCK_EX)
        merged = {}
        if path.exists():
            merged = {key(r): r for r in json.loads(path.read_text())["runs"]}
        merged.update({key(r): r for r in rows})
        runs = sorted(merged.values(), key=order)
        path.write_text(json.dumps({"machine": info, "runs": runs}, indent=1) + "\n")
    return runs
