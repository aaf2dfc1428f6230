from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..guards import check_planner
from .pps_lock_mixin import (
    PPS_LOCK_BYPASS,
    PPS_LOCK_EXECUTION,
    strip_sentinels,
)

#: MO fields whose change may change the progress of its sale orders. The ORM
#: recomputes it through stock references; MOs linked to an order only by
#: their sale line or pps_sale_order_id need this push.
PROGRESS_TRIGGERS = {
    "state",
    "date_start",
    "date_finished",
    "qty_producing",
    "sale_line_id",
    "reference_ids",
    "pps_sale_order_id",
}
#: The pin's own fields: set only by the Pin and Unpin actions.
PIN_FIELDS = ("pps_plan_pinned", "pps_plan_pinned_by_id", "pps_plan_pinned_at")


class MrpProduction(models.Model):
    _name = "mrp.production"
    _inherit = ["mrp.production", "pps.lock.mixin"]

    #: The agreed content of a locked MO: what it makes, how many, by when, by
    #: which BoM and routing. The plan (work order dates, work centers, the
    #: MO's start and finish) is not in it: the scheduler keeps re-planning a
    #: locked MO; pinning its plan (``pps_plan_pinned``) is what keeps it put.
    _pps_lock_protected_fields = (
        "date_deadline",
        "product_qty",
        "product_id",
        "bom_id",
        "workorder_ids",
    )

    pps_sale_order_id = fields.Many2one(
        "sale.order",
        string="Sale Order",
        compute="_compute_pps_sale_order_id",
        store=True,
        recursive=True,
        index=True,
        help="The sale order this manufacturing order serves, directly or "
        "through its parent manufacturing order.",
    )
    pps_rush = fields.Boolean(
        string="Red Flag", related="pps_sale_order_id.pps_rush", store=True
    )
    pps_serial = fields.Integer(
        string="Serial", related="pps_sale_order_id.pps_serial", store=True
    )
    pps_plan_pinned = fields.Boolean(
        string="Plan Pinned",
        readonly=True,
        copy=False,
        tracking=True,
        help="A planner pinned this order's work-order plan: schedule runs keep "
        "its planned work orders where they are. The execution lock does not "
        "do this; it protects the agreed quantity, product and deadline.",
    )
    pps_plan_pinned_by_id = fields.Many2one(
        "res.users", string="Pinned By", readonly=True, copy=False
    )
    pps_plan_pinned_at = fields.Datetime(string="Pinned On", readonly=True, copy=False)

    @api.depends(
        "sale_line_id.order_id",
        "reference_ids.sale_ids",
        "production_group_id.parent_ids.production_ids.pps_sale_order_id",
    )
    def _compute_pps_sale_order_id(self):
        for production in self:
            order = (
                production.sale_line_id.order_id
                or production.reference_ids.sale_ids[:1]
            )
            if not order:
                order = production._get_sources().pps_sale_order_id[:1]
            production.pps_sale_order_id = order

    def _pps_lock_changed_fields(self, vals):
        """As the mixin, except that ``workorder_ids`` changes the agreed
        routing only through commands that add or remove work orders. An
        update command is a write on the work order, which checks its own
        protected fields (``mrp.workorder._pps_lock_protected_fields``): the
        MO form sends one whenever a work order's plan changes or the quantity
        produced or consumed is recorded -- plan and execution, which the lock
        leaves free."""
        commands = vals.get("workorder_ids")
        if commands is not None and all(
            isinstance(command, (list, tuple)) and command[0] == Command.UPDATE
            for command in commands
        ):
            vals = {key: value for key, value in vals.items() if key != "workorder_ids"}
        return super()._pps_lock_changed_fields(vals)

    @api.model_create_multi
    def create(self, vals_list):
        if not self._pps_lock_bypassed() and any(
            vals.get(fname) for vals in vals_list for fname in PIN_FIELDS
        ):
            raise UserError(
                self.env._("A plan is pinned with the Pin Plan action, by a planner.")
            )
        productions = super().create(vals_list)
        productions._pps_sale_orders()._pps_recompute_progress()
        return productions

    def write(self, vals):
        if not self._pps_lock_bypassed() and any(f in vals for f in PIN_FIELDS):
            raise UserError(
                self.env._(
                    "A plan is pinned and unpinned only through the Pin Plan and "
                    "Unpin Plan actions, by a planner."
                )
            )
        # the sale orders' progress follows their MOs (see _pps_sale_orders)
        orders = (
            self._pps_sale_orders() if PROGRESS_TRIGGERS.intersection(vals) else None
        )
        res = super().write(vals)
        if orders is not None:
            (orders | self._pps_sale_orders())._pps_recompute_progress()
        return res

    def action_confirm(self):
        return strip_sentinels(
            super(MrpProduction, self._pps_execution()).action_confirm()
        )

    def action_pps_pin_plan(self, reason=None):
        """Keep the plan of these MOs where it is in every schedule run
        (planners only; logged like a lock)."""
        self._pps_check_pin_rights()
        refused = self.filtered(
            lambda p: p.pps_plan_pinned or p.state in ("done", "cancel")
        )
        if refused:
            raise UserError(
                self.env._(
                    "%(records)s cannot be pinned: already pinned, done or cancelled.",
                    records=", ".join(refused.mapped("display_name")),
                )
            )
        self._pps_set_pin(True, reason)
        return True

    def action_pps_unpin_plan(self, reason=None):
        """Let schedule runs move the plan of these MOs again (planners only)."""
        self._pps_check_pin_rights()
        refused = self.filtered(lambda p: not p.pps_plan_pinned)
        if refused:
            raise UserError(
                self.env._(
                    "%(records)s is not pinned.",
                    records=", ".join(refused.mapped("display_name")),
                )
            )
        self._pps_set_pin(False, reason)
        return True

    def _pps_check_pin_rights(self):
        check_planner(
            self.env,
            lambda: self.env._(
                "Only production planners may pin or unpin the plan of %(records)s.",
                records=", ".join(self.mapped("display_name")),
            ),
        )
        self.check_access("write")

    def _pps_set_pin(self, pinned, reason):
        now = fields.Datetime.now()
        self.sudo().with_context(pps_lock_bypass=PPS_LOCK_BYPASS).write(
            {
                "pps_plan_pinned": pinned,
                "pps_plan_pinned_by_id": self.env.uid if pinned else False,
                "pps_plan_pinned_at": now if pinned else False,
            }
        )
        action = "pin" if pinned else "unpin"
        reason = (reason or "").strip() or False
        self._pps_lock_log(action, reason, now)
        for production in self.sudo():
            body = (
                self.env._("Plan pinned by %(user)s.", user=self.env.user.name)
                if pinned
                else self.env._("Plan unpinned by %(user)s.", user=self.env.user.name)
            )
            if reason:
                body = f"{body} {reason}"
            production.message_post(body=body)

    def button_plan(self):
        """Planning fills in a plan where there is none (``button_plan`` skips
        planned MOs), so it is allowed on a locked MO; unplanning is not."""
        return strip_sentinels(
            super(MrpProduction, self._pps_execution()).button_plan()
        )

    def action_cancel(self):
        """Cancelling a locked MO changes the agreement: refused like any
        other change of it (unlock it first, with a reason), except inside
        execution (a split that cancels what remains)."""
        locked = self.filtered("pps_locked")
        if locked and not (self._pps_lock_bypassed() or self._pps_lock_in_execution()):
            raise UserError(
                self.env._(
                    "%(records)s is under the execution lock: it cannot be "
                    "cancelled. Ask the unlock group to unlock it with a reason, "
                    "or agree a change through a negotiation.",
                    records=", ".join(locked.mapped("display_name")),
                )
            )
        return super().action_cancel()

    def button_mark_done(self):
        """Marking done is execution; the wizards and backorder views it
        returns carry no lock sentinel (their context is built from ours)."""
        return strip_sentinels(
            super(MrpProduction, self._pps_execution()).button_mark_done()
        )

    def _split_productions(
        self, amounts=False, cancel_remaining_qty=False, set_consumed_qty=False
    ):
        """Backorders and splits of a locked MO are locked too (logged).

        Both Odoo flows end here: the backorder of a partly produced MO
        (``button_mark_done``) and the split wizard. Splitting is execution: it
        spreads the agreed quantity over several MOs without changing the total
        (``_split_productions`` refuses more and adds the rest as one more
        backorder), so it runs on a locked MO; each new MO is locked with a
        reason naming the MO it comes from.
        """
        productions = super(MrpProduction, self._pps_execution())._split_productions(
            amounts=amounts,
            cancel_remaining_qty=cancel_remaining_qty,
            set_consumed_qty=set_consumed_qty,
        )
        # Odoo returns [source 1, its backorders..., source 2, its backorders...].
        new_by_source = {}
        source = None
        for production in productions:
            if production in self:
                source = production
            elif source is not None and source.pps_locked:
                new_by_source.setdefault(source, self.browse())
                new_by_source[source] |= production
        for source, new in new_by_source.items():
            new.sudo()._pps_lock(
                self.env._(
                    "Split from %(production)s, which is under the execution lock.",
                    production=source.display_name,
                )
            )
        return productions.with_env(self.env)

    def action_pps_open_unlock_wizard(self):
        return self.env["pps.unlock.wizard"]._pps_open_for(self)

    def _pps_execution(self):
        return self.with_context(pps_lock_execution=PPS_LOCK_EXECUTION)

    def _pps_shift_dates(self, delta):
        """Shift the plan of one MO by ``delta`` (a timedelta), consistently.

        Planned work orders move start and finish by the same delta (their
        durations unchanged); unplanned ones are left alone. The MO's own dates
        follow. Runs with the caller's context (the lock bypass on agreement).
        """
        self.ensure_one()
        start, finish = self.date_start, self.date_finished
        planned = self.workorder_ids.filtered(
            lambda w: (
                w.date_start and w.date_finished and w.state not in ("done", "cancel")
            )
        )
        # Move the last ones first when postponing, the first ones first when
        # advancing, so that no intermediate state overlaps backwards.
        ordered = planned.sorted("date_start", reverse=delta.total_seconds() > 0)
        for workorder in ordered:
            workorder.with_context(bypass_duration_calculation=True).write(
                {
                    "date_start": workorder.date_start + delta,
                    "date_finished": workorder.date_finished + delta,
                }
            )
        # Work orders drag the MO's dates along (first start, last finish);
        # set both from the values read before, so nothing moves twice.
        vals = {}
        if start:
            vals["date_start"] = start + delta
        if finish:
            vals["date_finished"] = finish + delta
        if vals:
            self.with_context(force_date=True).write(vals)

    def _pps_supplying_purchase_lines(self):
        """Open purchase order lines that supply the components of the MOs."""
        raw_moves = self.move_raw_ids
        lines = (
            raw_moves.created_purchase_line_ids
            | raw_moves.move_orig_ids.purchase_line_id
        )
        components = raw_moves.product_id
        for production in self:
            for order in production._get_purchase_orders():
                lines |= order.order_line.filtered(lambda l: l.product_id in components)
        return lines.filtered(
            lambda l: (
                l.order_id.state not in ("cancel", "done")
                and l.date_planned
                and l.product_uom_id.compare(l.qty_received, l.product_qty) < 0
            )
        )

    def _pps_sale_orders(self):
        """Sale orders whose progress depends on these MOs."""
        productions = self.sudo()
        orders = (
            productions.reference_ids.sale_ids
            | productions.sale_line_id.order_id
            | productions.pps_sale_order_id
        )
        return orders.with_env(self.env)
