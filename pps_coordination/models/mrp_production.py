from odoo import api, fields, models

from .pps_lock_mixin import PPS_LOCK_EXECUTION


class MrpProduction(models.Model):
    _name = "mrp.production"
    _inherit = ["mrp.production", "pps.lock.mixin"]

    _pps_lock_protected_fields = (
        "date_start",
        "date_finished",
        "date_deadline",
        "product_qty",
        "product_id",
        "bom_id",
        "workorder_ids",
    )

    pps_sale_order_id = fields.Many2one(
        "sale.order",
        string="Sale Order",
        compute="_compute_pps_sale_order_id",
        store=True,
        recursive=True,
        index=True,
        help="The sale order this manufacturing order serves, directly or "
        "through its parent manufacturing order.",
    )
    pps_rush = fields.Boolean(
        string="Red Flag", related="pps_sale_order_id.pps_rush", store=True
    )
    pps_serial = fields.Integer(
        string="Serial", related="pps_sale_order_id.pps_serial", store=True
    )

    @api.depends(
        "sale_line_id.order_id",
        "reference_ids.sale_ids",
        "production_group_id.parent_ids.production_ids.pps_sale_order_id",
    )
    def _compute_pps_sale_order_id(self):
        for production in self:
            order = (
                production.sale_line_id.order_id
                or production.reference_ids.sale_ids[:1]
            )
            if not order:
                order = production._get_sources().pps_sale_order_id[:1]
            production.pps_sale_order_id = order

    def action_confirm(self):
        return super(MrpProduction, self._pps_execution()).action_confirm()

    def button_plan(self):
        """Planning fills in a plan where there is none (``button_plan`` skips
        planned MOs), so it is allowed on a locked MO; unplanning is not."""
        return super(MrpProduction, self._pps_execution()).button_plan()

    def button_mark_done(self):
        return super(MrpProduction, self._pps_execution()).button_mark_done()

    def action_pps_open_unlock_wizard(self):
        return self.env["pps.unlock.wizard"]._pps_open_for(self)

    def _pps_execution(self):
        return self.with_context(pps_lock_execution=PPS_LOCK_EXECUTION)

    def _pps_shift_dates(self, delta):
        """Shift the plan of one MO by ``delta`` (a timedelta), consistently.

        Planned work orders move start and finish by the same delta (their
        durations unchanged); unplanned ones are left alone. The MO's own dates
        follow. Runs with the caller's context (the lock bypass on agreement).
        """
        self.ensure_one()
        start, finish = self.date_start, self.date_finished
        planned = self.workorder_ids.filtered(
            lambda w: (
                w.date_start and w.date_finished and w.state not in ("done", "cancel")
            )
        )
        # Move the last ones first when postponing, the first ones first when
        # advancing, so that no intermediate state overlaps backwards.
        ordered = planned.sorted("date_start", reverse=delta.total_seconds() > 0)
        for workorder in ordered:
            workorder.with_context(bypass_duration_calculation=True).write(
                {
                    "date_start": workorder.date_start + delta,
                    "date_finished": workorder.date_finished + delta,
                }
            )
        # Work orders drag the MO's dates along (first start, last finish);
        # set both from the values read before, so nothing moves twice.
        vals = {}
        if start:
            vals["date_start"] = start + delta
        if finish:
            vals["date_finished"] = finish + delta
        if vals:
            self.with_context(force_date=True).write(vals)

    def _pps_supplying_purchase_lines(self):
        """Open purchase order lines that supply the components of the MOs."""
        raw_moves = self.move_raw_ids
        lines = (
            raw_moves.created_purchase_line_ids
            | raw_moves.move_orig_ids.purchase_line_id
        )
        components = raw_moves.product_id
        for production in self:
            for order in production._get_purchase_orders():
                lines |= order.order_line.filtered(lambda l: l.product_id in components)
        return lines.filtered(
            lambda l: (
                l.order_id.state not in ("cancel", "done")
                and l.date_planned
                and l.product_uom_id.compare(l.qty_received, l.product_qty) < 0
            )
        )
