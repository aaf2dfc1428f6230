"""The people and fixtures a routing operation needs (see
``pps.operation.requirement``)."""

from odoo import fields, models


class MrpRoutingWorkcenter(models.Model):
    _inherit = "mrp.routing.workcenter"

    pps_requirement_ids = fields.One2many(
        "pps.operation.requirement",
        "operation_id",
        string="Operators and Fixtures",
        copy=True,
        help="Operators of a pool and copies of a fixture the operation holds "
        "while it runs; the schedule runs plan it only where they are free.",
    )
