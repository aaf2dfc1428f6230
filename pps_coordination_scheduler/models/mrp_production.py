from odoo import models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def action_pps_reschedule(self):
        """Server action: reschedule these manufacturing orders now."""
        run = self.env["pps.schedule.run"].schedule(
            productions=self, trigger="server_action", interactive=True
        )
        return run._action_open()

    def action_pps_reschedule_preview(self):
        """Server action: preview a reschedule of these manufacturing orders."""
        run = self.env["pps.schedule.run"].schedule(
            productions=self, trigger="server_action", dry_run=True, interactive=True
        )
        return run._action_open()
