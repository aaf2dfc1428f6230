"""Capacity holds of open quotations (``pps.capacity.hold``).

A salesperson holds a quoted date: the promise's inserted operations keep
their slots until the hold expires. Later quotes are promised around it,
schedule runs plan nothing into it (the hold survives a run), confirmation
turns it into the order's plan, cancellation and expiry free it, and two
holds asked at the same moment never get the same slot (real concurrent
transactions, ``TestCapacityHoldConcurrency``).

The plant works round the clock (UTC, ``OnePlanCase``), as soon as possible
(no just-in-time slack, no material buffer, components in stock), so the
held slot of the first quotation starts now and lasts its 240 minutes.
"""

# pylint: disable=invalid-commit
# (the concurrency class commits its fixture and removes it again)

import threading
import time
from contextlib import closing
from datetime import timedelta
from functools import partial
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.registry import DummyRLock, Registry
from odoo.service.model import retrying
from odoo.sql_db import db_connect
from odoo.tests.common import BaseCase, get_db_name, mute_logger, tagged

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.pps_coordination_scheduler.models.pps_capacity_hold import (
    PpsCapacityHold,
)
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import OnePlanCase, create_calendar, create_routing, open_window_action

#: Working minutes of the quoted work: 4 units of 60 minutes.
QTY = 4
MINUTES = QTY * 60
ONE_MINUTE = timedelta(minutes=1)


class CapacityHoldCase(OnePlanCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "pps_jit_slack_days": 0.0,
                "pps_material_buffer_days": 0,
                "pps_frozen_days": 0,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.component, cls.warehouse.lot_stock_id, 1000
        )

    def _quotation(self, qty=QTY, **values):
        return self._create_sale_order(qty=qty, pps_rush=True, **values)

    def _hold(self, order, user=None):
        order.with_user(user or self.sales_user).action_pps_hold_quote()
        return order.pps_hold_ids.filtered(lambda h: h.state == "active")

    def _slot(self, order):
        """Where a quote of ``order`` would put its work now: (start, end)."""
        placed = order.with_user(self.sales_user).pps_quote_delivery_date()["placed"]
        self.assertEqual(len(placed), 1, placed)
        return placed[0]["date_start"], placed[0]["date_end"]


