"""Shared fixture of the scheduler's suites: the coordination fixture and these.

Everything of ``odoo.addons.pps_coordination.tests.common`` (the coordination
plant ``PpsCoordinationCase``, its groups and the plant builders) is
re-exported, so the scheduler's suites import all of their fixture with
``from .common import ...``. The bases shared by several suites of this add-on
live here, never in a test module (a test module imported into another has its
test classes run twice):

- ``SchedulerCase``: a two-shift plant for the write-back and failure suites
  (``test_scheduler``, ``test_scheduler_exact``, ``test_reliability_faults``);
- ``OnePlanCase``: the coordination fixture planned round the clock, with the
  salesperson's and planner's steps (``test_one_plan``, ``test_one_plan_rpc``);
- ``DispatchBoardPlant``: the dispatch board's plant, a mixin of the server
  and browser suites (``test_dispatch_board``, ``test_dispatch_board_ui``).

Every test here runs with the scheduler installed, through its overrides of
the coordination hooks (the promise, re-planning on agreement, the delays of
an abnormality).
"""

from datetime import datetime, timedelta
from itertools import pairwise

from odoo import Command, fields
from odoo.tests.common import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.pps_coordination.models.pps_lock_mixin import PPS_LOCK_BYPASS
from odoo.addons.pps_coordination.tests.common import (
    ADMIN_GROUPS,
    PLANNER_GROUPS,
    ROOT_MENU,
    SALES_GROUPS,
    UNLOCK_GROUPS,
    PpsCoordinationCase,
    app_menus,
    create_calendar,
    create_routing,
    create_workcenter,
    open_app_menus,
    open_window_action,
    plan_in_sequence,
)

__all__ = [
    "ADMIN_GROUPS",
    "PLANNER_GROUPS",
    "ROOT_MENU",
    "SALES_GROUPS",
    "UNLOCK_GROUPS",
    "DispatchBoardPlant",
    "OnePlanCase",
    "PpsCoordinationCase",
    "SchedulerCase",
    "app_menus",
    "create_calendar",
    "create_routing",
    "create_workcenter",
    "open_app_menus",
    "open_window_action",
    "plan_in_sequence",
]


class SchedulerCase(TransactionCase):
    """A two-shift plant (every day, UTC), two work centers and a product
    routed Cut (120 min) then Weld (60 min); a planner and a salesperson;
    no rush reserve, no just-in-time slack."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # runs in the request, as the suites assert their plans at once
        # (test_background_runs covers the background jobs)
        cls.env["ir.config_parameter"].sudo().set_param("pps_scheduler.background", "0")
        # as soon as possible: these suites pin the write-back mechanics; the
        # just-in-time rule has its own tests (test_one_plan, engine)
        cls.company.write(
            {
                "pps_rush_capacity_share": 0.0,
                "pps_material_buffer_days": 1,
                "pps_jit_slack_days": 0.0,
            }
        )
        cls.planner = mail_new_test_user(
            cls.env,
            login="sched_planner",
            groups="base.group_user,pps_coordination.group_pps_planner",
        )
        cls.salesman = mail_new_test_user(
            cls.env,
            login="sched_sales",
            groups="base.group_user,pps_coordination.group_pps_sales",
        )
        cls.env.user.tz = "UTC"
        cls.calendar = create_calendar(
            cls.env, "Two shifts, every day (UTC)", 6.0, 22.0, days=range(7)
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.wc_cut = cls._create_workcenter("Sched Cutting")
        cls.wc_weld = cls._create_workcenter("Sched Welding")
        cls.product = cls.env["product.product"].create(
            {"name": "Sched Frame", "is_storable": True}
        )
        cls.bom = create_routing(
            cls.env,
            cls.product,
            [("Cut", cls.wc_cut, 120.0), ("Weld", cls.wc_weld, 60.0)],
        )

    @classmethod
    def _create_workcenter(cls, name):
        return create_workcenter(cls.env, name, cls.calendar)

    @classmethod
    def _create_production(cls, deadline_days=5, qty=1.0):
        production = cls.env["mrp.production"].create(
            {
                "product_id": cls.product.id,
                "bom_id": cls.bom.id,
                "product_qty": qty,
                "date_deadline": fields.Datetime.now() + timedelta(days=deadline_days),
            }
        )
        production.action_confirm()
        return production

    def _close_plant(self):
        """A leave covering every horizon: no work center can host any work."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Plant closed",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2000, 1, 1),
                "date_to": datetime(2100, 1, 1),
                "time_type": "leave",
            }
        )

    def _schedule(self, productions, **kwargs):
        return (
            self.env["pps.schedule.run"]
            .with_user(self.planner)
            .schedule(productions=productions, time_limit=5, workers=1, **kwargs)
        )

    def _assert_no_overlap(self, workorders):
        by_center = {}
        for wo in workorders:
            by_center.setdefault(wo.workcenter_id, []).append(wo)
        for center, wos in by_center.items():
            wos.sort(key=lambda w: w.date_start)
            for first, second in pairwise(wos):
                self.assertLessEqual(
                    first.date_finished,
                    second.date_start,
                    f"{first.display_name} overlaps {second.display_name} "
                    f"on {center.name}",
                )


