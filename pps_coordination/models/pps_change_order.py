from odoo import api, fields, models
from odoo.exceptions import UserError

from .pps_negotiation import SCENARIOS


class PpsChangeOrder(models.Model):
    """The record of an agreed date change: old date, new date, reason, and the
    manufacturing and purchase orders that were rescheduled for it.

    Created only by an agreed negotiation (as superuser); read-only for users.
    """

    _name = "pps.change.order"
    _description = "Delivery Date Change Order"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"

    name = fields.Char(readonly=True, copy=False, default="/")
    sale_order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="sale_order_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(related="sale_order_id.partner_id")
    negotiation_id = fields.Many2one("pps.negotiation", readonly=True, index=True)
    scenario = fields.Selection(SCENARIOS, readonly=True)
    old_date = fields.Datetime(readonly=True)
    new_date = fields.Datetime(readonly=True)
    delay_days = fields.Float(
        string="Shift (days)", compute="_compute_delay_days", store=True
    )
    reason = fields.Text(readonly=True)
    production_ids = fields.Many2many(
        "mrp.production", string="Rescheduled Manufacturing Orders", readonly=True
    )
    purchase_order_ids = fields.Many2many(
        "purchase.order", string="Rescheduled Purchase Orders", readonly=True
    )
    user_id = fields.Many2one("res.users", string="Agreed By", readonly=True)
    date = fields.Datetime(readonly=True, default=fields.Datetime.now)

    @api.depends("old_date", "new_date")
    def _compute_delay_days(self):
        for change in self:
            if change.old_date and change.new_date:
                change.delay_days = round(
                    (change.new_date - change.old_date).total_seconds() / 86400.0, 2
                )
            else:
                change.delay_days = 0.0

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("pps.change.order") or "/"
                )
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._(
                "A change order is a record of an agreement: it cannot be deleted."
            )
        )