class TestCapacityHold(CapacityHoldCase):
    def test_hold_keeps_the_promised_slot(self):
        """Holding a quotation stores the promise's slot as a held line, by
        the salesperson, expiring after the company's hold days."""
        order = self._quotation()
        start, end = self._slot(order)
        action = order.with_user(self.sales_user).action_pps_hold_quote()
        self.assertEqual(action["tag"], "display_notification")
        hold = order.pps_hold_ids
        self.assertEqual(len(hold), 1)
        self.assertEqual(hold.state, "active")
        self.assertTrue(hold.is_holding)
        self.assertEqual(hold.user_id, self.sales_user)
        self.assertTrue(hold.name.startswith("HOLD/"))
        self.assertAlmostEqual(
            hold.date_expiry, self._in_days(3), delta=timedelta(minutes=2)
        )
        line = hold.line_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(line.workcenter_id, self.workcenter)
        self.assertEqual(line.operation_id, self.bom.operation_ids)
        self.assertEqual(line.product_id, self.product)
        self.assertAlmostEqual(line.date_start, start, delta=ONE_MINUTE)
        self.assertAlmostEqual(line.date_end, end, delta=ONE_MINUTE)
        self.assertEqual(line.date_end - line.date_start, timedelta(minutes=MINUTES))
        self.assertTrue(hold.delivery_date)
        self.assertEqual(order.pps_hold_count, 1)
        self.assertEqual(order.pps_hold_expiry, hold.date_expiry)

    def test_second_quote_waits_for_the_hold(self):
        """A second quotation for the same work is promised after the held
        slot; released, the slot is the second quotation's again."""
        first = self._quotation()
        second = self._quotation()
        early_start, _early_end = self._slot(second)
        hold = self._hold(first)
        start, _end = self._slot(second)
        self.assertGreaterEqual(start, hold.line_ids.date_end - ONE_MINUTE)
        self.assertGreater(start, early_start + timedelta(minutes=MINUTES - 2))
        hold.with_user(self.sales_user).action_cancel()
        self.assertEqual(hold.state, "cancelled")
        start, _end = self._slot(second)
        self.assertAlmostEqual(start, early_start, delta=ONE_MINUTE)

    def test_expired_hold_holds_nothing_before_the_cron(self):
        """Past its expiry a hold is ignored at once; the cron then marks it
        expired. A hold not yet due stays active through the cron."""
        first = self._quotation()
        second = self._quotation()
        early_start, _end = self._slot(second)
        hold = self._hold(first)
        self.env["pps.capacity.hold"]._cron_expire()
        self.assertEqual(hold.state, "active", "not due yet: the cron keeps it")
        self.assertGreater(self._slot(second)[0], early_start + timedelta(hours=3))
        hold.with_user(self.planner_user).date_expiry = self._now() - ONE_MINUTE
        self.assertEqual(hold.state, "active")
        self.assertFalse(hold.is_holding)
        start, _end = self._slot(second)
        self.assertAlmostEqual(start, early_start, delta=ONE_MINUTE)
        self.assertGreaterEqual(self.env["pps.capacity.hold"]._cron_expire(), 1)
        self.assertEqual(hold.state, "expired")
        self.assertFalse(first.pps_hold_expiry)

    def test_hold_survives_a_run(self):
        """A confirmed order planned at confirmation and then a full schedule
        run (the real entry point, as a planner) plan nothing into the held
        slot; the hold is still active with the same slot after both."""
        held = self._quotation()
        hold = self._hold(held)
        slot = hold.line_ids.read(["workcenter_id", "date_start", "date_end"])
        other = self._quotation()
        productions = self._confirm(other)
        workorder = productions.workorder_ids
        self.assertTrue(workorder.date_start)
        self.assertGreaterEqual(workorder.date_start, hold.line_ids.date_end)
        run = self.env["pps.schedule.run"].with_user(self.planner_user).schedule()
        self.assertEqual(run.state, "done", run.message)
        self.assertIn(productions, run.production_ids)
        workorder.invalidate_recordset()
        self.assertGreaterEqual(workorder.date_start, hold.line_ids.date_end)
        hold.invalidate_recordset()
        self.assertEqual(hold.state, "active")
        self.assertEqual(
            hold.line_ids.read(["workcenter_id", "date_start", "date_end"]), slot
        )

    def test_why_late_names_the_held_quote_ahead(self):
        """An order that waits behind a held slot says so: capacity, with the
        held quotation among the work ahead."""
        held = self._quotation()
        self._hold(held)
        due = self._in_days(self.company.security_lead) + timedelta(minutes=5)
        productions = self._confirm(self._quotation(commitment_date=due))
        self.assertEqual(productions.pps_late_cause, "capacity")
        self.assertIn(held.name, productions.pps_late_reason)

    def test_run_keeps_only_the_free_part_of_a_slot(self):
        """Work planned into a held slot after the hold (by hand) does not
        break the run: the hold blocks only what is still free."""
        held = self._quotation()
        hold = self._hold(held)
        other = self._quotation()
        productions = self._confirm(other)
        self._plan_at(productions, hold.line_ids.date_start)
        productions.action_pps_pin_plan()
        run = (
            self.env["pps.schedule.run"]
            .with_user(self.planner_user)
            .schedule(productions=productions)
        )
        self.assertEqual(run.state, "done", run.message)

    def test_confirmation_converts_the_hold(self):
        """Confirming a held quotation converts its hold before planning: its
        work is planned in the held slot, and a later quote still waits."""
        order = self._quotation()
        hold = self._hold(order)
        line = hold.line_ids
        productions = self._confirm(order)
        self.assertEqual(hold.state, "converted")
        self.assertFalse(hold.is_holding)
        workorder = productions.workorder_ids
        self.assertEqual(workorder.workcenter_id, line.workcenter_id)
        self.assertAlmostEqual(workorder.date_start, line.date_start, delta=ONE_MINUTE)
        self.assertEqual(self._last_run("confirmation").state, "done")
        start, _end = self._slot(self._quotation())
        self.assertGreaterEqual(start, workorder.date_finished - ONE_MINUTE)

    def test_confirmation_keeps_the_held_slot(self):
        """The held slot is the plan the new work order starts from: when the
        work that pushed the quote later is gone by the confirmation, the
        order is still planned where its date was held (moving it earlier
        saves no lateness: it is agreed for later), not at the first free
        minute."""
        other = self._quotation()
        obstacle = self._confirm(other)
        order = self._quotation(commitment_date=self._in_days(10))
        line = self._hold(order).line_ids
        self.assertGreaterEqual(
            line.date_start, obstacle.workorder_ids.date_finished - ONE_MINUTE
        )
        obstacle.action_cancel()
        early_start, _end = self._slot(self._quotation(qty=1))
        self.assertLess(early_start, line.date_start - timedelta(hours=3))
        workorder = self._confirm(order).workorder_ids
        self.assertAlmostEqual(workorder.date_start, line.date_start, delta=ONE_MINUTE)

    def test_cancelling_the_quotation_cancels_the_hold(self):
        order = self._quotation()
        hold = self._hold(order)
        order.with_user(self.sales_user).action_cancel()
        self.assertEqual(order.state, "cancel")
        self.assertEqual(hold.state, "cancelled")

    def test_holding_again_replaces_the_hold(self):
        """A second hold of the same quotation replaces the first; its own
        hold is no obstacle to it, so it keeps the same slot."""
        order = self._quotation()
        first = self._hold(order)
        second = self._hold(order)
        self.assertNotEqual(first, second)
        self.assertEqual(first.state, "cancelled")
        self.assertEqual(second.state, "active")
        self.assertAlmostEqual(
            second.line_ids.date_start, first.line_ids.date_start, delta=ONE_MINUTE
        )

    def test_only_quotations_with_production_hold(self):
        """A confirmed order, or a quotation served from stock, holds nothing:
        a clear error."""
        order = self._quotation()
        self._confirm(order)
        with self.assertRaisesRegex(UserError, "Only a quotation"):
            order.with_user(self.sales_user).action_pps_hold_quote()
        stocked = self.env["product.product"].create(
            {"name": "PPS Spare", "is_storable": True}
        )
        self.env["stock.quant"]._update_available_quantity(
            stocked, self.warehouse.lot_stock_id, 10
        )
        quotation = self._create_sale_order(product=stocked, qty=1)
        with self.assertRaisesRegex(UserError, "no capacity to hold"):
            quotation.with_user(self.sales_user).action_pps_hold_quote()
        self.assertFalse(quotation.pps_hold_ids)

    def test_weekly_meeting_lists_holds_about_to_expire(self):
        """The meeting (screen and PDF) lists the holds expiring within two
        days, and not the ones that expire later or hold nothing."""
        soon, later = self._quotation(), self._quotation()
        soon_hold, later_hold = self._hold(soon), self._hold(later)
        soon_hold.with_user(self.planner_user).date_expiry = self._in_days(1)
        self.assertGreater(later_hold.date_expiry, self._in_days(2.5))
        meeting = (
            self.env["pps.weekly.meeting.report"]
            .with_user(self.sales_user)
            .create({"week_date": fields.Date.today()})
        )
        self.assertEqual(meeting.hold_expiring_ids, soon_hold)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.sales_user)
            ._render_qweb_html(
                "pps_coordination.action_report_pps_weekly_meeting", meeting.ids
            )[0]
            .decode()
        )
        section = html.split("Expiring Within Two Days", 1)[1]
        self.assertIn(soon_hold.name, section)
        self.assertNotIn(later_hold.name, section)
        soon_hold.with_user(self.sales_user).action_cancel()
        meeting.invalidate_recordset()
        self.assertFalse(meeting.hold_expiring_ids)


