#!/usr/bin/env python3
"""Benchmarks of the scheduler inside Odoo (measured, never asserted).

For each size N (manufacturing orders) it builds a synthetic plant in its own
database ``<prefix>_<N>`` (``--db-prefix``, ``pps_bench`` unless told;
created with both add-ons, no demo data, kept between runs so a second run
skips the build), then measures:

* Odoo's own planning: ``button_plan()`` on each MO in deadline order (in a
  savepoint that is rolled back): wall time, weighted tardiness, on-time rate,
  makespan;
* the PPS scheduler, step by step: extract, solve, check, write back (time and
  the SQL query count of the write-back), and the same measures of the plan;
* stability: a second run on unchanged data (work orders moved), then one rush
  order inserted (work orders of other orders moved);
* the promise: p50/p95 latency of ``sale.order.pps_quote_delivery_date()`` over
  50 random draft quotations of 1-3 bench products (created once per database).

Usage (from the repository root, after ``make test`` or ``make run`` wrote the
Odoo configuration)::

    python3 bench/odoo/run.py --sizes 100,500,2000 --time-limit 60

Results: ``bench/results/odoo.md`` (its first table; the sections below it
are kept) and ``bench/results/odoo.json``.

Other modes, each with results of its own:

* ``--writeback``: the write-back alone, a full re-plan and the promise
  (``odoo_writeback.json``);
* ``--stability``: a plan made first (``--time-limit``, ``--workers``), then on
  it a re-run on unchanged data and a rush insertion, once per
  ``--stability-runs`` entry (time limit:workers), every run rolled back
  (``odoo_stability.json`` / ``.md``);
* ``--background``: the whole plan of every MO as the user interface sends it,
  a queue_job job performed through queue_job's ``Job`` API; seconds and
  queries of each step, peak memory (``odoo_background.json`` / ``.md``;
  ``--rush-shares``: one run per rush reserve, set on the company for it)::

    python3 bench/odoo/run.py --stability --sizes 100,500,2000
    python3 bench/odoo/run.py --background --sizes 10000 --time-limit 120 \\
        --rush-shares 0.2,0
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results"
CONF = Path(os.environ.get("PPS_STATE_DIR", ROOT / ".odoo")) / "odoo.conf"
WORKCENTERS = 20


def ensure_database(name):
    """Create ``name`` with both add-ons unless it already has them."""
    env = dict(os.environ, PPS_TEST_DB=name)
    script = (
        f'source "{ROOT}/scripts/lib.sh"; prepare; '
        f'if db_exists "{name}"; then install_or_update "{name}"; '
        f'else odoo_bin -c "$PPS_CONF" -d "{name}" -i "$PPS_MODULES" '
        "--stop-after-init; fi"
    )
    subprocess.run(["bash", "-c", script], check=True, env=env)


def open_env(name):
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", str(CONF), "-d", name])
    registry = Registry(name)
    cr = registry.cursor()
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})


def build_plant(env, n_orders, seed):
    """A seeded plant: 20 work centers on two shifts, 30 routed products, N MOs."""
    from odoo import Command, fields

    marker = env["ir.config_parameter"].get_param("pps_bench.built")
    if marker == f"{n_orders}:{seed}":
        return env["mrp.production"].search([("origin", "=", "pps-bench")])
    rng = random.Random(seed)
    calendar = env["resource.calendar"].create(
        {
            "name": "Bench two shifts",
            "tz": "UTC",
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"Day {d} {p}",
                        "dayofweek": str(d),
                        "hour_from": h0,
                        "hour_to": h1,
                        "day_period": p,
                    }
                )
                for d in range(5)
                for (h0, h1, p) in ((6.0, 14.0, "morning"), (14.0, 22.0, "afternoon"))
            ],
        }
    )
    env.company.write(
        {"resource_calendar_id": calendar.id, "pps_rush_capacity_share": 0.2}
    )
    centers = env["mrp.workcenter"].create(
        [
            {"name": f"Bench WC {i:02d}", "resource_calendar_id": calendar.id}
            for i in range(WORKCENTERS)
        ]
    )
    products = env["product.product"]
    for p in range(30):
        product = env["product.product"].create(
            {"name": f"Bench product {p:02d}", "is_storable": True}
        )
        length = rng.randint(3, 8)
        env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_qty": 1,
                "operation_ids": [
                    Command.create(
                        {
                            "name": f"Op {k}",
                            "workcenter_id": rng.choice(centers).id,
                            "time_mode": "manual",
                            "time_cycle_manual": rng.randint(20, 180),
                        }
                    )
                    for k in range(length)
                ],
            }
        )
        products |= product
    now = fields.Datetime.now()
    # Due dates spread so that the plant is about 85% loaded up to the last one:
    # tight enough that the order of work decides who is late.
    chosen = [rng.choice(products) for _ in range(n_orders)]
    routing = {
        p.id: sum(
            env["mrp.bom"]._bom_find(p)[p].operation_ids.mapped("time_cycle_manual")
        )
        for p in products
    }
    work = sum(routing[p.id] for p in chosen)
    weekly_capacity = WORKCENTERS * 5 * 16 * 60
    span_hours = max(48, int(work / (0.85 * weekly_capacity) * 7 * 24))
    vals = [
        {
            "product_id": product.id,
            "product_qty": 1,
            "origin": "pps-bench",
            "date_deadline": now + timedelta(hours=rng.randint(24, 24 + span_hours)),
        }
        for product in chosen
    ]
    productions = env["mrp.production"].create(vals)
    productions.action_confirm()
    customer = env["res.partner"].create({"name": "Bench rush customer"})
    rush_order = env["sale.order"].create(
        {"partner_id": customer.id, "pps_rush": True, "pps_serial": 1}
    )
    for production in productions:
        if rng.random() < 0.1:
            production.pps_sale_order_id = rush_order
    env["ir.config_parameter"].set_param("pps_bench.built", f"{n_orders}:{seed}")
    env.cr.commit()
    return productions


def measures(productions):
    """Weighted tardiness (minutes), on-time rate and makespan of a plan."""
    weighted, on_time, ends = 0, 0, []
    scheduler = productions.env["pps.schedule.problem"]
    for production in productions:
        finish = max(d for d in production.workorder_ids.mapped("date_finished") if d)
        ends.append(finish)
        late = max(0.0, (finish - production.date_deadline).total_seconds() / 60)
        weighted += scheduler._prepare_weight(production) * late
        on_time += late == 0
    start = min(d for d in productions.workorder_ids.mapped("date_start") if d)
    return {
        "weighted_tardiness": int(weighted),
        "on_time_rate": round(on_time / len(productions), 4),
        "makespan_h": round((max(ends) - start).total_seconds() / 3600, 1),
    }


def bench_odoo_planning(env, productions):
    """Odoo's own planning, MO by MO in deadline order, then rolled back.

    The MOs are unplanned first (``button_plan`` skips planned MOs, and the
    database keeps the plan of the previous PPS run); the unplanning is not
    timed.
    """
    with env.cr.savepoint(flush=True) as savepoint:
        productions.with_context(pps_lock_bypass=_lock_bypass()).button_unplan()
        env.flush_all()
        started = time.perf_counter()
        for production in productions.sorted("date_deadline"):
            production.button_plan()
        elapsed = time.perf_counter() - started
        result = {"seconds": round(elapsed, 1), **measures(productions)}
        savepoint.rollback()
    env.invalidate_all()
    return result


def _lock_bypass():
    from odoo.addons.pps_coordination.models.pps_lock_mixin import PPS_LOCK_BYPASS

    return PPS_LOCK_BYPASS


def bench_scheduler(env, productions, time_limit, workers):
    """The PPS scheduler, one step at a time, then the same through schedule()."""
    from odoo.addons.pps_coordination_scheduler.engine import SolveParams, check, solve

    result = {}
    started = time.perf_counter()
    problem = env["pps.schedule.problem"]._prepare_problem(productions)
    result["extract_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    solved = solve(problem.data, SolveParams(time_limit=time_limit, workers=workers))
    result["solve_s"] = round(time.perf_counter() - started, 2)
    result["status"] = solved.status.value
    started = time.perf_counter()
    violations = check(problem.data, solved.assignments)
    result["check_s"] = round(time.perf_counter() - started, 2)
    result["violations"] = len(violations)
    result["operations"] = len(problem.data.operations)
    queries = env.cr.sql_log_count
    started = time.perf_counter()
    run = env["pps.schedule.run"].schedule(
        productions=productions, time_limit=time_limit, workers=workers
    )
    result["end_to_end_s"] = round(time.perf_counter() - started, 1)
    result["queries_end_to_end"] = env.cr.sql_log_count - queries
    result["run_state"] = run.state
    result["moved"] = run.moved_count
    result["move_cost"] = run.move_cost
    if run.state != "done":
        result["message"] = run.message
        env.cr.rollback()
        return result
    result.update(measures(productions))
    env.cr.commit()
    return result


def bench_stability(env, productions, time_limit, workers):
    """A re-run on unchanged data, then one rush MO inserted; rolled back.

    :return: the work orders the re-run moved; for the insertion, the work
        orders of other MOs it moved, how many MOs they belong to, how many
        run on a work center of the rush MO's routing, and the largest shift
    """
    in_force = measures(productions)["weighted_tardiness"]
    run = env["pps.schedule.run"].schedule(
        productions=productions, time_limit=time_limit, workers=workers
    )
    unchanged = run.moved_count
    unchanged_state = run.state
    productions.invalidate_recordset()
    productions.workorder_ids.invalidate_recordset()
    rerun = measures(productions)["weighted_tardiness"]
    extra = productions[:1].copy({"origin": "pps-bench-rush"})
    extra.action_confirm()
    extra.pps_sale_order_id = env["sale.order"].search(
        [("pps_rush", "=", True)], limit=1
    )
    run = env["pps.schedule.run"].schedule(
        productions=productions | extra,
        time_limit=time_limit,
        workers=workers,
        rush_insertion=True,
    )
    others = run.line_ids.filtered(
        lambda line: line.workorder_id and line.production_id != extra
    )
    centers = extra.workorder_ids.workcenter_id
    shifts = [
        abs((line.new_date_start - line.old_date_start).total_seconds()) / 3600
        for line in others
        if line.new_date_start and line.old_date_start
    ]
    result = {
        "time_limit": time_limit,
        "workers": workers,
        "state_unchanged": unchanged_state,
        "moved_unchanged": unchanged,
        "wtard_in_force": in_force,
        "wtard_rerun": rerun,
        "state_rush": run.state,
        "moved_after_rush_insert": len(others),
        "rush_moved_mos": len(others.production_id),
        "rush_moved_on_rush_centers": len(
            others.filtered(lambda line: line.workorder_id.workcenter_id in centers)
        ),
        "rush_max_shift_h": round(max(shifts, default=0.0), 1),
    }
    env.cr.rollback()
    env.invalidate_all()
    return result


def _timed_apply(env):
    """Wrap ``pps.schedule.run._step_apply`` to record its seconds and queries."""
    Run = type(env["pps.schedule.run"])
    record = {}
    original = Run._step_apply

    def step_apply(self, problem, result, moves):
        queries = self.env.cr.sql_log_count
        started = time.perf_counter()
        original(self, problem, result, moves)
        self.env.flush_all()
        record["apply_s"] = round(time.perf_counter() - started, 2)
        record["apply_queries"] = self.env.cr.sql_log_count - queries
        record["apply_moved"] = len(moves)

    return Run, original, step_apply, record


def bench_writeback(env, productions, seed=0):
    """Write-back alone, on the same moves every run: each planned MO of the
    bench shifted by 1-48 hours (its work orders together), one work order in
    twenty onto another work center; in a savepoint rolled back.

    :return: seconds and queries, in total and per 1,000 moved work orders
    """
    rng = random.Random(seed)
    centers = env["mrp.workcenter"].search([("name", "=like", "Bench WC %")])
    frozen_until = env["mrp.workorder"]._pps_frozen_until(env.company)
    moves = {}
    for production in productions.sorted("id"):
        shift = timedelta(hours=rng.randint(1, 48))
        for workorder in production.workorder_ids.sorted("id"):
            if workorder.state in ("done", "cancel") or not workorder.date_start:
                continue
            if workorder.date_start < frozen_until:
                continue
            center = workorder.workcenter_id
            if rng.random() < 0.05:
                center = rng.choice(centers - center)
            moves[workorder] = (
                center,
                workorder.date_start + shift,
                workorder.date_finished + shift,
            )
    if not moves:
        return {"moved": 0}
    run = env["pps.schedule.run"].create({})
    env.flush_all()
    with env.cr.savepoint(flush=True) as savepoint:
        queries = env.cr.sql_log_count
        started = time.perf_counter()
        run._step_apply(None, None, moves)
        env.flush_all()
        elapsed = time.perf_counter() - started
        queries = env.cr.sql_log_count - queries
        savepoint.rollback()
    env.invalidate_all()
    env.cr.rollback()
    per = 1000 / len(moves)
    return {
        "moved": len(moves),
        "mos": len({w.production_id.id for w in moves}),
        "seconds": round(elapsed, 2),
        "queries": queries,
        "s_per_1000": round(elapsed * per, 2),
        "queries_per_1000": int(queries * per),
    }


def bench_replan_all(env, productions, time_limit, workers):
    """A full re-plan: every MO unplanned, then one schedule() (everything
    moves); step times and the write-back's queries; rolled back."""
    Run, original, step_apply, record = _timed_apply(env)
    result = {}
    with env.cr.savepoint(flush=True) as savepoint:
        productions.with_context(pps_lock_bypass=_lock_bypass()).button_unplan()
        env.flush_all()
        Run._step_apply = step_apply
        try:
            queries = env.cr.sql_log_count
            started = time.perf_counter()
            run = env["pps.schedule.run"].schedule(
                productions=productions, time_limit=time_limit, workers=workers
            )
            env.flush_all()
            result["end_to_end_s"] = round(time.perf_counter() - started, 1)
            result["queries_end_to_end"] = env.cr.sql_log_count - queries
        finally:
            Run._step_apply = original
        result["run_state"] = run.state
        result["solve_s"] = round(run.solve_time, 1)
        result["moved"] = run.moved_count
        result.update(record)
        if record.get("apply_moved"):
            per = 1000 / record["apply_moved"]
            result["apply_s_per_1000"] = round(record["apply_s"] * per, 2)
            result["apply_queries_per_1000"] = int(record["apply_queries"] * per)
        savepoint.rollback()
    env.invalidate_all()
    env.cr.rollback()
    return result


