"""The scheduler inside Odoo: extraction, write-back through the ORM, failure.

These tests schedule real manufacturing orders in the test database and read
the result back through Odoo's own fields (work order dates, calendar leaves,
MO dates, purchase line dates), as a production planner would see them.
"""

from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time
from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tools.safe_eval import safe_eval

from odoo.addons.pps_coordination.models.pps_lock_mixin import PPS_LOCK_BYPASS
from odoo.addons.pps_coordination.tools.wording import format_moment
from odoo.addons.pps_coordination_scheduler.engine import (
    Assignment,
    Job,
    Mode,
    Operation,
    Precedence,
    Resource,
)
from odoo.addons.pps_coordination_scheduler.models import pps_schedule_run
from odoo.addons.pps_coordination_scheduler.models.pps_schedule_problem import (
    ProblemMap,
)
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import (
    SchedulerCase,
    create_calendar,
    create_routing,
    create_workcenter,
    plan_in_sequence,
)


class TestSchedulerWriteBack(SchedulerCase):
    def test_schedule_plans_work_orders_without_overlap(self):
        """Three MOs compete for the same two work centers: after the run every
        work order has dates and a calendar leave, in routing order, none
        overlapping another on its work center, inside working hours, and each
        MO spans its work orders."""
        productions = self._create_production(3) | self._create_production(4)
        productions |= self._create_production(6)
        run = self._schedule(productions)
        self.assertEqual(run.state, "done", run.message)
        self.assertIn(run.solver_status, ("optimal", "feasible"))
        workorders = productions.workorder_ids
        self.assertTrue(all(workorders.mapped("date_start")))
        self.assertTrue(all(workorders.leave_id))
        self.assertEqual(run.moved_count, len(workorders))
        self._assert_no_overlap(workorders)
        for production in productions:
            cut, weld = production.workorder_ids.sorted("sequence")
            self.assertLessEqual(cut.date_finished, weld.date_start)
            self.assertEqual(
                production.date_start,
                min(production.workorder_ids.mapped("date_start")),
            )
            self.assertEqual(
                production.date_finished,
                max(production.workorder_ids.mapped("date_finished")),
            )
            for wo in production.workorder_ids:
                self.assertGreaterEqual(
                    wo.date_start.hour, 6, "starts in working hours"
                )
                self.assertEqual(wo.leave_id.resource_id, wo.workcenter_id.resource_id)

    def test_operation_spans_the_night_like_odoo(self):
        """A 10-hour cut started late in the shift continues the next morning:
        the engine follows Odoo's calendar semantics, so the written end is the
        next day, and the calendar leave covers the night."""
        self.bom.operation_ids[0].time_cycle_manual = 600.0
        production = self._create_production(5)
        run = self._schedule(production)
        self.assertEqual(run.state, "done", run.message)
        cut = production.workorder_ids.sorted("sequence")[0]
        worked = self.calendar.get_work_hours_count(
            cut.date_start, cut.date_finished, compute_leaves=False
        )
        self.assertAlmostEqual(worked, 10.0, places=1)

    def test_rush_order_goes_first(self):
        """With one bottleneck, the red-flagged MO is served before an older
        MO with the same due date: tardiness is weighted by the flag."""
        normal = self._create_production(0)
        rush = self._create_production(0)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Rush Co"}).id,
                "pps_rush": True,
                "pps_serial": 1,
            }
        )
        rush.pps_sale_order_id = order
        self.assertTrue(rush.pps_rush)
        self._schedule(normal | rush)
        self.assertLess(
            rush.workorder_ids.sorted("sequence")[0].date_start,
            normal.workorder_ids.sorted("sequence")[0].date_start,
        )

    def test_second_run_moves_nothing(self):
        """Stability: rescheduling unchanged data moves no work order."""
        productions = self._create_production(2) | self._create_production(3)
        self._schedule(productions)
        before = {
            wo.id: (wo.date_start, wo.date_finished) for wo in productions.workorder_ids
        }
        run = self._schedule(productions)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.moved_count, 0)
        after = {
            wo.id: (wo.date_start, wo.date_finished) for wo in productions.workorder_ids
        }
        self.assertEqual(before, after)

    def test_rerun_at_another_time_of_day_moves_nothing(self):
        """Planned at 23:00 (the plant works 06:00-22:00), re-run through the
        night, at the first shift's start and half an hour into it (the first
        work order then due a moment ago: being started), with other time
        limits and workers: the plan in force stands every time. Nothing is
        frozen, a fifth of each day is kept for rush work (a reserve counted
        from the run's own "now") and the orders are late, so every run has
        work it could move."""
        self.company.write({"pps_frozen_days": 0, "pps_rush_capacity_share": 0.2})
        evening = fields.Datetime.now().replace(
            hour=23, minute=0, second=0, microsecond=0
        )
        with freeze_time(evening):
            productions = self.env["mrp.production"]
            for days in (0, 1, 1, 2):
                productions |= self._create_production(days)
            run = self._schedule(productions)
            self.assertEqual(run.state, "done", run.message)
        plan = {
            wo.id: (wo.workcenter_id, wo.date_start, wo.date_finished)
            for wo in productions.workorder_ids
        }
        self.assertEqual(
            min(start for _wc, start, _end in plan.values()),
            evening + timedelta(hours=7),
        )
        late = productions.filtered(
            lambda p: max(p.workorder_ids.mapped("date_finished")) > p.date_deadline
        )
        self.assertTrue(late)
        for hours, limit, workers in (
            (4, 5, 1),
            (6.95, 1, 1),
            (7.5, 3, 2),
        ):
            with (
                self.subTest(hours=hours),
                freeze_time(evening + timedelta(hours=hours)),
            ):
                run = (
                    self.env["pps.schedule.run"]
                    .with_user(self.planner)
                    .schedule(
                        productions=productions, time_limit=limit, workers=workers
                    )
                )
                self.assertEqual(run.state, "done", run.message)
                self.assertEqual(run.moved_count, 0)
                self.assertEqual(
                    {
                        wo.id: (wo.workcenter_id, wo.date_start, wo.date_finished)
                        for wo in productions.workorder_ids
                    },
                    plan,
                )

    def test_move_cost_decides_whether_a_small_gain_reorders_the_plan(self):
        """The second of two planned MOs becomes 30 minutes late: swapping
        them saves 30 weighted minutes and moves their work orders. Priced at
        the default (480 a move) the plan stands; priced at 1 the swap is made.
        (No frozen zone here: it would keep both, whatever the price.)"""
        self.company.pps_frozen_days = 0
        first = self._create_production(5)
        second = self._create_production(5)
        self._schedule(first | second)
        early, late = (first | second).sorted(
            lambda p: max(p.workorder_ids.mapped("date_finished"))
        )
        finish = max(late.workorder_ids.mapped("date_finished"))
        late.date_deadline = finish - timedelta(minutes=30)
        icp = self.env["ir.config_parameter"].sudo()
        icp.set_param("pps_scheduler.move_cost", "480")
        run = self._schedule(first | second)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.move_cost, 480)
        self.assertEqual(run.moved_count, 0)
        self.assertEqual(max(late.workorder_ids.mapped("date_finished")), finish)
        icp.set_param("pps_scheduler.move_cost", "1")
        run = self._schedule(first | second)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.move_cost, 1)
        self.assertGreater(run.moved_count, 0)
        self.assertLessEqual(
            max(late.workorder_ids.mapped("date_finished")), late.date_deadline
        )
        self.assertGreater(
            max(early.workorder_ids.mapped("date_finished")),
            max(late.workorder_ids.mapped("date_finished")),
        )

    def test_bad_move_cost_parameter_is_refused_with_its_name(self):
        production = self._create_production(3)
        icp = self.env["ir.config_parameter"].sudo()
        for bad in ("abc", "-5", "1.5"):
            icp.set_param("pps_scheduler.move_cost", bad)
            with self.assertRaisesRegex(UserError, "pps_scheduler.move_cost"):
                self._schedule(production)

    def test_operation_longer_than_a_days_non_rush_time_is_planned(self):
        """With 20% of each day kept for rush work, a 40-hour cut (a day has
        16 working hours, 12.8 outside the reserve) still gets planned: it
        runs through the reserve, which it could not leave free anyway."""
        self.company.pps_rush_capacity_share = 0.2
        production = self._create_production(10, qty=20)
        run = self._schedule(production)
        self.assertEqual(run.state, "done", run.message)
        cut = production.workorder_ids.filtered(lambda wo: wo.name == "Cut")
        self.assertGreaterEqual(cut.duration_expected, 2400)
        self.assertTrue(cut.date_start)
        self.assertGreater(cut.date_finished - cut.date_start, timedelta(hours=40))

    def test_ready_work_order_due_a_moment_ago_is_kept_as_starting(self):
        """A ready work order planned to start ten minutes ago is being started
        on the floor: a run keeps it (and so the queue behind it) instead of
        pushing it to "now". Without the grace (0 minutes) it moves."""
        # round the clock, so that the plan below fits the calendar at any hour
        always = create_calendar(self.env, "Round the clock", 0.0, 24.0, range(7))
        (self.wc_cut | self.wc_weld).resource_calendar_id = always
        production = self._create_production(5)
        cut, weld = production.workorder_ids.sorted("sequence")
        self.assertEqual(cut.state, "ready")
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        start = now - timedelta(minutes=10)
        plan_in_sequence(cut | weld, start, (120, 60))
        run = self._schedule(production)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(cut.date_start, start)
        self.assertEqual(run.moved_count, 0)
        self.env["ir.config_parameter"].sudo().set_param(
            "pps_scheduler.start_grace", "0"
        )
        run = self._schedule(production)
        self.assertEqual(run.state, "done", run.message)
        self.assertGreaterEqual(cut.date_start, start + timedelta(minutes=10))

    def test_starting_work_behind_a_moving_predecessor_moves_too(self):
        """Kept as "starting" only while everything before it is kept: behind
        a predecessor that still moves (a component's MO, say), it cannot stay
        in the past, and neither can what is "starting" behind it."""
        plan = [
            Assignment(0, 0, -50, 30),
            Assignment(0, 0, -40, 40),
            Assignment(0, 0, -30, 50),
        ]
        operations = [
            Operation(key=1, job=0, modes=(Mode(0, 80),), current=plan[0]),
            Operation(key=2, job=0, modes=(Mode(0, 80),), fixed=plan[1]),
            Operation(key=3, job=0, modes=(Mode(0, 80),), fixed=plan[2]),
        ]
        problem = ProblemMap(origin=fields.Datetime.now(), data=None)
        problem.movable = {0}
        problem.fixed_reasons = {1: "starting", 2: "starting"}
        self.env["pps.schedule.problem"]._release_blocked_starts(
            problem,
            operations,
            [Precedence(0, 1), Precedence(1, 2)],
            {1: plan[1], 2: plan[2]},
        )
        self.assertEqual(problem.movable, {0, 1, 2})
        self.assertEqual(problem.fixed_reasons, {})
        self.assertEqual([op.fixed for op in operations], [None, None, None])
        self.assertEqual([op.current for op in operations], plan)

    def test_locked_production_does_not_move(self):
        """An MO under the execution lock keeps its plan; others route around it."""
        locked = self._create_production(1)
        locked.button_plan()
        locked_plan = {
            wo.id: (wo.date_start, wo.date_finished) for wo in locked.workorder_ids
        }
        locked.with_user(self.planner).action_pps_lock()
        other = self._create_production(1)
        run = self._schedule(locked | other)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(
            locked_plan,
            {wo.id: (wo.date_start, wo.date_finished) for wo in locked.workorder_ids},
        )
        self._assert_no_overlap((locked | other).workorder_ids)

    def test_dry_run_writes_nothing_until_applied(self):
        """A preview records the moves on the run but leaves the work orders as
        they are; applying it writes exactly the previewed dates, no new solve."""
        production = self._create_production(3)
        run = self._schedule(production, dry_run=True)
        self.assertEqual(run.state, "done", run.message)
        self.assertFalse(any(production.workorder_ids.mapped("date_start")))
        self.assertEqual(len(run.line_ids), 2)
        preview = {
            line.workorder_id: (line.new_date_start, line.new_date_finished)
            for line in run.line_ids
        }
        runs_before = self.env["pps.schedule.run"].search_count([])
        run.with_user(self.planner).action_apply()
        self.assertTrue(run.applied)
        self.assertEqual(self.env["pps.schedule.run"].search_count([]), runs_before)
        for workorder, (start, end) in preview.items():
            self.assertEqual(
                (workorder.date_start, workorder.date_finished), (start, end)
            )

    def test_preview_that_moves_nothing_cannot_be_applied(self):
        """A preview of an unchanged plan moves nothing: the run's form offers
        no Apply (it says there is nothing to apply) and the server refuses
        one with a clear message, leaving the run not applied."""
        production = self._create_production(3)
        self._schedule(production)
        run = self._schedule(production, dry_run=True)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual((run.moved_count, len(run.line_ids)), (0, 0))
        with self.assertRaisesRegex(UserError, "moves no work order"):
            run.with_user(self.planner).action_apply()
        self.assertFalse(run.applied)

        arch = etree.fromstring(
            run.with_user(self.planner).get_views([(False, "form")])["views"]["form"][
                "arch"
            ]
        )
        [apply] = arch.xpath("//button[@name='action_apply']")
        [nothing] = arch.xpath("//div[contains(@class, 'o_pps_run_nothing_to_apply')]")
        for moved, shown in ((0, False), (2, True)):
            values = {
                "dry_run": True,
                "applied": False,
                "state": "done",
                "moved_count": moved,
            }
            self.assertEqual(not safe_eval(apply.get("invisible"), values), shown)
            self.assertEqual(bool(safe_eval(nothing.get("invisible"), values)), shown)

    def test_stale_preview_is_refused(self):
        """If a previewed work order was re-planned meanwhile, applying the old
        preview would overwrite that change: it is refused, nothing written."""
        production = self._create_production(3)
        run = self._schedule(production, dry_run=True)
        production.button_plan()
        planned = {wo: wo.date_start for wo in production.workorder_ids}
        with self.assertRaisesRegex(UserError, "run the preview again"):
            run.with_user(self.planner).action_apply()
        self.assertEqual(
            planned, {wo: wo.date_start for wo in production.workorder_ids}
        )
        self.assertFalse(run.applied)

    def _production_supplied_by_rfq(self):
        """An MO whose component comes from an RFQ line planned tomorrow."""
        component = self.env["product.product"].create(
            {"name": "Sched Steel", "is_storable": True}
        )
        self.bom.bom_line_ids = [
            Command.create({"product_id": component.id, "product_qty": 1})
        ]
        production = self._create_production(10)
        vendor = self.env["res.partner"].create({"name": "Steel Vendor"})
        rfq = self.env["purchase.order"].create(
            {
                "partner_id": vendor.id,
                "user_id": self.planner.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": component.id,
                            "product_qty": 1,
                            "date_planned": fields.Datetime.now() + timedelta(days=1),
                        }
                    )
                ],
            }
        )
        move = production.move_raw_ids
        receipt = self.env["stock.move"].create(
            {
                "product_id": component.id,
                "product_uom_qty": 1,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": move.location_id.id,
                "purchase_line_id": rfq.order_line.id,
            }
        )
        move.move_orig_ids = receipt
        return production, rfq

    def test_purchase_line_follows_need_date(self):
        """An RFQ line supplying an MO component moves to the MO start minus the
        material buffer; moving an RFQ bothers no buyer."""
        production, rfq = self._production_supplied_by_rfq()
        run = self._schedule(production)
        self.assertEqual(run.state, "done", run.message)
        need = production.date_start - timedelta(days=1)
        self.assertEqual(rfq.order_line.date_planned, need)
        purchase_lines = run.line_ids.filtered(
            lambda line: line.record_type == "purchase"
        )
        self.assertEqual(purchase_lines.new_date_start, need)
        self.assertFalse(rfq.activity_ids)

    def test_confirmed_purchase_pulled_in_alerts_the_buyer(self):
        """A confirmed PO line that must now arrive earlier is moved too, and its
        buyer gets an activity to confirm the new date with the vendor."""
        production, po = self._production_supplied_by_rfq()
        po.state = "purchase"  # confirmed, its receipt not yet in the forecast
        run = self._schedule(production)
        self.assertEqual(run.state, "done", run.message)
        self.assertLess(po.order_line.date_planned, fields.Datetime.now())
        self.assertEqual(len(po.activity_ids), 1)
        self.assertEqual(po.activity_ids.user_id, self.planner)
        self.assertIn("pulled in", po.activity_ids.summary)