class TestCapacityHoldAccess(CapacityHoldCase):
    def test_plain_salesperson_cannot_hold(self):
        """The hold reads the whole plan as the system: a salesperson outside
        the coordination groups is refused on the server."""
        plain = mail_new_test_user(
            self.env, login="pps_hold_plain", groups="sales_team.group_sale_salesman"
        )
        order = self._quotation(user_id=plain.id)
        with self.assertRaises(AccessError):
            order.with_user(plain).action_pps_hold_quote()
        self.assertFalse(order.pps_hold_ids)

    def test_salesperson_holds_only_quotations_they_may_edit(self):
        other_sales = mail_new_test_user(
            self.env,
            login="pps_hold_other_sales",
            groups="base.group_user,pps_coordination.group_pps_sales",
        )
        order = self._quotation()
        with self.assertRaises(AccessError):
            order.with_user(other_sales).action_pps_hold_quote()
        hold = self._hold(order, user=self.planner_user)
        self.assertEqual(hold.user_id, self.planner_user, "planners hold any quote")
        with self.assertRaises(AccessError):
            hold.with_user(other_sales).read(["name"])
        self.assertEqual(
            hold.with_user(self.sales_user).read(["state"])[0]["state"], "active"
        )
        with self.assertRaises(AccessError):
            hold.with_user(other_sales).action_cancel()
        self.assertEqual(hold.state, "active")

    def test_nobody_edits_holds_by_hand(self):
        """Sales read their holds; planners change only the expiry of an
        active hold; nobody writes states or slots by hand."""
        order = self._quotation()
        hold = self._hold(order)
        self.assertEqual(
            hold.with_user(self.sales_user).read(["state"])[0]["state"], "active"
        )
        with self.assertRaises(AccessError):
            hold.with_user(self.sales_user).date_expiry = self._in_days(10)
        with self.assertRaisesRegex(UserError, "Only the expiry"):
            hold.with_user(self.planner_user).state = "converted"
        later = self._in_days(10)
        hold.with_user(self.planner_user).date_expiry = later
        self.assertEqual(hold.date_expiry, later)
        for user in (self.sales_user, self.planner_user):
            with self.assertRaises(AccessError):
                hold.line_ids.with_user(user).date_end = self._in_days(20)
            with self.assertRaises(AccessError):
                self.env["pps.capacity.hold.line"].with_user(user).create(
                    {
                        "hold_id": hold.id,
                        "workcenter_id": self.workcenter.id,
                        "date_start": self._now(),
                        "date_end": self._in_days(1),
                    }
                )
            with self.assertRaises(AccessError):
                self.env["pps.capacity.hold"].with_user(user).create(
                    {
                        "sale_order_id": order.id,
                        "company_id": self.company.id,
                        "date_expiry": self._in_days(5),
                    }
                )
        hold.with_user(self.planner_user).action_cancel()
        with self.assertRaisesRegex(UserError, "Only an active hold"):
            hold.with_user(self.planner_user).date_expiry = self._in_days(11)

    def test_hold_days_setting(self):
        """The company's hold days, 3 by default, set in the settings."""
        self.assertEqual(self.company.pps_hold_days, 3.0)
        settings = self.env["res.config.settings"].create({"pps_hold_days": 5.0})
        settings.execute()
        self.assertEqual(self.company.pps_hold_days, 5.0)
        hold = self._hold(self._quotation())
        self.assertAlmostEqual(
            hold.date_expiry, self._in_days(5), delta=timedelta(minutes=2)
        )
        with self.assertRaises(ValidationError):
            self.company.pps_hold_days = 0

    def test_menu_opens_for_sales_and_planners(self):
        self._hold(self._quotation())
        for user in (self.sales_user, self.planner_user):
            env = self.env(user=user)
            action = env["ir.actions.actions"]._for_xml_id(
                "pps_coordination_scheduler.pps_capacity_hold_action"
            )
            open_window_action(env, action)
            self.assertEqual(env["pps.capacity.hold"].search_count([]), 1)


