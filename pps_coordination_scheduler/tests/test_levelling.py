"""Levelled production through Odoo: the run option ``level_families``.

One work center with a changeover matrix between two setup families and
four orders of each family, due in ten days. A run as the planner batches
the families (fewest changeovers); with the option, each day gets work of
both. Asserted on the work orders' dates as written back.
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import fields

from .common import SchedulerCase, create_routing


class TestLevelling(SchedulerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a re-run may move what the first run planned in the next days
        cls.company.pps_frozen_days = 0
        Family = cls.env["pps.setup.family"]
        cls.tubes = Family.create({"name": "Level Tubes"})
        cls.sheet = Family.create({"name": "Level Sheet"})
        cls.products = {}
        cls.boms = {}
        for family in (cls.tubes, cls.sheet):
            product = cls.env["product.product"].create(
                {
                    "name": f"Pressed {family.name}",
                    "is_storable": True,
                    "pps_setup_family_id": family.id,
                }
            )
            cls.products[family] = product
            cls.boms[family] = create_routing(
                cls.env, product, [("Press", cls.wc_cut, 240.0)]
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
        # closed for the rest of today: the plan starts with whole days
        # (16 working hours; four pressings of 4 hours each)
        tomorrow = datetime.combine(
            fields.Datetime.now().date() + timedelta(days=1), time()
        )
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Closed until tomorrow",
                "calendar_id": cls.calendar.id,
                "date_from": tomorrow - timedelta(days=2),
                "date_to": tomorrow,
                "time_type": "leave",
            }
        )

    def _orders(self):
        productions = self.env["mrp.production"]
        for family in (self.tubes, self.sheet):
            for _ in range(4):
                production = self.env["mrp.production"].create(
                    {
                        "product_id": self.products[family].id,
                        "bom_id": self.boms[family].id,
                        "product_qty": 1.0,
                        "date_deadline": fields.Datetime.now() + timedelta(days=10),
                    }
                )
                production.action_confirm()
                productions |= production
        return productions

    def _families_per_day(self, productions):
        """{date: [family, ...]} of the pressings by the day they start."""
        workorders = productions.workorder_ids
        workorders.invalidate_recordset()
        days = defaultdict(list)
        for workorder in workorders.sorted("date_start"):
            family = workorder.product_id._pps_setup_family()
            days[workorder.date_start.date()].append(family)
        return days

    def _assert_written(self, run, productions):
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.late_count, 0)
        self._assert_no_overlap(productions.workorder_ids)
        self.assertEqual(
            sum(productions.workorder_ids.mapped("pps_changeover_minutes")),
            run.changeover_minutes,
        )

    def test_without_the_option_the_families_are_batched(self):
        productions = self._orders()
        run = self._schedule(productions)
        self._assert_written(run, productions)
        self.assertFalse(run.level_families)
        days = self._families_per_day(productions)
        self.assertEqual(
            [len(set(families)) for families in days.values()], [1, 1], days
        )
        self.assertEqual(run.changeover_minutes, 60)  # tubes, then sheet
        self.assertEqual(run.levelling_minutes, 2 * 960)
        self.assertNotIn("levelled", " ".join(run.step_ids.mapped("name")))

    def test_with_the_option_each_day_gets_both_families(self):
        productions = self._orders()
        run = self._schedule(productions, level_families=True)
        self._assert_written(run, productions)
        self.assertTrue(run.level_families)
        days = self._families_per_day(productions)
        self.assertEqual(len(days), 2, days)
        for day, families in days.items():
            self.assertEqual(
                sorted(f.name for f in families),
                ["Level Sheet", "Level Sheet", "Level Tubes", "Level Tubes"],
                day,
            )
        self.assertEqual(run.levelling_minutes, 0)
        self.assertEqual(run.changeover_minutes, 60 + 90)
        self.assertIn(
            "Setup families levelled: 0 minutes",
            " ".join(run.step_ids.mapped("name")),
        )

    def test_the_form_buttons_turn_levelling_on_and_off(self):
        """Run again from the form as the planner: the button's context
        turns the option on and the batched plan in force is levelled (such
        a run prices no move); Run again keeps the option; the other button
        ends it."""
        productions = self._orders()
        first = self._schedule(productions)
        Run = self.env["pps.schedule.run"]
        form = first.with_user(self.planner).with_context(pps_level_families=True)
        levelled = Run.browse(form.action_rerun()["res_id"])
        self.assertTrue(levelled.level_families)
        self.assertEqual(levelled.levelling_minutes, 0)
        days = self._families_per_day(productions)
        self.assertEqual({len(set(f)) for f in days.values()}, {2}, days)
        again = Run.browse(levelled.with_user(self.planner).action_rerun()["res_id"])
        self.assertTrue(again.level_families)
        batched = levelled.with_user(self.planner).with_context(
            pps_level_families=False
        )
        batched = Run.browse(batched.action_rerun()["res_id"])
        self.assertFalse(batched.level_families)
        # without levelling, moves are priced again: the levelled plan stays
        self.assertEqual(batched.moved_count, 0)
        self.assertEqual(batched.levelling_minutes, 0)

    def test_views_show_the_option(self):
        arch = (
            self.env["pps.schedule.run"]
            .with_user(self.planner)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn('name="level_families"', arch)
        self.assertIn('name="levelling_minutes"', arch)
        self.assertIn("pps_level_families", arch)
