"""The dispatch board in a real browser: the planner's tour and the Hoot suite.

Both run in Chromium through ``HttpCase`` (the test command passes
``--odoo-http``). The tour drives the real client action against the real
endpoint on the plant of ``test_dispatch_board`` planned in the current week;
the Hoot suite tests the component alone against a mocked server.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import (
    PLANNER_GROUPS,
    DispatchBoardPlant,
    create_routing,
    plan_in_sequence,
)


@tagged("post_install", "-at_install")
class TestDispatchBoardBrowser(DispatchBoardPlant, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env["res.users"])
        cls._setup_plant(today - timedelta(days=today.weekday()), prefix="Tour")
        cls.env["ir.config_parameter"].sudo().set_param("pps_scheduler.time_limit", "3")
        cls.planner = mail_new_test_user(
            cls.env,
            login="tour_planner",
            name="Tour Planner",
            groups=PLANNER_GROUPS,
            tz="UTC",
        )

    def test_planner_tour(self):
        """A planner opens the board, filters it by customer, changes a serial
        and sees the card move, then runs a dry run and applies it."""
        self.start_tour(
            "/odoo/action-pps_coordination_scheduler.pps_dispatch_board_action",
            "pps_dispatch_board_tour",
            login=self.planner.login,
        )
        self.assertEqual(self.order_a.pps_serial, 9, "the serial went to the server")
        runs = self.env["pps.schedule.run"].search([("trigger", "=", "board")])
        self.assertTrue(runs.filtered("dry_run").applied, "the dry run was applied")

    def test_hoot_suite(self):
        """The board component's Hoot unit tests pass in the browser."""
        self.browser_js(
            "/web/tests?headless&loglevel=2&preset=desktop&timeout=15000"
            "&filter=pps_dispatch_board",
            "",
            "",
            login="admin",
            timeout=600,
            success_signal="[HOOT] Test suite succeeded",
            error_checker=lambda message: "[HOOT]" not in message,
        )


@tagged("post_install", "-at_install")
class TestCompactBoardBrowser(DispatchBoardPlant, HttpCase):
    """Ten work centers at 1366 x 768: four presses (one with fourteen work
    orders on Tuesday), cutting and welding, and four idle work centers whose
    names come first alphabetically."""

    browser_size = "1366x768"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env["res.users"])
        cls._setup_plant(today - timedelta(days=today.weekday()), prefix="Tour")
        for index in range(1, 5):
            cls._create_workcenter(f"Tour AA Idle {index}")
        for index, count in ((1, 14), (2, 3), (3, 3), (4, 3)):
            press = cls._create_workcenter(f"Tour Press {index}")
            product = cls.env["product.product"].create(
                {"name": f"Tour Panel {index}", "is_storable": True}
            )
            create_routing(cls.env, product, [("Press", press, 30.0)])
            workorders = cls.env["mrp.workorder"]
            for _i in range(count):
                production = cls.env["mrp.production"].create(
                    {"product_id": product.id, "product_qty": 1}
                )
                production.action_confirm()
                workorders |= production.workorder_ids
            plan_in_sequence(workorders, cls._at(cls.tuesday, 8), [30] * count)
        cls.planner = mail_new_test_user(
            cls.env,
            login="compact_planner",
            name="Compact Planner",
            groups=PLANNER_GROUPS,
            tz="UTC",
        )

    def test_compact_board_fits_the_screen(self):
        """At 1366 x 768 the ten work centers show without scrolling, busiest
        first and idle ones last, and no MO number is cut."""
        self.assertEqual(
            self.env["mrp.workcenter"].search_count([("name", "like", "Tour")]), 10
        )
        self.start_tour(
            "/odoo/action-pps_coordination_scheduler.pps_dispatch_board_action",
            "pps_dispatch_board_compact_tour",
            login=self.planner.login,
        )
