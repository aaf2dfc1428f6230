"""Fixtures and tools: copies of a tool type a work order holds while it
runs (see ``pps.operation.requirement``)."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PpsFixture(models.Model):
    """A tool type and how many copies of it the shop has."""

    _name = "pps.fixture"
    _description = "PPS fixture or tool"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    count = fields.Integer(
        string="Copies", default=1, required=True, help="Copies of this tool."
    )

    _name_uniq = models.Constraint(
        "unique(name, company_id)", "A fixture of that name already exists."
    )

    @api.constrains("count")
    def _check_count(self):
        for fixture in self:
            if fixture.count < 0:
                raise ValidationError(
                    self.env._(
                        "%(fixture)s: the number of copies cannot be negative.",
                        fixture=fixture.name,
                    )
                )
