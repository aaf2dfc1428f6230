from odoo import api, models

from .pps_lock_mixin import PPS_LOCK_EXECUTION, changed_fields, rpc_result


class MrpWorkorder(models.Model):
    """Work orders of a locked manufacturing order: none can be added or
    removed (the routing is agreed content). Their plan -- dates, work center,
    expected duration -- stays free: the lock protects the agreement, not the
    plan, and the scheduler keeps re-planning them (a planner pins an MO's plan
    to keep it put). Starting, pausing and finishing them still works.
    """

    _inherit = "mrp.workorder"

    #: Fields of a work order that a lock protects (none: see the class doc).
    #: An integrator who wants the plan of locked orders frozen lists them here.
    _pps_lock_protected_fields = ()

    @api.model_create_multi
    def create(self, vals_list):
        productions = self.env["mrp.production"].browse(
            {vals["production_id"] for vals in vals_list if vals.get("production_id")}
        )
        productions._pps_check_lock(
            {production: ["workorder_ids"] for production in productions}
        )
        return super().create(vals_list)

    def write(self, vals):
        if any(fname in vals for fname in self._pps_lock_protected_fields):
            self._pps_check_production_lock(vals)
        return super().write(vals)

    def unlink(self):
        productions = self.production_id
        productions._pps_check_lock(
            {production: ["workorder_ids"] for production in productions}
        )
        return super().unlink()

    def button_start(self, raise_on_invalid_state=False):
        return rpc_result(
            super(MrpWorkorder, self._pps_execution()).button_start(
                raise_on_invalid_state=raise_on_invalid_state
            )
        )

    def button_finish(self):
        return rpc_result(super(MrpWorkorder, self._pps_execution()).button_finish())

    def button_pending(self):
        return rpc_result(super(MrpWorkorder, self._pps_execution()).button_pending())

    def action_mark_as_done(self):
        return rpc_result(
            super(MrpWorkorder, self._pps_execution()).action_mark_as_done()
        )

    def _pps_execution(self):
        return self.with_context(pps_lock_execution=PPS_LOCK_EXECUTION)

    def _pps_check_production_lock(self, vals):
        if not any(self.production_id.mapped("pps_locked")):
            return
        changed = {}
        for workorder in self.filtered(lambda w: w.production_id.pps_locked):
            if changed_fields(workorder, vals, self._pps_lock_protected_fields):
                changed.setdefault(workorder.production_id, ["workorder_ids"])
        self.production_id._pps_check_lock(changed)
