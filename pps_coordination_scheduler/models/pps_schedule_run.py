"""Schedule runs: one entry point for every way of rescheduling production.

``env["pps.schedule.run"].schedule(productions=None, time_limit=None,
dry_run=False)`` is the only door: the server action on manufacturing orders,
the run's buttons, the daily cron, the dispatch board and the negotiation flow
all come through it. A run goes through named steps, each logged with its
counters (``mrp_multi_level`` style)::

    extract  -> pps.schedule.problem._prepare_problem()   (reads only)
    solve    -> engine.solve()                           (no Odoo inside)
    check    -> engine.check()                           (independent checker)
    diff     -> run lines, one per moved work order
    apply    -> _apply_result(): work orders, MOs, sale and purchase orders

A failure at any step (invalid data, infeasible model, time-out without a
schedule, a checker violation, a database error during the write-back) writes
nothing: the apply step runs inside a savepoint. The run is marked ``failed``
with a plain explanation and interactive callers get a ``UserError``.

Only one run per company at a time: a transaction-scoped PostgreSQL advisory
lock refuses a concurrent run at once, and a run left ``running`` by a
background job refuses new ones until it ends.

What runs in the background
    The user interface's solving actions (a manufacturing order's Reschedule
    and Preview, a run's Run again, the dispatch board's dry run, the re-plan
    after an agreement, the dry run that estimates an abnormality's delays,
    the insertion run of a sale order's confirmation) create the run in state
    ``running`` in the request and hand its solve to a queue_job job
    (:meth:`_execute_job`): the request returns at once, with what must be
    immediate written (an agreement's dates, change order and lock; the
    abnormality's confirmation; the order's confirmation). The job records
    each step (``pps.schedule.run.step``) and sends it on the bus to the run's
    user (``PROGRESS_CHANNEL``) through a cursor of its own, committed at
    once, then the end (done or failed, with the reason) when its transaction
    commits, after the caller's follow-up (``_pps_after_schedule_run``). The
    system parameter ``pps_scheduler.background`` (1 by default) set to 0
    keeps these actions in the request, as before (a run over more than
    ``BACKGROUND_THRESHOLD`` work orders still goes to a job). The cron and
    server code that needs the plan at once call :meth:`schedule` without
    ``interactive``, or :meth:`_schedule_internal` without a follow-up, or
    set ``pps_schedule_sync``: in the caller's transaction.

Dry runs are reproducible: they solve with one worker on the engine's
deterministic budget and the run's fixed seed, so the same data gives the
same preview; applying a preview writes exactly its moves.
"""

import logging
import time
from collections import defaultdict
from dataclasses import replace
from datetime import timedelta

import psycopg2
import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import format_datetime

from odoo.addons.pps_coordination.const import (
    OPEN_PRODUCTION_STATES,
    OPEN_WORKORDER_STATES,
)
from odoo.addons.pps_coordination.guards import SCHEDULE_INTERNAL, check_planner
from odoo.addons.pps_coordination.models.pps_lock_mixin import PPS_LOCK_BYPASS

from ..engine import SolveParams, check, solve
from ..planning_time import to_datetime
from .pps_schedule_problem import HoldSeeds
from .stock_move import DEFERRED_ORDERPOINTS, DeferredOrderpoints

_logger = logging.getLogger(__name__)

#: Advisory-lock namespace of schedule runs (first key of pg_try_advisory_xact_lock).
ADVISORY_LOCK_NAMESPACE = 0x505053  # "PPS"
#: A run still "running" after this long is considered dead.
STALE_RUN_AFTER = timedelta(hours=2)
#: Above this many work orders an interactive run goes to a background job,
#: even when ``pps_scheduler.background`` keeps the others in the request.
BACKGROUND_THRESHOLD = 300
#: System parameter: 1 (default) sends every solving UI action to a job.
BACKGROUND_PARAM = "pps_scheduler.background"
#: Bus notification type of a background run's steps and end.
PROGRESS_CHANNEL = "pps_schedule_run/progress"

#: What PostgreSQL raises when another transaction crossed this one (a
#: serialization failure, a deadlock, a lock not available): a job retries.
CONCURRENCY_ERRORS = tuple(
    psycopg2.errors.lookup(code) for code in PG_CONCURRENCY_ERRORS_TO_RETRY
)
#: A moved work order must save this many weighted minutes of lateness (one
#: shift of one normal order): re-runs keep the plan unless changing it pays.
DEFAULT_MOVE_COST = 480


class ScheduleFailure(Exception):
    """A run that cannot produce a schedule; the message is for a planner."""

    def __init__(self, message, solver_status=None):
        super().__init__(message)
        self.solver_status = solver_status


