from odoo import fields, models


class MrpWorkcenter(models.Model):
    _inherit = "mrp.workcenter"

    pps_changeover_ids = fields.One2many(
        "pps.changeover",
        "workcenter_id",
        string="Changeovers",
        help="Minutes between work orders of two setup families here, on top "
        "of the setup time; the scheduler plans them between consecutive work "
        "orders.",
    )
