"""Secondary resources through Odoo: operator pools and fixtures.

Routing operations need operators of a pool or copies of a fixture
(``pps.operation.requirement``); the extraction turns them into the
engine's secondary resources (a pool's night with fewer operators, a low
staffing abnormality naming the pool), a run as the planner plans work
only where they are free, and the work orders, their views and the
dispatch board show what each one holds.
"""

from datetime import timedelta
from itertools import pairwise

import pytz

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.module import get_manifest
from odoo.tools import file_open

from odoo.addons.pps_coordination.models.res_company import (
    ResCompany as BaseCompany,
)

from .common import (
    PpsCoordinationCase,
    SchedulerCase,
    create_calendar,
    create_routing,
    create_workcenter,
)


class SecondaryCase(SchedulerCase):
    """Two cutting cells (the plant's two shifts, 06-22) sharing one welding
    jig: the frame is cut on the first, the bracket on the second, each cut
    needing the jig and one operator of the cutting crew (two operators on
    the day shift 06-14, one on the late shift)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.wc_cut2 = cls._create_workcenter("Sched Cutting 2")
        cls.jig = cls.env["pps.fixture"].create({"name": "Cutting jig", "count": 1})
        cls.day_shift = create_calendar(
            cls.env, "Day shift (UTC)", 6.0, 14.0, days=range(7)
        )
        cls.crew = cls.env["pps.operator.pool"].create(
            {
                "name": "Cutting crew",
                "headcount": 2,
                "resource_calendar_id": cls.day_shift.id,
                "off_shift_headcount": 1,
                "workcenter_ids": [Command.set((cls.wc_cut | cls.wc_cut2).ids)],
            }
        )
        cls.bracket = cls.env["product.product"].create(
            {"name": "Sched Bracket", "is_storable": True}
        )
        cls.bracket_bom = create_routing(
            cls.env, cls.bracket, [("Cut", cls.wc_cut2, 120.0)]
        )
        cls.frame_cut = cls.bom.operation_ids.filtered(lambda o: o.name == "Cut")
        cls.bracket_cut = cls.bracket_bom.operation_ids

    def _need(self, operation, **values):
        return (
            self.env["pps.operation.requirement"]
            .with_user(self.planner)
            .create({"operation_id": operation.id, "quantity": 1, **values})
        )

    def _mo(self, product, bom, days=10):
        production = self.env["mrp.production"].create(
            {
                "product_id": product.id,
                "bom_id": bom.id,
                "product_qty": 1.0,
                "date_deadline": fields.Datetime.now() + timedelta(days=days),
            }
        )
        production.action_confirm()
        return production

    def _cuts(self, productions):
        cuts = productions.workorder_ids.filtered(lambda wo: wo.name == "Cut")
        cuts.invalidate_recordset()
        return cuts.sorted("date_start")


class TestSecondaryExtraction(SecondaryCase):
    def test_extraction_reads_fixtures_pools_and_their_night(self):
        self._need(self.frame_cut, fixture_id=self.jig.id)
        self._need(self.frame_cut, pool_id=self.crew.id, quantity=2)
        self._need(self.bracket_cut, pool_id=self.crew.id)
        productions = self._mo(self.product, self.bom) | self._mo(
            self.bracket, self.bracket_bom
        )
        problem = self.env["pps.schedule.problem"]._prepare_problem(productions)
        data = problem.data
        names = {s.label: k for k, s in enumerate(data.secondaries)}
        self.assertEqual(set(names), {"Cutting jig", "Cutting crew"})
        jig, crew = (
            data.secondaries[names["Cutting jig"]],
            data.secondaries[names["Cutting crew"]],
        )
        self.assertEqual((jig.capacity, jig.levels), (1, ()))
        self.assertEqual(crew.capacity, 2)
        # one operator from 14:00 to 22:00 (the work centers' late shift),
        # none of the night (no work center works then)
        self.assertTrue(crew.levels)
        for start, end, units in crew.levels:
            self.assertEqual(units, 1)
            at = problem.origin + timedelta(minutes=start)
            self.assertGreaterEqual(at.hour, 14)
            self.assertLessEqual(end - start, 8 * 60)
        needs = {
            (wo.product_id, wo.name): data.operations[i].requires
            for i, wo in enumerate(problem.workorders)
        }
        self.assertEqual(
            needs[self.product, "Cut"],
            {names["Cutting jig"]: 1, names["Cutting crew"]: 2},
        )
        self.assertEqual(needs[self.bracket, "Cut"], {names["Cutting crew"]: 1})
        self.assertEqual(needs[self.product, "Weld"], {})

    def test_low_staffing_naming_the_pool_takes_operators_not_the_center(self):
        self._need(self.frame_cut, pool_id=self.crew.id)
        production = self._mo(self.product, self.bom)
        now = fields.Datetime.now()
        staffing = (
            self.env["pps.abnormality"]
            .with_user(self.planner)
            .create(
                {
                    "abnormality_type": "low_staffing",
                    "workcenter_id": self.wc_cut.id,
                    "pps_pool_id": self.crew.id,
                    "capacity_factor": 0.5,
                    "date_start": now,
                    "date_end": now + timedelta(days=3),
                }
            )
        )
        staffing.action_confirm()
        problem = self.env["pps.schedule.problem"]._prepare_problem(production)
        crew = problem.data.secondaries[0]
        raw = self.env["pps.schedule.problem"]._prepare_windows(
            self.wc_cut, problem.origin, problem.origin + timedelta(days=30), raw=True
        )
        cut = problem.data.resources[problem.workcenters.index(self.wc_cut)]
        self.assertEqual(cut.windows[:5], raw[:5], "the center keeps its capacity")
        inside = [units for start, end, units in crew.levels if end <= 3 * 1440]
        self.assertTrue(inside)
        self.assertEqual(max(inside), 1, "half of two operators: one")
        with self.assertRaisesRegex(UserError, "keeps its window"):
            staffing.with_user(self.planner).pps_pool_id = False
        with self.assertRaisesRegex(ValidationError, "only a low staffing"):
            self.env["pps.abnormality"].with_user(self.planner).create(
                {
                    "abnormality_type": "equipment_failure",
                    "workcenter_id": self.wc_cut.id,
                    "pps_pool_id": self.crew.id,
                    "date_start": now,
                    "date_end": now + timedelta(days=1),
                }
            )


class TestSecondaryRun(SecondaryCase):
    def test_run_shares_the_jig_between_the_two_cells(self):
        """Both cuts need the only jig: the run cuts them one after the
        other although they run on different work centers."""
        self._need(self.frame_cut, fixture_id=self.jig.id)
        self._need(self.bracket_cut, fixture_id=self.jig.id)
        productions = self._mo(self.product, self.bom) | self._mo(
            self.bracket, self.bracket_bom
        )
        run = self._schedule(productions)
        self.assertEqual(run.state, "done", run.message)
        first, second = self._cuts(productions)
        self.assertNotEqual(first.workcenter_id, second.workcenter_id)
        self.assertLessEqual(first.date_finished, second.date_start)

    def test_planned_work_elsewhere_holds_the_jig(self):
        """The bracket is planned on the second cell; a run of the frame
        alone sees it hold the jig, though on another work center."""
        self._need(self.frame_cut, fixture_id=self.jig.id)
        self._need(self.bracket_cut, fixture_id=self.jig.id)
        bracket = self._mo(self.bracket, self.bracket_bom)
        self._schedule(bracket)
        frame = self._mo(self.product, self.bom)
        problem = self.env["pps.schedule.problem"]._prepare_problem(frame)
        self.assertIn(self.wc_cut2, problem.workcenters)
        run = self._schedule(frame)
        self.assertEqual(run.state, "done", run.message)
        first, second = self._cuts(bracket | frame)
        self.assertEqual(first.production_id, bracket)
        self.assertLessEqual(first.date_finished, second.date_start)

    def test_why_late_names_the_jig_and_who_held_it(self):
        """Both due within the hour: the one cut second waits for the jig,
        and its late cause says so, naming the order that held it."""
        self._need(self.frame_cut, fixture_id=self.jig.id)
        self._need(self.bracket_cut, fixture_id=self.jig.id)
        productions = self._mo(self.product, self.bom, days=0.04) | self._mo(
            self.bracket, self.bracket_bom, days=0.04
        )
        run = self._schedule(productions)
        self.assertEqual(run.state, "done", run.message)
        first, second = self._cuts(productions)
        late = second.production_id
        self.assertEqual(late.pps_late_cause, "capacity", late.pps_late_reason)
        self.assertIn("Waits for Cutting jig, held by", late.pps_late_reason)
        self.assertIn(first.production_id.name, late.pps_late_reason)

    def test_without_the_jig_they_cut_at_once(self):
        productions = self._mo(self.product, self.bom) | self._mo(
            self.bracket, self.bracket_bom
        )
        run = self._schedule(productions)
        self.assertEqual(run.state, "done", run.message)
        first, second = self._cuts(productions)
        self.assertLess(second.date_start, first.date_finished)

    def test_two_operators_each_cut_alone(self):
        """Each cut needs both operators of the day shift (one on the late
        shift: it may not run then): never two cuts at once, and no cut in
        the late shift."""
        self._need(self.frame_cut, pool_id=self.crew.id, quantity=2)
        self._need(self.bracket_cut, pool_id=self.crew.id, quantity=2)
        productions = self._mo(self.product, self.bom) | self._mo(
            self.bracket, self.bracket_bom
        )
        productions |= self._mo(self.bracket, self.bracket_bom)
        run = self._schedule(productions)
        self.assertEqual(run.state, "done", run.message)
        cuts = self._cuts(productions)
        for before, after in pairwise(cuts):
            self.assertLessEqual(before.date_finished, after.date_start)
        for cut in cuts:
            self.assertGreaterEqual(cut.date_start.hour, 6)
            self.assertLessEqual(
                cut.date_finished, cut.date_start.replace(hour=14, minute=0)
            )

    def test_board_and_views_show_what_a_work_order_holds(self):
        self._need(self.frame_cut, fixture_id=self.jig.id)
        self._need(self.frame_cut, pool_id=self.crew.id, quantity=2)
        production = self._mo(self.product, self.bom)
        self._schedule(production)
        cut = self._cuts(production)
        self.assertEqual(cut.pps_secondary_summary, "1 × Cutting jig, 2 × Cutting crew")
        board = self.env["pps.dispatch.board"].with_user(self.planner)
        data = board.get_board_data(
            week_start=fields.Date.to_string(cut.date_start.date())
        )
        cards = {
            card["id"]: card
            for row in data["workcenters"]
            for cell in row["cells"]
            for card in cell["cards"]
        }
        self.assertEqual(
            cards[cut.id]["secondary"], "1 × Cutting jig, 2 × Cutting crew"
        )
        weld = production.workorder_ids - cut
        if weld.id in cards:
            self.assertEqual(cards[weld.id]["secondary"], "")
        Workorder = self.env["mrp.workorder"].with_user(self.planner)
        for view_type in ("list", "form"):
            arch = Workorder.get_views([(False, view_type)])["views"][view_type]["arch"]
            self.assertIn('name="pps_secondary_summary"', arch, view_type)
        arch = (
            self.env["mrp.routing.workcenter"]
            .with_user(self.planner)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="pps_requirement_ids"', arch)
        arch = (
            self.env["pps.abnormality"]
            .with_user(self.planner)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="pps_pool_id"', arch)


class TestSecondaryRecords(SecondaryCase):
    def test_only_planners_edit_pools_fixtures_and_requirements(self):
        self.assertEqual(self.jig.with_user(self.salesman).count, 1)
        with self.assertRaises(AccessError):
            self.jig.with_user(self.salesman).write({"count": 5})
        with self.assertRaises(AccessError):
            self.env["pps.operator.pool"].with_user(self.salesman).create({"name": "X"})
        with self.assertRaises(AccessError):
            self.env["pps.operation.requirement"].with_user(self.salesman).create(
                {"operation_id": self.frame_cut.id, "fixture_id": self.jig.id}
            )
        pool = (
            self.env["pps.operator.pool"]
            .with_user(self.planner)
            .create({"name": "Welders", "headcount": 3})
        )
        self.assertEqual(pool.headcount, 3)

    def test_bad_rows_are_refused_with_a_message(self):
        with self.assertRaisesRegex(ValidationError, "not both or neither"):
            self._need(self.frame_cut)
        with self.assertRaisesRegex(ValidationError, "not both or neither"):
            self._need(self.frame_cut, fixture_id=self.jig.id, pool_id=self.crew.id)
        with self.assertRaisesRegex(ValidationError, "at least 1"):
            self._need(self.frame_cut, fixture_id=self.jig.id, quantity=0)
        with self.assertRaisesRegex(ValidationError, "never has more than 1"):
            self._need(self.frame_cut, fixture_id=self.jig.id, quantity=2)
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.jig.with_user(self.planner).count = -1
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.crew.with_user(self.planner).headcount = -2


class TestSecondaryPromise(PpsCoordinationCase):
    """The quote of a panel cut on a second work center, next to planned
    work that holds the only jig the panel's cut needs too."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"pps_rush_capacity_share": 0.0, "pps_frozen_days": 0})
        cls.saw = create_workcenter(cls.env, "PPS Saw", cls.calendar)
        cls.panel = cls.env["product.product"].create(
            {
                "name": "PPS Panel",
                "is_storable": True,
                "route_ids": [
                    Command.set([cls.route_manufacture.id, cls.route_mto.id])
                ],
            }
        )
        cls.panel_bom = create_routing(
            cls.env, cls.panel, [("Cut panel", cls.saw, 60.0)]
        )
        order = cls._create_sale_order(qty=2)
        cls.env["stock.quant"]._update_available_quantity(
            cls.component, cls.warehouse.lot_stock_id, 100
        )
        productions = cls._confirm_with_production(order, plan=False)
        cls.obstacle = productions.filtered(lambda p: p.product_id == cls.product)
        cls.obstacle.date_start = cls._now()
        cls.obstacle.button_plan()
        cls.jig = cls.env["pps.fixture"].create({"name": "Panel jig", "count": 1})

    def _quote(self):
        order = self._create_sale_order(product=self.panel, qty=1)
        return order.with_user(self.sales_user).pps_quote_delivery_date()

    def _need_jig(self, operations):
        self.env["pps.operation.requirement"].create(
            [{"operation_id": op.id, "fixture_id": self.jig.id} for op in operations]
        )

    def test_a_fixture_that_binds_is_named(self):
        plain = self._quote()
        self.assertNotIn("Panel jig", plain["explanation"])
        self._need_jig(self.obstacle.workorder_ids.operation_id)
        self._need_jig(self.panel_bom.operation_ids)
        promise = self._quote()
        self.assertEqual(promise["binding"], "capacity", promise["explanation"])
        self.assertIn(
            "The operators and fixtures it needs (Panel jig)", promise["explanation"]
        )
        self.assertEqual(promise["secondary"], {"resources": ["Panel jig"]})
        self.assertGreater(promise["completion"], plain["completion"])
        self.assertGreaterEqual(
            promise["completion"],
            max(self.obstacle.workorder_ids.mapped("date_finished")),
        )

    def test_a_free_fixture_says_nothing(self):
        """Only the panel needs the jig: it is free, nothing is said."""
        self._need_jig(self.panel_bom.operation_ids)
        promise = self._quote()
        self.assertNotIn("Panel jig", promise["explanation"])
        self.assertNotIn("secondary", promise)


