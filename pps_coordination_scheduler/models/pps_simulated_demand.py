from odoo import Command, api, fields, models

from odoo.addons.pps_coordination.guards import PLANNER_GROUP, SALES_GROUP, check_role


class PpsSimulatedDemand(models.Model):
    """Long-term horizon: a demand that is not an order yet, quoted like one.

    Quoting builds an unsaved sale order from the demand and asks the
    capable-to-promise engine (``sale.order.pps_quote_delivery_date``); the
    answer, its binding constraint and explanation are kept on the record to
    estimate capacity and material needs.
    """

    _name = "pps.simulated.demand"
    _description = "PPS simulated demand"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "desired_date, id"

    name = fields.Char(required=True, default=lambda self: self.env._("New demand"))
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    partner_id = fields.Many2one("res.partner", string="Customer", tracking=True)
    product_id = fields.Many2one(
        "product.product", required=True, domain=[("sale_ok", "=", True)], tracking=True
    )
    product_qty = fields.Float(
        string="Quantity",
        default=1.0,
        required=True,
        digits="Product Unit",
        tracking=True,
    )
    desired_date = fields.Datetime(tracking=True)
    pps_rush = fields.Boolean(string="Red Flag", tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("quoted", "Quoted"), ("cancelled", "Cancelled")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    quoted_date = fields.Datetime(readonly=True, tracking=True)
    quoted_at = fields.Datetime(readonly=True)
    binding = fields.Selection(
        [
            ("stock", "Stock"),
            ("capacity", "Capacity"),
            ("material", "Material"),
            ("abnormality", "Abnormality"),
            ("lead_time", "Standard Lead Time"),
        ],
        readonly=True,
    )
    explanation = fields.Text(readonly=True)
    meets_desired_date = fields.Boolean(compute="_compute_meets_desired_date")

    _check_qty = models.Constraint(
        "CHECK(product_qty > 0)", "The quantity of a simulated demand must be positive."
    )

    @api.depends("quoted_date", "desired_date")
    def _compute_meets_desired_date(self):
        for demand in self:
            demand.meets_desired_date = bool(
                demand.quoted_date
                and (
                    not demand.desired_date or demand.quoted_date <= demand.desired_date
                )
            )

    def action_quote(self):
        """Quote every demand the way a sale order is quoted; keep the answer."""
        self._pps_check_rights()
        for demand in self:
            promise = demand._pps_quote()
            demand.write(
                {
                    "state": "quoted",
                    "quoted_date": promise["date"],
                    "quoted_at": fields.Datetime.now(),
                    "binding": promise["binding"],
                    "explanation": promise["explanation"],
                }
            )
        return True

    def action_cancel(self):
        self._pps_check_rights()
        self.write({"state": "cancelled"})
        return True

    def action_reset(self):
        self._pps_check_rights()
        self.write({"state": "draft"})
        return True

    def _pps_quote(self):
        """The promise for this demand: an unsaved sale order, never written."""
        self.ensure_one()
        partner = self.partner_id or self.company_id.partner_id
        order = (
            self.env["sale.order"]
            .sudo()
            .new(
                {
                    "partner_id": partner.id,
                    "company_id": self.company_id.id,
                    "pps_rush": self.pps_rush,
                    "pps_expected_date": self.desired_date,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_id.id,
                                "product_uom_qty": self.product_qty,
                            }
                        )
                    ],
                }
            )
        )
        return self.env["pps.promise"]._quote(order)

    def _pps_check_rights(self):
        check_role(
            self.env,
            self.env._("Only sales coordinators and planners may quote demands."),
            SALES_GROUP,
            PLANNER_GROUP,
        )
