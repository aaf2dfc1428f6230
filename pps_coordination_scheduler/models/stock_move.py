from odoo import models

#: Context key of a write-back: the moves whose dates it writes collect here
#: (a ``DeferredOrderpoints``) instead of searching their orderpoints one
#: write at a time.
DEFERRED_ORDERPOINTS = "pps_deferred_orderpoints"


class DeferredOrderpoints(set):
    """Ids of the stock moves whose orderpoints are marked later; in the
    context as this class only, which no RPC client can build."""


class StockMove(models.Model):
    _inherit = "stock.move"

    def _update_orderpoints(self):
        """Inside a schedule run's write-back, only note the moves: every MO
        date write moves its component and finished moves (two or three
        writes, each searching the orderpoints of its products), and the run
        marks the orderpoints of all of them at once at the end
        (``pps.schedule.run._step_apply``)."""
        deferred = self.env.context.get(DEFERRED_ORDERPOINTS)
        if isinstance(deferred, DeferredOrderpoints):
            deferred.update(self.ids)
            return None
        return super()._update_orderpoints()
