"""Every abnormality type reaches the plan.

A confirmed abnormality changes what the scheduler extracts, each type its own
way: a breakdown or a crew short takes capacity away from its work center, a
material shortage holds back the manufacturing orders consuming the product
until it is back and at the station, a low yield lengthens the affected work.
Confirming one runs a dry run and opens an internal change (with the proposed
date and a readable reason) for each sale order that would be late; resolving
it gives the plan back on the next run.

Everything goes through the real extraction, solve and write-back, as a
production planner. The work centers work round the clock, so that
minutes of work are minutes of the clock whenever the suite runs; the
frozen zone is off (it has its own tests) and the company has no security lead
time, so an order's delivery is its last MO's finish.
"""

import re
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests.common import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.pps_coordination.tools.wording import format_moment
from odoo.addons.queue_job.tests.common import trap_jobs

from .common import create_calendar, create_workcenter, plan_in_sequence

PLANNER_GROUPS = "base.group_user,pps_coordination.group_pps_planner"
SALES_GROUPS = "base.group_user,pps_coordination.group_pps_sales"


class AbnormalityPlanCase(TransactionCase):
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
                "pps_frozen_days": 0,
                "security_lead": 0.0,
            }
        )
        cls.planner = mail_new_test_user(
            cls.env, login="abn_planner", name="Abe Planner", groups=PLANNER_GROUPS
        )
        # not UTC: the reasons must show the planner's own clock
        cls.planner.tz = "Asia/Tokyo"
        cls.salesman = mail_new_test_user(
            cls.env, login="abn_sales", name="Sam Sales", groups=SALES_GROUPS
        )
        cls.customer = cls.env["res.partner"].create({"name": "Abn Customer"})
        always = create_calendar(cls.env, "Abn round the clock", 0.0, 24.0, range(7))
        always.tz = cls._morning_zone()
        cls.wc_cut = create_workcenter(cls.env, "Abn Cutting", always)
        cls.wc_weld = create_workcenter(cls.env, "Abn Welding", always)
        cls.tube = cls.env["product.product"].create(
            {"name": "Abn Tube", "is_storable": True}
        )
        cls.frame = cls.env["product.product"].create(
            {"name": "Abn Frame", "is_storable": True}
        )
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.frame.product_tmpl_id.id,
                "product_qty": 1.0,
                "bom_line_ids": [
                    Command.create({"product_id": cls.tube.id, "product_qty": 1.0})
                ],
                "operation_ids": [
                    Command.create(
                        {
                            "name": name,
                            "workcenter_id": workcenter.id,
                            "time_cycle_manual": minutes,
                            "time_mode": "manual",
                        }
                    )
                    for name, workcenter, minutes in (
                        ("Cut", cls.wc_cut, 120.0),
                        ("Weld", cls.wc_weld, 60.0),
                    )
                ],
            }
        )

    @classmethod
    def _morning_zone(cls):
        """A fixed-offset zone in which it is about 06:00 now.

        The work these tests time to the minute then never crosses the
        calendar's midnight: Odoo ends a round-the-clock day at 23:59:59.999,
        and the extraction (``_prepare_windows``, not this suite's concern)
        drops that last minute, so work across midnight lasts a minute more.
        """
        offset = (6 - fields.Datetime.now().hour + 12) % 24 - 12
        return f"Etc/GMT{-offset:+d}" if offset else "UTC"

    def setUp(self):
        super().setUp()
        self.now = fields.Datetime.now().replace(second=0, microsecond=0)

    # ------------------------------------------------------------ helpers
    def _planned_order(self, start_in_minutes=10):
        """A sale order served by one Frame MO, its cut (120 min) then weld
        (60 min) planned back to back from ``start_in_minutes`` from now, and
        agreed exactly for the MO's finish: any slip makes it late."""
        order = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "user_id": self.salesman.id}
        )
        production, cut, weld = self._planned_production(order, start_in_minutes)
        order.commitment_date = production.date_finished
        return order, production, cut, weld

    def _planned_production(self, order, start_in_minutes):
        """One more Frame MO of ``order``, planned as in :meth:`_planned_order`."""
        production = self.env["mrp.production"].create(
            {"product_id": self.frame.id, "product_qty": 1.0}
        )
        production.action_confirm()
        cut, weld = production.workorder_ids.sorted("sequence")
        finish = plan_in_sequence(
            cut | weld, self.now + timedelta(minutes=start_in_minutes), (120, 60)
        )
        production.pps_sale_order_id = order
        self.assertEqual(production.pps_sale_order_id, order)
        self.assertEqual(production.date_finished, finish)
        return production, cut, weld

    def _abnormality(self, **values):
        return (
            self.env["pps.abnormality"]
            .with_user(self.planner)
            .create(
                {
                    "date_start": self.now - timedelta(hours=1),
                    "date_end": self.now + timedelta(days=1),
                    **values,
                }
            )
        )

    def _schedule(self, productions):
        run = (
            self.env["pps.schedule.run"]
            .with_user(self.planner)
            .schedule(productions=productions, time_limit=5, workers=1)
        )
        self.assertEqual(run.state, "done", run.message)
        return run

    def _estimate_run(self):
        run = self.env["pps.schedule.run"].search(
            [("trigger", "=", "abnormality")], order="id desc", limit=1
        )
        self.assertEqual(run.state, "done", run.message)
        self.assertTrue(run.dry_run)
        return run

    def _round(self, order):
        negotiation = order.pps_negotiation_ids.filtered(
            lambda n: n.scenario == "internal_change"
        )
        self.assertEqual(len(negotiation), 1, "one internal change for the order")
        self.assertEqual(negotiation.state, "answered")
        return negotiation

    def _minutes(self, workorder):
        return (workorder.date_finished - workorder.date_start) / timedelta(minutes=1)

    def _assert_readable(self, negotiation, abnormality, type_label, what):
        """The reason names the abnormality, its type and what it hit, says
        the delay in words and the dates in the planner's time zone, without
        seconds."""
        reason = negotiation.reason
        self.assertIn(abnormality.name, reason)
        self.assertIn(type_label, reason)
        self.assertIn(what, reason)
        self.assertRegex(reason, r"\d+ (day|hour|minute)s?\b")
        self.assertIn("later than planned", reason)
        planner_env = self.env(user=self.planner)
        for date in (negotiation.scheduled_date, negotiation.expected_date):
            self.assertIn(format_moment(planner_env, date), reason)
        self.assertNotIn(fields.Datetime.to_string(negotiation.scheduled_date), reason)
        self.assertIsNone(re.search(r"\d:\d\d:\d\d", reason), reason)


