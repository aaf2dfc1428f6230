from odoo import Command, models

from odoo.addons.pps_coordination.tools.wording import format_moment


class PpsNegotiation(models.Model):
    _inherit = "pps.negotiation"

    def action_agree(self):
        """A rush order agreed is a rush order converted: issue its procurement
        plan (RFQs for the shortages) the same day, through replenishment."""
        res = super().action_agree()
        if self.scenario == "rush_order" or self.sale_order_id.pps_rush:
            self.env["pps.procurement.plan"].sudo()._procure_shortages(
                self.sale_order_id
            )
        return res

    def _pps_after_schedule_run(self, run):
        """The re-plan of an agreement ended in its background job: the change
        order gets what moved (MOs, purchase orders); a failed re-plan leaves
        the plan in force and the order's chatter says why."""
        self.ensure_one()
        order = self.sale_order_id.sudo()
        if run.state != "done":
            order.message_post(
                body=self.env._(
                    "The re-plan after agreement %(name)s failed, the plan in force "
                    "is unchanged: %(why)s Run the schedule again.",
                    name=self.name,
                    why=run.message or "",
                )
            )
            return
        change_order = self.sudo().change_order_id
        if not change_order:
            return
        moved = run.line_ids.production_id
        purchase_orders = run.line_ids.purchase_line_id.order_id
        values = {"purchase_order_ids": [Command.set(purchase_orders.ids)]}
        if moved:
            values["production_ids"] = [Command.set(moved.ids)]
        change_order.write(values)

    def _pps_compute_promise(self):
        """The capable-to-promise answer instead of the standard lead time.

        ``sale.order.pps_quote_delivery_date()`` gives the earliest date the
        plant can deliver; without the red flag, an expected date later than
        that is answered as is (it can be met: ``binding`` is ``expected``).
        """
        self.ensure_one()
        order = self.sale_order_id
        promise = order.sudo().pps_quote_delivery_date()
        date = promise["date"]
        if self.expected_date and self.expected_date > date and not order.pps_rush:
            met = self.env._(
                "The expected date %(expected)s can be met.",
                expected=format_moment(self.env, self.expected_date),
            )
            return dict(
                promise,
                date=self.expected_date,
                binding="expected",
                explanation=f"{promise['explanation']} {met}",
                reasons=f"{promise['reasons']} {met}",
            )
        return promise