QUOTE_REF = "pps-bench-quote"


def ensure_quotations(env, count=60, seed=0):
    """Draft quotations of 1-3 bench products (1-5 units each) to quote dates for.

    Kept between runs like the plant; created once per database.
    """
    from odoo import Command

    orders = env["sale.order"].search([("client_order_ref", "=", QUOTE_REF)])
    if len(orders) >= count:
        return orders
    rng = random.Random(seed)
    products = env["product.product"].search([("name", "=like", "Bench product %")])
    customer = env["res.partner"].create({"name": "Bench quotation customer"})
    orders |= env["sale.order"].create(
        [
            {
                "partner_id": customer.id,
                "client_order_ref": QUOTE_REF,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": rng.randint(1, 5)}
                    )
                    for product in rng.sample(list(products), rng.randint(1, 3))
                ],
            }
            for _ in range(count - len(orders))
        ]
    )
    env.cr.commit()
    return orders


def bench_promise(env, samples=50, seed=0):
    """p50/p95 of the capable-to-promise answer over ``samples`` quotations."""
    orders = ensure_quotations(env, seed=seed)
    rng = random.Random(seed)
    latencies, dated = [], 0
    for order in rng.sample(list(orders), min(samples, len(orders))):
        env.invalidate_all()  # each answer from the database, as in a request
        started = time.perf_counter()
        answer = order.pps_quote_delivery_date()
        latencies.append(time.perf_counter() - started)
        dated += bool(answer.get("date"))
    env.cr.rollback()  # the promise writes nothing; make sure of it
    latencies.sort()
    return {
        "samples": len(latencies),
        "dated": dated,
        "p50_s": round(statistics.median(latencies), 3),
        "p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 3),
        "max_s": round(latencies[-1], 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,500,2000")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--db-prefix",
        default="pps_bench",
        help="database of size N: <prefix>_<N> (default pps_bench), so that "
        "two people's benches on one PostgreSQL do not share a database",
    )
    parser.add_argument(
        "--writeback",
        action="store_true",
        help="only the write-back, a full re-plan and the promise "
        "(results in odoo_writeback.json, odoo.md untouched)",
    )
    parser.add_argument(
        "--stability",
        action="store_true",
        help="only the stability runs (results in odoo_stability.json/.md)",
    )
    parser.add_argument(
        "--stability-runs",
        default="20:2,20:2,20:2,5:1,60:2",
        help="with --stability: one repeat per entry, time limit:workers",
    )
    parser.add_argument(
        "--background",
        action="store_true",
        help="the whole plan in a queue_job job (results in odoo_background.json/.md)",
    )
    parser.add_argument(
        "--rush-shares",
        help="with --background: one run per rush reserve given (e.g. 0.2,0), "
        "set on the company for that run and rolled back with it",
    )
    args = parser.parse_args()
    if args.writeback:
        return main_writeback(args)
    if args.stability:
        return main_stability(args)
    if args.background:
        return main_background(args)
    sys.path.insert(0, str(ROOT))
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        name = f"{args.db_prefix}_{size}"
        ensure_database(name)
        env = open_env(name)
        try:
            productions = build_plant(env, size, args.seed)
            row = {"mos": size}
            row["odoo"] = bench_odoo_planning(env, productions)
            row["pps"] = bench_scheduler(
                env, productions, args.time_limit, args.workers
            )
            row["stability"] = bench_stability(
                env, productions, min(args.time_limit, 20), args.workers
            )
            row["promise"] = bench_promise(env)
            rows.append(row)
            print(json.dumps(row), flush=True)
        finally:
            env.cr.close()
    write_results(rows, args)


def _each_size(args, measure):
    """Rows of ``measure(env, size, productions)`` (an iterable of dicts) for
    each of ``--sizes``, on its bench database; each row printed as it comes."""
    sys.path.insert(0, str(ROOT))
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        name = f"{args.db_prefix}_{size}"
        ensure_database(name)
        env = open_env(name)
        try:
            productions = build_plant(env, size, args.seed)
            for row in measure(env, size, productions):
                rows.append(row)
                print(json.dumps(row), flush=True)
        finally:
            env.cr.close()
    return rows


def main_writeback(args):
    def measure(env, size, productions):
        _ensure_plan(env, productions, args)
        row = {"mos": size, "load": os.getloadavg()[0]}
        row["writeback"] = bench_writeback(env, productions, args.seed)
        row["replan_all"] = bench_replan_all(
            env, productions, args.time_limit, args.workers
        )
        row["promise"] = bench_promise(env)
        row["load_after"] = os.getloadavg()[0]
        yield row

    _append_json("odoo_writeback.json", args, _each_size(args, measure))


def _ensure_plan(env, productions, args):
    """A plan in force to measure against: one run when nothing is planned."""
    if not productions.workorder_ids.filtered("date_start"):
        env["pps.schedule.run"].schedule(
            productions=productions,
            time_limit=args.time_limit,
            workers=args.workers,
        )
        env.cr.commit()


def _append_json(name, args, rows):
    RESULTS.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "bench"))
    from machine import machine as describe

    out = RESULTS / name
    previous = json.loads(out.read_text()) if out.exists() else []
    previous.append(
        {
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "machine": describe(),
            "args": vars(args),
            "rows": rows,
        }
    )
    out.write_text(json.dumps(previous, indent=2) + "\n")
    return previous


