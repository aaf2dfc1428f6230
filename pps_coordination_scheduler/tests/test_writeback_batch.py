"""The batched write-back: many work orders of several MOs moved at once.

``pps.schedule.run._apply_workorders`` writes the calendar leaves of the moved
work orders and lets Odoo recompute their dates from them, then each MO's dates
once. These tests pin what Odoo's own one-by-one writes guarantee: each work
order's leave spans its dates, on its work center's calendar and resource; the
MO spans its open work orders and its stock moves follow; the fields computed
from the dates are up to date; and the number of ORM writes does not grow with
the work orders of an MO.
"""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields

from .common import SchedulerCase, create_workcenter


class TestBatchedWriteBack(SchedulerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wc_weld_2 = create_workcenter(cls.env, "Sched Welding 2", cls.calendar)
        cls.productions = cls.env["mrp.production"]
        for days in (3, 4, 5, 6):
            cls.productions |= cls._create_production(days)

    def _moves(self, productions, shift_hours=24, onto=None):
        """Each MO's work orders shifted together (each MO by its own hours);
        ``onto``: {work order: another work center}."""
        onto = onto or {}
        moves = {}
        for n, production in enumerate(productions):
            shift = timedelta(hours=shift_hours + 5 * n)
            for workorder in production.workorder_ids:
                moves[workorder] = (
                    onto.get(workorder, workorder.workcenter_id),
                    workorder.date_start + shift,
                    workorder.date_finished + shift,
                )
        return moves

    def _apply(self, moves):
        run = self.env["pps.schedule.run"].create({})
        run._step_apply(None, None, moves)
        self.env.flush_all()
        self.env.invalidate_all()  # read back what was stored, not the cache
        return run

    def _assert_consistent(self, moves):
        for workorder, (workcenter, start, end) in moves.items():
            self.assertEqual(workorder.workcenter_id, workcenter)
            self.assertEqual(
                (workorder.date_start, workorder.date_finished), (start, end)
            )
            leave = workorder.leave_id
            self.assertEqual(
                (leave.date_from, leave.date_to),
                (start, end),
                f"the leave of {workorder.display_name} spans its dates",
            )
            self.assertEqual(leave.resource_id, workcenter.resource_id)
            self.assertEqual(leave.calendar_id, workcenter.resource_calendar_id)
            # computed from the dates, stored: recomputed
            self.assertEqual(workorder.production_date, start)
        for production in {workorder.production_id for workorder in moves}:
            workorders = production.workorder_ids
            self.assertEqual(
                production.date_start, min(workorders.mapped("date_start"))
            )
            self.assertEqual(
                production.date_finished, max(workorders.mapped("date_finished"))
            )
            self.assertTrue(production.is_planned)
            self.assertEqual(
                production.move_finished_ids.mapped("date"),
                [production.date_finished] * len(production.move_finished_ids),
                "the finished product's move follows the MO's end",
            )
        leaves = self.env["resource.calendar.leaves"].search(
            [("id", "in", self.productions.workorder_ids.leave_id.ids)]
        )
        self.assertEqual(len(leaves), len(self.productions.workorder_ids))

    def test_batched_write_back_keeps_leaves_mos_and_computed_fields(self):
        """Four planned MOs moved at once, each by its own shift, one weld onto
        another work center: every work order's leave equals its dates on its
        center, each MO spans its work orders, its finished move follows."""
        run = self._schedule(self.productions)
        self.assertEqual(run.state, "done", run.message)
        leaves_before = self.productions.workorder_ids.leave_id
        weld = self.productions[1].workorder_ids.sorted("sequence")[-1]
        moves = self._moves(self.productions, onto={weld: self.wc_weld_2})
        self._apply(moves)
        self._assert_consistent(moves)
        self.assertEqual(
            self.productions.workorder_ids.leave_id,
            leaves_before,
            "planned work orders keep their leaves, moved",
        )
        self.assertEqual(weld.leave_id.resource_id, self.wc_weld_2.resource_id)

    def test_a_move_onto_another_center_does_not_walk_its_calendar(self):
        """Onto another work center, the run's planned end is written as it is:
        Odoo's write does not walk the new center's calendar and its planned
        leaves to compute an end the run overwrites anyway."""
        run = self._schedule(self.productions)
        self.assertEqual(run.state, "done", run.message)
        welds = self.productions.workorder_ids.filtered(
            lambda wo: wo.workcenter_id == self.wc_weld
        )
        moves = self._moves(self.productions, onto=dict.fromkeys(welds, self.wc_weld_2))
        Calendar = type(self.env["resource.calendar"])
        with patch.object(
            Calendar, "plan_hours", autospec=True, side_effect=Calendar.plan_hours
        ) as plan_hours:
            self._apply(moves)
        self.assertEqual(plan_hours.call_count, 0)
        self._assert_consistent(moves)
        self.assertEqual(set(welds.mapped("workcenter_id")), {self.wc_weld_2})

    def test_unplanned_work_orders_get_their_leaves_in_one_batch(self):
        """MOs never planned: the write-back creates their leaves, named after
        the work order, and the MOs become planned."""
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=2)
        moves = {}
        for n, production in enumerate(self.productions):
            begin = start + timedelta(hours=3 * n)
            for workorder in production.workorder_ids.sorted("sequence"):
                end = begin + timedelta(minutes=workorder.duration_expected)
                moves[workorder] = (workorder.workcenter_id, begin, end)
                begin = end
        self.assertFalse(self.productions.workorder_ids.leave_id)
        with patch.object(
            type(self.env["resource.calendar.leaves"]),
            "create",
            autospec=True,
            side_effect=type(self.env["resource.calendar.leaves"]).create,
        ) as create:
            self._apply(moves)
        self.assertEqual(create.call_count, 1, "one create for all the leaves")
        self._assert_consistent(moves)
        for workorder in self.productions.workorder_ids:
            self.assertEqual(workorder.leave_id.name, workorder.display_name)
            self.assertEqual(workorder.leave_id.time_type, "other")

    def test_writes_do_not_grow_with_the_work_orders_of_an_mo(self):
        """Work orders keeping their center are not written one by one through
        ``mrp.workorder.write``, and each MO's dates are written once."""
        run = self._schedule(self.productions)
        self.assertEqual(run.state, "done", run.message)
        moves = self._moves(self.productions)
        Workorder = type(self.env["mrp.workorder"])
        Production = type(self.env["mrp.production"])
        with (
            patch.object(
                Workorder, "write", autospec=True, side_effect=Workorder.write
            ) as wo_write,
            patch.object(
                Production, "write", autospec=True, side_effect=Production.write
            ) as mo_write,
        ):
            self._apply(moves)
        date_writes = [
            call for call in wo_write.call_args_list if "date_start" in call.args[1]
        ]
        self.assertEqual(date_writes, [], "no work order written one by one")
        mo_dates = [
            call.args[0]
            for call in mo_write.call_args_list
            if {"date_start", "date_finished"} & set(call.args[1])
        ]
        self.assertEqual(len(mo_dates), len(self.productions), "once per MO")
        self._assert_consistent(moves)

    def test_orderpoints_are_marked_once_for_all_the_moves(self):
        """Each MO date write moves its stock moves, and each such write
        searches the orderpoints of its products (``_update_orderpoints``);
        the write-back notes the moves and marks their orderpoints for
        recomputation once, at the end: one search, the orderpoint of the
        finished product marked."""
        run = self._schedule(self.productions)
        self.assertEqual(run.state, "done", run.message)
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        orderpoint = self.env["stock.warehouse.orderpoint"].create(
            {
                "product_id": self.product.id,
                "warehouse_id": warehouse.id,
                "location_id": warehouse.lot_stock_id.id,
                "product_min_qty": 1,
                "product_max_qty": 5,
            }
        )
        self.env.flush_all()
        Orderpoint = type(orderpoint)
        field = orderpoint._fields["qty_to_order_computed"]
        self.assertNotIn(orderpoint, self.env.records_to_compute(field))
        moves = self._moves(self.productions)
        run = self.env["pps.schedule.run"].create({})
        with patch.object(
            Orderpoint, "search", autospec=True, side_effect=Orderpoint.search
        ) as search:
            run._step_apply(None, None, moves)
            self.assertEqual(search.call_count, 1, "one search for all the moves")
            self.assertIn(orderpoint, self.env.records_to_compute(field))
        self.env.flush_all()
        self.env.invalidate_all()
        self._assert_consistent(moves)
