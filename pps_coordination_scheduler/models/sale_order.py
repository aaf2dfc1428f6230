import logging

from odoo import api, fields, models
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
    has_role,
)
from odoo.addons.pps_coordination.models.pps_lock_mixin import (
    marshallable,
)
from odoo.addons.pps_coordination.tools.wording import format_moment

from .pps_late_cause import LATE_CAUSES
from .pps_schedule_problem import HoldSeeds

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

    pps_hold_ids = fields.One2many(
        "pps.capacity.hold", "sale_order_id", string="Capacity Holds"
    )
    pps_hold_count = fields.Integer(
        string="Holds", compute="_compute_pps_hold_count", compute_sudo=True
    )
    pps_hold_expiry = fields.Datetime(
        string="Date Held Until",
        compute="_compute_pps_hold_count",
        compute_sudo=True,
        help="The quoted date of this quotation is held until then "
        "(see Capacity Holds).",
    )

    @api.depends("pps_hold_ids.state", "pps_hold_ids.date_expiry")
    def _compute_pps_hold_count(self):
        for order in self:
            order.pps_hold_count = len(order.pps_hold_ids)
            order.pps_hold_expiry = max(
                order.pps_hold_ids.filtered("is_holding").mapped("date_expiry"),
                default=False,
            )

    def _pps_holding(self):
        """The holds of these orders that hold capacity now."""
        return (
            self.env["pps.capacity.hold"]
            .sudo()
            .search(
                [
                    ("sale_order_id", "in", self.ids),
                    *self.env["pps.capacity.hold"]._holding_domain(),
                ]
            )
        )

    def action_confirm(self):
        """Confirming puts the order's new manufacturing orders on the
        finite-capacity schedule at once (an insertion run over their work,
        with everything already planned kept where it is), and a rush order
        gets its procurement plan the same day: RFQs for what its production
        is short of.

        A quotation's capacity hold becomes its plan: the hold is converted
        (it holds nothing any more) before the new work orders are planned,
        and they start from the slots it held."""
        holds = self._pps_holding()
        holds._pps_close(
            "converted", self.env._("The quotation was confirmed: it is planned.")
        )
        res = super().action_confirm()
        self._pps_plan_new_productions(held=holds.line_ids)
        for order in self.filtered("pps_rush"):
            self.env["pps.procurement.plan"].sudo()._procure_shortages(order)
        return res

    def _action_cancel(self):
        """A cancelled quotation holds no capacity."""
        res = super()._action_cancel()
        self._pps_holding()._pps_close(
            "cancelled", self.env._("The quotation was cancelled.")
        )
        return res

    def _pps_hold_seeds(self, productions, lines):
        """{work order id: (work center, start, end)}: for each unplanned work
        order of ``productions``, the held slot of its product and operation
        (hold lines ``lines``), each slot used once."""
        seeds = HoldSeeds()
        free = list(lines.sorted(lambda line: (line.date_start, line.id)))
        for workorder in productions.workorder_ids.sorted(
            lambda wo: (wo.production_id.id, wo.sequence, wo.id)
        ):
            if workorder.date_start or workorder.state not in OPEN_WORKORDER_STATES:
                continue
            for line in free:
                if (
                    line.operation_id == workorder.operation_id
                    and line.product_id == workorder.production_id.product_id
                ):
                    seeds[workorder.id] = (
                        line.workcenter_id,
                        line.date_start,
                        line.date_end,
                    )
                    free.remove(line)
                    break
        return seeds

    def _pps_plan_new_productions(self, held=None):
        """Plan the open MOs of the orders that have unplanned work orders.

        A run that fails (or cannot start because another run holds the
        company) leaves no MO unplanned: Odoo's own planning places them, and
        the order's chatter says why, so the next run re-plans them.

        When the user interface's runs go to a job (``pps_scheduler.background``)
        the confirmation is written at once and the insertion run goes to a
        job, from the held slots; the fallback then happens in the job
        (:meth:`_pps_after_schedule_run`).

        :param held: the hold lines of the converted holds: the new work
            orders start from these slots (``_pps_hold_seeds``)
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
            if held:
                Run = Run.with_context(pps_hold_seeds=self._pps_hold_seeds(scope, held))
            try:
                with self.env.cr.savepoint():
                    run = Run._schedule_internal(
                        productions=scope,
                        trigger="confirmation",
                        job_followup=scope.pps_sale_order_id & self,
                    )
                why = run.state not in ("done", "running") and run.message
            except UserError as error:  # another run holds the company
                why = str(error)
            if why:
                (scope.pps_sale_order_id & self)._pps_plan_fallback(scope, why)

    def _pps_after_schedule_run(self, run):
        """The insertion run of a confirmation ended in its background job: a
        failed one falls back on Odoo's planning, as in the request."""
        if run.state != "done":
            self._pps_plan_fallback(run.production_ids, run.message)

    def _pps_plan_fallback(self, productions, why):
        """Odoo's own planning places the MOs the finite-capacity plan could
        not place; the orders' chatter says why."""
        _logger.warning("Planning at confirmation fell back: %s", why)
        productions.filtered(lambda p: p.state == "confirmed").button_plan()
        for order in self:
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

        A failed run raises, so the agreement is rolled back as a whole --
        when it runs in the request. When the user interface's runs go to a
        job (``pps_scheduler.background``), the agreement (dates, change
        order, lock, mails) is written at once and only the re-plan goes to
        the job: the change order lists the order's MOs until the job puts
        there what moved (``pps.negotiation._pps_after_schedule_run``); a
        failed re-plan leaves the plan in force and says so on the order.
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
            job_followup=negotiation,
        )
        if run.state == "running":  # the re-plan went to a job
            return {
                "productions": productions,
                "purchase_orders": self.env["purchase.order"],
                "schedule_run": run,
            }
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

    def action_pps_hold_quote(self):
        """Button: quote the delivery date and hold it.

        The promise's inserted operations are kept as a capacity hold
        (``pps.capacity.hold``) until the company's hold days have passed:
        later quotes and schedule runs leave those slots free; confirming the
        quotation turns them into its plan. Holding again replaces the
        quotation's previous hold.

        :returns: a notification action (the held date and the expiry)
        """
        self.ensure_one()
        check_role(
            self.env,
            self.env._("Only sales coordinators and planners may hold a quoted date."),
            SALES_GROUP,
            PLANNER_GROUP,
        )
        # sales hold the quotations they may edit; planners any they may read
        self.check_access("read" if has_role(self.env, PLANNER_GROUP) else "write")
        if self.state not in ("draft", "sent"):
            raise UserError(
                self.env._(
                    "Only a quotation can hold a date: %(order)s is already "
                    "confirmed or cancelled.",
                    order=self.name,
                )
            )
        hold = self.env["pps.capacity.hold"]._pps_hold(self)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._(
                    "Delivery on %(date)s held until %(expiry)s",
                    date=format_moment(self.env, hold.delivery_date),
                    expiry=format_moment(self.env, hold.date_expiry),
                ),
                "message": hold.explanation or "",
                "sticky": True,
                "type": "success",
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_pps_view_holds(self):
        """Smart button: the quotation's capacity holds."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pps_coordination_scheduler.pps_capacity_hold_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

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
                    date=format_moment(self.env, promise["date"]),
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
