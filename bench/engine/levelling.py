"""Benchmark of levelled production (measured, not asserted).

Seeded factory instances (``factory.generate``) with a setup family per
order and an asymmetric changeover matrix on every work center
(``factory.with_changeovers``), at 500 and 2,000 operations, at the usual
load (85% of the non-rush capacity over the release period: many due dates
missed) and at a light one (60%: few). For each, the engine with
``SolveParams.level_families`` off and on: weighted tardiness, changeover
minutes, the levelling measure (``engine.levelling``: per work center and
family, the most minutes started on one day minus the fewest, summed) and
wall time; and the best dispatching rule's for reference.

Each size runs in its own process; the load average of the machine is
recorded before and after, as other work may share it.

    python3 bench/engine/levelling.py                       # 500 and 2,000, 30 s
    python3 bench/engine/levelling.py --sizes 500 --limit 10

Results: ``bench/results/engine_levelling.json`` (merged, re-runs replace)
and ``engine_levelling.md`` (the reading at its top is kept).
"""

from __future__ import annotations

import json
import os
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

LOADS = {"usual": 0.85, "light": 0.6}
#: The hand-written reading of ``engine_levelling.md``, kept between runs.
READING = "<!-- reading -->"


def _measure(data, schedule) -> dict:
    assert engine.check(data, schedule) == [], "invalid schedule"
    ev = engine.evaluate(data, schedule)
    return {
        "weighted_tardiness": ev.weighted_tardiness,
        "late_jobs": ev.late_jobs,
        "changeover": ev.changeover,
        "changeovers": len(ev.setups),
        "levelling": ev.levelling,
        "makespan": ev.makespan,
    }


def _floor(data, schedule) -> int:
    """An indicative floor of the levelling measure near ``schedule``: per
    work center and family with fewer operations there than days in the
    span, its fewest day is 0 wherever they go, so its measure is at least
    its longest operation; summed (the span taken as in ``schedule``)."""
    longest: dict = {}
    count: dict = {}
    for i, a in schedule.items():
        op = data.operations[i]
        if op.fixed is None and op.family is not None and data.levelled[a.resource]:
            pair = (a.resource, op.family)
            longest[pair] = max(longest.get(pair, 0), op.modes[a.mode].duration)
            count[pair] = count.get(pair, 0) + 1
    table = engine.family_minutes(data, schedule)
    return sum(
        longest[r, family]
        for r, families in table.items()
        for family, days in families.items()
        if count[r, family] < len(days)
    )


def child(size: int, seed: int, limit: float, workers: int) -> dict:
    """One size, both loads, option off and on, in its own process."""
    load_before = os.getloadavg()
    params = engine.SolveParams(time_limit=limit, workers=workers)
    rows = {}
    for name, load in LOADS.items():
        data = factory.with_changeovers(factory.generate(size, seed, load), seed)
        rows[name] = {"operations": len(data.operations)}
        for option in (False, True):
            t0 = time.perf_counter()
            result = engine.solve(data, replace(params, level_families=option))
            rows[name]["on" if option else "off"] = {
                **_measure(data, result.assignments),
                "time": round(time.perf_counter() - t0, 1),
                "improved_by": result.improved_by,
            }
            if not option:
                rows[name]["floor"] = _floor(data, result.assignments)
        rules = {
            rule: _measure(data, engine.dispatch(data, rule)) for rule in engine.RULES
        }
        best = min(
            rules, key=lambda r: (rules[r]["weighted_tardiness"], rules[r]["levelling"])
        )
        rows[name]["best_rule"] = {**rules[best], "rule": best}
    return {
        "size": size,
        "seed": seed,
        "limit": limit,
        "workers": workers,
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        **rows,
    }


def write(rows: list[dict], info: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "engine_levelling.json"

    def key(r):
        return f"{r['size']}|{r['seed']}|{r['limit']}|{r['workers']}"

    merged = {}
    if path.exists():
        merged = {key(r): r for r in json.loads(path.read_text())["runs"]}
    merged.update({key(r): r for r in rows})
    runs = sorted(merged.values(), key=lambda r: (r["size"], r["seed"], r["limit"]))
    path.write_text(json.dumps({"machine": info, "runs": runs}, indent=1) + "\n")
    md = RESULTS / "engine_levelling.md"
    reading = ""
    if md.exists() and READING in md.read_text():
        reading = md.read_text().split(READING)[0]
    lines = [
        READING,
        "",
        "## Measured",
        "",
        "Generated by `bench/engine/levelling.py`; measured, not asserted.",
        "",
        (
            f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram']} RAM, "
            f"Python {info['python']}, OR-Tools {info['ortools']}. Other work shared "
            "the machine: the load average (1, 5, 15 min) is given per run."
        ),
        "",
        (
            "Factory instances of `factory.generate` at the usual load (0.85) and "
            "a light one (0.6), with four setup families (one per order) and an "
            "asymmetric matrix of 20-120 minutes on each of the 20 work centers "
            "(`factory.with_changeovers`). WT = weighted tardiness (minutes x "
            "weight), CO = total changeover minutes (number of changeovers), LV = "
            "the levelling measure (minutes), s = wall seconds of the solve. "
            "*Off*: `level_families=False` (the default), *on*: `True`; *best "
            "rule*: the best dispatching rule (by WT, then LV). *LV floor*: "
            "indicative, per work center and family with fewer operations than "
            "days in the off schedule's span (whose fewest day is then 0 "
            "whatever the plan), its longest operation, summed."
        ),
        "",
        (
            "| ops | load | limit s | workers | off WT | off CO | off LV | off s "
            "| on WT | on CO | on LV | on s | LV on/off | LV floor | rule | rule WT "
            "| rule LV | load before / after |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        for name in LOADS:
            row = r[name]
            off, on, rule = row["off"], row["on"], row["best_rule"]
            ratio = on["levelling"] / off["levelling"] if off["levelling"] else 0
            lines.append(
                f"| {row['operations']} | {name} | {r['limit']:g} | {r['workers']} "
                f"| {off['weighted_tardiness']} "
                f"| {off['changeover']} ({off['changeovers']}) "
                f"| {off['levelling']} | {off['time']} "
                f"| {on['weighted_tardiness']} "
                f"| {on['changeover']} ({on['changeovers']}) "
                f"| {on['levelling']} | {on['time']} | {ratio:.2f} "
                f"| {row['floor']} "
                f"| {rule['rule']} | {rule['weighted_tardiness']} "
                f"| {rule['levelling']} "
                f"| {'/'.join(map(str, r['load_before']))} → "
                f"{'/'.join(map(str, r['load_after']))} |"
            )
    if not reading:
        reading = "# Engine benchmark: levelled production\n\n"
    md.write_text(reading + "\n".join(lines) + "\n")


def _summary(row: dict) -> dict:
    return {name: {k: row[name][k] for k in ("off", "on")} for name in LOADS}


def main() -> None:
    factory.run_per_size(__doc__, __file__, child, write, _summary)


if __name__ == "__main__":
    main()
