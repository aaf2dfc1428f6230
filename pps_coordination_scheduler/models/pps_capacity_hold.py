"""Capacity holds: a quoted date held for an open quotation.

What it is
----------
A salesperson who quotes a date (``pps.promise``) may *hold* it: the
operations the promise inserted for the quotation (work center, start, end)
are kept as a tentative, expiring reservation, ``pps.capacity.hold`` with one
``pps.capacity.hold.line`` per placed operation.

While a hold is active and not past its expiry:

- later promises (other quotations, negotiations, simulated demands) treat its
  lines as fixed obstacles, so a second quote for the same work is promised
  after it;
- schedule runs (``pps.schedule.problem._prepare_problem``) close its lines'
  free time with fixed blocks (reason "held quote"): no run plans other work
  into a held slot, and the checker accepts them like any fixed work.

Confirming the quotation converts the hold (state ``converted``) before its
manufacturing orders are planned: the planning at confirmation starts the new
work orders from the held slots, which the engine keeps unless moving them
pays. Cancelling the quotation cancels its hold; a release from the hold's
form does too. An hourly cron marks holds past their expiry ``expired``;
every read already ignores them before it runs.

Concurrency
-----------
Holding is serialized: each hold draws its name from a no-gap sequence
(``SELECT ... FOR UPDATE NOWAIT`` and ``UPDATE`` of the sequence's row, as
Odoo does for its gapless sequences) *before* the promise is computed. A
second hold asked at the same moment cannot take that row: PostgreSQL refuses
it (lock not available) and Odoo's request retry (``odoo.service.model.
retrying``) runs it again after a short random wait; a hold whose snapshot
is older than another hold's commit fails on that row with a serialization
error and is retried the same way. Either way the retried hold sees the first
one's lines, so two holds never get the same slot. A hold computed while a
schedule run of the company is solving can overlap what that run writes; the
next run and promise then keep only the hold's part that is still free.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.pps_coordination.guards import (
    PLANNER_GROUP,
    SALES_GROUP,
    check_role,
    has_role,
)
from odoo.addons.pps_coordination.tools.wording import format_moment

#: States of a hold; only ``active`` ones (not past their expiry) hold capacity.
HOLD_STATES = [
    ("active", "Active"),
    ("converted", "Converted"),
    ("expired", "Expired"),
    ("cancelled", "Cancelled"),
]
#: Code of the no-gap sequence that names and serializes holds.
HOLD_SEQUENCE = "pps.capacity.hold"
#: Fields of a hold a planner may change by hand (the rest is the workflow's).
HOLD_EDITABLE = {"date_expiry"}


class PpsCapacityHold(models.Model):
    _name = "pps.capacity.hold"
    _description = "PPS capacity hold of a quotation"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    sale_order_id = fields.Many2one(
        "sale.order",
        string="Quotation",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(related="sale_order_id.partner_id")
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Held By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    state = fields.Selection(
        HOLD_STATES, default="active", required=True, readonly=True, tracking=True
    )
    date_expiry = fields.Datetime(
        string="Expires On",
        required=True,
        tracking=True,
        help="After this moment the hold holds nothing: promises and schedule "
        "runs ignore it (the hourly cron then marks it expired).",
    )
    delivery_date = fields.Datetime(
        string="Held Delivery Date",
        readonly=True,
        help="The delivery date the promise gave when the date was held.",
    )
    completion = fields.Datetime(string="Production Completes", readonly=True)
    explanation = fields.Text(readonly=True)
    line_ids = fields.One2many(
        "pps.capacity.hold.line", "hold_id", string="Held Slots", readonly=True
    )
    line_count = fields.Integer(compute="_compute_line_count")
    is_holding = fields.Boolean(
        string="Holding",
        compute="_compute_is_holding",
        search="_search_is_holding",
        help="Active and not past its expiry: promises and runs respect it.",
    )

    @api.depends("line_ids")
    def _compute_line_count(self):
        for hold in self:
            hold.line_count = len(hold.line_ids)

    @api.depends("state", "date_expiry")
    def _compute_is_holding(self):
        now = fields.Datetime.now()
        for hold in self:
            hold.is_holding = hold.state == "active" and hold.date_expiry > now

    def _search_is_holding(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        return [("id", operator, self._search(self._holding_domain()))]

    @api.model
    def _holding_domain(self, prefix=""):
        """Holds that hold capacity now: active and not past their expiry."""
        return [
            (f"{prefix}state", "=", "active"),
            (f"{prefix}date_expiry", ">", fields.Datetime.now()),
        ]

    # ------------------------------------------------------------------
    # protections
    # ------------------------------------------------------------------
    def write(self, vals):
        """By hand (a planner), only the expiry of an active hold changes; the
        states and the slots are the workflow's (hold, confirm, cancel, cron),
        which write as the system."""
        if not self.env.su:
            extra = set(vals) - HOLD_EDITABLE
            if extra:
                raise UserError(
                    self.env._(
                        "Only the expiry of a hold can be changed by hand "
                        "(%(fields)s are set by holding, confirming or cancelling "
                        "the quotation).",
                        fields=", ".join(sorted(extra)),
                    )
                )
            if any(hold.state != "active" for hold in self):
                raise UserError(
                    self.env._("Only an active hold can be extended or shortened.")
                )
        return super().write(vals)

    # ------------------------------------------------------------------
    # actions
    # ------------------------------------------------------------------
    def action_cancel(self):
        """Release the held slots now (the quotation stays open).

        Planners release any hold; sales coordinators the holds of quotations
        they may edit."""
        check_role(
            self.env,
            self.env._("Only sales coordinators and planners may release holds."),
            SALES_GROUP,
            PLANNER_GROUP,
        )
        if not has_role(self.env, PLANNER_GROUP):
            self.sale_order_id.check_access("write")
        holds = self.filtered(lambda h: h.state == "active")
        if len(holds) != len(self):
            raise UserError(self.env._("Only an active hold can be released."))
        holds.sudo()._pps_close(
            "cancelled",
            self.env._("Released by %(user)s.", user=self.env.user.name),
        )
        return True

    def _pps_close(self, state, reason):
        """Set ``state`` (converted, expired or cancelled), saying why."""
        for hold in self:
            hold.write({"state": state})
            hold.message_post(body=reason)
            hold.sale_order_id.message_post(
                body=self.env._(
                    "Capacity hold %(hold)s is %(state)s: %(reason)s",
                    hold=hold.name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        state
                    ].lower(),
                    reason=reason,
                )
            )

    @api.model
    def _cron_expire(self):
        """Mark the active holds past their expiry ``expired`` (hourly)."""
        holds = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("state", "=", "active"),
                    ("date_expiry", "<=", fields.Datetime.now()),
                ]
            )
        )
        holds._pps_close("expired", self.env._("Its expiry has passed."))
        return len(holds)

    # ------------------------------------------------------------------
    # holding a quotation
    # ------------------------------------------------------------------
    @api.model
    def _pps_serialize(self):
        """Draw the next hold name, locking the sequence row until commit.

        Taken before the promise is computed, so that concurrent holds run
        one after the other (see the module docstring)."""
        sequence = self.env["ir.sequence"].sudo().search([("code", "=", HOLD_SEQUENCE)])
        if not sequence:
            raise UserError(
                self.env._(
                    "The sequence of capacity holds (%(code)s) is missing: update "
                    "the PPS Coordination Scheduler add-on.",
                    code=HOLD_SEQUENCE,
                )
            )
        return self.env["ir.sequence"].sudo().next_by_code(HOLD_SEQUENCE)

    @api.model
    def _pps_hold(self, order):
        """Hold the promise of ``order`` (checked by the caller): one line per
        placed operation; the order's previous active hold is replaced."""
        name = self._pps_serialize()
        promise = self.env["pps.promise"]._quote(order)
        placed = promise.get("placed") or []
        if not placed:
            raise UserError(
                self.env._(
                    "%(order)s needs no production: there is no capacity to hold "
                    "(a hold reserves work center time, not stock).",
                    order=order.name,
                )
            )
        company = order.company_id or self.env.company
        now = fields.Datetime.now()
        previous = (
            self.sudo()
            .with_context(active_test=False)
            .search([("sale_order_id", "=", order.id), ("state", "=", "active")])
        )
        hold = self.sudo().create(
            {
                "name": name,
                "sale_order_id": order.id,
                "company_id": company.id,
                "user_id": self.env.user.id,
                "date_expiry": now + timedelta(days=company.pps_hold_days),
                "delivery_date": promise["date"],
                "completion": promise.get("completion") or False,
                "explanation": promise["explanation"],
                "line_ids": [
                    fields.Command.create(
                        {
                            "workcenter_id": slot["workcenter_id"],
                            "date_start": slot["date_start"],
                            "date_end": slot["date_end"],
                            "product_id": slot["product_id"],
                            "operation_id": slot["operation_id"],
                            "label": slot["label"],
                        }
                    )
                    for slot in placed
                ],
            }
        )
        previous._pps_close(
            "cancelled",
            self.env._("Replaced by %(hold)s.", hold=hold.name),
        )
        order.message_post(
            body=self.env._(
                "%(user)s held the quoted date %(date)s until %(expiry)s "
                "(%(hold)s, %(count)s operations).",
                user=self.env.user.name,
                date=format_moment(self.env, hold.delivery_date),
                expiry=format_moment(self.env, hold.date_expiry),
                hold=hold.name,
                count=len(placed),
            )
        )
        return hold


