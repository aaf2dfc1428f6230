"""Tidy screens with the scheduler: the MO's Work Orders tab keeps Odoo's
columns in view, and the scheduler's header buttons sit with their role."""

from lxml import etree

from .common import PpsCoordinationCase


class TestSchedulerViews(PpsCoordinationCase):
    def test_work_order_tab_hides_pps_columns(self):
        """The work-order list of the MO form: every PPS column is optional and
        hidden by default, so durations, Start buttons and states stay on
        screen."""
        arch = etree.fromstring(
            self.env["mrp.workorder"]
            .with_user(self.admin_user)
            .get_view(
                self.env.ref(
                    "mrp.mrp_production_workorder_tree_editable_view_mo_form"
                ).id,
                "list",
            )["arch"]
        )
        columns = arch.xpath("/list/field[starts-with(@name, 'pps_')]")
        self.assertGreaterEqual(len(columns), 6)
        for node in columns:
            with self.subTest(field=node.get("name")):
                self.assertEqual(node.get("optional"), "hide")

    def test_scheduler_header_buttons_sit_with_their_role(self):
        """Quote Delivery Date and Hold Quoted Date come with the sales
        buttons, Procure Shortages after the planners' Propose Date; all
        explain themselves."""
        user = self.unlock_user
        user.group_ids |= self.env.ref("pps_coordination.group_pps_planner")
        arch = etree.fromstring(
            self.env["sale.order"]
            .with_user(user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        buttons = arch.xpath("//header/button[starts-with(@name, 'action_pps_')]")
        names = [b.get("name") for b in buttons]
        sales = [
            "action_pps_quote",
            "action_pps_hold_quote",
            "action_pps_send_date_change",
        ]
        start = names.index("action_pps_quote")
        self.assertEqual(names[start : start + 3], sales)
        self.assertEqual(
            names[names.index("action_pps_open_propose_wizard") + 1],
            "action_pps_procure_shortages",
        )
        self.assertTrue(all(b.get("help") for b in buttons), names)
