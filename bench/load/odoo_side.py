#!/usr/bin/env python3
"""The load test's steps inside Odoo (run with the project's Python).

    odoo_side.py build  -c CONF -d DB --mos 50        a small bench plant, planned
    odoo_side.py setup  -c CONF -d DB --out setup.json --sales 5 --planners 3
    odoo_side.py check  -c CONF -d DB --setup setup.json --ledger ledger.jsonl
                        [--out check.json]

``setup`` creates (or reuses) the load users -- salespeople and planners, no
other rights -- with a fresh API key each, a few customers, and writes what the
clients need: keys, products, work centers, weeks, the open MOs, and the
highest ids of the records the checks look at (the baseline).

``check`` compares the database with the ledger of what the clients did and
exits 1 when one of these is false:

* no negotiation lost or doubled: every round a client was answered with
  exists, on its order; the load's orders have exactly the rounds the
  clients requested (a request whose answer was lost in transit may count or
  not, never twice); each round answered at most once;
* every agreement a client saw is ``agreed`` with exactly one change order;
  no negotiation has two change orders, no change order is without its
  agreed round;
* no lock without its log line: every locked sale order and MO has, as its
  latest lock-log entry, a ``lock``;
* every schedule run is done or failed with a reason (none ``running``), and
  no queue job is left started or enqueued.
"""

import argparse
import json
import sys
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SALES_GROUPS = ["base.group_user", "pps_coordination.group_pps_sales"]
PLANNER_GROUPS = ["base.group_user", "pps_coordination.group_pps_planner"]


def open_env(conf, database):
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", conf, "-d", database])
    registry = Registry(database)
    cr = registry.cursor()
    return odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})


# ------------------------------------------------------------------ build
def build(env, args):
    """A small bench plant (bench/odoo/run.py's builder), planned once."""
    sys.path.insert(0, str(ROOT / "bench" / "odoo"))
    import run as bench_odoo

    productions = bench_odoo.build_plant(env, args.mos, args.seed)
    if not productions.workorder_ids.filtered("date_start"):
        run = env["pps.schedule.run"].schedule(
            productions=productions, time_limit=args.time_limit, workers=1
        )
        if run.state != "done":
            raise SystemExit(f"the first plan of the plant failed: {run.message}")
    env.cr.commit()
    print(f"plant of {len(productions)} MOs ready in {env.cr.dbname}")


# ------------------------------------------------------------------ setup
def _user(env, login, name, groups):
    user = (
        env["res.users"].with_context(active_test=False).search([("login", "=", login)])
    )
    group_ids = [env.ref(xmlid).id for xmlid in groups]
    if not user:
        user = env["res.users"].create(
            {
                "name": name,
                "login": login,
                "password": login,
                "tz": "UTC",
                "group_ids": [(6, 0, group_ids)],
            }
        )
    user.active = True
    key = (
        env["res.users.apikeys"]
        .with_user(user)
        ._generate("rpc", "load test", env.cr.now() + timedelta(days=1))
    )
    return {"login": login, "id": user.id, "key": key}


def setup(env, args):
    from odoo import fields

    tag = f"pps-load-{fields.Datetime.now():%Y%m%d%H%M%S}"
    result = {
        "database": env.cr.dbname,
        "base_url": args.base_url,
        "tag": tag,
        "sales": [
            _user(env, f"load_sales_{i}", f"Load Salesperson {i}", SALES_GROUPS)
            for i in range(1, args.sales + 1)
        ],
        "planners": [
            _user(env, f"load_planner_{i}", f"Load Planner {i}", PLANNER_GROUPS)
            for i in range(1, args.planners + 1)
        ],
    }
    customers = env["res.partner"].search([("name", "=like", "Load customer %")])
    if len(customers) < 5:
        customers |= env["res.partner"].create(
            [{"name": f"Load customer {i}"} for i in range(len(customers), 5)]
        )
    result["customers"] = customers.ids
    products = env["product.product"].search([("name", "=like", "Bench product %")])
    if not products:
        raise SystemExit("no bench product: build the plant first (odoo_side.py build)")
    result["products"] = products.ids
    centers = env["mrp.workcenter"].search([("name", "=like", "Bench WC %")])
    result["workcenters"] = centers.ids
    productions = env["mrp.production"].search(
        [("origin", "=", "pps-bench"), ("state", "in", ("confirmed", "progress"))]
    )
    result["productions"] = productions.ids
    _orders_for_moves(env, productions)
    # the weeks with the most work past the frozen zone: what planners look at
    frozen = env.company.pps_frozen_days
    result["frozen_days"] = frozen
    env.cr.execute(
        """SELECT date_trunc('week', date_start)::date AS week, COUNT(*)
             FROM mrp_workorder
            WHERE production_id = ANY(%s) AND date_start > %s
            GROUP BY week ORDER BY COUNT(*) DESC LIMIT 4""",
        (productions.ids, fields.Datetime.now() + timedelta(days=frozen + 1)),
    )
    weeks = sorted(row[0] for row in env.cr.fetchall())
    today = fields.Date.today()
    result["weeks"] = [fields.Date.to_string(w) for w in weeks] or [
        fields.Date.to_string(today - timedelta(days=today.weekday()))
    ]
    result["baseline"] = {
        table: _max_id(env, table)
        for table in (
            "pps_negotiation",
            "pps_change_order",
            "pps_lock_log",
            "pps_schedule_run",
            "queue_job",
            "sale_order",
        )
    }
    env.cr.commit()
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(
        f"setup: {len(result['sales'])} salespeople, {len(result['planners'])} "
        f"planners, {len(productions)} open MOs; tag {tag}"
    )