# ----------------------------------------------------------------------
# concurrency: two real transactions
# ----------------------------------------------------------------------
#: How long a hold keeps its lock, so that the other one really arrives.
class TestCapacityHoldInBackground(CapacityHoldCase):
    def test_confirmation_in_a_job_keeps_the_held_slot(self):
        """With the background on, the confirmation's insertion run goes to a
        job with the held slots: the new work order is unplanned until the
        job runs, then planned where its date was held, not at the first free
        minute (as in the request, ``test_confirmation_keeps_the_held_slot``)."""
        obstacle = self._confirm(self._quotation())
        order = self._quotation(commitment_date=self._in_days(10))
        line = self._hold(order).line_ids
        obstacle.action_cancel()
        early_start, _end = self._slot(self._quotation(qty=1))
        self.assertLess(early_start, line.date_start - timedelta(hours=3))
        self.env["ir.config_parameter"].sudo().set_param(
            "pps_scheduler.background", "1"
        )
        with trap_jobs() as trap:
            workorder = self._confirm(order).workorder_ids
            trap.assert_jobs_count(1)
            job = trap.enqueued_jobs[0]
            self.assertEqual(job.method_name, "_execute_job")
            self.assertIn(str(workorder.id), job.kwargs["hold_seeds"])
            self.assertEqual(order.state, "sale")
            self.assertEqual(order.pps_hold_ids.state, "converted")
            self.assertFalse(workorder.date_start, "planned by the job")
            run = self._last_run("confirmation")
            self.assertEqual(run.state, "running")
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done", run.message)
        self.assertAlmostEqual(workorder.date_start, line.date_start, delta=ONE_MINUTE)


