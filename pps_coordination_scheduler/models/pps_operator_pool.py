"""Operator pools: the people a work order needs besides its work center
(see ``pps.operation.requirement``)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PpsOperatorPool(models.Model):
    """A crew shared by the work orders that need it: its headcount during
    its calendar's working time, fewer (``off_shift_headcount``) outside it
    while its work centers work (a night shift with fewer operators)."""

    _name = "pps.operator.pool"
    _description = "PPS operator pool"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    skill = fields.Char(
        translate=True, help="What the operators of this pool are trained for."
    )
    workcenter_ids = fields.Many2many(
        "mrp.workcenter",
        string="Work Centers",
        help="Where its operators work (informative; the routing operations "
        "say which work needs them).",
    )
    headcount = fields.Integer(
        default=1,
        required=True,
        help="Operators there during the working time of the pool's calendar "
        "(always, without a calendar).",
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Shift Calendar",
        help="When the full headcount is there. Outside it, while the work "
        "centers of the work needing the pool work, only the off-shift "
        "headcount is.",
    )
    off_shift_headcount = fields.Integer(
        string="Off-shift Headcount",
        default=0,
        help="Operators there outside the shift calendar (a night shift).",
    )

    _name_uniq = models.Constraint(
        "unique(name, company_id)", "An operator pool of that name already exists."
    )

    @api.constrains("headcount", "off_shift_headcount")
    def _check_headcount(self):
        for pool in self:
            if pool.headcount < 0 or pool.off_shift_headcount < 0:
                raise ValidationError(
                    self.env._(
                        "%(pool)s: a headcount cannot be negative.", pool=pool.name
                    )
                )
