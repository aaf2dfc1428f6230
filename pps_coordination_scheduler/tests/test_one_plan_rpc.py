"""The flow a salesperson and a planner walk, end to end over XML-RPC.

Quotation -> request -> quote and answer (the scheduler's promise) -> agree
-> confirm (planned at once) -> postpone (the plan moves later) -> deliver ->
invoice, each step as the user who takes it, through Odoo's external API with
string dates, as an RPC client would. Every value returned must marshal.
"""

import json
from datetime import timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.tests.common import HttpCase, get_db_name, tagged

from .common import OnePlanCase


@tagged("post_install", "-at_install")
class TestOnePlanOverRpc(OnePlanCase, HttpCase):
    def _rpc(self, login, model, method, args, kwargs=None):
        uid = self.xmlrpc_common.authenticate(get_db_name(), login, login, {})
        self.assertTrue(uid, login)
        return self.xmlrpc_object.execute_kw(
            get_db_name(), uid, login, model, method, args, kwargs or {}
        )

    def _workorders(self, order_id):
        return self._rpc(
            "pps_planner",
            "mrp.workorder",
            "search_read",
            [[("production_id.pps_sale_order_id", "=", order_id)]],
            {"fields": ["date_start", "date_finished", "production_id"]},
        )

    def test_quotation_to_invoice_over_xmlrpc(self):
        """The whole walk works for the two roles that take it, and the plan
        follows the agreement at each step."""
        sales = "pps_sales"
        planner = "pps_planner"
        order_id = self._rpc(
            sales,
            "sale.order",
            "create",
            [
                {
                    "partner_id": self.customer.id,
                    "order_line": [
                        (0, 0, {"product_id": self.product.id, "product_uom_qty": 1})
                    ],
                }
            ],
        )
        expected = fields.Datetime.to_string(self._in_days(15))
        round_ids = self._rpc(
            sales, "sale.order", "action_pps_request_date", [[order_id], expected]
        )
        quote = self._rpc(
            planner, "sale.order", "pps_quote_delivery_date", [[order_id]]
        )
        self.assertTrue(quote["date"])
        self._rpc(planner, "pps.negotiation", "action_answer", [round_ids])
        answered = self._rpc(
            sales, "pps.negotiation", "read", [round_ids, ["state", "scheduled_date"]]
        )[0]
        self.assertEqual(answered["state"], "answered")
        self._rpc(sales, "pps.negotiation", "action_agree", [round_ids])

        self._rpc(sales, "sale.order", "action_confirm", [[order_id]])
        order = self.env["sale.order"].browse(order_id)
        self.assertTrue(order.pps_locked)
        planned = self._workorders(order_id)
        self.assertTrue(planned)
        self.assertTrue(all(w["date_start"] for w in planned), planned)
        first_start = min(fields.Datetime.to_datetime(w["date_start"]) for w in planned)

        later = fields.Datetime.to_string(self._in_days(30))
        change_ids = self._rpc(
            sales,
            "sale.order",
            "action_pps_request_date",
            [[order_id], later],
            {"scenario": "customer_change", "reason": "Customer site not ready"},
        )
        self._rpc(planner, "pps.negotiation", "action_answer", [change_ids, later])
        self._rpc(sales, "pps.negotiation", "action_agree", [change_ids])
        moved = self._workorders(order_id)
        new_start = min(fields.Datetime.to_datetime(w["date_start"]) for w in moved)
        self.assertGreaterEqual(new_start - first_start, timedelta(days=10))
        order.invalidate_recordset()
        self.assertEqual(fields.Datetime.to_string(order.commitment_date), later)
        self.assertEqual(len(order.pps_change_order_ids), 2)

        # the shop floor makes and ships it (stock users, not this walk's roles)
        production = order._pps_productions()
        production.move_raw_ids.quantity = 2
        production.move_raw_ids.picked = True
        production.qty_producing = 1
        production.button_mark_done()
        picking = order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        picking.move_ids.quantity = 1
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(order.pps_progress, "shipped")
        # a delivered order's date can no longer be negotiated
        with self.assertRaisesRegex(Fault, "is delivered"):
            self._rpc(
                sales,
                "sale.order",
                "action_pps_request_date",
                [[order_id], fields.Datetime.to_string(self._in_days(40))],
                {"scenario": "customer_change", "reason": "too late"},
            )

        # Odoo's own invoicing wizard returns an action holding None, which
        # XML-RPC cannot marshal (standard Odoo 19): a client invoices over
        # JSON-2, with an API key of the salesperson.
        key = (
            self.sales_user.with_user(self.sales_user)
            .env["res.users.apikeys"]
            ._generate(scope="rpc", name="walk", expiration_date=self._in_days(1))
        )
        context = {"active_model": "sale.order", "active_ids": [order_id]}
        wizard_ids = self._json2(
            key,
            "sale.advance.payment.inv",
            "create",
            {
                "vals_list": [
                    {
                        "advance_payment_method": "delivered",
                        "sale_order_ids": [order_id],
                    }
                ],
                "context": context,
            },
        )
        self._json2(
            key,
            "sale.advance.payment.inv",
            "create_invoices",
            {"ids": wizard_ids, "context": context},
        )
        self.assertEqual(order.invoice_ids.invoice_line_ids.quantity, 1)

    def _json2(self, key, model, method, body):
        response = self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(body),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {key}",
            },
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()
