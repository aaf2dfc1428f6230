from odoo import api, fields, models


class PpsUnlockWizard(models.TransientModel):
    """Unlock a sale order or a manufacturing order, with a reason."""

    _name = "pps.unlock.wizard"
    _description = "Unlock with a Reason"

    res_model = fields.Char(required=True, readonly=True)
    res_ids = fields.Json(required=True, readonly=True)
    reason = fields.Text(required=True)

    @api.model
    def _pps_open_for(self, records):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Unlock"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_res_model": records._name,
                "default_res_ids": records.ids,
            },
        }

    def action_confirm(self):
        self.ensure_one()
        if self.res_model not in ("sale.order", "mrp.production"):
            return {"type": "ir.actions.act_window_close"}
        records = self.env[self.res_model].browse(self.res_ids or [])
        records.action_pps_unlock(reason=self.reason)
        return {"type": "ir.actions.act_window_close"}
