"""Keep the sale orders' progress current when their manufacturing orders change.

Progress tracking only (see ``sale_order_progress.py``); kept out of
``mrp_production.py``, which holds the negotiation and lock behaviour.

The ORM already recomputes ``sale.order.pps_progress`` through
``stock_reference_ids.production_ids.state``. MOs linked to an order only by
their origin sale line (``sale_line_id``) or by ``pps_sale_order_id`` are not
reachable by that dependency, so creating or writing an MO marks the progress of
its orders for recomputation as well.
"""

from odoo import api, models

PROGRESS_TRIGGERS = {
    "state",
    "date_start",
    "date_finished",
    "qty_producing",
    "sale_line_id",
    "reference_ids",
    "pps_sale_order_id",
}


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    @api.model_create_multi
    def create(self, vals_list):
        productions = super().create(vals_list)
        productions._pps_sale_orders()._pps_recompute_progress()
        return productions

    def write(self, vals):
        orders = (
            self._pps_sale_orders() if PROGRESS_TRIGGERS.intersection(vals) else None
        )
        res = super().write(vals)
        if orders is not None:
            (orders | self._pps_sale_orders())._pps_recompute_progress()
        return res

    def _pps_sale_orders(self):
        """Sale orders whose progress depends on these MOs."""
        productions = self.sudo()
        orders = productions.reference_ids.sale_ids | productions.sale_line_id.order_id
        if "pps_sale_order_id" in self._fields:
            orders |= productions.pps_sale_order_id
        return orders.with_env(self.env)
