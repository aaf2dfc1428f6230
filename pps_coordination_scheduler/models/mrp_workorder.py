from datetime import timedelta

from odoo import api, fields, models


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    pps_rush = fields.Boolean(
        related="production_id.pps_rush", string="Red Flag", store=True
    )
    pps_serial = fields.Integer(
        related="production_id.pps_serial", string="Serial", store=True
    )
    pps_frozen = fields.Boolean(
        string="Frozen",
        compute="_compute_pps_frozen",
        search="_search_pps_frozen",
        help="Planned to start inside the frozen zone (today plus the company's "
        "frozen days): a rush insertion does not move it.",
    )

    @api.depends("date_start", "company_id.pps_frozen_days")
    @api.depends_context("pps_now")
    def _compute_pps_frozen(self):
        for workorder in self:
            limit = workorder._pps_frozen_until()
            workorder.pps_frozen = bool(
                workorder.date_start
                and workorder.date_start < limit
                and workorder.state not in ("done", "cancel")
            )

    def _search_pps_frozen(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(self.env._("Unsupported search on the frozen flag."))
        frozen = (operator == "=") == value
        limit = self.env.company and self._pps_frozen_until(self.env.company)
        domain = [
            ("date_start", "!=", False),
            ("date_start", "<", limit),
            ("state", "not in", ("done", "cancel")),
        ]
        if frozen:
            return domain
        return ["!", "&", "&", *domain]

    def _pps_frozen_until(self, company=None):
        company = company or self.company_id or self.env.company
        return fields.Datetime.now() + timedelta(days=company.pps_frozen_days)
