from odoo import fields, models


class PpsNegotiation(models.Model):
    _inherit = "pps.negotiation"

    def action_agree(self):
        """A rush order agreed is a rush order converted: issue its procurement
        plan (RFQs for the shortages) the same day, through replenishment."""
        res = super().action_agree()
        if self.scenario == "rush_order" or self.sale_order_id.pps_rush:
            self.env["pps.procurement.plan"].sudo()._procure_shortages(
                self.sale_order_id
            )
        return res

    def _pps_compute_promise(self):
        """The capable-to-promise answer instead of the standard lead time.

        ``sale.order.pps_quote_delivery_date()`` gives the earliest date the
        plant can deliver; without the red flag, an expected date later than
        that is answered as is (it can be met).
        """
        self.ensure_one()
        order = self.sale_order_id
        promise = order.sudo().pps_quote_delivery_date()
        date, explanation = promise["date"], promise["explanation"]
        if self.expected_date and self.expected_date > date and not order.pps_rush:
            explanation = self.env._(
                "%(explanation)s The expected date %(expected)s can be met.",
                explanation=explanation,
                expected=fields.Datetime.to_string(self.expected_date),
            )
            date = self.expected_date
        return dict(promise, date=date, explanation=explanation)
