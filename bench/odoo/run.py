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

Results: ``bench/results/odoo.md`` and ``bench/results/odoo.json``.
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
    run = env["pps.schedule.run"].schedule(
        productions=productions, time_limit=time_limit, workers=workers
    )
    unchanged = run.moved_count
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
    others = run.line_ids.filtered(lambda line: line.production_id != extra)
    env.cr.rollback()
    return {"moved_unchanged": unchanged, "moved_after_rush_insert": len(others)}


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
    args = parser.parse_args()
    if args.writeback:
        return main_writeback(args)
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


def main_writeback(args):
    sys.path.insert(0, str(ROOT))
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        name = f"{args.db_prefix}_{size}"
        ensure_database(name)
        env = open_env(name)
        try:
            productions = build_plant(env, size, args.seed)
            if not productions.workorder_ids.filtered("date_start"):
                env["pps.schedule.run"].schedule(
                    productions=productions,
                    time_limit=args.time_limit,
                    workers=args.workers,
                )
                env.cr.commit()
            row = {"mos": size, "load": os.getloadavg()[0]}
            row["writeback"] = bench_writeback(env, productions, args.seed)
            row["replan_all"] = bench_replan_all(
                env, productions, args.time_limit, args.workers
            )
            row["promise"] = bench_promise(env)
            row["load_after"] = os.getloadavg()[0]
            rows.append(row)
            print(json.dumps(row), flush=True)
        finally:
            env.cr.close()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "odoo_writeback.json"
    previous = json.loads(out.read_text()) if out.exists() else []
    previous.append(
        {"date": time.strftime("%Y-%m-%d %H:%M"), "args": vars(args), "rows": rows}
    )
    out.write_text(json.dumps(previous, indent=2))


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
    (RESULTS / "odoo.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
