"""Concurrent users on committed data: one wins, the other gets a clear error.

A test transaction cannot race with itself, so this suite commits a small
fixture through real database connections (``odoo.sql_db.db_connect``), runs
each user in its own thread with its own connection and transaction -- the way
two HTTP workers would -- and removes everything it committed in
``tearDownClass`` (the later suites find the database as it was).

Each actor calls the method the way the RPC dispatcher does: inside
``odoo.service.model.retrying`` (serialization failures are retried after a
rollback), then commits. Patches widen the race window (a short sleep while
the row lock or the advisory lock is held) so that both transactions really
overlap.

Cases: two users deciding or answering the same negotiation (several pairs
of actions), a schedule run while a planner edits the work order it is about
to move, and two schedule runs started at the same time.
"""

# pylint: disable=invalid-commit,print-used
# (real concurrent transactions commit their fixture and their work, and remove
# it again; the counts are printed with pytest -s)

import threading
import time
from contextlib import closing
from functools import partial
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.registry import DummyRLock, Registry
from odoo.service.model import retrying
from odoo.sql_db import db_connect
from odoo.tests.common import BaseCase, get_db_name, mute_logger, tagged

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.pps_coordination.models.pps_negotiation import PpsNegotiation
from odoo.addons.pps_coordination_scheduler.models import pps_schedule_run

RUN_MODULE = pps_schedule_run.__name__
#: How long an actor holds its lock to make sure the other one arrives.
HOLD = 0.6
CLEAR_ERRORS = (UserError, AccessError, ValidationError)


def _env(cr, uid=SUPERUSER_ID):
    return api.Environment(cr, uid, {"tracking_disable": True})


