from odoo import api, fields, models

from ..models.pps_negotiation import SCENARIOS


class PpsNegotiationRequest(models.TransientModel):
    """Open a negotiation round from a sale order.

    Sales request a date (new order, rush order, customer change); planners
    propose one (internal change). The rules live in the sale order methods.
    """

    _name = "pps.negotiation.request"
    _description = "Request or Propose a Delivery Date"

    sale_order_id = fields.Many2one("sale.order", required=True, readonly=True)
    scenario = fields.Selection(SCENARIOS, required=True, default="new_order")
    expected_date = fields.Datetime(
        help="The date the customer wants (sales requests)."
    )
    scheduled_date = fields.Datetime(
        help="The new date production proposes (internal change)."
    )
    reason = fields.Text()
    rush = fields.Boolean(string="Red Flag", help="Rush order: raise the red flag.")
    serial = fields.Integer(help="Priority number; lower is dispatched first.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        order = self.env["sale.order"].browse(values.get("sale_order_id"))
        if order:
            values.setdefault("expected_date", order.pps_expected_date)
            values.setdefault("rush", order.pps_rush)
            values.setdefault("serial", order.pps_serial)
            if (
                values.get("scenario", "new_order") == "new_order"
                and order._pps_in_production()
            ):
                values["scenario"] = "customer_change"
        return values

    @api.onchange("rush")
    def _onchange_rush(self):
        if self.rush and self.scenario == "new_order":
            self.scenario = "rush_order"

    def action_confirm(self):
        self.ensure_one()
        order = self.sale_order_id
        if self.scenario == "internal_change":
            negotiation = order.action_pps_propose_date(
                self.scheduled_date, self.reason
            )
        else:
            scenario = self.scenario
            if self.rush and scenario == "new_order":
                scenario = "rush_order"
            negotiation = order.action_pps_request_date(
                self.expected_date,
                scenario=scenario,
                reason=self.reason,
                serial=self.serial if scenario == "rush_order" else None,
            )
        return {
            "type": "ir.actions.act_window",
            "res_model": "pps.negotiation",
            "res_id": negotiation.id,
            "view_mode": "form",
        }
