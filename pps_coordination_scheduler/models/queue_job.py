from odoo import models


class QueueJob(models.Model):
    """A background schedule run ends with its job.

    When the job of a run fails -- a worker killed in the middle (after its
    retries), the database connection lost, an error the run could not record
    itself because its own transaction was gone -- the run is still
    ``running``: its ``_execute`` never committed. It is marked ``failed``
    here, with the job's error, so that no run stays ``running`` and the next
    run is not refused for hours (``pps.schedule.run._acquire_company_lock``).
    The job's own transaction was rolled back: nothing of the run was written.
    """

    _inherit = "queue.job"

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") == "failed":
            self.env["pps.schedule.run"].sudo()._pps_close_failed_jobs(self)
        return res
