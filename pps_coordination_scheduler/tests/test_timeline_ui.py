"""The planners' timeline in a real browser: one drag kept, one refused.

The tour (``static/tests/tours/timeline_tour.js``) opens the timeline as a
planner and drops bars through the handler vis-timeline calls at the end of a
drag (its ``onMove`` option): pointer gestures on the vis canvas are not
driven, the rest of the path -- the view's controller, its call to
``action_pps_timeline_move``, the refusal's notification -- is the real one.
"""

from datetime import datetime, time, timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import (
    PLANNER_GROUPS,
    create_calendar,
    create_routing,
    create_workcenter,
    plan_in_sequence,
)


@tagged("post_install", "-at_install")
class TestTimelineBrowser(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        # runs in the request, as the suites assert their plans at once
        # (test_background_runs covers the background jobs)
        env["ir.config_parameter"].sudo().set_param("pps_scheduler.background", "0")
        env.company.write({"pps_frozen_days": 2, "pps_rush_capacity_share": 0.0})
        calendar = create_calendar(env, "TL shifts (UTC)", 6.0, 22.0, days=range(7))
        cls.wc_cut = create_workcenter(env, "TL Cutting", calendar)
        cls.wc_saw = create_workcenter(env, "TL Saw", calendar)
        cls.wc_weld = create_workcenter(env, "TL Welding", calendar)
        cls.wc_cut.alternative_workcenter_ids = [Command.set(cls.wc_saw.ids)]
        product = env["product.product"].create(
            {"name": "TL Frame", "is_storable": True}
        )
        bom = create_routing(
            env, product, [("Cut", cls.wc_cut, 120.0), ("Weld", cls.wc_weld, 60.0)]
        )
        cls.day = (fields.Datetime.now() + timedelta(days=4)).date()
        start = datetime.combine(cls.day, time(8))
        cls.production = cls._production(product, bom, "TL/001", start)
        cls.production.date_deadline = start + timedelta(hours=2)
        # work of another order on the saw, so that its row shows
        other = cls._production(product, bom, "OTHER/002", start + timedelta(days=1))
        other.workorder_ids.filtered(
            lambda w: w.name == "Cut"
        ).workcenter_id = cls.wc_saw
        cls.planner = mail_new_test_user(
            env,
            login="tl_tour_planner",
            name="Timeline Planner",
            groups=PLANNER_GROUPS,
            tz="UTC",
        )

    @classmethod
    def _production(cls, product, bom, name, start):
        production = cls.env["mrp.production"].create(
            {"name": name, "product_id": product.id, "bom_id": bom.id}
        )
        production.action_confirm()
        plan_in_sequence(production.workorder_ids.sorted("sequence"), start, (120, 60))
        production.with_context(force_date=True).write(
            {"date_start": start, "date_finished": start + timedelta(minutes=180)}
        )
        return production

    def test_timeline_drag_tour(self):
        self.start_tour(
            "/odoo/action-pps_coordination_scheduler.mrp_workorder_timeline_action",
            "pps_timeline_tour",
            login=self.planner.login,
        )
        cut, weld = self.production.workorder_ids.sorted("sequence")
        start = datetime.combine(self.day, time(8))
        self.assertEqual(weld.date_start, start + timedelta(hours=6), "kept: 4 h later")
        self.assertEqual(weld.workcenter_id, self.wc_weld, "refused: still welding")
        self.assertEqual(cut.workcenter_id, self.wc_saw, "kept: onto the saw")
