"""The coordination screens load in the web client for the users of each group.

View errors that only the browser sees (a field missing from a kanban card, an
unknown widget, a field the user may not read) would break the screens while
every server test stays green.
"""

from odoo.tests import tagged
from odoo.tests.common import HttpCase

from .common import PpsCoordinationCase


@tagged("post_install", "-at_install")
class TestCoordinationScreens(PpsCoordinationCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_sale_order(expected_date=cls._in_days(9))
        cls.negotiation = cls._agree_new_order(cls.order, cls._in_days(10))

    def _open(self, path, ready, login):
        self.browser_js(
            path,
            "console.log('test successful')",
            ready=f"!!({ready})",
            login=login,
            timeout=90,
        )

    def test_sale_order_form_with_coordination_tab(self):
        """Sales open a locked order with its coordination tab and buttons."""
        self._open(
            f"/odoo/action-pps_coordination.sale_order_action/{self.order.id}",
            "document.querySelector('.o_form_view .o_notebook') && "
            "document.querySelector('button[name=action_pps_view_change_orders]')",
            "pps_sales",
        )

    def test_negotiation_kanban_and_form(self):
        """Planners open the negotiations board and a round."""
        self._open(
            "/odoo/action-pps_coordination.pps_negotiation_action",
            "document.querySelector('.o_kanban_renderer')",
            "pps_planner",
        )
        self._open(
            f"/odoo/action-pps_coordination.pps_negotiation_action/{self.negotiation.id}",
            "document.querySelector('.o_form_view .o_statusbar_status')",
            "pps_planner",
        )

    def test_locked_production_form(self):
        """Planners open a locked manufacturing order of the order."""
        production = self._confirm_with_production(self.order)[:1]
        self._open(
            f"/odoo/action-mrp.mrp_production_action/{production.id}",
            "document.querySelector('.o_form_view .alert-warning') && "
            "document.querySelector('.o_field_widget[name=pps_sale_order_id]')",
            "pps_planner",
        )

    def test_change_orders_lock_log_and_abnormalities(self):
        """The read-only registers and the abnormality list open for planners."""
        for action in (
            "pps_change_order_action",
            "pps_lock_log_action",
            "pps_abnormality_action",
        ):
            self._open(
                f"/odoo/action-pps_coordination.{action}",
                "document.querySelector('.o_list_renderer')",
                "pps_planner",
            )
