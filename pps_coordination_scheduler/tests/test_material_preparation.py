"""The material preparation plan (issue 16, item 6).

Materials must be at the station the company's material buffer days before
the work that consumes them starts. Every applied run dates the component
transfers accordingly: the pick-components transfer in two-step manufacturing,
the MO's own component moves in one-step manufacturing. The short-term
material check names the transfer of each component not yet at the station.
All through the real extraction, run and write-back, as the planner.
"""

from datetime import timedelta

from odoo import Command

from .common import SchedulerCase


class MaterialPreparationCase(SchedulerCase):
    """The two-shift plant of ``SchedulerCase`` (Cut 120 min, then Weld 60 min,
    material buffer 1 day); the frame consumes a tube at Cut and a bracket
    at Weld (both in stock, bought)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.tube = cls.env["product.product"].create(
            {"name": "Prep Tube", "is_storable": True}
        )
        cls.bracket = cls.env["product.product"].create(
            {"name": "Prep Bracket", "is_storable": True}
        )
        cut, weld = cls.bom.operation_ids.sorted("sequence")
        cls.bom.bom_line_ids = [
            Command.create(
                {"product_id": cls.tube.id, "product_qty": 2, "operation_id": cut.id}
            ),
            Command.create(
                {
                    "product_id": cls.bracket.id,
                    "product_qty": 1,
                    "operation_id": weld.id,
                }
            ),
        ]
        for product in (cls.tube, cls.bracket):
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.warehouse.lot_stock_id, 100
            )

    def _consumer(self, production, product):
        operation = production.bom_id.bom_line_ids.filtered(
            lambda line: line.product_id == product
        ).operation_id
        return production.workorder_ids.filtered(
            lambda wo: wo.operation_id == operation
        )


class TestOneStep(MaterialPreparationCase):
    def test_component_moves_are_due_a_buffer_before_their_operation(self):
        """One-step manufacturing: each component move is dated its consuming
        work order's planned start minus the buffer (Odoo would date them all
        at the MO's start)."""
        production = self._create_production(deadline_days=3)
        run = self._schedule(production)
        self.assertEqual(run.state, "done", run.message)
        buffer = timedelta(days=self.company.pps_material_buffer_days)
        for product in (self.tube, self.bracket):
            move = production.move_raw_ids.filtered(
                lambda m, p=product: m.product_id == p
            )
            workorder = self._consumer(production, product)
            self.assertTrue(workorder.date_start)
            self.assertEqual(move.date, workorder.date_start - buffer, product.name)
        weld_move = production.move_raw_ids.filtered(
            lambda m: m.product_id == self.bracket
        )
        self.assertGreater(weld_move.date, production.date_start - buffer)

    def test_every_run_dates_the_material_of_its_orders(self):
        """A run writes the material dates of every order it plans, also of
        one whose work does not move (a date changed by hand is put back)."""
        production = self._create_production(deadline_days=3)
        self._schedule(production)
        move = production.move_raw_ids.filtered(lambda m: m.product_id == self.tube)
        expected = move.date
        move.date = expected + timedelta(days=2)
        run = self._schedule(production)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(move.date, expected)


class TestTwoStep(MaterialPreparationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse.manufacture_steps = "pbm"

    def _pick_moves(self, production, product):
        pick_type = self.warehouse.pbm_type_id
        return production.move_raw_ids.filtered(
            lambda m: m.product_id == product
        ).move_orig_ids.filtered(lambda m: m.picking_type_id == pick_type)

    def test_pick_components_transfer_is_due_a_buffer_before_the_work(self):
        """Two-step manufacturing: the pick-components moves are dated the
        consuming work order's start minus the buffer, and the transfer's
        scheduled date is the earliest of them; the component moves stay at
        the MO's dates (consumption at the station)."""
        production = self._create_production(deadline_days=3)
        pick_tube = self._pick_moves(production, self.tube)
        pick_bracket = self._pick_moves(production, self.bracket)
        self.assertTrue(pick_tube and pick_bracket, "pbm creates the pick moves")
        run = self._schedule(production)
        self.assertEqual(run.state, "done", run.message)
        buffer = timedelta(days=1)
        cut = self._consumer(production, self.tube)
        weld = self._consumer(production, self.bracket)
        self.assertEqual(pick_tube.date, cut.date_start - buffer)
        self.assertEqual(pick_bracket.date, weld.date_start - buffer)
        picking = pick_tube.picking_id
        self.assertEqual(picking.scheduled_date, cut.date_start - buffer)
        self.assertEqual(
            production.move_raw_ids.filtered(lambda m: m.product_id == self.tube).date,
            production.date_start,
        )

    def test_material_check_names_the_pick_transfer(self):
        """A work order starting within the buffer whose components are not
        yet at the station is listed with its pick-components transfer."""
        production = self._create_production(deadline_days=1)
        self._schedule(production)
        action = (
            self.env["pps.material.check"].with_user(self.planner).action_open_report()
        )
        lines = self.env["pps.material.check"].search(action["domain"])
        line = lines.filtered(
            lambda l: l.production_id == production and l.product_id == self.tube
        )
        self.assertTrue(line, "the tube is not at the station yet")
        self.assertEqual(
            line.picking_id, self._pick_moves(production, self.tube).picking_id
        )
        self.assertEqual(line.picking_id.picking_type_id, self.warehouse.pbm_type_id)

    def test_dry_run_writes_no_material_date(self):
        """A preview changes nothing, material dates included."""
        production = self._create_production(deadline_days=3)
        before = self._pick_moves(production, self.tube).date
        run = self._schedule(production, dry_run=True)
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(self._pick_moves(production, self.tube).date, before)

    def test_rush_order_confirmed_today_gets_its_material_plan(self):
        """A rush order confirmed by its salesperson is planned, and its
        pick-components transfer dated, in that one step."""
        mto = self.env.ref("stock.route_warehouse0_mto")
        mto.active = True
        manufacture = self.warehouse.manufacture_pull_id.route_id
        self.product.route_ids = [Command.set([manufacture.id, mto.id])]
        customer = self.env["res.partner"].create({"name": "Prep Customer"})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "user_id": self.salesman.id,
                "pps_rush": True,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 1}
                    )
                ],
            }
        )
        order.with_user(self.salesman).action_confirm()
        production = order._pps_productions()
        self.assertTrue(production)
        cut = self._consumer(production, self.tube)
        self.assertTrue(cut.date_start, "planned at confirmation")
        self.assertEqual(
            self._pick_moves(production, self.tube).date,
            cut.date_start - timedelta(days=1),
        )
