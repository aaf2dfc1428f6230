from odoo import models

from .pps_lock_mixin import PPS_LOCK_EXECUTION, rpc_result


class MrpProductionSplit(models.TransientModel):
    """The split wizard of a locked MO: splitting is execution (see
    ``mrp.production._split_productions``, which locks the new MOs)."""

    _inherit = "mrp.production.split"

    def action_split(self):
        """Splitting is execution, the wizard's own part included: it gives
        each new MO the responsible and the start entered on its line, which
        on a locked MO (and on the new MOs, locked by ``_split_productions``)
        is part of the split, not a re-plan."""
        return rpc_result(
            super(
                MrpProductionSplit,
                self.with_context(pps_lock_execution=PPS_LOCK_EXECUTION),
            ).action_split()
        )
