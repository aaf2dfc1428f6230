"""Weekly dispatch lock: a work center's week, once dispatched, stays put.

A planner locks a work center for one week (a Monday) from the dispatch board
or from the list of week locks. While the lock exists:

- work orders of that work center whose planned start falls in that week (in
  the work center's planning time zone, its calendar's:
  ``planning_time.planning_tz``) refuse changes of their dates and work
  center, and no work order can be planned into it by hand
  (``mrp.workorder.write`` guard; only server code passing
  ``PPS_LOCK_BYPASS`` in the context lifts it);
- the scheduler keeps them where they are (reason "week locked") and plans
  nothing new into the week: its remaining free working time is given to the
  engine as fixed blocks.

Locking and unlocking are written to ``pps.lock.log`` (model
``mrp.workcenter``); unlocking needs the unlock privilege and a reason.
"""

from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.pps_coordination.guards import (
    UNLOCK_GROUP,
    check_planner,
    check_role,
)

from ..planning_time import (  # noqa: F401 - public names of this module too
    cut_windows,
    local_date,
    monday_of,
    planning_tz,
    to_minutes,
    week_span,
)


class PpsDispatchWeekLock(models.Model):
    _name = "pps.dispatch.week.lock"
    _description = "Weekly Dispatch Lock"
    _order = "week_start desc, workcenter_id"
    _rec_name = "workcenter_id"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    workcenter_id = fields.Many2one(
        "mrp.workcenter",
        string="Work Center",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    week_start = fields.Date(
        string="Week of",
        required=True,
        readonly=True,
        index=True,
        help="Monday that starts the locked week.",
    )
    week_end = fields.Date(compute="_compute_week_end", string="Until")
    locked_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        default=lambda self: self.env.user,
    )
    locked_at = fields.Datetime(
        string="Locked On", readonly=True, default=fields.Datetime.now
    )

    _workcenter_week_uniq = models.Constraint(
        "UNIQUE(workcenter_id, week_start)",
        "This work center's week is already locked.",
    )

    @api.depends("week_start")
    def _compute_week_end(self):
        for lock in self:
            lock.week_end = lock.week_start and lock.week_start + timedelta(days=6)

    @api.constrains("week_start")
    def _check_week_start(self):
        for lock in self:
            if lock.week_start.weekday() != 0:
                raise ValidationError(
                    self.env._(
                        "A locked week starts on a Monday, not on %(day)s.",
                        day=lock.week_start,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        self._check_planner()
        for vals in vals_list:
            vals.pop("locked_by_id", None)
            vals.pop("locked_at", None)
            if vals.get("workcenter_id") and not vals.get("company_id"):
                workcenter = self.env["mrp.workcenter"].browse(vals["workcenter_id"])
                vals["company_id"] = (workcenter.company_id or self.env.company).id
        locks = super().create(vals_list)
        locks._log("lock", None)
        return locks

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "A week lock cannot be changed: unlock it and lock the right week."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_through_unlock(self):
        if not self.env.context.get("pps_week_unlock_reason"):
            raise UserError(
                self.env._("Use Unlock, with a reason, to lift a week lock.")
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.model
    def action_lock_week(self, workcenter_id, week_start):
        """Lock ``workcenter_id`` for the week of ``week_start`` (any day of it)."""
        self._check_planner()
        workcenter = self.env["mrp.workcenter"].browse(int(workcenter_id)).exists()
        if not workcenter:
            raise UserError(self.env._("This work center does not exist any more."))
        workcenter.check_access("read")
        monday = monday_of(fields.Date.to_date(week_start))
        existing = self.search(
            [("workcenter_id", "=", workcenter.id), ("week_start", "=", monday)]
        )
        if existing:
            raise UserError(
                self.env._(
                    "%(workcenter)s is already locked for the week of %(week)s.",
                    workcenter=workcenter.display_name,
                    week=monday,
                )
            )
        return self.create({"workcenter_id": workcenter.id, "week_start": monday})

    @api.model
    def action_unlock_week(self, workcenter_id, week_start, reason=None):
        """Lift the lock of a work center's week; unlock group and a reason."""
        self._check_unlock(reason)
        monday = monday_of(fields.Date.to_date(week_start))
        lock = self.search(
            [("workcenter_id", "=", int(workcenter_id)), ("week_start", "=", monday)]
        )
        if not lock:
            raise UserError(self.env._("This week is not locked."))
        lock.action_unlock(reason)
        return True

    def action_unlock(self, reason=None):
        """Unlock these weeks (unlock group, reason), logging each."""
        self._check_unlock(reason)
        self._log("unlock", reason.strip())
        self.sudo().with_context(pps_week_unlock_reason=reason.strip()).unlink()
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _check_unlock(self, reason):
        check_role(
            self.env,
            self.env._("Only members of the Unlock Privilege group may unlock a week."),
            UNLOCK_GROUP,
        )
        if not (reason or "").strip():
            raise UserError(self.env._("Unlocking a week needs a reason."))

    @api.model
    def _check_planner(self):
        check_planner(
            self.env,
            self.env._("Only production planners can lock a work center's week."),
        )

    def _log(self, action, reason):
        now = fields.Datetime.now()
        self.env["pps.lock.log"].sudo().create(
            [
                {
                    "res_model": "mrp.workcenter",
                    "res_id": lock.workcenter_id.id,
                    "res_name": lock.workcenter_id.display_name,
                    "action": action,
                    "user_id": self.env.uid,
                    "date": now,
                    "reason": self.env._(
                        "Week of %(week)s: %(reason)s",
                        week=lock.week_start,
                        reason=reason or self.env._("dispatched"),
                    ),
                    "company_id": lock.company_id.id,
                }
                for lock in self.sudo()
            ]
        )

    @api.model
    def _locked_keys(self, workcenters, start=None, stop=None):
        """{(workcenter id, Monday)} of the locks on ``workcenters``.

        :param start: optional first day of interest (a date)
        :param stop: optional last day of interest (a date)
        """
        domain = [("workcenter_id", "in", workcenters.ids)]
        if start:
            domain.append(("week_start", ">=", monday_of(start)))
        if stop:
            domain.append(("week_start", "<=", stop))
        rows = self.sudo().search_read(domain, ["workcenter_id", "week_start"])
        return {(row["workcenter_id"][0], row["week_start"]) for row in rows}

    @api.model
    def _current_keys(self):
        """{(workcenter id, Monday)} of every lock from last week on (one read)."""
        today = local_date(fields.Datetime.now(), planning_tz(self.env))
        rows = self.sudo().search_read(
            [("week_start", ">=", monday_of(today) - timedelta(days=7))],
            ["workcenter_id", "week_start"],
        )
        return frozenset((row["workcenter_id"][0], row["week_start"]) for row in rows)

    @api.model
    def _week_key(self, workcenter, moment):
        """(workcenter id, Monday) of a planned start, or None without a date."""
        if not (workcenter and moment):
            return None
        moment = fields.Datetime.to_datetime(moment)
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, datetime.min.time())
        day = local_date(moment, planning_tz(self.env, workcenter))
        return (workcenter.id, monday_of(day))