class TestSchedulerFailures(SchedulerCase):
    def setUp(self):
        super().setUp()
        # An interactive failure keeps a failed copy of the run through a
        # cursor of its own: here a test cursor on the test's transaction.
        self.registry_enter_test_mode()

    def test_salesperson_cannot_reschedule(self):
        """Rescheduling is a planner's job, enforced on the server."""
        production = self._create_production()
        with self.assertRaises(AccessError):
            self.env["pps.schedule.run"].with_user(self.salesman).schedule(
                productions=production
            )

    def test_empty_calendar_fails_and_writes_nothing(self):
        """A work center closed for the whole horizon cannot host its work:
        the run fails with an explanation and no work order gets dates."""
        production = self._create_production(3)
        self._close_plant()
        run = self._schedule(production)
        self.assertEqual(run.state, "failed")
        self.assertTrue(run.message)
        self.assertFalse(any(production.workorder_ids.mapped("date_start")))

    def _close_from_tomorrow(self, centers, today):
        """A leave of each of ``centers`` from tomorrow's midnight on."""
        self.env["resource.calendar.leaves"].create(
            [
                {
                    "name": f"{center.name} closed",
                    "calendar_id": self.calendar.id,
                    "resource_id": center.resource_id.id,
                    "date_from": today.replace(hour=0) + timedelta(days=1),
                    "date_to": datetime(2100, 1, 1),
                    "time_type": "leave",
                }
                for center in centers
            ]
        )

    def test_overloaded_work_center_fails_naming_it_and_its_hours(self):
        """Cutting closes for good tonight: forty hours of cutting do not fit
        in today's sixteen. The run fails at once, before any model, saying
        so in hours and names (the engine's bound), and writes nothing."""
        today = fields.Datetime.now().replace(hour=5, minute=0, second=0)
        with freeze_time(today):
            production = self._create_production(3, qty=20)
            self._close_from_tomorrow(self.wc_cut, today)
            run = self._schedule(production)
        self.assertEqual(run.state, "failed")
        self.assertIn(
            "work center Sched Cutting has 40 hours of work that no other work "
            "center can do, but only 16 working hours",
            run.message,
        )
        self.assertIn(f"{production.name} - Cut", run.message)
        self.assertFalse(any(production.workorder_ids.mapped("date_start")))

    def test_failure_reasons_say_dates_not_minutes(self):
        """Both centers close for good tonight: fourteen hours of cutting and
        then seven of welding each fit in today's sixteen, not one after the
        other. What the run says names the time from which welding could
        start as a date and time in the planner's time zone and language (as
        every sentence does), never as a minute of the problem or in UTC."""
        today = fields.Datetime.now().replace(hour=5, minute=0, second=0)
        self.planner.tz = "Asia/Tokyo"  # UTC+9: 20:00 UTC is 05:00 next day
        with freeze_time(today):
            production = self._create_production(3, qty=7)
            self._close_from_tomorrow(self.wc_cut | self.wc_weld, today)
            run = self._schedule(production)
        self.assertEqual(run.state, "failed")
        self.assertIn(f"{production.name} - Weld", run.message)
        planner_env = self.env(user=self.planner)
        start = format_moment(planner_env, today.replace(hour=20))
        self.assertIn(start, run.message)
        self.assertIn(f"{today + timedelta(days=1):%m/%d/%Y} 05:00 AM", start)
        self.assertNotIn("UTC", run.message)
        self.assertNotIn("minute", run.message)

    def test_interactive_failure_raises(self):
        """Interactive callers (buttons, server action) get a UserError."""
        production = self._create_production(3)
        self._close_plant()
        with self.assertRaises(UserError):
            self._schedule(production, interactive=True)

    def test_concurrent_run_is_refused(self):
        """While a run of the company is running, a second one is refused."""
        self.env["pps.schedule.run"].sudo().create({"state": "running"})
        with self.assertRaisesRegex(UserError, "still running"):
            self._schedule(self._create_production())

    def test_server_action_is_bound_to_manufacturing_orders(self):
        """The server action reschedules the selected MOs and opens the run."""
        action = self.env.ref("pps_coordination_scheduler.action_server_pps_reschedule")
        self.assertEqual(action.binding_model_id.model, "mrp.production")
        production = self._create_production()
        result = (
            action.with_user(self.planner)
            .with_context(active_model="mrp.production", active_ids=production.ids)
            .run()
        )
        run = self.env["pps.schedule.run"].browse(result["res_id"])
        self.assertEqual(run.state, "done", run.message)
        self.assertTrue(all(production.workorder_ids.mapped("date_start")))


