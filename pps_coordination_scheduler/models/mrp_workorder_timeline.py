"""The planners' timeline: work orders by work center over time.

What it is
    A ``<timeline>`` view of OCA ``web_timeline`` on ``mrp.workorder``
    (``views/mrp_workorder_timeline_views.xml``), grouped by work center. Its
    bars are coloured by what holds them (rush, late, frozen, locked week,
    pinned) and say how late their order is projected to be.

What a drag does
    The view's client (``static/src/timeline``) sends a drag to
    :meth:`MrpWorkorder.action_pps_timeline_move`, never to ``write``. The
    method applies the rules every manual move of the plan follows: planners
    only, never work in progress or done, never a pinned order, never into or
    out of the frozen zone or a locked week, only onto the work order's own
    work center or one of its alternatives. The new end comes from the work
    center's working time, as the scheduler counts it; the result is then
    checked -- no overlap with other work on that work center, the routing
    order and the sub-assemblies kept -- with the scheduler's own problem
    (``pps.schedule.problem``) and its independent checker
    (``engine.check``). Only then is the work order written, through the ORM
    with the scheduler's lock bypass, and its order's dates follow.
"""

import dataclasses
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_datetime

from odoo.addons.pps_coordination.const import (
    OPEN_PRODUCTION_STATES,
    OPEN_WORKORDER_STATES,
)
from odoo.addons.pps_coordination.guards import LOCK_BYPASS, check_planner
from odoo.addons.pps_coordination.tools.wording import format_duration

