from odoo import api, fields, models
from odoo.exceptions import AccessError

READINESS_FIELDS = ("pps_ready_tools", "pps_ready_equipment", "pps_ready_manpower")


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    pps_ready_tools = fields.Boolean(
        string="Fixtures/Tools Ready", copy=False, help="Ticked by a planner."
    )
    pps_ready_equipment = fields.Boolean(
        string="Equipment Ready", copy=False, help="Ticked by a planner."
    )
    pps_ready_manpower = fields.Boolean(
        string="Manpower Ready", copy=False, help="Ticked by a planner."
    )
    pps_ready = fields.Boolean(
        string="Ready",
        compute="_compute_pps_ready",
        store=True,
        help="Fixtures or tools, equipment and manpower are all ready.",
    )

    @api.depends(*READINESS_FIELDS)
    def _compute_pps_ready(self):
        for workorder in self:
            workorder.pps_ready = all(workorder[fname] for fname in READINESS_FIELDS)

    def write(self, vals):
        ticked = [fname for fname in READINESS_FIELDS if fname in vals]
        if ticked:
            self._pps_check_readiness_rights()
        res = super().write(vals)
        if ticked:
            labels = {fname: self._fields[fname].string for fname in ticked}
            for workorder in self:
                workorder.production_id.message_post(
                    body=self.env._(
                        "%(wo)s readiness by %(user)s: %(checks)s.",
                        wo=workorder.display_name,
                        user=self.env.user.name,
                        checks=", ".join(
                            f"{labels[f]} {'✓' if vals[f] else '✗'}" for f in ticked
                        ),
                    )
                )
        return res

    def _pps_check_readiness_rights(self):
        if self.env.su or self.env.user.has_group("pps_coordination.group_pps_planner"):
            return
        raise AccessError(
            self.env._("Only production planners tick the readiness checklist.")
        )