class TestSchedulerBackground(SchedulerCase):
    def test_large_interactive_run_goes_to_a_job(self):
        """An interactive run over many work orders is handed to a queue_job
        job: the run shows "running" at once, refuses a second run meanwhile,
        and the job completes it and notifies the planner."""
        production = self._create_production(3)
        with (
            patch.object(pps_schedule_run, "BACKGROUND_THRESHOLD", 0),
            trap_jobs() as trap,
        ):
            run = self._schedule(production, interactive=True)
            trap.assert_jobs_count(1)
            self.assertEqual(run.state, "running")
            with self.assertRaisesRegex(UserError, "still running"):
                self._schedule(production)
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done", run.message)
        self.assertTrue(all(production.workorder_ids.mapped("date_start")))
        self.assertIn(self.planner.partner_id, run.message_ids.partner_ids)

    def test_a_caller_that_needs_the_result_keeps_the_run_in_the_request(self):
        """``pps_schedule_sync`` (an agreement, a confirmation, a dry run of an
        abnormality) runs even a large interactive run in the request: no job
        is enqueued and the plan is written when the call returns."""
        production = self._create_production(3)
        with (
            patch.object(pps_schedule_run, "BACKGROUND_THRESHOLD", 0),
            trap_jobs() as trap,
        ):
            run = (
                self.env["pps.schedule.run"]
                .with_user(self.planner)
                .with_context(pps_schedule_sync=True)
                .schedule(productions=production, interactive=True)
            )
            trap.assert_jobs_count(0)
        self.assertEqual(run.state, "done", run.message)
        self.assertTrue(all(production.workorder_ids.mapped("date_start")))


