"""The readiness checklist is checked against the plan.

A planner ticks fixtures/tools, equipment and manpower on the work orders of
the short term; a tick the plan contradicts (the fixture booked by more work
orders than it has copies, more operators than the pool has on that shift,
the work center down by an equipment failure) is refused with the reason,
and the readiness list shows it.
"""

from datetime import datetime, time, timedelta

from odoo import fields
from odoo.exceptions import UserError

from .test_secondary_resources import SecondaryCase


class TestReadiness(SecondaryCase):
    def setUp(self):
        super().setUp()
        tomorrow = fields.Date.today() + timedelta(days=1)
        self.day = datetime.combine(tomorrow, time(0, 0))
        self.Workorder = self.env["mrp.workorder"].with_user(self.planner)

    def _cut_at(self, production, hour, minutes=120):
        """Plan the cut of ``production`` by hand at ``hour`` tomorrow (UTC)."""
        cut = self._cuts(production).with_user(self.planner)
        start = self.day + timedelta(hours=hour)
        cut.write(
            {"date_start": start, "date_finished": start + timedelta(minutes=minutes)}
        )
        return cut

    def test_a_fixture_booked_twice_cannot_be_ticked(self):
        """The run plans the two cuts one after the other (one jig); moved by
        hand into the same hours, the jig is booked twice: the tools check is
        refused on both, naming the jig, and manpower can still be ticked."""
        self._need(self.frame_cut, fixture_id=self.jig.id)
        self._need(self.bracket_cut, fixture_id=self.jig.id)
        frame = self._mo(self.product, self.bom)
        bracket = self._mo(self.bracket, self.bracket_bom)
        run = self._schedule(frame | bracket)
        self.assertEqual(run.state, "done", run.message)
        cuts = self._cuts(frame | bracket).with_user(self.planner)
        self.assertEqual(cuts.mapped("pps_readiness_issue"), ["", ""])
        cuts[0].pps_ready_tools = True
        self.assertTrue(cuts[0].pps_ready_tools)
        frame_cut = self._cut_at(frame, 8)
        bracket_cut = self._cut_at(bracket, 9)
        for cut in frame_cut | bracket_cut:
            cut.invalidate_recordset(["pps_readiness_issue"])
            self.assertIn("Cutting jig: 2 copies booked at", cut.pps_readiness_issue)
            self.assertIn("1 in the shop", cut.pps_readiness_issue)
            with self.assertRaisesRegex(UserError, "Fixtures/Tools Ready.*Cutting jig"):
                cut.pps_ready_tools = True
            cut.pps_ready_manpower = True
            self.assertTrue(cut.pps_ready_manpower)
        # the bracket right at the frame's end, inside a minute (as a run
        # writes them, seconds and all): the jig passes on, no overlap
        end = frame_cut.date_finished + timedelta(seconds=47, microseconds=380725)
        frame_cut.date_finished = end
        bracket_cut.write(
            {"date_start": end, "date_finished": end + timedelta(minutes=75)}
        )
        (frame_cut | bracket_cut).invalidate_recordset(["pps_readiness_issue"])
        self.assertEqual(
            (frame_cut | bracket_cut).mapped("pps_readiness_issue"), ["", ""]
        )
        bracket_cut.pps_ready_tools = True
        self.assertTrue(bracket_cut.pps_ready_tools)

    def test_the_late_shift_has_one_operator(self):
        """A cut needing both operators is planned by the run in the day
        shift; moved by hand into the late shift (one operator there) the
        manpower check is refused, and so is a tick sent with the move."""
        self._need(self.frame_cut, pool_id=self.crew.id, quantity=2)
        frame = self._mo(self.product, self.bom)
        self._schedule(frame)
        cut = self._cut_at(frame, 8)
        self.assertFalse(cut.pps_readiness_issue)
        cut.pps_ready_manpower = True
        cut.pps_ready_manpower = False
        start = self.day + timedelta(hours=15)
        with self.assertRaises(UserError) as caught:  # in a savepoint, as an RPC
            cut.write(
                {
                    "date_start": start,
                    "date_finished": start + timedelta(hours=2),
                    "pps_ready_manpower": True,
                }
            )
        self.assertIn("Manpower Ready", str(caught.exception))
        cut.invalidate_recordset()
        self.assertEqual(cut.date_start, self.day + timedelta(hours=8), "undone")
        cut = self._cut_at(frame, 15)
        self.assertIn("Cutting crew: 2 operators booked at", cut.pps_readiness_issue)
        self.assertIn("1 there", cut.pps_readiness_issue)
        with self.assertRaisesRegex(UserError, "Cutting crew"):
            cut.pps_ready_manpower = True
        cut.pps_ready_tools = True  # it needs no fixture

    def test_low_staffing_confirmed_after_the_run(self):
        """Half the crew off tomorrow, confirmed after the cut was planned
        with both operators: the cut cannot be marked staffed."""
        self._need(self.frame_cut, pool_id=self.crew.id, quantity=2)
        frame = self._mo(self.product, self.bom)
        self._schedule(frame)
        cut = self._cut_at(frame, 8)
        self.assertFalse(cut.pps_readiness_issue)
        staffing = self.env["pps.abnormality"].create(
            {
                "abnormality_type": "low_staffing",
                "workcenter_id": self.wc_cut.id,
                "pps_pool_id": self.crew.id,
                "capacity_factor": 0.5,
                "date_start": self.day,
                "date_end": self.day + timedelta(days=1),
            }
        )
        staffing.action_confirm()
        cut = self._cut_at(frame, 8)  # a re-plan may have moved it
        self.assertIn("1 there", cut.pps_readiness_issue)
        with self.assertRaisesRegex(UserError, "Cutting crew"):
            cut.pps_ready_manpower = True

    def test_equipment_down_over_the_slot(self):
        frame = self._mo(self.product, self.bom)
        self._schedule(frame)
        cut = self._cut_at(frame, 8)
        values = {
            "abnormality_type": "equipment_failure",
            "workcenter_id": self.wc_cut.id,
            "date_start": self.day + timedelta(hours=9),
            "date_end": self.day + timedelta(hours=12),
        }
        slowed = self.env["pps.abnormality"].create(dict(values, capacity_factor=0.5))
        slowed.action_confirm()
        cut = self._cut_at(frame, 8)
        self.assertFalse(cut.pps_readiness_issue, "half the capacity is left")
        down = self.env["pps.abnormality"].create(dict(values, capacity_factor=0.0))
        down.action_confirm()
        cut = self._cut_at(frame, 8)
        self.assertIn(
            f"Sched Cutting is down ({down.display_name})", cut.pps_readiness_issue
        )
        with self.assertRaisesRegex(UserError, "Equipment Ready"):
            cut.pps_ready_equipment = True
        cut = self._cut_at(frame, 12)
        cut.pps_ready_equipment = True
        self.assertTrue(cut.pps_ready_equipment)

    def test_readiness_list_for_planners(self):
        """Planning > Readiness lists the open work orders of the short term
        with their issues."""
        self._need(self.frame_cut, fixture_id=self.jig.id)
        self._need(self.bracket_cut, fixture_id=self.jig.id)
        frame = self._mo(self.product, self.bom)
        bracket = self._mo(self.bracket, self.bracket_bom)
        self._schedule(frame | bracket)
        self._cut_at(frame, 8)
        self._cut_at(bracket, 9)
        far = self._cuts(frame).production_id.workorder_ids.filtered(
            lambda wo: wo.name == "Weld"
        )
        far.with_user(self.planner).write(
            {
                "date_start": self.day + timedelta(days=20),
                "date_finished": self.day + timedelta(days=20, hours=1),
            }
        )
        action = self.Workorder.action_pps_readiness()
        self.assertEqual(action["res_model"], "mrp.workorder")
        listed = self.Workorder.search(action["domain"])
        self.assertIn(self._cuts(frame), listed)
        self.assertIn(self._cuts(bracket), listed)
        self.assertNotIn(far, listed)
        view_id = action["views"][0][0]
        arch = self.Workorder.get_views([(view_id, "list")])["views"]["list"]["arch"]
        for name in ("pps_readiness_issue", "pps_ready_tools", "pps_ready_manpower"):
            self.assertIn(f'name="{name}"', arch)
        rows = listed.with_user(self.planner).read(["pps_readiness_issue"])
        self.assertTrue(
            all(
                "Cutting jig" in row["pps_readiness_issue"]
                for row in rows
                if row["id"] in self._cuts(frame | bracket).ids
            )
        )