HOLD_LOCK_SECONDS = 0.8


def _env(cr, uid=SUPERUSER_ID):
    return api.Environment(cr, uid, {"tracking_disable": True})


@tagged("post_install", "-at_install")
class TestCapacityHoldConcurrency(BaseCase):
    """Two quotations held at the same moment, each in its own thread, its
    own connection and transaction, inside Odoo's request retry (as two
    HTTP workers would): they never get the same slot.

    The fixture is committed and removed again in ``tearDownClass``; see
    ``test_reliability_concurrency`` for the pattern (the registry lock is
    replaced by a dummy one, as Odoo's registry test mode does)."""

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
        sales = mail_new_test_user(
            env,
            login=f"hold_race_sales_{suffix}",
            name="Hold Race Sales",
            groups="base.group_user,pps_coordination.group_pps_sales",
        )
        cls.sales = sales.id
        calendar = create_calendar(
            env, f"Hold race round the clock {suffix}", 0.0, 24.0, days=range(7)
        )
        workcenter = env["mrp.workcenter"].create(
            {
                "name": f"Hold Race Cell {suffix}",
                "resource_calendar_id": calendar.id,
                "time_efficiency": 100,
                "time_start": 0,
                "time_stop": 0,
            }
        )
        product = env["product.product"].create(
            {"name": f"Hold Race Frame {suffix}", "is_storable": True}
        )
        bom = create_routing(env, product, [("Race Weld", workcenter, 120.0)])
        customer = env["res.partner"].create({"name": f"Hold Race Customer {suffix}"})
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": customer.id,
                    "user_id": sales.id,
                    "pps_rush": True,
                    "order_line": [
                        Command.create({"product_id": product.id, "product_uom_qty": 1})
                    ],
                }
                for _index in range(4)
            ]
        )
        cls.orders = orders.ids
        cls.workcenter = workcenter.id
        cls.created.update(
            users=sales.ids,
            partners=(customer | sales.partner_id).ids,
            orders=orders.ids,
            products=product.ids,
            bom=bom.ids,
            workcenter=workcenter.ids,
            resources=workcenter.resource_id.ids,
            calendar=calendar.ids,
        )

    @classmethod
    def tearDownClass(cls):
        with closing(db_connect(cls.dbname).cursor()) as cr:
            env = _env(cr)
            orders = tuple(cls.created.get("orders", ()))
            if orders:
                cr.execute(
                    "SELECT id FROM pps_capacity_hold WHERE sale_order_id IN %s",
                    [orders],
                )
                holds = tuple(row[0] for row in cr.fetchall())
                for model, ids in (
                    ("sale.order", orders),
                    ("pps.capacity.hold", holds),
                ):
                    if not ids:
                        continue
                    for table, column in (
                        ("mail_message", "model"),
                        ("mail_followers", "res_model"),
                        ("mail_activity", "res_model"),
                    ):
                        cr.execute(
                            f"DELETE FROM {table} WHERE {column} = %s AND res_id IN %s",
                            [model, ids],
                        )
                cr.execute(
                    "DELETE FROM pps_capacity_hold WHERE sale_order_id IN %s", [orders]
                )
                cr.execute("DELETE FROM sale_order WHERE id IN %s", [orders])
            for key, model in (
                ("bom", "mrp.bom"),
                ("products", "product.product"),
                ("workcenter", "mrp.workcenter"),
                ("resources", "resource.resource"),
                ("calendar", "resource.calendar"),
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

    # ---------------------------------------------------------------- helpers
    def _race(self, funcs):
        """Run each ``func(env, attempt)`` as the salesperson in its own
        thread and transaction, inside ``retrying``.

        :return: per actor, ("ok", value) or ("error", exception)
        """
        barrier = threading.Barrier(len(funcs))
        outcomes = [None] * len(funcs)

        def work(index, func):
            try:
                with closing(db_connect(self.dbname).cursor()) as cr:
                    env = _env(cr, self.sales)
                    barrier.wait(timeout=10)
                    attempts = []

                    def attempt(env):
                        attempts.append(1)
                        return func(env, len(attempts))

                    try:
                        value = retrying(partial(attempt, env), env)
                        cr.commit()
                        outcomes[index] = ("ok", (value, len(attempts)))
                    except Exception as error:  # noqa: BLE001 - reported below
                        cr.rollback()
                        outcomes[index] = ("error", error)
            except Exception as error:  # noqa: BLE001
                outcomes[index] = ("error", error)

        threads = [
            threading.Thread(target=work, args=(i, func), daemon=True)
            for i, func in enumerate(funcs)
        ]
        # The refused lock and the retry are logged by the cursor and retrying.
        with mute_logger("odoo.sql_db", "odoo.service.model"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=90)
        self.assertFalse(any(t.is_alive() for t in threads), "an actor hung")
        return outcomes

    def _slots(self, order_ids):
        with closing(db_connect(self.dbname).cursor()) as cr:
            env = _env(cr)
            lines = env["pps.capacity.hold.line"].search(
                [("sale_order_id", "in", order_ids), ("hold_id.state", "=", "active")]
            )
            return sorted((line.date_start, line.date_end) for line in lines)

    def _assert_apart(self, order_ids, outcomes):
        self.assertEqual([kind for kind, _value in outcomes], ["ok", "ok"], outcomes)
        slots = self._slots(order_ids)
        self.assertEqual(len(slots), 2, slots)
        (_first_start, first_end), (second_start, _second_end) = slots
        self.assertGreaterEqual(
            second_start, first_end - ONE_MINUTE, f"the holds share a slot: {slots}"
        )

    @staticmethod
    def _hold(order_id):
        def func(env, attempt):
            env["sale.order"].browse(order_id).action_pps_hold_quote()
            return attempt

        return func

    # ------------------------------------------------------------------ tests
    def test_two_holds_at_the_same_moment(self):
        """Both salespeople hold at once, the first keeping its lock a moment:
        the second waits (its refused lock is retried) and is held after the
        first, never on the same slot."""
        original = PpsCapacityHold._pps_serialize

        def slow(model):
            name = original(model)
            time.sleep(HOLD_LOCK_SECONDS)
            return name

        order_ids = self.orders[:2]
        with patch.object(PpsCapacityHold, "_pps_serialize", slow):
            outcomes = self._race([self._hold(order_id) for order_id in order_ids])
        self._assert_apart(order_ids, outcomes)
        attempts = sorted(value[1] for _kind, value in outcomes)
        self.assertEqual(attempts[0], 1)
        self.assertGreater(attempts[1], 1, "the second hold must have been retried")

    def test_hold_on_a_stale_snapshot_is_retried(self):
        """The second transaction reads (takes its snapshot) before the first
        hold commits and holds after it: the sequence row it must update
        changed after its snapshot, so PostgreSQL refuses it and the retry
        sees the first hold."""
        first_done = threading.Event()
        first_id, second_id = self.orders[2:4]

        def first(env, attempt):
            env["sale.order"].browse(first_id).action_pps_hold_quote()
            env.cr.commit()
            first_done.set()
            return attempt

        def second(env, attempt):
            env["sale.order"].browse(second_id).read(["name"])  # the snapshot
            env.cr.execute("SELECT 1 FROM pps_capacity_hold LIMIT 1")
            if attempt == 1:
                self.assertTrue(first_done.wait(timeout=60))
            env["sale.order"].browse(second_id).action_pps_hold_quote()
            return attempt

        outcomes = self._race([first, second])
        self._assert_apart([first_id, second_id], outcomes)
        self.assertGreater(outcomes[1][1][1], 1, "the stale hold must be retried")
