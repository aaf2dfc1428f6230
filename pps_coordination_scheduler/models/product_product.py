from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _pps_setup_family(self):
        """The product's setup family: its own, else its category's (or the
        nearest parent category's); an empty recordset when none."""
        self.ensure_one()
        family = self.product_tmpl_id.pps_setup_family_id
        category = self.categ_id
        while not family and category:
            family = category.pps_setup_family_id
            category = category.parent_id
        return family
