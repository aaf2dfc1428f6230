"""Short-term horizon: materials not at the station in time.

``pps.material.check`` is a transient report: every operation starting in the
next N days (N = the company's material buffer days) whose components are not
reserved -- materials must be at the station N days before an operation
starts, so for these operations they must be there now. Each line names the
transfer that brings the component: the pick-components transfer (whose date
every schedule run sets, see ``pps.schedule.run._apply_material_preparation``)
or, in one-step manufacturing, the receipt it waits for.
"""

from datetime import timedelta

from odoo import api, fields, models

from odoo.addons.pps_coordination.const import OPEN_WORKORDER_STATES


class PpsMaterialCheck(models.TransientModel):
    _name = "pps.material.check"
    _description = "PPS short-term material check"
    _order = "date_start, workorder_id, product_id"

    workorder_id = fields.Many2one("mrp.workorder", string="Operation", readonly=True)
    production_id = fields.Many2one("mrp.production", readonly=True)
    workcenter_id = fields.Many2one("mrp.workcenter", readonly=True)
    date_start = fields.Datetime(string="Starts", readonly=True)
    needed_by = fields.Datetime(
        readonly=True, help="Start minus the material buffer: when it must be there."
    )
    product_id = fields.Many2one("product.product", string="Component", readonly=True)
    required_qty = fields.Float(readonly=True, digits="Product Unit")
    reserved_qty = fields.Float(readonly=True, digits="Product Unit")
    missing_qty = fields.Float(readonly=True, digits="Product Unit")
    picking_id = fields.Many2one(
        "stock.picking",
        string="Transfer",
        readonly=True,
        help="The pick-components transfer that brings it to the station (two- "
        "and three-step manufacturing), else the open receipt it waits for.",
    )
    expected_date = fields.Datetime(
        string="Expected Availability", readonly=True, help="Forecast of the component."
    )
    company_id = fields.Many2one(
        "res.company", readonly=True, default=lambda self: self.env.company
    )

    @api.model
    def action_open_report(self):
        """Menu: list the operations of the next N days missing material."""
        self.search([("create_uid", "=", self.env.uid)]).unlink()
        lines = self.create(self._pps_find_missing())
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Material Check"),
            "res_model": self._name,
            "view_mode": "list",
            "domain": [("id", "in", lines.ids)],
        }

    @api.model
    def _pps_find_missing(self, company=None):
        """Values of the report lines (read-only)."""
        company = company or self.env.company
        days = company.pps_material_buffer_days
        now = fields.Datetime.now()
        workorders = self.env["mrp.workorder"].search(
            [
                ("state", "in", OPEN_WORKORDER_STATES),
                ("company_id", "=", company.id),
                ("date_start", "!=", False),
                ("date_start", "<", now + timedelta(days=days)),
                ("date_finished", ">", now),
            ],
            order="date_start",
        )
        values = []
        consumers = workorders.production_id._pps_component_workorders()
        moves_of = {}
        for move, workorder in consumers.items():
            moves_of.setdefault(workorder, []).append(move)
        for workorder in workorders:
            production = workorder.production_id
            for move in moves_of.get(workorder, ()):
                missing = move.product_qty - move.quantity
                if move.product_id.uom_id.compare(missing, 0.0) <= 0:
                    continue
                supply = production._pps_pick_moves(
                    move
                ) or move.move_orig_ids.filtered(
                    lambda m: m.state not in ("done", "cancel")
                )
                values.append(
                    {
                        "workorder_id": workorder.id,
                        "production_id": production.id,
                        "workcenter_id": workorder.workcenter_id.id,
                        "date_start": workorder.date_start,
                        "needed_by": workorder.date_start - timedelta(days=days),
                        "product_id": move.product_id.id,
                        "required_qty": move.product_qty,
                        "reserved_qty": move.quantity,
                        "missing_qty": missing,
                        "picking_id": supply.picking_id[:1].id,
                        "expected_date": move.forecast_expected_date,
                        "company_id": company.id,
                    }
                )
        return values