class TestSchedulerPastFixedWork(SchedulerCase):
    def test_fixed_work_planned_in_the_past_does_not_block_the_run(self):
        """Two pinned MOs whose plans ended yesterday on the same work center
        are not squeezed onto "now" (where they would collide and make the run
        infeasible): they are left out, and the rest is scheduled."""
        from odoo.addons.pps_coordination.models.pps_lock_mixin import PPS_LOCK_BYPASS

        late = self._create_production(1) | self._create_production(1)
        yesterday = fields.Datetime.now() - timedelta(days=1)
        for production in late:
            production.button_plan()
            for wo in production.workorder_ids.with_context(
                pps_lock_bypass=PPS_LOCK_BYPASS, bypass_duration_calculation=True
            ):
                shift = yesterday - wo.date_finished
                wo.write(
                    {"date_start": wo.date_start + shift, "date_finished": yesterday}
                )
            production.with_user(self.planner).action_pps_pin_plan()
        other = self._create_production(2)
        run = self._schedule(late | other)
        self.assertEqual(run.state, "done", run.message)
        self.assertTrue(all(other.workorder_ids.mapped("date_start")))
        self.assertTrue(all(wo.date_finished == yesterday for wo in late.workorder_ids))


class TestSchedulerFailureRecord(SchedulerCase):
    def test_interactive_failure_keeps_a_failed_run(self):
        """An interactive failure raises (rolling back the caller's work) but a
        failed run with the reason is still kept, written through a cursor of
        its own (here a test cursor on the test's transaction stands in for
        it, as Odoo's registry test mode provides)."""
        self.registry_enter_test_mode()
        production = self._create_production(3)
        self._close_plant()
        try:
            self._schedule(production, interactive=True)
        except UserError as error:
            raised = str(error)
        else:
            raised = None
        self.assertTrue(raised and "failed" in raised)
        kept = self.env["pps.schedule.run"].search(
            [("state", "=", "failed"), ("trigger", "=", "manual")]
        )
        self.assertEqual(len(kept), 1)
        self.assertIn("calendar", kept.message)
        self.assertFalse(any(production.workorder_ids.mapped("date_start")))


