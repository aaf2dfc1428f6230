"""Short-term readiness of work orders: fixtures and tools, equipment, people.

A planner ticks three checks on the work orders starting soon (*Production &
Sales ▸ Planning ▸ Readiness*). The plan says what the ticks confirm, so
they are real checks, not notes:

* **Fixtures/Tools**: at its planned slot, no fixture its operation needs
  (``pps.operation.requirement``) is booked by more work orders than it has
  copies;
* **Manpower**: at its slot, no operator pool it needs is booked beyond the
  operators there -- the headcount on the pool's shift, the off-shift
  headcount outside it (the night shift), less a confirmed low staffing
  abnormality naming the pool, exactly as the schedule runs count them
  (``pps.schedule.problem._pool_levels``);
* **Equipment**: no confirmed equipment failure of its work center that
  leaves no capacity overlaps its slot.

A schedule run never plans a work order where these fail; a date typed by
hand, a frozen work order kept in place or an abnormality confirmed after
the run can. ``pps_readiness_issue`` says what fails, in words, and a check
that fails cannot be ticked: the server refuses it, naming the issue.
"""

import math
from collections import defaultdict
from datetime import timedelta
from itertools import pairwise

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.pps_coordination.const import OPEN_WORKORDER_STATES
from odoo.addons.pps_coordination.guards import check_planner
from odoo.addons.pps_coordination.tools.wording import format_moment

from ..engine import SecondaryResource
from ..planning_time import to_minutes

