from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    pps_hold_days = fields.Float(
        string="Quote Hold Days",
        default=3.0,
        help="A quoted date held for a quotation keeps its capacity this many "
        "days; then the hold expires and the slots are free again.",
    )

    @api.constrains("pps_hold_days")
    def _check_pps_hold_days(self):
        for company in self:
            if company.pps_hold_days <= 0:
                raise ValidationError(
                    self.env._(
                        "A quote hold must last some time: the hold days must be "
                        "more than 0."
                    )
                )
