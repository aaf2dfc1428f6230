from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    pps_hold_days = fields.Float(related="company_id.pps_hold_days", readonly=False)
    pps_preview_threshold = fields.Integer(
        string="Preview threshold (minutes)",
        config_parameter="pps_scheduler.preview_threshold",
        default=15,
        help="A dry run lists only the moves that change a work order's work "
        "center or shift its start by at least this many minutes; the smaller "
        "ones are counted, not listed.",
    )
