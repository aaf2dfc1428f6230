"""The promise reads the plan in force on every answer, fast.

``pps.promise`` reads the other orders' planned work orders in one query as
values (``_planned_rows``) instead of records, builds their engine work from
those values (``_fixed_work``) and reads the calendars of the work centers
sharing one together (``pps.schedule.problem._prepare_calendar_windows``).
Nothing outlives an answer, so there is nothing to invalidate; what can go
wrong is reading the plan as it was before a change the transaction has not
flushed yet, or building it differently from the scheduler. Each path that
changes the plan is quoted before and after the change (through
``sale.order.pps_quote_delivery_date`` as the salesperson, the change made as
the planner); two answers in a row equal a cold one; the work built from
values equals the scheduler's builder's; the calendars read together equal
the calendars read one by one.
"""

from datetime import datetime, timedelta

import pytz
from freezegun import freeze_time

from odoo import fields

from .common import PpsCoordinationCase, create_workcenter

#: A Monday morning, on a second that is not a minute (rounding is exercised).
NOW = datetime(2026, 12, 7, 7, 30, 17)


@freeze_time(NOW)
class PromisePlanReadCase(PpsCoordinationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "pps_rush_capacity_share": 0.2,
                "pps_material_buffer_days": 3,
                "pps_frozen_days": 3,
                "days_to_purchase": 0.0,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.component, cls.warehouse.lot_stock_id, 500
        )
        cls.other_center = create_workcenter(
            cls.env, "PPS Second Cell", cls.calendar, company_id=cls.company.id
        )

    @classmethod
    def _planned_obstacle(cls, qty):
        """A confirmed order whose MO is planned from now on the work center."""
        order = cls._create_sale_order(qty=qty)
        productions = cls._confirm_with_production(order, plan=False)
        production = productions.filtered(lambda p: p.product_id == cls.product)
        production.date_start = cls._now()
        production.button_plan()
        return production

    def _quote(self, order):
        return order.with_user(self.sales_user).pps_quote_delivery_date()

    def _cold_quote(self, order):
        """The answer from nothing kept: the ORM's cache and the registry's
        caches emptied first."""
        self.env.flush_all()
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        return self._quote(order)


class TestPromisePlanRead(PromisePlanReadCase):
    def test_two_quotes_in_a_row_equal_a_cold_one(self):
        """The same order quoted twice, then from an emptied cache: the same
        answer, to the field (date, reasons, options, placed operations)."""
        self._planned_obstacle(qty=40)
        order = self._create_sale_order(qty=2)
        first = self._quote(order)
        second = self._quote(order)
        cold = self._cold_quote(order)
        self.assertEqual(first["binding"], "capacity", first["explanation"])
        self.assertEqual(second, first)
        self.assertEqual(cold, first)

    def test_a_work_order_moved_by_write_is_seen(self):
        """The planner moves the planned work out by 60 days (a plain
        ``write``, not flushed): the next answer no longer waits behind it,
        and equals a cold one."""
        production = self._planned_obstacle(qty=40)
        order = self._create_sale_order(qty=1)
        before = self._quote(order)
        finished = max(production.workorder_ids.mapped("date_finished"))
        self.assertGreater(before["completion"], finished, before["explanation"])
        for workorder in production.workorder_ids.with_user(self.planner_user):
            workorder.write(
                {
                    "date_start": workorder.date_start + timedelta(days=60),
                    "date_finished": workorder.date_finished + timedelta(days=60),
                }
            )
        after = self._quote(order)
        moved_start = min(production.workorder_ids.mapped("date_start"))
        self.assertLess(after["completion"], moved_start, after["explanation"])
        self.assertLess(after["completion"], before["completion"])
        self.assertEqual(after, self._cold_quote(order))

    def test_a_work_order_moved_to_another_center_is_seen(self):
        """The planner moves the planned work onto another work center: the
        quote's center is free again."""
        production = self._planned_obstacle(qty=40)
        order = self._create_sale_order(qty=1)
        before = self._quote(order)
        self.assertEqual(before["binding"], "capacity", before["explanation"])
        production.workorder_ids.with_user(self.planner_user).write(
            {"workcenter_id": self.other_center.id}
        )
        after = self._quote(order)
        self.assertLess(after["completion"], before["completion"])
        self.assertLess(
            after["completion"], min(production.workorder_ids.mapped("date_finished"))
        )
        self.assertEqual(after, self._cold_quote(order))

    def test_a_cancelled_order_frees_its_capacity(self):
        """The obstacle's manufacturing order is cancelled (its work orders
        with it): the next answer no longer waits behind it."""
        production = self._planned_obstacle(qty=40)
        order = self._create_sale_order(qty=1)
        before = self._quote(order)
        production.action_cancel()  # (mrp_account: a planner may not)
        self.assertEqual(set(production.workorder_ids.mapped("state")), {"cancel"})
        after = self._quote(order)
        self.assertLess(after["completion"], before["completion"])
        self.assertLess(
            after["completion"], min(production.workorder_ids.mapped("date_finished"))
        )
        self.assertEqual(after, self._cold_quote(order))

    def test_the_quoted_orders_own_work_is_no_obstacle(self):
        """A confirmed order quoted again (a negotiation's answer): its own
        planned work is left out of the plan read, the others' is not."""
        other = self._planned_obstacle(qty=10)
        order = self._create_sale_order(qty=3)
        own = self._confirm_with_production(order, plan=False).filtered(
            lambda p: p.product_id == self.product
        )
        own.date_start = self._now()
        own.button_plan()
        Promise = self.env["pps.promise"].with_user(self.sales_user)
        state = Promise._prepare_state(order)
        rows = Promise._planned_rows(state, self.workcenter | self.other_center)
        self.assertEqual([row.id for row in rows], other.workorder_ids.sorted("id").ids)


