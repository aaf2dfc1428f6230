"""One plan for every order: the agreed date drives the finite-capacity plan.

These tests walk the flows of a salesperson and a planner through the real
extraction, engine run and write-back (no hook patched), and each pins one
rule of the plan: confirmed orders get planned, the lock protects the
agreement and not the plan, a pin keeps a plan put, a postponement moves work
and purchases later, the frozen zone holds in every entry point, flags and
serials decide who goes first, materials arrive a buffer ahead, and the sale
order shows the date the plan gives.

The plant works round the clock (UTC) so that the dates asserted here do not
depend on the weekday or the hour the suite runs at.
"""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError

from odoo.addons.pps_coordination.models.pps_lock_mixin import PPS_LOCK_BYPASS

from .common import OnePlanCase


class TestPlanningAtConfirmation(OnePlanCase):
    def test_confirmed_order_is_planned_at_once(self):
        """A salesperson confirms a quotation: its new MO is on the
        finite-capacity plan at once (every work order has dates and a
        calendar leave), through a schedule run recorded as such."""
        order = self._create_sale_order(expected_date=self._in_days(10))
        productions = self._confirm(order)
        workorders = productions.workorder_ids
        self.assertTrue(all(workorders.mapped("date_start")))
        self.assertTrue(all(workorders.leave_id))
        run = self._last_run("confirmation")
        self.assertEqual(run.state, "done", run.message)
        self.assertIn(productions, run.production_ids)

    def test_agreed_quotation_is_locked_and_planned(self):
        """An agreed quotation confirmed: its MO is born under the execution
        lock and planned anyway, and a planner's later run still counts its
        work as movable -- the lock protects the agreement, not the plan."""
        order = self._create_sale_order(expected_date=self._in_days(12))
        self._agree(order, self._in_days(12))
        productions = self._confirm(order)
        self.assertTrue(productions.pps_locked)
        self.assertTrue(all(productions.workorder_ids.mapped("date_start")))
        run = (
            self.env["pps.schedule.run"]
            .with_user(self.planner_user)
            .schedule(productions=productions)
        )
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.workorder_count, len(productions.workorder_ids))

    def test_scheduled_date_is_written_back(self):
        """After the plan is made the order shows the date it gives: the last
        MO finish plus the security lead time (1 day here)."""
        order = self._create_sale_order(expected_date=self._in_days(10))
        productions = self._confirm(order)
        finish = max(productions.mapped("date_finished"))
        self.assertEqual(order.pps_scheduled_date, finish + timedelta(days=1))


class TestLockAndPin(OnePlanCase):
    def test_locked_order_late_plan_is_pulled_back_to_its_date(self):
        """A locked, agreed order whose work sits after its agreed date is
        re-planned by a planner's run to meet it; the lock does not fix it."""
        order = self._create_sale_order(expected_date=self._in_days(8))
        self._agree(order, self._in_days(8))
        productions = self._confirm(order)
        workorders = self._plan_at(productions, self._in_days(20))
        run = (
            self.env["pps.schedule.run"]
            .with_user(self.planner_user)
            .schedule(productions=productions)
        )
        self.assertEqual(run.state, "done", run.message)
        self.assertTrue(productions.pps_locked)
        self.assertLessEqual(max(workorders.mapped("date_finished")), self._in_days(7))

    def test_pinned_plan_stays_where_the_planner_put_it(self):
        """A planner pins an MO's plan: a run leaves its work orders exactly
        where they are, although they are late; unpinned, the next run moves
        them. Pin and unpin are logged."""
        order = self._create_sale_order(expected_date=self._in_days(8))
        productions = self._confirm(order)
        workorders = self._plan_at(productions, self._in_days(20))
        before = self._starts(workorders)
        productions.with_user(self.planner_user).action_pps_pin_plan("Tooling ready")
        self.assertTrue(productions.pps_plan_pinned)
        self.assertEqual(productions.pps_plan_pinned_by_id, self.planner_user)
        Run = self.env["pps.schedule.run"].with_user(self.planner_user)
        run = Run.schedule(productions=productions)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(self._starts(workorders), before)
        productions.with_user(self.planner_user).action_pps_unpin_plan()
        Run.schedule(productions=productions)
        self.assertNotEqual(self._starts(workorders), before)
        logs = self.env["pps.lock.log"].search(
            [("res_model", "=", "mrp.production"), ("res_id", "=", productions.id)]
        )
        self.assertEqual(set(logs.mapped("action")), {"pin", "unpin"})

    def test_cancelling_a_locked_mo_needs_an_unlock(self):
        """Cancelling a locked MO changes the agreement: refused even to a
        manufacturing administrator, allowed once unlocked with a reason."""
        order = self._create_sale_order(expected_date=self._in_days(12))
        self._agree(order, self._in_days(12))
        production = self._confirm(order)
        self.assertTrue(production.pps_locked)
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            production.with_user(self.admin_user).action_cancel()
        self.assertEqual(production.state, "confirmed")
        production.with_user(self.unlock_user).action_pps_unlock("customer cancels")
        production.with_user(self.admin_user).action_cancel()
        self.assertEqual(production.state, "cancel")

    def test_only_planners_pin(self):
        """Pinning is a planner's decision, enforced on the server: a
        salesperson is refused, and the pin fields cannot be written."""
        order = self._create_sale_order(expected_date=self._in_days(8))
        productions = self._confirm(order)
        with self.assertRaises(AccessError):
            productions.with_user(self.sales_user).action_pps_pin_plan()
        with self.assertRaises(UserError):
            productions.with_user(self.planner_user).write({"pps_plan_pinned": True})
        self.assertFalse(productions.pps_plan_pinned)


