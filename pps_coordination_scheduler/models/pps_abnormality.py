from odoo import api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.pps_coordination.const import OPEN_PRODUCTION_STATES
from odoo.addons.pps_coordination.models.pps_abnormality import (
    PpsAbnormality as BaseAbnormality,
)


class PpsAbnormality(models.Model):
    _inherit = "pps.abnormality"
    # the pool it names is what it affects: kept once confirmed, like the rest
    _pps_frozen_after_draft = BaseAbnormality._pps_frozen_after_draft | {"pps_pool_id"}

    pps_pool_id = fields.Many2one(
        "pps.operator.pool",
        string="Operator Pool",
        tracking=True,
        help="Low staffing of this pool: its headcount times the capacity left "
        "over the period, instead of the work center's capacity.",
    )

    @api.constrains("pps_pool_id", "abnormality_type")
    def _check_pps_pool(self):
        for abnormality in self:
            if (
                abnormality.pps_pool_id
                and abnormality.abnormality_type != "low_staffing"
            ):
                raise ValidationError(
                    self.env._(
                        "%(name)s: only a low staffing abnormality names an "
                        "operator pool.",
                        name=abnormality.name,
                    )
                )

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
        productions = self._pps_delay_scope()
        if not productions:
            return super()._pps_estimate_delays()
        run = self.env["pps.schedule.run"]._schedule_internal(
            productions=productions, dry_run=True, trigger="abnormality"
        )
        return self._pps_delays_from_run(run, productions)

    def _pps_after_confirm(self):
        """The dry run that estimates the delays goes to a job when the user
        interface's runs do (``pps_scheduler.background``): the abnormality is
        confirmed at once, the internal changes open when the job ends
        (:meth:`_pps_after_schedule_run`)."""
        self.ensure_one()
        productions = self._pps_delay_scope()
        if productions:
            run = self.env["pps.schedule.run"]._schedule_internal(
                productions=productions,
                dry_run=True,
                trigger="abnormality",
                job_followup=self,
            )
            if run.state == "running":
                self.message_post(
                    body=self.env._(
                        "Estimating the delays in the background (schedule run "
                        "%(run)s): the internal changes open when it ends.",
                        run=run.name,
                    )
                )
                return
            return self._pps_open_negotiations(
                self._pps_delays_from_run(run, productions)
            )
        return super()._pps_after_confirm()

    def _pps_after_schedule_run(self, run):
        """The background dry run ended: open the internal changes its plan
        calls for (without a plan, those of the default estimate)."""
        self.ensure_one()
        self._pps_open_negotiations(
            self._pps_delays_from_run(run, self._pps_delay_scope())
        )

    def _pps_delay_scope(self):
        """The open MOs the dry run re-plans: the affected ones and the other
        open MOs of their sale orders, with work orders."""
        affected = self.production_ids.sudo()
        productions = affected | affected.pps_sale_order_id._pps_productions().sudo()
        return productions.filtered(
            lambda p: p.state in OPEN_PRODUCTION_STATES and p.workorder_ids
        )

    def _pps_delays_from_run(self, run, productions):
        """{MO: new finish} from the dry run ``run`` (the default estimate
        when it failed)."""
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
