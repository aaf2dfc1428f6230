"""The planners' timeline: the guarded move behind its drag, and its view.

Every test moves a work order as the non-privileged planner (or tries to, as
the salesperson) through ``mrp.workorder.action_pps_timeline_move``, the one
method the timeline's drag calls. A refused move writes nothing.
"""

from datetime import datetime, time, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError

from .common import SchedulerCase, create_workcenter, plan_in_sequence


class TestTimelineMove(SchedulerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.pps_frozen_days = 2
        # Cutting can also run on a second saw; welding has no alternative.
        cls.wc_saw = create_workcenter(cls.env, "Sched Saw", cls.calendar)
        cls.wc_cut.alternative_workcenter_ids = [Command.set(cls.wc_saw.ids)]
        # Five days out, well past the frozen zone: Cut 08-10, Weld 10-11.
        cls.day = (fields.Datetime.now() + timedelta(days=5)).date()
        cls.production = cls._create_production(deadline_days=30)
        cls.cut, cls.weld = cls._planned(cls.production, cls._at(cls.day, 8))

    @classmethod
    def _at(cls, day, hour, minute=0):
        return datetime.combine(day, time(hour, minute))

    @classmethod
    def _planned(cls, production, start):
        workorders = production.workorder_ids.sorted("sequence")
        plan_in_sequence(workorders, start, (120, 60))
        production.with_context(force_date=True).write(
            {"date_start": start, "date_finished": start + timedelta(minutes=180)}
        )
        return workorders

    def _move(self, workorder, start, workcenter=None, user=None):
        if isinstance(start, datetime):
            start = fields.Datetime.to_string(start)
        return workorder.with_user(user or self.planner).action_pps_timeline_move(
            start, workcenter_id=workcenter and workcenter.id
        )

    def _assert_refused(self, workorder, start, pattern, workcenter=None, user=None):
        before = (
            workorder.date_start,
            workorder.date_finished,
            workorder.workcenter_id,
        )
        with self.assertRaisesRegex(UserError, pattern):
            self._move(workorder, start, workcenter, user)
        workorder.invalidate_recordset()
        self.assertEqual(
            (workorder.date_start, workorder.date_finished, workorder.workcenter_id),
            before,
            "a refused move writes nothing",
        )

    # ------------------------------------------------------------ allowed
    def test_move_later_on_its_work_center(self):
        """The weld moves to 14:00; its end follows its 60 minutes, the MO's
        dates follow the work order, the answer crosses RPC."""
        result = self._move(self.weld, self._at(self.day, 14))
        self.assertEqual(self.weld.date_start, self._at(self.day, 14))
        self.assertEqual(self.weld.date_finished, self._at(self.day, 15))
        self.assertEqual(self.production.date_finished, self._at(self.day, 15))
        self.assertEqual(result["workcenter"], self.wc_weld.display_name)
        self.assertEqual(result["date_start"], f"{self.day} 14:00:00")
        self.assertIn("moved on the timeline", self.production.message_ids[0].body)

    def test_move_snaps_to_working_time(self):
        """Dropped at 03:00, outside the shifts (06-22): it starts at 06:00."""
        self._move(self.weld, self._at(self.day + timedelta(days=1), 3))
        self.assertEqual(
            self.weld.date_start, self._at(self.day + timedelta(days=1), 6)
        )
        self.assertEqual(
            self.weld.date_finished, self._at(self.day + timedelta(days=1), 7)
        )

    def test_move_spans_the_night(self):
        """Started at 21:30, its 60 working minutes end at 06:30 the next day."""
        self._move(self.weld, self._at(self.day, 21, 30))
        self.assertEqual(
            self.weld.date_finished, self._at(self.day + timedelta(days=1), 6, 30)
        )

    def test_move_to_an_alternative_work_center(self):
        """The cut goes to the saw, its alternative, at the same time."""
        self._move(self.cut, self._at(self.day, 6), workcenter=self.wc_saw)
        self.assertEqual(self.cut.workcenter_id, self.wc_saw)
        self.assertEqual(self.cut.date_start, self._at(self.day, 6))
        self.assertEqual(self.cut.date_finished, self._at(self.day, 8))

    # ------------------------------------------------------------ refused
    def test_salesperson_refused(self):
        with self.assertRaisesRegex(AccessError, "Only production planners"):
            self._move(self.weld, self._at(self.day, 14), user=self.salesman)

    def test_not_an_alternative_refused(self):
        self._assert_refused(
            self.cut,
            self._at(self.day, 6),
            "cannot run on Sched Welding.*alternatives \\(Sched Saw\\)",
            workcenter=self.wc_weld,
        )

    def test_in_progress_refused(self):
        self.cut.with_user(self.planner).button_start()
        self._assert_refused(self.cut, self._at(self.day, 12), "in progress")

    def test_done_refused(self):
        self.cut.with_user(self.planner).button_start()
        self.cut.with_user(self.planner).button_finish()
        self.assertEqual(self.cut.state, "done")
        self._assert_refused(self.cut, self._at(self.day, 12), "done or cancelled")

    def test_pinned_refused(self):
        self.production.with_user(self.planner).action_pps_pin_plan(reason="Tools")
        self._assert_refused(self.weld, self._at(self.day, 14), "pinned: unpin it")

    def test_into_the_frozen_zone_refused(self):
        tomorrow = (fields.Datetime.now() + timedelta(days=1)).replace(microsecond=0)
        self._assert_refused(self.cut, tomorrow, "the past or the frozen zone")

    def test_into_the_past_refused(self):
        yesterday = (fields.Datetime.now() - timedelta(days=1)).replace(microsecond=0)
        self._assert_refused(self.cut, yesterday, "the past or the frozen zone")

    def test_out_of_the_frozen_zone_refused(self):
        other = self._create_production(deadline_days=30)
        start = (fields.Datetime.now() + timedelta(days=1)).replace(
            hour=8, minute=0, second=0, microsecond=0
        )
        _cut, weld = self._planned(other, start)
        self.assertTrue(weld.pps_frozen)
        self._assert_refused(weld, self._at(self.day, 16), "inside the frozen zone")

    def test_into_a_locked_week_refused(self):
        later = self.day + timedelta(days=14)
        self.env["pps.dispatch.week.lock"].with_user(self.planner).action_lock_week(
            self.wc_weld.id, fields.Date.to_string(later)
        )
        self._assert_refused(
            self.weld, self._at(later, 10), "is locked for Sched Welding"
        )

    def test_out_of_a_locked_week_refused(self):
        self.env["pps.dispatch.week.lock"].with_user(self.planner).action_lock_week(
            self.wc_weld.id, fields.Date.to_string(self.day)
        )
        self.weld.invalidate_recordset()
        self.assertTrue(self.weld.pps_week_locked)
        self._assert_refused(
            self.weld, self._at(self.day + timedelta(days=14), 10), "locked"
        )

    def test_overlap_refused(self):
        """Another order welds 14:00-15:00: the weld cannot start at 14:30."""
        other = self._create_production(deadline_days=30)
        self._planned(other, self._at(self.day, 12))
        self._assert_refused(self.weld, self._at(self.day, 14, 30), "overlap")

    def test_routing_order_refused(self):
        """The weld cannot start before the cut ends, nor the cut end after
        the weld starts."""
        self._assert_refused(self.weld, self._at(self.day, 7), "cannot start before")
        self._assert_refused(self.cut, self._at(self.day, 9), "must end before")

    def test_bad_input_refused(self):
        self._assert_refused(self.weld, "next tuesday", "not a date")
        with self.assertRaisesRegex(UserError, "one work order at a time"):
            (self.cut | self.weld).with_user(self.planner).action_pps_timeline_move(
                fields.Datetime.to_string(self._at(self.day, 14))
            )

    # ------------------------------------------------------------ the view
    def test_projected_lateness_and_flags(self):
        """The bar's facts: lateness against the deadline, pinned, locked."""
        self.production.date_deadline = self._at(self.day, 10)
        self.weld.invalidate_recordset()
        self.assertTrue(self.weld.pps_late)
        self.assertEqual(self.weld.pps_projected_late_hours, 1.0)
        self.assertEqual(self.weld.pps_projected_late_label, "1 hour late")
        self._move(self.weld, self._at(self.day, 12))
        self.assertEqual(self.weld.pps_projected_late_hours, 3.0)
        self.assertEqual(self.weld.pps_projected_late_label, "3 hours late")
        self.production.date_deadline = self._at(self.day - timedelta(days=2), 9)
        self.weld.invalidate_recordset()
        self.assertEqual(self.weld.pps_projected_late_label, "2 days and 4 hours late")

    def test_timeline_view_and_menu_for_planners(self):
        action = self.env.ref(
            "pps_coordination_scheduler.mrp_workorder_timeline_action"
        )
        self.assertEqual(action.view_mode.split(",")[0], "timeline")
        views = (
            self.env["mrp.workorder"]
            .with_user(self.planner)
            .get_views([(False, "timeline")])
        )
        arch = views["views"]["timeline"]["arch"]
        self.assertIn('js_class="pps_timeline"', arch)
        self.assertIn('default_group_by="workcenter_id"', arch)
        menu = self.env.ref("pps_coordination_scheduler.mrp_workorder_timeline_menu")
        visible = self.env["ir.ui.menu"].with_user(self.planner)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        hidden = self.env["ir.ui.menu"].with_user(self.salesman)._visible_menu_ids()
        self.assertNotIn(menu.id, hidden)