class TestPostponement(OnePlanCase):
    def test_postponement_moves_work_deadline_and_purchases_later(self):
        """The customer takes the order ten days later: once agreed, the MO
        deadline is the new date less the security lead time, its work orders
        start about ten days later (just in time, not as soon as possible),
        and the confirmed purchase line feeding it moves later with an
        activity for the buyer."""
        order = self._create_sale_order(expected_date=self._in_days(15))
        self._agree(order, self._in_days(15))
        productions = self._confirm(order)
        purchase = productions._pps_supplying_purchase_lines().order_id
        self.assertTrue(purchase, "the component is bought to order")
        purchase.button_confirm()
        workorders = productions.workorder_ids
        start_before = min(workorders.mapped("date_start"))
        line_before = purchase.order_line.date_planned
        self.assertGreater(start_before, self._in_days(3), "outside the frozen zone")

        self._agree(order, self._in_days(25), "customer_change", "Site not ready")

        self.assertEqual(
            productions.date_deadline, order.commitment_date - timedelta(days=1)
        )
        start_after = min(workorders.mapped("date_start"))
        self.assertGreaterEqual(start_after - start_before, timedelta(days=9))
        self.assertLessEqual(max(workorders.mapped("date_finished")), self._in_days(24))
        self.assertGreater(purchase.order_line.date_planned, line_before)
        self.assertEqual(
            purchase.order_line.date_planned, start_after - timedelta(days=3)
        )
        self.assertIn("postponed", " ".join(purchase.activity_ids.mapped("summary")))

    def _postponed_purchase_line(self, confirm):
        """An agreed order confirmed (its component bought to order), then
        postponed ten days: the purchase line feeding it, before and after."""
        order = self._create_sale_order(expected_date=self._in_days(15))
        self._agree(order, self._in_days(15))
        productions = self._confirm(order)
        purchase = productions._pps_supplying_purchase_lines().order_id
        self.assertTrue(purchase, "the component is bought to order")
        if confirm:
            purchase.button_confirm()
        before = purchase.order_line.date_planned
        self._agree(order, self._in_days(25), "customer_change", "Later")
        start = min(productions.workorder_ids.mapped("date_start"))
        return purchase, before, start

    def test_postponement_moves_a_draft_rfq_line(self):
        """A draft RFQ has no receipt move yet: its line is found through the
        procurement that created it, and moves later with the work."""
        purchase, before, start = self._postponed_purchase_line(confirm=False)
        self.assertEqual(purchase.state, "draft")
        self.assertGreater(purchase.order_line.date_planned, before)
        self.assertEqual(purchase.order_line.date_planned, start - timedelta(days=3))
        self.assertFalse(purchase.activity_ids, "moving an RFQ bothers no buyer")

    def test_no_just_in_time_means_as_soon_as_possible(self):
        """With a slack of 0 the plan starts work at once: the rule above is
        the company's just-in-time setting, not a side effect."""
        self.company.pps_jit_slack_days = 0.0
        order = self._create_sale_order(expected_date=self._in_days(15))
        productions = self._confirm(order)
        start = min(productions.workorder_ids.mapped("date_start"))
        # the component's vendor needs a day, then the 3-day material buffer
        self.assertLessEqual(start, self._in_days(4) + timedelta(hours=1))


