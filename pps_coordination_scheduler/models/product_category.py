from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    pps_setup_family_id = fields.Many2one(
        "pps.setup.family",
        string="Setup Family",
        help="Setup family of the products of this category (and its "
        "sub-categories) that have none of their own.",
    )