class PpsScheduleRun(models.Model):
    _name = "pps.schedule.run"
    _description = "Schedule Run"
    _inherit = ["mail.thread"]
    _order = "id desc"

    name = fields.Char(
        required=True, readonly=True, copy=False, default=lambda self: self.env._("New")
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Started by",
        readonly=True,
        default=lambda self: self.env.user,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    trigger = fields.Selection(
        [
            ("manual", "Manual"),
            ("server_action", "Manufacturing orders"),
            ("cron", "Daily cron"),
            ("negotiation", "Agreed negotiation"),
            ("abnormality", "Abnormality"),
            ("board", "Dispatch board"),
            ("confirmation", "Order confirmed"),
        ],
        default="manual",
        required=True,
        readonly=True,
    )
    dry_run = fields.Boolean(
        readonly=True, help="Computed and previewed, not written. Apply it to write it."
    )
    rush_insertion = fields.Boolean(
        readonly=True,
        help="Started for a rush order: its work went into free and reserved "
        "capacity, around the work already planned.",
    )
    release_frozen = fields.Boolean(
        string="Frozen Zone Released",
        readonly=True,
        help="A planner released the frozen zone for this run: work planned to "
        "start within the frozen days could move. Every other run keeps it.",
    )
    level_families = fields.Boolean(
        string="Level Setup Families",
        readonly=True,
        help="Levelled production (heijunka): the run spread the work of each "
        "setup family as evenly as it could over the days of each work center, "
        "instead of batching it to save changeovers. It never makes an order "
        "later for it; changeovers are still planned and counted. Such a run "
        "moves planned work orders freely (no move cost), so a plan in force "
        "can be levelled. Off by default; Run again, setup families levelled "
        "turns it on for a run.",
    )
    levelling_minutes = fields.Integer(
        string="Levelling Spread",
        readonly=True,
        help="How unevenly the setup families are spread: per work center with "
        "work of two or more families and per family, the minutes of that "
        "family's work orders starting on its fullest day minus those on its "
        "emptiest working day, summed (0: every family has as much work every "
        "day). Recorded for every run; a run that levels makes it as small as "
        "it can.",
    )
    applied = fields.Boolean(readonly=True)
    production_ids = fields.Many2many(
        "mrp.production",
        string="Manufacturing Orders",
        readonly=True,
        help="Scope of the run; empty means every open order of the company.",
    )
    time_limit = fields.Float(readonly=True, help="Solver time limit in seconds.")
    workers = fields.Integer(readonly=True)
    seed = fields.Integer(readonly=True)
    move_cost = fields.Integer(
        readonly=True,
        help="Weighted minutes of lateness that moving one planned work order "
        "must save (system parameter pps_scheduler.move_cost). A re-run keeps "
        "the plan in force wherever changing it would not pay for the moves.",
    )
    solver_status = fields.Selection(
        [
            ("optimal", "Optimal"),
            ("feasible", "Feasible"),
            ("infeasible", "Infeasible"),
            ("model_invalid", "Invalid model"),
            ("unknown", "Unknown"),
        ],
        readonly=True,
    )
    objective_value = fields.Float(readonly=True)
    best_bound = fields.Float(readonly=True)
    wall_time = fields.Float(readonly=True, help="Seconds spent by the whole run.")
    solve_time = fields.Float(readonly=True, help="Seconds spent by the solver.")
    workorder_count = fields.Integer(readonly=True)
    moved_count = fields.Integer(readonly=True)
    late_count = fields.Integer(readonly=True)
    late_cause_data = fields.Json(
        readonly=True,
        copy=False,
        help="A preview's why-late causes per MO, written when it is applied.",
    )
    total_tardiness = fields.Integer(readonly=True, help="Minutes, summed over orders.")
    changeover_minutes = fields.Integer(
        readonly=True,
        help="Changeover minutes the schedule plans between work orders of "
        "different setup families, summed over the work centers.",
    )
    changeover_data = fields.Json(
        readonly=True,
        copy=False,
        help="A preview's changeover minutes per work order, written when it "
        "is applied.",
    )
    progress = fields.Integer(readonly=True, help="Percent done of a background run.")
    step_ids = fields.One2many("pps.schedule.run.step", "run_id", readonly=True)
    live_progress = fields.Integer(
        string="Progress So Far",
        compute="_compute_live_progress",
        help="Percent done: while a background job runs, as far as its last "
        "step (committed as it starts); then the run's own progress.",
    )
    message = fields.Text(readonly=True)
    line_ids = fields.One2many("pps.schedule.run.line", "run_id", readonly=True)
    date_start = fields.Datetime(readonly=True)
    date_end = fields.Datetime(readonly=True)
    job_uuid = fields.Char(readonly=True, copy=False, index="btree_not_null")
    job_state = fields.Char(
        compute="_compute_job_state",
        string="Job",
        help="State of the background job of a long run (pending, started, done, "
        "failed): the run's own counters are filled when the job commits.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _compute_job_state(self):
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                [("uuid", "in", [uuid for uuid in self.mapped("job_uuid") if uuid])]
            )
        )
        state_by_uuid = {
            job.uuid: dict(job._fields["state"].selection).get(job.state, job.state)
            for job in jobs
        }
        for run in self:
            run.job_state = state_by_uuid.get(run.job_uuid, False)

    @api.depends("state", "progress", "step_ids.progress")
    def _compute_live_progress(self):
        for run in self:
            steps = run.state == "running" and run.step_ids.mapped("progress")
            run.live_progress = max(steps) if steps else run.progress

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", self.env._("New")) == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "pps.schedule.run"
                ) or self.env._("New")
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_apply(self):
        """Write exactly the previewed moves, if the plan of their work centers
        has not changed since the preview was computed (else: run it again).
        A preview that moves nothing has nothing to apply: refused."""
        self.ensure_one()
        self._check_planner()
        if not self.dry_run or self.applied or self.state != "done":
            raise UserError(
                self.env._(
                    "Only a successful dry run that is not applied yet can be applied."
                )
            )
        lines = self.line_ids.filtered("workorder_id")
        if not lines:
            raise UserError(
                self.env._(
                    "Preview %(run)s moves no work order: there is nothing to "
                    "apply, the plan in force stays as it is.",
                    run=self.name,
                )
            )
        self._acquire_company_lock(self.company_id)
        centers = lines.old_workcenter_id | lines.new_workcenter_id
        changed = any(
            line.workorder_id.date_start != line.old_date_start
            or line.workorder_id.date_finished != line.old_date_finished
            or line.workorder_id.workcenter_id != line.old_workcenter_id
            for line in lines
        ) or self.env["mrp.workorder"].search_count(
            [("workcenter_id", "in", centers.ids), ("write_date", ">", self.date_end)],
            limit=1,
        )
        if changed:
            raise UserError(
                self.env._(
                    "The plan of these work centers changed since preview %(run)s "
                    "was computed: run the preview again.",
                    run=self.name,
                )
            )
        moves = {
            line.workorder_id: (
                line.new_workcenter_id,
                line.new_date_start,
                line.new_date_finished,
            )
            for line in lines
        }
        run = self.sudo()
        with self.env.cr.savepoint():
            run._step_apply(None, None, moves)
            LateCause = self.env["pps.late.cause"]
            LateCause._write(
                {
                    self.env["mrp.production"].browse(int(key)): vals
                    for key, vals in (run.late_cause_data or {}).items()
                }
            )
        run.applied = True
        run.message_post(
            body=self.env._(
                "Applied: %(count)s work orders moved as previewed.", count=len(moves)
            )
        )
        return self._action_open()

    def action_rerun(self, release_frozen=None, level_families=None):
        """Run again on the same scope (a preview if this was a preview; the
        frozen zone released if it was, or if ``release_frozen`` says so;
        the setup families levelled if they were, unless ``level_families``
        or the context's ``pps_level_families`` (the form's buttons) says
        otherwise)."""
        self.ensure_one()
        if level_families is None:
            level_families = self.env.context.get(
                "pps_level_families", self.level_families
            )
        run = self.schedule(
            productions=self.production_ids or None,
            time_limit=self.time_limit or None,
            dry_run=self.dry_run,
            trigger="manual",
            interactive=True,
            release_frozen=(
                self.release_frozen if release_frozen is None else release_frozen
            ),
            level_families=bool(level_families),
        )
        return run._action_open()

    def action_rerun_release_frozen(self):
        """Run again with the frozen zone released, for this one run (logged)."""
        return self.action_rerun(release_frozen=True)

    def _action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "pps.schedule.run",
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Entry point
    # ------------------------------------------------------------------
    @api.model
    def schedule(
        self,
        productions=None,
        time_limit=None,
        dry_run=False,
        trigger="manual",
        rush_insertion=False,
        interactive=False,
        workers=None,
        seed=0,
        release_frozen=False,
        background=None,
        followup=None,
        level_families=False,
    ):
        """Reschedule ``productions`` (default: every open MO of the company).

        :param time_limit: solver seconds (default: the ``pps_scheduler.time_limit``
            system parameter, 10)
        :param dry_run: compute and record the moves without writing them
        :param rush_insertion: recorded on the run: started for a rush order
        :param interactive: raise a UserError on failure instead of returning
            the failed run
        :param release_frozen: let this one run move work planned inside the
            frozen zone (planners only; logged on the run)
        :param background: the call comes from a solving action of the user
            interface: the run goes to a queue_job job (see the module's
            docstring) and is returned ``running`` (default: ``interactive``)
        :param followup: records whose ``_pps_after_schedule_run(run)`` the
            job calls once the run has ended (done or failed), inside the
            job's transaction; only for a run sent to a job
        :param level_families: levelled production: spread each setup
            family's work evenly over the days of each work center instead
            of batching it (``SolveParams.level_families``), at no lateness;
            such a run re-plans the days freely (no move cost), or a plan in
            force would never be levelled
        :return: the ``pps.schedule.run``

        A dry run solves with one worker on the deterministic budget and the
        fixed seed (0 unless given): the same data gives the same preview.

        Every run keeps in place what is in progress, pinned by a planner,
        planned to start inside the frozen zone or in a locked week; locked
        orders are planned like the others (the lock protects the agreement).
        """
        self._check_planner()
        if release_frozen:
            check_planner(
                self.env,
                self.env._("Only production planners may release the frozen zone."),
            )
        if productions is not None and not isinstance(productions, models.BaseModel):
            productions = self.env["mrp.production"].browse(productions).exists()
        if productions is None:
            productions = self.env["mrp.production"].search(
                [
                    ("company_id", "=", self.env.company.id),
                    ("state", "in", OPEN_PRODUCTION_STATES),
                ]
            )
        company = productions.company_id[:1] or self.env.company
        if len(productions.company_id) > 1:
            raise UserError(self.env._("A schedule run covers one company at a time."))
        self._acquire_company_lock(company)
        # a preview is reproducible: one worker, the engine's deterministic
        # budget (``SolveParams.is_deterministic``) and a fixed seed
        params = self._prepare_params(time_limit, 1 if dry_run else workers, seed)
        if level_families:  # asked to re-plan the days: moves are not priced
            params = replace(params, move_cost=0)
        run = self.sudo().create(
            {
                "company_id": company.id,
                "user_id": self.env.user.id,
                "trigger": trigger,
                "dry_run": dry_run,
                "rush_insertion": rush_insertion,
                "release_frozen": bool(release_frozen),
                "level_families": bool(level_families),
                "production_ids": [fields.Command.set(productions.ids)],
                "time_limit": params.time_limit,
                "workers": params.workers,
                "seed": params.seed,
                "move_cost": params.move_cost,
            }
        )
        if release_frozen:
            run.message_post(
                body=self.env._(
                    "%(user)s released the frozen zone for this run: work planned "
                    "to start within %(days)s days may move.",
                    user=self.env.user.name,
                    days=company.pps_frozen_days,
                )
            )
        if self._run_in_background(productions, interactive, background):
            run._enqueue(followup)
            return run.with_env(self.env)
        run._execute(interactive=interactive)
        return run.with_env(self.env)

    @api.model
    def _background_enabled(self):
        """Whether the user interface's solving actions go to a job: the
        system parameter ``pps_scheduler.background`` (1 by default; 0, false,
        no or off keep them in the request)."""
        value = self.env["ir.config_parameter"].sudo().get_param(BACKGROUND_PARAM, "1")
        return str(value).strip().lower() not in ("0", "false", "no", "off")

    @api.model
    def _run_in_background(self, productions, interactive, background):
        """A solving action of the user interface goes to a queue_job job
        (queue_job's own ``queue_job__no_delay`` runs it in the request);
        ``pps_schedule_sync`` keeps a run in the request for callers that need
        its result at once."""
        if background is None:
            background = interactive
        if not background or self.env.context.get("pps_schedule_sync"):
            return False
        return (
            self._background_enabled()
            or len(productions.workorder_ids) > BACKGROUND_THRESHOLD
        )

    def _enqueue(self, followup=None):
        """Hand the run to a queue_job job; it shows ``running`` at once and
        refuses other runs of its company until the job ends."""
        self.ensure_one()
        waiting = self.env._(
            "Rescheduling in the background: waiting for a job worker."
        )
        self.sudo().write({"state": "running", "progress": 0, "message": waiting})
        seeds = self.env.context.get("pps_hold_seeds")
        if isinstance(seeds, HoldSeeds):  # the job's context keeps no object
            seeds = {
                str(workorder_id): [
                    workcenter.id,
                    fields.Datetime.to_string(start),
                    fields.Datetime.to_string(end),
                ]
                for workorder_id, (workcenter, start, end) in seeds.items()
            }
        else:
            seeds = None
        job = (
            self.sudo()
            .with_delay(description=self.env._("Schedule run %(run)s", run=self.name))
            ._execute_job(followup=followup or None, hold_seeds=seeds)
        )
        self.sudo().job_uuid = getattr(job, "uuid", False)
        # sent when the request commits: the user sees the run is on its way
        self.sudo()._publish(self._progress_payload(waiting))

    def _execute_job(self, followup=None, hold_seeds=None):
        """The queue_job job of a run sent to the background: solve (as the
        request would have, failures recorded on the run, nothing written),
        run the caller's follow-up, then tell the user how it ended.

        :param hold_seeds: the held slots a confirmation's new work orders
            start from, ``{work order id: [work center id, start, end]}``
        """
        self.ensure_one()
        run = self.sudo().with_context(pps_schedule_job=True)
        if hold_seeds:
            Workcenter = self.env["mrp.workcenter"]
            run = run.with_context(
                pps_hold_seeds=HoldSeeds(
                    {
                        int(workorder_id): (
                            Workcenter.browse(workcenter_id),
                            fields.Datetime.to_datetime(start),
                            fields.Datetime.to_datetime(end),
                        )
                        for workorder_id, (workcenter_id, start, end) in (
                            hold_seeds.items()
                        )
                    }
                )
            )
        run._execute()
        error = False
        if followup:
            try:
                with self.env.cr.savepoint():
                    followup._pps_after_schedule_run(run)
            except psycopg2.OperationalError:
                raise  # a concurrent update: queue_job retries the job
            except Exception as failure:  # the run stands, what follows it failed
                _logger.exception("Schedule run %s: follow-up failed", run.name)
                error = self.env._(
                    "%(run)s ended, but what had to follow it failed: %(error)s",
                    run=run.name,
                    error=failure,
                )
                run.message_post(body=error)
        run._publish(
            run._progress_payload(error or run._end_message(), failed=bool(error))
        )
        return run._end_message()

    @api.model
    def _schedule_internal(self, job_followup=None, **kwargs):
        """:meth:`schedule` as the system, for a step of another workflow,
        whoever clicked (an agreement, a confirmation, an abnormality's dry
        run): inside ``SCHEDULE_INTERNAL``, in the request.

        With ``job_followup`` (records with ``_pps_after_schedule_run(run)``),
        the run goes to a job when the user interface's runs do
        (:meth:`_background_enabled`, and no ``pps_schedule_sync`` in the
        context): it is returned ``running`` and the job calls the follow-up
        when it ends. Otherwise the run is done (or failed) on return and the
        caller carries on with it."""
        Run = SCHEDULE_INTERNAL.enter(self.sudo())
        if job_followup is not None and Run._run_in_background(
            self.env["mrp.production"], False, True
        ):
            return Run.schedule(background=True, followup=job_followup, **kwargs)
        return Run.with_context(pps_schedule_sync=True).schedule(**kwargs)

    @api.model
    def _check_planner(self):
        """Planners run the scheduler; so does the system for anyone, inside
        its own internal runs (an agreement, a confirmation, a dry run)."""
        if SCHEDULE_INTERNAL.active(self.env):
            return
        check_planner(
            self.env, self.env._("Only production planners can reschedule production.")
        )

    @api.model
    def _prepare_params(self, time_limit, workers, seed):
        icp = self.env["ir.config_parameter"].sudo()
        if time_limit is None:
            time_limit = float(icp.get_param("pps_scheduler.time_limit", "10"))
        if workers is None:
            workers = int(icp.get_param("pps_scheduler.workers", "2"))
        if time_limit <= 0 or workers < 1:
            raise UserError(
                self.env._(
                    "The time limit must be positive and the workers at least 1."
                )
            )
        move_cost = self._minutes_param("pps_scheduler.move_cost", DEFAULT_MOVE_COST)
        return SolveParams(
            time_limit=time_limit,
            workers=workers,
            seed=seed or 0,
            move_cost=move_cost,
        )

    @api.model
    def _minutes_param(self, name, default):
        """The system parameter ``name``: a whole number of minutes, 0 or
        more (``default`` when unset); anything else is refused, by name."""
        raw = self.env["ir.config_parameter"].sudo().get_param(name, str(default))
        try:
            minutes = int(raw)
        except ValueError:
            minutes = -1
        if minutes < 0:
            raise UserError(
                self.env._(
                    "The system parameter %(name)s must be a whole number of "
                    "minutes, 0 or more (found %(value)r).",
                    name=name,
                    value=raw,
                )
            )
        return minutes

    @api.model
    def _acquire_company_lock(self, company):
        """Refuse a second run of the same company, concurrent or in background."""
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)",
            (ADVISORY_LOCK_NAMESPACE, company.id),
        )
        if not self.env.cr.fetchone()[0]:
            raise UserError(
                self.env._(
                    "A schedule run is already in progress for %(company)s. "
                    "Wait for it to finish and try again.",
                    company=company.name,
                )
            )
        running = self.sudo().search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "running"),
                ("create_date", ">", fields.Datetime.now() - STALE_RUN_AFTER),
            ],
        )
        # queue_job's runner fails a job found dead too often in SQL, without
        # the ORM: its run is closed here
        running -= self._pps_close_failed_jobs(
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    (
                        "uuid",
                        "in",
                        [uuid for uuid in running.mapped("job_uuid") if uuid],
                    ),
                    ("state", "in", ("failed", "cancelled")),
                ]
            )
        )
        running = running[:1]
        if running:
            raise UserError(
                self.env._(
                    "Schedule run %(run)s is still running for %(company)s. "
                    "Wait for it to finish and try again.",
                    run=running.name,
                    company=company.name,
                )
            )

    # ------------------------------------------------------------------
    # The run's steps
    # ------------------------------------------------------------------
    def _execute(self, interactive=False):
        """Extract, solve, check, diff and (unless a dry run) apply. One run."""
        self.ensure_one()
        run = self.sudo()
        started = time.monotonic()
        run.write(
            {"state": "running", "date_start": fields.Datetime.now(), "progress": 0}
        )
        try:
            with self.env.cr.savepoint():
                run._report_step(
                    5, self.env._("Reading the orders and the plan in force.")
                )
                problem = run._step_extract()
                run._report_step(
                    10,
                    self.env._(
                        "Searching for a better plan of %(count)s work orders "
                        "(up to %(seconds)s seconds).",
                        count=run.workorder_count,
                        seconds=round(run.time_limit),
                    ),
                )
                result = run._step_solve(problem)
                run._report_step(70, self.env._("Checking the new plan."))
                run._step_check(problem, result)
                moves = run._step_diff(problem, result)
                if run.dry_run:
                    run._report_step(85, self.env._("Preparing the preview."))
                    run._store_late_causes(problem, result)
                    run.changeover_data = {
                        str(key): minutes
                        for key, minutes in run._changeover_values(
                            problem, result
                        ).items()
                    }
                else:
                    run._report_step(
                        85,
                        self.env._(
                            "Writing the new plan: %(count)s work orders move.",
                            count=len(moves),
                        ),
                    )
                    run._step_apply(problem, result, moves)
        except ScheduleFailure as failure:
            return run._fail(str(failure), failure.solver_status, started, interactive)
        except (UserError, ValueError) as error:
            return run._fail(str(error), None, started, interactive)
        except Exception as error:  # database errors in the write-back among others
            if isinstance(error, CONCURRENCY_ERRORS) and run.env.context.get(
                "pps_schedule_job"
            ):
                # a user's write crossed the job's: queue_job retries the job
                # on a fresh transaction (the savepoint undid every write)
                _logger.info("Schedule run %s: concurrent update, retried", run.name)
                raise
            _logger.exception("Schedule run %s failed", run.name)
            return run._fail(
                self.env._(
                    "Unexpected error, nothing was written: %(error)s", error=error
                ),
                None,
                started,
                interactive,
            )
        run.write(
            {
                "state": "done",
                "progress": 100,
                "applied": not run.dry_run,
                "wall_time": time.monotonic() - started,
                "date_end": fields.Datetime.now(),
            }
        )
        run._notify_done()
        return run

    def _step_extract(self):
        problem = self.env["pps.schedule.problem"]._prepare_problem(
            self.production_ids, release_frozen=self.release_frozen
        )
        skipped = "; ".join(
            f"{production.name}: {reason}"
            for production, reason in problem.skipped.items()
        )
        _logger.info(
            "Schedule run %s: extract: %d work orders (%d movable), %d work centers",
            self.name,
            len(problem.workorders),
            len(problem.movable),
            len(problem.workcenters),
        )
        self.write(
            {
                "workorder_count": len(problem.movable),
                "progress": 10,
                "message": skipped and self.env._("Left out: %(list)s", list=skipped),
            }
        )
        return problem

    def _step_solve(self, problem):
        params = SolveParams(
            time_limit=self.time_limit,
            workers=self.workers,
            seed=self.seed,
            move_cost=self.move_cost,
            level_families=self.level_families,
        )
        result = solve(problem.data, params)
        _logger.info(
            "Schedule run %s: solve: %s, objective %s, bound %s, %.1fs",
            self.name,
            result.status.value,
            result.objective,
            result.bound,
            result.wall_time,
        )
        self.write(
            {
                "solver_status": result.status.value,
                "solve_time": result.wall_time,
                "levelling_minutes": result.levelling,
                "progress": 70,
            }
        )
        if self.level_families and result.ok:
            self._report_step(
                70,
                self.env._(
                    "Setup families levelled: %(minutes)s minutes between each "
                    "family's fullest and emptiest day, summed over the work "
                    "centers.",
                    minutes=result.levelling,
                ),
            )
        if not result.ok:
            raise ScheduleFailure(
                self.env._(
                    "No schedule was found (%(status)s): %(why)s",
                    status=result.status.value,
                    why=result.message,
                ),
                solver_status=result.status.value,
            )
        return result

    def _step_check(self, problem, result):
        violations = check(problem.data, result.assignments)
        if violations:
            listed = "\n".join(f"- {v.kind}: {v.message}" for v in violations[:20])
            raise ScheduleFailure(
                self.env._(
                    "The schedule failed the independent check, so nothing was "
                    "written:\n%(list)s",
                    list=listed,
                ),
                solver_status=result.status.value,
            )

    def _step_diff(self, problem, result):
        """One run line per movable work order whose plan changes.

        :return: {workorder: (workcenter, start datetime, end datetime)}
        """
        moves = {}
        line_vals = []
        for index in problem.movable:
            workorder = problem.workorders[index]
            assignment = result.assignments[index]
            workcenter = problem.workcenters[assignment.resource]
            start = to_datetime(problem.origin, assignment.start)
            end = to_datetime(problem.origin, assignment.end)
            if (
                workorder.workcenter_id == workcenter
                and workorder.date_start == start
                and workorder.date_finished == end
            ):
                continue
            moves[workorder] = (workcenter, start, end)
            line_vals.append(
                {
                    "run_id": self.id,
                    "workorder_id": workorder.id,
                    "production_id": workorder.production_id.id,
                    "old_workcenter_id": workorder.workcenter_id.id,
                    "new_workcenter_id": workcenter.id,
                    "old_date_start": workorder.date_start,
                    "new_date_start": start,
                    "old_date_finished": workorder.date_finished,
                    "new_date_finished": end,
                }
            )
        self.env["pps.schedule.run.line"].create(line_vals)
        late = {j: t for j, t in result.tardiness.items() if t > 0}
        self.write(
            {
                "objective_value": result.objective or 0.0,
                "best_bound": result.bound or 0.0,
                "moved_count": len(moves),
                "late_count": len(late),
                "total_tardiness": sum(late.values()),
                "changeover_minutes": result.changeover,
                "progress": 80,
            }
        )
        return moves

    def _step_apply(self, problem, result, moves):
        """Write the schedule through the ORM, the way work orders plan themselves.

        The orderpoints of the stock moves it moves (each MO date write moves
        its component and finished moves, two or three writes per MO, each
        searching the orderpoints of its products) are marked for
        recomputation once, at the end: ``stock.move._update_orderpoints`` only
        notes the moves meanwhile."""
        deferred = DeferredOrderpoints()
        self.with_context(**{DEFERRED_ORDERPOINTS: deferred})._apply_plan(
            problem, result, moves
        )
        if deferred:
            self.env["stock.move"].browse(deferred).exists()._update_orderpoints()

    def _apply_plan(self, problem, result, moves):
        productions = self.env["mrp.production"]
        for workorder in moves:
            productions |= workorder.production_id
        self._apply_workorders(moves)
        if problem is not None:
            self._apply_changeovers(self._changeover_values(problem, result))
        else:  # the preview's, see action_apply
            self._apply_changeovers(
                {
                    int(key): minutes
                    for key, minutes in (self.changeover_data or {}).items()
                }
            )
        self._apply_productions(productions)
        self._apply_sale_orders(productions)
        self._apply_material_preparation(self.production_ids | productions)
        purchase_lines = self._apply_purchase_orders(productions)
        if problem is not None:  # else the preview's, see action_apply
            self._apply_late_causes(problem, result)
        _logger.info(
            "Schedule run %s: apply: %d work orders, %d MOs, %d purchase lines",
            self.name,
            len(moves),
            len(productions),
            len(purchase_lines),
        )

    def _changeover_values(self, problem, result):
        """{work order id: changeover minutes right before it} for every work
        order of the problem (0: none), from the schedule found."""
        return {
            workorder.id: result.setups.get(index, 0)
            for index, workorder in enumerate(problem.workorders)
            if workorder
        }

    def _apply_changeovers(self, values):
        """Write ``mrp.workorder.pps_changeover_minutes`` where it changes:
        one write per distinct value, not one per work order."""
        Workorder = self.env["mrp.workorder"].with_context(
            pps_lock_bypass=PPS_LOCK_BYPASS
        )
        workorders = Workorder.browse(list(values)).exists()
        workorders.fetch(["pps_changeover_minutes"])
        by_value = {}
        for workorder in workorders:
            minutes = values[workorder.id]
            if workorder.pps_changeover_minutes != minutes:
                by_value.setdefault(minutes, []).append(workorder.id)
        for minutes, ids in by_value.items():
            Workorder.browse(ids).write({"pps_changeover_minutes": minutes})

    def _apply_late_causes(self, problem, result):
        """Why late: every MO of the run gets its binding cause (or none when
        on time), and their sale orders too (``pps.late.cause``)."""
        LateCause = self.env["pps.late.cause"]
        LateCause._write(LateCause._explain(problem, result, self.production_ids))

    def _store_late_causes(self, problem, result):
        """A preview keeps the causes of its plan, written if it is applied."""
        values = self.env["pps.late.cause"]._explain(
            problem, result, self.production_ids
        )
        self.late_cause_data = {
            str(production.id): vals for production, vals in values.items()
        }

    def _apply_workorders(self, moves):
        """Write the moved work orders through the ORM, in batches.

        A work order's dates are its calendar leave's (``_compute_dates`` reads
        them from ``leave_id``, ``_set_dates`` writes them back): the moves that
        keep their work center write their leaves (one UPDATE at the flush),
        create the missing ones in one batch, then recompute the dates of the
        work orders from them, which marks what depends on them (the MOs'
        planned flag, production dates...) as Odoo's own writes do. Each MO's
        dates are then written once, by ``_apply_productions``, instead of at
        every move of its first and last work order.

        The moves onto another work center go through ``mrp.workorder.write``
        one by one, as before: Odoo recomputes the expected duration on the new
        center and moves the leave's resource.
        """
        Workorder = self.env["mrp.workorder"].with_context(
            bypass_duration_calculation=True, pps_lock_bypass=PPS_LOCK_BYPASS
        )
        workorders = Workorder.browse([workorder.id for workorder in moves])
        # one read of what the loops below use, for all the work orders
        workorders.fetch(["workcenter_id", "leave_id", "production_id", "sequence"])
        values = {
            workorder.id: move for workorder, move in moves.items()
        }  # id -> (workcenter, start, end)
        same_center = workorders.filtered(
            lambda wo: wo.workcenter_id == values[wo.id][0]
        )
        for workorder in same_center:
            _workcenter, start, end = values[workorder.id]
            if start > end:
                raise UserError(
                    self.env._(
                        "The planned end of %(workorder)s is before its start.",
                        workorder=workorder.display_name,
                    )
                )
        planned = same_center.filtered("leave_id")
        for workorder in planned:
            workcenter, start, end = values[workorder.id]
            leave = workorder.leave_id.sudo()
            vals = {"date_from": start, "date_to": end}
            if leave.calendar_id != workcenter.resource_calendar_id:
                vals["calendar_id"] = workcenter.resource_calendar_id.id
            if leave.resource_id != workcenter.resource_id:
                vals["resource_id"] = workcenter.resource_id.id
            leave.write(vals)
        unplanned = same_center - planned
        if unplanned:
            leave_vals = []
            for workorder in unplanned:
                center = workorder.workcenter_id
                leave_vals.append(
                    {
                        "name": workorder.display_name,
                        "calendar_id": center.resource_calendar_id.id,
                        "date_from": values[workorder.id][1],
                        "date_to": values[workorder.id][2],
                        "resource_id": center.resource_id.id,
                        "time_type": "other",
                    }
                )
            leaves = self.env["resource.calendar.leaves"].sudo().create(leave_vals)
            self._link_leaves(unplanned, leaves)
        # the dates follow the leaves written above (the unplanned ones
        # already did, through leave_id)
        planned.modified(["leave_id"])
        others = sorted(
            workorders - same_center,
            key=lambda wo: (wo.production_id.id, wo.sequence, wo.id),
        )
        # the ends planned: Odoo's write takes them instead of walking the
        # new center's calendar (``mrp.workorder._calculate_date_finished``)
        ends = {workorder.id: values[workorder.id][2] for workorder in others}
        for workorder in Workorder.with_context(pps_planned_ends=ends).browse(
            [workorder.id for workorder in others]
        ):
            workcenter, start, end = values[workorder.id]
            vals = {
                "date_start": start,
                "date_finished": end,
                "workcenter_id": workcenter.id,
                "duration_expected": workorder._get_duration_expected(
                    alternative_workcenter=workcenter
                ),
            }
            leave = workorder.leave_id
            if leave and (
                leave.calendar_id != workcenter.resource_calendar_id
                or leave.resource_id != workcenter.resource_id
            ):
                leave.sudo().write(
                    {
                        "calendar_id": workcenter.resource_calendar_id.id,
                        "resource_id": workcenter.resource_id.id,
                    }
                )
            workorder.write(vals)

    def _link_leaves(self, workorders, leaves):
        """``workorder.leave_id = leave`` for each pair, as one write would do
        it for all: ``mrp.workorder.write`` with only ``leave_id`` does nothing
        of its own (nor do this project's overrides, which check dates, work
        centers and readiness ticks), and ``BaseModel.write`` is the access
        check, the field's own write (cache, inverse fields, flushed as one
        UPDATE) between two ``modified`` calls, and the constraints. Written
        one by one, the two ``modified`` calls walked the dependency tree of
        ``leave_id`` (the work order dates and all that follows them) for
        every work order: about 1.4 ms each, 16 s for 11,300 work orders."""
        workorders.check_access("write")
        field = workorders._fields["leave_id"]
        workorders.modified(["leave_id"], before=True)
        for workorder, leave in zip(workorders, leaves, strict=True):
            field.write(workorder, leave)
        workorders.modified(["leave_id"])
        workorders._validate_fields(["leave_id"])

    def _apply_productions(self, productions):
        """MO dates span their open work orders, written once per MO (only
        what differs: each MO date write moves its stock moves). The work
        orders moved in a batch leave them to this; a work order moved onto
        another center already moved them when it is its MO's first or last."""
        for production in productions.with_context(
            force_date=True, pps_lock_bypass=PPS_LOCK_BYPASS
        ):
            planned = production.workorder_ids.filtered(
                lambda wo: wo.state not in ("done", "cancel") and wo.date_start
            )
            if not planned:
                continue
            vals = {
                "date_start": min(planned.mapped("date_start")),
                "date_finished": max(planned.mapped("date_finished")),
            }
            vals = {
                key: value for key, value in vals.items() if production[key] != value
            }
            if vals:
                production.write(vals)

    def _apply_material_preparation(self, productions):
        """The material preparation plan: components at the station the
        company's material buffer days before the work that consumes them.

        Every open component move is due at its consuming work order's planned
        start minus the buffer: in two- and three-step manufacturing the moves
        of the pick-components transfer get that date (the transfer's
        scheduled date follows, the earliest of its moves); in one-step
        manufacturing the MO's component moves do (the MO's own date write has
        just set them to its start). Only what differs is written.
        """
        Move = self.env["stock.move"].sudo()
        updates = {}
        productions = productions.filtered(
            lambda p: p.state in OPEN_PRODUCTION_STATES
        ).sudo()
        for production in productions:
            buffer = timedelta(days=production.company_id.pps_material_buffer_days)
            one_step = production._pps_one_step()
            for move, workorder in production._pps_component_workorders().items():
                if workorder.state not in OPEN_WORKORDER_STATES:
                    continue
                if not workorder.date_start:
                    continue
                need = workorder.date_start - buffer
                targets = move if one_step else production._pps_pick_moves(move)
                for target in targets:
                    # a pick move feeding several component moves: the earliest
                    if target.id not in updates or need < updates[target.id]:
                        updates[target.id] = need
        by_date = defaultdict(list)
        for move in Move.browse(list(updates)):
            if move.date != updates[move.id]:
                by_date[updates[move.id]].append(move.id)
        for need, ids in by_date.items():
            Move.browse(ids).write({"date": need})
        return sum(len(ids) for ids in by_date.values())

    def _apply_sale_orders(self, productions):
        """The scheduled delivery date: last MO finish plus the security lead time."""
        orders = productions.pps_sale_order_id
        for order in orders:
            finishes = [
                d
                for d in order.mrp_production_ids.filtered(
                    lambda p: p.state not in ("done", "cancel")
                ).mapped("date_finished")
                if d
            ]
            if not finishes:
                continue
            lead = timedelta(days=order.company_id.security_lead or 0.0)
            order.sudo().pps_scheduled_date = max(finishes) + lead

    def _apply_purchase_orders(self, productions):
        """Move RFQ and PO lines to the day their components are needed.

        Need date = the MO's start minus the material buffer. RFQ lines simply
        move; confirmed PO lines move too, and the buyer gets an activity to
        agree the new date with the vendor (pulled in, or postponed when the
        MOs they feed moved later).
        """
        need_by_line = {}
        production_by_line = {}
        for production in productions.filtered("date_start"):
            need = production.date_start - timedelta(
                days=production.company_id.pps_material_buffer_days
            )
            moves = production.move_raw_ids.filtered(
                lambda m: m.state not in ("done", "cancel")
            )
            for line in self._supplying_purchase_lines(moves):
                # A line feeding several MOs is needed by the earliest of them.
                if line not in need_by_line or need < need_by_line[line]:
                    need_by_line[line] = need
                    production_by_line[line] = production
        lines = self.env["purchase.order.line"]
        pulled = {}
        line_vals = []
        open_states = ("draft", "sent", "to approve", "purchase")
        for line, need in need_by_line.items():
            if line.order_id.state not in open_states:
                continue
            if not line.date_planned or line.date_planned == need:
                continue
            if line.order_id.state == "purchase":
                pulled[line] = line.date_planned
            line_vals.append(
                {
                    "run_id": self.id,
                    "purchase_line_id": line.id,
                    "production_id": production_by_line[line].id,
                    "old_date_start": line.date_planned,
                    "new_date_start": need,
                }
            )
            line.sudo().date_planned = need
            lines |= line
        self.env["pps.schedule.run.line"].create(line_vals)
        for line, old in pulled.items():
            summary = (
                self.env._("Vendor delivery pulled in")
                if line.date_planned < old
                else self.env._("Vendor delivery can be postponed")
            )
            line.order_id.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(line.order_id.user_id or self.env.user).id,
                summary=summary,
                note=self.env._(
                    "%(product)s is now needed on %(new)s instead of %(old)s "
                    "(schedule run %(run)s). "
                    "Please agree the new date with the vendor.",
                    product=line.product_id.display_name,
                    new=format_datetime(self.env, line.date_planned, dt_format="short"),
                    old=format_datetime(self.env, old, dt_format="short"),
                    run=self.name,
                ),
            )
        return lines

    @api.model
    def _supplying_purchase_lines(self, moves):
        """Purchase lines that supply the component ``moves``: the RFQ lines
        their procurement created (a draft RFQ has no receipt move yet) and
        the lines of the receipts anywhere up their chain of origin moves
        (two- and three-step receptions)."""
        chain = moves | moves.browse(moves._rollup_move_origs())
        return chain.created_purchase_line_ids | chain.purchase_line_id

    # ------------------------------------------------------------------
    # Failure and notification
    # ------------------------------------------------------------------
    def _fail(self, message, solver_status, started, interactive):
        """Record why the run failed; the savepoint already undid any write."""
        vals = {
            "state": "failed",
            "message": message,
            "wall_time": time.monotonic() - started,
            "date_end": fields.Datetime.now(),
        }
        if solver_status:
            vals["solver_status"] = solver_status
        _logger.warning("Schedule run %s failed: %s", self.name, message)
        if interactive:
            self._keep_failure_record(vals)
            raise UserError(
                self.env._(
                    "Schedule run %(run)s failed: %(why)s", run=self.name, why=message
                )
            )
        self.write(vals)
        self.message_post(body=message)
        return self

    def _keep_failure_record(self, vals):
        """Keep a failed copy of the run although the caller's transaction is
        rolled back by the UserError: it is written through a cursor of its own.
        """
        copied = self.read(
            [
                "company_id",
                "user_id",
                "trigger",
                "dry_run",
                "rush_insertion",
                "release_frozen",
                "level_families",
                "time_limit",
                "workers",
                "seed",
                "move_cost",
                "workorder_count",
            ],
            load=None,
        )[0]
        copied.pop("id")
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr, su=True)
            env["pps.schedule.run"].create({**copied, **vals}).message_post(
                body=vals["message"]
            )

    @api.model
    def _pps_close_failed_jobs(self, jobs):
        """Mark ``failed``, with the job's error, the runs still ``running``
        whose background job failed or was cancelled; return them."""
        uuids = [job.uuid for job in jobs if job.state in ("failed", "cancelled")]
        if not uuids:
            return self.browse()
        runs = self.sudo().search(
            [("job_uuid", "in", uuids), ("state", "=", "running")]
        )
        errors = {job.uuid: job for job in jobs}
        for run in runs:
            job = errors[run.job_uuid]
            error = (job.exc_message or job.exc_name or job.state or "").strip()
            message = self.env._(
                "The background job of this run ended %(state)s, nothing was "
                "written: %(error)s",
                state=job.state,
                error=error.splitlines()[0][:300] if error else "-",
            )
            run.write(
                {
                    "state": "failed",
                    "message": message,
                    "date_end": fields.Datetime.now(),
                }
            )
            run.message_post(body=message)
            _logger.warning(
                "Schedule run %s failed with its job: %s", run.name, message
            )
        return runs

    def _notify_done(self):
        if self.trigger in ("cron", "negotiation") or not self.user_id:
            return
        self.message_post(
            body=self._end_message(), partner_ids=self.user_id.partner_id.ids
        )

    def _end_message(self):
        """How the run ended, in a planner's words."""
        self.ensure_one()
        if self.state == "failed":
            return self.env._(
                "%(run)s failed, nothing was written: %(why)s",
                run=self.name,
                why=self.message or "",
            )
        if self.dry_run:
            return self.env._(
                "Preview %(run)s is ready: %(moved)s work orders would move, "
                "%(late)s orders late.",
                run=self.name,
                moved=self.moved_count,
                late=self.late_count,
            )
        return self.env._(
            "%(run)s is done: %(moved)s work orders moved, %(late)s orders late.",
            run=self.name,
            moved=self.moved_count,
            late=self.late_count,
        )

    # ------------------------------------------------------------------
    # Progress on the bus
    # ------------------------------------------------------------------
    def _progress_payload(self, message, failed=False, progress=None):
        """What the bus carries to the run's user (``PROGRESS_CHANNEL``)."""
        self.ensure_one()
        return {
            "run_id": self.id,
            "name": self.name,
            "state": "failed" if failed else self.state,
            "dry_run": self.dry_run,
            "progress": self.progress if progress is None else progress,
            "message": message,
            "moved": self.moved_count,
            "late": self.late_count,
        }

    def _publish(self, payload):
        """Send ``payload`` to the run's user on the bus, when the current
        transaction commits."""
        self.ensure_one()
        partner = self.user_id.partner_id
        if partner:
            self.env["bus.bus"]._sendone(partner, PROGRESS_CHANNEL, payload)

    def _report_step(self, progress, message):
        """A step starts: recorded on the run (``pps.schedule.run.step``) and,
        inside a job, committed at once with its bus message to the run's user
        through a cursor of its own (the job's transaction commits only at its
        end). That cursor only inserts rows, never writes the run, which the
        job's transaction writes (a row written by both would fail the job
        with a serialization error)."""
        self.ensure_one()
        self.progress = progress
        step = {"run_id": self.id, "progress": progress, "name": message}
        if self.env.context.get("pps_schedule_job"):
            payload = self._progress_payload(message, progress=progress)
            try:
                with self.env.registry.cursor() as cr:
                    # a job performed in the transaction that enqueued it (a
                    # test's) has a run no other cursor sees yet
                    cr.execute(
                        "SELECT 1 FROM pps_schedule_run WHERE id = %s", [self.id]
                    )
                    if cr.fetchone():
                        env = self.env(cr=cr, su=True)
                        env["pps.schedule.run.step"].create(step)
                        partner = self.user_id.partner_id
                        if partner:
                            env["bus.bus"]._sendone(
                                partner.with_env(env), PROGRESS_CHANNEL, payload
                            )
                        return
            except psycopg2.Error:  # progress is a courtesy: the run goes on
                _logger.warning("Schedule run %s: step not committed", self.name)
            self._publish(payload)
        self.env["pps.schedule.run.step"].sudo().create(step)

    # ------------------------------------------------------------------
    # Cron
    # ------------------------------------------------------------------
    @api.model
    def _cron_schedule(self):
        """Daily: reschedule every company's open manufacturing orders."""
        for company in self.env["res.company"].search([]):
            productions = self.env["mrp.production"].search(
                [
                    ("company_id", "=", company.id),
                    ("state", "in", OPEN_PRODUCTION_STATES),
                ]
            )
            if productions:
                self.with_company(company).schedule(
                    productions=productions, trigger="cron"
                )
