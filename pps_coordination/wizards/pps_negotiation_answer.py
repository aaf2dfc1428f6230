from odoo import fields, models


class PpsNegotiationAnswer(models.TransientModel):
    """A planner answers a request; without a date, production's promise is used."""

    _name = "pps.negotiation.answer"
    _description = "Answer a Delivery Date Request"

    negotiation_id = fields.Many2one("pps.negotiation", required=True, readonly=True)
    expected_date = fields.Datetime(related="negotiation_id.expected_date")
    pps_rush = fields.Boolean(related="negotiation_id.pps_rush")
    scheduled_date = fields.Datetime(
        help="Leave empty to answer with the date production can promise."
    )
    explanation = fields.Text(help="Why production answers this date.")

    def action_confirm(self):
        self.ensure_one()
        self.negotiation_id.action_answer(
            scheduled_date=self.scheduled_date or None, explanation=self.explanation
        )
        return {"type": "ir.actions.act_window_close"}