class TestShortage(AbnormalityPlanCase):
    def test_shortage_holds_the_consuming_mo_until_the_material_is_at_the_station(
        self,
    ):
        """The tube is short until tomorrow: the Frame MO consuming it cannot
        start before it is back plus the one day it must be at the station
        (the company's material buffer, as for any supply). Confirming the
        shortage previews that, proposes the new date to sales with a readable
        reason, and the next run writes it."""
        order, production, cut, weld = self._planned_order()
        agreed = order.commitment_date
        shortage = self._abnormality(
            name="Tube supplier late",
            abnormality_type="material_shortage",
            product_id=self.tube.id,
        )
        back = shortage.date_end + timedelta(days=1)
        shortage.action_confirm()
        self.assertEqual(shortage.production_ids, production)
        run = self._estimate_run()
        cut_line = run.line_ids.filtered(lambda line: line.workorder_id == cut)
        self.assertGreaterEqual(cut_line.new_date_start, back)
        self.assertEqual(cut.date_start, self.now + timedelta(minutes=10))

        negotiation = self._round(order)
        self.assertEqual(negotiation.abnormality_id, shortage)
        self.assertEqual(negotiation.expected_date, agreed)
        self.assertGreaterEqual(negotiation.scheduled_date, back + timedelta(hours=3))
        self._assert_readable(
            negotiation, shortage, "Material Shortage", "product Abn Tube"
        )

        self._schedule(production)
        self.assertGreaterEqual(cut.date_start, back)
        self.assertGreaterEqual(weld.date_start, cut.date_finished)

    def test_resolved_shortage_gives_the_mo_back_its_time(self):
        """Once the material is found, resolving the shortage frees the MO:
        the next run plans it on time again."""
        order, production, cut, _weld = self._planned_order()
        shortage = self._abnormality(
            abnormality_type="material_shortage",
            product_id=self.tube.id,
            # as the form's default: now, seconds included
            date_start=fields.Datetime.now(),
        )
        shortage.action_confirm()
        self._schedule(production)
        self.assertGreaterEqual(cut.date_start, shortage.date_end + timedelta(days=1))
        shortage.with_user(self.planner).action_resolve()
        self._schedule(production)
        self.assertLess(cut.date_start, shortage.date_end)
        self.assertLessEqual(production.date_finished, order.commitment_date)

    def test_shortage_starting_later_holds_only_work_starting_after_it(self):
        """The tube runs out in an hour: the MO starting in ten minutes takes
        its tubes before that and keeps its plan; the one planned for three
        hours from now waits for the tubes to be back and at the station, and
        only its order gets a round."""
        early_order, early, early_cut, _weld = self._planned_order()
        late_order, late, late_cut, _weld = self._planned_order(start_in_minutes=180)
        shortage = self._abnormality(
            abnormality_type="material_shortage",
            product_id=self.tube.id,
            date_start=self.now + timedelta(hours=1),
        )
        shortage.action_confirm()
        self.assertEqual(shortage.production_ids, early | late)
        run = self._estimate_run()
        self.assertFalse(
            run.line_ids.filtered(lambda line: line.production_id == early)
        )
        self.assertFalse(early_order.pps_negotiation_ids)
        self.assertEqual(self._round(late_order).abnormality_id, shortage)
        self._schedule(early | late)
        self.assertEqual(early_cut.date_start, self.now + timedelta(minutes=10))
        self.assertGreaterEqual(
            late_cut.date_start, shortage.date_end + timedelta(days=1)
        )

    def test_shortage_needs_its_product_and_hits_only_consumers(self):
        """A shortage without a product cannot say whom it holds back; one of
        the finished product holds back nobody (its makers are the supply, not
        consumers)."""
        _order, production, _cut, _weld = self._planned_order()
        shortage = self._abnormality(
            abnormality_type="material_shortage",
            production_ids=[Command.set(production.ids)],
        )
        with self.assertRaisesRegex(UserError, "set the product that is short"):
            shortage.action_confirm()
        shortage = self._abnormality(
            abnormality_type="material_shortage", product_id=self.frame.id
        )
        self.assertFalse(shortage._pps_find_productions())


