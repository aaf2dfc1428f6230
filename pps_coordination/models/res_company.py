from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    pps_frozen_days = fields.Integer(
        string="Frozen Days",
        default=3,
        help="Today plus this many days form the frozen zone: rush insertions "
        "never move work already scheduled inside it.",
    )
    pps_rush_capacity_share = fields.Float(
        string="Rush Capacity Share",
        default=0.20,
        help="Share of each work center's daily capacity that only rush work "
        "may use (0 to 1).",
    )
    pps_material_buffer_days = fields.Integer(
        string="Material Buffer Days",
        default=3,
        help="Materials must be at the station this many days before an "
        "operation starts.",
    )

    @api.constrains(
        "pps_frozen_days", "pps_rush_capacity_share", "pps_material_buffer_days"
    )
    def _check_pps_settings(self):
        for company in self:
            if company.pps_frozen_days < 0 or company.pps_material_buffer_days < 0:
                raise ValidationError(
                    self.env._(
                        "Frozen days and material buffer days cannot be negative."
                    )
                )
            if not 0.0 <= company.pps_rush_capacity_share < 1.0:
                raise ValidationError(
                    self.env._(
                        "The rush capacity share must be between 0 and 1 "
                        "(for example 0.2 for 20%)."
                    )
                )
