from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    pps_frozen_days = fields.Integer(
        related="company_id.pps_frozen_days", readonly=False
    )
    pps_rush_capacity_share = fields.Float(
        related="company_id.pps_rush_capacity_share", readonly=False
    )
    pps_material_buffer_days = fields.Integer(
        related="company_id.pps_material_buffer_days", readonly=False
    )
    pps_jit_slack_days = fields.Float(
        related="company_id.pps_jit_slack_days", readonly=False
    )
    pps_notify_customer = fields.Boolean(
        related="company_id.pps_notify_customer", readonly=False
    )
