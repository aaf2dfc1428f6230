"""Exact times, the rush reserve next to fixed work, and messages with names.

Through the real extraction, run and write-back, as a production planner:

- a plan's datetimes become engine minutes outward (nothing planned next to
  kept work overlaps it on the floor), and fixed work planned back to back
  stays back to back whatever the seconds (a fresh demo database failed
  with "fixed operations 183 and 180 overlap on work center 4");
- the rush reserve also holds on a day that already holds fixed work;
- a failed run names orders, work orders and work centers, never record ids.
"""

import math
import re
from datetime import datetime, time, timedelta

from odoo import fields

from odoo.addons.pps_coordination_scheduler.models.pps_schedule_problem import (
    to_minutes,
)

from .common import SchedulerCase, create_calendar, create_routing, create_workcenter

BYPASS = {"bypass_duration_calculation": True}


class ExactCase(SchedulerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Datetime.now().date()
        cls.tomorrow = datetime.combine(today + timedelta(days=1), time())

    def _at(self, hours, minutes=0, seconds=0, days=0):
        """Tomorrow (plus ``days``) at hh:mm:ss, UTC."""
        return self.tomorrow + timedelta(
            days=days, hours=hours, minutes=minutes, seconds=seconds
        )

    def _start(self, workorder, start, end):
        """Start ``workorder`` on the floor (in progress), planned [start, end)."""
        workorder.button_start()
        self.assertEqual(workorder.state, "progress")
        workorder.with_context(**BYPASS).write(
            {"date_start": start, "date_finished": end}
        )
        self.assertEqual((workorder.date_start, workorder.date_finished), (start, end))

    def _cut(self, production):
        return production.workorder_ids.filtered(lambda wo: wo.name == "Cut")


class TestExactTimes(ExactCase):
    def test_back_to_back_fixed_work_shares_its_boundary_minute(self):
        """A kept plan rounds outward (start down, end up: nothing planned
        next to it overlaps it on the floor). Two cuts in progress back to
        back, the boundary at 07:37:00, :29, :30 or :59, would so overlap by
        a minute (the measured "fixed operations 183 and 180 overlap"): the
        earlier one ends where the later one starts, so they stay back to
        back, neither overlapping nor leaving a gap. A real overlap of a whole
        minute is kept, for the run to report."""
        origin = datetime(2030, 1, 7, 5, 0)
        for seconds in (0, 29, 30, 59):
            moment = origin + timedelta(minutes=37, seconds=seconds)
            self.assertEqual(to_minutes(origin, moment), 37)
            up = to_minutes(origin, moment, rounding=math.ceil)
            self.assertEqual(up, 37 if seconds == 0 else 38)
        Problem = self.env["pps.schedule.problem"]
        first, second = self._create_production(2) | self._create_production(2)
        self._start(self._cut(first), self._at(6), self._at(7))
        self._start(self._cut(second), self._at(7), self._at(9))

        def fixed_cuts(end_of_first, start_of_second):
            self._cut(first).with_context(**BYPASS).date_finished = end_of_first
            self._cut(second).with_context(**BYPASS).date_start = start_of_second
            problem = Problem._prepare_problem(first | second)
            index = {wo: i for i, wo in enumerate(problem.workorders)}
            ops = problem.data.operations
            return (
                problem.origin,
                ops[index[self._cut(first)]].fixed,
                ops[index[self._cut(second)]].fixed,
            )

        for seconds in (0, 29, 30, 59):
            boundary = self._at(7, 37, seconds)
            origin, a, b = fixed_cuts(boundary, boundary)
            self.assertEqual(a.end, b.start, seconds)
            self.assertEqual(b.start, to_minutes(origin, boundary))
            self.assertEqual(a.start, to_minutes(origin, self._at(6)))
            self.assertEqual(b.end, to_minutes(origin, self._at(9)))
        origin, a, b = fixed_cuts(self._at(7, 38), self._at(7, 37))
        self.assertEqual(
            (a.end, b.start), (b.start + 1, to_minutes(origin, self._at(7, 37)))
        )

    def test_back_to_back_fixed_work_at_half_a_minute_schedules(self):
        """Two orders' cuts are in progress, planned back to back with the
        boundary at 07:37:30 (and the second ending at 09:00:30): both stay
        exactly where they are, and a third order's work is planned around
        them. Before, the boundary became a one-minute overlap of two fixed
        operations and the run failed as infeasible."""
        first, second, third = (
            self._create_production(2)
            | self._create_production(2)
            | self._create_production(2)
        )
        boundary = self._at(7, 37, 30)
        self._start(self._cut(first), self._at(6), boundary)
        self._start(self._cut(second), boundary, self._at(9, 0, 30))
        run = self._schedule(first | second | third)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(
            (self._cut(first).date_start, self._cut(first).date_finished),
            (self._at(6), boundary),
        )
        self.assertEqual(
            (self._cut(second).date_start, self._cut(second).date_finished),
            (boundary, self._at(9, 0, 30)),
        )
        self.assertTrue(
            all((first | second | third).workorder_ids.mapped("date_start"))
        )
        self._assert_no_overlap((first | second | third).workorder_ids)


class TestReserveNextToFixedWork(ExactCase):
    def test_reserve_holds_on_a_day_with_fixed_work(self):
        """A press works two shifts (960 minutes) tomorrow and the day after,
        with 20% of each day kept for rush work (768 minutes left). An order
        in progress holds 129 minutes tomorrow morning, and four normal orders
        of 300 minutes each want to run as early as possible. Before, a day
        with fixed work was exempt and movable work filled all of it (960 of
        960 minutes); now all non-rush work planned tomorrow stays within
        768 minutes, and the rest goes to the next day."""
        self.company.pps_rush_capacity_share = 0.2
        weekday = self.tomorrow.weekday()
        calendar = create_calendar(
            self.env, "Press days", 6.0, 22.0, days=(weekday, (weekday + 1) % 7)
        )
        press = create_workcenter(self.env, "Exact Press", calendar)
        product = self.env["product.product"].create(
            {"name": "Exact Panel", "is_storable": True}
        )
        bom = create_routing(self.env, product, [("Press", press, 300.0)])

        def order():
            production = self.env["mrp.production"].create(
                {
                    "product_id": product.id,
                    "bom_id": bom.id,
                    "product_qty": 1.0,
                    "date_deadline": self._at(12),
                }
            )
            production.action_confirm()
            return production

        started = order()
        fixed = started.workorder_ids
        self._start(fixed, self._at(6), self._at(8, 9))
        movable = order() | order() | order() | order()
        run = self._schedule(started | movable)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(fixed.date_start, self._at(6))
        day_start, day_end = self._at(6), self._at(22)

        def minutes_tomorrow(workorders):
            return sum(
                max(
                    0,
                    (
                        min(wo.date_finished, day_end) - max(wo.date_start, day_start)
                    ).total_seconds()
                    / 60,
                )
                for wo in workorders
            )

        self.assertTrue(all(movable.workorder_ids.mapped("date_start")))
        self.assertGreater(minutes_tomorrow(movable.workorder_ids), 0)
        self.assertLessEqual(minutes_tomorrow(movable.workorder_ids), 768 - 129)
        self.assertLessEqual(minutes_tomorrow(fixed | movable.workorder_ids), 768)
        self._assert_no_overlap(fixed | movable.workorder_ids)

    def test_other_rush_orders_fixed_work_is_rush_work(self):
        """Other orders' planned work is fixed in the problem; a red-flagged
        order's is rush work, so it does not count against the non-rush
        share of the day (and it carries the names messages use)."""
        rush = self._create_production(3)
        rush.pps_sale_order_id = self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Rush Co"}).id,
                "pps_rush": True,
            }
        )
        normal = self._create_production(3)
        cuts = self._cut(rush) | self._cut(normal)
        cuts[0].with_context(**BYPASS).write(
            {"date_start": self._at(6), "date_finished": self._at(8)}
        )
        cuts[1].with_context(**BYPASS).write(
            {"date_start": self._at(8), "date_finished": self._at(10)}
        )
        scope = self._create_production(3)
        problem = self.env["pps.schedule.problem"]._prepare_problem(scope)
        jobs = {
            production: problem.data.jobs[j]
            for j, production in enumerate(problem.productions)
        }
        self.assertTrue(rush.pps_rush)
        self.assertTrue(jobs[rush].rush)
        self.assertFalse(jobs[normal].rush)
        self.assertEqual(jobs[rush].label, rush.name)
        labels = {
            workorder: problem.data.operations[i].label
            for i, workorder in enumerate(problem.workorders)
        }
        self.assertEqual(labels[cuts[0]], f"{rush.name} - Cut")
        self.assertIn(self.wc_cut.name, [r.label for r in problem.data.resources])