class TestLowYield(AbnormalityPlanCase):
    def test_low_yield_lengthens_the_work_by_the_inverse_of_the_yield(self):
        """Only 80% of the Frames come out good: every work order of the MOs
        making it takes 1/0.8 = 1.25 times as long (cut 150, weld 75 minutes),
        the order is late and sales get the proposal; resolving gives the
        normal times back on the next run."""
        order, production, cut, weld = self._planned_order()
        agreed = order.commitment_date
        low_yield = self._abnormality(
            name="Frame scrap rate up",
            abnormality_type="low_yield",
            product_id=self.frame.id,
            capacity_factor=0.8,
        )
        low_yield.action_confirm()
        self.assertEqual(low_yield.production_ids, production)
        run = self._estimate_run()
        lines = {line.workorder_id: line for line in run.line_ids}
        self.assertEqual(
            lines[cut].new_date_finished - lines[cut].new_date_start,
            timedelta(minutes=150),
        )
        self.assertEqual(
            lines[weld].new_date_finished - lines[weld].new_date_start,
            timedelta(minutes=75),
        )
        negotiation = self._round(order)
        self.assertGreaterEqual(
            negotiation.scheduled_date, agreed + timedelta(minutes=35)
        )
        self._assert_readable(negotiation, low_yield, "Low Yield", "product Abn Frame")

        self._schedule(production)
        self.assertEqual(self._minutes(cut), 150)
        self.assertEqual(self._minutes(weld), 75)
        low_yield.with_user(self.planner).action_resolve()
        self._schedule(production)
        self.assertEqual(self._minutes(cut), 120)
        self.assertEqual(self._minutes(weld), 60)

    def test_low_yield_on_a_work_center_slows_its_work_and_keeps_its_capacity(self):
        """Half the cuts are scrap on the cutting center for three hours: the
        cut takes twice as long (240 minutes), straight through, because a low
        yield takes no capacity away (were the center's windows halved too,
        the cut would stop in the middle); the weld, elsewhere, keeps its
        hour."""
        _order, production, cut, weld = self._planned_order()
        low_yield = self._abnormality(
            abnormality_type="low_yield",
            workcenter_id=self.wc_cut.id,
            date_end=self.now + timedelta(hours=3),
            capacity_factor=0.5,
        )
        low_yield.action_confirm()
        self._schedule(production)
        self.assertEqual(cut.date_start, self.now + timedelta(minutes=10))
        self.assertEqual(self._minutes(cut), 240)
        self.assertEqual(self._minutes(weld), 60)

    def test_low_yield_without_yield_left_is_refused(self):
        """A yield of 0 would make the work endless: confirming it is refused
        with a message that says what to enter."""
        low_yield = self._abnormality(
            abnormality_type="low_yield", product_id=self.frame.id
        )
        with self.assertRaisesRegex(ValidationError, "share of good output left"):
            low_yield.action_confirm()
        self.assertEqual(low_yield.state, "draft")


