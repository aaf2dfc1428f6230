"""The demo factory builds the plant the demo database is shown with.

The test database has no demo data: the factory is loaded once for the class,
inside the test transaction, and rolled back afterwards. The factory is a plain
class run from ``res.company``: no model of it is registered in any database.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests.common import TransactionCase


class TestDemoFactoryIsNoModel(TransactionCase):
    def test_no_demo_factory_model(self):
        """The factory is demo tooling, not part of the data model: neither the
        registry nor ``ir.model`` of the (demo-less) test database knows it."""
        self.assertNotIn("pps.demo.factory", self.env.registry)
        self.assertFalse(
            self.env["ir.model"].search_count([("model", "=", "pps.demo.factory")])
        )
        self.assertFalse(
            self.env.ref(
                "pps_coordination.model_pps_demo_factory", raise_if_not_found=False
            )
        )


class TestDemoFactory(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = fields.Datetime.now()
        cls.loaded = cls.env["res.company"]._pps_load_demo_factory()
        cls.orders = cls.env["sale.order"].concat(
            *(cls.ref_demo(f"demo_sale_order_{i:02d}") for i in range(1, 37))
        )

    @classmethod
    def ref_demo(cls, name):
        return cls.env.ref(f"pps_coordination.{name}")

    def test_work_centers_run_on_shift_calendars(self):
        """The scheduler reads capacity from work center calendars: every demo
        work center needs one, most on two shifts, one on a single shift."""
        workcenters = self.env["mrp.workcenter"].concat(
            *(
                self.ref_demo(f"demo_workcenter_{key}")
                for key in (
                    "cutting",
                    "cnc",
                    "welding",
                    "painting",
                    "assembly1",
                    "assembly2",
                    "quality",
                )
            )
        )
        self.assertTrue(self.loaded)
        self.assertTrue(6 <= len(workcenters) <= 8)
        self.assertTrue(all(workcenters.mapped("resource_calendar_id")))
        two_shifts = self.ref_demo("demo_calendar_two_shifts")
        self.assertEqual(two_shifts.attendance_ids.mapped("dayofweek").count("0"), 2)
        self.assertEqual(
            sorted({(a.hour_from, a.hour_to) for a in two_shifts.attendance_ids}),
            [(6.0, 14.0), (14.0, 22.0)],
        )
        self.assertGreaterEqual(
            len(workcenters.filtered(lambda wc: wc.resource_calendar_id == two_shifts)),
            5,
        )
        self.assertTrue(all(wc.costs_hour > 0 for wc in workcenters))

    def test_public_holiday_and_alternative_work_center(self):
        """Downtime and alternatives are two things the scheduler must honour:
        the demo has a public holiday ahead and an assembly line with an
        alternative."""
        holiday = self.ref_demo("demo_leave_public_holiday")
        painting = self.ref_demo("demo_workcenter_painting")
        self.assertEqual(holiday.calendar_id, painting.resource_calendar_id)
        self.assertFalse(holiday.resource_id)
        self.assertEqual(holiday.time_type, "leave")
        self.assertGreater(holiday.date_from, self.now + timedelta(days=2))
        self.assertLess(holiday.date_from, self.now + timedelta(days=8))
        self.assertEqual(
            self.ref_demo("demo_workcenter_assembly1").alternative_workcenter_ids,
            self.ref_demo("demo_workcenter_assembly2"),
        )

    def test_bills_share_a_sub_assembly_and_produce_a_by_product(self):
        """Multi-level planning needs a semi-finished product used by two
        finished goods; the frame's BOM also yields a by-product."""
        frame = self.ref_demo("demo_product_sf100")
        boms = self.env["mrp.bom"].search([("bom_line_ids.product_id", "=", frame.id)])
        self.assertEqual(
            boms.product_tmpl_id,
            (
                self.ref_demo("demo_product_wb200") | self.ref_demo("demo_product_tc80")
            ).product_tmpl_id,
        )
        frame_bom = self.ref_demo("demo_bom_sf100")
        self.assertEqual(
            frame_bom.byproduct_ids.product_id, self.ref_demo("demo_product_so1")
        )
        self.assertTrue(all(bom.operation_ids for bom in boms | frame_bom))
        self.assertIn(
            self.env.ref("mrp.group_mrp_byproducts"),
            self.env.ref("base.group_user").implied_ids,
        )
        self.assertIn(
            self.env.ref("mrp.group_mrp_routings"),
            self.env.ref("base.group_user").implied_ids,
        )
        castor = self.ref_demo("demo_product_cw100")
        self.assertIn("CW-100B", castor.description)
        self.assertTrue(castor.seller_ids.delay)

    def test_order_book_spreads_over_six_weeks(self):
        """The demo must look alive on any day: 30-40 confirmed orders whose
        agreed dates run from two weeks ago to six weeks ahead."""
        self.assertTrue(30 <= len(self.orders) <= 40)
        self.assertEqual(set(self.orders.mapped("state")), {"sale"})
        self.assertEqual(self.orders.user_id, self.env.ref("base.user_admin"))
        dates = self.orders.mapped("commitment_date")
        self.assertGreaterEqual(min(dates), self.now - timedelta(days=17))
        self.assertLessEqual(max(dates), self.now + timedelta(days=44))
        self.assertGreater(max(dates), self.now + timedelta(days=35))
        self.assertTrue(6 <= len(self.orders.partner_id) <= 8)
        if "pps_expected_date" in self.orders._fields:
            self.assertTrue(
                all(
                    o.pps_expected_date and o.pps_expected_date <= o.commitment_date
                    for o in self.orders
                )
            )

    def test_some_orders_shipped_some_late(self):
        """Progress tracking needs history: some orders are delivered and done,
        others are past their agreed date without having shipped."""
        shipped = self.orders.filtered(
            lambda o: o.picking_ids and all(p.state == "done" for p in o.picking_ids)
        )
        self.assertGreaterEqual(len(shipped), 3)
        self.assertTrue(all(o.commitment_date < self.now for o in shipped))
        self.assertTrue(
            all(mo.state == "done" for mo in shipped.stock_reference_ids.production_ids)
        )
        late = self.orders.filtered(
            lambda o: (
                o.commitment_date < self.now
                and any(p.state not in ("done", "cancel") for p in o.picking_ids)
            )
        )
        self.assertGreaterEqual(len(late), 3)

    def test_rush_orders_carry_serials(self):
        """Rush orders with serials 1..5 show the red flag in the demo (only
        once the fields exist on sale.order)."""
        if (
            "pps_rush" not in self.orders._fields
            or "pps_serial" not in self.orders._fields
        ):
            self.skipTest("sale.order has no pps_rush/pps_serial yet")
        rush = self.orders.filtered("pps_rush")
        self.assertEqual(sorted(rush.mapped("pps_serial")), [1, 2, 3, 4, 5])
        self.assertTrue(
            all(
                self.now < o.commitment_date < self.now + timedelta(days=12)
                for o in rush
            )
        )

    def test_manufacturing_and_purchase_orders_confirmed_and_planned(self):
        """Confirmed orders must reach production and purchasing: their MOs
        (with child MOs for the frame) and POs are confirmed and most MOs are
        planned so work orders show on the Gantt."""
        productions = self.orders.stock_reference_ids.production_ids
        self.assertGreater(len(productions), len(self.orders))
        self.assertFalse(productions.filtered(lambda mo: mo.state == "draft"))
        children = productions.filtered(lambda mo: mo.production_group_id.parent_ids)
        self.assertEqual(children.product_id, self.ref_demo("demo_product_sf100"))
        open_mos = productions.filtered(lambda mo: mo.state == "confirmed")
        planned = open_mos.filtered("is_planned")
        self.assertGreater(len(planned), len(open_mos) // 2)
        self.assertTrue(all(planned.workorder_ids.mapped("date_start")))
        purchases = self.orders.stock_reference_ids.purchase_ids
        self.assertTrue(purchases)
        self.assertEqual(set(purchases.mapped("state")), {"purchase"})
        self.assertEqual(
            purchases.order_line.product_id,
            self.ref_demo("demo_product_cw100") | self.ref_demo("demo_product_pw50"),
        )

    def test_second_load_creates_nothing(self):
        """The loader runs on every install with demo data and may be called
        again by hand: the second call must leave the database unchanged."""
        counts = {
            model: self.env[model].search_count([])
            for model in (
                "sale.order",
                "mrp.production",
                "purchase.order",
                "mrp.workcenter",
                "product.product",
                "res.partner",
            )
        }
        self.assertFalse(self.env["res.company"]._pps_load_demo_factory())
        self.assertEqual(
            counts,
            {model: self.env[model].search_count([]) for model in counts},
        )

    def test_made_orders_wait_in_stock(self):
        """Two orders are made but not shipped: their MOs are done and their
        deliveries open, so the meeting's made-but-not-shipped audit has the
        factory's own orders to show."""
        made = self.ref_demo("demo_sale_order_09") | self.ref_demo("demo_sale_order_10")
        for order in made:
            self.assertTrue(order.mrp_production_ids)
            self.assertTrue(all(mo.state == "done" for mo in order.mrp_production_ids))
            self.assertFalse(
                order.picking_ids.filtered(
                    lambda p: p.picking_type_code == "outgoing" and p.state == "done"
                )
            )
            self.assertEqual(order.pps_progress, "completed")
        self.assertFalse(any(made.mapped("pps_overdue")))
