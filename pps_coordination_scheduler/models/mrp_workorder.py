from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.pps_coordination.guards import (
    LOCK_BYPASS,
    LOCK_EXECUTION,
    check_planner,
)

#: Readiness checklist of the short-term plan, ticked by planners and
#: checked against the plan (``mrp_workorder_readiness``).
READINESS_FIELDS = ("pps_ready_tools", "pps_ready_equipment", "pps_ready_manpower")
#: Fields a weekly dispatch lock protects on the work orders of a locked week.
WEEK_LOCK_FIELDS = ("date_start", "date_finished", "workcenter_id")


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    def _calculate_date_finished(self, date_start=False, new_workcenter=False):
        """The end a schedule run planned, when its write-back moves the work
        order onto another work center (``pps_planned_ends``: {work order id:
        end}, set by ``pps.schedule.run._apply_workorders``): Odoo's own
        ``write`` would otherwise walk the new center's calendar and every
        planned leave on it only to have the run's end overwrite the result.
        (The keys are integer ids and the values datetimes: no RPC context,
        which is JSON, can take this path.)"""
        ends = self.env.context.get("pps_planned_ends")
        if ends and len(self) == 1 and self.id in ends:
            return ends[self.id]
        return super()._calculate_date_finished(
            date_start=date_start, new_workcenter=new_workcenter
        )

    pps_changeover_minutes = fields.Integer(
        string="Changeover (min)",
        readonly=True,
        copy=False,
        help="Changeover the last schedule run planned on the work center "
        "right before this work order, from the setup family of the work order "
        "before it (on top of the setup time in its expected duration).",
    )

    pps_secondary_summary = fields.Char(
        string="Operators and Fixtures",
        compute="_compute_pps_secondary_summary",
        help="Operators and fixtures its operation holds while it runs: the "
        "schedule runs plan it only where they are free.",
    )

    @api.depends(
        "operation_id.pps_requirement_ids.quantity",
        "operation_id.pps_requirement_ids.pool_id",
        "operation_id.pps_requirement_ids.fixture_id",
    )
    def _compute_pps_secondary_summary(self):
        for workorder in self:
            workorder.pps_secondary_summary = ", ".join(
                line._pps_label() for line in workorder.operation_id.pps_requirement_ids
            )

    pps_rush = fields.Boolean(
        related="production_id.pps_rush", string="Red Flag", store=True
    )
    pps_serial = fields.Integer(
        related="production_id.pps_serial", string="Serial", store=True
    )
    pps_frozen = fields.Boolean(
        string="Frozen",
        compute="_compute_pps_frozen",
        search="_search_pps_frozen",
        help="Planned to start inside the frozen zone (today plus the company's "
        "frozen days): no schedule run moves it, unless a planner releases the "
        "zone for one run.",
    )

    @api.depends("date_start", "company_id.pps_frozen_days")
    @api.depends_context("pps_now")
    def _compute_pps_frozen(self):
        for workorder in self:
            limit = workorder._pps_frozen_until()
            workorder.pps_frozen = bool(
                workorder.date_start
                and workorder.date_start < limit
                and workorder.state not in ("done", "cancel")
            )

    @api.model_create_multi
    def create(self, vals_list):
        # A new work order planned into a locked week is refused like a move
        # into it, before anything is written.
        self._pps_check_week_lock_on_create(vals_list)
        return super().create(vals_list)

    @api.model
    def _pps_check_week_lock_on_create(self, vals_list):
        if LOCK_BYPASS.active(self.env) or LOCK_EXECUTION.active(self.env):
            return
        planned = [
            v for v in vals_list if v.get("date_start") and v.get("workcenter_id")
        ]
        if not planned:
            return
        Lock = self.env["pps.dispatch.week.lock"]
        workcenters = self.env["mrp.workcenter"].browse(
            {vals["workcenter_id"] for vals in planned}
        )
        locked = Lock._locked_keys(workcenters)
        if not locked:
            return
        for vals in planned:
            workcenter = workcenters.browse(vals["workcenter_id"])
            key = Lock._week_key(workcenter, vals["date_start"])
            if key in locked:
                raise UserError(
                    self.env._(
                        "%(workorder)s cannot be planned in the week of %(week)s: "
                        "it is locked for %(workcenter)s. Plan it in another week "
                        "or ask the unlock group to unlock the week with a reason.",
                        workorder=vals.get("name") or self.env._("A work order"),
                        week=key[1],
                        workcenter=workcenter.display_name,
                    )
                )

    def _search_pps_frozen(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(
                self.env._("Unsupported search on the frozen flag.")
            )
        frozen = (operator == "=") == value
        limit = self.env.company and self._pps_frozen_until(self.env.company)
        domain = [
            ("date_start", "!=", False),
            ("date_start", "<", limit),
            ("state", "not in", ("done", "cancel")),
        ]
        if frozen:
            return domain
        return ["!", "&", "&", *domain]

    def _pps_frozen_until(self, company=None):
        company = company or self.company_id or self.env.company
        return fields.Datetime.now() + timedelta(days=company.pps_frozen_days)

    def _pps_check_week_lock(self, vals):
        """Refuse moving a work order out of, within or into a locked week.

        Work orders whose planned start falls in a week locked for their work
        center (``pps.dispatch.week.lock``) keep their dates and work center;
        none can be planned into such a week by hand. Only server code passing
        ``PPS_LOCK_BYPASS`` (the scheduler, which keeps them fixed anyway) or an
        execution entry point (start, finish) gets through.
        """
        if LOCK_BYPASS.active(self.env) or LOCK_EXECUTION.active(self.env):
            return
        Lock = self.env["pps.dispatch.week.lock"]
        new_workcenter = (
            self.env["mrp.workcenter"].browse(vals["workcenter_id"])
            if vals.get("workcenter_id")
            else None
        )
        workcenters = self.workcenter_id | (
            new_workcenter or self.env["mrp.workcenter"]
        )
        if not workcenters or not Lock.sudo().search_count(
            [("workcenter_id", "in", workcenters.ids)], limit=1
        ):
            return
        locked = Lock._locked_keys(workcenters)
        for workorder in self:
            workcenter = new_workcenter or workorder.workcenter_id
            start = (
                fields.Datetime.to_datetime(vals["date_start"])
                if "date_start" in vals
                else workorder.date_start
            )
            finished = (
                fields.Datetime.to_datetime(vals["date_finished"])
                if "date_finished" in vals
                else workorder.date_finished
            )
            if (
                workcenter == workorder.workcenter_id
                and start == workorder.date_start
                and finished == workorder.date_finished
            ):
                continue
            for key in (
                Lock._week_key(workorder.workcenter_id, workorder.date_start),
                Lock._week_key(workcenter, start),
            ):
                if key in locked:
                    raise UserError(
                        self.env._(
                            "%(workorder)s: the week of %(week)s is locked for "
                            "%(workcenter)s. Its dispatched work orders keep their "
                            "dates and work center; ask the unlock group to unlock "
                            "the week with a reason.",
                            workorder=workorder.display_name,
                            week=key[1],
                            workcenter=self.env["mrp.workcenter"]
                            .browse(key[0])
                            .display_name,
                        )
                    )

    pps_ready_tools = fields.Boolean(
        string="Fixtures/Tools Ready",
        copy=False,
        help="Ticked by a planner; refused while the plan books a fixture it "
        "needs beyond its copies at its slot (see Readiness Issues).",
    )
    pps_ready_equipment = fields.Boolean(
        string="Equipment Ready",
        copy=False,
        help="Ticked by a planner; refused while a confirmed equipment failure "
        "leaves its work center no capacity over its slot.",
    )
    pps_ready_manpower = fields.Boolean(
        string="Manpower Ready",
        copy=False,
        help="Ticked by a planner; refused while the plan books more operators "
        "of a pool it needs than the pool has on that shift.",
    )
    pps_ready = fields.Boolean(
        string="Ready",
        compute="_compute_pps_ready",
        store=True,
        help="Fixtures or tools, equipment and manpower are all ready.",
    )

    @api.depends(*READINESS_FIELDS)
    def _compute_pps_ready(self):
        for workorder in self:
            workorder.pps_ready = all(workorder[fname] for fname in READINESS_FIELDS)

    def write(self, vals):
        if any(fname in vals for fname in WEEK_LOCK_FIELDS):
            self._pps_check_week_lock(vals)
        ticked = [fname for fname in READINESS_FIELDS if fname in vals]
        if ticked:
            self._pps_check_readiness_rights()
        res = super().write(vals)
        if ticked:
            labels = {fname: self._fields[fname].string for fname in ticked}
            for workorder in self:
                workorder.production_id.message_post(
                    body=self.env._(
                        "%(wo)s readiness by %(user)s: %(checks)s.",
                        wo=workorder.display_name,
                        user=self.env.user.name,
                        checks=", ".join(
                            f"{labels[f]} {'✓' if vals[f] else '✗'}" for f in ticked
                        ),
                    )
                )
        return res

    def _pps_check_readiness_rights(self):
        check_planner(
            self.env,
            self.env._("Only production planners tick the readiness checklist."),
        )
