from odoo import models

from odoo.addons.pps_coordination.models.pps_lock_mixin import PPS_LOCK_BYPASS


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _pps_reschedule_for_agreement(self, negotiation):
        """Re-plan the order's manufacturing with the scheduler instead of
        shifting dates: the agreed date is now the order's due date, so the
        scheduler moves its work orders (and the purchase lines behind them)
        where the finite-capacity plan puts them. The order's MOs may move
        although locked: the agreement is the one path allowed to do so. A
        rush order is inserted without moving anything in the frozen zone.

        A failed run raises, so the agreement is rolled back as a whole.
        """
        self.ensure_one()
        productions = (
            self._pps_productions()
            .sudo()
            .filtered(lambda p: p.state in ("confirmed", "progress", "to_close"))
        )
        productions |= (
            productions.production_group_id.child_ids.production_ids.filtered(
                lambda p: p.state in ("confirmed", "progress", "to_close")
            )
        )
        if not productions.workorder_ids:
            return super()._pps_reschedule_for_agreement(negotiation)
        run = (
            self.env["pps.schedule.run"]
            .sudo()
            .with_context(pps_schedule_internal=PPS_LOCK_BYPASS, pps_schedule_sync=True)
            .schedule(
                productions=productions,
                trigger="negotiation",
                rush_insertion=negotiation.scenario == "rush_order",
                unlocked_productions=productions,
                interactive=True,
            )
        )
        purchase_orders = run.line_ids.purchase_line_id.order_id
        moved = run.line_ids.production_id
        return {
            "productions": moved or productions,
            "purchase_orders": purchase_orders,
            "schedule_run": run,
        }
