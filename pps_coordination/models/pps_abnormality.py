from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..const import OPEN_NEGOTIATION_STATES
from ..guards import ABNORMALITY, check_planner
from ..tools.wording import format_duration, format_moment

#: Context value of the Confirm and Resolve actions: only they (or server code
#: running as superuser) move ``state``. Compared with ``is`` (RPC-proof).


class PpsAbnormality(models.Model):
    """An internal event that changes capacity or material availability.

    What each type does to the plan (``capacity_factor`` means something else
    for each):

    - ``equipment_failure``, ``low_staffing``, ``rescheduling``, ``other``
      (:attr:`_pps_capacity_types`): the work center keeps only
      ``capacity_factor`` of its capacity during the window;
    - ``material_shortage``: the product is missing from ``date_start`` until
      ``date_end``; the MOs consuming it that would start once it has begun
      cannot start before it is back (plus the company's material buffer,
      like any supply); ``capacity_factor`` is not used;
    - ``low_yield``: only ``capacity_factor`` of the output is good during the
      window, so the affected work takes 1 / ``capacity_factor`` times as long
      (on the work center only, when one is named).

    Confirming it (:meth:`action_confirm`) finds the manufacturing orders it
    affects, estimates their new finish dates (:meth:`_pps_estimate_delays`, an
    extension point the scheduler overrides) and opens an ``internal_change``
    negotiation for every sale order whose delivery would move past its agreed
    date. A resolved abnormality no longer counts anywhere.
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
    #: Types that take capacity away from their work center.
    _pps_capacity_types = frozenset(
        {"equipment_failure", "low_staffing", "rescheduling", "other"}
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
        "nothing can be produced, 0.5 half of it. For a low yield, the share of "
        "good output left (0.8: the work takes 1/0.8 = 1.25 times as long); not "
        "used by a material shortage.",
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
                    self.env._("The capacity left must be between 0% and 100%.")
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
            abnormality._pps_check_type_requirements()
            productions = abnormality._pps_find_productions()
            abnormality._pps_workflow().write(
                {"state": "confirmed", "production_ids": [(6, 0, productions.ids)]}
            )
            abnormality._pps_after_confirm()
        return True

    def _pps_after_confirm(self):
        """Estimate the delays of the confirmed abnormality and open the
        internal changes they call for (extension point: the scheduler add-on
        does it in a background job when its re-plan would make the planner
        wait)."""
        self.ensure_one()
        self._pps_open_negotiations(self._pps_estimate_delays())

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
        return ABNORMALITY.enter(self)

    def _pps_in_workflow(self):
        return self.env.su or ABNORMALITY.active(self.env)

    def _pps_check_planner(self):
        check_planner(
            self.env,
            self.env._(
                "Only production planners may confirm or resolve abnormalities."
            ),
        )

    def _pps_check_type_requirements(self):
        """What the type needs to reach the plan, checked at confirmation.

        A shortage needs the product that is short; a low yield needs some
        yield left (0 would make its work endless).
        """
        self.ensure_one()
        if self.abnormality_type == "material_shortage" and not self.product_id:
            raise UserError(
                self.env._(
                    "%(name)s is a material shortage: set the product that is "
                    "short (the manufacturing orders consuming it wait until it "
                    "is back, on the End date).",
                    name=self.name,
                )
            )
        if self.abnormality_type == "low_yield" and self.capacity_factor <= 0.0:
            raise ValidationError(
                self.env._(
                    "%(name)s is a low yield: set the share of good output left "
                    "(Capacity Left), above 0%% -- at 80%% the work takes 1.25 "
                    "times as long; 0%% would mean it never ends.",
                    name=self.name,
                )
            )

    def _pps_find_productions(self):
        """Open MOs hit by the abnormality: explicit ones, those with work orders
        on its work center overlapping its window, those making or consuming its
        product. A material shortage hits only the MOs still consuming the
        product (an open component move of it), whatever work center it names.
        """
        self.ensure_one()
        production_model = self.env["mrp.production"].sudo()
        productions = self.production_ids.sudo()
        if self.abnormality_type == "material_shortage":
            if self.product_id:
                productions |= production_model.search(
                    [
                        ("state", "not in", ("done", "cancel")),
                        ("company_id", "=", self.company_id.id),
                        (
                            "move_raw_ids",
                            "any",
                            [
                                ("product_id", "=", self.product_id.id),
                                ("state", "not in", ("done", "cancel")),
                            ],
                        ),
                    ]
                )
            return productions.filtered(lambda p: p.state not in ("done", "cancel"))
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

        Default, without a re-plan:

        - capacity types: the time lost is the overlap of the abnormality's
          window with the MO's planned window (its work orders on the work
          center when one is set) times the share of capacity lost;
        - low yield: that overlap times the extra time the yield asks for
          (1 / yield - 1);
        - material shortage: an MO that would start once the shortage has
          begun starts when the material is back and at the station
          (``date_end`` plus the company's material buffer days);

        pushed onto the MO's planned finish. The scheduler add-on overrides it
        with a re-plan.

        :returns: ``{mrp.production record: new finish datetime}``
        """
        self.ensure_one()
        if self.abnormality_type == "material_shortage":
            back = self.date_end + timedelta(
                days=self.company_id.pps_material_buffer_days
            )
            now = fields.Datetime.now()
            delays = {}
            for production in self.production_ids.sudo():
                finish = self._pps_current_finish(production)
                if not (finish and production.date_start):
                    continue
                start = max(production.date_start, now)
                if self.date_start > start + timedelta(minutes=1):
                    continue  # starts before the material runs short
                delays[production] = finish + max(back - start, timedelta(0))
            return delays
        if self.abnormality_type == "low_yield":
            lost_share = 1.0 / self.capacity_factor - 1.0 if self.capacity_factor else 0
        else:
            lost_share = 1.0 - self.capacity_factor
        delays = {}
        for production in self.production_ids.sudo():
            finish = self._pps_current_finish(production)
            if not finish:
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
            delays[production] = finish + timedelta(seconds=overlap * lost_share)
        return delays

    @api.model
    def _pps_current_finish(self, production):
        """When ``production`` finishes in the plan in force: the end of its
        last open work order, else its own planned finish."""
        finishes = [
            d
            for d in production.sudo()
            .workorder_ids.filtered(lambda w: w.state not in ("done", "cancel"))
            .mapped("date_finished")
            if d
        ]
        return max(finishes) if finishes else production.date_finished

    def _pps_open_negotiations(self, delays):
        """Open an internal change for each order pushed past its agreed date.

        An order's delivery is estimated on its MOs' new finishes (the ones in
        ``delays``) and the current plan of its other open MOs, plus the
        company's security lead time; "planned" is the plan in force (the end
        of each MO's open work orders, :meth:`_pps_current_finish`). Orders
        whose MOs do not finish later than planned, whose delivery does not
        move (it waits for another, later MO) or whose estimate still meets
        the agreed date get no round; an order already in negotiation gets a
        note on the abnormality.
        """
        self.ensure_one()
        slips = {}  # order -> longest slip of its MOs against the plan in force
        for production, new_finish in delays.items():
            order = production.pps_sale_order_id
            current = self._pps_current_finish(production)
            if order and new_finish and current and new_finish > current:
                slips[order] = max(
                    slips.get(order, new_finish - current), new_finish - current
                )
        now = fields.Datetime.now().replace(microsecond=0)
        for order, slip in slips.items():
            order = order.with_env(self.env)
            agreed = order.sudo().commitment_date
            if not agreed:
                continue
            planned = {
                production: self._pps_current_finish(production)
                for production in order.sudo()._pps_productions()
                if production.state not in ("done", "cancel")
            }
            finishes = dict(planned)
            finishes.update(
                {p: d for p, d in delays.items() if p.pps_sale_order_id == order}
            )
            lead = timedelta(days=order.sudo().company_id.security_lead or 0.0)
            estimated = max(d for d in finishes.values() if d) + lead
            before = max([d for d in planned.values() if d], default=None)
            if estimated <= agreed or (before and estimated <= before + lead):
                # on time still, or its delivery waits for another, later MO
                continue
            estimated = max(estimated, now)
            if any(
                n.state in OPEN_NEGOTIATION_STATES
                for n in order.sudo().pps_negotiation_ids
            ):
                self.message_post(
                    body=self.env._(
                        "%(order)s would move to %(date)s but already has an open "
                        "negotiation round.",
                        order=order.display_name,
                        date=self._pps_format_date(estimated),
                    )
                )
                continue
            order.action_pps_propose_date(
                estimated,
                self._pps_negotiation_reason(slip, agreed, estimated),
                abnormality=self,
            )

    def _pps_negotiation_reason(self, slip, agreed, estimated):
        """The reason of an internal change, in plain words: the abnormality,
        what it hit, how much later production finishes, and the new date."""
        self.ensure_one()
        return self.env._(
            "%(name)s (%(type)s, %(what)s): production now finishes %(slip)s "
            "later than planned. Proposed delivery %(new)s instead of the agreed "
            "%(agreed)s, %(late)s later.",
            name=self.name,
            type=dict(
                self._fields["abnormality_type"]._description_selection(self.env)
            )[self.abnormality_type],
            what=self._pps_describe_scope(),
            slip=self._pps_format_duration(slip),
            new=self._pps_format_date(estimated),
            agreed=self._pps_format_date(agreed),
            late=self._pps_format_duration(estimated - agreed),
        )

    def _pps_describe_scope(self):
        """What the abnormality hits, for a sentence: product, work center or
        orders."""
        self.ensure_one()
        record = self.sudo()
        if (
            record.product_id
            and record.workcenter_id
            and record.abnormality_type != "material_shortage"
        ):
            return self.env._(
                "product %(product)s on work center %(workcenter)s",
                product=record.product_id.display_name,
                workcenter=record.workcenter_id.display_name,
            )
        if record.product_id:
            return self.env._(
                "product %(product)s", product=record.product_id.display_name
            )
        if record.workcenter_id:
            return self.env._(
                "work center %(workcenter)s",
                workcenter=record.workcenter_id.display_name,
            )
        return self.env._(
            "manufacturing orders %(names)s",
            names=", ".join(record.production_ids.mapped("name")),
        )

    def _pps_format_date(self, value):
        """A date for a sentence: the user's time zone and language, no seconds."""
        return format_moment(self.env, value)

    def _pps_format_duration(self, delta):
        """A delay in plain words (see ``tools.wording.format_duration``)."""
        return format_duration(self.env, delta)