class TestFrozenZone(OnePlanCase):
    """Work planned to start within today + 3 days never moves, whatever the
    run; a late MO planned the day after tomorrow is the bait: any run that
    ignored the zone would pull it to now."""

    def setUp(self):
        super().setUp()
        # the component is at hand at once: only the zone holds the bait back
        self.company.pps_material_buffer_days = 0
        self.component.seller_ids.delay = 0
        self.production = self.env["mrp.production"].create(
            {
                "product_id": self.product.id,
                "bom_id": self.bom.id,
                "product_qty": 1,
                "date_deadline": fields.Datetime.now() + timedelta(hours=2),
            }
        )
        self.production.action_confirm()
        self.workorders = self._plan_at(self.production, self._in_days(2))
        self.before = self._starts(self.workorders)

    def _assert_frozen(self):
        self.assertEqual(self._starts(self.workorders), self.before)

    def test_server_action(self):
        """The planner's Reschedule server action keeps frozen work."""
        self.production.with_user(self.planner_user).action_pps_reschedule()
        self._assert_frozen()

    def test_cron(self):
        """The daily cron keeps frozen work."""
        self.env["pps.schedule.run"]._cron_schedule()
        self.assertEqual(self._last_run("cron").state, "done")
        self._assert_frozen()

    def test_board(self):
        """A dry run from the dispatch board keeps frozen work: the frozen bait
        is all there is, so the preview moves nothing and has nothing to
        apply (refused, as its Apply button is hidden)."""
        board = self.env["pps.dispatch.board"].with_user(self.planner_user)
        summary = board.action_dry_run()
        self.assertEqual(summary["moved_count"], 0)
        with self.assertRaisesRegex(UserError, "moves no work order"):
            board.action_apply_run(summary["id"])
        self._assert_frozen()

    def test_negotiation(self):
        """A postponement agreed for an order planned inside the zone keeps
        that work where it is (the rest of its plan may move)."""
        order = self._create_sale_order(expected_date=self._in_days(10))
        productions = self._confirm(order)
        workorders = self._plan_at(productions, self._in_days(1))
        before = self._starts(workorders)
        self._agree(order, self._in_days(30), "customer_change", "Later")
        self.assertEqual(self._last_run("negotiation").state, "done")
        self.assertEqual(self._starts(workorders), before)
        self._assert_frozen()

    def test_release_for_one_run(self):
        """A planner may release the zone for one run, explicitly: the bait
        moves, and the run says so."""
        run = (
            self.env["pps.schedule.run"]
            .with_user(self.planner_user)
            .schedule(productions=self.production, release_frozen=True)
        )
        self.assertEqual(run.state, "done", run.message)
        self.assertTrue(run.release_frozen)
        self.assertLess(min(self.workorders.mapped("date_start")), self._in_days(1))
        self.assertIn("released the frozen zone", run.message_ids[-1:].body or "")

    def test_release_from_the_run_form(self):
        """From a preview's form, "Run again, frozen zone released" makes a
        new preview with the zone released; the first one keeps the zone."""
        production = self.production.with_user(self.planner_user)
        action = production.action_pps_reschedule_preview()
        preview = self.env["pps.schedule.run"].browse(action["res_id"])
        self.assertFalse(preview.release_frozen)
        self.assertNotIn(self.workorders, preview.line_ids.workorder_id)
        action = preview.with_user(self.planner_user).action_rerun_release_frozen()
        released = self.env["pps.schedule.run"].browse(action["res_id"])
        self.assertTrue(released.dry_run)
        self.assertTrue(released.release_frozen)
        self.assertIn(self.workorders, released.line_ids.workorder_id)
        self._assert_frozen()  # a preview writes nothing

    def test_broken_machine_releases_its_frozen_work(self):
        """A confirmed breakdown over the bait's slot: that work cannot run
        where it stands, so the run moves it out of the breakdown (the zone
        holds everything the breakdown does not touch)."""
        start = min(self.workorders.mapped("date_start"))
        abnormality = (
            self.env["pps.abnormality"]
            .with_user(self.planner_user)
            .create(
                {
                    "name": "Press down",
                    "abnormality_type": "equipment_failure",
                    "workcenter_id": self.workcenter.id,
                    "date_start": start - timedelta(hours=1),
                    "date_end": start + timedelta(hours=6),
                    "capacity_factor": 0.0,
                }
            )
        )
        abnormality.action_confirm()
        self.env["pps.schedule.run"].with_user(self.planner_user).schedule(
            productions=self.production
        )
        for workorder in self.workorders:
            self.assertTrue(
                workorder.date_finished <= abnormality.date_start
                or workorder.date_start >= abnormality.date_end,
                f"{workorder.display_name} still runs during the breakdown",
            )

    def test_material_shortage_releases_its_frozen_work(self):
        """A confirmed shortage of the bait's component until after its slot:
        that work cannot run where it stands, so the run moves it after the
        material is back (plus the buffer, none here)."""
        end = self._in_days(3)
        shortage = (
            self.env["pps.abnormality"]
            .with_user(self.planner_user)
            .create(
                {
                    "name": "Steel late",
                    "abnormality_type": "material_shortage",
                    "product_id": self.component.id,
                    "date_start": self._now() - timedelta(hours=1),
                    "date_end": end,
                }
            )
        )
        shortage.action_confirm()
        self.env["pps.schedule.run"].with_user(self.planner_user).schedule(
            productions=self.production
        )
        self.assertGreaterEqual(min(self.workorders.mapped("date_start")), end)

    def test_release_needs_a_planner(self):
        """Only planners may release the zone (the run itself is refused to
        others anyway; the option is checked on its own too)."""
        with self.assertRaises(AccessError):
            self.env["pps.schedule.run"].with_user(self.sales_user).schedule(
                productions=self.production, release_frozen=True
            )