class TestSchedulerHorizon(SchedulerCase):
    def test_horizon_grows_with_the_load(self):
        """An overloaded work center gets a horizon long enough for its work:
        the margin follows the busiest center's load, so many long orders due
        tomorrow still get a schedule instead of an infeasible model."""
        Problem = self.env["pps.schedule.problem"]
        productions = self._create_production(1)
        now = fields.Datetime.now()
        light = Problem._prepare_horizon_end(
            productions, productions.workorder_ids, now
        )
        self.bom.operation_ids[0].time_cycle_manual = 60 * 24 * 10  # 10 days each
        heavy = productions | self._create_production(1) | self._create_production(1)
        end = Problem._prepare_horizon_end(heavy, heavy.workorder_ids, now)
        self.assertGreater(end, light + timedelta(days=100))
        run = self._schedule(heavy)
        self.assertEqual(run.state, "done", run.message)


class TestSchedulerFixedBehindMovingWork(SchedulerCase):
    """Frozen work two steps behind late work, and work in progress behind
    work not done: the run plans them instead of failing as infeasible."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wc_paint = cls._create_workcenter("Sched Painting")
        cls.long_product = cls.env["product.product"].create(
            {"name": "Sched Long Frame", "is_storable": True}
        )
        cls.long_bom = create_routing(
            cls.env,
            cls.long_product,
            [
                ("Cut", cls.wc_cut, 240.0),
                ("Weld", cls.wc_weld, 60.0),
                ("Paint", cls.wc_paint, 60.0),
            ],
        )

    def _long_production(self):
        production = self.env["mrp.production"].create(
            {
                "product_id": self.long_product.id,
                "bom_id": self.long_bom.id,
                "date_deadline": fields.Datetime.now() + timedelta(days=10),
            }
        )
        production.action_confirm()
        production.button_plan()
        return production

    def _replan(self, workorder, start, minutes):
        workorder.with_context(
            pps_lock_bypass=PPS_LOCK_BYPASS, bypass_duration_calculation=True
        ).write(
            {"date_start": start, "date_finished": start + timedelta(minutes=minutes)}
        )

    def test_frozen_work_two_steps_behind_late_work_moves(self):
        """Cut was due yesterday and has not started; Weld and Paint are
        planned in the frozen zone, Weld ending before Paint starts. Cut's four
        hours cannot end before Paint starts: Paint is released with Weld, and
        the chain is planned in its order."""
        production = self._long_production()
        cut, weld, paint = production.workorder_ids.sorted("sequence")
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        self._replan(cut, now - timedelta(days=1), 240)
        self._replan(weld, now + timedelta(hours=1), 60)
        self._replan(paint, now + timedelta(hours=2), 60)
        run = self._schedule(production)
        self.assertEqual(run.state, "done", run.message)
        self.assertGreaterEqual(cut.date_start, now - timedelta(minutes=1))
        self.assertLessEqual(cut.date_finished, weld.date_start)
        self.assertLessEqual(weld.date_finished, paint.date_start)
        self.assertGreater(paint.date_start, now + timedelta(hours=2), "released")

    def test_work_in_progress_ahead_of_its_predecessor_stays(self):
        """Weld was started while Cut, before it, was not: Weld stays as it
        runs, Paint behind it keeps its frozen place, and Cut is planned from
        now instead of making the run fail."""
        production = self._long_production()
        cut, weld, paint = production.workorder_ids.sorted("sequence")
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        self._replan(cut, now - timedelta(hours=6), 240)
        self._replan(weld, now - timedelta(minutes=30), 60)
        self._replan(paint, now + timedelta(hours=2), 60)
        weld.with_context(pps_lock_bypass=PPS_LOCK_BYPASS).sudo().state = "progress"
        weld_plan = (weld.date_start, weld.date_finished)
        run = self._schedule(production)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual((weld.date_start, weld.date_finished), weld_plan)
        self.assertGreaterEqual(cut.date_start, now - timedelta(minutes=1))
        # Paint waits for Weld, which runs: it keeps its frozen place
        self.assertEqual(paint.date_start, now + timedelta(hours=2))

    def test_equipment_failure_behind_a_full_evening_replans(self):
        """The demo's case, end to end: Cutting's time before a breakdown is
        taken by frozen work of another order; an order's frozen cut inside
        the breakdown moves after it, so its frozen weld (on a center that
        works) cannot stay before it: the run releases the weld instead of
        failing as infeasible."""
        clock = create_calendar(self.env, "Round the clock", 0.0, 24.0, days=range(7))
        cutting = create_workcenter(self.env, "Sched 24h Cutting", clock)
        welding = create_workcenter(self.env, "Sched 24h Welding", clock)
        frame = self.env["product.product"].create(
            {"name": "Sched 24h Frame", "is_storable": True}
        )
        blank = self.env["product.product"].create(
            {"name": "Sched 24h Blank", "is_storable": True}
        )
        boms = {
            frame: create_routing(
                self.env, frame, [("Cut", cutting, 240.0), ("Weld", welding, 60.0)]
            ),
            blank: create_routing(self.env, blank, [("Cut", cutting, 240.0)]),
        }
        productions = {}
        for product, bom in boms.items():
            production = self.env["mrp.production"].create(
                {
                    "product_id": product.id,
                    "bom_id": bom.id,
                    "date_deadline": fields.Datetime.now() + timedelta(days=10),
                }
            )
            production.action_confirm()
            production.button_plan()
            productions[product] = production
        now = fields.Datetime.now().replace(second=0, microsecond=0)
        (blank_cut,) = productions[blank].workorder_ids
        cut, weld = productions[frame].workorder_ids.sorted("sequence")
        self._replan(blank_cut, now, 240)
        self._replan(cut, now + timedelta(minutes=240), 240)
        self._replan(weld, now + timedelta(minutes=480), 60)
        breakdown = self.env["pps.abnormality"].create(
            {
                "abnormality_type": "equipment_failure",
                "workcenter_id": cutting.id,
                "capacity_factor": 0.0,
                "date_start": now + timedelta(minutes=240),
                "date_end": now + timedelta(days=2),
            }
        )
        breakdown.action_confirm()
        run = self._schedule(productions[frame] | productions[blank])
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(blank_cut.date_start, now, "frozen, not hit: stays")
        self.assertGreaterEqual(cut.date_start, breakdown.date_end)
        self.assertGreaterEqual(weld.date_start, cut.date_finished)

    def test_reach_counts_the_time_fixed_work_takes(self):
        """The field case of an equipment failure: the predecessor's plan
        (minutes 50-150) is consistent with its frozen successor (from 150)
        but its work center has no free time before minute 300, all taken by
        other frozen work (the evening before the failure): it cannot finish
        before 400, so the successor is released instead of making the run
        infeasible."""
        plan = [
            Assignment(0, 0, 0, 300),  # other frozen work fills the center
            Assignment(0, 0, 50, 150),  # its plan no longer holds
            Assignment(1, 0, 150, 200),  # frozen behind it
        ]
        operations = [
            Operation(key=1, job=0, modes=(Mode(0, 300),), fixed=plan[0]),
            Operation(key=2, job=1, modes=(Mode(0, 100),), current=plan[1]),
            Operation(key=3, job=1, modes=(Mode(1, 50),), fixed=plan[2]),
        ]
        problem = ProblemMap(origin=fields.Datetime.now(), data=None)
        problem.movable = {1}
        problem.fixed_reasons = {0: "frozen", 2: "frozen"}
        resources = [Resource(key=k, windows=((0, 100000),)) for k in range(2)]
        jobs = [Job(key=1), Job(key=2)]
        precedences = [Precedence(1, 2)]
        self.env["pps.schedule.problem"]._release_unreachable_fixed(
            problem, operations, precedences, resources, jobs
        )
        self.assertEqual(problem.fixed_reasons, {0: "frozen"})
        self.assertIsNone(operations[2].fixed)
        self.assertEqual(operations[0].fixed, plan[0], "nothing holds it back")

    def test_frozen_work_behind_a_chain_that_moves_is_released(self):
        """Through the chain, not only by reach: a first operation planned
        in the past moves, so the second (released behind it) moves, so the
        third -- frozen, with time enough by every bound -- cannot count on
        the second's plan and is released too; a locked week's work behind a
        predecessor that keeps its plan stays."""
        plan = [
            Assignment(0, 0, -100, -90),  # late: moves
            Assignment(1, 0, 12, 132),  # released behind it
            Assignment(2, 0, 273, 363),  # frozen, reachable by minute 140
            Assignment(1, 0, 500, 520),  # movable, keeps a valid plan
            Assignment(2, 0, 600, 620),  # week locked behind it: stays
        ]
        operations = [
            Operation(key=1, job=0, modes=(Mode(0, 10),), current=plan[0]),
            Operation(key=2, job=0, modes=(Mode(1, 120),), current=plan[1]),
            Operation(key=3, job=0, modes=(Mode(2, 90),), fixed=plan[2]),
            Operation(key=4, job=1, modes=(Mode(1, 20),), current=plan[3]),
            Operation(key=5, job=1, modes=(Mode(2, 20),), fixed=plan[4]),
        ]
        problem = ProblemMap(origin=fields.Datetime.now(), data=None)
        problem.movable = {0, 1, 3}
        problem.fixed_reasons = {2: "frozen", 4: "week locked"}
        resources = [Resource(key=k, windows=((0, 100000),)) for k in range(3)]
        jobs = [Job(key=1), Job(key=2)]
        precedences = [Precedence(0, 1), Precedence(1, 2), Precedence(3, 4)]
        left = self.env["pps.schedule.problem"]._release_unreachable_fixed(
            problem, operations, precedences, resources, jobs
        )
        self.assertEqual(left, precedences, "nothing dropped")
        self.assertEqual(problem.movable, {0, 1, 2, 3})
        self.assertEqual(problem.fixed_reasons, {4: "week locked"})
        self.assertIsNone(operations[2].fixed)
        self.assertEqual(operations[2].current, plan[2])
        self.assertEqual(operations[4].fixed, plan[4])