class TestCapacity(AbnormalityPlanCase):
    def test_equipment_failure_takes_the_center_away(self):
        """The cutting center is down until tomorrow: the cut cannot run
        before then, the order slips by most of a day, and sales get the
        proposal with the work center and the delay in words."""
        order, production, cut, _weld = self._planned_order()
        failure = self._abnormality(
            name="Saw broken",
            abnormality_type="equipment_failure",
            workcenter_id=self.wc_cut.id,
            capacity_factor=0.0,
        )
        failure.action_confirm()
        self.assertEqual(failure.production_ids, production)
        negotiation = self._round(order)
        self.assertGreaterEqual(
            negotiation.scheduled_date, failure.date_end + timedelta(hours=3)
        )
        self._assert_readable(
            negotiation, failure, "Equipment Failure", "work center Abn Cutting"
        )
        self.assertIn("hours", negotiation.reason)
        self._schedule(production)
        self.assertGreaterEqual(cut.date_start, failure.date_end)

    def test_low_staffing_halves_the_center(self):
        """Half the crew for the next two hours: the center works only the
        first hour of them, so the cut stops for an hour and the order slips
        by about an hour."""
        order, production, cut, _weld = self._planned_order()
        agreed = order.commitment_date
        staffing = self._abnormality(
            abnormality_type="low_staffing",
            workcenter_id=self.wc_cut.id,
            date_end=self.now + timedelta(hours=2),
            capacity_factor=0.5,
        )
        staffing.action_confirm()
        negotiation = self._round(order)
        self.assertGreaterEqual(
            negotiation.scheduled_date, agreed + timedelta(minutes=50)
        )
        self._assert_readable(
            negotiation, staffing, "Low Staffing", "work center Abn Cutting"
        )
        self._schedule(production)
        self.assertGreaterEqual(
            production.date_finished, agreed + timedelta(minutes=50)
        )
        self.assertGreaterEqual(self._minutes(cut), 170)


