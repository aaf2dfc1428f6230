from odoo import fields, models


class PpsScheduleRunStep(models.Model):
    """One step of a schedule run as it started (reading, solving, checking,
    writing), with the run's progress then.

    A run in a background job writes its steps through a cursor of its own,
    committed at once, so the run's form shows how far the job is while the
    job's own transaction (which writes the run itself) is still open; only
    new rows are written there, never the run.
    """

    _name = "pps.schedule.run.step"
    _description = "Schedule Run Step"
    _order = "run_id, id"

    run_id = fields.Many2one(
        "pps.schedule.run", required=True, readonly=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True)
    progress = fields.Integer(readonly=True, help="Percent done when the step began.")
    name = fields.Char(string="Step", readonly=True)
