import logging

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.pps_coordination.const import (
    OPEN_PRODUCTION_STATES,
    OPEN_WORKORDER_STATES,
)
from odoo.addons.pps_coordination.guards import (
    PLANNER_GROUP,
    SALES_GROUP,
    check_planner,
    check_role,
)
from odoo.addons.pps_coordination.models.pps_lock_mixin import (
    marshallable,
)

from .pps_late_cause import LATE_CAUSES

_logger = logging.getLogger(__name__)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # Why late: the cause of its late MO that finishes last (``pps.late.cause``)
    pps_late_cause = fields.Selection(
        LATE_CAUSES,
        string="Late Because Of",
        readonly=True,
        copy=False,
        index=True,
        help="Why the plan delivers this order after its agreed date, from the "
        "last schedule run: empty when the plan meets the date.",
    )
    pps_late_reason = fields.Char(string="Why Late", readonly=True, copy=False)
    pps_late_production_id = fields.Many2one(
        "mrp.production",
        string="Late Manufacturing Order",
        readonly=True,
        copy=False,
        help="The order's manufacturing order whose lateness delays delivery.",
    )

    def action_confirm(self):
        """Confirming puts the order's new manufacturing orders on the
        finite-capacity schedule at once (an insertion run over their work,
        with everything already planned kept where it is), and a rush order
        gets its procurement plan the same day: RFQs for what its production
        is short of."""
        res = super().action_confirm()
        self._pps_plan_new_productions()
        for order in self.filtered("pps_rush"):
            self.env["pps.procurement.plan"].sudo()._procure_shortages(order)
        return res

    def _pps_plan_new_productions(self):
        """Plan the open MOs of the orders that have unplanned work orders.

        A run that fails (or cannot start because another run holds the
        company) leaves no MO unplanned: Odoo's own planning places them, and
        the order's chatter says why, so the next run re-plans them.
        """
        productions = (
            self._pps_productions()
            .sudo()
            .filtered(
                lambda p: (
                    p.state in OPEN_PRODUCTION_STATES
                    and any(
                        not wo.date_start
                        for wo in p.workorder_ids
                        if wo.state in OPEN_WORKORDER_STATES
                    )
                )
            )
        )
        for company in productions.company_id:
            scope = productions.filtered(lambda p, c=company: p.company_id == c)
            Run = self.env["pps.schedule.run"].with_company(company)
            try:
                with self.env.cr.savepoint():
                    run = Run._schedule_internal(
                        productions=scope, trigger="confirmation"
                    )
                why = run.state != "done" and run.message
            except UserError as error:  # another run holds the company
                why = str(error)
            if why:
                _logger.warning("Planning at confirmation fell back: %s", why)
                scope.filtered(lambda p: p.state == "confirmed").button_plan()
                for order in scope.pps_sale_order_id & self:
                    order.message_post(
                        body=self.env._(
                            "The finite-capacity plan could not place the new "
                            "manufacturing orders (%(why)s); Odoo planned them "
                            "on the first free slots until the next schedule run.",
                            why=why,
                        )
                    )

    def _pps_reschedule_for_agreement(self, negotiation):
        """Re-plan the order's manufacturing with the scheduler instead of
        shifting dates: the agreed date is now the order's due date, so the
        scheduler moves its work orders (and the purchase lines behind them)
        where the finite-capacity plan puts them -- later for a postponement
        (just in time), earlier for a rush. Locked MOs are planned like any
        other; in-progress, pinned, frozen-zone and locked-week work stays.

        A failed run raises, so the agreement is rolled back as a whole.
        """
        self.ensure_one()
        productions = (
            self._pps_productions()
            .sudo()
            .filtered(lambda p: p.state in OPEN_PRODUCTION_STATES)
        )
        productions |= (
            productions.production_group_id.child_ids.production_ids.filtered(
                lambda p: p.state in OPEN_PRODUCTION_STATES
            )
        )
        if not productions.workorder_ids:
            return super()._pps_reschedule_for_agreement(negotiation)
        run = self.env["pps.schedule.run"]._schedule_internal(
            productions=productions,
            trigger="negotiation",
            rush_insertion=negotiation.scenario == "rush_order",
            interactive=True,
        )
        purchase_orders = run.line_ids.purchase_line_id.order_id
        moved = run.line_ids.production_id
        return {
            "productions": moved or productions,
            "purchase_orders": purchase_orders,
            "schedule_run": run,
        }

    def pps_quote_delivery_date(self):
        """The capable-to-promise answer for this order, without changing anything.

        See ``pps.promise``. Reads only: no record is created or written.

        :returns: ``{"date": datetime, "explanation": str, "binding": str,
            "options": [...], "bottleneck": {...}, "material": {...}, ...}``
        """
        self.ensure_one()
        check_role(
            self.env,
            self.env._("Only sales coordinators and planners may quote a date."),
            SALES_GROUP,
            PLANNER_GROUP,
        )
        self.check_access("read")
        return marshallable(self.env["pps.promise"]._quote(self))

    def action_pps_quote(self):
        """Button: show the capable-to-promise answer in a notification."""
        self.ensure_one()
        promise = self.pps_quote_delivery_date()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._(
                    "Can deliver on %(date)s",
                    date=fields.Datetime.to_string(promise["date"]),
                ),
                "message": promise["explanation"],
                "sticky": True,
                "type": "info",
            },
        }

    def action_pps_procure_shortages(self):
        """Planners: issue the procurement plan (RFQs for shortages) now."""
        self.ensure_one()
        check_planner(
            self.env, self.env._("Only production planners issue procurement plans.")
        )
        self.env["pps.procurement.plan"]._procure_shortages(self)
        return True
