"""Benchmark of secondary resources: operator pools and fixtures (measured,
not asserted).

Seeded factory instances (``factory.generate``) at 500 and 2,000
operations, with four operator pools (one per five work centers: four
operators on the early shift 06:00-14:00, three on the late shift
14:00-22:00; every operation needs one operator of its work center's pool,
one in ten two) and two fixture types of two copies (one operation in ten
needs one). For each, the weighted tardiness of:

- the engine with the pools and fixtures (``solve``);
- a pool-blind schedule: the engine solving the same problem without them,
  the violations of the pools and fixtures the checker finds in it, then
  that schedule repaired with them (the dispatcher's ``current`` rule: each
  operation kept in its order, at the first slot from its blind start where
  its people and fixtures are free);
- the best dispatching rule (``RULES``), which places work with them.

Each size runs in its own process; the load average of the machine is
recorded before and after, as other work may share it.

    python3 bench/engine/secondary.py                       # 500 and 2,000, 30 s
    python3 bench/engine/secondary.py --sizes 500 --limit 10

Results: ``bench/results/engine_secondary.json`` (merged, re-runs replace)
and ``engine_secondary.md``.
"""

from __future__ import annotations

import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RESULTS = ROOT / "bench" / "results"
sys.path[:0] = [str(ROOT / "pps_coordination_scheduler"), str(HERE), str(HERE.parent)]

import engine
import factory

POOL_SIZE = 5  # work centers per operator pool


def with_pools(data, seed: int = 0):
    """``data`` with the pools and fixtures of the module docstring."""
    rng = random.Random(seed + 104729)
    days = data.horizon // factory.DAY
    late = tuple(
        (d * factory.DAY + 14 * 60, d * factory.DAY + factory.SHIFTS[1], 3)
        for d in range(days)
    )
    pools = [
        engine.SecondaryResource(f"crew{k}", 4, levels=late)
        for k in range(factory.N_CENTERS // POOL_SIZE)
    ]
    fixtures = [engine.SecondaryResource(f"jig{k}", 2) for k in range(2)]
    operations = []
    for op in data.operations:
        needs = {op.modes[0].resource // POOL_SIZE: 2 if rng.random() < 0.1 else 1}
        if rng.random() < 0.1:
            needs[len(pools) + rng.randrange(len(fixtures))] = 1
        operations.append(replace(op, requires=needs))
    return replace(data, operations=operations, secondaries=(*pools, *fixtures))


def without_pools(data):
    """The same problem with no pool or fixture."""
    operations = [replace(op, requires={}) for op in data.operations]
    return replace(data, operations=operations, secondaries=())


def _measure(data, schedule) -> dict:
    assert engine.check(data, schedule) == [], "invalid schedule"
    ev = engine.evaluate(data, schedule)
    return {
        "weighted_tardiness": ev.weighted_tardiness,
        "late_jobs": ev.late_jobs,
        "makespan": ev.makespan,
    }


def child(size: int, seed: int, limit: float, workers: int) -> dict:
    """One size, in its own process."""
    load_before = os.getloadavg()
    data = with_pools(factory.generate(size, seed), seed)
    blind_data = without_pools(data)
    params = engine.SolveParams(time_limit=limit, workers=workers)
    rows = {}
    t0 = time.perf_counter()
    result = engine.solve(data, params)
    rows["engine"] = {
        **_measure(data, result.assignments),
        "time": time.perf_counter() - t0,
        "improved_by": result.improved_by,
    }
    t0 = time.perf_counter()
    blind = engine.solve(blind_data, params)
    violations = [
        v for v in engine.check(data, blind.assignments) if v.kind == "secondary"
    ]
    plan = [
        replace(op, current=blind.assignments[i])
        for i, op in enumerate(data.operations)
    ]
    repaired = engine.dispatch(replace(data, operations=plan), "current")
    rows["blind"] = {
        **_measure(data, repaired),
        "time": time.perf_counter() - t0,
        "as_solved_weighted_tardiness": blind.weighted_tardiness,
        "violations": len(violations),
    }
    rules = {}
    for rule in engine.RULES:
        t0 = time.perf_counter()
        rules[rule] = {
            **_measure(data, engine.dispatch(data, rule)),
            "time": time.perf_counter() - t0,
        }
    best = min(rules, key=lambda r: rules[r]["weighted_tardiness"])
    rows["best_rule"] = {**rules[best], "rule": best}
    return {
        "size": size,
        "operations": len(data.operations),
        "seed": seed,
        "limit": limit,
        "workers": workers,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "rules": rules,
        **rows,
    }


def write(rows: list[dict], info: dict) -> None:
    runs = factory.merge_runs(RESULTS / "engine_secondary.json", rows, info)
    lines = [
        "# Engine benchmark: operator pools and fixtures",
        "",
        "Generated by `bench/engine/secondary.py`; measured, not asserted.",
        "",
        (
            f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, "
            f"Python {info['python']}, OR-Tools {info['ortools']}. Other work shared "
            "the machine: the load average (1, 5, 15 min) is given per run."
        ),
        "",
        (
            "Factory instances of `factory.generate` with four operator pools (one "
            "per five of the 20 work centers: 4 operators 06:00-14:00, 3 operators "
            "14:00-22:00; each operation needs 1 operator of its work center's "
            "pool, one in ten 2) and two fixture types of 2 copies (one operation "
            "in ten needs one). WT = weighted tardiness (minutes x weight). "
            "*Blind*: the engine without pools and fixtures; *violations*: the "
            "checker's pool and fixture violations in that schedule (distinct "
            "overloads); *repaired*: that schedule repaired with them (order kept, "
            "each operation at the first slot from its blind start where its "
            "people and fixtures are free). *Best rule*: the best dispatching "
            "rule, placing work with them. Times in seconds."
        ),
        "",
        (
            "| ops | seed | limit s | workers | engine WT | engine s | blind WT "
            "(pool-blind, invalid) | violations | repaired WT | best rule | rule WT "
            "| load before / after |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        e, b, d = r["engine"], r["blind"], r["best_rule"]
        lines.append(
            f"| {r['operations']} | {r['seed']} | {r['limit']:g} | {r['workers']} "
            f"| {e['weighted_tardiness']} | {e['time']:.1f} "
            f"| {b['as_solved_weighted_tardiness']} | {b['violations']} "
            f"| {b['weighted_tardiness']} | {d['rule']} | {d['weighted_tardiness']} "
            f"| {'/'.join(map(str, r['load_before']))} → "
            f"{'/'.join(map(str, r['load_after']))} |"
        )
    (RESULTS / "engine_secondary.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    factory.run_per_size(__doc__, __file__, child, write)


if __name__ == "__main__":
    main()
