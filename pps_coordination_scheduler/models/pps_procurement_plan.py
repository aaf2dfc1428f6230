"""Procurement plan of a rush order: RFQs for what its production is short of.

The mid-term horizon: when a rush order is converted (confirmed, or its rush
round agreed), the components its manufacturing orders still miss are
requested at once through Odoo's own replenishment rules (``stock.rule``), so
the purchase orders exist the same day. Planners may issue it again from the
sale order (``sale.order.action_pps_procure_shortages``). Nothing is bought
outside the rules: a product without a vendor is skipped.
"""

from collections import defaultdict

from odoo import api, fields, models


class PpsProcurementPlan(models.AbstractModel):
    _name = "pps.procurement.plan"
    _description = "PPS procurement plan of rush orders"

    @api.model
    def _procure_shortages(self, order):
        """Replenish, through Odoo's own rules, what the order's production is
        short of (forecast below zero): RFQs for bought components, on the day
        the rush order is converted. Returns the purchase orders concerned."""
        order = order.sudo()
        productions = order._pps_productions().filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        warehouse = order.warehouse_id
        moves = productions.move_raw_ids.filtered(
            lambda m: (
                m.state not in ("done", "cancel", "assigned")
                and m.product_id.is_storable
                and not m.move_orig_ids
            )
        )
        needs = defaultdict(float)
        for move in moves:
            needs[move.product_id] += move.product_qty - move.quantity
        Rule = self.env["stock.rule"].sudo()
        procurements = []
        now = fields.Datetime.now()
        for product, need in needs.items():
            forecast = product.with_context(warehouse_id=warehouse.id).virtual_available
            short = min(need, -forecast)
            if product.uom_id.compare(short, 0.0) <= 0 or not product.seller_ids:
                continue
            procurements.append(
                Rule.Procurement(
                    product,
                    short,
                    product.uom_id,
                    warehouse.lot_stock_id,
                    order.name,
                    order.name,
                    order.company_id,
                    {
                        "warehouse_id": warehouse,
                        "date_planned": now,
                        "date_deadline": now,
                    },
                )
            )
        if not procurements:
            return self.env["purchase.order"]
        # new lines get higher ids: remember the highest, not every id
        last = (
            self.env["purchase.order.line"].sudo().search([], order="id desc", limit=1)
        )
        Rule.run(procurements, raise_user_error=True)
        lines = (
            self.env["purchase.order.line"]
            .sudo()
            .search(
                [
                    ("id", ">", last.id or 0),
                    ("product_id", "in", [p.product_id.id for p in procurements]),
                ]
            )
        )
        lines |= (
            self.env["purchase.order.line"]
            .sudo()
            .search(
                [
                    ("order_id.state", "in", ("draft", "sent")),
                    ("order_id.origin", "ilike", order.name),
                    ("product_id", "in", [p.product_id.id for p in procurements]),
                ]
            )
        )
        purchases = lines.order_id
        order.message_post(
            body=self.env._(
                "Procurement plan of the rush order: %(lines)s requested through "
                "replenishment (%(rfqs)s).",
                lines=", ".join(
                    f"{p.product_qty:g} {p.product_uom.name} "
                    f"{p.product_id.display_name}"
                    for p in procurements
                ),
                rfqs=", ".join(purchases.mapped("name")) or "-",
            )
        )
        return purchases
