"""Why late: each cause produced by a scenario that creates exactly it.

A round-the-clock plant (UTC) with two work centers and a product routed Cut
(120 min) then Weld (60 min). Each test builds one situation, plans it through
the scheduler's entry point as a planner, and reads the cause the run wrote
over XML-RPC, as a planner's or a salesperson's client would.
"""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests.common import HttpCase, get_db_name, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import create_calendar, create_routing, create_workcenter

LATE_FIELDS = [
    "pps_late_cause",
    "pps_late_reason",
    "pps_late_workcenter_id",
    "pps_late_blocker_id",
    "pps_late_hours",
]


@tagged("post_install", "-at_install")
class TestLateCause(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # runs in the request, as the suites assert their plans at once
        # (test_background_runs covers the background jobs)
        cls.env["ir.config_parameter"].sudo().set_param("pps_scheduler.background", "0")
        cls.company = cls.env.company
        cls.company.write(
            {
                "pps_rush_capacity_share": 0.0,
                "pps_material_buffer_days": 1,
                "pps_jit_slack_days": 0.0,
                "pps_frozen_days": 3,
                "security_lead": 0.0,
            }
        )
        cls.planner = mail_new_test_user(
            cls.env,
            login="late_planner",
            groups="base.group_user,pps_coordination.group_pps_planner",
        )
        cls.salesman = mail_new_test_user(
            cls.env,
            login="late_sales",
            groups="base.group_user,pps_coordination.group_pps_sales",
        )
        cls.calendar = create_calendar(
            cls.env, "Late cause: round the clock (UTC)", 0.0, 24.0, days=range(7)
        )
        cls.wc_cut = create_workcenter(cls.env, "Late Cutting", cls.calendar)
        cls.wc_weld = create_workcenter(cls.env, "Late Welding", cls.calendar)
        cls.product = cls.env["product.product"].create(
            {"name": "Late Frame", "is_storable": True}
        )
        cls.bom = create_routing(
            cls.env,
            cls.product,
            [("Cut", cls.wc_cut, 120.0), ("Weld", cls.wc_weld, 60.0)],
        )
        # made to order: a sale order of it creates (and plans) its MO
        cls.env.ref("stock.route_warehouse0_mto").active = True
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.made = cls.env["product.product"].create(
            {
                "name": "Late Made Frame",
                "is_storable": True,
                "route_ids": [
                    Command.set(
                        [
                            warehouse.manufacture_pull_id.route_id.id,
                            warehouse.mto_pull_id.route_id.id,
                        ]
                    )
                ],
            }
        )
        bom = create_routing(
            cls.env, cls.made, [("Cut", cls.wc_cut, 120.0), ("Weld", cls.wc_weld, 60.0)]
        )
        # a component on hand: Odoo confirms a procured MO that consumes some
        bolt = cls.env["product.product"].create(
            {"name": "Late Bolt", "is_storable": True}
        )
        bom.bom_line_ids = [Command.create({"product_id": bolt.id, "product_qty": 1})]
        cls.env["stock.quant"]._update_available_quantity(
            bolt, warehouse.lot_stock_id, 100.0
        )

    def setUp(self):
        super().setUp()
        # read per test, not once per class: the plan starts from the real
        # clock, and the scenarios are counted in hours from it
        self.now = fields.Datetime.now().replace(second=0, microsecond=0)

    # helpers -----------------------------------------------------------------
    def _production(self, hours, product=None, bom=None):
        """A confirmed MO of one unit due ``hours`` from now."""
        production = self.env["mrp.production"].create(
            {
                "product_id": (product or self.product).id,
                "bom_id": (bom or self.bom).id,
                "product_qty": 1.0,
                "date_deadline": self.now + timedelta(hours=hours),
            }
        )
        production.action_confirm()
        return production

    def _run(self, productions):
        run = (
            self.env["pps.schedule.run"]
            .with_user(self.planner)
            .schedule(productions=productions, time_limit=5, workers=1)
        )
        self.assertEqual(run.state, "done", run.message)
        return run

    def _rpc_read(self, login, model, records, names):
        uid = self.xmlrpc_common.authenticate(get_db_name(), login, login, {})
        self.assertTrue(uid, login)
        rows = self.xmlrpc_object.execute_kw(
            get_db_name(), uid, login, model, "read", [records.ids, names]
        )
        return {row["id"]: row for row in rows}

    def _causes(self, productions):
        return self._rpc_read(
            "late_planner", "mrp.production", productions, LATE_FIELDS
        )

    def _assert_cause(self, production, cause, *words):
        row = self._causes(production)[production.id]
        self.assertEqual(row["pps_late_cause"], cause, row["pps_late_reason"])
        for word in words:
            self.assertIn(word, row["pps_late_reason"])
        self.assertGreater(row["pps_late_hours"], 0.0)
        return row

    def _cards(self, value):
        """Every card dict inside the board's data, wherever it sits."""
        if isinstance(value, dict):
            if "production_id" in value and "late" in value:
                yield value
            for item in value.values():
                yield from self._cards(item)
        elif isinstance(value, list):
            for item in value:
                yield from self._cards(item)

    # causes ------------------------------------------------------------------
    def test_a_long_queue_lists_five_orders_ahead_and_counts_the_rest(self):
        """Seven orders for one saw, two hours each, the first six due half an
        hour after their work ends: the seventh waits behind six, of which
        the cause names five and counts one more (no rush reserve, so the
        saw works the whole day whatever the clock)."""
        self.company.pps_rush_capacity_share = 0.0
        ahead = self.env["mrp.production"]
        for k in range(1, 7):
            ahead |= self._production(2 * k + 1.5)
        last = self._production(14)
        self._run(ahead | last)
        row = self._assert_cause(last, "capacity", "Late Cutting", "6 orders ahead")
        listed = [p.name for p in ahead if p.name in row["pps_late_reason"]]
        self.assertEqual(len(listed), 5, row["pps_late_reason"])
        self.assertIn("and 1 more", row["pps_late_reason"])

    def test_capacity_names_the_work_center_and_the_orders_ahead(self):
        """Three orders for one saw: the third waits behind the other two,
        which stay on time and carry no cause; with more time, no cause.

        The first two get half an hour of slack (their work ends at 3 h and
        5 h), so that the minute the plan starts after ``now`` does not make
        them late; the third ends at 7 h, an hour after its due time."""
        first, second, third = (
            self._production(3.5),
            self._production(5.5),
            self._production(6),
        )
        self._run(first | second | third)
        causes = self._causes(first | second | third)
        self.assertFalse(causes[first.id]["pps_late_cause"])
        self.assertFalse(causes[second.id]["pps_late_cause"])
        row = self._assert_cause(
            third, "capacity", "Late Cutting", first.name, second.name
        )
        self.assertEqual(row["pps_late_workcenter_id"][0], self.wc_cut.id)
        self.assertIn(row["pps_late_blocker_id"][0], (first | second).ids)
        self.assertAlmostEqual(row["pps_late_hours"], 1.0, places=1)
        # the planners' board shows the cause on the late card
        board = self.env["pps.dispatch.board"].with_user(self.planner)
        cards = [
            card
            for card in self._cards(
                board.get_board_data(fields.Date.to_string(self.now))
            )
            if card["production_id"] == third.id
        ]
        self.assertTrue(cards)
        for card in cards:
            self.assertTrue(card["late"])
            self.assertEqual(card["late_cause"], "capacity")
            self.assertEqual(card["late_reason"], row["pps_late_reason"])
        # more time for the order: the next run clears its cause
        third.date_deadline = self.now + timedelta(days=3)
        self._run(first | second | third)
        self.assertFalse(self._causes(third)[third.id]["pps_late_cause"])

    def test_material_names_the_component_and_its_receipt(self):
        tube = self.env["product.product"].create(
            {"name": "Late Tube", "is_storable": True}
        )
        product = self.env["product.product"].create(
            {"name": "Late Tubed Frame", "is_storable": True}
        )
        bom = create_routing(
            self.env,
            product,
            [("Cut", self.wc_cut, 120.0), ("Weld", self.wc_weld, 60.0)],
        )
        bom.bom_line_ids = [Command.create({"product_id": tube.id, "product_qty": 1})]
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "scheduled_date": self.now + timedelta(days=4),
                "move_ids": [
                    Command.create(
                        {
                            "product_id": tube.id,
                            "product_uom_qty": 1,
                            "location_id": self.env.ref(
                                "stock.stock_location_suppliers"
                            ).id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                            "date": self.now + timedelta(days=4),
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        production = self._production(24, product=product, bom=bom)
        self._run(production)
        self._assert_cause(production, "material", "Late Tube", receipt.name)
        self.assertGreaterEqual(
            min(production.workorder_ids.mapped("date_start")),
            self.now + timedelta(days=5),
        )

    def test_frozen_work_ahead(self):
        """The saw holds another order's work in the frozen zone."""
        frozen = self._production(48)
        cut, weld = frozen.workorder_ids.sorted("sequence")
        start = self.now + timedelta(minutes=30)
        for workorder, (begin, end) in ((cut, (30, 150)), (weld, (150, 210))):
            workorder.with_context(bypass_duration_calculation=True).write(
                {
                    "date_start": self.now + timedelta(minutes=begin),
                    "date_finished": self.now + timedelta(minutes=end),
                }
            )
        late = self._production(2)
        self._run(frozen | late)
        self.assertEqual(cut.date_start, start, "frozen work does not move")
        row = self._assert_cause(late, "frozen", "Late Cutting", frozen.name)
        self.assertEqual(row["pps_late_blocker_id"][0], frozen.id)

    def test_pinned_order_is_fixed(self):
        pinned = self._production(1)
        cut, weld = pinned.workorder_ids.sorted("sequence")
        start = self.now + timedelta(days=4)
        for workorder, (begin, end) in ((cut, (0, 120)), (weld, (120, 180))):
            workorder.with_context(bypass_duration_calculation=True).write(
                {
                    "date_start": start + timedelta(minutes=begin),
                    "date_finished": start + timedelta(minutes=end),
                }
            )
        pinned.with_user(self.planner).action_pps_pin_plan()
        self._run(pinned)
        self._assert_cause(pinned, "fixed", "pinned")

    def test_predecessor_sub_assembly(self):
        """The parent cannot start before its sub-assembly order ends."""
        child = self._production(72)
        parent = self._production(2)
        self.assertTrue(child.production_group_id and parent.production_group_id)
        parent.production_group_id.child_ids = [
            Command.link(child.production_group_id.id)
        ]
        self.assertEqual(parent._get_children(), child)
        self._run(child | parent)
        causes = self._causes(child | parent)
        self.assertFalse(causes[child.id]["pps_late_cause"])
        row = self._assert_cause(parent, "predecessor", child.name)
        self.assertEqual(row["pps_late_blocker_id"][0], child.id)

    def test_locked_week(self):
        self.env["pps.dispatch.board"].with_user(self.planner).action_lock_week(
            self.wc_cut.id,
            fields.Date.to_string(fields.Date.context_today(self.planner)),
        )
        production = self._production(3)
        self._run(production)
        self._assert_cause(production, "locked_week", "Late Cutting")

    def test_abnormality_takes_the_capacity(self):
        failure = (
            self.env["pps.abnormality"]
            .with_user(self.planner)
            .create(
                {
                    "name": "Saw broken",
                    "abnormality_type": "equipment_failure",
                    "workcenter_id": self.wc_cut.id,
                    "capacity_factor": 0.0,
                    "date_start": self.now - timedelta(hours=1),
                    "date_end": self.now + timedelta(days=1),
                }
            )
        )
        failure.action_confirm()
        order = self.env["sale.order"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Late Co"}).id,
                "commitment_date": self.now + timedelta(hours=3),
                "user_id": self.salesman.id,
                "order_line": [
                    Command.create({"product_id": self.made.id, "product_uom_qty": 1})
                ],
            }
        )
        order.with_user(self.salesman).action_confirm()
        production = order._pps_productions()
        self.assertEqual(len(production), 1)
        # confirming planned it already, and said why it is late
        self.assertEqual(production.pps_late_cause, "abnormality")
        self._run(production)
        self._assert_cause(production, "abnormality", "Late Cutting", failure.name)
        self.assertTrue(order.pps_projected_late)
        # the salesperson reads the same cause on the order
        sale = self._rpc_read(
            "late_sales",
            "sale.order",
            order,
            ["pps_late_cause", "pps_late_reason", "pps_late_production_id"],
        )[order.id]
        self.assertEqual(sale["pps_late_cause"], "abnormality")
        self.assertEqual(sale["pps_late_production_id"][0], production.id)
        # the weekly meeting lists it under its cause, on screen and in the PDF
        meeting = (
            self.env["pps.weekly.meeting.report"]
            .with_user(self.salesman)
            .create({"week_date": fields.Date.today()})
        )
        self.assertIn(order, meeting.late_cause_order_ids)
        self.assertIn("Abnormality: 1", meeting.late_cause_summary)
        html = (
            self.env["ir.actions.report"]
            .with_user(self.salesman)
            ._render_qweb_html(
                "pps_coordination.action_report_pps_weekly_meeting", meeting.ids
            )[0]
            .decode()
        )
        self.assertIn("Why Late", html)
        self.assertIn(order.name, html.split("Why Late", 1)[1])
        self.assertIn(failure.name, html)
        action = meeting.action_open_late_causes()
        self.assertEqual(
            self.env["sale.order"].with_user(self.salesman).search(action["domain"]),
            order,
        )

    def test_not_enough_time(self):
        """Nothing holds it: its own three hours of work do not fit in one."""
        production = self._production(1)
        self._run(production)
        self._assert_cause(production, "lead_time", "Late Cutting")

    def test_preview_writes_its_causes_when_applied(self):
        """A dry run writes nothing; applying it writes the causes of its plan."""
        production = self._production(1)
        run = (
            self.env["pps.schedule.run"]
            .with_user(self.planner)
            .schedule(productions=production, time_limit=5, workers=1, dry_run=True)
        )
        self.assertEqual(run.state, "done", run.message)
        self.assertFalse(production.pps_late_cause)
        run.with_user(self.planner).action_apply()
        self._assert_cause(production, "lead_time", "Late Cutting")
