"""Tidy screens: the standard lists keep their PPS columns optional and hidden
until asked for, the sale order has one manufacturing smart button, and every
header button of the add-on says what it does."""

from lxml import etree

from .common import PpsCoordinationCase

#: Odoo's standard lists the add-on adds columns to, with the fields it adds.
STANDARD_LISTS = {
    ("sale.order", "sale.view_order_tree"): {
        "pps_expected_date",
        "pps_scheduled_date",
        "pps_rush",
        "pps_serial",
        "pps_negotiation_state",
        "pps_locked",
        "pps_delivery_date",
        "pps_progress",
        "pps_overdue",
    },
    ("mrp.production", "mrp.mrp_production_tree_view"): {
        "pps_rush",
        "pps_serial",
        "pps_locked",
        "pps_plan_pinned",
    },
}


class TestTidyViews(PpsCoordinationCase):
    def _arch(self, model, view_type, view=None, user=None):
        Model = self.env[model].with_user(user or self.admin_user)
        view_id = self.env.ref(view).id if view else False
        return etree.fromstring(
            Model.get_views([(view_id, view_type)])["views"][view_type]["arch"]
        )

    def test_standard_lists_hide_their_pps_columns(self):
        """Each PPS column of a standard list is optional and hidden by
        default, so Odoo's own columns keep their width."""
        for (model, view), names in STANDARD_LISTS.items():
            arch = self._arch(model, "list", view)
            for name in sorted(names):
                with self.subTest(view=view, field=name):
                    [node] = arch.xpath(f"/list/field[@name='{name}']")
                    self.assertEqual(node.get("optional"), "hide")
            extra = [
                node.get("name")
                for node in arch.xpath("/list/field[starts-with(@name, 'pps_')]")
                if node.get("optional") != "hide"
                and node.get("column_invisible") not in ("1", "True")
            ]
            self.assertFalse(extra, f"{view}: PPS columns shown by default")

    def test_one_manufacturing_smart_button(self):
        """The sale order shows Odoo's own Manufacturing smart button only."""
        arch = self._arch("sale.order", "form", user=self.admin_user)
        self.assertTrue(arch.xpath("//button[@name='action_view_mrp_production']"))
        self.assertFalse(arch.xpath("//button[@name='action_pps_view_productions']"))

    def test_header_buttons_explain_themselves(self):
        """Every PPS header button of the sale order and the MO has a tooltip;
        on the order, the sales buttons come first, then the planners', then
        the lock."""
        user = self.unlock_user
        user.group_ids |= self.env.ref("pps_coordination.group_pps_planner")
        for model in ("sale.order", "mrp.production"):
            buttons = self._arch(model, "form", user=user).xpath(
                "//header/button[starts-with(@name, 'action_pps_')]"
            )
            self.assertTrue(buttons, model)
            for button in buttons:
                with self.subTest(model=model, button=button.get("string")):
                    self.assertTrue(button.get("help"))
        order_buttons = [
            b.get("name")
            for b in self._arch("sale.order", "form", user=user).xpath(
                "//header/button[starts-with(@name, 'action_pps_')]"
            )
        ]
        self.assertLess(
            order_buttons.index("action_pps_send_date_change"),
            order_buttons.index("action_pps_open_propose_wizard"),
        )
        self.assertLess(
            order_buttons.index("action_pps_open_propose_wizard"),
            order_buttons.index("action_pps_lock"),
        )