class TestPriorities(OnePlanCase):
    def test_red_flag_then_serial_go_first(self):
        """Three orders want the one work center at the same time: the red
        flag goes first, then serial 1, then serial 5, whatever order they
        were confirmed in."""
        self.company.pps_frozen_days = 0
        self.env["ir.config_parameter"].sudo().set_param("pps_scheduler.move_cost", "0")
        due = self._in_days(1)
        orders = {
            "serial 5": self._create_sale_order(qty=4, expected_date=due, pps_serial=5),
            "serial 1": self._create_sale_order(qty=4, expected_date=due, pps_serial=1),
            "rush": self._create_sale_order(
                qty=4, expected_date=due, pps_rush=True, pps_serial=9
            ),
        }
        productions = self.env["mrp.production"]
        for order in orders.values():
            productions |= self._confirm(order)
        run = (
            self.env["pps.schedule.run"]
            .with_user(self.planner_user)
            .schedule(productions=productions)
        )
        self.assertEqual(run.state, "done", run.message)
        start = {
            name: min(order._pps_productions().workorder_ids.mapped("date_start"))
            for name, order in orders.items()
        }
        self.assertLess(start["rush"], start["serial 1"])
        self.assertLess(start["serial 1"], start["serial 5"])


class TestMaterialBuffer(OnePlanCase):
    def test_work_starts_a_buffer_after_the_material_arrives(self):
        """The component's vendor needs 6 days: the MO's work cannot start
        before the receipt plus the 3-day material buffer."""
        self.company.pps_jit_slack_days = 0.0
        self.component.seller_ids.delay = 6
        order = self._create_sale_order(expected_date=self._in_days(20))
        productions = self._confirm(order)
        start = min(productions.workorder_ids.mapped("date_start"))
        self.assertGreaterEqual(start, self._in_days(9) - timedelta(minutes=5))


class TestConfirmationFallback(OnePlanCase):
    def test_busy_scheduler_still_leaves_nothing_unplanned(self):
        """While a background run holds the company, confirming an order
        cannot run the scheduler: Odoo's own planning places the MO, and the
        order's chatter says why, so no confirmed MO is left unplanned."""
        self.env["pps.schedule.run"].sudo().create({"state": "running"})
        order = self._create_sale_order(expected_date=self._in_days(10))
        productions = self._confirm(order)
        self.assertTrue(all(productions.workorder_ids.mapped("date_start")))
        self.assertIn("could not place", " ".join(order.message_ids.mapped("body")))


class TestUpgrade(OnePlanCase):
    def test_upgrade_locks_the_backorders_of_locked_orders(self):
        """Databases from 1.0.0 hold backorders of locked MOs created unlocked:
        the 1.1.0 upgrade step locks them, with a lock-log line."""
        import importlib.util
        import os

        from odoo.addons import pps_coordination

        order = self._create_sale_order(expected_date=self._in_days(12), qty=2)
        self._agree(order, self._in_days(12))
        production = self._confirm(order)
        self.assertTrue(production.pps_locked)
        bypass = production.with_context(pps_lock_bypass=PPS_LOCK_BYPASS)
        backorder = bypass._split_productions({production: [1, 1]})[1:]
        backorder.with_context(pps_lock_bypass=PPS_LOCK_BYPASS).write(
            {"pps_locked": False, "pps_locked_by_id": False, "pps_locked_at": False}
        )
        path = os.path.join(
            os.path.dirname(pps_coordination.__file__),
            "migrations",
            "19.0.1.1.0",
            "post-migrate.py",
        )
        spec = importlib.util.spec_from_file_location("pps_post_migrate", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "19.0.1.0.0")
        backorder.invalidate_recordset()
        self.assertTrue(backorder.pps_locked)
        self.assertTrue(
            self.env["pps.lock.log"].search(
                [("res_model", "=", "mrp.production"), ("res_id", "=", backorder.id)]
            )
        )
