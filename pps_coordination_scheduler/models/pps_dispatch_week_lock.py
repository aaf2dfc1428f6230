"""Weekly dispatch lock: a work center's week, once dispatched, stays put.

A planner locks a work center for one week (a Monday) from the dispatch board
or from the list of week locks. While the lock exists:

- work orders of that work center whose planned start falls in that week (in
  the work center's calendar time zone) refuse changes of their dates and work
  center, and no work order can be planned into it by hand
  (``mrp.workorder.write`` guard; only server code passing
  ``PPS_LOCK_BYPASS`` in the context lifts it);
- the scheduler keeps them where they are (reason "week locked") and plans
  nothing new into the week: its remaining free working time is given to the
  engine as fixed blocks.

Locking and unlocking are written to ``pps.lock.log`` (model
``mrp.workcenter``); unlocking needs the unlock privilege and a reason.
"""

import dataclasses
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..engine import Assignment, Job, Mode, Operation
from .pps_schedule_problem import to_minutes

PLANNER_GROUP = "pps_coordination.group_pps_planner"
UNLOCK_GROUP = "pps_coordination.group_pps_unlock"


def monday_of(day):
    """The Monday starting the week of ``day`` (a date)."""
    return day - timedelta(days=day.weekday())


def local_date(moment, tz_name):
    """Calendar day of the naive UTC datetime ``moment`` in time zone ``tz_name``."""
    tz = pytz.timezone(tz_name or "UTC")
    return pytz.utc.localize(moment).astimezone(tz).date()