class TestSecondaryDemo(SecondaryCase):
    def test_demo_plant_gets_a_jig_and_a_crew_once(self):
        """The demo factory has a clamping jig of two copies on the saw and
        welding steps, and an assembly crew of two on the day and late
        shifts, one on the night shift of the older assembly line, on the
        assembly steps; loading again adds nothing."""
        self.env["res.company"]._pps_load_demo_factory()
        jig = self.env["pps.fixture"].search([("name", "=", "Clamping jig")])
        crew = self.env["pps.operator.pool"].search([("name", "=", "Assembly crew")])
        self.assertEqual(jig.count, 2)
        self.assertEqual((crew.headcount, crew.off_shift_headcount), (2, 1))
        self.assertEqual(
            crew.resource_calendar_id,
            self.env.ref("pps_coordination.demo_calendar_two_shifts"),
        )
        # the night: the older line works, with one operator of the crew
        night_line = self.env.ref("pps_coordination.demo_workcenter_assembly2")
        self.assertIn(night_line, crew.workcenter_ids)
        self.assertIn(
            (22.0, 24.0),
            night_line.resource_calendar_id.attendance_ids.mapped(
                lambda a: (a.hour_from, a.hour_to)
            ),
        )
        problem = self.env["pps.schedule.problem"]
        origin = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        end = origin + timedelta(days=7)
        windows = problem._prepare_windows(night_line, origin, end)
        levels = problem._pool_levels(
            crew, windows, origin, end, int((end - origin).total_seconds() // 60)
        )
        night = [
            units
            for start, stop, units in levels
            if (origin + timedelta(minutes=start))
            .astimezone(pytz.timezone(night_line.resource_calendar_id.tz or "UTC"))
            .hour
            in (22, 23, 0, 1, 2, 3, 4, 5)
        ]
        self.assertTrue(night, "the night shift has its own headcount")
        self.assertEqual(set(night), {1})
        Requirement = self.env["pps.operation.requirement"]
        self.assertEqual(
            sorted(
                Requirement.search([("fixture_id", "=", jig.id)]).operation_id.mapped(
                    "name"
                )
            ),
            ["Saw tubes", "Weld frame", "Weld guard frame"],
        )
        self.assertEqual(
            sorted(
                Requirement.search([("pool_id", "=", crew.id)]).operation_id.mapped(
                    "name"
                )
            ),
            ["Assemble cabinet", "Fit window", "Mount worktop and drawers"],
        )
        self.assertFalse(self.env["res.company"]._pps_load_demo_secondaries())
        self.assertEqual(
            self.env["pps.fixture"].search_count([("name", "=", "Clamping jig")]), 1
        )

    def test_a_fresh_demo_database_gets_this_addons_part_and_its_plan(self):
        """pps_coordination's demo builds the plant while it installs, before
        this add-on's models exist: this add-on's own demo file then adds
        the matrix, the jig and the crew, and plans the plant with a run."""
        manifest = get_manifest("pps_coordination_scheduler")
        self.assertIn("demo/pps_scheduler_demo.xml", manifest["demo"])
        with file_open("pps_coordination_scheduler/demo/pps_scheduler_demo.xml") as f:
            self.assertIn('name="_pps_load_demo_scheduler"', f.read())
        Company = self.env["res.company"]
        # the plant as pps_coordination alone builds it
        BaseCompany._pps_load_demo_factory(Company)
        line = self.env.ref("pps_coordination.demo_workcenter_cutting")
        self.assertFalse(line.pps_changeover_ids)
        self.assertFalse(
            self.env["pps.fixture"].search([("name", "=", "Clamping jig")])
        )
        run = Company._pps_load_demo_scheduler()
        self.assertTrue(line.pps_changeover_ids)
        self.assertTrue(self.env["pps.fixture"].search([("name", "=", "Clamping jig")]))
        self.assertEqual(run.state, "done", run.message)
        self.assertGreater(run.workorder_count, 0)
        self.assertFalse(Company._pps_load_demo_scheduler(), "loaded once")