from ..engine import Assignment
from ..engine.checker import check, span_end
from ..planning_time import to_datetime, to_minutes


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    pps_plan_pinned = fields.Boolean(
        related="production_id.pps_plan_pinned", string="Plan Pinned"
    )
    pps_week_locked = fields.Boolean(
        string="Week Locked",
        compute="_compute_pps_timeline",
        help="Planned in a week locked for its work center.",
    )
    pps_late = fields.Boolean(
        string="Late",
        compute="_compute_pps_timeline",
        help="Its order is projected to finish after it is due, or the last "
        "schedule run found why it is late.",
    )
    pps_projected_late_hours = fields.Float(
        string="Projected Lateness (h)",
        compute="_compute_pps_timeline",
        digits=(16, 1),
        help="Hours its order is planned to finish after it is due (the agreed "
        "delivery date less the security lead time, else the deadline).",
    )
    pps_projected_late_label = fields.Char(
        string="Projected Lateness",
        compute="_compute_pps_timeline",
        help="How late its order is planned to finish, in days and hours.",
    )

    @api.depends(
        "date_start",
        "workcenter_id",
        "production_id.date_finished",
        "production_id.pps_late_cause",
    )
    def _compute_pps_timeline(self):
        Lock = self.env["pps.dispatch.week.lock"].sudo()
        locked = Lock._locked_keys(self.workcenter_id) if self.workcenter_id else set()
        Problem = self.env["pps.schedule.problem"]
        for workorder in self:
            production = workorder.production_id.sudo()
            due = production and Problem._due_datetime(production)
            late_hours = 0.0
            if due and production.date_finished and production.date_finished > due:
                late_hours = (production.date_finished - due).total_seconds() / 3600
            workorder.pps_projected_late_hours = round(late_hours, 1)
            workorder.pps_projected_late_label = (
                self.env._(
                    "%(duration)s late",
                    duration=format_duration(self.env, timedelta(hours=late_hours)),
                )
                if late_hours
                else False
            )
            workorder.pps_late = bool(late_hours > 0 or production.pps_late_cause)
            workorder.pps_week_locked = (
                Lock._week_key(workorder.workcenter_id, workorder.date_start) in locked
            )

    # ------------------------------------------------------------------
    # The timeline's drag
    # ------------------------------------------------------------------
    def action_pps_timeline_move(self, date_start, workcenter_id=None):
        """Move this work order to start at ``date_start`` on ``workcenter_id``.

        :param date_start: the new planned start (UTC, ``YYYY-MM-DD HH:MM:SS``);
            it moves forward to the first working minute of the work center
        :param workcenter_id: the work center to run it on: its own (default)
            or one of its alternatives
        :return: ``{"workorder", "workcenter", "date_start", "date_finished",
            "projected_late_hours"}``
        :raise AccessError: the user is not a production planner
        :raise UserError: the move breaks a rule of the plan; nothing is written
        """
        check_planner(
            self.env,
            self.env._("Only production planners move work orders on the timeline."),
        )
        if len(self) != 1:
            raise UserError(self.env._("Move one work order at a time."))
        self.check_access("write")
        start = self._pps_timeline_parse(date_start)
        workcenter = self._pps_timeline_target(workcenter_id)
        self._pps_timeline_check_movable(start)
        # out of a locked week, or into the week it is dropped in
        self._pps_check_week_lock({"date_start": start, "workcenter_id": workcenter.id})
        plan = self._pps_timeline_plan(start, workcenter)
        vals = {
            "date_start": plan["date_start"],
            "date_finished": plan["date_finished"],
        }
        if workcenter != self.workcenter_id:
            vals["workcenter_id"] = workcenter.id
        # the week lock's own check, on the move as it will be written
        self._pps_check_week_lock(vals)
        self._pps_timeline_write(vals, workcenter)
        return {
            "workorder": self.display_name,
            "workcenter": self.workcenter_id.display_name,
            "date_start": fields.Datetime.to_string(self.date_start),
            "date_finished": fields.Datetime.to_string(self.date_finished),
            "projected_late_hours": self.pps_projected_late_hours,
        }

    def _pps_timeline_when(self, moment):
        """A moment in the planner's words: date and time in the user's zone."""
        return format_datetime(self.env, moment, dt_format="short")

    def _pps_timeline_parse(self, date_start):
        try:
            start = fields.Datetime.to_datetime(date_start)
        except (TypeError, ValueError):
            start = None
        if not isinstance(start, datetime):
            raise UserError(
                self.env._(
                    "%(wo)s: %(value)s is not a date and time.",
                    wo=self.display_name,
                    value=date_start,
                )
            )
        return start

    def _pps_timeline_target(self, workcenter_id):
        if not workcenter_id:
            return self.workcenter_id
        try:
            workcenter = self.env["mrp.workcenter"].browse(int(workcenter_id)).exists()
        except (TypeError, ValueError):
            workcenter = None
        if not workcenter:
            raise UserError(self.env._("This work center does not exist any more."))
        allowed = self.workcenter_id | self.workcenter_id.alternative_workcenter_ids
        if workcenter not in allowed:
            raise UserError(
                self.env._(
                    "%(wo)s cannot run on %(target)s: it runs on %(own)s or its "
                    "alternatives (%(alternatives)s).",
                    wo=self.display_name,
                    target=workcenter.display_name,
                    own=self.workcenter_id.display_name,
                    alternatives=", ".join(
                        self.workcenter_id.alternative_workcenter_ids.mapped(
                            "display_name"
                        )
                    )
                    or self.env._("none"),
                )
            )
        return workcenter

    def _pps_timeline_check_movable(self, start):
        """The rules on the work order itself: state, pin, frozen zone."""
        production = self.production_id
        if self.state == "progress":
            raise UserError(
                self.env._(
                    "%(wo)s is in progress on the floor: its plan is what is being "
                    "done and cannot be moved.",
                    wo=self.display_name,
                )
            )
        if (
            self.state not in OPEN_WORKORDER_STATES
            or production.state not in OPEN_PRODUCTION_STATES
        ):
            raise UserError(
                self.env._(
                    "%(wo)s is done or cancelled: there is nothing left to plan.",
                    wo=self.display_name,
                )
            )
        if production.pps_plan_pinned:
            raise UserError(
                self.env._(
                    "The plan of %(mo)s is pinned: unpin it before moving %(wo)s.",
                    mo=production.display_name,
                    wo=self.display_name,
                )
            )
        now = fields.Datetime.now()
        frozen_until = self._pps_frozen_until()
        if self.date_start and now <= self.date_start < frozen_until:
            raise UserError(
                self.env._(
                    "%(wo)s starts %(start)s, inside the frozen zone (until "
                    "%(until)s): it stays where it is.",
                    wo=self.display_name,
                    start=self._pps_timeline_when(self.date_start),
                    until=self._pps_timeline_when(frozen_until),
                )
            )
        if start < frozen_until:
            raise UserError(
                self.env._(
                    "%(wo)s cannot start %(start)s: that is in the past or the "
                    "frozen zone (until %(until)s). Move it later.",
                    wo=self.display_name,
                    start=self._pps_timeline_when(start),
                    until=self._pps_timeline_when(frozen_until),
                )
            )

    def _pps_timeline_plan(self, start, workcenter):
        """The new plan of the work order, checked against the plant.

        The scheduler's problem of its order, its sub-assemblies and the orders
        it feeds (with every other order's work on those work centers fixed)
        gives the working time of ``workcenter`` and the work around it; the
        work order starts at the first working minute from ``start`` and runs
        its expected duration there. The result must break no rule the
        current plan did not already break (``engine.check``).

        :return: ``{"date_start", "date_finished"}`` (naive UTC datetimes)
        """
        production = self.production_id
        productions = (
            production | production._get_children() | production._get_sources()
        )
        productions = productions.filtered(lambda p: p.state in OPEN_PRODUCTION_STATES)
        problem = self.env["pps.schedule.problem"]._prepare_problem(productions)
        if production in problem.skipped:
            raise UserError(
                self.env._(
                    "%(mo)s cannot be planned: %(why)s.",
                    mo=production.display_name,
                    why=problem.skipped[production],
                )
            )
        data = problem.data
        index = next((i for i, wo in enumerate(problem.workorders) if wo == self), None)
        if index is None or index not in problem.movable:
            why = problem.fixed_reasons.get(index) or self.env._("not planned")
            raise UserError(
                self.env._(
                    "%(wo)s keeps its plan (%(why)s): it cannot be moved by hand.",
                    wo=self.display_name,
                    why=why,
                )
            )
        operation = data.operations[index]
        resource = problem.workcenters.index(workcenter)
        mode = next(
            (k for k, m in enumerate(operation.modes) if m.resource == resource), None
        )
        if mode is None:
            raise UserError(
                self.env._(
                    "%(wo)s cannot run on %(target)s.",
                    wo=self.display_name,
                    target=workcenter.display_name,
                )
            )
        windows = data.resources[resource].windows
        wanted = to_minutes(problem.origin, start)
        window = next((w for w in windows if w[1] > wanted), None)
        begin = window and max(wanted, window[0])
        end = window and span_end(windows, begin, operation.modes[mode].duration)
        if end is None:
            raise UserError(
                self.env._(
                    "%(target)s has no working time for %(wo)s from %(start)s.",
                    target=workcenter.display_name,
                    wo=self.display_name,
                    start=self._pps_timeline_when(start),
                )
            )
        moved = Assignment(resource=resource, mode=mode, start=begin, end=end)
        new_start = to_datetime(problem.origin, begin)
        if new_start < self._pps_frozen_until():
            # the first working minute is inside the zone (never, in practice)
            raise UserError(
                self.env._(
                    "%(wo)s would start %(start)s, inside the frozen zone.",
                    wo=self.display_name,
                    start=self._pps_timeline_when(new_start),
                )
            )
        current = {}
        for i, op in enumerate(data.operations):
            plan = op.fixed or op.current
            if plan is not None:
                current[i] = plan
        if operation.current is None:
            # unplanned until now: checked as a plan of its own
            data = dataclasses.replace(
                data,
                operations=tuple(
                    dataclasses.replace(op, current=moved) if i == index else op
                    for i, op in enumerate(data.operations)
                ),
            )
        after = dict(current)
        after[index] = moved
        self._pps_timeline_check_around(problem, index, moved)
        before = set(check(data, current))
        broken = [v for v in check(data, after) if v not in before]
        if broken:
            raise UserError(
                self.env._(
                    "%(wo)s cannot start %(start)s on %(target)s: %(rules)s.",
                    wo=self.display_name,
                    start=self._pps_timeline_when(new_start),
                    target=workcenter.display_name,
                    rules="; ".join(v.message for v in broken),
                )
            )
        return {
            "date_start": new_start,
            "date_finished": to_datetime(problem.origin, end),
        }

    def _pps_timeline_check_around(self, problem, index, moved):
        """Overlaps and routing order of the moved work, in the planner's words
        (the checker finds the same; its messages are terser)."""
        data = problem.data
        workorders = problem.workorders
        origin = problem.origin
        for i, op in enumerate(data.operations):
            plan = op.fixed or op.current
            if i == index or plan is None or plan.resource != moved.resource:
                continue
            if plan.start < moved.end and moved.start < plan.end:
                other = workorders[i]
                raise UserError(
                    self.env._(
                        "%(wo)s would overlap %(other)s of %(mo)s on %(target)s "
                        "(%(start)s to %(end)s). Move it before or after.",
                        wo=self.display_name,
                        other=other.display_name,
                        mo=other.production_id.display_name,
                        target=problem.workcenters[moved.resource].display_name,
                        start=self._pps_timeline_when(to_datetime(origin, plan.start)),
                        end=self._pps_timeline_when(to_datetime(origin, plan.end)),
                    )
                )
        for precedence in problem.all_precedences:
            if index not in (precedence.before, precedence.after):
                continue
            other_index = (
                precedence.after if precedence.before == index else precedence.before
            )
            other_op = data.operations[other_index]
            plan = other_op.fixed or other_op.current
            if plan is None:
                continue
            other = workorders[other_index]
            if precedence.after == index and moved.start < plan.end + precedence.lag:
                raise UserError(
                    self.env._(
                        "%(wo)s cannot start before %(other)s of %(mo)s ends "
                        "(%(end)s): the routing runs it first.",
                        wo=self.display_name,
                        other=other.display_name,
                        mo=other.production_id.display_name,
                        end=self._pps_timeline_when(
                            to_datetime(origin, plan.end + precedence.lag)
                        ),
                    )
                )
            if precedence.before == index and plan.start < moved.end + precedence.lag:
                raise UserError(
                    self.env._(
                        "%(wo)s must end before %(other)s of %(mo)s starts "
                        "(%(start)s): the routing runs it after.",
                        wo=self.display_name,
                        other=other.display_name,
                        mo=other.production_id.display_name,
                        start=self._pps_timeline_when(to_datetime(origin, plan.start)),
                    )
                )

    def _pps_timeline_write(self, vals, workcenter):
        """Write the move the way an applied schedule run does: the work order
        (its leave follows), then its order's dates and the sale order's
        scheduled date."""
        workorder = self.with_context(
            bypass_duration_calculation=True, **LOCK_BYPASS.context()
        )
        if "workcenter_id" in vals:
            vals["duration_expected"] = workorder._get_duration_expected(
                alternative_workcenter=workcenter
            )
            leave = workorder.leave_id
            if leave:
                leave.sudo().write(
                    {
                        "calendar_id": workcenter.resource_calendar_id.id,
                        "resource_id": workcenter.resource_id.id,
                    }
                )
        workorder.write(vals)
        Run = self.env["pps.schedule.run"]
        Run._apply_productions(self.production_id)
        Run._apply_sale_orders(self.production_id)
        workorder.production_id.message_post(
            body=self.env._(
                "%(wo)s moved on the timeline by %(user)s: %(start)s on %(target)s.",
                wo=self.display_name,
                user=self.env.user.name,
                start=self._pps_timeline_when(vals["date_start"]),
                target=workcenter.display_name,
            )
        )