class OnePlanCase(PpsCoordinationCase):
    """The coordination fixture on a round-the-clock plant (UTC), short scheduler
    runs, and the salesperson's and planner's steps of the one plan."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.round_the_clock = create_calendar(
            cls.env, "Round the clock (UTC)", 0.0, 24.0, days=range(7)
        )
        cls.company.write(
            {
                "resource_calendar_id": cls.round_the_clock.id,
                "pps_rush_capacity_share": 0.0,
                "pps_material_buffer_days": 3,
                "pps_frozen_days": 3,
                "pps_jit_slack_days": 5.0,
            }
        )
        cls.workcenter.resource_calendar_id = cls.round_the_clock
        cls.env.user.tz = "UTC"
        cls.env["ir.config_parameter"].sudo().set_param("pps_scheduler.time_limit", "3")
        cls.env["ir.config_parameter"].sudo().set_param("pps_scheduler.workers", "1")

    # ------------------------------------------------------------ helpers
    def _confirm(self, order):
        """Confirm as the salesperson, as a user does; return the order's MOs."""
        order.with_user(self.sales_user).action_confirm()
        productions = order._pps_productions()
        self.assertTrue(productions, "confirming must create a manufacturing order")
        return productions

    def _last_run(self, trigger):
        return self.env["pps.schedule.run"].search(
            [("trigger", "=", trigger)], order="id desc", limit=1
        )

    def _plan_at(self, productions, start):
        """Put the MOs' work orders at ``start`` (60 minutes a unit, back to
        back), bypassing the lock as a planner's manual move would not need to."""
        workorders = productions.workorder_ids.with_context(
            pps_lock_bypass=PPS_LOCK_BYPASS
        ).sorted(lambda w: (w.production_id.id, w.sequence))
        plan_in_sequence(workorders, start, [w.duration_expected for w in workorders])
        return workorders

    def _starts(self, workorders):
        workorders.invalidate_recordset(["date_start", "date_finished"])
        return {w.id: w.date_start for w in workorders}

    def _agree(self, order, date, scenario="new_order", reason=None):
        """A round of ``scenario`` to ``date``, answered with that date and
        agreed, by the salesperson and the planner."""
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            date, scenario=scenario, reason=reason
        )
        negotiation.with_user(self.planner_user).action_answer(date)
        negotiation.with_user(self.sales_user).action_agree()
        return negotiation