def _orders_for_moves(env, productions, every=5):
    """One MO in ``every`` for a sale order of its own, with a serial: the
    planners' card moves (the dispatch order in a cell is the orders'
    serials; work without a serial keeps its place by its start)."""
    customer = env["res.partner"].search([("name", "=", "Load customer 0")], limit=1)
    env.cr.execute("SELECT COALESCE(MAX(pps_serial), 0) FROM sale_order")
    serial = env.cr.fetchone()[0] + 100
    free = productions.filtered(lambda p: not p.pps_sale_order_id)[::every]
    orders = env["sale.order"].create(
        [
            {"partner_id": customer.id, "pps_serial": serial + i, "origin": "pps-load"}
            for i in range(len(free))
        ]
    )
    for production, order in zip(free, orders, strict=True):
        production.pps_sale_order_id = order


def _max_id(env, table):
    env.cr.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    return env.cr.fetchone()[0]


# ------------------------------------------------------------------ check
def read_ledger(path):
    events = defaultdict(list)
    if Path(path).exists():
        for line in Path(path).read_text().splitlines():
            if line.strip():
                event = json.loads(line)
                events[event["event"]].append(event)
    return events


def check(env, args):
    data = json.loads(Path(args.setup).read_text())
    events = read_ledger(args.ledger)
    failures, facts = [], {}

    context = {"data": data, "events": events, "failures": failures, "facts": facts}
    context["orders"], context["rounds"] = _check_negotiations(env, **context)
    _check_agreements(env, **context)
    _check_locks(env, failures, facts)
    _check_runs(env, data, failures, facts)
    report = {"ok": not failures, "failures": failures, "facts": facts}
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return 0 if not failures else 1


def _check_negotiations(env, data, events, failures, facts):
    """None lost, none doubled, each answered at most once."""
    requested = Counter(e["order"] for e in events["requested"])
    unknown = Counter(e["order"] for e in events["request_unknown"])
    orders = env["sale.order"].search([("client_order_ref", "=", data["tag"])])
    facts["quotations"] = len(orders)
    facts["quotations_in_ledger"] = len(events["quotation"])
    missing_orders = {e["order"] for e in events["quotation"]} - set(orders.ids)
    if missing_orders:
        failures.append(f"quotations the clients created are missing: {missing_orders}")
    rounds = env["pps.negotiation"].search([("sale_order_id", "in", orders.ids)])
    per_order = Counter(r.sale_order_id.id for r in rounds)
    facts["negotiations"] = len(rounds)
    facts["negotiations_in_ledger"] = sum(requested.values())
    facts["requests_without_answer_in_ledger"] = sum(unknown.values())
    for event in events["requested"]:
        found = rounds.filtered(lambda r, e=event: r.id == e["negotiation"])
        if not found or found.sale_order_id.id != event["order"]:
            failures.append(
                f"negotiation {event['negotiation']} of order {event['order']} is lost"
            )
    for order in orders:
        low = requested[order.id]
        high = low + unknown[order.id]
        if not low <= per_order[order.id] <= high:
            failures.append(
                f"{order.name} has {per_order[order.id]} negotiations, the clients "
                f"requested {low} (+{unknown[order.id]} unanswered)"
            )
    answered = Counter(e["negotiation"] for e in events["answered"])
    doubled = [n for n, count in answered.items() if count > 1]
    if doubled:
        failures.append(f"negotiations answered twice: {doubled}")
    for negotiation_id in answered:
        rnd = rounds.filtered(lambda r, n=negotiation_id: r.id == n)
        if not rnd or rnd.state not in ("answered", "agreed", "rejected"):
            failures.append(
                f"negotiation {negotiation_id} answered by a client is "
                f"{rnd.state if rnd else 'missing'}"
            )
    facts["answers_in_ledger"] = sum(answered.values())
    facts["answers_refused"] = len(events["answer_refused"])
    return orders, rounds


