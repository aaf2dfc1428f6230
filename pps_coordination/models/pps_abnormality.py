from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

#: Context value of the Confirm and Resolve actions: only they (or server code
#: running as superuser) move ``state``. Compared with ``is`` (RPC-proof).
PPS_ABNORMALITY_WORKFLOW = object()


class PpsAbnormality(models.Model):
    """An internal event that changes capacity or material availability.

    Confirming it (:meth:`action_confirm`) finds the manufacturing orders it
    affects, estimates their new finish dates (:meth:`_pps_estimate_delays`, an
    extension point the scheduler overrides) and opens an ``internal_change``
    negotiation for every sale order whose delivery would move past its agreed
    date.
    """

    _name = "pps.abnormality"
    _description = "Production Abnormality"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    _pps_frozen_after_draft = frozenset(
        {
            "abnormality_type",
            "workcenter_id",
            "product_id",
            "date_start",
            "date_end",
            "capacity_factor",
            "company_id",
            "production_ids",
        }
    )

    name = fields.Char(required=True, copy=False, default="/", tracking=True)
    abnormality_type = fields.Selection(
        [
            ("material_shortage", "Material Shortage"),
            ("equipment_failure", "Equipment Failure"),
            ("low_staffing", "Low Staffing"),
            ("low_yield", "Low Yield"),
            ("rescheduling", "Rescheduling"),
            ("other", "Other"),
        ],
        string="Type",
        required=True,
        default="equipment_failure",
        tracking=True,
    )
    description = fields.Text()
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    workcenter_id = fields.Many2one(
        "mrp.workcenter",
        string="Work Center",
        tracking=True,
        check_company=True,
    )
    product_id = fields.Many2one("product.product", tracking=True, check_company=True)
    production_ids = fields.Many2many(
        "mrp.production",
        string="Affected Manufacturing Orders",
        check_company=True,
        help="Manufacturing orders known to be affected; confirming adds those "
        "found through the work center and the product.",
    )
    sale_order_ids = fields.Many2many(
        "sale.order", string="Affected Sale Orders", compute="_compute_sale_order_ids"
    )
    negotiation_ids = fields.One2many(
        "pps.negotiation", "abnormality_id", string="Negotiations"
    )
    date_start = fields.Datetime(
        string="Start", required=True, default=fields.Datetime.now, tracking=True
    )
    date_end = fields.Datetime(string="End", required=True, tracking=True)
    capacity_factor = fields.Float(
        string="Capacity Left",
        default=0.0,
        tracking=True,
        help="Share of the normal capacity left during the abnormality: 0 means "
        "nothing can be produced, 0.5 half of it.",
    )
    state = fields.Selection(
        [("draft", "Draft"), ("confirmed", "Confirmed"), ("resolved", "Resolved")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Reported By", default=lambda self: self.env.user
    )

    @api.depends("production_ids.pps_sale_order_id")
    def _compute_sale_order_ids(self):
        for abnormality in self:
            abnormality.sale_order_ids = (
                abnormality.production_ids.sudo().pps_sale_order_id
            )

    @api.constrains("date_start", "date_end", "capacity_factor")
    def _check_window(self):
        for abnormality in self:
            if abnormality.date_end <= abnormality.date_start:
                raise ValidationError(
                    self.env._("An abnormality must end after it starts.")
                )
            if not 0.0 <= abnormality.capacity_factor <= 1.0:
                raise ValidationError(
                    self.env._("The capacity left must be between 0 and 1.")
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._pps_in_workflow() and any(
            vals.get("state", "draft") != "draft" for vals in vals_list
        ):
            raise UserError(
                self.env._(
                    "An abnormality is recorded as a draft and confirmed with "
                    "its Confirm action."
                )
            )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("pps.abnormality") or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        if "state" in vals and not self._pps_in_workflow():
            raise UserError(
                self.env._(
                    "The state of an abnormality changes only through its Confirm "
                    "and Resolve actions."
                )
            )
        if self._pps_frozen_after_draft.intersection(vals) and any(
            a.state != "draft" for a in self
        ):
            raise UserError(
                self.env._(
                    "A confirmed abnormality keeps its window, capacity and "
                    "resources; record a new one instead."
                )
            )
        return super().write(vals)

    def action_confirm(self):
        """Find the affected orders and open internal-change negotiations."""
        self._pps_check_planner()
        for abnormality in self:
            if abnormality.state != "draft":
                raise UserError(
                    self.env._("%(name)s is already confirmed.", name=abnormality.name)
                )
            if not (
                abnormality.workcenter_id
                or abnormality.product_id
                or abnormality.production_ids
            ):
                raise UserError(
                    self.env._(
                        "%(name)s needs a work center, a product or manufacturing "
                        "orders to know what it affects.",
                        name=abnormality.name,
                    )
                )
            productions = abnormality._pps_find_productions()
            abnormality._pps_workflow().write(
                {"state": "confirmed", "production_ids": [(6, 0, productions.ids)]}
            )
            abnormality._pps_open_negotiations(abnormality._pps_estimate_delays())
        return True

    def action_resolve(self):
        self._pps_check_planner()
        for abnormality in self:
            if abnormality.state != "confirmed":
                raise UserError(
                    self.env._(
                        "Only a confirmed abnormality can be resolved (%(name)s).",
                        name=abnormality.name,
                    )
                )
        self._pps_workflow().write({"state": "resolved"})
        return True

    def _pps_workflow(self):
        return self.with_context(pps_abnormality_workflow=PPS_ABNORMALITY_WORKFLOW)

    def _pps_in_workflow(self):
        return self.env.su or (
            self.env.context.get("pps_abnormality_workflow") is PPS_ABNORMALITY_WORKFLOW
        )

    def _pps_check_planner(self):
        if not self.env.user.has_group("pps_coordination.group_pps_planner"):
            raise AccessError(
                self.env._(
                    "Only production planners may confirm or resolve abnormalities."
                )
            )

    def _pps_find_productions(self):
        """Open MOs hit by the abnormality: explicit ones, those with work orders
        on its work center overlapping its window, those making or consuming its
        product."""
        self.ensure_one()
        production_model = self.env["mrp.production"].sudo()
        productions = self.production_ids.sudo()
        if self.workcenter_id:
            workorders = (
                self.env["mrp.workorder"]
                .sudo()
                .search(
                    [
                        ("workcenter_id", "=", self.workcenter_id.id),
                        ("state", "not in", ("done", "cancel")),
                        ("production_id.state", "not in", ("done", "cancel")),
                        ("date_start", "<", self.date_end),
                        ("date_finished", ">", self.date_start),
                    ]
                )
            )
            productions |= workorders.production_id
        if self.product_id:
            productions |= production_model.search(
                [
                    ("state", "not in", ("done", "cancel")),
                    ("company_id", "=", self.company_id.id),
                    "|",
                    ("product_id", "=", self.product_id.id),
                    ("move_raw_ids.product_id", "=", self.product_id.id),
                ]
            )
        return productions.filtered(lambda p: p.state not in ("done", "cancel"))

    def _pps_estimate_delays(self):
        """New finish date of each affected MO (extension point).

        Default: the time lost is the overlap of the abnormality's window with
        the MO's planned window (its work orders on the work center when one is
        set) times the share of capacity lost, pushed onto the MO's finish date.
        The scheduler add-on overrides it with a re-plan.

        :returns: ``{mrp.production record: new finish datetime}``
        """
        self.ensure_one()
        lost_share = 1.0 - self.capacity_factor
        delays = {}
        for production in self.production_ids.sudo():
            if not production.date_finished:
                continue
            windows = []
            if self.workcenter_id:
                windows = [
                    (w.date_start, w.date_finished)
                    for w in production.workorder_ids
                    if w.workcenter_id == self.workcenter_id
                    and w.date_start
                    and w.date_finished
                ]
            if not windows:
                windows = [(production.date_start, production.date_finished)]
            overlap = sum(
                max(
                    (
                        min(end, self.date_end) - max(start, self.date_start)
                    ).total_seconds(),
                    0.0,
                )
                for start, end in windows
                if start and end
            )
            delays[production] = production.date_finished + timedelta(
                seconds=overlap * lost_share
            )
        return delays

    def _pps_open_negotiations(self, delays):
        """Open an internal change for each order pushed past its agreed date."""
        self.ensure_one()
        by_order = {}
        for production, new_finish in delays.items():
            order = production.pps_sale_order_id
            if order and new_finish > production.date_finished:
                shift = new_finish - production.date_finished
                by_order[order] = max(by_order.get(order, shift), shift)
        for order, shift in by_order.items():
            order = order.with_env(self.env)
            agreed = order.sudo().commitment_date
            finishes = [
                new_finish
                for production, new_finish in delays.items()
                if production.pps_sale_order_id == order
            ]
            lead = timedelta(days=order.sudo().company_id.security_lead or 0.0)
            estimated = max(finishes) + lead
            if not agreed or estimated <= agreed:
                continue
            if any(
                n.state in ("requested", "answered")
                for n in order.sudo().pps_negotiation_ids
            ):
                self.message_post(
                    body=self.env._(
                        "%(order)s would move to %(date)s but already has an open "
                        "negotiation round.",
                        order=order.display_name,
                        date=estimated,
                    )
                )
                continue
            order.action_pps_propose_date(
                estimated,
                self.env._(
                    "%(name)s (%(type)s): production estimated to finish %(shift)s "
                    "hours later.",
                    name=self.name,
                    type=dict(
                        self._fields["abnormality_type"]._description_selection(
                            self.env
                        )
                    )[self.abnormality_type],
                    shift=round(shift.total_seconds() / 3600.0, 1),
                ),
                abnormality=self,
            )
