from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.pps_negotiation import SCENARIOS


class PpsNegotiationRequest(models.TransientModel):
    """Open a negotiation round from a sale order.

    Sales request a date (new order, rush order, customer change); planners
    propose one (internal change). The rules live in the sale order methods.
    """

    _name = "pps.negotiation.request"
    _description = "Request or Propose a Delivery Date"

    sale_order_id = fields.Many2one("sale.order", required=True, readonly=True)
    previous_round_id = fields.Many2one(
        "pps.negotiation",
        string="Counter-Proposal To",
        readonly=True,
        help="The rejected round this request answers with another date.",
    )
    previous_scheduled_date = fields.Datetime(
        related="previous_round_id.scheduled_date", string="Rejected Answer"
    )
    previous_decision_reason = fields.Text(
        related="previous_round_id.decision_reason", string="Rejected Because"
    )
    scenario = fields.Selection(SCENARIOS, required=True, default="new_order")
    expected_date = fields.Datetime(
        help="The date the customer wants (sales requests)."
    )
    scheduled_date = fields.Datetime(
        help="The new date production proposes (internal change)."
    )
    reason = fields.Text()
    rush = fields.Boolean(
        string="Red Flag",
        help="The order's red flag, sent with the request: ticked, production "
        "may answer before the expected date or inside the standard lead time. "
        "It cannot change on a locked order.",
    )
    serial = fields.Integer(help="Priority number; lower is dispatched first.")
    order_locked = fields.Boolean(related="sale_order_id.pps_locked")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        order = self.env["sale.order"].browse(values.get("sale_order_id"))
        previous = self.env["pps.negotiation"].browse(values.get("previous_round_id"))
        if previous and previous.sale_order_id == order:
            values.setdefault("expected_date", previous.expected_date)
            if "default_scenario" not in self.env.context:
                values["scenario"] = previous._pps_counter_scenario()
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

    @api.onchange("scenario")
    def _onchange_scenario(self):
        if self.scenario == "rush_order":
            self.rush = True

    def action_confirm(self):
        """Send the request as shown: the red flag (and its serial) as ticked,
        whatever the scenario; ticked on a new order, it is a rush order."""
        self.ensure_one()
        order = self.sale_order_id
        previous = self.previous_round_id
        if previous and previous.sale_order_id != order:
            raise UserError(
                self.env._(
                    "%(name)s is a round of another order: a counter-proposal "
                    "is made on the order of the rejected round.",
                    name=previous.name,
                )
            )
        if self.scenario == "internal_change" and not previous:
            negotiation = order.action_pps_propose_date(
                self.scheduled_date, self.reason
            )
        else:
            scenario = self.scenario
            if self.rush and scenario == "new_order":
                scenario = "rush_order"
            request = {
                "scenario": scenario,
                "reason": self.reason,
                "serial": self.serial if self.rush else None,
                "rush": self.rush,
            }
            if previous:
                negotiation = previous.action_counter_propose(
                    self.expected_date, **request
                )
            else:
                negotiation = order.action_pps_request_date(
                    self.expected_date, **request
                )
        return {
            "type": "ir.actions.act_window",
            "res_model": "pps.negotiation",
            "res_id": negotiation.id,
            "view_mode": "form",
        }