class DispatchBoardPlant:
    """Fixture shared by the server tests and the browser tests (a mixin)."""

    @classmethod
    def _setup_plant(cls, monday, prefix="Board"):
        env = cls.env
        # runs in the request, as the suites assert their plans at once
        # (test_background_runs covers the background jobs)
        env["ir.config_parameter"].sudo().set_param("pps_scheduler.background", "0")
        cls.company = env.company
        cls.company.write(
            {
                "pps_rush_capacity_share": 0.2,
                "pps_frozen_days": 3,
                "pps_material_buffer_days": 0,
            }
        )
        env.user.tz = "UTC"
        cls.monday = monday
        cls.tuesday = monday + timedelta(days=1)
        cls.calendar = create_calendar(env, f"{prefix} day shift (UTC)", 8.0, 16.0)
        cls.company.resource_calendar_id = cls.calendar
        cls.wc_cut = cls._create_workcenter(f"{prefix} Cutting")
        cls.wc_weld = cls._create_workcenter(f"{prefix} Welding")
        # Wednesday morning off on the cutting work center: capacity 240 min.
        wednesday = datetime.combine(monday + timedelta(days=2), datetime.min.time())
        env["resource.calendar.leaves"].create(
            {
                "name": "Maintenance",
                "calendar_id": cls.calendar.id,
                "resource_id": cls.wc_cut.resource_id.id,
                "date_from": wednesday.replace(hour=8),
                "date_to": wednesday.replace(hour=12),
                "time_type": "leave",
            }
        )
        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        env.ref("stock.route_warehouse0_mto").active = True
        routes = warehouse.mto_pull_id.route_id | warehouse.manufacture_pull_id.route_id
        cls.product = env["product.product"].create(
            {
                "name": f"{prefix} Frame",
                "is_storable": True,
                "route_ids": [Command.set(routes.ids)],
            }
        )
        cls.product_other = env["product.product"].create(
            {
                "name": f"{prefix} Bracket",
                "is_storable": True,
                "route_ids": [Command.set(routes.ids)],
            }
        )
        for product in cls.product | cls.product_other:
            create_routing(
                env, product, [("Cut", cls.wc_cut, 120.0), ("Weld", cls.wc_weld, 60.0)]
            )
        cls.customer_one = env["res.partner"].create({"name": f"{prefix} Customer One"})
        cls.customer_two = env["res.partner"].create({"name": f"{prefix} Customer Two"})
        far = cls._at(cls.monday + timedelta(days=30), 12)
        # A: serial 2, on time. B: serial 1, red flag, committed before it is
        # made (late). C: serial 3, another customer and product.
        cls.order_a, cls.mo_a = cls._create_order(cls.customer_one, cls.product, 2, far)
        cls.order_b, cls.mo_b = cls._create_order(
            cls.customer_one, cls.product, 1, cls._at(cls.tuesday, 9), pps_rush=True
        )
        cls.order_c, cls.mo_c = cls._create_order(
            cls.customer_two, cls.product_other, 3, far
        )
        cls._plan(cls.mo_a, cls.tuesday, 8)
        cls._plan(cls.mo_b, cls.tuesday, 10)
        cls._plan(cls.mo_c, cls.tuesday, 13)

    @classmethod
    def _create_workcenter(cls, name):
        return create_workcenter(cls.env, name, cls.calendar, company_id=cls.company.id)

    @classmethod
    def _at(cls, day, hour):
        return datetime.combine(day, datetime.min.time()).replace(hour=hour)

    @classmethod
    def _create_order(cls, customer, product, serial, commitment, **values):
        order = cls.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "company_id": cls.company.id,
                "pps_serial": serial,
                "commitment_date": commitment,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 1})
                ],
                **values,
            }
        )
        order.action_confirm()
        production = order._pps_productions()
        assert len(production) == 1, "the order must make exactly one MO"
        if production.state == "draft":
            production.action_confirm()
        return order, production

    @classmethod
    def _plan(cls, production, day, hour):
        """Cut at ``hour``, weld right after, on ``day``; MO dates follow."""
        start = cls._at(day, hour)
        plan_in_sequence(production.workorder_ids.sorted("sequence"), start, (120, 60))
        production.with_context(force_date=True).write(
            {"date_start": start, "date_finished": start + timedelta(minutes=180)}
        )
