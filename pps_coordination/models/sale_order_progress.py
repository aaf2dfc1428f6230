"""Progress tracking of sale orders: status, overdue flag, audits and KPI helpers.

This class is kept apart from the negotiation code (``sale_order.py``) on purpose:
progress tracking only *reads* what negotiation, manufacturing and logistics write
(the agreed date, the MOs, the deliveries), and it must keep working whatever the
negotiation flow becomes. Both classes extend ``sale.order``; neither calls the
other.

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

The three audits of the weekly meeting are defined once, in
``_pps_audit_domain()``; the search filters ``pps_filter_wip``,
``pps_filter_made_not_shipped`` and ``pps_filter_late``, the menus, the report
and the tests use that same definition.

"Closed" means cancelled or fully shipped: an open (not closed) order is a
confirmed order (``state = 'sale'``) whose progress is not ``shipped``.
"""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

_logger = logging.getLogger(__name__)

PPS_PROGRESS = [
    ("not_started", "Not Started"),
    ("in_progress", "In Progress"),
    ("completed", "Completed"),
    ("shipped", "Shipped"),
    ("cancelled", "Cancelled"),
]
PPS_AUDITS = ("wip", "made_not_shipped", "late")
OPEN_PROGRESS = ("not_started", "in_progress", "completed")
PPS_COMPUTED_FIELDS = {"pps_progress", "pps_delivery_date", "pps_overdue"}


class SaleOrder(models.Model):
    _inherit = "sale.order"

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

    @api.model_create_multi
    def create(self, vals_list):
        if any(PPS_COMPUTED_FIELDS.intersection(vals) for vals in vals_list):
            self._pps_refuse_progress_write()
        return super().create(vals_list)

    def write(self, vals):
        if PPS_COMPUTED_FIELDS.intersection(vals):
            self._pps_refuse_progress_write()
        return super().write(vals)

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
        """Progress, due date and overdue flag are facts computed from the
        order's MOs and deliveries: nobody sets them by hand (not even
        through RPC); only the superuser may, e.g. to repair data."""
        if not self.env.su:
            raise UserError(
                self.env._(
                    "Progress, due date and overdue flag are computed from the "
                    "manufacturing orders and deliveries; they cannot be set by hand."
                )
            )

    def _pps_recompute_progress(self):
        """Mark progress (and so overdue) for recomputation, e.g. from MO changes
        that the ORM dependencies do not see (an MO linked only by its sale line)."""
        orders = self.exists()
        if orders:
            self.env.add_to_compute(self._fields["pps_progress"], orders)
            self.env.add_to_compute(self._fields["pps_overdue"], orders)

    # ------------------------------------------------------------------
    # Audits
    # ------------------------------------------------------------------

    @api.model
    def _pps_audit_domain(self, audit, date_from=None, date_to=None):
        """Domain of one audit of the weekly meeting, shared by the search
        filters, menus, report, dashboard and tests.

        :param audit: ``wip`` (work in progress), ``made_not_shipped``
            (completed, not closed) or ``late`` (overdue and not closed,
            whatever its progress: late orders not yet started are late too).
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
        flagged = orders.filtered(
            lambda o: o.pps_overdue or o._pps_scheduled_after_agreed()
        )
        created = flagged._pps_schedule_overdue_activity()
        _logger.info(
            "pps progress: %s activities created for %s flagged orders",
            created,
            len(flagged),
        )
        return created

    def _pps_scheduled_after_agreed(self):
        self.ensure_one()
        if "pps_scheduled_date" not in self._fields:
            return False
        return bool(
            self.commitment_date
            and self.pps_scheduled_date
            and self.pps_scheduled_date > self.commitment_date
        )

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