class PpsCapacityHoldLine(models.Model):
    _name = "pps.capacity.hold.line"
    _description = "PPS held slot of a quotation"
    _order = "date_start, id"

    hold_id = fields.Many2one(
        "pps.capacity.hold",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="hold_id.company_id", store=True)
    sale_order_id = fields.Many2one(related="hold_id.sale_order_id", store=True)
    state = fields.Selection(related="hold_id.state")
    workcenter_id = fields.Many2one(
        "mrp.workcenter", required=True, readonly=True, index=True, ondelete="cascade"
    )
    date_start = fields.Datetime(required=True, readonly=True)
    date_end = fields.Datetime(required=True, readonly=True, index=True)
    product_id = fields.Many2one("product.product", readonly=True)
    operation_id = fields.Many2one(
        "mrp.routing.workcenter", string="Operation", readonly=True
    )
    label = fields.Char(string="Work", readonly=True)

    _check_dates = models.Constraint(
        "CHECK(date_end > date_start)", "A held slot must end after it starts."
    )

    @api.model
    def _pps_holding(self, workcenters, origin, exclude_orders=None):
        """Held slots on ``workcenters`` that hold capacity after ``origin``:
        of active holds not past their expiry, other than ``exclude_orders``'."""
        domain = [
            ("workcenter_id", "in", workcenters.ids),
            ("date_end", ">", origin),
            *self.env["pps.capacity.hold"]._holding_domain("hold_id."),
        ]
        if exclude_orders:
            domain.append(("sale_order_id", "not in", exclude_orders.ids))
        return self.sudo().search(domain)
