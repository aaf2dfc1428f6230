"""The mid- and short-term horizons around the promise.

Mid-term: the schedule check (BoM and routing problems, refused by the
scheduler with a clear list), substitute components, the procurement plan of
a rush order. Short-term: the material check report and the readiness
checklist of work orders. Long-term: simulated demand quoted like an order.
"""

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PpsCoordinationCase


class HorizonsCase(PpsCoordinationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"pps_material_buffer_days": 3, "days_to_purchase": 0.0})
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.operator_user = mail_new_test_user(
            cls.env, login="pps_operator", groups="base.group_user,mrp.group_mrp_user"
        )

    @classmethod
    def _stock(cls, product, qty):
        cls.env["stock.quant"]._update_available_quantity(
            product, cls.stock_location, qty
        )

    @classmethod
    def _product_with_bom(cls, name, minutes=60, lines=None, with_operation=True):
        product = cls.env["product.product"].create({"name": name, "is_storable": True})
        vals = {
            "product_tmpl_id": product.product_tmpl_id.id,
            "product_qty": 1,
            "bom_line_ids": [
                Command.create({"product_id": p.id, "product_qty": q})
                for p, q in (lines or [])
            ],
        }
        if with_operation:
            vals["operation_ids"] = [
                Command.create(
                    {
                        "name": f"Make {name}",
                        "workcenter_id": cls.workcenter.id,
                        "time_cycle_manual": minutes,
                        "time_mode": "manual",
                    }
                )
            ]
        bom = cls.env["mrp.bom"].create(vals)
        return product, bom

    @classmethod
    def _production(cls, product, qty=1, plan=False, start=None):
        production = cls.env["mrp.production"].create(
            {"product_id": product.id, "product_qty": qty}
        )
        production.action_confirm()
        if plan:
            production.date_start = start or cls._now()
            production.button_plan()
        return production


class TestScheduleCheck(HorizonsCase):
    def test_cyclic_bom_refused(self):
        """A cyclic BoM (made behind the ORM's own constraint) is listed and the
        scheduler refuses the order, saying why."""
        part, part_bom = self._product_with_bom(
            "PPS Cyclic Part", lines=[(self.component, 1)]
        )
        product, _bom = self._product_with_bom("PPS Cyclic Top", lines=[(part, 1)])
        production = self._production(product)
        self.env.cr.execute(
            "UPDATE mrp_bom_line SET product_id = %s WHERE bom_id = %s",
            [product.id, part_bom.id],
        )
        self.env.invalidate_all()
        problems = self.env["pps.schedule.check"]._pps_find_problems(production)
        self.assertIn("cyclic_bom", [p["problem"] for p in problems])
        problem = self.env["pps.schedule.problem"]._prepare_problem(production)
        self.assertNotIn(production, problem.productions)
        self.assertIn("cyclic", problem.skipped[production])

    def test_operation_without_duration_refused(self):
        """An operation without duration is a blocking problem: not scheduled."""
        product, _bom = self._product_with_bom("PPS Instant", minutes=0)
        production = self._production(product)
        self.assertEqual(production.workorder_ids.duration_expected, 0)
        problem = self.env["pps.schedule.problem"]._prepare_problem(production)
        self.assertNotIn(production, problem.productions)
        self.assertIn("no duration", problem.skipped[production])

    def test_report_lists_problems(self):
        """The planner's report lists missing routings and blocking problems;
        healthy orders are not listed and still scheduled."""
        no_routing, _bom = self._product_with_bom(
            "PPS No Routing", with_operation=False
        )
        bad = self._production(no_routing)
        good = self._production(self.product)
        action = (
            self.env["pps.schedule.check"]
            .with_user(self.planner_user)
            .action_open_report()
        )
        lines = self.env["pps.schedule.check"].search(action["domain"])
        self.assertEqual(
            lines.filtered(lambda l: l.production_id == bad).problem, "missing_routing"
        )
        self.assertFalse(lines.filtered(lambda l: l.production_id == good))
        problem = self.env["pps.schedule.problem"]._prepare_problem(good)
        self.assertIn(good, problem.productions)

    def test_report_refused_to_sales(self):
        """Only planners run the schedule check."""
        with self.assertRaises(AccessError):
            self.env["pps.schedule.check"].with_user(
                self.sales_user
            ).action_open_report()


