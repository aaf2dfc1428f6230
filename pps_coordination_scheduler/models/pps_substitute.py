from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PpsSubstitute(models.Model):
    """A component that can replace another when it is short.

    ``ratio`` units of the substitute (in its unit) replace one unit of the
    component; substitutes are tried by ascending ``priority``. The promise
    counts their free stock, and ``mrp.production.action_pps_use_substitutes``
    swaps short component moves of a manufacturing order for them.
    """

    _name = "pps.substitute"
    _description = "PPS substitute component"
    _order = "product_id, priority, id"

    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    product_id = fields.Many2one(
        "product.product",
        string="Component",
        required=True,
        index=True,
        domain=[("type", "=", "consu")],
    )
    substitute_id = fields.Many2one(
        "product.product",
        required=True,
        domain=[("type", "=", "consu")],
    )
    ratio = fields.Float(
        default=1.0,
        required=True,
        digits="Product Unit",
        help="Units of the substitute used for one unit of the component.",
    )
    priority = fields.Integer(default=10, help="Lower is tried first.")
    active = fields.Boolean(default=True)

    _check_ratio = models.Constraint("CHECK(ratio > 0)", "The ratio must be positive.")

    @api.constrains("product_id", "substitute_id")
    def _check_substitute(self):
        for substitute in self:
            if substitute.product_id == substitute.substitute_id:
                raise ValidationError(
                    self.env._("A component cannot be its own substitute.")
                )

    @api.model
    def _pps_for(self, component, company):
        """Active substitutes of ``component`` for ``company``, by priority."""
        return self.search(
            [
                ("product_id", "=", component.id),
                ("company_id", "in", [company.id, False]),
            ],
            order="priority, id",
        )
