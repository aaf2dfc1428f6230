"""Security of the coordination models: access rights per group, multi-company
rules, views that hide what a user cannot do, and the wizards as the UI uses them."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import SALES_GROUPS, PpsCoordinationCase


class TestPpsSecurity(PpsCoordinationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_sale_order()
        cls.negotiation = cls._agree_new_order(cls.order, cls._in_days(10))
        cls.abnormality = cls.env["pps.abnormality"].create(
            {"workcenter_id": cls.workcenter.id, "date_end": cls._in_days(1)}
        )
        cls.company_b = cls.env["res.company"].create({"name": "PPS Other Plant"})
        cls.user_b = mail_new_test_user(
            cls.env,
            login="pps_sales_b",
            groups=SALES_GROUPS + ",pps_coordination.group_pps_planner",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.portal_user = mail_new_test_user(
            cls.env, login="pps_portal", groups="base.group_portal"
        )

    def test_other_company_cannot_read_our_coordination_records(self):
        """A coordinator of company B sees none of company A's negotiations,
        change orders, lock log entries or abnormalities."""
        records = (
            self.negotiation,
            self.negotiation.change_order_id,
            self.env["pps.lock.log"].search([("res_id", "=", self.order.id)], limit=1),
            self.abnormality,
        )
        for record in records:
            self.assertTrue(record)
            with self.assertRaises(AccessError, msg=record._name):
                record.with_user(self.user_b).read(["company_id"])
            self.assertFalse(
                self.env[record._name].with_user(self.user_b).search([]),
                record._name,
            )
        # the same user sees them once company A is allowed
        self.user_b.company_ids = [Command.link(self.company.id)]
        self.assertIn(
            self.negotiation,
            self.env["pps.negotiation"].with_user(self.user_b).search([]),
        )

    def test_portal_has_no_access(self):
        """Customers on the portal see no internal negotiation."""
        for model in (
            "pps.negotiation",
            "pps.change.order",
            "pps.lock.log",
            "pps.abnormality",
        ):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.portal_user).search([])

    def test_access_rights_per_group(self):
        """Change orders and the lock log are read-only records; sales read
        abnormalities, planners record them; planners read sale orders (as
        manufacturing users) but may not raise the red flag."""
        change = self.negotiation.change_order_id
        self.assertEqual(
            change.with_user(self.sales_user).new_date, self.negotiation.scheduled_date
        )
        with self.assertRaises(AccessError):
            change.with_user(self.planner_user).write({"reason": "edited"})
        with self.assertRaises(AccessError):
            change.with_user(self.sales_user).unlink()
        with self.assertRaises(AccessError):
            self.env["pps.abnormality"].with_user(self.sales_user).create(
                {"workcenter_id": self.workcenter.id, "date_end": self._in_days(2)}
            )
        self.assertEqual(self.abnormality.with_user(self.sales_user).state, "draft")
        self.assertEqual(
            self.order.with_user(self.planner_user).commitment_date,
            self.negotiation.scheduled_date,
        )
        with self.assertRaises(AccessError):
            self.order.with_user(self.planner_user).write({"pps_serial": 2})
        with self.assertRaises(AccessError):
            self.negotiation.with_user(self.sales_user).unlink()

    def test_views_hide_what_the_user_cannot_do(self):
        """Buttons are only in the views of the groups allowed to use them."""

        def form_arch(model, user):
            return (
                self.env[model]
                .with_user(user)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )

        sales_form = form_arch("sale.order", self.sales_user)
        planner_form = form_arch("sale.order", self.planner_user)
        unlock_form = form_arch("sale.order", self.unlock_user)
        self.assertIn("action_pps_open_request_wizard", sales_form)
        self.assertNotIn("action_pps_open_request_wizard", planner_form)
        self.assertIn("action_pps_open_propose_wizard", planner_form)
        self.assertNotIn("action_pps_open_propose_wizard", sales_form)
        self.assertNotIn("action_pps_open_unlock_wizard", sales_form)
        self.assertIn("action_pps_open_unlock_wizard", unlock_form)
        negotiation_sales = form_arch("pps.negotiation", self.sales_user)
        negotiation_planner = form_arch("pps.negotiation", self.planner_user)
        self.assertIn("action_open_decide_wizard", negotiation_sales)
        self.assertNotIn("action_open_answer_wizard", negotiation_sales)
        self.assertIn("action_open_answer_wizard", negotiation_planner)
        self.assertNotIn("action_open_decide_wizard", negotiation_planner)

    def test_sale_order_form_opens_for_every_kind_of_user(self):
        """Adding the coordination tab must not lock out salespeople outside
        the coordination groups: each salesperson can open the form, and
        planners read the coordination fields."""
        plain_salesman = mail_new_test_user(
            self.env,
            login="pps_plain_sales",
            groups="base.group_user,sales_team.group_sale_salesman_all_leads",
        )
        for user in (plain_salesman, self.sales_user):
            form = Form(self.order.with_user(user))
            self.assertEqual(form.partner_id, self.customer, user.login)
        values = self.order.with_user(self.planner_user).read(
            ["pps_negotiation_ids", "pps_change_order_count", "pps_locked_by_id"]
        )[0]
        self.assertEqual(values["pps_change_order_count"], 1)

    def test_wizards_run_the_dialogue_as_the_ui_does(self):
        """Request, answer (empty date: the promise), decide and unlock through
        the wizards, each as the user of the right group."""
        order = self._create_sale_order()
        request = (
            self.env["pps.negotiation.request"]
            .with_user(self.sales_user)
            .with_context(default_sale_order_id=order.id)
            .create({"expected_date": self._in_days(9), "reason": "Tender"})
        )
        action = request.action_confirm()
        negotiation = self.env["pps.negotiation"].browse(action["res_id"])
        self.assertEqual(negotiation.scenario, "new_order")

        answer = (
            self.env["pps.negotiation.answer"]
            .with_user(self.planner_user)
            .create({"negotiation_id": negotiation.id})
        )
        answer.action_confirm()
        self.assertEqual(negotiation.state, "answered")
        self.assertTrue(negotiation.scheduled_date)

        decide = (
            self.env["pps.negotiation.decide"]
            .with_user(self.sales_user)
            .create({"negotiation_id": negotiation.id, "decision": "agree"})
        )
        decide.action_confirm()
        self.assertEqual(negotiation.state, "agreed")
        self.assertTrue(order.pps_locked)

        with self.assertRaises(AccessError):
            self.env["pps.unlock.wizard"].with_user(self.sales_user).create(
                {"res_model": "sale.order", "res_ids": order.ids, "reason": "x"}
            )
        action = order.with_user(self.unlock_user).action_pps_open_unlock_wizard()
        unlock = (
            self.env["pps.unlock.wizard"]
            .with_user(self.unlock_user)
            .with_context(**action["context"])
            .create({"reason": "Customer adds a line"})
        )
        unlock.action_confirm()
        self.assertFalse(order.pps_locked)

    def test_rush_request_wizard_raises_flag_and_serial(self):
        """Ticking the red flag in the request makes it a rush order with a serial."""
        order = self._create_sale_order()
        request = (
            self.env["pps.negotiation.request"]
            .with_user(self.sales_user)
            .with_context(default_sale_order_id=order.id)
            .create({"expected_date": self._in_days(2), "rush": True, "serial": 3})
        )
        action = request.action_confirm()
        negotiation = self.env["pps.negotiation"].browse(action["res_id"])
        self.assertEqual(negotiation.scenario, "rush_order")
        self.assertTrue(order.pps_rush)
        self.assertEqual(order.pps_serial, 3)