def workcenter_tz(workcenter):
    """Time zone in which a work center's days and weeks are counted."""
    return (
        workcenter.resource_calendar_id.tz
        or workcenter.company_id.resource_calendar_id.tz
        or "UTC"
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
        if not self.env.user.has_group(UNLOCK_GROUP):
            raise AccessError(
                self.env._(
                    "Only members of the Unlock Privilege group may unlock a week."
                )
            )
        if not (reason or "").strip():
            raise UserError(self.env._("Unlocking a week needs a reason."))
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
        if not self.env.user.has_group(UNLOCK_GROUP):
            raise AccessError(
                self.env._(
                    "Only members of the Unlock Privilege group may unlock a week."
                )
            )
        if not (reason or "").strip():
            raise UserError(self.env._("Unlocking a week needs a reason."))
        self._log("unlock", reason.strip())
        self.sudo().with_context(pps_week_unlock_reason=reason.strip()).unlink()
        return True

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _check_planner(self):
        if not (self.env.su or self.env.user.has_group(PLANNER_GROUP)):
            raise AccessError(
                self.env._("Only production planners can lock a work center's week.")
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
        today = fields.Date.context_today(self)
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
        day = local_date(moment, workcenter_tz(workcenter))
        return (workcenter.id, monday_of(day))


def week_span(origin, workcenter, monday):
    """Minutes from ``origin`` of a week (Monday 00:00 to the next, in the work
    center's time zone): ``(lo, hi)``."""
    tz = pytz.timezone(workcenter_tz(workcenter))
    return tuple(
        to_minutes(
            origin,
            tz.localize(datetime.combine(day, time.min))
            .astimezone(pytz.utc)
            .replace(tzinfo=None),
        )
        for day in (monday, monday + timedelta(days=7))
    )


def cut_windows(windows, spans):
    """``windows`` (sorted (start, end) minutes) without the ``spans``."""
    result = []
    for start, end in windows:
        pieces = [(start, end)]
        for lo, hi in spans:
            pieces = [
                piece
                for a, b in pieces
                for piece in ((a, min(b, lo)), (max(a, hi), b))
                if piece[0] < piece[1]
            ]
        result.extend(pieces)
    return result


class PpsScheduleProblem(models.AbstractModel):
    """The scheduler keeps the work orders of a locked week where they are."""

    _inherit = "pps.schedule.problem"

    @api.model
    def _prepare_problem(self, productions, *args, **kwargs):
        # Read every current or future week lock once for the whole extraction.
        keys = self.env["pps.dispatch.week.lock"]._current_keys()
        problem = super(
            PpsScheduleProblem, self.with_context(pps_week_locks=keys)
        )._prepare_problem(productions, *args, **kwargs)
        return self._prepare_week_lock_blocks(problem, keys)

    @api.model
    def _prepare_week_lock_blocks(self, problem, keys):
        """Close the free working time of locked weeks with fixed blocks.

        One engine job per locked (work center, week) holds one fixed operation
        per free gap of the work center's windows in that week, so nothing new
        is planned into it; what is already there is fixed by
        :meth:`_prepare_fixed_reason`.
        """
        data = problem.data
        if not keys or data is None:
            return problem
        index_of = {wc.id: i for i, wc in enumerate(problem.workcenters)}
        jobs, operations = list(data.jobs), list(data.operations)
        for workcenter_id, monday in sorted(keys):
            resource = index_of.get(workcenter_id)
            if resource is None:
                continue
            lo, hi = week_span(problem.origin, problem.workcenters[resource], monday)
            busy = sorted(
                (op.fixed.start, op.fixed.end)
                for op in operations
                if op.fixed is not None and op.fixed.resource == resource
            )
            gaps = []
            for window_start, window_end in data.resources[resource].windows:
                cursor, end = max(window_start, lo, 0), min(window_end, hi)
                for busy_start, busy_end in busy:
                    if cursor >= end:
                        break
                    if busy_end <= cursor or busy_start >= end:
                        continue
                    if busy_start > cursor:
                        gaps.append((cursor, busy_start))
                    cursor = max(cursor, busy_end)
                if cursor < end:
                    gaps.append((cursor, end))
            if not gaps:
                continue
            key = ("week locked", workcenter_id, fields.Date.to_string(monday))
            jobs.append(Job(key=key))
            for number, (start, end) in enumerate(gaps):
                problem.fixed_reasons[len(operations)] = "week locked"
                problem.workorders.append(self.env["mrp.workorder"])
                operations.append(
                    Operation(
                        key=(*key, number),
                        job=len(jobs) - 1,
                        modes=(Mode(resource, end - start),),
                        fixed=Assignment(
                            resource=resource, mode=0, start=start, end=end
                        ),
                    )
                )
        problem.data = dataclasses.replace(
            data, jobs=tuple(jobs), operations=tuple(operations)
        )
        return problem

    @api.model
    def _prepare_fixed_reason(self, workorder, origin, frozen_until):
        reason = super()._prepare_fixed_reason(workorder, origin, frozen_until)
        if reason or not workorder.date_start:
            return reason
        if workorder.date_start <= fields.Datetime.now():
            # Work of a locked week that should have started and did not cannot
            # stay in the past: it is rescheduled like any late work.
            return None
        Lock = self.env["pps.dispatch.week.lock"]
        keys = self.env.context.get("pps_week_locks")
        if keys is None:
            keys = Lock._locked_keys(workorder.workcenter_id)
        if Lock._week_key(workorder.workcenter_id, workorder.date_start) in keys:
            return "week locked"
        return None


class PpsPromise(models.AbstractModel):
    """The promise inserts nothing into a locked week either: the working time
    of a work center's locked weeks is taken out of its windows."""

    _inherit = "pps.promise"

    @api.model
    def _windows(self, state, workcenter, horizon_end, raw=False):
        windows = super()._windows(state, workcenter, horizon_end, raw=raw)
        locks = state.get("week_locks")
        if locks is None:
            locks = state["week_locks"] = {}
            for workcenter_id, monday in self.env[
                "pps.dispatch.week.lock"
            ]._current_keys():
                locks.setdefault(workcenter_id, []).append(monday)
        mondays = locks.get(workcenter.id)
        if not mondays:
            return windows
        cache = state.setdefault("windows_week_locked", {})
        key = (workcenter.id, horizon_end, raw)
        if key not in cache:
            spans = sorted(
                week_span(state["now"], workcenter, monday) for monday in mondays
            )
            cache[key] = tuple(cut_windows(windows, spans))
        return cache[key]