def main_stability(args):
    """Stability: the plan in force, then per ``--stability-runs`` entry a
    re-run on unchanged data and a rush insertion (each rolled back)."""
    runs = [
        (float(limit), int(workers))
        for limit, workers in (
            entry.split(":") for entry in args.stability_runs.split(",")
        )
    ]

    def measure(env, size, productions):
        # the plan in force is made now: a plan made hours ago has starts that
        # passed with nothing started (nobody works on a bench plant), and
        # work that should have started and did not is late work, planned
        # again: a re-run of such a plan measures the catching up, not the
        # stability
        env["pps.schedule.run"].schedule(
            productions=productions, time_limit=args.time_limit, workers=args.workers
        )
        env.cr.commit()
        planned = time.time()
        for repeat, (limit, workers) in enumerate(runs, 1):
            row = {
                "mos": size,
                "operations": len(productions.workorder_ids),
                "repeat": repeat,
                "clock": time.strftime("%H:%M:%S"),
                "plan_age_min": round((time.time() - planned) / 60, 1),
                "load": round(os.getloadavg()[0], 1),
            }
            row.update(bench_stability(env, productions, limit, workers))
            yield row

    rows = _each_size(args, measure)
    entries = _append_json("odoo_stability.json", args, rows)
    write_stability_md(entries[-1])


