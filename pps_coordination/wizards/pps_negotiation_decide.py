from odoo import fields, models


class PpsNegotiationDecide(models.TransientModel):
    """Sales agree or reject production's answer."""

    _name = "pps.negotiation.decide"
    _description = "Decide on a Delivery Date"

    negotiation_id = fields.Many2one("pps.negotiation", required=True, readonly=True)
    expected_date = fields.Datetime(related="negotiation_id.expected_date")
    scheduled_date = fields.Datetime(related="negotiation_id.scheduled_date")
    explanation = fields.Text(related="negotiation_id.explanation")
    decision = fields.Selection(
        [("agree", "Agree"), ("reject", "Reject")], required=True, default="agree"
    )
    reason = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        if self.decision == "agree":
            self.negotiation_id.action_agree()
        else:
            self.negotiation_id.action_reject(reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
