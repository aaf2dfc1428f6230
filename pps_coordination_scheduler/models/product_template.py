from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    pps_setup_family_id = fields.Many2one(
        "pps.setup.family",
        string="Setup Family",
        help="Products of one family follow each other on a work center "
        "without a changeover; see the work centers' changeover matrices. "
        "Empty: the category's.",
    )
