from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, LockError, UserError, ValidationError

from ..const import OPEN_NEGOTIATION_STATES
from .pps_lock_mixin import PPS_LOCK_BYPASS, PPS_LOCK_EXECUTION, strip_sentinels


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
        return super().create(vals_list)

    def write(self, vals):
        if "pps_rush" in vals or "pps_serial" in vals:
            self._pps_check_flag_rights()
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
        self, expected_date=None, scenario="new_order", reason=None, serial=None
    ):
        """Sales asks production for a delivery date; returns the new round.

        ``rush_order`` raises the red flag and sets ``serial`` (when given);
        ``customer_change`` needs an order already in production.
        ``internal_change`` rounds come from planners through
        :meth:`action_pps_propose_date`.
        """
        self.ensure_one()
        if not self.env.user.has_group("pps_coordination.group_pps_sales"):
            raise AccessError(
                self.env._("Only sales coordinators may request a delivery date.")
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
            flags = {"pps_rush": True}
            if serial is not None:
                flags["pps_serial"] = serial
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
        if not self.env.user.has_group("pps_coordination.group_pps_planner"):
            raise AccessError(
                self.env._("Only production planners may propose a new date.")
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
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Request a Delivery Date"),
            "res_model": "pps.negotiation.request",
            "view_mode": "form",
            "target": "new",
            "context": {"default_sale_order_id": self.id},
        }

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
        if self.env.su or self.env.user.has_group("pps_coordination.group_pps_sales"):
            return
        raise AccessError(
            self.env._("Only sales coordinators may set the red flag or the serial.")
        )

    def _pps_check_can_negotiate(self):
        """Refuse a new round on a cancelled order or one with an open round.

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