def _check_agreements(env, data, events, failures, facts, orders, rounds):
    """Every agreement seen is agreed with one change order, and only those."""
    cr = env.cr
    agreed_ids = [e["negotiation"] for e in events["agreed"]]
    facts["agreements_in_ledger"] = len(agreed_ids)
    facts["agreements_refused"] = len(events["agree_refused"])
    cr.execute(
        """SELECT negotiation_id, COUNT(*) FROM pps_change_order
            WHERE negotiation_id IS NOT NULL GROUP BY negotiation_id
           HAVING COUNT(*) > 1"""
    )
    duplicates = cr.fetchall()
    if duplicates:
        failures.append(f"negotiations with more than one change order: {duplicates}")
    changes = env["pps.change.order"].search([("sale_order_id", "in", orders.ids)])
    facts["change_orders"] = len(changes)
    for negotiation_id in agreed_ids:
        rnd = rounds.filtered(lambda r, n=negotiation_id: r.id == n)
        mine = changes.filtered(lambda c, n=negotiation_id: c.negotiation_id.id == n)
        if not rnd or rnd.state != "agreed" or len(mine) != 1:
            failures.append(
                f"agreement of negotiation {negotiation_id}: round "
                f"{rnd.state if rnd else 'missing'}, {len(mine)} change orders"
            )
    agreed_rounds = rounds.filtered(lambda r: r.state == "agreed")
    maybe = {e["negotiation"] for e in events["agree_unknown"]}
    extra = set(agreed_rounds.ids) - set(agreed_ids) - maybe
    if extra:
        failures.append(f"negotiations agreed that no client saw agreed: {extra}")
    for change in changes:
        if change.negotiation_id.state != "agreed":
            failures.append(
                f"change order {change.name} without an agreed round "
                f"({change.negotiation_id.state or 'none'})"
            )
    for rnd in agreed_rounds:
        if not rnd.change_order_id or rnd.change_order_id.negotiation_id != rnd:
            failures.append(f"agreed round {rnd.name} without its change order")


def _check_locks(env, failures, facts):
    """No locked sale order or MO without a lock as its latest log line."""
    cr = env.cr
    for table, model in (
        ("sale_order", "sale.order"),
        ("mrp_production", "mrp.production"),
    ):
        cr.execute(
            f"""SELECT r.id FROM {table} r
                 WHERE r.pps_locked AND COALESCE((
                       SELECT l.action FROM pps_lock_log l
                        WHERE l.res_model = %s AND l.res_id = r.id
                          AND l.action IN ('lock', 'unlock')
                        ORDER BY l.date DESC, l.id DESC LIMIT 1), '') != 'lock'""",
            (model,),
        )
        orphans = [row[0] for row in cr.fetchall()]
        if orphans:
            failures.append(f"{model} locked without a lock log line: {orphans[:20]}")
        cr.execute(f"SELECT COUNT(*) FROM {table} WHERE pps_locked")
        facts[f"locked_{table}"] = cr.fetchone()[0]


def _check_runs(env, data, failures, facts):
    """Every run done or failed with a reason; no job left unfinished."""
    cr = env.cr
    runs = env["pps.schedule.run"].search(
        [("id", ">", data["baseline"]["pps_schedule_run"])]
    )
    facts["runs"] = dict(Counter(runs.mapped("state")))
    for run in runs:
        if run.state not in ("done", "failed"):
            failures.append(f"schedule run {run.name} is still {run.state}")
        elif run.state == "failed" and not (run.message or "").strip():
            failures.append(f"schedule run {run.name} failed without a reason")
    cr.execute(
        "SELECT uuid, state FROM queue_job WHERE state IN ('started', 'enqueued', "
        "'pending', 'wait_dependencies') AND id > %s",
        (data["baseline"]["queue_job"],),
    )
    open_jobs = cr.fetchall()
    if open_jobs:
        failures.append(f"queue jobs not finished: {open_jobs}")
    cr.execute(
        "SELECT state, COUNT(*) FROM queue_job WHERE id > %s GROUP BY state",
        (data["baseline"]["queue_job"],),
    )
    facts["jobs"] = dict(cr.fetchall())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=["build", "setup", "check"])
    parser.add_argument("-c", "--conf", required=True)
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--mos", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--time-limit", type=float, default=10)
    parser.add_argument("--sales", type=int, default=5)
    parser.add_argument("--planners", type=int, default=3)
    parser.add_argument("--base-url", default="http://127.0.0.1:8069")
    parser.add_argument("--out")
    parser.add_argument("--setup")
    parser.add_argument("--ledger")
    args = parser.parse_args()
    env = open_env(args.conf, args.database)
    try:
        if args.step == "build":
            return build(env, args)
        if args.step == "setup":
            return setup(env, args)
        return check(env, args)
    finally:
        env.cr.rollback()
        env.cr.close()


if __name__ == "__main__":
    sys.exit(main())
