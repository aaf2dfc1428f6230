"""The scheduler behind the negotiation: agreed dates and abnormalities re-plan.

With the scheduler installed, an agreed date change re-plans the order's work
through the finite-capacity scheduler (not a plain date shift), and a confirmed
abnormality estimates delays with a dry-run of the scheduler on the reduced
calendar.
"""

from datetime import timedelta

from odoo.addons.pps_coordination.models.pps_lock_mixin import PPS_LOCK_BYPASS

from .common import PpsCoordinationCase


class TestSchedulerNegotiation(PpsCoordinationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.pps_rush_capacity_share = 0.0

    def _planned_order(self, agreed_in_days, plan_in_days):
        """An agreed, locked order whose MO is planned ``plan_in_days`` out."""
        order = self._create_sale_order(expected_date=self._in_days(agreed_in_days))
        productions = self._confirm_with_production(order)
        workorders = productions.workorder_ids
        shift = self._in_days(plan_in_days) - min(workorders.mapped("date_start"))
        for wo in workorders.with_context(pps_lock_bypass=PPS_LOCK_BYPASS):
            wo.write(
                {
                    "date_start": wo.date_start + shift,
                    "date_finished": wo.date_finished + shift,
                }
            )
        self._agree_new_order(order, self._in_days(agreed_in_days))
        self.assertTrue(order.pps_locked)
        return order, productions

    def test_customer_change_replans_through_the_scheduler(self):
        """The customer wants the order earlier: once agreed, a schedule run
        moves the locked order's work order before the new date, the change
        order lists the MO, and the order is locked again."""
        order, productions = self._planned_order(agreed_in_days=25, plan_in_days=20)
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            self._in_days(8), scenario="customer_change", reason="Customer event moved"
        )
        negotiation.with_user(self.planner_user).action_answer(self._in_days(8))
        negotiation.with_user(self.sales_user).action_agree()
        run = self.env["pps.schedule.run"].search(
            [("trigger", "=", "negotiation")], order="id desc", limit=1
        )
        self.assertEqual(run.state, "done", run.message)
        self.assertLessEqual(
            max(productions.workorder_ids.mapped("date_finished")), self._in_days(8)
        )
        self.assertIn(productions[0], negotiation.change_order_id.production_ids)
        self.assertTrue(order.pps_locked)
        self.assertTrue(productions.pps_locked)

    def test_equipment_failure_opens_internal_change(self):
        """A breakdown of the only work center for ten days pushes the MO past
        its agreed date: the scheduler's dry run says so, and an internal-change
        negotiation is opened for sales, while nothing is moved yet."""
        order, productions = self._planned_order(agreed_in_days=6, plan_in_days=1)
        plan = {wo.id: wo.date_start for wo in productions.workorder_ids}
        abnormality = (
            self.env["pps.abnormality"]
            .with_user(self.planner_user)
            .create(
                {
                    "name": "Press breakdown",
                    "abnormality_type": "equipment_failure",
                    "workcenter_id": self.workcenter.id,
                    "date_start": self._now(),
                    "date_end": self._in_days(10),
                    "capacity_factor": 0.0,
                }
            )
        )
        abnormality.action_confirm()
        run = self.env["pps.schedule.run"].search(
            [("trigger", "=", "abnormality")], order="id desc", limit=1
        )
        self.assertEqual(run.state, "done", run.message)
        self.assertTrue(run.dry_run)
        negotiation = order.pps_negotiation_ids.filtered(
            lambda n: n.scenario == "internal_change"
        )
        self.assertTrue(negotiation, "an internal change must be proposed to sales")
        self.assertGreater(
            negotiation.scheduled_date, self._in_days(10) - timedelta(hours=1)
        )
        self.assertEqual(
            plan, {wo.id: wo.date_start for wo in productions.workorder_ids}
        )
