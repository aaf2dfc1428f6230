"""The weekly meeting sees why orders are late and which quotes hold capacity.

The meeting screen and its PDF add the open orders the plan delivers after
their agreed date, grouped by the cause the last schedule run found
(``pps.late.cause``), and the capacity holds of open quotations that expire
within the next ``HOLD_EXPIRING_DAYS`` days (``pps.capacity.hold``): sales
decide at the meeting whether to push those customers for an answer.
"""

from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.pps_coordination.models.sale_order import OPEN_PROGRESS

from .pps_late_cause import LATE_CAUSES

#: Holds expiring within these days are listed at the meeting.
HOLD_EXPIRING_DAYS = 2


class PpsWeeklyMeetingReport(models.TransientModel):
    _inherit = "pps.weekly.meeting.report"

    late_cause_order_ids = fields.Many2many(
        "sale.order",
        string="Late Orders by Cause",
        compute="_compute_late_causes",
        help="Open orders the plan delivers after their agreed date, with the "
        "cause the last schedule run found, by cause.",
    )
    late_cause_summary = fields.Char(string="Why Late", compute="_compute_late_causes")
    hold_expiring_ids = fields.Many2many(
        "pps.capacity.hold",
        string="Holds About to Expire",
        compute="_compute_hold_expiring",
        help="Capacity held for open quotations that expires within the next "
        "two days: without an answer from the customer, the slot is freed.",
    )
    hold_expiring_count = fields.Integer(
        string="Holds Expiring", compute="_compute_hold_expiring"
    )

    @api.depends("company_ids")
    def _compute_hold_expiring(self):
        for wizard in self:
            holds = wizard._pps_holds_expiring()
            wizard.hold_expiring_ids = holds
            wizard.hold_expiring_count = len(holds)

    def _pps_holds_expiring(self):
        """Holding holds that expire within ``HOLD_EXPIRING_DAYS``, soonest first."""
        self.ensure_one()
        limit = fields.Datetime.now() + timedelta(days=HOLD_EXPIRING_DAYS)
        Hold = self.env["pps.capacity.hold"]
        domain = [*Hold._holding_domain(), ("date_expiry", "<=", limit)]
        if self.company_ids:
            domain.append(("company_id", "in", self.company_ids.ids))
        return Hold.search(domain, order="date_expiry, id")

    @api.depends("week_date", "company_ids")
    def _compute_late_causes(self):
        for wizard in self:
            groups = wizard._pps_late_by_cause()
            wizard.late_cause_order_ids = self.env["sale.order"].union(
                *(orders for _cause, _label, orders in groups)
            )
            wizard.late_cause_summary = " · ".join(
                f"{label}: {len(orders)}" for _cause, label, orders in groups
            ) or self.env._("No order is late in the plan.")

    def _pps_late_cause_domain(self):
        self.ensure_one()
        domain = [
            ("state", "=", "sale"),
            ("pps_late_cause", "!=", False),
            ("pps_progress", "in", list(OPEN_PROGRESS)),
        ]
        if self.company_ids:
            domain.append(("company_id", "in", self.company_ids.ids))
        return domain

    def _pps_late_by_cause(self):
        """[(cause, label, sale orders)] in the order of ``LATE_CAUSES``,
        causes with orders only."""
        self.ensure_one()
        orders = self.env["sale.order"].search(
            self._pps_late_cause_domain(), order="pps_delivery_date, id"
        )
        labels = dict(
            self.env["sale.order"]
            ._fields["pps_late_cause"]
            ._description_selection(self.env)
        )
        groups = []
        for cause, _label in LATE_CAUSES:
            found = orders.filtered(lambda o, c=cause: o.pps_late_cause == c)
            if found:
                groups.append((cause, labels[cause], found))
        return groups

    def _pps_data(self, with_orders=True):
        data = super()._pps_data(with_orders=with_orders)
        if with_orders:
            data["late_by_cause"] = self._pps_late_by_cause()
            data["holds_expiring"] = self._pps_holds_expiring()
        return data

    def action_open_late_causes(self):
        """The open late orders, grouped by cause."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pps_coordination.sale_order_progress_action"
        )
        action.update(
            name=self.env._("Late Orders by Cause"),
            domain=self._pps_late_cause_domain(),
            context={"create": False, "group_by": ["pps_late_cause"]},
        )
        return action