class TestPromiseBuildsAsTheScheduler(PromisePlanReadCase):
    def test_fixed_work_from_values_equals_the_schedulers_builder(self):
        """On a plan with work started before now, work ending on a half
        minute, work on another center, work already over and a changeover
        matrix: the rows are the scheduler's obstacles in their order, and
        each one's modes, plan, fixed plan and family are the ones
        ``pps.schedule.problem._prepare_fixed_work`` builds."""
        family, castings = self.env["pps.setup.family"].create(
            [{"name": "PPS Gears"}, {"name": "PPS Castings"}]
        )
        self.product.product_tmpl_id.pps_setup_family_id = family
        self.env["pps.changeover"].create(
            {
                "workcenter_id": self.workcenter.id,
                "from_family_id": castings.id,
                "to_family_id": family.id,
                "minutes": 15,
            }
        )
        first = self._planned_obstacle(qty=3)
        second = self._planned_obstacle(qty=2)
        third = self._planned_obstacle(qty=1)
        fourth = self._planned_obstacle(qty=1)
        now = fields.Datetime.now()
        first.workorder_ids.write(
            {
                "date_start": now - timedelta(hours=2, seconds=13),
                "date_finished": now + timedelta(hours=1, seconds=30),
            }
        )
        second.workorder_ids.write(
            {
                "workcenter_id": self.other_center.id,
                "date_start": now + timedelta(days=1, seconds=41),
                "date_finished": now + timedelta(days=1, hours=2, seconds=29),
            }
        )
        third.workorder_ids.write(  # last Friday (Odoo keeps the hour's plan)
            {
                "date_start": datetime(2026, 12, 4, 9, 0),
                "date_finished": datetime(2026, 12, 4, 10, 0),
            }
        )
        # written last, planned between the first and the second: the order
        # of the plan (the work orders' _order), not the order of the rows
        fourth.workorder_ids.write(
            {
                "date_start": now + timedelta(hours=3),
                "date_finished": now + timedelta(hours=4),
            }
        )
        order = self._create_sale_order(qty=1)
        Promise = self.env["pps.promise"].with_user(self.sales_user)
        Problem = self.env["pps.schedule.problem"].sudo()
        state = Promise._prepare_state(order)
        centers = (self.workcenter | self.other_center).sorted("id")
        wc_index = {wc.id: i for i, wc in enumerate(centers)}
        rows = Promise._planned_rows(state, centers)
        records = Problem._prepare_obstacles(
            centers, state["own_productions"], state["now"]
        )
        self.assertEqual([row.id for row in rows], records.ids)
        self.assertNotIn(third.workorder_ids.id, records.ids, "its plan is over")
        self.assertEqual(
            records.ids,
            (first | fourth | second).workorder_ids.ids,
            "in the order of their plan",
        )
        expected = [
            (work.workorder.id, work.modes, work.current, work.fixed, work.family)
            for work in Problem._prepare_fixed_work(records, wc_index, state["now"])
        ]
        built = [
            (row.id, modes, current, fixed, family)
            for row, modes, current, fixed, family in Promise._fixed_work(
                state, rows, wc_index
            )
        ]
        self.assertEqual(built, expected)
        by_id = {item[0]: item for item in built}
        started = by_id[first.workorder_ids.id]
        self.assertLess(started[2].start, 0, "started before now")
        self.assertEqual(started[3].start, started[2].start)
        self.assertEqual(started[4], family.id, "a center with a matrix")
        self.assertIsNone(by_id[second.workorder_ids.id][4], "no matrix there")
        labels = {row.id: row.label for row in rows}
        self.assertEqual(
            labels[first.workorder_ids.id],
            f"{first.name} - {first.workorder_ids.name}",
        )

    def test_calendars_read_together_equal_one_by_one(self):
        """Two work centers on one calendar, a time off of one of them only
        and a closure of the whole calendar: read together, each gets the
        windows Odoo gives it alone."""
        self.env["resource.calendar.leaves"].create(
            [
                {
                    "name": "Cell maintenance",
                    "calendar_id": self.calendar.id,
                    "resource_id": self.other_center.resource_id.id,
                    "date_from": datetime(2026, 12, 8, 8, 0),
                    "date_to": datetime(2026, 12, 9, 18, 0),
                    "time_type": "leave",
                },
                {
                    "name": "Plant closed",
                    "calendar_id": self.calendar.id,
                    "date_from": datetime(2026, 12, 24, 0, 0),
                    "date_to": datetime(2026, 12, 27, 0, 0),
                    "time_type": "leave",
                },
            ]
        )
        Problem = self.env["pps.schedule.problem"].with_user(self.planner_user)
        now = fields.Datetime.now()
        horizon_end = now + timedelta(days=40)
        centers = self.workcenter | self.other_center
        together = Problem._prepare_calendar_windows(centers, now, horizon_end)
        start, stop = pytz.utc.localize(now), pytz.utc.localize(horizon_end)
        for center in centers:
            tz = pytz.timezone(center.resource_calendar_id.tz)
            alone = self.calendar._work_intervals_batch(
                start, stop, resources=center.resource_id, tz=tz
            )[center.resource_id.id]
            self.assertEqual(
                together[center.id], Problem._windows_of_intervals(alone, now)
            )
        self.assertNotEqual(
            together[self.workcenter.id],
            together[self.other_center.id],
            "the maintenance is the second cell's alone",
        )