def write_stability_md(entry):
    machine = entry["machine"]
    lines = [
        "# Stability inside Odoo",
        "",
        (
            f"`python3 bench/odoo/run.py --stability --sizes "
            f"{entry['args']['sizes']} --stability-runs "
            f"{entry['args']['stability_runs']}` ({entry['date']} UTC; "
            f"{machine['cpu']}, {machine['cores']} cores, OR-Tools "
            f"{machine['ortools']}). On the plan in force of each bench "
            "database, each repeat is a re-run on unchanged data, then the "
            "same with one rush MO inserted (a copy of the first bench MO, on "
            "the rush order); both rolled back, so every repeat starts from the "
            "same plan. *Moved* counts work orders of other MOs; *on its "
            "centers*: of those, the ones on a work center of the rush MO's "
            "routing; *max shift*: the largest start shift of those, hours. "
            "*WT*: weighted tardiness (minutes x weight) of the plan in force "
            "and of the re-run's plan: a re-run may only move work for a "
            "strictly better plan. The plan in force of each size is made "
            f"first ({entry['args']['time_limit']:g} s, "
            f"{entry['args']['workers']} workers); *plan age*: minutes since."
        ),
        "",
        (
            "| MOs | WOs | repeat | clock | plan age min | load | limit s | "
            "workers | re-run moved | WT in force → re-run | rush: others moved "
            "| their MOs | on its centers | max shift h |"
        ),
        "|" + "---|" * 14,
    ]
    for row in entry["rows"]:
        lines.append(
            f"| {row['mos']} | {row['operations']} | {row['repeat']} "
            f"| {row['clock']} | {row.get('plan_age_min', '?')} | {row['load']} "
            f"| {row['time_limit']:g} "
            f"| {row['workers']} | {row['moved_unchanged']} "
            f"| {row['wtard_in_force']} → {row['wtard_rerun']} "
            f"| {row['moved_after_rush_insert']} | {row['rush_moved_mos']} "
            f"| {row['rush_moved_on_rush_centers']} | {row['rush_max_shift_h']} |"
        )
    (RESULTS / "odoo_stability.md").write_text("\n".join(lines) + "\n")


