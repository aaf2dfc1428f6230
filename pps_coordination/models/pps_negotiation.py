from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import LockError, UserError

from ..const import OPEN_NEGOTIATION_STATES
from ..guards import NEGOTIATION, PLANNER_GROUP, SALES_GROUP, check_planner, check_role
from ..tools.wording import format_duration, format_moment
from .pps_lock_mixin import PPS_LOCK_BYPASS

#: Context value of the negotiation workflow methods: only they may create
#: rounds and write their workflow fields. Compared with ``is`` (RPC-proof).

SCENARIOS = [
    ("new_order", "New Order"),
    ("rush_order", "Rush Order"),
    ("customer_change", "Customer Change"),
    ("internal_change", "Internal Change"),
]


class PpsNegotiation(models.Model):
    """One round of request -> answer -> decision on one sale order.

    Sales requests (``sale.order.action_pps_request_date``), a planner answers
    (:meth:`action_answer`), sales agrees or rejects (:meth:`action_agree`,
    :meth:`action_reject`). Planners may also open a round already answered
    (``internal_change``, ``sale.order.action_pps_propose_date``). After a
    rejection, sales may answer with another date in one step
    (:meth:`action_counter_propose`): a new round requested on the same order
    and linked to the rejected one (``previous_round_id``). The workflow
    fields are written only by these methods; each method checks the user's
    group, locks the row and re-reads the state so that two users acting at
    once cannot both succeed.
    """

    _name = "pps.negotiation"
    _description = "Delivery Date Negotiation"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    _pps_workflow_fields = frozenset(
        {
            "name",
            "sale_order_id",
            "scenario",
            "expected_date",
            "scheduled_date",
            "previous_date",
            "state",
            "decision",
            "abnormality_id",
            "requested_by_id",
            "requested_at",
            "answered_by_id",
            "answered_at",
            "decided_by_id",
            "decided_at",
            "change_order_id",
            "company_id",
            "previous_round_id",
        }
    )

    name = fields.Char(readonly=True, copy=False, default="/")
    sale_order_id = fields.Many2one(
        "sale.order", required=True, readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="sale_order_id.company_id", store=True, index=True
    )
    partner_id = fields.Many2one(related="sale_order_id.partner_id")
    salesperson_id = fields.Many2one(
        related="sale_order_id.user_id", string="Salesperson", store=True
    )
    pps_rush = fields.Boolean(related="sale_order_id.pps_rush", string="Red Flag")
    pps_serial = fields.Integer(related="sale_order_id.pps_serial", string="Serial")
    scenario = fields.Selection(SCENARIOS, required=True, readonly=True, tracking=True)
    expected_date = fields.Datetime(readonly=True, tracking=True)
    scheduled_date = fields.Datetime(readonly=True, tracking=True)
    previous_date = fields.Datetime(
        string="Previous Agreed Date",
        readonly=True,
        help="The order's agreed (or else expected) date when this round was agreed.",
    )
    reason = fields.Text(help="Why the date is requested or changed.")
    explanation = fields.Text(help="Why production answered this date.")
    decision_reason = fields.Text(readonly=True)
    abnormality_id = fields.Many2one("pps.abnormality", readonly=True, index=True)
    state = fields.Selection(
        [
            ("requested", "Requested"),
            ("answered", "Answered"),
            ("agreed", "Agreed"),
            ("rejected", "Rejected"),
            ("cancelled", "Cancelled"),
        ],
        default="requested",
        required=True,
        readonly=True,
        tracking=True,
        group_expand=True,
    )
    decision = fields.Selection(
        [("pending", "Pending"), ("agreed", "Agreed"), ("rejected", "Rejected")],
        compute="_compute_decision",
        store=True,
    )
    requested_by_id = fields.Many2one("res.users", readonly=True)
    requested_at = fields.Datetime(readonly=True)
    answered_by_id = fields.Many2one("res.users", readonly=True)
    answered_at = fields.Datetime(readonly=True)
    decided_by_id = fields.Many2one("res.users", readonly=True)
    decided_at = fields.Datetime(readonly=True)
    change_order_id = fields.Many2one("pps.change.order", readonly=True, copy=False)
    previous_round_id = fields.Many2one(
        "pps.negotiation",
        string="Counter-Proposal To",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The rejected round this round answers with another date.",
    )
    counter_round_ids = fields.One2many(
        "pps.negotiation",
        "previous_round_id",
        string="Counter-Proposals",
        readonly=True,
        help="The round sales opened with another date after this one was rejected.",
    )
    can_counter_propose = fields.Boolean(
        compute="_compute_can_counter_propose",
        help="Rejected, the latest round of an open order, and no round is open: "
        "sales may propose another date from it.",
    )

    @api.depends("state")
    def _compute_decision(self):
        for negotiation in self:
            negotiation.decision = (
                negotiation.state
                if negotiation.state in ("agreed", "rejected")
                else "pending"
            )

    @api.depends(
        "state", "sale_order_id.state", "sale_order_id.pps_negotiation_ids.state"
    )
    def _compute_can_counter_propose(self):
        for negotiation in self:
            negotiation.can_counter_propose = not negotiation._pps_counter_refusal()

    @api.model_create_multi
    def create(self, vals_list):
        if not self._pps_in_workflow():
            raise UserError(
                self.env._(
                    "Negotiation rounds are opened from the sale order (Request a "
                    "Delivery Date, or Propose a Date for planners)."
                )
            )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("pps.negotiation") or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        if not self._pps_in_workflow():
            forbidden = self._pps_workflow_fields.intersection(vals)
            if forbidden:
                raise UserError(
                    self.env._(
                        "%(fields)s of a negotiation change only through its "
                        "actions (answer, agree, reject, cancel).",
                        fields=", ".join(sorted(forbidden)),
                    )
                )
            if any(n.state not in OPEN_NEGOTIATION_STATES for n in self) and (
                "reason" in vals or "explanation" in vals
            ):
                raise UserError(self.env._("A closed negotiation round cannot change."))
        return super().write(vals)

    def action_answer(self, scheduled_date=None, explanation=None):
        """A planner answers with a scheduled date (None: ask for a promise)."""
        self.ensure_one()
        check_planner(
            self.env,
            self.env._("Only production planners may answer a delivery-date request."),
        )
        self._pps_lock_rows()
        self._pps_check_order_open()
        if self.state != "requested":
            raise UserError(
                self.env._(
                    "%(name)s is %(state)s: only a requested round can be answered.",
                    name=self.name,
                    state=self._pps_state_label(),
                )
            )
        if not scheduled_date:
            promise = self._pps_compute_promise()
            scheduled_date = promise["date"]
            explanation = explanation or promise["explanation"]
        scheduled_date = self._pps_check_future_date(
            scheduled_date, self.env._("scheduled date")
        )
        self._pps_check_rush_rule(
            self.sale_order_id, self.expected_date, scheduled_date
        )
        self._pps_workflow().write(
            {
                "state": "answered",
                "scheduled_date": scheduled_date,
                "explanation": explanation or self.explanation,
                "answered_by_id": self.env.uid,
                "answered_at": fields.Datetime.now(),
            }
        )
        self.sale_order_id.sudo().pps_scheduled_date = scheduled_date
        self._pps_notify_answer()
        return True

    def action_agree(self):
        """Sales agrees: the agreed date becomes the order's delivery date.

        In one transaction: order dates, rescheduling hook, change order, lock.
        """
        self.ensure_one()
        self._pps_check_decider()
        self._pps_lock_rows()
        self._pps_check_decidable()
        order = self.sale_order_id
        agreed = self.scheduled_date
        previous = order.commitment_date or order.pps_expected_date
        now = fields.Datetime.now()
        self._pps_workflow().write(
            {
                "state": "agreed",
                "previous_date": previous,
                "decided_by_id": self.env.uid,
                "decided_at": now,
            }
        )
        order_bypass = order._pps_bypass()
        order_bypass.write(
            {
                "commitment_date": agreed,
                "pps_expected_date": agreed,
                "pps_scheduled_date": agreed,
            }
        )
        order_bypass._pps_set_production_deadlines(agreed)
        negotiation_bypass = self.sudo().with_context(pps_lock_bypass=PPS_LOCK_BYPASS)
        rescheduled = order_bypass._pps_reschedule_for_agreement(negotiation_bypass)
        change_order = (
            self.env["pps.change.order"]
            .sudo()
            .create(
                {
                    "sale_order_id": order.id,
                    "negotiation_id": self.id,
                    "scenario": self.scenario,
                    "old_date": previous,
                    "new_date": agreed,
                    "reason": self.reason or self.explanation,
                    "production_ids": [(6, 0, rescheduled["productions"].ids)],
                    "purchase_order_ids": [(6, 0, rescheduled["purchase_orders"].ids)],
                    "user_id": self.env.uid,
                    "date": now,
                }
            )
        )
        self._pps_workflow().write({"change_order_id": change_order.id})
        order.sudo()._pps_lock(self.env._("Agreed date of %(name)s.", name=self.name))
        self._pps_notify_customer(change_order)
        self._pps_notify_decision()
        return True

    def action_reject(self, reason=None):
        """Sales rejects the answer; the order keeps its dates, a new round may
        follow."""
        self.ensure_one()
        self._pps_check_decider()
        self._pps_lock_rows()
        self._pps_check_decidable()
        self._pps_workflow().write(
            {
                "state": "rejected",
                "decision_reason": (reason or "").strip() or False,
                "decided_by_id": self.env.uid,
                "decided_at": fields.Datetime.now(),
            }
        )
        self._pps_notify_decision()
        return True

    def action_counter_propose(
        self, expected_date=None, reason=None, scenario=None, serial=None, rush=None
    ):
        """Sales answer a rejected round with another date, in one step.

        Opens a new round on the same order, requested like any other
        (``sale.order.action_pps_request_date``: same rules, same planner
        activity), linked to this one (``previous_round_id``) and noted in
        both chatters. Only the latest round of an open order can be
        countered, once. ``scenario`` defaults to a rush order for a rejected
        rush, else to a customer change when the order is in production, else
        to a new order; ``serial`` and ``rush`` are those of the request.
        Returns the new round.
        """
        self.ensure_one()
        check_role(
            self.env,
            self.env._("Only sales coordinators may counter-propose a date."),
            SALES_GROUP,
        )
        self._pps_lock_rows()
        refusal = self._pps_counter_refusal()
        if refusal:
            raise UserError(refusal)
        order = self.sale_order_id
        counter = order._pps_request_date(
            expected_date,
            scenario=scenario or self._pps_counter_scenario(),
            reason=reason,
            serial=serial,
            rush=rush,
            round_vals={"previous_round_id": self.id},
        )
        self.sudo().message_post(
            body=self.env._(
                "%(user)s counter-proposes %(date)s with %(name)s.",
                user=self.env.user.name,
                date=format_moment(self.env, counter.expected_date),
                name=counter.name,
            )
        )
        return counter

    def action_open_counter_wizard(self):
        """The request dialog, prefilled to counter this rejected round."""
        self.ensure_one()
        check_role(
            self.env,
            self.env._("Only sales coordinators may counter-propose a date."),
            SALES_GROUP,
        )
        refusal = self._pps_counter_refusal()
        if refusal:
            raise UserError(refusal)
        return self.sale_order_id._pps_request_wizard_action(self)

    def _pps_counter_refusal(self):
        """Why this round cannot be countered now (a message), or None."""
        self.ensure_one()
        order = self.sale_order_id.sudo()
        if self.state != "rejected":
            return self.env._(
                "%(name)s is %(state)s: only a rejected round can be answered "
                "with another date.",
                name=self.name,
                state=self._pps_state_label(),
            )
        rounds = order.pps_negotiation_ids.filtered(lambda n: n.state != "cancelled")
        latest = rounds.sorted("id")[-1:]
        if latest.id != self.id:
            return self.env._(
                "%(name)s is not the latest round of %(order)s (%(latest)s is): "
                "counter the latest one.",
                name=self.name,
                order=order.display_name,
                latest=latest.name,
            )
        if order.state == "cancel" or order.pps_progress == "shipped":
            return self.env._(
                "%(order)s is cancelled or delivered: no delivery date can be "
                "negotiated.",
                order=order.display_name,
            )
        return None

    def _pps_counter_scenario(self):
        """A rush stays a rush; otherwise a customer change once the order is
        in production (as the request dialog proposes), else a new order."""
        self.ensure_one()
        if self.scenario == "rush_order":
            return "rush_order"
        if self.sale_order_id.sudo()._pps_in_production():
            return "customer_change"
        return "new_order"

    def action_cancel(self):
        """Withdraw an open round (sales or planners)."""
        check_role(
            self.env,
            self.env._("Only sales coordinators and planners may cancel a round."),
            SALES_GROUP,
            PLANNER_GROUP,
        )
        self._pps_lock_rows()
        for negotiation in self:
            if negotiation.state not in OPEN_NEGOTIATION_STATES:
                raise UserError(
                    self.env._(
                        "%(name)s is %(state)s: only an open round can be cancelled.",
                        name=negotiation.name,
                        state=negotiation._pps_state_label(),
                    )
                )
        self._pps_workflow().write({"state": "cancelled"})
        self.sudo().activity_ids.unlink()
        for negotiation in self:
            negotiation.sudo().message_post(
                body=self.env._("Cancelled by %(user)s.", user=self.env.user.name)
            )
        return True

    def action_open_answer_wizard(self):
        return self._pps_open_wizard("pps.negotiation.answer", self.env._("Answer"))

    def action_open_decide_wizard(self):
        return self._pps_open_wizard("pps.negotiation.decide", self.env._("Decide"))

    def _pps_open_wizard(self, model, name):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {"default_negotiation_id": self.id},
        }

    def _pps_compute_promise(self):
        """Date production can promise for this round (extension point).

        Default: the standard production lead time from now -- the products'
        manufacturing lead time plus days to prepare the MO, plus the company's
        security lead time -- counted in working days of the company calendar,
        and never before the expected date unless the order has the red flag.
        The scheduler add-on overrides it with ``sale.order.pps_quote_delivery_date()``.

        :returns: ``{"date": datetime, "explanation": str, "reasons": str,
            "binding": "lead_time" or "expected", "options": []}`` (the
            scheduler's promise has more keys, and ``binding`` values of its own)
        """
        self.ensure_one()
        order = self.sale_order_id
        now = fields.Datetime.now()
        days = order._pps_standard_lead_days()
        calendar = order.company_id.resource_calendar_id
        date = None
        if calendar and days > 0:
            date = calendar.plan_days(days, now, compute_leaves=True)
            if date:
                date = date.replace(tzinfo=None)
        if not date:
            date = now + timedelta(days=days)
        explanation = self.env._(
            "Standard lead time: %(lead)s (manufacturing lead time, days to "
            "prepare the order and security lead time) from now.",
            lead=format_duration(self.env, days),
        )
        binding = "lead_time"
        if self.expected_date and self.expected_date > date and not order.pps_rush:
            date = self.expected_date
            binding = "expected"
            explanation += " " + self.env._(
                "The expected date %(expected)s can be met.",
                expected=format_moment(self.env, self.expected_date),
            )
        return {
            "date": date,
            "explanation": explanation,
            "reasons": explanation,
            "binding": binding,
            "options": [],
        }

    @api.model
    def _pps_check_future_date(self, value, label):
        if not value:
            raise UserError(self.env._("The %(label)s is required.", label=label))
        try:
            value = fields.Datetime.to_datetime(value)
        except (TypeError, ValueError) as exc:
            raise UserError(
                self.env._(
                    "The %(label)s %(value)s is not a date: give it as "
                    "YYYY-MM-DD HH:MM:SS, in UTC.",
                    label=label,
                    value=repr(value)[:40],
                )
            ) from exc
        if value.tzinfo:
            raise UserError(self.env._("Dates are given in UTC, without a time zone."))
        if value < fields.Datetime.now() - timedelta(minutes=1):
            raise UserError(
                self.env._(
                    "The %(label)s %(date)s is in the past.",
                    label=label,
                    date=format_moment(self.env, value),
                )
            )
        return value

    @api.model
    def _pps_check_rush_rule(
        self, order, expected_date, scheduled_date, postpone=False
    ):
        """Without the red flag, no date before the expected date or the lead time.

        ``postpone`` (internal changes): a date at or after the currently agreed
        date only postpones the order, so the lead-time floor does not apply.
        """
        if order.pps_rush:
            return
        if expected_date and scheduled_date < expected_date:
            raise UserError(
                self.env._(
                    "%(order)s has no red flag: the scheduled date %(date)s cannot be "
                    "earlier than the expected date %(expected)s. Sales must raise "
                    "the red flag (rush order) first.",
                    order=order.display_name,
                    date=format_moment(self.env, scheduled_date),
                    expected=format_moment(self.env, expected_date),
                )
            )
        if postpone and expected_date and scheduled_date >= expected_date:
            return
        minimum = order._pps_minimum_answer_date()
        if scheduled_date < minimum - timedelta(minutes=1):
            raise UserError(
                self.env._(
                    "%(order)s has no red flag: the scheduled date %(date)s is inside "
                    "the standard production lead time (%(lead)s, until "
                    "%(minimum)s). Sales must raise the red flag (rush order) first.",
                    order=order.display_name,
                    date=format_moment(self.env, scheduled_date),
                    lead=format_duration(self.env, order._pps_standard_lead_days()),
                    minimum=format_moment(self.env, minimum),
                )
            )

    @api.model
    def _pps_create_round(self, vals):
        return self.browse(self._pps_workflow().create(vals).ids)

    def _pps_workflow(self):
        return NEGOTIATION.enter(self.sudo())

    def _pps_in_workflow(self):
        return NEGOTIATION.active(self.env)

    def _pps_lock_rows(self):
        """Lock the rounds' rows until commit, then re-read them.

        A second user deciding the same round at the same time fails here
        instead of deciding it twice.
        """
        try:
            self.lock_for_update()
        except LockError as exc:
            raise UserError(
                self.env._(
                    "Someone else is acting on this negotiation right now: reload "
                    "it and try again."
                )
            ) from exc
        self.invalidate_recordset()

    def _pps_check_decider(self):
        check_role(
            self.env,
            self.env._("Only sales coordinators may agree or reject a date."),
            SALES_GROUP,
        )

    def _pps_check_order_open(self):
        order = self.sale_order_id.sudo()
        if order.state == "cancel":
            raise UserError(
                self.env._(
                    "%(order)s was cancelled: %(name)s can no longer be answered "
                    "or decided; cancel the round.",
                    order=self.sale_order_id.display_name,
                    name=self.name,
                )
            )
        if order.pps_progress == "shipped":
            raise UserError(
                self.env._(
                    "%(order)s is delivered: its date can no longer change, so "
                    "%(name)s can no longer be answered or decided; cancel the "
                    "round.",
                    order=self.sale_order_id.display_name,
                    name=self.name,
                )
            )

    def _pps_check_decidable(self):
        self._pps_check_order_open()
        if self.state != "answered":
            raise UserError(
                self.env._(
                    "%(name)s is %(state)s: only an answered round can be agreed "
                    "or rejected.",
                    name=self.name,
                    state=self._pps_state_label(),
                )
            )

    def _pps_state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _pps_planner_to_notify(self):
        """Who gets the planners' activity for a request.

        The responsible of the order's first manufacturing order when that
        person is a planner, else the first active planner of the company --
        a dedicated planner before a Coordination Administrator (who holds
        every role).
        """
        self.ensure_one()
        order = self.sale_order_id
        planner_group = self.env.ref("pps_coordination.group_pps_planner")
        responsible = (
            order._pps_productions()
            .sudo()
            .user_id.filtered(lambda u: planner_group in u.all_group_ids)[:1]
        )
        if responsible:
            return responsible
        planners = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("all_group_ids", "in", planner_group.id),
                    ("company_ids", "in", order.company_id.id),
                    ("share", "=", False),
                ],
                order="id",
            )
        )
        admin_group = self.env.ref("pps_coordination.group_pps_admin")
        dedicated = planners.filtered(lambda u: admin_group not in u.all_group_ids)
        return (dedicated or planners)[:1]

    def _pps_notify_request(self):
        self.ensure_one()
        negotiation = self.sudo()
        planner = self._pps_planner_to_notify()
        body = self.env._(
            "%(user)s requests a delivery date for %(order)s: expected %(date)s "
            "(%(scenario)s). %(reason)s",
            user=self.env.user.name,
            order=self.sale_order_id.display_name,
            date=format_moment(self.env, self.expected_date),
            scenario=dict(SCENARIOS)[self.scenario],
            reason=self.reason or "",
        )
        previous = self.previous_round_id.sudo()
        if previous:
            body += " " + self.env._(
                "Counter-proposal to %(name)s, whose answer %(date)s was "
                "rejected. %(reason)s",
                name=previous.name,
                date=format_moment(self.env, previous.scheduled_date),
                reason=previous.decision_reason or "",
            )
        negotiation.message_post(body=body)
        self.sale_order_id.sudo().message_post(body=body)
        if planner:
            negotiation.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=planner.id,
                summary=self.env._("Answer delivery date request"),
                note=body,
            )

    def _pps_notify_answer(self):
        self.ensure_one()
        negotiation = self.sudo()
        negotiation.activity_ids.action_feedback(
            feedback=self.env._("Answered by %(user)s", user=self.env.user.name)
        )
        body = self.env._(
            "%(user)s answers %(date)s for %(order)s. %(explanation)s",
            user=self.env.user.name,
            date=format_moment(self.env, self.scheduled_date),
            order=self.sale_order_id.display_name,
            explanation=self.explanation or "",
        )
        negotiation.message_post(body=body)
        self.sale_order_id.sudo().message_post(body=body)
        salesperson = self.sale_order_id.user_id
        if salesperson:
            negotiation.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=salesperson.id,
                summary=self.env._("Agree or reject the scheduled date"),
                note=body,
            )

    def _pps_notify_customer(self, change_order):
        """Mail the customer the agreed date, in the order's chatter.

        Part of the agreement, whoever agrees: the order's template
        ``mail_template_pps_date_change`` (about its latest change order,
        ``change_order``) is posted as an email to the customer, from the
        order's salesperson as Odoo's sale confirmation is. Sent when the
        company tells its customers (``pps_notify_customer``) and the customer
        has something to hear: the order's first agreed date (its first change
        order), or a date that differs from the previous one.
        """
        self.ensure_one()
        order = self.sale_order_id.sudo()
        if not order.company_id.pps_notify_customer:
            return
        first = order.pps_change_order_ids == change_order
        if not first and change_order.old_date == change_order.new_date:
            return
        template = self.env.ref(
            "pps_coordination.mail_template_pps_date_change", raise_if_not_found=False
        )
        if not template:
            return
        order.message_post_with_source(
            template,
            email_layout_xmlid="mail.mail_notification_layout_with_responsible_signature",
            subtype_xmlid="mail.mt_comment",
        )

    def _pps_notify_decision(self):
        self.ensure_one()
        negotiation = self.sudo()
        if self.state == "agreed":
            body = self.env._(
                "%(user)s agreed %(date)s for %(order)s; change order %(change)s.",
                user=self.env.user.name,
                date=format_moment(self.env, self.scheduled_date),
                order=self.sale_order_id.display_name,
                change=self.change_order_id.name,
            )
        else:
            body = self.env._(
                "%(user)s rejected %(date)s for %(order)s. %(reason)s",
                user=self.env.user.name,
                date=format_moment(self.env, self.scheduled_date),
                order=self.sale_order_id.display_name,
                reason=self.decision_reason or "",
            )
        negotiation.activity_ids.action_feedback(feedback=body)
        negotiation.message_post(body=body)
        self.sale_order_id.sudo().message_post(body=body)
