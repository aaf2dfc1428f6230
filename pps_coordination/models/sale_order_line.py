from odoo import api, models

from .pps_lock_mixin import changed_fields


class SaleOrderLine(models.Model):
    """Lines of a locked sale order: no new line, no deleted line, and no change
    of product or quantity (delivery and invoicing keep working)."""

    _inherit = "sale.order.line"

    _pps_lock_protected_fields = ("product_id", "product_uom_qty")

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["sale.order"].browse(
            {vals["order_id"] for vals in vals_list if vals.get("order_id")}
        )
        orders._pps_check_lock({order: ["order_line"] for order in orders})
        return super().create(vals_list)

    def write(self, vals):
        if any(fname in vals for fname in self._pps_lock_protected_fields):
            self._pps_check_order_lock(vals)
        return super().write(vals)

    def unlink(self):
        self.order_id._pps_check_lock(
            {order: ["order_line"] for order in self.order_id}
        )
        return super().unlink()

    def _pps_check_order_lock(self, vals):
        orders = self.order_id.filtered("pps_locked")
        if not orders:
            return
        changed = {}
        for line in self.filtered(lambda l: l.order_id.pps_locked):
            if changed_fields(line, vals, self._pps_lock_protected_fields):
                changed.setdefault(line.order_id, ["order_line"])
        orders._pps_check_lock(changed)