class TestSubstitutes(HorizonsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.substitute_product = cls.env["product.product"].create(
            {"name": "PPS Alloy Plate", "is_storable": True}
        )
        cls.substitute = cls.env["pps.substitute"].create(
            {
                "product_id": cls.component.id,
                "substitute_id": cls.substitute_product.id,
                "ratio": 2.0,
            }
        )

    def test_substitute_replaces_short_component(self):
        """A planner swaps the short component for the substitute in stock, at
        its ratio, and the chatter says so."""
        self._stock(self.substitute_product, 10)
        production = self._production(self.product)
        production.with_user(self.planner_user).action_pps_use_substitutes()
        moves = production.move_raw_ids
        main = moves.filtered(lambda m: m.product_id == self.component)
        sub = moves.filtered(lambda m: m.product_id == self.substitute_product)
        self.assertEqual(main.product_uom_qty, 0)
        self.assertEqual(sub.product_uom_qty, 4)
        self.assertEqual(sub.quantity, 4, "the substitute is reserved")
        self.assertIn("PPS Alloy Plate", production.message_ids[0].body)

    def test_substitute_refused(self):
        """Sales users may not substitute; without substitute stock it says so."""
        production = self._production(self.product)
        with self.assertRaises(AccessError):
            production.with_user(self.sales_user).action_pps_use_substitutes()
        with self.assertRaises(UserError):
            production.with_user(self.planner_user).action_pps_use_substitutes()

    def test_promise_counts_substitute(self):
        """The promise covers a short component from its substitute's stock
        instead of waiting for the vendor."""
        self.component.seller_ids.delay = 20
        self._stock(self.substitute_product, 10)
        order = self._create_sale_order(qty=1, pps_rush=True)
        promise = order.with_user(self.sales_user).pps_quote_delivery_date()
        self.assertFalse(promise["material"])
        self.assertIn("PPS Alloy Plate", promise["explanation"])
        self.assertLess(promise["date"], self._in_days(10))

    def test_self_substitute_refused(self):
        """A component cannot be its own substitute."""
        with self.assertRaises(ValidationError):
            self.env["pps.substitute"].create(
                {"product_id": self.component.id, "substitute_id": self.component.id}
            )


class TestShortTerm(HorizonsCase):
    def test_material_check_lists_operations_soon(self):
        """Operations starting within the buffer days without their components
        reserved are listed; those starting later are not."""
        soon = self._production(self.product, plan=True)
        later = self._production(self.product, plan=True, start=self._in_days(20))
        action = (
            self.env["pps.material.check"]
            .with_user(self.planner_user)
            .action_open_report()
        )
        lines = self.env["pps.material.check"].search(action["domain"])
        listed = lines.filtered(lambda l: l.production_id == soon)
        self.assertEqual(listed.product_id, self.component)
        self.assertEqual(listed.missing_qty, 2)
        self.assertFalse(lines.filtered(lambda l: l.production_id == later))

    def test_readiness_checklist(self):
        """Planners tick fixtures, equipment and manpower; the work order is
        ready once all three are ticked; operators may not tick."""
        production = self._production(self.product, plan=True)
        workorder = production.workorder_ids
        with self.assertRaises(AccessError):
            workorder.with_user(self.operator_user).pps_ready_tools = True
        workorder.with_user(self.planner_user).write(
            {"pps_ready_tools": True, "pps_ready_equipment": True}
        )
        self.assertFalse(workorder.pps_ready)
        workorder.with_user(self.planner_user).pps_ready_manpower = True
        self.assertTrue(workorder.pps_ready)
        self.assertIn("readiness", production.message_ids[0].body)


class TestLongTermAndProcurement(HorizonsCase):
    def test_simulated_demand_quoted(self):
        """A simulated demand is quoted like an order: its answer is kept, and
        no sale order is created."""
        self.component.seller_ids.delay = 12
        orders = self.env["sale.order"].search_count([])
        demand = (
            self.env["pps.simulated.demand"]
            .with_user(self.sales_user)
            .create(
                {
                    "name": "Forecast Q1",
                    "product_id": self.product.id,
                    "product_qty": 2,
                    "desired_date": self._in_days(30),
                    "partner_id": self.customer.id,
                }
            )
        )
        demand.action_quote()
        self.assertEqual(demand.state, "quoted")
        self.assertEqual(demand.binding, "material")
        self.assertGreater(demand.quoted_date, self._in_days(15))
        self.assertTrue(demand.meets_desired_date)
        self.assertEqual(self.env["sale.order"].search_count([]), orders)

    def _rush_setup(self):
        """A product made from a bought, make-to-stock plate with no stock."""
        plate = self.env["product.product"].create(
            {
                "name": "PPS Stock Plate",
                "is_storable": True,
                "route_ids": [Command.set([self.route_buy.id])],
                "seller_ids": [
                    Command.create({"partner_id": self.vendor.id, "delay": 2})
                ],
            }
        )
        product, _bom = self._product_with_bom("PPS Rush Gear", lines=[(plate, 3)])
        product.route_ids = [
            Command.set([self.route_manufacture.id, self.route_mto.id])
        ]
        return plate, product

    def test_rush_confirmation_procures_shortages(self):
        """Confirming a rush quotation issues the RFQs for its shortages at once;
        a normal order does not."""
        plate, product = self._rush_setup()
        normal = self._create_sale_order(product=product, qty=1)
        normal.action_confirm()
        lines = self.env["purchase.order.line"].search([("product_id", "=", plate.id)])
        self.assertFalse(lines)
        rush = self._create_sale_order(product=product, qty=2, pps_rush=True)
        rush.action_confirm()
        lines = self.env["purchase.order.line"].search([("product_id", "=", plate.id)])
        self.assertEqual(lines.product_qty, 6, "the rush order's shortage only")
        self.assertIn(rush.name, lines.order_id.origin)

    def test_rush_agreement_procures_shortages(self):
        """Agreeing a rush order issues RFQs for the shortages of its
        production through replenishment, on the same day."""
        plate, product = self._rush_setup()
        order = self._create_sale_order(product=product, qty=2)
        self._confirm_with_production(order)
        lines_before = self.env["purchase.order.line"].search(
            [("product_id", "=", plate.id)]
        )
        self.assertFalse(lines_before)
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            self._in_days(3), scenario="rush_order"
        )
        negotiation.with_user(self.planner_user).action_answer(self._in_days(3))
        negotiation.with_user(self.sales_user).action_agree()
        lines = self.env["purchase.order.line"].search([("product_id", "=", plate.id)])
        self.assertEqual(lines.product_qty, 6)
        self.assertEqual(lines.order_id.state, "draft")
        self.assertIn("Procurement plan", order.message_ids[0].body)