@tagged("post_install", "-at_install")
class TestReliabilityConcurrency(BaseCase):
    """Real concurrent transactions on committed data.

    After install only (it commits): at install the registry is still loading.
    ``odoo-bin`` runs the tests holding ``Registry._lock``, which the actors'
    threads need (``retrying`` reloads the registry of a failed transaction):
    the class replaces it with a dummy lock, as Odoo's registry test mode does
    for the threads of the HTTP server."""

    CASES = []

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.classPatch(Registry, "_lock", DummyRLock())
        cls.dbname = get_db_name()
        cls.created = {}
        with closing(db_connect(cls.dbname).cursor()) as cr:
            env = _env(cr)
            try:
                cls._build(env)
                cr.commit()
            except Exception:
                cr.rollback()
                raise

    @classmethod
    def _build(cls, env):
        suffix = f"{time.time_ns()}"
        sales = (
            "base.group_user,pps_coordination.group_pps_sales,"
            "sales_team.group_sale_salesman_all_leads"
        )
        planner = "base.group_user,pps_coordination.group_pps_planner"
        users = env["res.users"]
        for name, groups in (
            ("Race Sales One", sales),
            ("Race Sales Two", sales),
            ("Race Planner One", planner),
            ("Race Planner Two", planner),
        ):
            login = f"{name.lower().replace(' ', '_')}_{suffix}"
            users |= mail_new_test_user(env, login=login, name=name, groups=groups)
        cls.sales1, cls.sales2, cls.planner1, cls.planner2 = users.ids
        customer = env["res.partner"].create({"name": f"Race Customer {suffix}"})
        product = env["product.product"].create(
            {"name": f"Race Widget {suffix}", "type": "consu"}
        )
        cls.created["users"] = users.ids
        cls.created["partners"] = (customer | users.partner_id).ids
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": customer.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
                for _index in range(8)
            ]
        )
        cls.created["orders"] = orders.ids
        # Rounds: the first five answered, the last three only requested.
        rounds = env["pps.negotiation"]
        far = fields.Datetime.now().replace(microsecond=0)
        for index, order in enumerate(orders):
            negotiation = order.with_user(cls.sales1).action_pps_request_date(
                far + _days(30 + index)
            )
            if index < 5:
                negotiation.with_user(cls.planner1).action_answer(
                    far + _days(31 + index)
                )
            rounds |= negotiation
        cls.rounds = rounds.ids

        # A routed product without components and one confirmed, unplanned MO.
        workcenter = env["mrp.workcenter"].create(
            {"name": f"Race Cell {suffix}", "time_efficiency": 100}
        )
        routed = env["product.product"].create(
            {"name": f"Race Frame {suffix}", "is_storable": True}
        )
        bom = env["mrp.bom"].create(
            {
                "product_tmpl_id": routed.product_tmpl_id.id,
                "product_qty": 1,
                "operation_ids": [
                    Command.create(
                        {
                            "name": "Race Op",
                            "workcenter_id": workcenter.id,
                            "time_cycle_manual": 90,
                            "time_mode": "manual",
                        }
                    )
                ],
            }
        )
        production = env["mrp.production"].create(
            {"product_id": routed.id, "bom_id": bom.id, "product_qty": 1}
        )
        production.action_confirm()
        cls.production = production.id
        cls.workorder = production.workorder_ids.id
        cls.created.update(
            products=(product | routed).ids,
            bom=bom.ids,
            workcenter=workcenter.ids,
            resources=workcenter.resource_id.ids,
            production=production.ids,
            production_groups=production.production_group_id.ids,
            references=production.reference_ids.ids,
        )

    @classmethod
    def tearDownClass(cls):
        with closing(db_connect(cls.dbname).cursor()) as cr:
            env = _env(cr)
            orders = cls.created.get("orders", [])
            if orders:
                # Change orders and lock logs refuse unlink by design (audit):
                # the fixture's own rows go with SQL, the rest through the ORM.
                cr.execute(
                    "DELETE FROM pps_lock_log WHERE res_model = 'sale.order' "
                    "AND res_id IN %s",
                    [tuple(orders)],
                )
                cr.execute(
                    "DELETE FROM pps_change_order WHERE sale_order_id IN %s",
                    [tuple(orders)],
                )
                for model in ("sale.order", "pps.negotiation"):
                    ids = orders if model == "sale.order" else cls.rounds
                    cr.execute(
                        "DELETE FROM mail_activity WHERE res_model = %s "
                        "AND res_id IN %s",
                        [model, tuple(ids)],
                    )
                    cr.execute(
                        "DELETE FROM mail_message WHERE model = %s AND res_id IN %s",
                        [model, tuple(ids)],
                    )
                    cr.execute(
                        "DELETE FROM mail_followers WHERE res_model = %s "
                        "AND res_id IN %s",
                        [model, tuple(ids)],
                    )
                cr.execute("DELETE FROM sale_order WHERE id IN %s", [tuple(orders)])
            if cls.created.get("production"):
                productions = env["mrp.production"].browse(cls.created["production"])
                productions.action_cancel()
                productions.unlink()
                env["stock.move"].search(
                    [("product_id", "in", cls.created["products"])]
                ).unlink()
            # What the MO left behind that its unlink does not remove.
            for key, table, column in (
                ("production_groups", "mrp_production_group", "id"),
                ("references", "stock_reference", "id"),
                ("products", "product_value", "product_id"),
            ):
                if cls.created.get(key):
                    cr.execute(
                        f"DELETE FROM {table} WHERE {column} IN %s",
                        [tuple(cls.created[key])],
                    )
            for key, model in (
                ("bom", "mrp.bom"),
                ("products", "product.product"),
                ("workcenter", "mrp.workcenter"),
                ("resources", "resource.resource"),
                ("users", "res.users"),
                ("partners", "res.partner"),
            ):
                records = env[model].browse(cls.created.get(key, [])).exists()
                if model == "product.product":
                    templates = records.product_tmpl_id
                    records.unlink()
                    templates.exists().unlink()
                else:
                    records.unlink()
            cr.commit()
        super().tearDownClass()
        print(f"\nconcurrency: {len(cls.CASES)} concurrent cases: {cls.CASES}")

    # ---------------------------------------------------------------- helpers
    def _race(self, actors, hold_patch=None):
        """Run each actor ``(uid, func(env))`` in its own thread and transaction.

        :return: per actor, ("ok", value) or ("error", exception)
        """
        barrier = threading.Barrier(len(actors))
        outcomes = [None] * len(actors)

        def work(index, uid, func):
            try:
                with closing(db_connect(self.dbname).cursor()) as cr:
                    env = _env(cr, uid)
                    barrier.wait(timeout=10)
                    try:
                        value = retrying(partial(func, env), env)
                        cr.commit()
                        outcomes[index] = ("ok", value)
                    except Exception as error:  # noqa: BLE001 - reported below
                        cr.rollback()
                        outcomes[index] = ("error", error)
            except Exception as error:  # noqa: BLE001
                outcomes[index] = ("error", error)

        threads = [
            threading.Thread(target=work, args=(i, uid, func), daemon=True)
            for i, (uid, func) in enumerate(actors)
        ]
        context = hold_patch or _nullcontext()
        # Collisions are expected here: PostgreSQL's refusals are logged as
        # "bad query" by the cursor and as failures by the run.
        with context, mute_logger("odoo.sql_db", RUN_MODULE):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        self.assertFalse(any(t.is_alive() for t in threads), "an actor hung")
        return outcomes

    def _read(self, func):
        with closing(db_connect(self.dbname).cursor()) as cr:
            return func(_env(cr))

    def _hold_negotiation_lock(self):
        """Keep the round's row lock a moment, so the other actor collides."""
        original = PpsNegotiation._pps_lock_rows

        def slow(negotiation):
            original(negotiation)
            time.sleep(HOLD)

        return patch.object(PpsNegotiation, "_pps_lock_rows", slow)

    def _assert_one_winner(self, outcomes, label):
        winners = [o for o in outcomes if o[0] == "ok"]
        losers = [o[1] for o in outcomes if o[0] == "error"]
        self.assertEqual(len(winners), 1, f"{label}: {outcomes}")
        self.assertEqual(len(losers), 1, f"{label}: {outcomes}")
        self.assertIsInstance(losers[0], CLEAR_ERRORS, f"{label}: {losers[0]!r}")
        self.assertRegex(
            str(losers[0]),
            "Someone else is acting|only an answered round|only a requested round"
            "|only an open round",
        )
        type(self).CASES.append(label)
        return losers[0]

    # ------------------------------------------------------------------ tests
    def test_two_users_decide_the_same_round(self):
        """Two sales users decide one answered round at the same time (agree
        and agree, agree and reject, reject and agree, agree and cancel): one
        decision stands, the other user is told, one change order at most."""
        pairs = [
            ("agree/agree", "action_agree", "action_agree"),
            ("agree/reject", "action_agree", "action_reject"),
            ("reject/agree", "action_reject", "action_agree"),
            ("agree/cancel", "action_agree", "action_cancel"),
        ]
        for (label, first, second), round_id in zip(pairs, self.rounds, strict=False):
            actors = [
                (
                    self.sales1,
                    lambda env, m=first, r=round_id: getattr(
                        env["pps.negotiation"].browse(r), m
                    )(),
                ),
                (
                    self.sales2,
                    lambda env, m=second, r=round_id: getattr(
                        env["pps.negotiation"].browse(r), m
                    )(),
                ),
            ]
            with self.subTest(label):
                outcomes = self._race(actors, self._hold_negotiation_lock())
                self._assert_one_winner(outcomes, f"decide {label}")

                def state(env, rid=round_id):
                    negotiation = env["pps.negotiation"].browse(rid)
                    changes = env["pps.change.order"].search_count(
                        [("negotiation_id", "=", rid)]
                    )
                    return (
                        negotiation.state,
                        changes,
                        negotiation.sale_order_id.pps_locked,
                    )

                final, changes, locked = self._read(state)
                winner = first if outcomes[0][0] == "ok" else second
                expected = {
                    "action_agree": "agreed",
                    "action_reject": "rejected",
                    "action_cancel": "cancelled",
                }[winner]
                self.assertEqual(final, expected)
                self.assertEqual(changes, 1 if expected == "agreed" else 0)
                self.assertEqual(locked, expected == "agreed")

    def test_two_planners_answer_the_same_request(self):
        """Two planners answer the same request at once with different dates:
        one answer stands (its date on the round), the other planner is told."""
        round_id = self.rounds[5]
        now = fields.Datetime.now().replace(microsecond=0)
        dates = {self.planner1: now + _days(50), self.planner2: now + _days(60)}
        actors = [
            (
                uid,
                lambda env, d=date: (
                    env["pps.negotiation"].browse(round_id).action_answer(d)
                ),
            )
            for uid, date in dates.items()
        ]
        outcomes = self._race(actors, self._hold_negotiation_lock())
        self._assert_one_winner(outcomes, "answer/answer")
        winner = self.planner1 if outcomes[0][0] == "ok" else self.planner2
        scheduled, answered_by = self._read(
            lambda env: (
                env["pps.negotiation"].browse(round_id).scheduled_date,
                env["pps.negotiation"].browse(round_id).answered_by_id.id,
            )
        )
        self.assertEqual((scheduled, answered_by), (dates[winner], winner))

    def test_answer_and_cancel_at_once(self):
        """A planner answers while sales cancels the same request: exactly one
        of them happens."""
        round_id = self.rounds[6]
        date = fields.Datetime.now().replace(microsecond=0) + _days(45)
        actors = [
            (
                self.planner1,
                lambda env: env["pps.negotiation"].browse(round_id).action_answer(date),
            ),
            (
                self.sales1,
                lambda env: env["pps.negotiation"].browse(round_id).action_cancel(),
            ),
        ]
        outcomes = self._race(actors, self._hold_negotiation_lock())
        self._assert_one_winner(outcomes, "answer/cancel")
        final = self._read(lambda env: env["pps.negotiation"].browse(round_id).state)
        self.assertEqual(final, "answered" if outcomes[0][0] == "ok" else "cancelled")

    def test_schedule_run_while_a_planner_edits_the_work_order(self):
        """A planner changes the expected duration of a work order (and
        commits) while a schedule run is solving with the old data. The run
        must not overwrite that row with a plan computed from stale data: it
        fails cleanly (its savepoint undoes its writes) or re-reads; the
        planner's value survives."""
        solved = threading.Event()
        edited = threading.Event()
        original_solve = pps_schedule_run.solve

        def solve_then_wait(data, params):
            result = original_solve(data, params)
            solved.set()
            edited.wait(timeout=20)
            return result

        def run(env):
            run = env["pps.schedule.run"].schedule(
                productions=env["mrp.production"].browse(self.production),
                time_limit=2,
                workers=1,
            )
            outcome = run.state, run.message, run.moved_count
            env.cr.rollback()  # judged on its outcome; leave nothing behind
            return outcome

        def edit(env):
            solved.wait(timeout=20)
            workorder = env["mrp.workorder"].browse(self.workorder)
            workorder.duration_expected = 240.0
            env.cr.flush()
            return True

        def commit_then_release(func):
            def wrapped(env):
                value = func(env)
                env.cr.commit()
                edited.set()
                return value

            return wrapped

        with patch(f"{RUN_MODULE}.solve", solve_then_wait):
            outcomes = self._race(
                [(SUPERUSER_ID, run), (self.planner1, commit_then_release(edit))]
            )
        edited.set()
        self.assertEqual(outcomes[1][0], "ok", outcomes)
        kind, value = outcomes[0]
        duration, date_start = self._read(
            lambda env: (
                env["mrp.workorder"].browse(self.workorder).duration_expected,
                env["mrp.workorder"].browse(self.workorder).date_start,
            )
        )
        self.assertEqual(duration, 240.0, "the planner's update was lost")
        if kind == "ok":
            state, message, _moved = value
            self.assertEqual(state, "failed", "the run wrote over a concurrent update")
            self.assertRegex(message, "nothing was written")
            self.assertFalse(date_start, "the failed run left dates behind")
        else:
            self.assertIsInstance(value, CLEAR_ERRORS, repr(value))
        type(self).CASES.append("schedule run / planner edit")

    def test_two_schedule_runs_at_once(self):
        """Two runs of the same company start together: the advisory lock lets
        one through and refuses the other at once, with a clear message."""
        original_solve = pps_schedule_run.solve

        def slow_solve(data, params):
            time.sleep(HOLD * 4)
            return original_solve(data, params)

        def run(env):
            run = env["pps.schedule.run"].schedule(
                productions=env["mrp.production"].browse(self.production),
                time_limit=2,
                workers=1,
                dry_run=True,
            )
            env.cr.rollback()  # a dry run; leave nothing behind
            return run.id

        with patch(f"{RUN_MODULE}.solve", slow_solve):
            outcomes = self._race([(SUPERUSER_ID, run), (SUPERUSER_ID, run)])
        kinds = sorted(kind for kind, _value in outcomes)
        self.assertEqual(kinds, ["error", "ok"], outcomes)
        error = next(value for kind, value in outcomes if kind == "error")
        self.assertIsInstance(error, UserError)
        self.assertRegex(str(error), "already in progress")
        type(self).CASES.append("schedule run / schedule run")


def _days(count):
    from datetime import timedelta

    return timedelta(days=count)


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
