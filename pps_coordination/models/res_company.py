from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools.demo_factory import PpsDemoFactory


class ResCompany(models.Model):
    _inherit = "res.company"

    pps_frozen_days = fields.Integer(
        string="Frozen Days",
        default=3,
        help="Today plus this many days form the frozen zone: no schedule run "
        "moves work already planned to start inside it (a planner may release "
        "it for one run).",
    )
    pps_rush_capacity_share = fields.Float(
        string="Rush Capacity Share",
        default=0.20,
        help="Share of each work center's daily capacity that only rush work "
        "may use: a fraction stored from 0 up to (not including) 1, shown as a "
        "percentage (0.2 is 20%).",
    )
    pps_material_buffer_days = fields.Integer(
        string="Material Buffer Days",
        default=3,
        help="Materials must be at the station this many days before an "
        "operation starts.",
    )

    pps_jit_slack_days = fields.Float(
        string="Just-in-time Slack Days",
        default=5.0,
        help="Work of an order starts no earlier than this many days before the "
        "latest start that still meets its delivery date, so a postponed order "
        "moves its work later. 0 plans every order as soon as possible. Rush "
        "orders always start as soon as possible.",
    )
    pps_notify_customer = fields.Boolean(
        string="Tell Customers Their Delivery Date",
        default=True,
        help="When sales agree a delivery date, the customer gets a mail from "
        "the template Sales: Delivery Date Change in the order's chatter: the "
        "order's first agreed date, and every later change of it.",
    )

    @api.constrains(
        "pps_frozen_days",
        "pps_rush_capacity_share",
        "pps_material_buffer_days",
        "pps_jit_slack_days",
    )
    def _check_pps_settings(self):
        for company in self:
            if (
                company.pps_frozen_days < 0
                or company.pps_material_buffer_days < 0
                or company.pps_jit_slack_days < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Frozen days, material buffer days and just-in-time slack "
                        "days cannot be negative."
                    )
                )
            if not 0.0 <= company.pps_rush_capacity_share < 1.0:
                raise ValidationError(
                    self.env._(
                        "The rush reserve must be at least 0% and less than 100% "
                        "of the capacity (for example 20%)."
                    )
                )

    @api.model
    def _pps_load_demo_factory(self):
        """Build the demo plant once (``tools/demo_factory.py``); return True
        when it was built now, False when it was there already.

        Called by ``demo/pps_demo_factory.xml``; the factory is a plain class, so
        no model of it exists in any database. Add-ons that add to the demo
        override this method."""
        return PpsDemoFactory(self.env).load()