def _timed_steps(env, record):
    """Wrap the run's steps to record seconds and queries of each in ``record``.

    :return: a function that puts the original methods back
    """
    Run = type(env["pps.schedule.run"])
    originals = {}
    for step in ("extract", "solve", "check", "diff", "apply"):
        name = f"_step_{step}"
        original = getattr(Run, name)
        originals[name] = original

        def timed(self, *args, _original=original, _step=step):
            queries = self.env.cr.sql_log_count
            started = time.perf_counter()
            value = _original(self, *args)
            if _step == "apply":
                self.env.flush_all()
            record[f"{_step}_s"] = round(time.perf_counter() - started, 2)
            record[f"{_step}_queries"] = self.env.cr.sql_log_count - queries
            return value

        setattr(Run, name, timed)

    def restore():
        for name, original in originals.items():
            setattr(Run, name, original)

    return restore


def _peak_rss_reset():
    """Reset the process's peak resident memory (Linux: clear_refs 5)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _rss_mib(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024)
    return None


def bench_background(env, productions, time_limit, workers, rush_share=None):
    """The whole plan of every MO, sent to a queue_job job as the user
    interface sends it (``schedule(interactive=True)``: ``_enqueue`` and
    ``with_delay``), then the job performed through queue_job's ``Job`` API
    the way its runner's controller does; every MO unplanned first; all
    rolled back (``rush_share``, when given, the company's rush reserve for
    this run, too).
    """
    from odoo.addons.queue_job.job import Job

    record = {}
    with env.cr.savepoint(flush=True) as savepoint:
        company = productions.company_id
        if rush_share is not None:
            company.pps_rush_capacity_share = rush_share
        record["rush_share"] = company.pps_rush_capacity_share
        productions.with_context(pps_lock_bypass=_lock_bypass()).button_unplan()
        env.flush_all()
        env.invalidate_all()
        queries = env.cr.sql_log_count
        started = time.perf_counter()
        run = env["pps.schedule.run"].schedule(
            productions=productions,
            time_limit=time_limit,
            workers=workers,
            interactive=True,
            background=True,
        )
        env.flush_all()
        record["enqueue_s"] = round(time.perf_counter() - started, 2)
        record["enqueue_queries"] = env.cr.sql_log_count - queries
        record["job_uuid"] = run.job_uuid
        record["state_after_enqueue"] = run.state
        job = Job.load(env, run.job_uuid)
        restore = _timed_steps(env, record)
        env.invalidate_all()
        _peak_rss_reset()
        record["rss_before_mib"] = _rss_mib("VmRSS")
        queries = env.cr.sql_log_count
        started = time.perf_counter()
        try:
            job.set_started()
            job.store()
            with env.cr.savepoint():
                job.perform()
            job.set_done()
            job.store()
            env.flush_all()
        finally:
            restore()
        record["job_s"] = round(time.perf_counter() - started, 1)
        record["job_queries"] = env.cr.sql_log_count - queries
        record["peak_rss_mib"] = _rss_mib("VmHWM")
        run.invalidate_recordset()
        record["run_state"] = run.state
        record["job_state"] = job.state
        record["run_message"] = run.message or ""
        record["solver_status"] = run.solver_status
        record["workorders"] = run.workorder_count
        record["moved"] = run.moved_count
        if run.state == "done":
            record.update(measures(productions))
        savepoint.rollback()
    env.invalidate_all()
    env.cr.rollback()
    return record


def main_background(args):
    shares = [None]
    if args.rush_shares:
        shares = [float(share) for share in args.rush_shares.split(",")]

    def measure(env, size, productions):
        for share in shares:
            row = {
                "mos": size,
                "operations": len(productions.workorder_ids),
                "time_limit": args.time_limit,
                "workers": args.workers,
                "load": round(os.getloadavg()[0], 1),
            }
            row.update(
                bench_background(env, productions, args.time_limit, args.workers, share)
            )
            row["load_after"] = round(os.getloadavg()[0], 1)
            yield row

    rows = _each_size(args, measure)
    entries = _append_json("odoo_background.json", args, rows)
    write_background_md(entries[-1])


def write_background_md(entry):
    machine = entry["machine"]
    lines = [
        "# The whole plan in a queue_job job",
        "",
        (
            f"`python3 bench/odoo/run.py --background --sizes "
            f"{entry['args']['sizes']} --time-limit {entry['args']['time_limit']:g}"
            f" --workers {entry['args']['workers']}"
            + (
                f" --rush-shares {entry['args']['rush_shares']}"
                if entry["args"].get("rush_shares")
                else ""
            )
            + f"` ({entry['date']} UTC; "
            f"{machine['cpu']}, {machine['cores']} cores, {machine['ram']}, "
            f"OR-Tools {machine['ortools']}). Every MO unplanned, then "
            "`schedule(interactive=True)` as a solving button sends it: the run "
            "is handed to a queue_job job (`with_delay`), which the bench then "
            "performs through queue_job's `Job` API as its runner's controller "
            "does (set started, perform in a savepoint, set done), in one "
            "process; rolled back after. Peak memory is the process's peak "
            "resident set during the job (reset before it)."
        ),
        "",
        (
            "| MOs | WOs | rush reserve | load | enqueue s | job s | extract s "
            "| solve s | check s | diff s | apply s | apply queries | job queries "
            "| RSS before MiB | peak RSS MiB | run | moved | on time |"
        ),
        "|" + "---|" * 18,
    ]
    failures = []
    for row in entry["rows"]:
        if row["run_state"] != "done":
            failures.append(
                f"- {row['mos']} MOs, rush reserve {row.get('rush_share', '?')}: "
                f"{row['run_message']}"
            )
        lines.append(
            f"| {row['mos']} | {row['operations']} | {row.get('rush_share', '?')} "
            f"| {row['load']} "
            f"| {row['enqueue_s']} | {row['job_s']} | {row.get('extract_s', '–')} "
            f"| {row.get('solve_s', '–')} | {row.get('check_s', '–')} "
            f"| {row.get('diff_s', '–')} | {row.get('apply_s', '–')} "
            f"| {row.get('apply_queries', '–')} "
            f"| {row['job_queries']} | {row['rss_before_mib']} "
            f"| {row['peak_rss_mib']} | {row['run_state']} | {row['moved']} "
            + (f"| {row['on_time_rate']:.1%} |" if "on_time_rate" in row else "| – |")
        )
    if failures:
        lines += ["", "What the failed runs said:", "", *failures]
    (RESULTS / "odoo_background.md").write_text("\n".join(lines) + "\n")


def write_results(rows, args):
    RESULTS.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT / "bench"))
    from machine import machine as describe

    machine = describe()
    (RESULTS / "odoo.json").write_text(
        json.dumps({"machine": machine, "args": vars(args), "rows": rows}, indent=2)
    )
    lines = [
        "# Scheduler inside Odoo",
        "",
        (
            f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['ram']} "
            f"RAM, Python {machine['python']}, OR-Tools {machine['ortools']}; "
            f"time limit {args.time_limit} s, {args.workers} workers; stability "
            f"runs {min(args.time_limit, 20):g} s; move cost "
            f"{rows[0]['pps'].get('move_cost', '?') if rows else '?'} weighted "
            "minutes per moved work order."
        ),
        "",
        (
            "| MOs | ops | Odoo plan s | Odoo wtard | Odoo on-time | PPS end-to-end s "
            "| extract s | solve s | check s | queries | PPS wtard | PPS on-time "
            "| makespan h (Odoo/PPS) | moved unchanged | moved by rush insert "
            "| promise p50/p95 s |"
        ),
        "|" + "---|" * 16,
    ]
    for row in rows:
        odoo_, pps, stab, promise = (
            row["odoo"],
            row["pps"],
            row["stability"],
            row["promise"],
        )
        latency = (
            f"{promise['p50_s']} / {promise['p95_s']} ({promise['samples']} quotes)"
            if promise
            else "n/a"
        )
        lines.append(
            f"| {row['mos']} | {pps['operations']} | {odoo_['seconds']} "
            f"| {odoo_['weighted_tardiness']} | {odoo_['on_time_rate']:.1%} "
            f"| {pps['end_to_end_s']} | {pps['extract_s']} | {pps['solve_s']} "
            f"| {pps['check_s']} | {pps['queries_end_to_end']} "
            f"| {pps['weighted_tardiness']} | {pps['on_time_rate']:.1%} "
            f"| {odoo_['makespan_h']} / {pps['makespan_h']} "
            f"| {stab['moved_unchanged']} | {stab['moved_after_rush_insert']} "
            f"| {latency} |"
        )
    out = RESULTS / "odoo.md"
    kept = ""
    if out.exists():  # the sections below the first table are kept
        text = out.read_text()
        if "\n## " in text:
            kept = "\n" + text[text.index("\n## ") + 1 :]
    out.write_text("\n".join(lines) + "\n" + kept)


if __name__ == "__main__":
    main()