class TestNothingSlips(AbnormalityPlanCase):
    def test_no_round_when_the_plan_absorbs_the_abnormality(self):
        """A shortage whose material is at the station before the MO starts,
        and a low yield over before it, move nothing: the MO is listed as
        affected, the dry run runs, no round is opened."""
        order, production, _cut, _weld = self._planned_order(start_in_minutes=3 * 1440)
        shortage = self._abnormality(
            abnormality_type="material_shortage", product_id=self.tube.id
        )
        shortage.action_confirm()
        self.assertEqual(shortage.production_ids, production)
        self._estimate_run()
        low_yield = self._abnormality(
            abnormality_type="low_yield",
            product_id=self.frame.id,
            capacity_factor=0.5,
        )
        low_yield.action_confirm()
        self.assertEqual(low_yield.production_ids, production)
        self.assertFalse(self._estimate_run().line_ids)
        self.assertFalse(order.pps_negotiation_ids)
        self.assertFalse(shortage.negotiation_ids | low_yield.negotiation_ids)

    def test_no_round_while_the_agreed_date_still_holds(self):
        """The MO slips (a low yield lengthens its work) but the order was
        agreed with a day to spare: the dry run shows the longer work, sales
        are not asked anything."""
        order, production, cut, _weld = self._planned_order()
        order.commitment_date = production.date_finished + timedelta(days=1)
        low_yield = self._abnormality(
            abnormality_type="low_yield",
            product_id=self.frame.id,
            capacity_factor=0.8,
        )
        low_yield.action_confirm()
        line = self._estimate_run().line_ids.filtered(
            lambda line: line.workorder_id == cut
        )
        self.assertEqual(
            line.new_date_finished - line.new_date_start, timedelta(minutes=150)
        )
        self.assertFalse(order.pps_negotiation_ids)

    def test_no_round_when_the_delivery_waits_for_another_mo(self):
        """The order's delivery waits for its second MO, planned two days out
        (it is late already, for reasons of its own). A breakdown delays the
        first MO by some hours, still well before the second one: the
        delivery does not move, so the breakdown opens no round."""
        order, first, _cut, _weld = self._planned_order()
        second, _cut2, _weld2 = self._planned_production(order, 2 * 1440)
        failure = self._abnormality(
            abnormality_type="equipment_failure",
            workcenter_id=self.wc_cut.id,
            date_end=self.now + timedelta(hours=6),
            capacity_factor=0.0,
        )
        failure.action_confirm()
        self.assertEqual(failure.production_ids, first)
        run = self._estimate_run()
        self.assertEqual(run.production_ids, first | second)
        moved = run.line_ids.filtered(lambda line: line.production_id == first)
        self.assertGreater(
            max(moved.mapped("new_date_finished")), order.commitment_date
        )
        self.assertFalse(order.pps_negotiation_ids)


class TestReasonWords(AbnormalityPlanCase):
    def test_delays_in_plain_words(self):
        """The delay of a reason reads as people say it: days and hours once
        it is a day or more, hours and minutes below."""
        abnormality = self._abnormality(abnormality_type="other")
        words = abnormality._pps_format_duration
        self.assertEqual(
            words(timedelta(days=2, hours=4, minutes=10)), "2 days and 4 hours"
        )
        self.assertEqual(words(timedelta(days=1)), "1 day")
        self.assertEqual(words(timedelta(hours=1, minutes=1)), "1 hour and 1 minute")
        self.assertEqual(
            words(timedelta(hours=3, minutes=20)), "3 hours and 20 minutes"
        )
        self.assertEqual(words(timedelta(minutes=45)), "45 minutes")
        self.assertEqual(
            words(timedelta(days=1, hours=2, minutes=5)), "1 day and 2 hours"
        )


class TestConfirmationInBackground(AbnormalityPlanCase):
    def test_confirmed_at_once_and_its_dry_run_goes_to_a_job(self):
        """With the background on, the planner's confirmation writes the
        abnormality and what it affects at once and hands the estimating dry
        run to a job; once the job ran, the internal change opens with the
        date the request would have proposed."""
        order, production, _cut, _weld = self._planned_order()
        values = {
            "name": "Saw broken",
            "abnormality_type": "equipment_failure",
            "workcenter_id": self.wc_cut.id,
            "capacity_factor": 0.0,
        }
        with self.env.cr.savepoint() as savepoint:
            self._abnormality(**values).action_confirm()
            expected = self._round(order).scheduled_date
            savepoint.rollback()
        self.env["ir.config_parameter"].sudo().set_param(
            "pps_scheduler.background", "1"
        )
        failure = self._abnormality(**values)
        with trap_jobs() as trap:
            failure.action_confirm()
            trap.assert_jobs_count(1)
            job = trap.enqueued_jobs[0]
            self.assertEqual(job.method_name, "_execute_job")
            self.assertEqual(job.kwargs["followup"], failure)
            self.assertEqual(failure.state, "confirmed")
            self.assertEqual(failure.production_ids, production)
            run = self.env["pps.schedule.run"].search(
                [("trigger", "=", "abnormality")], order="id desc", limit=1
            )
            self.assertEqual(job.recordset, run)
            self.assertEqual(run.state, "running")
            self.assertFalse(order.pps_negotiation_ids, "not estimated yet")
            self.assertIn(run.name, failure.message_ids[:1].body)
            trap.perform_enqueued_jobs()
        self.assertEqual(self._estimate_run(), run)
        self.assertEqual(self._round(order).scheduled_date, expected)
