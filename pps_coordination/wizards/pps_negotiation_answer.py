from odoo import api, fields, models
from odoo.exceptions import UserError

from ..guards import PLANNER_GROUP, has_role

#: What binds a promise: the scheduler's causes, the standard lead time of the
#: coordination alone, or the expected date when production can meet it.
PROMISE_BINDINGS = [
    ("stock", "Free stock"),
    ("capacity", "Capacity"),
    ("material", "Material"),
    ("abnormality", "Abnormality"),
    ("lead_time", "Standard lead time"),
    ("expected", "Expected date (can be met)"),
]


class PpsNegotiationAnswer(models.TransientModel):
    """A planner answers a request.

    The dialog opens with production's promise already computed (date, what
    binds it, why, and the options): "Use this date" answers with it as shown.
    A planner may answer another date instead.
    """

    _name = "pps.negotiation.answer"
    _description = "Answer a Delivery Date Request"

    negotiation_id = fields.Many2one("pps.negotiation", required=True, readonly=True)
    expected_date = fields.Datetime(related="negotiation_id.expected_date")
    pps_rush = fields.Boolean(related="negotiation_id.pps_rush")
    promise_date = fields.Datetime(
        string="Promised Date",
        readonly=True,
        help="The date production can promise, computed when the dialog opened.",
    )
    promise_binding = fields.Selection(
        PROMISE_BINDINGS,
        string="Binding Constraint",
        readonly=True,
        help="What decides the promised date.",
    )
    promise_explanation = fields.Text(string="Why", readonly=True)
    promise_options = fields.Text(
        string="Options",
        readonly=True,
        help="What could bring the date forward; nothing is done by answering.",
    )
    promise_error = fields.Text(
        string="No Promise",
        readonly=True,
        help="Why production could not compute a promise: answer with a date.",
    )
    scheduled_date = fields.Datetime(
        string="Other Date",
        help="Answer this date instead of the promise.",
    )
    explanation = fields.Text(help="Why production answers this date.")

    @api.model
    def default_get(self, fields_list):
        """The promise, computed once when the dialog opens (planners only)."""
        values = super().default_get(fields_list)
        negotiation = self.env["pps.negotiation"].browse(values.get("negotiation_id"))
        wanted = {"promise_date", "promise_explanation"} & set(fields_list)
        if (
            wanted
            and negotiation.exists()
            and negotiation.state == "requested"
            and has_role(self.env, PLANNER_GROUP)
        ):
            values.update(self._pps_preview(negotiation))
        return values

    @api.model
    def _pps_preview(self, negotiation):
        """The wizard's promise fields for ``negotiation``; a promise that
        cannot be computed (no calendar, nothing schedulable) is said so."""
        try:
            with self.env.cr.savepoint():
                promise = negotiation._pps_compute_promise()
        except UserError as error:
            return {"promise_error": str(error)}
        options = promise.get("options") or []
        return {
            "promise_date": promise["date"],
            "promise_binding": promise.get("binding") or False,
            "promise_explanation": promise.get("reasons") or promise["explanation"],
            "promise_options": "\n".join(f"• {option['text']}" for option in options)
            or False,
        }

    def action_use_promise(self):
        """Answer with the promise as the dialog shows it: its date, and its
        explanation unless the planner wrote one (the options stay with the
        planner)."""
        self.ensure_one()
        if not self.promise_date:
            raise UserError(
                self.env._(
                    "There is no promise to use: answer with another date, or "
                    "close the dialog and open it again."
                )
            )
        self.negotiation_id.action_answer(
            scheduled_date=self.promise_date,
            explanation=self.explanation or self.promise_explanation,
        )
        return {"type": "ir.actions.act_window_close"}

    def action_confirm(self):
        """Answer the other date; without one, the promise shown (or, when
        none was computed, the promise as of now)."""
        self.ensure_one()
        if not self.scheduled_date and self.promise_date:
            return self.action_use_promise()
        self.negotiation_id.action_answer(
            scheduled_date=self.scheduled_date or None, explanation=self.explanation
        )
        return {"type": "ir.actions.act_window_close"}
