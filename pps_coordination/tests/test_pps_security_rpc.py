"""The coordination rules hold for XML-RPC clients, not only in the UI."""

from xmlrpc.client import Fault

from odoo import fields
from odoo.tests.common import HttpCase, get_db_name, tagged

from .common import PpsCoordinationCase


@tagged("post_install", "-at_install")
class TestCoordinationOverRpc(PpsCoordinationCase, HttpCase):
    def _rpc(self, login, model, method, args, kwargs=None):
        uid = self.xmlrpc_common.authenticate(get_db_name(), login, login, {})
        self.assertTrue(uid, login)
        return self.xmlrpc_object.execute_kw(
            get_db_name(), uid, login, model, method, args, kwargs or {}
        )

    def test_dialogue_and_lock_over_xmlrpc(self):
        """Sales request and agree, a planner answers, all over XML-RPC with
        string dates; the wrong group and a forged lock bypass are refused."""
        order = self._create_sale_order()
        expected = fields.Datetime.to_string(self._in_days(10))
        scheduled = fields.Datetime.to_string(self._in_days(11))
        negotiation_ids = self._rpc(
            "pps_sales",
            "sale.order",
            "action_pps_request_date",
            [[order.id], expected],
            {"reason": "over RPC"},
        )
        self.assertEqual(len(negotiation_ids), 1)
        with self.assertRaisesRegex(Fault, "Only production planners"):
            self._rpc(
                "pps_sales",
                "pps.negotiation",
                "action_answer",
                [negotiation_ids, scheduled],
            )
        self._rpc(
            "pps_planner",
            "pps.negotiation",
            "action_answer",
            [negotiation_ids, scheduled],
        )
        with self.assertRaisesRegex(Fault, "Only sales coordinators"):
            self._rpc(
                "pps_planner", "pps.negotiation", "action_agree", [negotiation_ids]
            )
        self._rpc("pps_sales", "pps.negotiation", "action_agree", [negotiation_ids])
        order.invalidate_recordset()
        self.assertEqual(fields.Datetime.to_string(order.commitment_date), scheduled)
        self.assertTrue(order.pps_locked)

        with self.assertRaisesRegex(Fault, "execution lock"):
            self._rpc(
                "pps_admin",
                "sale.order",
                "write",
                [[order.id], {"commitment_date": expected}],
                {"context": {"pps_lock_bypass": "PPS_LOCK_BYPASS"}},
            )
        with self.assertRaisesRegex(Fault, "Unlock Privilege"):
            self._rpc(
                "pps_admin",
                "sale.order",
                "action_pps_unlock",
                [[order.id]],
                {"reason": "admin wants it"},
            )
        self._rpc(
            "pps_unlock",
            "sale.order",
            "action_pps_unlock",
            [[order.id]],
            {"reason": "customer call"},
        )
        order.invalidate_recordset()
        self.assertFalse(order.pps_locked)
