from odoo import api, models

from .pps_lock_mixin import changed_fields


class SaleOrderLine(models.Model):
    """Lines of a locked sale order.

    The lock protects the agreed content: the real product lines. None can be
    added or deleted, and neither the product nor the quantity of one can
    change. Everything else keeps working, because it is not agreed content:
    down payment lines (created and updated by the down payment wizard and the
    invoices), delivery fee lines (``is_delivery``, when the ``delivery`` module
    is installed), sections and notes, and the invoicing and delivery
    bookkeeping of every line (delivered and invoiced quantities, prices,
    taxes, descriptions).

    The order's own guard leaves ``order_line`` to these checks (see
    ``sale.order._pps_lock_changed_fields``): each line command of a form save
    lands in ``create``, ``write`` or ``unlink`` here.
    """

    _inherit = "sale.order.line"

    _pps_lock_protected_fields = ("product_id", "product_uom_qty")

    @api.model_create_multi
    def create(self, vals_list):
        orders = self.env["sale.order"].browse(
            {
                vals["order_id"]
                for vals in vals_list
                if vals.get("order_id") and self._pps_is_product_line(vals)
            }
        )
        orders._pps_check_lock({order: ["order_line"] for order in orders})
        return super().create(vals_list)

    def write(self, vals):
        if any(fname in vals for fname in self._pps_line_guard_fields()):
            self._pps_check_order_lock(vals)
        return super().write(vals)

    def unlink(self):
        orders = self.filtered(lambda line: line._pps_is_product_line()).order_id
        orders._pps_check_lock({order: ["order_line"] for order in orders})
        return super().unlink()

    @api.model
    def _pps_line_kind_fields(self):
        """The fields that tell a real product line from the other kinds."""
        names = ["display_type", "is_downpayment", "product_id"]
        if "is_delivery" in self._fields:  # the delivery module
            names.append("is_delivery")
        return names

    @api.model
    def _pps_line_guard_fields(self):
        """Fields whose change on a real product line changes agreed content."""
        return {
            *self._pps_lock_protected_fields,
            *self._pps_line_kind_fields(),
            "order_id",
        }

    def _pps_is_product_line(self, vals=None):
        """Whether the line is agreed content: a real product line.

        Called on a record, it tells the line as it is, or as it would be after
        ``vals``; called on an empty recordset, the line ``vals`` would create.
        A section or note never is; a down payment line is not unless it
        carries a product (Odoo's own carry none); a delivery fee line is not.
        """
        vals = vals or {}

        def value(fname):
            if fname in vals:
                return vals[fname]
            return self[fname] if self else False

        if value("display_type"):
            return False
        if "is_delivery" in self._fields and value("is_delivery"):
            return False
        return not (value("is_downpayment") and not value("product_id"))

    def _pps_check_order_lock(self, vals):
        """Refuse ``vals`` when it changes agreed content of a locked order:
        the product or quantity of a product line, a line turned into or out of
        a product line, or a product line moved into or out of the order."""
        orders = self.order_id
        if "order_id" in vals:
            orders |= self.env["sale.order"].browse(vals["order_id"])
        if not orders.filtered("pps_locked"):
            return
        guarded = list(self._pps_line_guard_fields())
        changed = {}
        for line in self:
            was = line._pps_is_product_line()
            will = line._pps_is_product_line(vals)
            if not (was or will) or not changed_fields(line, vals, guarded):
                continue
            affected = line.order_id
            if "order_id" in vals:
                affected |= self.env["sale.order"].browse(vals["order_id"])
            for order in affected:
                changed.setdefault(order, ["order_line"])
        orders._pps_check_lock(changed)
