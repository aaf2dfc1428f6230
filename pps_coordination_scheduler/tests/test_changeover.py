"""Sequence-dependent changeovers through Odoo: families, matrices, runs.

Setup families on products and categories (``pps.setup.family``), a matrix
per work center (``pps.changeover``), read by the extraction into the
engine's data, planned by a run as the planner, written back on the work
orders (``pps_changeover_minutes``), shown in the views and on the dispatch
board, and named by the promise when it is what holds a quote back.
"""

from datetime import timedelta
from itertools import pairwise

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError

from .common import PpsCoordinationCase, SchedulerCase, create_routing


class ChangeoverCase(SchedulerCase):
    """The scheduler plant with three products cut on one work center: the
    frame (family Tubes, its own), a bracket (Sheet, from its category) and
    a rail (Tubes: its own family wins over its category's Sheet)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Family = cls.env["pps.setup.family"]
        cls.tubes = Family.create({"name": "Tubes"})
        cls.sheet = Family.create({"name": "Sheet"})
        cls.product.product_tmpl_id.pps_setup_family_id = cls.tubes
        parent = cls.env["product.category"].create(
            {"name": "Sheet parts", "pps_setup_family_id": cls.sheet.id}
        )
        category = cls.env["product.category"].create(
            {"name": "Brackets", "parent_id": parent.id}
        )
        cls.bracket = cls.env["product.product"].create(
            {"name": "Sched Bracket", "is_storable": True, "categ_id": category.id}
        )
        cls.rail = cls.env["product.product"].create(
            {
                "name": "Sched Rail",
                "is_storable": True,
                "categ_id": category.id,
                "pps_setup_family_id": cls.tubes.id,
            }
        )
        cls.boms = {cls.product: cls.bom}
        for product in (cls.bracket, cls.rail):
            cls.boms[product] = create_routing(
                cls.env,
                product,
                [("Cut", cls.wc_cut, 120.0), ("Weld", cls.wc_weld, 60.0)],
            )
        cls.env["pps.changeover"].create(
            [
                {
                    "workcenter_id": cls.wc_cut.id,
                    "from_family_id": cls.tubes.id,
                    "to_family_id": cls.sheet.id,
                    "minutes": 60,
                },
                {
                    "workcenter_id": cls.wc_cut.id,
                    "from_family_id": cls.sheet.id,
                    "to_family_id": cls.tubes.id,
                    "minutes": 90,
                },
            ]
        )

    @classmethod
    def _mo(cls, product, deadline_days=10):
        production = cls.env["mrp.production"].create(
            {
                "product_id": product.id,
                "bom_id": cls.boms[product].id,
                "product_qty": 1.0,
                "date_deadline": fields.Datetime.now() + timedelta(days=deadline_days),
            }
        )
        production.action_confirm()
        return production

    def _cuts(self, productions):
        cuts = productions.workorder_ids.filtered(lambda wo: wo.name == "Cut")
        cuts.invalidate_recordset()
        return cuts.sorted("date_start")


class TestChangeoverExtraction(ChangeoverCase):
    def test_extraction_reads_families_and_the_matrix(self):
        productions = (
            self._mo(self.product) | self._mo(self.bracket) | self._mo(self.rail)
        )
        problem = self.env["pps.schedule.problem"]._prepare_problem(productions)
        data = problem.data
        by_center = {wc: r for r, wc in enumerate(problem.workcenters)}
        cut = data.resources[by_center[self.wc_cut]]
        self.assertEqual(
            dict(cut.changeovers),
            {(self.tubes.id, self.sheet.id): 60, (self.sheet.id, self.tubes.id): 90},
        )
        self.assertEqual(dict(data.resources[by_center[self.wc_weld]].changeovers), {})
        self.assertEqual(cut.changeover_default, 0, "a missing pair: setup time only")
        families = {
            (wo.product_id, wo.name): data.operations[i].family
            for i, wo in enumerate(problem.workorders)
        }
        self.assertEqual(families[self.product, "Cut"], self.tubes.id)
        self.assertEqual(families[self.bracket, "Cut"], self.sheet.id, "category's")
        self.assertEqual(families[self.rail, "Cut"], self.tubes.id, "its own wins")
        self.assertTrue(data.sequenced[by_center[self.wc_cut]])
        self.assertFalse(data.sequenced[by_center[self.wc_weld]])

    def test_obstacles_carry_their_family(self):
        """Planned work of other orders is sequenced too: a changeover to it
        or after it is planned."""
        other = self._mo(self.bracket)
        self._schedule(other)
        production = self._mo(self.product)
        problem = self.env["pps.schedule.problem"]._prepare_problem(production)
        obstacle = problem.workorders.index(
            other.workorder_ids.filtered(lambda wo: wo.name == "Cut")
        )
        self.assertEqual(problem.fixed_reasons[obstacle], "other order")
        self.assertEqual(problem.data.operations[obstacle].family, self.sheet.id)


class TestChangeoverRun(ChangeoverCase):
    def _assert_gaps(self, cuts):
        """Each cut starts at least its changeover after the one before."""
        for before, after in pairwise(cuts):
            gap = (after.date_start - before.date_finished).total_seconds() / 60
            self.assertGreaterEqual(gap, after.pps_changeover_minutes)

    def test_run_groups_families_and_writes_the_changeovers(self):
        """Tubes, sheet, tubes with days of slack: the run cuts both tubes
        orders one after the other and plans one changeover, 60 minutes
        before the sheet cut, written on its work order."""
        productions = self._mo(self.product) | self._mo(self.bracket)
        productions |= self._mo(self.rail)
        run = self._schedule(productions)
        self.assertEqual(run.state, "done", run.message)
        cuts = self._cuts(productions)
        families = [wo.product_id._pps_setup_family() for wo in cuts]
        self.assertEqual(families, [self.tubes, self.tubes, self.sheet])
        self.assertEqual(cuts.mapped("pps_changeover_minutes"), [0, 0, 60])
        self.assertEqual(run.changeover_minutes, 60)
        self._assert_gaps(cuts)
        welds = productions.workorder_ids - cuts
        self.assertEqual(set(welds.mapped("pps_changeover_minutes")), {0})

    def test_why_late_names_the_changeover(self):
        """Frame (tubes) and bracket (sheet) both due within the hour: the
        one cut second is late, and its cause says it also waits for the
        changeover between the two families."""
        productions = self._mo(self.product, deadline_days=0.04)
        productions |= self._mo(self.bracket, deadline_days=0.04)
        run = self._schedule(productions)
        self.assertEqual(run.state, "done", run.message)
        first, second = self._cuts(productions)
        late = second.production_id
        self.assertEqual(late.pps_late_cause, "capacity", late.pps_late_reason)
        self.assertIn(first.production_id.name, late.pps_late_reason)
        before, after = (
            wo.product_id._pps_setup_family().name for wo in (first, second)
        )
        minutes = second.pps_changeover_minutes
        self.assertIn(minutes, (60, 90))
        self.assertIn(
            f"Before it, the work center changes over from {before} to {after}: "
            + {60: "1 hour.", 90: "1 hour and 30 minutes."}[minutes],
            late.pps_late_reason,
        )

    def test_a_matrix_removed_clears_the_changeovers(self):
        productions = self._mo(self.product) | self._mo(self.bracket)
        self._schedule(productions)
        self.assertEqual(
            sum(self._cuts(productions).mapped("pps_changeover_minutes")), 60
        )
        self.wc_cut.pps_changeover_ids.unlink()
        run = self._schedule(productions)
        self.assertEqual(run.changeover_minutes, 0)
        self.assertEqual(
            set(self._cuts(productions).mapped("pps_changeover_minutes")), {0}
        )

    def test_preview_writes_the_changeovers_when_applied(self):
        productions = self._mo(self.product) | self._mo(self.bracket)
        preview = self._schedule(productions, dry_run=True)
        self.assertEqual(preview.state, "done", preview.message)
        cuts = self._cuts(productions)
        self.assertEqual(set(cuts.mapped("pps_changeover_minutes")), {0})
        self.assertEqual(sorted(preview.changeover_data.values()), [0, 0, 0, 60])
        preview.with_user(self.planner).action_apply()
        cuts = self._cuts(productions)
        self.assertEqual(cuts.mapped("pps_changeover_minutes"), [0, 60])
        self._assert_gaps(cuts)

    def test_board_card_carries_the_changeover(self):
        productions = self._mo(self.product) | self._mo(self.bracket)
        self._schedule(productions)
        sheet_cut = self._cuts(productions)[-1]
        self.assertEqual(sheet_cut.pps_changeover_minutes, 60)
        board = self.env["pps.dispatch.board"].with_user(self.planner)
        data = board.get_board_data(
            week_start=fields.Date.to_string(sheet_cut.date_start.date())
        )
        cards = {
            card["id"]: card
            for row in data["workcenters"]
            for cell in row["cells"]
            for card in cell["cards"]
        }
        self.assertEqual(cards[sheet_cut.id]["changeover_minutes"], 60)
        first = self._cuts(productions)[0]
        if first.id in cards:
            self.assertEqual(cards[first.id]["changeover_minutes"], 0)
        # the changeover holds the work center: the cell's load counts it
        cell = next(
            cell
            for row in data["workcenters"]
            for cell in row["cells"]
            if any(card["id"] == sheet_cut.id for card in cell["cards"])
        )
        durations = sum(
            wo.duration_expected
            for wo in self._cuts(productions)
            if wo.id in {card["id"] for card in cell["cards"]}
        )
        self.assertEqual(cell["changeover"], 60)
        self.assertEqual(cell["load"], round(durations + 60))


class TestChangeoverRecords(ChangeoverCase):
    def test_only_planners_edit_the_matrix(self):
        row = self.wc_cut.pps_changeover_ids[:1]
        self.assertEqual(row.with_user(self.salesman).minutes, row.minutes)
        with self.assertRaises(AccessError):
            row.with_user(self.salesman).write({"minutes": 5})
        with self.assertRaises(AccessError):
            self.env["pps.setup.family"].with_user(self.salesman).create({"name": "X"})
        created = (
            self.env["pps.changeover"]
            .with_user(self.planner)
            .create(
                {
                    "workcenter_id": self.wc_weld.id,
                    "from_family_id": self.tubes.id,
                    "to_family_id": self.sheet.id,
                    "minutes": 15,
                }
            )
        )
        self.assertEqual(created.minutes, 15)

    def test_bad_rows_are_refused_with_a_message(self):
        Changeover = self.env["pps.changeover"].with_user(self.planner)
        vals = {
            "workcenter_id": self.wc_cut.id,
            "from_family_id": self.tubes.id,
            "to_family_id": self.tubes.id,
        }
        with self.assertRaisesRegex(ValidationError, "negative"):
            Changeover.create({**vals, "minutes": -10})
        with self.assertRaisesRegex(ValidationError, "already has a changeover from"):
            Changeover.create({**vals, "to_family_id": self.sheet.id, "minutes": 5})

    def test_views_show_the_changeovers(self):
        Workorder = self.env["mrp.workorder"].with_user(self.planner)
        for view_type in ("list", "form"):
            arch = Workorder.get_views([(False, view_type)])["views"][view_type]["arch"]
            self.assertIn('name="pps_changeover_minutes"', arch, view_type)
        arch = (
            self.env["mrp.workcenter"]
            .with_user(self.planner)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="pps_changeover_ids"', arch)
        for model in ("product.template", "product.category"):
            arch = self.env[model].get_views([(False, "form")])["views"]["form"]["arch"]
            self.assertIn('name="pps_setup_family_id"', arch, model)


class TestChangeoverDemo(ChangeoverCase):
    def test_demo_plant_gets_families_and_a_matrix_once(self):
        """The demo loader puts the tubes and sheet families on the demo
        products and their matrix on the demo cutting line, once."""
        Data = self.env["ir.model.data"]
        refs = {
            "demo_workcenter_cutting": self.wc_cut,
            "demo_product_template_sf100": self.product.product_tmpl_id,
            "demo_product_template_tc80": self.bracket.product_tmpl_id,
            "demo_product_template_mg50": self.rail.product_tmpl_id,
        }
        for name, record in refs.items():
            Data.create(
                {
                    "module": "pps_coordination",
                    "name": name,
                    "model": record._name,
                    "res_id": record.id,
                }
            )
        self.wc_cut.pps_changeover_ids.unlink()
        self.assertTrue(self.env["res.company"]._pps_load_demo_changeovers())
        matrix = {
            (row.from_family_id.name, row.to_family_id.name): row.minutes
            for row in self.wc_cut.pps_changeover_ids
        }
        self.assertEqual(matrix, {("Tubes", "Sheet"): 25, ("Sheet", "Tubes"): 40})
        self.assertEqual(self.product.pps_setup_family_id.name, "Tubes")
        self.assertEqual(self.bracket.pps_setup_family_id.name, "Sheet")
        self.assertEqual(self.rail.pps_setup_family_id.name, "Sheet")
        self.assertFalse(self.env["res.company"]._pps_load_demo_changeovers())


class TestChangeoverPromise(PpsCoordinationCase):
    """The quote of a sheet part cut right after planned tubes work."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"pps_rush_capacity_share": 0.0, "pps_frozen_days": 0})
        Family = cls.env["pps.setup.family"]
        cls.tubes = Family.create({"name": "Tubes"})
        cls.sheet = Family.create({"name": "Sheet"})
        cls.product.product_tmpl_id.pps_setup_family_id = cls.tubes
        cls.panel = cls.env["product.product"].create(
            {
                "name": "PPS Panel",
                "is_storable": True,
                "pps_setup_family_id": cls.sheet.id,
                "route_ids": [
                    Command.set([cls.route_manufacture.id, cls.route_mto.id])
                ],
            }
        )
        create_routing(cls.env, cls.panel, [("Cut panel", cls.workcenter, 60.0)])
        order = cls._create_sale_order(qty=2)
        cls.env["stock.quant"]._update_available_quantity(
            cls.component, cls.warehouse.lot_stock_id, 100
        )
        productions = cls._confirm_with_production(order, plan=False)
        cls.obstacle = productions.filtered(lambda p: p.product_id == cls.product)
        cls.obstacle.date_start = cls._now()
        cls.obstacle.button_plan()

    def _quote(self):
        order = self._create_sale_order(product=self.panel, qty=1)
        return order.with_user(self.sales_user).pps_quote_delivery_date()

    def test_changeover_that_binds_is_named(self):
        plain = self._quote()
        self.assertNotIn("Changeover", plain["explanation"])
        self.env["pps.changeover"].create(
            {
                "workcenter_id": self.workcenter.id,
                "from_family_id": self.tubes.id,
                "to_family_id": self.sheet.id,
                "minutes": 180,
            }
        )
        promise = self._quote()
        self.assertEqual(promise["binding"], "capacity", promise["explanation"])
        self.assertIn("Changeovers between setup families", promise["explanation"])
        self.assertIn(self.workcenter.name, promise["explanation"])
        self.assertEqual(promise["changeover"]["workcenters"], [self.workcenter.name])
        self.assertEqual(promise["changeover"]["minutes"], 180)
        self.assertGreater(promise["completion"], plain["completion"])

    def test_no_changeover_no_sentence(self):
        """A matrix between other families changes nothing."""
        self.env["pps.changeover"].create(
            {
                "workcenter_id": self.workcenter.id,
                "from_family_id": self.sheet.id,
                "to_family_id": self.tubes.id,
                "minutes": 180,
            }
        )
        promise = self._quote()
        self.assertNotIn("Changeover", promise["explanation"])
        self.assertNotIn("changeover", promise)
