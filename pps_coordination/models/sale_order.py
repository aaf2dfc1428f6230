"""Sale orders: negotiation, flags, serials, the execution lock, and progress.

Progress tracking of sale orders: status, overdue flag, audits and KPI helpers.

Progress tracking only *reads* what negotiation, manufacturing and logistics
write (the agreed date, the MOs, the deliveries), and it must keep working
whatever the negotiation flow becomes: its methods call none of the
negotiation's.

What it adds
------------
``pps_progress`` (stored)
    ``cancelled``   the order is cancelled;
    ``shipped``     every goods line is delivered (delivered qty >= ordered qty);
    ``completed``   not shipped, but the goods are made: every manufacturing order
                    of the order is done, or the goods still to ship are all
                    reserved at the first open step of the delivery (see
                    ``_pps_goods_ready``);
    ``in_progress`` an MO is in progress / to close / done (a started work order
                    puts its MO in progress), or the order is partially shipped;
    ``not_started`` otherwise (quotations are always ``not_started``).
``pps_delivery_date`` (stored)
    the date the order is due: the agreed date (``commitment_date``), else the
    expected date (``pps_expected_date`` when the negotiation add-on part defines
    it), else Odoo's ``expected_date``.
``pps_overdue`` (stored)
    a confirmed order whose delivery day has passed (delivery date before today
    00:00 UTC: an order due today is not late yet, as a shipment today is on
    time) and which is neither shipped nor cancelled. It depends on the clock:
    the ORM recomputes it when the order changes, and the daily cron
    ``pps_coordination.ir_cron_pps_progress`` recomputes it for all open orders
    as time passes (see ``_cron_pps_progress``).

``pps_projected_late`` (stored)
    an open order (confirmed, not shipped) whose scheduled delivery date
    (``pps_scheduled_date``, what the plan can meet) falls on a later day than
    its agreed date (``commitment_date``): the plan does not keep the promise.
    Days are UTC calendar days, as in the delivery KPIs (a shipment on the
    agreed day is on time). It depends on no clock, only on the two dates.

The four audits of the weekly meeting (``PPS_AUDITS``) are defined once, in
``_pps_audit_domain()``; the search filters ``pps_filter_<audit>``, the shared
favourites, the menus, the report and the tests use that same definition.

"Closed" means cancelled or fully shipped: an open (not closed) order is a
confirmed order (``state = 'sale'``) whose progress is not ``shipped``.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import LockError, UserError, ValidationError
from odoo.tools import float_compare

from ..const import OPEN_NEGOTIATION_STATES
from ..guards import SALES_GROUP, check_planner, check_role
from .pps_lock_mixin import PPS_LOCK_BYPASS, PPS_LOCK_EXECUTION, strip_sentinels

_logger = logging.getLogger(__name__)

PPS_PROGRESS = [
    ("not_started", "Not Started"),
    ("in_progress", "In Progress"),
    ("completed", "Completed"),
    ("shipped", "Shipped"),
    ("cancelled", "Cancelled"),
]
PPS_AUDITS = ("wip", "made_not_shipped", "late", "projected_late")
OPEN_PROGRESS = ("not_started", "in_progress", "completed")
PPS_COMPUTED_FIELDS = {
    "pps_progress",
    "pps_delivery_date",
    "pps_overdue",
    "pps_projected_late",
}


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "pps.lock.mixin"]

    _pps_lock_protected_fields = (
        "commitment_date",
        "pps_expected_date",
        "date_order",
        "order_line",
        "partner_id",
        "partner_shipping_id",
        "pps_rush",
        "pps_serial",
    )

    pps_expected_date = fields.Datetime(
        string="Expected Delivery",
        tracking=True,
        copy=False,
        help="The delivery date sales asks for on behalf of the customer.",
    )
    pps_scheduled_date = fields.Datetime(
        string="Scheduled Delivery",
        tracking=True,
        copy=False,
        help="The delivery date production can meet according to the schedule.",
    )
    pps_rush = fields.Boolean(
        string="Red Flag",
        tracking=True,
        copy=False,
        help="Rush order: production may answer a date before the expected date "
        "or inside the standard production lead time.",
    )
    pps_serial = fields.Integer(
        string="Serial",
        tracking=True,
        copy=False,
        help="Priority number set by sales; lower is dispatched first.",
    )
    pps_negotiation_ids = fields.One2many(
        "pps.negotiation", "sale_order_id", string="Negotiation Rounds"
    )
    pps_change_order_ids = fields.One2many(
        "pps.change.order", "sale_order_id", string="Change Orders"
    )
    pps_negotiation_state = fields.Selection(
        [
            ("none", "No Negotiation"),
            ("requested", "Waiting for Answer"),
            ("answered", "Waiting for Decision"),
            ("agreed", "Agreed"),
            ("rejected", "Rejected"),
        ],
        string="Negotiation",
        compute="_compute_pps_negotiation_state",
        store=True,
        default="none",
        help="State of the latest negotiation round (cancelled rounds ignored).",
    )
    pps_change_order_count = fields.Integer(
        compute="_compute_pps_change_order_count", compute_sudo=True
    )
    pps_production_count = fields.Integer(
        string="Manufacturing Orders", compute="_compute_pps_production_count"
    )

    @api.depends("pps_negotiation_ids.state")
    def _compute_pps_negotiation_state(self):
        for order in self:
            rounds = order.pps_negotiation_ids.filtered(
                lambda n: n.state != "cancelled"
            )
            latest = rounds.sorted("id")[-1:]
            order.pps_negotiation_state = latest.state or "none"

    @api.depends("pps_change_order_ids")
    def _compute_pps_change_order_count(self):
        for order in self:
            order.pps_change_order_count = len(order.pps_change_order_ids)

    def _compute_pps_production_count(self):
        ids = [order.id for order in self if isinstance(order.id, int)]
        counts = {}
        if ids:  # one grouped count for the whole list, not a search per order
            groups = (
                self.env["mrp.production"]
                .sudo()
                ._read_group(
                    [("pps_sale_order_id", "in", ids)],
                    ["pps_sale_order_id"],
                    ["__count"],
                )
            )
            counts = {order.id: count for order, count in groups}
        for order in self:
            order.pps_production_count = counts.get(order.id, 0)

    @api.constrains("pps_serial")
    def _check_pps_serial(self):
        for order in self:
            if order.pps_serial < 0:
                raise ValidationError(self.env._("The serial cannot be negative."))

    @api.model_create_multi
    def create(self, vals_list):
        if any("pps_rush" in vals or "pps_serial" in vals for vals in vals_list):
            self._pps_check_flag_rights()
        if any(PPS_COMPUTED_FIELDS.intersection(vals) for vals in vals_list):
            self._pps_refuse_progress_write()
        return super().create(vals_list)

    def write(self, vals):
        if "pps_rush" in vals or "pps_serial" in vals:
            self._pps_check_flag_rights()
        if PPS_COMPUTED_FIELDS.intersection(vals):
            self._pps_refuse_progress_write()
        return super().write(vals)

    def action_confirm(self):
        """Confirming is execution: allowed on a locked quotation, whose new
        manufacturing orders inherit the lock."""
        res = super(
            SaleOrder, self.with_context(pps_lock_execution=PPS_LOCK_EXECUTION)
        ).action_confirm()
        locked = self.filtered("pps_locked")
        productions = locked._pps_productions().filtered(
            lambda p: not p.pps_locked and p.state not in ("done", "cancel")
        )
        if productions:
            productions.sudo()._pps_lock(
                self.env._("Sale order confirmed under the lock.")
            )
        return strip_sentinels(res)

    def _action_cancel(self):
        """Refuse to cancel a locked order; a cancelled order leaves no lock.

        Every cancel of Odoo 19 ends here: the Cancel button
        (``action_cancel``), the mass cancel wizard and the portal's decline.
        A locked order is agreed content: cancelling it would leave its
        manufacturing orders confirmed, locked and holding capacity. Once the
        order is unlocked (its MOs with it) it cancels as usual; Odoo leaves
        its MOs open, with an activity for their responsible, and any of them
        still locked on its own is unlocked here (logged).
        """
        locked = self.filtered("pps_locked")
        if locked and not self._pps_lock_bypassed():
            raise UserError(
                self.env._(
                    "%(orders)s is under the execution lock and cannot be "
                    "cancelled. Ask a member of the unlock group to unlock it "
                    "with a reason first, or agree the change with production "
                    "through a negotiation.",
                    orders=", ".join(locked.mapped("display_name")),
                )
            )
        result = super()._action_cancel()
        for order in self:
            productions = order._pps_productions().filtered(
                lambda p: p.pps_locked and p.state not in ("done", "cancel")
            )
            if productions:
                productions.sudo()._pps_unlock(
                    self.env._(
                        "Sale order %(order)s cancelled.", order=order.display_name
                    )
                )
        return result

    def _pps_lock_changed_fields(self, vals):
        """Leave ``order_line`` to the lines' own guards.

        A form save sends line commands in ``order_line``; each lands in the
        line's ``create``/``write``/``unlink``, which refuse only changes of
        agreed content (product lines, their product and quantity) and let
        down payments, delivery fees, sections and notes through.
        """
        if "order_line" in vals:
            vals = {
                fname: value for fname, value in vals.items() if fname != "order_line"
            }
        return super()._pps_lock_changed_fields(vals)

    def action_pps_request_date(
        self,
        expected_date=None,
        scenario="new_order",
        reason=None,
        serial=None,
        rush=None,
    ):
        """Sales asks production for a delivery date; returns the new round.

        ``rush_order`` raises the red flag and sets ``serial`` (when given);
        ``customer_change`` needs an order already in production. ``rush``
        (True/False, None: leave the flag as it is) sets the red flag of the
        order with the request, whatever the scenario -- a customer change
        may be a rush too -- with ``serial`` when raised; a rush order cannot
        lower it. The flag is agreed content: on a locked order it cannot
        change.
        ``internal_change`` rounds come from planners through
        :meth:`action_pps_propose_date`. After a rejection,
        ``pps.negotiation.action_counter_propose`` requests through here too.
        """
        return self._pps_request_date(
            expected_date, scenario=scenario, reason=reason, serial=serial, rush=rush
        )

    def _pps_request_date(
        self,
        expected_date=None,
        scenario="new_order",
        reason=None,
        serial=None,
        rush=None,
        round_vals=None,
    ):
        """:meth:`action_pps_request_date`; ``round_vals`` are written on the
        new round (the link of a counter-proposal)."""
        self.ensure_one()
        check_role(
            self.env,
            self.env._("Only sales coordinators may request a delivery date."),
            SALES_GROUP,
        )
        # The request changes the order (expected date, flag, serial): the
        # requester must be allowed to edit it under the standard sales rules.
        self.check_access("write")
        negotiation_model = self.env["pps.negotiation"]
        scenarios = dict(negotiation_model._fields["scenario"].selection)
        if not isinstance(scenario, str) or scenario not in scenarios:
            raise UserError(
                self.env._(
                    "Unknown scenario %(scenario)s: use one of %(scenarios)s.",
                    scenario=scenario,
                    scenarios=", ".join(scenarios),
                )
            )
        if scenario == "internal_change":
            raise UserError(
                self.env._(
                    "Internal changes are proposed by production planners "
                    "(Propose a Date), not requested by sales."
                )
            )
        expected_date = negotiation_model._pps_check_future_date(
            expected_date, self.env._("expected date")
        )
        self._pps_check_can_negotiate()
        if scenario == "customer_change" and not self._pps_in_production():
            raise UserError(
                self.env._(
                    "A customer change applies to an order already in production: "
                    "%(order)s is not confirmed with manufacturing orders. Use a "
                    "new order request instead.",
                    order=self.display_name,
                )
            )
        if scenario == "rush_order":
            if rush is not None and not rush:
                raise UserError(
                    self.env._(
                        "A rush order raises the red flag: keep it raised, or "
                        "choose another scenario."
                    )
                )
            rush = True
        if rush is not None:
            flags = {}
            if bool(rush) != self.pps_rush:
                flags["pps_rush"] = bool(rush)
            if rush and serial is not None and serial != self.pps_serial:
                flags["pps_serial"] = serial
            if flags:
                self.write(flags)
        if not self.pps_locked:
            self.write({"pps_expected_date": expected_date})
        negotiation = negotiation_model._pps_create_round(
            {
                "sale_order_id": self.id,
                "scenario": scenario,
                "expected_date": expected_date,
                "reason": reason,
                "state": "requested",
                "requested_by_id": self.env.uid,
                "requested_at": fields.Datetime.now(),
                **(round_vals or {}),
            }
        )
        negotiation._pps_notify_request()
        return negotiation

    def action_pps_propose_date(
        self, scheduled_date=None, reason=None, abnormality=None
    ):
        """A planner proposes a new scheduled date (``internal_change``).

        The round starts answered: production has spoken, sales decides.
        """
        self.ensure_one()
        check_planner(
            self.env, self.env._("Only production planners may propose a new date.")
        )
        if not (reason or "").strip():
            raise UserError(self.env._("An internal change needs a reason."))
        negotiation_model = self.env["pps.negotiation"]
        scheduled_date = negotiation_model._pps_check_future_date(
            scheduled_date, self.env._("scheduled date")
        )
        self._pps_check_can_negotiate()
        expected_date = self.commitment_date or self.pps_expected_date or scheduled_date
        negotiation_model._pps_check_rush_rule(
            self, expected_date, scheduled_date, postpone=True
        )
        now = fields.Datetime.now()
        negotiation = negotiation_model._pps_create_round(
            {
                "sale_order_id": self.id,
                "scenario": "internal_change",
                "expected_date": expected_date,
                "scheduled_date": scheduled_date,
                "reason": reason.strip(),
                "explanation": reason.strip(),
                "abnormality_id": abnormality.id if abnormality else False,
                "state": "answered",
                "requested_by_id": self.env.uid,
                "requested_at": now,
                "answered_by_id": self.env.uid,
                "answered_at": now,
            }
        )
        self.sudo().pps_scheduled_date = scheduled_date
        negotiation._pps_notify_answer()
        return negotiation

    def action_pps_open_request_wizard(self):
        """The request dialog; after a rejection, prefilled to counter the
        rejected round (the new round is linked to it)."""
        self.ensure_one()
        rounds = self.pps_negotiation_ids.filtered(lambda n: n.state != "cancelled")
        latest = rounds.sorted("id")[-1:]
        if latest.state == "rejected" and not latest._pps_counter_refusal():
            return self._pps_request_wizard_action(latest)
        return self._pps_request_wizard_action()

    def _pps_request_wizard_action(self, rejected=None):
        self.ensure_one()
        context = {"default_sale_order_id": self.id}
        name = self.env._("Request a Delivery Date")
        if rejected:
            context["default_previous_round_id"] = rejected.id
            name = self.env._("Counter-Propose a Delivery Date")
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "pps.negotiation.request",
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    def action_pps_open_decide_wizard(self):
        """Sales: agree or reject production's answer from the order itself
        (the decision dialog of its answered round)."""
        self.ensure_one()
        answered = self.pps_negotiation_ids.filtered(lambda n: n.state == "answered")
        if not answered:
            raise UserError(
                self.env._(
                    "%(order)s has no answered date to decide on.",
                    order=self.display_name,
                )
            )
        return answered.sorted("id")[-1].action_open_decide_wizard()

    def action_pps_open_propose_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Propose a New Date"),
            "res_model": "pps.negotiation.request",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_sale_order_id": self.id,
                "default_scenario": "internal_change",
            },
        }

    def action_pps_open_unlock_wizard(self):
        return self.env["pps.unlock.wizard"]._pps_open_for(self)

    def action_pps_view_change_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pps_coordination.pps_change_order_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {"default_sale_order_id": self.id}
        return action

    def action_pps_send_date_change(self):
        """Open the mail composer on the order with the delivery date template
        (its latest change order), for sales who review the mail first."""
        self.ensure_one()
        check_role(
            self.env,
            self.env._(
                "Only sales coordinators may send a delivery date to the customer."
            ),
            SALES_GROUP,
        )
        if not self.pps_change_order_ids:
            raise UserError(
                self.env._(
                    "%(order)s has no agreed delivery date to send yet.",
                    order=self.display_name,
                )
            )
        template = self.env.ref(
            "pps_coordination.mail_template_pps_date_change", raise_if_not_found=False
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Delivery Date"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "sale.order",
                "default_res_ids": self.ids,
                "default_composition_mode": "comment",
                "default_template_id": template.id if template else False,
                "default_email_layout_xmlid": (
                    "mail.mail_notification_layout_with_responsible_signature"
                ),
                "email_notification_allow_footer": True,
                "force_email": True,
            },
        }

    def action_pps_view_productions(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Manufacturing Orders"),
            "res_model": "mrp.production",
            "view_mode": "list,form",
            "domain": [("pps_sale_order_id", "=", self.id)],
        }

    def _pps_check_flag_rights(self):
        check_role(
            self.env,
            self.env._("Only sales coordinators may set the red flag or the serial."),
            SALES_GROUP,
        )

    def _pps_check_can_negotiate(self):
        """Refuse a new round on a cancelled or delivered order, or on one with
        an open round.

        The order's row is locked first, so that two users opening a round at
        the same moment cannot both pass the check.
        """
        self.ensure_one()
        try:
            self.lock_for_update()
        except LockError as exc:
            raise UserError(
                self.env._(
                    "Someone else is changing %(order)s right now: reload it and "
                    "try again.",
                    order=self.display_name,
                )
            ) from exc
        self.invalidate_recordset(["pps_negotiation_ids"])
        if self.state == "cancel":
            raise UserError(
                self.env._(
                    "%(order)s is cancelled: no delivery date can be negotiated.",
                    order=self.display_name,
                )
            )
        if self.sudo().pps_progress == "shipped":
            raise UserError(
                self.env._(
                    "%(order)s is delivered: no delivery date can be negotiated.",
                    order=self.display_name,
                )
            )
        if any(n.state in OPEN_NEGOTIATION_STATES for n in self.pps_negotiation_ids):
            raise UserError(
                self.env._(
                    "%(order)s already has an open negotiation round: answer, "
                    "decide or cancel it first.",
                    order=self.display_name,
                )
            )

    def _pps_in_production(self):
        self.ensure_one()
        return self.state == "sale" and bool(
            self._pps_productions().filtered(lambda p: p.state != "cancel")
        )

    def _pps_productions(self):
        """Manufacturing orders behind the orders, sub-assemblies included."""
        if not self.ids:
            return self.env["mrp.production"]
        return (
            self.env["mrp.production"]
            .sudo()
            .search([("pps_sale_order_id", "in", self.ids)])
            .with_env(self.env)
        )

    def _pps_standard_lead_days(self):
        """Standard production lead time of the order, in days.

        Max over the order's manufactured products of the BoM's manufacturing
        lead time plus days to prepare the MO, plus the company's security lead
        time (``security_lead``, sale_stock).
        """
        self.ensure_one()
        products = self.order_line.product_id
        boms = (
            self.env["mrp.bom"]
            .sudo()
            ._bom_find(products, company_id=self.company_id.id, bom_type="normal")
        )
        manufacturing = max(
            (
                bom.produce_delay + bom.days_to_prepare_mo
                for bom in boms.values()
                if bom
            ),
            default=0,
        )
        return manufacturing + (self.company_id.security_lead or 0.0)

    def _pps_reschedule_for_agreement(self, negotiation):
        """Move what stands behind the order to the agreed date (extension point).

        Called inside the agreement transaction, with the lock bypass in the
        context and the order's dates already set to the agreed date. This
        default shifts, by the delta between ``negotiation.previous_date`` and
        ``negotiation.scheduled_date``, the planned dates of the order's open
        manufacturing orders, of their planned work orders (unplanned ones are
        left alone) and of the purchase order lines supplying their components.
        The scheduler add-on overrides it to re-plan instead.

        :returns: ``{"productions": mrp.production, "purchase_orders":
            purchase.order}`` -- what was rescheduled, for the change order.
        """
        self.ensure_one()
        productions = self.env["mrp.production"]
        purchase_orders = self.env["purchase.order"]
        old, new = negotiation.previous_date, negotiation.scheduled_date
        if not old or not new or old == new:
            return {"productions": productions, "purchase_orders": purchase_orders}
        delta = new - old
        productions = (
            self._pps_productions()
            .sudo()
            .filtered(lambda p: p.state not in ("done", "cancel"))
        )
        for production in productions:
            production._pps_shift_dates(delta)
        lines = productions._pps_supplying_purchase_lines()
        for line in lines:
            line.date_planned = line.date_planned + delta
        purchase_orders = lines.order_id
        return {"productions": productions, "purchase_orders": purchase_orders}

    def _pps_set_production_deadlines(self, delivery_date):
        """The agreed delivery date becomes the deadline of the order's open
        MOs (sub-assemblies included): the delivery date less the security
        lead time. Runs with the caller's context (the lock bypass on
        agreement: the deadline is agreed content of a locked MO)."""
        self.ensure_one()
        productions = self._pps_productions().filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        if not productions or not delivery_date:
            return
        deadline = delivery_date - timedelta(days=self.company_id.security_lead or 0.0)
        productions.with_env(self.env).filtered(
            lambda p: p.date_deadline != deadline
        ).write({"date_deadline": deadline})

    def _pps_lock(self, reason=None):
        result = super()._pps_lock(reason)
        productions = self._pps_productions().filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        if productions:
            productions.sudo()._pps_lock(
                reason or self.env._("Locked with its sale order.")
            )
        return result

    def _pps_unlock(self, reason):
        result = super()._pps_unlock(reason)
        productions = self._pps_productions().filtered("pps_locked")
        if productions:
            productions.sudo()._pps_unlock(reason)
        return result

    def _pps_bypass(self):
        """The order as superuser with the lock bypass (agreement only)."""
        return self.sudo().with_context(pps_lock_bypass=PPS_LOCK_BYPASS)

    def _pps_minimum_answer_date(self, now=None):
        self.ensure_one()
        now = now or fields.Datetime.now()
        return now + timedelta(days=self._pps_standard_lead_days())

    # ------------------------------------------------------------------
    # Progress tracking (reads what negotiation, manufacturing and logistics
    # write; see the module docstring)
    # ------------------------------------------------------------------
    pps_progress = fields.Selection(
        PPS_PROGRESS,
        string="Progress",
        compute="_compute_pps_progress",
        store=True,
        index=True,
        default="not_started",
        tracking=True,
        help="Where the order stands, from its manufacturing orders and deliveries.",
    )
    pps_delivery_date = fields.Datetime(
        string="Due Date",
        compute="_compute_pps_delivery_date",
        store=True,
        index=True,
        help="Agreed date if set, else the expected date: the date the order is due.",
    )
    pps_overdue = fields.Boolean(
        string="Overdue",
        compute="_compute_pps_overdue",
        store=True,
        index=True,
        help="The delivery day has passed and the order has not shipped. "
        "Recomputed when the order changes and every day by a scheduled action.",
    )
    pps_projected_late = fields.Boolean(
        string="Projected Late",
        compute="_compute_pps_projected_late",
        store=True,
        index=True,
        help="The order is open and its scheduled delivery date falls on a later "
        "day than its agreed date: the plan does not meet the promise.",
    )

    @api.depends(
        "state",
        "order_line.qty_delivered",
        "order_line.product_uom_qty",
        "picking_ids.state",
        "picking_ids.move_ids.state",
        "stock_reference_ids.production_ids.state",
    )
    def _compute_pps_progress(self):
        productions = self._pps_progress_productions_by_order()
        for order in self:
            order.pps_progress = order._pps_get_progress(productions[order.id])

    @api.depends("commitment_date", "pps_expected_date", "expected_date")
    def _compute_pps_delivery_date(self):
        for order in self:
            order.pps_delivery_date = (
                order.commitment_date or order.pps_expected_date or order.expected_date
            )

    @api.depends("state", "pps_progress", "pps_delivery_date")
    def _compute_pps_overdue(self):
        today = fields.Datetime.to_datetime(fields.Date.today())
        for order in self:
            order.pps_overdue = bool(
                order.state == "sale"
                and order.pps_progress in OPEN_PROGRESS
                and order.pps_delivery_date
                and order.pps_delivery_date < today
            )

    @api.depends("state", "pps_progress", "commitment_date", "pps_scheduled_date")
    def _compute_pps_projected_late(self):
        for order in self:
            order.pps_projected_late = bool(
                order.state == "sale"
                and order.pps_progress in OPEN_PROGRESS
                and order.commitment_date
                and order.pps_scheduled_date
                and order.pps_scheduled_date.date() > order.commitment_date.date()
            )

    # ------------------------------------------------------------------
    # Progress
    # ------------------------------------------------------------------

    def _pps_progress_productions(self):
        """Manufacturing orders of the order, sub-assemblies included (a started
        sub-assembly is work in progress), cancelled ones excluded."""
        self.ensure_one()
        return self._pps_progress_productions_by_order()[self.id]

    def _pps_progress_productions_by_order(self):
        """{order id: its MOs} for all of ``self`` with one search.

        Reads through ``stock_reference_ids`` like sale_mrp's
        ``mrp_production_ids`` (without its group restriction), and adds MOs
        linked by their origin sale line or by ``pps_sale_order_id``.
        """
        orders = self.sudo()
        found = {order.id: order.stock_reference_ids.production_ids for order in orders}
        Production = self.env["mrp.production"].sudo()
        ids = [order.id for order in orders if isinstance(order.id, int)]
        if ids:
            order_of_line = {
                line.id: line.order_id.id
                for line in orders.order_line
                if isinstance(line.id, int)
            }
            linked = "pps_sale_order_id" in Production._fields
            links = [("sale_line_id", "in", list(order_of_line))]
            if linked:
                links = ["|", ("pps_sale_order_id", "in", ids), *links]
            for production in Production.search(links):
                owners = {order_of_line.get(production.sale_line_id.id)}
                if linked:
                    owners.add(production.pps_sale_order_id.id)
                for owner in owners & found.keys():
                    found[owner] |= production
        return {
            order_id: productions.filtered(lambda mo: mo.state != "cancel")
            for order_id, productions in found.items()
        }

    def _pps_goods_lines(self):
        self.ensure_one()
        return self.order_line.filtered(
            lambda line: not line.display_type and line.product_id.type == "consu"
        )

    def _pps_get_progress(self, productions=None):
        """The progress status of one order (see the module docstring).

        :param productions: its MOs when the caller read them for many orders
        """
        self.ensure_one()
        order = self.sudo()
        if order.state == "cancel":
            return "cancelled"
        if order.state != "sale":
            return "not_started"
        lines = order._pps_goods_lines()
        delivered = [
            float_compare(
                line.qty_delivered,
                line.product_uom_qty,
                precision_rounding=line.product_uom_id.rounding or 0.01,
            )
            >= 0
            for line in lines
        ]
        if lines and all(delivered):
            return "shipped"
        if productions is None:
            productions = order._pps_progress_productions()
        if productions and all(mo.state == "done" for mo in productions):
            return "completed"
        if order._pps_goods_ready():
            return "completed"
        deliveries = order.picking_ids.filtered(
            lambda p: p.location_dest_id.usage == "customer"
        )
        partially_shipped = any(line.qty_delivered > 0 for line in lines) or any(
            p.state == "done" for p in deliveries
        )
        started = any(
            mo.state in ("progress", "to_close", "done") for mo in productions
        )
        if started or partially_shipped:
            return "in_progress"
        return "not_started"

    def _pps_goods_ready(self):
        """The goods still to ship are all reserved at the first open step of
        the delivery route (the delivery itself in one step, the pick in
        pick-ship): steps waiting for another operation are skipped, and every
        remaining move must be fully reserved (``assigned``)."""
        self.ensure_one()
        first_steps = self.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel", "waiting")
        )
        moves = first_steps.move_ids.filtered(
            lambda m: m.state not in ("done", "cancel")
        )
        return bool(moves) and all(move.state == "assigned" for move in moves)

    def _pps_refuse_progress_write(self):
        """Progress, due date, overdue and projected-late flags are facts
        computed from the order's MOs, deliveries and dates: nobody sets them
        by hand (not even through RPC); only the superuser may, e.g. to repair
        data."""
        if not self.env.su:
            raise UserError(
                self.env._(
                    "Progress, due date, overdue and projected-late flags are "
                    "computed from the manufacturing orders, deliveries and "
                    "dates; they cannot be set by hand."
                )
            )

    def _pps_recompute_progress(self):
        """Mark progress (and so overdue and projected late) for
        recomputation, e.g. from MO changes that the ORM dependencies do not
        see (an MO linked only by its sale line)."""
        orders = self.exists()
        if orders:
            self.env.add_to_compute(self._fields["pps_progress"], orders)
            self.env.add_to_compute(self._fields["pps_overdue"], orders)
            self.env.add_to_compute(self._fields["pps_projected_late"], orders)

    # ------------------------------------------------------------------
    # Audits
    # ------------------------------------------------------------------

    @api.model
    def _pps_audit_domain(self, audit, date_from=None, date_to=None):
        """Domain of one audit of the weekly meeting, shared by the search
        filters, menus, report, dashboard and tests.

        :param audit: ``wip`` (work in progress), ``made_not_shipped``
            (completed, not closed), ``late`` (overdue and not closed,
            whatever its progress: late orders not yet started are late too)
            or ``projected_late`` (not closed, and scheduled on a later day
            than agreed: late according to the plan, overdue or not yet).
        :param date_from: optional lower bound (inclusive) on the delivery date.
        :param date_to: optional upper bound (exclusive) on the delivery date.
        """
        if audit == "wip":
            domain = [("state", "=", "sale"), ("pps_progress", "=", "in_progress")]
        elif audit == "made_not_shipped":
            domain = [("state", "=", "sale"), ("pps_progress", "=", "completed")]
        elif audit == "late":
            domain = [
                ("state", "=", "sale"),
                ("pps_overdue", "=", True),
                ("pps_progress", "in", list(OPEN_PROGRESS)),
            ]
        elif audit == "projected_late":
            domain = [
                ("state", "=", "sale"),
                ("pps_projected_late", "=", True),
                ("pps_progress", "in", list(OPEN_PROGRESS)),
            ]
        else:
            raise ValueError(f"Unknown audit {audit!r}, expected one of {PPS_AUDITS}")
        if date_from:
            domain.append(
                ("pps_delivery_date", ">=", fields.Datetime.to_datetime(date_from))
            )
        if date_to:
            domain.append(
                ("pps_delivery_date", "<", fields.Datetime.to_datetime(date_to))
            )
        return domain

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_pps_progress(self):
        """Daily: refresh ``pps_overdue`` of open orders (it depends on the
        clock), then schedule one To-Do for the salesperson of every order that
        is overdue or whose scheduled date has moved past its agreed date.

        Returns the number of activities created.
        """
        orders = self.search(
            [("state", "=", "sale"), ("pps_progress", "in", list(OPEN_PROGRESS))]
        )
        self.env.add_to_compute(self._fields["pps_overdue"], orders)
        orders._recompute_recordset(["pps_overdue"])
        _logger.info("pps progress: overdue refreshed on %s open orders", len(orders))
        flagged = orders.filtered(lambda o: o.pps_overdue or o.pps_projected_late)
        created = flagged._pps_schedule_overdue_activity()
        _logger.info(
            "pps progress: %s activities created for %s flagged orders",
            created,
            len(flagged),
        )
        return created

    def _pps_schedule_overdue_activity(self):
        """Schedule the overdue To-Do on orders that have no open one yet.

        One open activity of type ``mail_activity_type_pps_overdue`` per order:
        while the salesperson has not closed it, the cron does not add another.
        Returns the number of activities created.
        """
        activity_type = self.env.ref(
            "pps_coordination.mail_activity_type_pps_overdue", raise_if_not_found=False
        )
        if not activity_type:
            return 0
        existing = self.env["mail.activity"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("activity_type_id", "=", activity_type.id),
            ]
        )
        done_ids = set(existing.mapped("res_id"))
        today = fields.Date.context_today(self)
        created = 0
        for order in self:
            if order.id in done_ids:
                continue
            if order.pps_overdue:
                summary = self.env._("Overdue: the delivery date has passed")
                note = self.env._(
                    "%(order)s was due on %(date)s and has not shipped.",
                    order=order.name,
                    date=fields.Date.to_string(order.pps_delivery_date),
                )
            else:
                summary = self.env._("Scheduled after the agreed date")
                note = self.env._(
                    "%(order)s is scheduled on %(scheduled)s, "
                    "after its agreed date %(agreed)s.",
                    order=order.name,
                    scheduled=fields.Date.to_string(order.pps_scheduled_date),
                    agreed=fields.Date.to_string(order.commitment_date),
                )
            order.activity_schedule(
                "pps_coordination.mail_activity_type_pps_overdue",
                date_deadline=today,
                summary=summary,
                note=note,
                user_id=(order.user_id or self.env.user).id,
            )
            created += 1
        return created