class TestMessagesWithNames(ExactCase):
    def test_failed_run_names_orders_and_work_centers(self):
        """Two orders' cuts are in progress at the same time on one work
        center: no schedule exists. The run fails and says which work orders
        of which orders overlap on which work center, by their names; no
        record id appears in the message."""
        first, second = self._create_production(2) | self._create_production(2)
        self._start(self._cut(first), self._at(6), self._at(8))
        self._start(self._cut(second), self._at(7), self._at(9))
        run = self._schedule(first | second)
        self.assertEqual(run.state, "failed")
        self.assertEqual(run.solver_status, "infeasible")
        message = run.message
        for name in (
            f"{first.name} - Cut",
            f"{second.name} - Cut",
            self.wc_cut.name,
        ):
            self.assertIn(name, message)
        ids = (first | second).ids + (first | second).workorder_ids.ids
        ids += self.wc_cut.ids
        for record_id in ids:
            self.assertNotRegex(message, rf"(?<![\w/]){record_id}(?![\w/])")

    def test_empty_calendar_names_the_work_order_and_work_center(self):
        """Refused while the problem is built (a work center without any
        working time): the reason names the work order and the work center."""
        production = self._create_production(3)
        self._close_plant()
        run = self._schedule(production)
        self.assertEqual(run.state, "failed")
        self.assertIn(self.wc_cut.name, run.message)
        self.assertIn(f"{production.name} - Cut", run.message)
        self.assertFalse(re.search(rf"\b{self.wc_cut.id}\b", run.message))
