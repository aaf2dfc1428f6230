from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    pps_hold_days = fields.Float(related="company_id.pps_hold_days", readonly=False)