MICROSECOND = timedelta(microseconds=1)
#: The readiness check each kind of issue fails.
CHECK_OF_ISSUE = {
    "fixture": "pps_ready_tools",
    "equipment": "pps_ready_equipment",
    "pool": "pps_ready_manpower",
}


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    pps_readiness_issue = fields.Text(
        string="Readiness Issues",
        compute="_compute_pps_readiness_issue",
        help="What the plan says is not there at the work order's planned "
        "slot: a fixture or operators booked beyond what is there, or its "
        "work center down by an equipment failure. A check with an issue "
        "cannot be ticked.",
    )

    @api.depends(
        "date_start",
        "date_finished",
        "workcenter_id",
        "state",
        "operation_id.pps_requirement_ids",
    )
    def _compute_pps_readiness_issue(self):
        issues = self._pps_readiness_issues()
        for workorder in self:
            workorder.pps_readiness_issue = "\n".join(
                text for _kind, text in issues.get(workorder.id, ())
            )

    def write(self, vals):
        res = super().write(vals)
        # checked on the written slot: a tick sent with new dates is refused
        # when the new slot fails it (the whole write is undone)
        ticked = [check for check in CHECK_OF_ISSUE.values() if vals.get(check)]
        if ticked:
            self._pps_check_ready(ticked)
        return res

    @api.model
    def action_pps_readiness(self):
        """Menu: the open work orders starting in the short term (the frozen
        days, at least the material buffer days), to tick their readiness
        (planners)."""
        check_planner(
            self.env, self.env._("Only production planners use the readiness list.")
        )
        company = self.env.company
        days = max(company.pps_frozen_days, company.pps_material_buffer_days, 1)
        until = fields.Datetime.now() + timedelta(days=days)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Readiness"),
            "res_model": self._name,
            "view_mode": "list,form",
            "views": [
                (
                    self.env.ref(
                        "pps_coordination_scheduler.mrp_workorder_view_list_pps_readiness"
                    ).id,
                    "list",
                ),
                (False, "form"),
            ],
            "domain": [
                ("state", "in", OPEN_WORKORDER_STATES),
                ("company_id", "=", company.id),
                ("date_start", "!=", False),
                ("date_start", "<", until),
            ],
            "search_view_id": [
                self.env.ref("mrp.view_mrp_production_workorder_form_view_filter").id,
                "search",
            ],
            "context": {"search_default_pps_not_ready": 1},
            "help": self.env._(
                "<p>No open work order starts in the next %(days)s days.</p>",
                days=days,
            ),
        }

    def _pps_check_ready(self, checks):
        """Refuse ticking ``checks`` on work orders whose plan fails them."""
        issues = self._pps_readiness_issues()
        for workorder in self:
            for kind, text in issues.get(workorder.id, ()):
                check = CHECK_OF_ISSUE[kind]
                if check in checks:
                    raise UserError(
                        self.env._(
                            "%(workorder)s cannot be marked “%(check)s”: %(issue)s "
                            "Re-plan it, or solve the shortage first.",
                            workorder=workorder.display_name,
                            check=self._fields[check].string,
                            issue=text,
                        )
                    )

    def _pps_readiness_issues(self):
        """{work order id: [(kind, sentence)]} for the planned open work
        orders of ``self``; kinds are those of ``CHECK_OF_ISSUE``."""
        planned = self.sudo().filtered(
            lambda wo: (
                wo.id
                and wo.state in OPEN_WORKORDER_STATES
                and wo.date_start
                and wo.date_finished
            )
        )
        issues = defaultdict(list)
        if planned:
            self._pps_secondary_issues(planned, issues)
            self._pps_equipment_issues(planned, issues)
        return issues

    def _pps_secondary_issues(self, planned, issues):
        """Fixtures and pools booked beyond what is there at each work
        order's slot, counting every open planned work order needing them."""
        needing = planned.filtered(lambda wo: wo.operation_id.pps_requirement_ids)
        if not needing:
            return
        Requirement = self.env["pps.operation.requirement"].sudo()
        Problem = self.env["pps.schedule.problem"].sudo()
        lo = min(needing.mapped("date_start"))
        hi = max(needing.mapped("date_finished"))
        records = {}
        for line in needing.operation_id.pps_requirement_ids:
            records.setdefault(line.pool_id or line.fixture_id, None)
        for record in records:
            pool = record._name == "pps.operator.pool"
            need = defaultdict(int)  # routing operation id -> units
            for line in Requirement.search(
                [("pool_id" if pool else "fixture_id", "=", record.id)]
            ):
                need[line.operation_id.id] += line.quantity
            users = self.sudo().search(
                [
                    ("operation_id", "in", list(need)),
                    ("state", "in", OPEN_WORKORDER_STATES),
                    ("date_start", "<", hi),
                    ("date_finished", ">", lo),
                ]
            ) | needing.filtered(lambda wo, need=need: wo.operation_id.id in need)
            origin = min(users.mapped("date_start")).replace(second=0, microsecond=0)
            end = max(users.mapped("date_finished"))
            horizon = to_minutes(origin, end, rounding=math.ceil)
            if pool:
                windows = sorted(
                    window
                    for workcenter in users.workcenter_id
                    if workcenter.resource_calendar_id
                    for window in Problem._prepare_windows(workcenter, origin, end)
                )
                there = SecondaryResource(
                    ("pool", record.id),
                    record.headcount,
                    levels=Problem._pool_levels(record, windows, origin, end, horizon),
                )
            else:
                there = SecondaryResource(("fixture", record.id), record.count)

            def at(moment, origin=origin):
                # exact: work orders that meet inside a minute do not overlap
                return (moment - origin) // MICROSECOND

            spans = [
                (at(wo.date_start), at(wo.date_finished), need[wo.operation_id.id])
                for wo in users
            ]
            for workorder in needing:
                units = need.get(workorder.operation_id.id)
                if not units:
                    continue
                short = self._pps_first_shortage(
                    there, spans, at(workorder.date_start), at(workorder.date_finished)
                )
                if short is None:
                    continue
                moment, booked, available = short
                values = {
                    "what": record.display_name,
                    "booked": booked,
                    "there": available,
                    "moment": format_moment(self.env, origin + moment * MICROSECOND),
                }
                text = (
                    self.env._(
                        "%(what)s: %(booked)s operators booked at %(moment)s, "
                        "%(there)s there.",
                        **values,
                    )
                    if pool
                    else self.env._(
                        "%(what)s: %(booked)s copies booked at %(moment)s, "
                        "%(there)s in the shop.",
                        **values,
                    )
                )
                issues[workorder.id].append(("pool" if pool else "fixture", text))

    @staticmethod
    def _pps_first_shortage(there, spans, start, end):
        """(moment, booked, available) of the first moment in [start, end)
        where the spans hold more units than ``there`` has, else None; all
        in microseconds from the origin of ``there``'s minutes."""
        per_minute = 60_000_000
        pieces = [
            (a * per_minute, b * per_minute, units)
            for a, b, units in there.profile(start // per_minute, -(-end // per_minute))
        ]
        cuts = {start, end}
        for a, b, _units in (*spans, *pieces):
            cuts.update(m for m in (a, b) if start < m < end)
        for a, b in pairwise(sorted(cuts)):
            booked = sum(u for s, e, u in spans if s < b and e > a)
            available = min(u for s, e, u in pieces if s < b and e > a)
            if booked > available:
                return a, booked, available
        return None

    def _pps_equipment_issues(self, planned, issues):
        """Confirmed equipment failures leaving no capacity on the work
        center over the work order's slot."""
        failures = (
            self.env["pps.abnormality"]
            .sudo()
            .search(
                [
                    ("abnormality_type", "=", "equipment_failure"),
                    ("state", "=", "confirmed"),
                    ("capacity_factor", "<=", 0.0),
                    ("workcenter_id", "in", planned.workcenter_id.ids),
                    ("date_start", "<", max(planned.mapped("date_finished"))),
                    ("date_end", ">", min(planned.mapped("date_start"))),
                ]
            )
        )
        for workorder in planned:
            for failure in failures:
                if (
                    failure.workcenter_id == workorder.workcenter_id
                    and failure.date_start < workorder.date_finished
                    and failure.date_end > workorder.date_start
                ):
                    issues[workorder.id].append(
                        (
                            "equipment",
                            self.env._(
                                "%(workcenter)s is down (%(abnormality)s) from "
                                "%(start)s to %(end)s.",
                                workcenter=workorder.workcenter_id.display_name,
                                abnormality=failure.display_name,
                                start=format_moment(self.env, failure.date_start),
                                end=format_moment(self.env, failure.date_end),
                            ),
                        )
                    )
