from odoo import models

from odoo.addons.pps_coordination.const import OPEN_PRODUCTION_STATES


class PpsAbnormality(models.Model):
    _inherit = "pps.abnormality"

    def _pps_estimate_delays(self):
        """New finish dates from a dry-run reschedule with the abnormality.

        The extraction (``pps.schedule.problem``) already counts a confirmed
        abnormality: a capacity type shortens its work center's windows, a
        material shortage holds back the MOs consuming the product until it is
        back and at the station, a low yield lengthens the affected work. So a
        dry run of the affected orders tells when each one now finishes. The
        other open MOs of their sale orders join the run, so that a delayed
        sub-assembly pushes its parent too. Nothing is written but the run
        record, which documents the estimate; each finish is compared with the
        plan in force by ``_pps_open_negotiations``.
        """
        self.ensure_one()
        open_states = OPEN_PRODUCTION_STATES
        affected = self.production_ids.sudo()
        productions = affected | affected.pps_sale_order_id._pps_productions().sudo()
        productions = productions.filtered(
            lambda p: p.state in open_states and p.workorder_ids
        )
        if not productions:
            return super()._pps_estimate_delays()
        run = self.env["pps.schedule.run"]._schedule_internal(
            productions=productions, dry_run=True, trigger="abnormality"
        )
        if run.state != "done":
            return super()._pps_estimate_delays()
        delays = {}
        for production in productions:
            lines = run.line_ids.filtered(
                lambda line, p=production: line.production_id == p and line.workorder_id
            )
            finishes = [d for d in lines.mapped("new_date_finished") if d]
            unmoved = (production.workorder_ids - lines.workorder_id).filtered(
                lambda w: w.state not in ("done", "cancel")
            )
            finishes += [d for d in unmoved.mapped("date_finished") if d]
            if finishes:
                delays[production] = max(finishes)
        return delays
