from odoo import models

from odoo.addons.pps_coordination.models.pps_lock_mixin import PPS_LOCK_BYPASS


class PpsAbnormality(models.Model):
    _inherit = "pps.abnormality"

    def _pps_estimate_delays(self):
        """New finish dates from a dry-run reschedule with the lost capacity.

        The scheduler's calendars leave out the capacity a confirmed
        abnormality takes away (see ``pps.schedule.problem._prepare_windows``),
        so a dry run of the affected orders tells when each one now finishes.
        Nothing is written but the run record, which documents the estimate.
        """
        self.ensure_one()
        productions = self.production_ids.sudo().filtered(
            lambda p: (
                p.state in ("confirmed", "progress", "to_close") and p.workorder_ids
            )
        )
        if not productions:
            return super()._pps_estimate_delays()
        run = (
            self.env["pps.schedule.run"]
            .sudo()
            .with_context(pps_schedule_internal=PPS_LOCK_BYPASS, pps_schedule_sync=True)
            .schedule(
                productions=productions,
                dry_run=True,
                trigger="abnormality",
                unlocked_productions=productions,
            )
        )
        if run.state != "done":
            return super()._pps_estimate_delays()
        delays = {}
        for production in productions:
            lines = run.line_ids.filtered(
                lambda line, p=production: line.production_id == p and line.workorder_id
            )
            finishes = [d for d in lines.mapped("new_date_finished") if d]
            unmoved = production.workorder_ids - lines.workorder_id
            finishes += [d for d in unmoved.mapped("date_finished") if d]
            if finishes:
                delays[production] = max(finishes)
        return delays
