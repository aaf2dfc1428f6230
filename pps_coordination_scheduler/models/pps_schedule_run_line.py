from odoo import api, fields, models
from odoo.exceptions import UserError


class PpsScheduleRunLine(models.Model):
    """One planned change of a schedule run: a work order or a purchase line."""

    _name = "pps.schedule.run.line"
    _description = "Schedule Run Change"
    _order = "run_id, production_id, new_date_start, id"

    run_id = fields.Many2one(
        "pps.schedule.run", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    production_id = fields.Many2one(
        "mrp.production", string="Manufacturing Order", index=True
    )
    workorder_id = fields.Many2one(
        "mrp.workorder", string="Work Order", ondelete="set null"
    )
    purchase_line_id = fields.Many2one("purchase.order.line", ondelete="set null")
    purchase_order_id = fields.Many2one(
        related="purchase_line_id.order_id", string="Purchase Order"
    )
    record_type = fields.Selection(
        [("workorder", "Work order"), ("purchase", "Purchase line")],
        compute="_compute_record_type",
        store=True,
    )
    old_workcenter_id = fields.Many2one("mrp.workcenter", string="From Work Center")
    new_workcenter_id = fields.Many2one("mrp.workcenter", string="To Work Center")
    old_date_start = fields.Datetime(string="Old Date")
    new_date_start = fields.Datetime(string="New Date")
    old_date_finished = fields.Datetime(string="Old End")
    new_date_finished = fields.Datetime(string="New End")
    shift_minutes = fields.Integer(
        compute="_compute_shift_minutes",
        store=True,
        help="How far the start moved; negative means earlier.",
    )
    pps_significant = fields.Boolean(
        string="Significant Move",
        compute="_compute_pps_significant",
        help="A purchase line, or a work order that changes work center, is "
        "newly planned or shifts by at least the preview threshold (system "
        "parameter pps_scheduler.preview_threshold, minutes); the dispatch "
        "board lists only these.",
    )

    @api.depends("purchase_line_id")
    def _compute_record_type(self):
        for line in self:
            line.record_type = "purchase" if line.purchase_line_id else "workorder"

    @api.depends("old_date_start", "new_date_start")
    def _compute_shift_minutes(self):
        for line in self:
            if line.old_date_start and line.new_date_start:
                delta = line.new_date_start - line.old_date_start
                line.shift_minutes = int(delta.total_seconds() // 60)
            else:
                line.shift_minutes = 0

    def _compute_pps_significant(self):
        try:
            threshold = self.env["pps.dispatch.board"]._preview_threshold()
        except UserError:  # a bad parameter: the board says so, not the list
            threshold = 0
        for line in self:
            line.pps_significant = line._pps_is_significant(threshold)

    def _pps_is_significant(self, threshold):
        """Whether this change matters at ``threshold`` minutes."""
        self.ensure_one()
        return (
            self.record_type != "workorder"
            or not self.old_date_start
            or self.old_workcenter_id != self.new_workcenter_id
            or abs(self.shift_minutes) >= threshold
        )
