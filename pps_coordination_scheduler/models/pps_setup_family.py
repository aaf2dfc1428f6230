"""Setup families: products that follow each other on a work center without
a changeover (see ``pps_changeover``)."""

from odoo import fields, models


class PpsSetupFamily(models.Model):
    """Products that run one after the other without a changeover."""

    _name = "pps.setup.family"
    _description = "PPS setup family"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    color = fields.Integer()

    _name_uniq = models.Constraint(
        "unique(name, company_id)", "A setup family of that name already exists."
    )
