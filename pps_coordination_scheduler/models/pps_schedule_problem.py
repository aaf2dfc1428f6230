"""Extraction of the scheduling problem from Odoo records.

``pps.schedule.problem`` turns manufacturing orders, work orders, work centers,
their calendars and leaves, stock and purchase order lines into the engine's
plain dataclasses (:mod:`..engine`), and keeps the maps needed to bring the
engine's answer back onto the records. Nothing here writes to the database.

Every ``_prepare_*`` method returns plain values so that an integrator can
override one concern (weights, releases, due dates, calendars) without touching
the others, the way ``mrp_multi_level`` exposes its ``_prepare_*`` hooks.

The promise (``pps.promise``) builds its own, smaller problem with the same
steps: :meth:`PpsScheduleProblem._prepare_windows` for the working time of the
work centers and :meth:`PpsScheduleProblem._prepare_fixed_work` for the
planned work of other orders, so both see the plant the same way.
"""

import dataclasses
import functools
import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

import pytz

from odoo import api, fields, models

from odoo.addons.pps_coordination.const import (
    BLOCKING_PROBLEMS,
    OPEN_PRODUCTION_STATES,
    OPEN_WORKORDER_STATES,
)
from odoo.addons.pps_coordination.tools.wording import format_moment

from ..engine import (
    Assignment,
    Job,
    Mode,
    Operation,
    Precedence,
    ProblemData,
    Resource,
    SecondaryResource,
)
from ..engine.checker import span_end
from ..planning_time import (  # noqa: F401 - to_datetime re-exported
    MINUTE,
    planning_tz,
    to_datetime,
    to_minutes,
    week_span,
)

#: Days of calendar extracted beyond the latest date the problem knows about.
HORIZON_MARGIN_DAYS = 60
#: Working hours a day assumed when sizing the horizon to the load (low on purpose).
HORIZON_HOURS_PER_DAY = 4.0
#: Longest horizon extracted, whatever the data says.
MAX_HORIZON_DAYS = 730


@dataclass
class ProblemMap:
    """The engine problem and the records behind each index."""

    origin: datetime
    data: ProblemData
    workcenters: list = field(default_factory=list)  # resource index -> workcenter
    productions: list = field(default_factory=list)  # job index -> production
    workorders: list = field(default_factory=list)  # operation index -> workorder
    movable: set = field(default_factory=set)  # operation indexes that may move
    skipped: dict = field(default_factory=dict)  # production -> reason left out
    fixed_reasons: dict = field(default_factory=dict)  # op index -> why fixed
    # production id -> (supply datetime, the component move or the shortage
    # abnormality) that sets its release: what "why late" names for material
    release_reasons: dict = field(default_factory=dict)
    abnormalities: dict = field(default_factory=dict)  # workcenter id -> records
    # every routing and sub-assembly precedence, those between two fixed
    # operations included (the engine's data leaves them out): "why late"
    # follows them back through frozen work
    all_precedences: tuple = ()


@dataclass(frozen=True)
class PlannedWork:
    """A planned work order as the engine sees it, from
    :meth:`PpsScheduleProblem._prepare_fixed_work`."""

    workorder: models.BaseModel  # the mrp.workorder
    modes: tuple  # one Mode: its own work center, its expected duration
    current: Assignment  # its plan, rounded outward
    fixed: Assignment  # the same plan as fixed work: it holds until now at least
    family: int | None = None  # its product's setup family id (changeovers)


class PpsScheduleProblem(models.AbstractModel):
    _name = "pps.schedule.problem"
    _description = "PPS scheduling problem extraction"

    @api.model
    def _prepare_problem(self, productions, release_frozen=False):
        """Build the engine problem for ``productions``.

        Work orders of those productions move, locked orders' included (the
        execution lock protects the agreement, not the plan), except the ones
        that are in progress, pinned by a planner (``pps_plan_pinned``),
        planned to start inside the frozen zone (today plus the company's
        frozen days; ``release_frozen`` lifts it for one run) or in a locked
        week. Planned work orders of every other production on the same work
        centers are fixed obstacles, and so are the slots open quotations
        hold (:meth:`_prepare_hold_blocks`).

        :return: a :class:`ProblemMap`
        """
        company = productions.company_id[:1] or self.env.company
        origin = fields.Datetime.now().replace(second=0, microsecond=0)
        problem = ProblemMap(origin=origin, data=None)
        # every current or future week lock, read once for the whole extraction
        week_locks = self.env["pps.dispatch.week.lock"]._current_keys()
        productions = self._filter_schedulable(productions, problem)
        workorders = productions.workorder_ids.filtered(
            lambda wo: wo.state in OPEN_WORKORDER_STATES
        )
        workcenters = (
            workorders.workcenter_id
            | workorders.workcenter_id.alternative_workcenter_ids
        )
        # other orders' planned work holding the same people or fixtures,
        # wherever it runs: its work centers' work becomes obstacles too
        workcenters |= self._prepare_sharing_centers(
            workorders.operation_id, productions, origin
        )
        obstacles = self._prepare_obstacles(workcenters, productions, origin)
        frozen_until = (
            None if release_frozen else origin + timedelta(days=company.pps_frozen_days)
        )

        all_workorders = workorders | obstacles
        horizon_end = self._prepare_horizon_end(productions, all_workorders, origin)
        problem.workcenters = list(workcenters)
        wc_index = {wc.id: i for i, wc in enumerate(problem.workcenters)}
        # the confirmed abnormalities of all the centers in one search
        abnormalities = self._abnormalities_by_workcenter(workcenters, origin)
        problem.abnormalities = abnormalities
        matrices = self._prepare_changeovers(workcenters)
        resources = [
            Resource(
                key=wc.id,
                windows=self._prepare_windows(
                    wc, origin, horizon_end, abnormalities=abnormalities
                ),
                changeovers=matrices.get(wc.id, {}),
            )
            for wc in problem.workcenters
        ]
        families = self._prepare_families(workorders)  # obstacles: _prepare_fixed_work
        # the low yields of all the work in one search
        yield_factors = self._prepare_yield_factors(productions, origin)

        jobs, operations, precedences = [], [], []
        op_index = {}
        starting = {}  # index -> plan of a ready work order kept as "starting"
        grace = self._prepare_start_grace()
        releases = self._prepare_releases(
            productions, origin, company, reasons=problem.release_reasons
        )
        # frozen work of an MO a material shortage holds back cannot run as
        # planned either: it moves (see the frozen reason below)
        short = self._prepare_shortage_releases(productions, origin, company)
        for production in productions:
            job_index = len(jobs)
            problem.productions.append(production)
            jobs.append(
                Job(
                    key=production.id,
                    release=releases[production.id],
                    due=self._prepare_due(production, origin, releases[production.id]),
                    weight=self._prepare_weight(production),
                    rush=bool(production.pps_rush),
                    jit_slack=self._prepare_jit_slack(production, company),
                )
            )
            for workorder in production.workorder_ids.filtered(
                lambda wo: wo.state in OPEN_WORKORDER_STATES
            ).sorted(lambda wo: (wo.sequence, wo.id)):
                modes = self._prepare_modes(workorder, wc_index, yield_factors)
                current = self._prepare_assignment(workorder, modes, wc_index, origin)
                if current is None:
                    current = self._prepare_seed(workorder, modes, wc_index, origin)
                reason = self._prepare_fixed_reason(
                    workorder, origin, frozen_until, week_locks
                )
                if reason == "frozen" and (
                    self._hit_by_abnormality(workorder, abnormalities)
                    or (current and current.start < short.get(production.id, 0))
                ):
                    reason = None  # it cannot run where it stands: it moves
                index = len(operations)
                if (
                    not reason
                    and current is not None
                    and workorder.state == "ready"
                    and -grace <= current.start < 0 < current.end
                ):
                    # Due to start a moment ago and ready: it is being started
                    # on the floor. Keeping it (rather than pushing it, and the
                    # queue behind it, to "now") keeps re-runs stable.
                    reason = "starting"
                    starting[index] = current
                if reason and current is None:
                    # Nothing planned to keep: a pinned work order without dates
                    # cannot be given any, so it stays out of the problem.
                    problem.skipped.setdefault(
                        production,
                        self.env._(
                            "unplanned work order %(wo)s is %(why)s",
                            wo=workorder.display_name,
                            why=reason,
                        ),
                    )
                    continue
                if reason and current.end <= 0:
                    # Kept where it is and already over by plan (an overrunning
                    # operation, a pinned order running late): it holds nothing
                    # in the future, so, like other orders' finished plans, it
                    # is left out rather than squeezed onto "now" where two of
                    # them would collide.
                    continue
                if reason:
                    current = self._clip_fixed(current)
                    problem.fixed_reasons[index] = reason
                else:
                    problem.movable.add(index)
                operations.append(
                    Operation(
                        key=workorder.id,
                        job=job_index,
                        modes=tuple(modes),
                        fixed=current if reason else None,
                        current=None if reason else current,
                        family=families.get(workorder.id),
                    )
                )
                op_index[workorder.id] = index
                problem.workorders.append(workorder)

        # Obstacles: planned work of other productions, fixed where it is.
        obstacle_jobs = {}
        for work in self._prepare_fixed_work(obstacles, wc_index, origin):
            workorder = work.workorder
            production = workorder.production_id
            if production.id not in obstacle_jobs:
                obstacle_jobs[production.id] = len(jobs)
                jobs.append(
                    Job(key=production.id, weight=1, rush=bool(production.pps_rush))
                )
                problem.productions.append(production)
            index = len(operations)
            operations.append(
                Operation(
                    key=workorder.id,
                    job=obstacle_jobs[production.id],
                    modes=work.modes,
                    fixed=work.fixed,
                    family=work.family,
                )
            )
            problem.fixed_reasons[index] = "other order"
            op_index[workorder.id] = index
            problem.workorders.append(workorder)

        all_precedences = self._prepare_precedences(productions, op_index)
        problem.all_precedences = tuple(all_precedences)
        self._release_blocked_starts(problem, operations, all_precedences, starting)
        self._release_blocked_fixed(problem, operations, all_precedences)
        all_precedences = self._release_unreachable_fixed(
            problem, operations, all_precedences, resources, jobs
        )
        problem.all_precedences = tuple(all_precedences)
        fixed = {i for i, op in enumerate(operations) if op.fixed is not None}
        precedences = [
            p for p in all_precedences if not (p.before in fixed and p.after in fixed)
        ]
        operations = self._prepare_fixed_bounds(problem, operations)
        resources, jobs, operations = self._prepare_labels(
            problem, resources, jobs, operations
        )
        secondaries, operations = self._prepare_secondaries(
            [wo.operation_id for wo in problem.workorders],
            resources,
            operations,
            origin,
            horizon_end,
        )
        problem.data = ProblemData(
            resources=tuple(resources),
            jobs=tuple(jobs),
            operations=tuple(operations),
            precedences=tuple(precedences),
            horizon=to_minutes(origin, horizon_end),
            rush_share=company.pps_rush_capacity_share,
            day_length=1440,
            day_offset=self._prepare_day_offset(company, origin),
            secondaries=secondaries,
            origin=origin,
            # the engine's reasons name moments as every sentence does: in
            # the running user's time zone and language
            moment=functools.partial(format_moment, self.env),
        )
        problem = self._prepare_hold_blocks(problem, productions)
        return self._prepare_week_lock_blocks(problem, week_locks)

    # ------------------------------------------------------------------
    # _prepare_* hooks, one concern each
    # ------------------------------------------------------------------
    @api.model
    def _prepare_secondaries(
        self, routings, resources, operations, origin, horizon_end
    ):
        """The operator pools and fixtures the work orders' operations need
        (``pps.operation.requirement``), as the engine's secondary resources,
        and the operations with what they require.

        :param routings: per operation index, its routing operation
            (``mrp.routing.workcenter``; None or empty: it needs nothing)

        A fixture has its copies at any time. A pool has its headcount, but
        outside its shift calendar, where a work center of the work needing
        it works, only its off-shift headcount (the night shift); a
        confirmed low staffing abnormality naming the pool leaves its
        capacity share of the headcount over its period (instead of taking
        the work center's capacity, :meth:`_abnormalities_by_workcenter`).

        :return: (tuple of ``SecondaryResource``, list of operations)
        """
        index = {}  # pps.operator.pool / pps.fixture record -> engine index
        requires = {}
        users = {}  # engine index -> resource indexes of the work needing it
        for i, routing in enumerate(routings):
            needs = {}
            for line in routing.sudo().pps_requirement_ids if routing else ():
                record = line.pool_id or line.fixture_id
                k = index.setdefault(record, len(index))
                needs[k] = needs.get(k, 0) + line.quantity
                users.setdefault(k, set()).update(
                    mode.resource for mode in operations[i].modes
                )
            if needs:
                requires[i] = needs
        if not index:
            return (), operations
        horizon = to_minutes(origin, horizon_end)
        secondaries = []
        for record, k in index.items():
            if record._name == "pps.fixture":
                secondaries.append(
                    SecondaryResource(
                        ("fixture", record.id), record.count, label=record.display_name
                    )
                )
                continue
            windows = [w for r in users[k] for w in resources[r].windows]
            levels = self._pool_levels(record, windows, origin, horizon_end, horizon)
            secondaries.append(
                SecondaryResource(
                    ("pool", record.id),
                    record.headcount,
                    levels=levels,
                    label=record.display_name,
                )
            )
        operations = [
            dataclasses.replace(op, requires=requires[i]) if i in requires else op
            for i, op in enumerate(operations)
        ]
        return tuple(secondaries), operations

    @api.model
    def _pool_levels(self, pool, windows, origin, horizon_end, horizon):
        """(start, end, operators) segments where the pool has other than its
        headcount: off shift while its work centers work, and less during a
        confirmed low staffing abnormality naming it."""
        pieces = [(0, horizon, pool.headcount)]

        def apply(start, end, value):
            nonlocal pieces
            start, end = max(0, start), min(horizon, end)
            if end <= start:
                return
            cut = []
            for a, b, units in pieces:
                if b <= start or a >= end:
                    cut.append((a, b, units))
                    continue
                if a < start:
                    cut.append((a, start, units))
                cut.append((max(a, start), min(b, end), value(units)))
                if b > end:
                    cut.append((end, b, units))
            pieces = cut

        calendar = pool.resource_calendar_id
        if calendar:
            tz = pytz.timezone(calendar.tz or "UTC")
            shifts = calendar._work_intervals_batch(
                pytz.utc.localize(origin), pytz.utc.localize(horizon_end), tz=tz
            )[False]
            on = [
                (
                    to_minutes(origin, a.astimezone(pytz.utc).replace(tzinfo=None)),
                    to_minutes(
                        origin,
                        b.astimezone(pytz.utc).replace(tzinfo=None),
                        rounding=math.floor,
                    ),
                )
                for a, b, _records in shifts
            ]
            off = pool.off_shift_headcount
            for start, end in windows:  # work center time outside the shifts
                for gap_start, gap_end in _free_gaps(start, end, on):
                    apply(gap_start, gap_end, lambda _units: off)
        for abnormality in (
            self.env["pps.abnormality"]
            .sudo()
            .search(
                [
                    ("pps_pool_id", "=", pool.id),
                    ("abnormality_type", "=", "low_staffing"),
                    ("state", "=", "confirmed"),
                    ("date_end", ">", origin),
                ]
            )
        ):
            factor = min(max(abnormality.capacity_factor, 0.0), 1.0)
            apply(
                to_minutes(origin, abnormality.date_start),
                to_minutes(origin, abnormality.date_end, rounding=math.ceil),
                lambda units, factor=factor: math.floor(units * factor),
            )
        return tuple((a, b, units) for a, b, units in pieces if units != pool.headcount)

    @api.model
    def _filter_schedulable(self, productions, problem):
        """Open productions with work orders whose work centers have calendars
        and no blocking BoM or routing problem (``pps.schedule.check``)."""
        result = productions.browse()
        for production in productions:
            if production.state not in OPEN_PRODUCTION_STATES:
                continue
            workorders = production.workorder_ids.filtered(
                lambda wo: wo.state in OPEN_WORKORDER_STATES
            )
            if not workorders:
                continue
            centers = (
                workorders.workcenter_id
                | workorders.workcenter_id.alternative_workcenter_ids
            )
            missing = centers.filtered(lambda wc: not wc.resource_calendar_id)
            if missing:
                problem.skipped[production] = self.env._(
                    "work center %(names)s has no working calendar",
                    names=", ".join(missing.mapped("name")),
                )
                continue
            result |= production
        # the orders with a blocking BoM or routing problem, saying why
        for found in self.env["pps.schedule.check"]._pps_find_problems(result):
            if found["problem"] not in BLOCKING_PROBLEMS:
                continue
            production = found["production"].with_env(self.env)
            result -= production
            reasons = problem.skipped.get(production)
            problem.skipped[production] = (
                f"{reasons}; {found['message']}" if reasons else found["message"]
            )
        return result

    @api.model
    def _prepare_start_grace(self):
        """Minutes a ready work order may be behind its planned start and still
        be kept as "starting" (system parameter ``pps_scheduler.start_grace``)."""
        raw = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("pps_scheduler.start_grace", "60")
        )
        try:
            return max(0, int(raw))
        except ValueError:
            return 60

    @api.model
    def _release_blocked_starts(self, problem, operations, precedences, starting):
        """A "starting" work order behind a predecessor that still moves cannot
        stay in the past: it becomes movable again (to a fixpoint)."""
        changed = bool(starting)
        while changed:
            changed = False
            for precedence in precedences:
                after = precedence.after
                if after in starting and operations[precedence.before].fixed is None:
                    operations[after] = dataclasses.replace(
                        operations[after], fixed=None, current=starting.pop(after)
                    )
                    del problem.fixed_reasons[after]
                    problem.movable.add(after)
                    changed = True

    @api.model
    def _release_blocked_fixed(self, problem, operations, precedences):
        """Frozen, week-locked or pinned work behind a predecessor that still
        moves, and that is not already planned to finish in time before it,
        cannot keep its place (the plan would be infeasible: a late first
        operation, a sub-assembly not made yet): it moves too, to a fixpoint.
        Work in progress always stays."""
        releasable = {"frozen", "week locked", "pinned"}
        changed = True
        while changed:
            changed = False
            for precedence in precedences:
                after = operations[precedence.after]
                before = operations[precedence.before]
                if after.fixed is None or before.fixed is not None:
                    continue
                if problem.fixed_reasons.get(precedence.after) not in releasable:
                    continue
                plan = before.current
                if (
                    plan is not None
                    and plan.start >= 0
                    and plan.end + precedence.lag <= after.fixed.start
                ):
                    continue  # its predecessor can keep its own place before it
                operations[precedence.after] = dataclasses.replace(
                    after, fixed=None, current=after.fixed
                )
                del problem.fixed_reasons[precedence.after]
                problem.movable.add(precedence.after)
                changed = True

    @api.model
    def _release_unreachable_fixed(
        self, problem, operations, precedences, resources, jobs
    ):
        """Fixed work its chain cannot reach in time, whatever the plan.

        :meth:`_release_blocked_fixed` looks at the direct predecessor's own
        plan; this looks at the whole chain before it, in the routing's order:

        - *moving* work: movable work planned in the past or not planned, and
          what comes after it in the chain (its plan no longer holds: it
          moves when what it waits for moves);
        - *reach*: the earliest each operation can finish (its order's
          release, its predecessors, the working time of its fastest work
          center; other work ignored, so no schedule beats it).

        Frozen, week-locked or pinned work behind moving work, or that its
        predecessors cannot reach before it starts, is released (kept, the
        plan would be infeasible: a late first operation two steps before, a
        component that arrives after it). Work in progress stays; a
        predecessor that cannot finish before it started is no longer held by
        it (the shop started the successor anyway): that precedence is
        dropped.

        :return: the precedences left
        """
        if not precedences:
            return precedences
        releasable = {"frozen", "week locked", "pinned"}
        # the working time fixed work leaves free on each work center: no
        # schedule runs other work in it (what this pass releases frees time,
        # so the reach is a bound; releasing more is safe, keeping too much
        # is not -- a center left without free time before a fixed successor)
        busy = defaultdict(list)
        for operation in operations:
            if operation.fixed is not None:
                busy[operation.fixed.resource].append(
                    (operation.fixed.start, operation.fixed.end)
                )
        windows = [
            _without_spans(resource.windows, busy.get(r, ()))
            for r, resource in enumerate(resources)
        ]
        starts = [[w[0] for w in free] for free in windows]
        predecessors = {}
        successors = {}
        for precedence in precedences:
            predecessors.setdefault(precedence.after, []).append(precedence)
            successors.setdefault(precedence.before, []).append(precedence.after)
        pending = {i: len(ps) for i, ps in predecessors.items()}
        queue = [i for i in successors if i not in pending]
        finish = {}  # earliest end of each operation of a chain
        moving = set()
        dropped = set()
        while queue:
            i = queue.pop()
            operation = operations[i]
            ready = max(0, jobs[operation.job].release)
            blockers = []
            behind_moving = False
            for precedence in predecessors.get(i, ()):
                reach = finish[precedence.before] + precedence.lag
                if (
                    operation.fixed is not None
                    and operations[precedence.before].fixed is None
                    and reach > operation.fixed.start
                ):  # fixed behind fixed: no constraint (within a minute)
                    blockers.append(precedence)
                behind_moving |= precedence.before in moving
                ready = max(ready, reach)
            if operation.fixed is not None:
                reason = problem.fixed_reasons.get(i)
                if (blockers or behind_moving) and reason in releasable:
                    operations[i] = operation = dataclasses.replace(
                        operation, fixed=None, current=operation.fixed
                    )
                    del problem.fixed_reasons[i]
                    problem.movable.add(i)
                    moving.add(i)
                elif blockers:
                    dropped.update(map(id, blockers))
            elif (
                behind_moving
                or operation.current is None
                or operation.current.start < 0
            ):
                moving.add(i)
            if operation.fixed is not None:
                finish[i] = operation.fixed.end
            else:
                finish[i] = min(
                    (
                        self._earliest_end(
                            windows[mode.resource],
                            starts[mode.resource],
                            ready,
                            mode.duration,
                        )
                        for mode in operation.modes
                    ),
                    default=math.inf,
                )
            for after in successors.get(i, ()):
                pending[after] -= 1
                if not pending[after]:
                    queue.append(after)
        return [p for p in precedences if id(p) not in dropped]

    @staticmethod
    def _earliest_end(windows, starts, ready, duration):
        """Wall end of ``duration`` working minutes started as soon as the
        windows allow from ``ready``; infinite when they run out first."""
        k = max(bisect_right(starts, ready) - 1, 0)
        while k < len(windows) and windows[k][1] <= ready:
            k += 1
        if k == len(windows):
            return math.inf
        end = span_end(windows, max(ready, windows[k][0]), duration, starts)
        return math.inf if end is None else end

    @api.model
    def _prepare_fixed_reason(self, workorder, origin, frozen_until, week_locks=None):
        """Why ``workorder`` must keep its current plan, or None if it may move.

        In progress, pinned by a planner, planned to start between now and
        ``frozen_until`` (the frozen zone; None when a planner released it for
        this run), or planned in a locked week of its work center
        (``week_locks``: the keys of ``pps.dispatch.week.lock._current_keys``;
        None reads them). Work planned to start before now that has not started is
        late, not frozen: it is planned again like any late work. The
        execution lock is no reason: it protects the agreement, not the plan.
        """
        if workorder.state == "progress":
            return "in progress"
        if workorder.production_id.pps_plan_pinned:
            return "pinned"
        if (
            frozen_until is not None
            and workorder.date_start
            and origin <= workorder.date_start < frozen_until
        ):
            return "frozen"
        if workorder.date_start and workorder.date_start > fields.Datetime.now():
            # Work of a locked week that should have started and did not cannot
            # stay in the past: it is rescheduled like any late work.
            Lock = self.env["pps.dispatch.week.lock"]
            if week_locks is None:
                week_locks = Lock._locked_keys(workorder.workcenter_id)
            if Lock._week_key(workorder.workcenter_id, workorder.date_start) in (
                week_locks
            ):
                return "week locked"
        return None

    @api.model
    def _hit_by_abnormality(self, workorder, abnormalities):
        """Whether a confirmed capacity abnormality of its work center overlaps
        the work order's plan: frozen work there cannot run as planned, so the
        frozen zone does not hold it (everything else in the zone stays).

        :param abnormalities: {work center id: abnormalities}, as
            :meth:`_abnormalities_by_workcenter` returns
        """
        start, end = workorder.date_start, workorder.date_finished
        if not (start and end):
            return False
        return any(
            abnormality.capacity_factor < 1.0
            and abnormality.date_start < end
            and abnormality.date_end > start
            for abnormality in abnormalities.get(workorder.workcenter_id.id, ())
        )

    @api.model
    def _prepare_jit_slack(self, production, company):
        """Just in time: minutes of slack before the latest start that meets the
        order's date (company setting ``pps_jit_slack_days``), or None for as
        soon as possible: rush orders, and companies that set no slack."""
        if production.pps_rush or company.pps_jit_slack_days <= 0:
            return None
        return int(company.pps_jit_slack_days * 1440)

    @api.model
    def _prepare_sharing_centers(self, routings, productions, origin):
        """Work centers of other productions' planned, unfinished work
        orders that need an operator pool or a fixture one of ``routings``
        (``mrp.routing.workcenter``) needs."""
        lines = (
            self.env["pps.operation.requirement"]
            .sudo()
            .search([("operation_id", "in", routings.ids)])
        )
        if not lines:
            return self.env["mrp.workcenter"]
        domain = [
            ("production_id", "not in", productions.ids),
            ("state", "in", OPEN_WORKORDER_STATES),
            ("date_start", "!=", False),
            ("date_finished", ">", origin),
            "|",
            ("operation_id.pps_requirement_ids.pool_id", "in", lines.pool_id.ids),
            ("operation_id.pps_requirement_ids.fixture_id", "in", lines.fixture_id.ids),
        ]
        return self.env["mrp.workorder"].sudo().search(domain).workcenter_id

    @api.model
    def _prepare_obstacles(self, workcenters, productions, origin):
        """Planned, unfinished work orders of other productions on these centers."""
        return self.env["mrp.workorder"].search(
            self._prepare_obstacles_domain(workcenters, productions, origin)
        )

    @api.model
    def _prepare_obstacles_domain(self, workcenters, productions, origin):
        """The domain of :meth:`_prepare_obstacles` (the promise reads the
        same work orders in one query, ``pps.promise._planned_rows``)."""
        return [
            ("workcenter_id", "in", workcenters.ids),
            ("production_id", "not in", productions.ids),
            ("state", "in", OPEN_WORKORDER_STATES),
            ("date_start", "!=", False),
            ("date_finished", ">", origin),
        ]

    @api.model
    def _prepare_changeovers(self, workcenters):
        """The changeover matrix of each work center, by setup family id:
        ``{workcenter id: {(from family id, to family id): minutes}}``.

        The minutes are planned between consecutive work orders on top of
        the setup time their expected durations already count (Odoo's
        ``time_start``): a pair missing from the matrix costs only that setup
        time, so nothing is counted twice. Two work orders of the same
        family, or one without a family, need no changeover (unless the
        matrix has the family to itself).
        """
        return self.env["pps.changeover"]._pps_matrices(workcenters)

    @api.model
    def _prepare_families(self, workorders):
        """{work order id: setup family id} of the work orders whose product
        has one (its own, else its category's): see ``pps.setup.family``."""
        by_product = {}
        families = {}
        for workorder in workorders:
            product = workorder.product_id
            if product.id not in by_product:
                by_product[product.id] = product._pps_setup_family().id or None
            if by_product[product.id] is not None:
                families[workorder.id] = by_product[product.id]
        return families

    @api.model
    def _prepare_fixed_work(self, workorders, wc_index, origin):
        """Planned work orders as work the engine plans around.

        The one builder of fixed work, shared by the scheduler (the obstacles:
        other orders' planned work, :meth:`_prepare_problem`) and the promise
        (``pps.promise``: every other order's planned work, some of it movable
        for its options). Each work order keeps its own work center, for its
        expected duration (:meth:`_duration`), and its plan rounded outward
        (:meth:`_prepare_assignment`); as fixed work it occupies its work
        center at least until now (:meth:`_clip_fixed`). Work orders without a
        plan, or whose plan is over, hold nothing in the future and are left
        out. Only work on a work center with a changeover matrix carries its
        setup family (nothing else reads it).

        :param workorders: planned work orders, e.g. :meth:`_prepare_obstacles`
        :param wc_index: {work center id: resource index}; every work order's
            work center must be in it
        :param origin: the problem's minute 0 (naive UTC datetime)
        :return: a :class:`PlannedWork` per work order kept, in their order
        """
        planned = []
        # a family matters only where a changeover matrix uses it
        with_matrix = set(
            self.env["pps.changeover"]
            .sudo()
            .search([("workcenter_id", "in", workorders.workcenter_id.ids)])
            .workcenter_id.ids
        )
        families = self._prepare_families(
            workorders.filtered(lambda wo: wo.workcenter_id.id in with_matrix)
            if with_matrix
            else workorders.browse()
        )
        for workorder in workorders:
            modes = (
                Mode(wc_index[workorder.workcenter_id.id], self._duration(workorder)),
            )
            current = self._prepare_assignment(workorder, modes, wc_index, origin)
            if current is None or current.end <= 0:
                continue
            planned.append(
                PlannedWork(
                    workorder=workorder,
                    modes=modes,
                    current=current,
                    fixed=self._clip_fixed(current),
                    family=families.get(workorder.id),
                )
            )
        return planned

    @api.model
    def _prepare_horizon_end(self, productions, workorders, origin):
        """Latest date the problem knows about, plus room for the work to plan.

        The margin is the fixed ``HORIZON_MARGIN_DAYS`` plus the days the most
        loaded work center needs for its share of the work at a modest
        ``HORIZON_HOURS_PER_DAY``, so that an overloaded plant gets a longer
        horizon instead of an infeasible model.
        """
        candidates = [origin]
        candidates += [d for d in workorders.mapped("date_finished") if d]
        for production in productions:
            due = self._due_datetime(production)
            if due:
                candidates.append(due)
        load = {}
        for workorder in productions.workorder_ids:
            if workorder.state in OPEN_WORKORDER_STATES:
                center = workorder.workcenter_id.id
                load[center] = load.get(center, 0.0) + workorder.duration_expected
        busiest_days = max(load.values(), default=0.0) / 60.0 / HORIZON_HOURS_PER_DAY
        end = max(candidates) + timedelta(days=HORIZON_MARGIN_DAYS + busiest_days)
        return min(end, origin + timedelta(days=MAX_HORIZON_DAYS))

    @api.model
    def _prepare_windows(
        self, workcenter, origin, horizon_end, abnormalities=None, raw=False
    ):
        """Working intervals of the work center (attendances minus leaves) in
        minutes, less what its confirmed abnormalities take away.

        Odoo's own planning treats the time-off of the calendar (leaves of type
        ``leave``: holidays, closures, breakdowns) as unavailable and lets an
        operation span non-working time; planned work orders (leaves of type
        ``other``) are not subtracted here, they are obstacles in the problem.
        The scheduler and the promise (``pps.promise``) both read the
        calendars here.

        :param abnormalities: {work center id: capacity abnormalities}, as
            :meth:`_abnormalities_by_workcenter` returns, when the caller read
            them for all the centers at once; None searches this center's
        :param raw: the calendar alone, nothing taken away (the promise
            measures what abnormalities take, :meth:`_reduce_for_abnormalities`)
        """
        windows = self._prepare_calendar_windows(workcenter, origin, horizon_end)[
            workcenter.id
        ]
        if raw:
            return windows
        return tuple(
            self._reduce_for_abnormalities(workcenter, windows, origin, abnormalities)
        )

    @api.model
    def _prepare_calendar_windows(self, workcenters, origin, horizon_end):
        """{work center id: the working intervals of its calendar (attendances
        minus leaves), in minutes}: :meth:`_prepare_windows` with ``raw``, for
        several centers at once -- the centers sharing a calendar and a time
        zone are read together (Odoo's ``_work_intervals_batch`` over their
        resources gives each the intervals it gives it alone)."""
        groups = {}
        for workcenter in workcenters:
            key = (workcenter.resource_calendar_id, planning_tz(self.env, workcenter))
            groups.setdefault(key, []).append(workcenter)
        start = pytz.utc.localize(origin)
        stop = pytz.utc.localize(horizon_end)
        found = {}
        for (calendar, tz_name), centers in groups.items():
            resources = self.env["resource.resource"].concat(
                *[center.resource_id for center in centers]
            )
            intervals = calendar._work_intervals_batch(
                start, stop, resources=resources, tz=pytz.timezone(tz_name)
            )
            for center in centers:
                found[center.id] = self._windows_of_intervals(
                    intervals[center.resource_id.id], origin
                )
        return found

    @api.model
    def _windows_of_intervals(self, intervals, origin):
        """Odoo's work intervals as sorted, disjoint windows in whole minutes
        from ``origin`` (both ends rounded down, cut at ``origin``)."""
        windows = []
        for interval_start, interval_stop, _records in intervals:
            begin = to_minutes(
                origin, interval_start.astimezone(pytz.utc).replace(tzinfo=None)
            )
            end = to_minutes(
                origin,
                interval_stop.astimezone(pytz.utc).replace(tzinfo=None),
                rounding=math.floor,
            )
            begin = max(begin, 0)
            if end <= begin:
                continue
            if windows and begin <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
            else:
                windows.append((begin, end))
        return tuple(windows)

    @api.model
    def _abnormalities_by_workcenter(self, workcenters, origin):
        """{work center id: its confirmed capacity abnormalities not over at
        ``origin``}.

        Only the types that take capacity away (``pps.abnormality``'s
        ``_pps_capacity_types``: breakdowns, crews short, rescheduling, other).
        A material shortage holds back the MOs consuming the product
        (:meth:`_prepare_shortage_releases`) and a low yield lengthens the work
        (:meth:`_prepare_yield_factors`): neither shortens the windows.
        """
        Abnormality = self.env["pps.abnormality"].sudo()
        found = {}
        for abnormality in Abnormality.search(
            [
                ("workcenter_id", "in", workcenters.ids),
                ("abnormality_type", "in", sorted(Abnormality._pps_capacity_types)),
                ("state", "=", "confirmed"),
                ("date_end", ">", origin),
                # low staffing of an operator pool takes its operators instead
                ("pps_pool_id", "=", False),
            ]
        ):
            found.setdefault(abnormality.workcenter_id.id, []).append(abnormality)
        return found

    @api.model
    def _reduce_for_abnormalities(
        self, workcenter, windows, origin, abnormalities=None
    ):
        """Take away the capacity confirmed abnormalities remove from the center.

        Within an abnormality's period only the first ``capacity_factor`` share
        of each working window stays available (none for a breakdown, 0.6 of it
        for a crew at 60%), so the engine sees plain, shorter windows.

        :param abnormalities: {work center id: capacity abnormalities}, as
            :meth:`_abnormalities_by_workcenter` returns (the capacity types);
            None searches this center's
        """
        if abnormalities is None:
            abnormalities = self._abnormalities_by_workcenter(workcenter, origin)
        for abnormality in abnormalities.get(workcenter.id, ()):
            low = to_minutes(origin, abnormality.date_start)
            high = to_minutes(origin, abnormality.date_end, rounding=math.ceil)
            factor = min(max(abnormality.capacity_factor, 0.0), 1.0)
            reduced = []
            for begin, end in windows:
                if end <= low or begin >= high:
                    reduced.append((begin, end))
                    continue
                if begin < low:
                    reduced.append((begin, low))
                inside_begin, inside_end = max(begin, low), min(end, high)
                kept = int((inside_end - inside_begin) * factor)
                if kept > 0:
                    reduced.append((inside_begin, inside_begin + kept))
                if end > high:
                    reduced.append((high, end))
            windows = reduced
        return windows

    @api.model
    def _prepare_modes(self, workorder, wc_index, yield_factors=None):
        """The work order's own work center first, then its alternatives.

        Each duration is divided by the yield left on that work center
        (:meth:`_prepare_yield_factors`): at 80% good output the work takes
        1.25 times as long.

        :param yield_factors: what :meth:`_prepare_yield_factors` returns, when
            the caller computed it for all the problem at once; None computes
            it for this work order's production
        """
        if yield_factors is None:
            origin = fields.Datetime.now().replace(second=0, microsecond=0)
            yield_factors = self._prepare_yield_factors(workorder.production_id, origin)
        factors = yield_factors.get(workorder.id, {})
        center = workorder.workcenter_id
        modes = [
            Mode(
                wc_index[center.id],
                self._duration(workorder, factors.get(center.id, 1.0)),
            )
        ]
        if workorder.state != "progress":
            for alternative in workorder.workcenter_id.alternative_workcenter_ids:
                if (
                    alternative.id in wc_index
                    and alternative != workorder.workcenter_id
                ):
                    duration = workorder._get_duration_expected(
                        alternative_workcenter=alternative
                    )
                    modes.append(
                        Mode(
                            wc_index[alternative.id],
                            self._minutes_at_yield(
                                duration, factors.get(alternative.id, 1.0)
                            ),
                        )
                    )
        return modes

    @api.model
    def _duration(self, workorder, factor=1.0):
        """Expected working minutes at ``factor`` yield left, at least one."""
        return self._minutes_at_yield(workorder.duration_expected or 0.0, factor)

    @api.model
    def _minutes_at_yield(self, minutes, factor=1.0):
        """``minutes`` of work divided by the yield left, whole, at least one."""
        if 0.0 < factor < 1.0:
            # rounded first: 60 / 0.8 must stay 75, not a float hair above it
            minutes = round(minutes / factor, 6)
        return max(1, math.ceil(minutes))

    @api.model
    def _prepare_assignment(self, workorder, modes, wc_index, origin):
        """The work order's current plan as an engine assignment, or None."""
        if not (workorder.date_start and workorder.date_finished):
            return None
        resource = wc_index.get(workorder.workcenter_id.id)
        if resource is None:
            return None
        mode = next(i for i, m in enumerate(modes) if m.resource == resource)
        # Outward: a kept plan covers its whole real interval. Fixed work planned
        # back to back inside a minute shares it: see _prepare_fixed_bounds.
        start = to_minutes(origin, workorder.date_start)
        end = max(
            to_minutes(origin, workorder.date_finished, rounding=math.ceil), start + 1
        )
        return Assignment(resource=resource, mode=mode, start=start, end=end)

    @api.model
    def _clip_fixed(self, assignment):
        """A fixed operation occupies its work center at least until now."""
        end = max(assignment.end, 1)
        return Assignment(
            resource=assignment.resource,
            mode=assignment.mode,
            start=min(assignment.start, end - 1),
            end=end,
        )

    @api.model
    def _prepare_fixed_bounds(self, problem, operations):
        """Fixed work planned back to back inside a minute shares that minute.

        Rounded outward, a work order ending at 05:37:30 ends at minute 05:38
        and the one starting then starts at 05:37: a false one-minute overlap
        of two fixed operations that no schedule could honour. Per work
        center, in the order of their real starts, where two fixed operations
        overlap less than a minute for real (back to back, wherever the
        seconds fall), the earlier one ends where the later one starts (the
        later one starts after it when the earlier is shorter than a minute).
        A real overlap of a minute or more is kept, and reported.

        :return: the operations, fixed ones adjusted
        """
        operations = list(operations)
        by_resource = {}
        for index, operation in enumerate(operations):
            workorder = (
                problem.workorders[index] if index < len(problem.workorders) else None
            )
            if operation.fixed is not None and workorder and workorder.date_start:
                by_resource.setdefault(operation.fixed.resource, []).append(index)
        for indexes in by_resource.values():
            indexes.sort(
                key=lambda i: (
                    problem.workorders[i].date_start,
                    problem.workorders[i].date_finished,
                    i,
                )
            )
            for before, after in pairwise(indexes):
                first, second = operations[before].fixed, operations[after].fixed
                overlap = (
                    problem.workorders[before].date_finished
                    - problem.workorders[after].date_start
                )
                if first.end <= second.start or overlap >= MINUTE:
                    continue
                end = max(second.start, first.start + 1)
                operations[before] = dataclasses.replace(
                    operations[before], fixed=dataclasses.replace(first, end=end)
                )
                if end > second.start:
                    operations[after] = dataclasses.replace(
                        operations[after],
                        fixed=dataclasses.replace(
                            second, start=end, end=max(second.end, end + 1)
                        ),
                    )
        return operations

    @api.model
    def _prepare_labels(self, problem, resources, jobs, operations):
        """The engine objects named as planners know them: work center name,
        MO name, "MO - operation" for work orders. The engine's messages use
        these labels, so what a run reports never shows record ids. Objects
        without a record behind them keep their key as their name.

        :return: (resources, jobs, operations), labelled copies
        """

        def labelled(items, records, name):
            return [
                dataclasses.replace(item, label=name(records[k]))
                if k < len(records) and records[k]
                else item
                for k, item in enumerate(items)
            ]

        return (
            labelled(resources, problem.workcenters, lambda wc: wc.name),
            labelled(jobs, problem.productions, lambda production: production.name),
            labelled(
                operations,
                problem.workorders,
                lambda wo: f"{wo.production_id.name} - {wo.name}",
            ),
        )

    @api.model
    def _prepare_releases(self, productions, origin, company, reasons=None):
        """Earliest start per production: components on hand, or their supply date
        plus the material buffer. Components made by a child production are
        covered by precedence, not by the release.

        ``reasons``, when given, receives {production id: (supply datetime,
        the component move or the material shortage that sets the release)}.

        :return: {production id: release minute}
        """
        buffer = timedelta(days=company.pps_material_buffer_days)
        moves = productions.move_raw_ids.filtered(
            lambda m: m.state not in ("done", "cancel") and m.product_id.is_storable
        )
        releases = dict.fromkeys(productions.ids, 0)
        for move in moves:
            if move.state == "assigned":
                continue
            if move.move_orig_ids.production_id:
                continue  # made by a child production: a precedence
            if (
                move.product_id.uom_id.compare(
                    move.forecast_availability, move.product_qty
                )
                >= 0
            ):
                supply = move.forecast_expected_date
                if not supply or supply <= origin:
                    continue
            else:
                supply = move.forecast_expected_date or self._vendor_date(move, origin)
            if not supply:
                continue
            release = to_minutes(origin, supply + buffer, rounding=math.ceil)
            production = move.raw_material_production_id
            if reasons is not None and release > max(releases[production.id], 0):
                reasons[production.id] = (supply, move)
            releases[production.id] = max(releases[production.id], release, 0)
        shortages = self._prepare_shortage_releases(
            productions, origin, company, reasons=reasons, above=releases
        )
        return {pid: max(rel, shortages.get(pid, 0)) for pid, rel in releases.items()}

    @api.model
    def _vendor_date(self, move, origin):
        """When a component without incoming supply could arrive from its vendor."""
        seller = move.product_id._select_seller(quantity=move.product_qty)
        if not seller:
            return None
        return origin + timedelta(days=seller.delay or 0)

    @api.model
    def _due_datetime(self, production):
        """When the MO must be done: the order's agreed (else expected) delivery
        date less the company's security lead time -- the scheduled delivery
        date is the last finish plus that lead time -- else the MO deadline."""
        order = production.pps_sale_order_id
        delivery = order and (order.commitment_date or order.pps_expected_date)
        if delivery:
            return delivery - timedelta(days=order.company_id.security_lead or 0.0)
        return production.date_deadline

    @api.model
    def _prepare_due(self, production, origin, release):
        """Due minute from the agreed (else expected) delivery date of the order.

        Orders already late are due at their release: the engine needs due ≥
        release; their weight already says how urgent they are.
        """
        due = self._due_datetime(production)
        if not due:
            return None
        return max(to_minutes(origin, due), release)

    @api.model
    def _prepare_weight(self, production):
        """Tardiness weight: a serial number adds up to 10 (serial 1 is the most
        urgent), a red flag multiplies by 10."""
        weight = 1
        if production.pps_serial and production.pps_serial > 0:
            weight += max(0, 11 - production.pps_serial)
        if production.pps_rush:
            weight *= 10
        return weight

    @api.model
    def _prepare_precedences(self, productions, op_index):
        """Routing order inside each production, and child before parent production."""
        precedences = []
        for production in productions:
            for workorder in production.workorder_ids:
                if workorder.id not in op_index:
                    continue
                for before in workorder.blocked_by_workorder_ids:
                    if before.id in op_index:
                        precedences.append(
                            Precedence(
                                before=op_index[before.id], after=op_index[workorder.id]
                            )
                        )
            firsts = production.workorder_ids.filtered(
                lambda wo: wo.id in op_index and not wo.blocked_by_workorder_ids
            )
            for child in production._get_children():
                lasts = child.workorder_ids.filtered(
                    lambda wo: wo.id in op_index and not wo.needed_by_workorder_ids
                )
                for last in lasts:
                    for first in firsts:
                        precedences.append(
                            Precedence(
                                before=op_index[last.id], after=op_index[first.id]
                            )
                        )
        return precedences

    @api.model
    def _prepare_day_offset(self, company, origin):
        """Minute of the local midnight that starts the origin's day: the
        company's planning day (``planning_time.planning_tz``), by which the
        rush reserve is counted."""
        tz = pytz.timezone(planning_tz(self.env, company=company))
        local = pytz.utc.localize(origin).astimezone(tz)
        midnight = tz.localize(datetime(local.year, local.month, local.day))
        return to_minutes(origin, midnight.astimezone(pytz.utc).replace(tzinfo=None))

    # ------------------------------------------------------------------
    # abnormalities other than capacity: material shortage, low yield
    # ------------------------------------------------------------------
    @api.model
    def _prepare_shortage_releases(
        self, productions, origin, company, reasons=None, above=None
    ):
        """Earliest start the confirmed material shortages leave each production.

        A shortage holds back every production still consuming its product
        (an open component move of it) that would start once the shortage has
        begun: planned to start at or after its ``date_start``, or, unplanned
        or late, to be planned from now. The material is back on the
        shortage's ``date_end`` and, like any supply (:meth:`_prepare_releases`),
        must be at the station the company's material buffer days before the
        work starts. Work planned to start before the shortage begins keeps
        its material; a resolved shortage holds back nothing.

        ``reasons`` (see :meth:`_prepare_releases`) receives the shortage of
        each production it holds back later than ``above`` ({production id:
        release minute} of its supply) does.

        :return: {production id: release minute}, held-back productions only
        """
        buffer = timedelta(days=company.pps_material_buffer_days)
        shortages = (
            self.env["pps.abnormality"]
            .sudo()
            .search(
                [
                    ("abnormality_type", "=", "material_shortage"),
                    ("state", "=", "confirmed"),
                    ("company_id", "=", company.id),
                    ("product_id", "in", productions.move_raw_ids.product_id.ids),
                    ("date_end", ">", origin - buffer),
                ]
            )
        )
        releases = {}
        for shortage in shortages:
            back = shortage.date_end + buffer
            release = max(to_minutes(origin, back, rounding=math.ceil), 0)
            for move in productions.move_raw_ids:
                if move.product_id != shortage.product_id or move.state in (
                    "done",
                    "cancel",
                ):
                    continue
                production = move.raw_material_production_id
                planned = [
                    d
                    for d in production.workorder_ids.filtered(
                        lambda wo: wo.state in OPEN_WORKORDER_STATES
                    ).mapped("date_start")
                    if d
                ]
                # from now at the earliest; this minute counts as now, so that
                # a shortage reported "now" is on
                start = max(min(planned, default=origin), origin + MINUTE)
                if shortage.date_start > start:
                    continue  # starts before the material runs short
                if reasons is not None and release > max(
                    releases.get(production.id, 0), (above or {}).get(production.id, 0)
                ):
                    reasons[production.id] = (shortage.date_end, shortage)
                releases[production.id] = max(releases.get(production.id, 0), release)
        return releases

    @api.model
    def _prepare_yield_factors(self, productions, origin):
        """Yield left for each open work order of ``productions``, per work
        center, under the confirmed low-yield abnormalities.

        A low yield slows the work planned (or, unplanned, to be planned from
        now) during its window: with a work center named, the work done on
        that work center, any order's; without one, all the work of the
        orders it affects (listed on it, or making or consuming its product).
        Where several apply, the lowest yield counts (they usually describe
        the same loss). Work orders planned outside the window keep their
        time, and a resolved abnormality slows nothing.

        :return: {work order id: {work center id: yield left, 0 < f < 1}}
        """
        abnormalities = (
            self.env["pps.abnormality"]
            .sudo()
            .search(
                [
                    ("abnormality_type", "=", "low_yield"),
                    ("state", "=", "confirmed"),
                    ("company_id", "in", productions.company_id.ids),
                    ("date_end", ">", origin),
                    ("capacity_factor", ">", 0.0),
                    ("capacity_factor", "<", 1.0),
                ]
            )
        )
        factors = {}
        if not abnormalities:
            return factors
        workorders = productions.workorder_ids.filtered(
            lambda wo: wo.state in OPEN_WORKORDER_STATES
        )
        for workorder in workorders:
            if workorder.date_start and workorder.date_finished:
                start = max(workorder.date_start, origin)
                end = max(workorder.date_finished, start + MINUTE)
            else:  # planned from now: the window must be on now
                start, end = origin, origin + MINUTE
            production = workorder.production_id
            centers = workorder.workcenter_id | (
                workorder.workcenter_id.alternative_workcenter_ids
            )
            for abnormality in abnormalities:
                if abnormality.date_start >= end or abnormality.date_end <= start:
                    continue
                if abnormality.workcenter_id:
                    hit = centers & abnormality.workcenter_id
                elif production in abnormality.production_ids or (
                    abnormality.product_id
                    and abnormality.product_id
                    in (production.product_id | production.move_raw_ids.product_id)
                ):
                    hit = centers
                else:
                    continue
                slowed = factors.setdefault(workorder.id, {})
                for center in hit:
                    slowed[center.id] = min(
                        slowed.get(center.id, 1.0), abnormality.capacity_factor
                    )
        return factors

    @api.model
    def _prepare_seed(self, workorder, modes, wc_index, origin):
        """The plan a new work order starts from when it has none: the slot its
        quotation held, at the confirmation that converted the hold
        (``sale.order._pps_plan_new_productions``). The engine keeps it unless
        moving it pays, like any current plan; it is never fixed.

        :return: an :class:`Assignment` or None
        """
        seeds = self.env.context.get("pps_hold_seeds")
        if not isinstance(seeds, HoldSeeds) or workorder.id not in seeds:
            return None
        workcenter, start, end = seeds[workorder.id]
        resource = wc_index.get(workcenter.id)
        mode = next((i for i, m in enumerate(modes) if m.resource == resource), None)
        begin = to_minutes(origin, start)
        if mode is None or begin < 0:
            return None
        finish = max(to_minutes(origin, end, rounding=math.ceil), begin + 1)
        return Assignment(resource=resource, mode=mode, start=begin, end=finish)

    @api.model
    def _prepare_hold_blocks(self, problem, productions):
        """Close the slots open quotations hold with fixed blocks.

        Every active, unexpired ``pps.capacity.hold.line`` on the problem's
        work centers (of quotations other than these productions' orders)
        becomes fixed work of one engine job per hold, reason "held quote",
        for its part not already taken by fixed work
        (:meth:`_add_hold_blocks`): no run plans other work into a held slot.
        """
        data = problem.data
        if data is None or not problem.workcenters:
            return problem
        workcenters = self.env["mrp.workcenter"].concat(*problem.workcenters)
        lines = self.env["pps.capacity.hold.line"]._pps_holding(
            workcenters, problem.origin, exclude_orders=productions.pps_sale_order_id
        )
        if not lines:
            return problem
        index_of = {wc.id: i for i, wc in enumerate(problem.workcenters)}
        jobs, operations = list(data.jobs), list(data.operations)
        added = self._add_hold_blocks(
            lines, index_of, problem.origin, data.horizon, jobs, operations
        )
        for index in added:
            problem.fixed_reasons[index] = "held quote"
            problem.workorders.append(self.env["mrp.workorder"])
        problem.data = dataclasses.replace(
            data, jobs=tuple(jobs), operations=tuple(operations)
        )
        return problem

    @api.model
    def _add_hold_blocks(self, lines, wc_index, origin, horizon, jobs, operations):
        """Append held slots to ``jobs`` and ``operations`` as fixed work.

        The one builder of held slots, shared by the scheduler
        (:meth:`_prepare_hold_blocks`) and the promise (``pps.promise``: the
        other quotations' holds are obstacles). A slot covers its whole
        interval (start rounded down, end up), cut to the horizon, less what
        fixed work already takes on its work center -- work planned there
        since the hold, or another hold -- so that no two fixed operations
        overlap. One job per hold, rush when its quotation is.

        :return: the indexes of the operations appended
        """
        busy = {}
        for operation in operations:
            if operation.fixed is not None:
                busy.setdefault(operation.fixed.resource, []).append(
                    (operation.fixed.start, operation.fixed.end)
                )
        job_of, added = {}, []
        for line in lines.sorted(lambda held: (held.date_start, held.id)):
            resource = wc_index.get(line.workcenter_id.id)
            if resource is None:
                continue
            start = max(to_minutes(origin, line.date_start), 0)
            end = min(to_minutes(origin, line.date_end, rounding=math.ceil), horizon)
            spans = busy.setdefault(resource, [])
            gaps = _free_gaps(start, end, spans)
            if not gaps:
                continue
            hold = line.hold_id
            if hold.id not in job_of:
                job_of[hold.id] = len(jobs)
                jobs.append(
                    Job(
                        key=("held quote", hold.id),
                        rush=bool(hold.sale_order_id.pps_rush),
                        label=self.env._(
                            "Held quote %(order)s", order=hold.sale_order_id.name
                        ),
                    )
                )
            for number, (low, high) in enumerate(gaps):
                added.append(len(operations))
                operations.append(
                    Operation(
                        key=("held quote", line.id, number),
                        job=job_of[hold.id],
                        modes=(Mode(resource, high - low),),
                        fixed=Assignment(
                            resource=resource, mode=0, start=low, end=high
                        ),
                        label=f"{hold.sale_order_id.name} - {line.label or ''}",
                    )
                )
                spans.append((low, high))
        return added

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
                gaps += _free_gaps(max(window_start, lo, 0), min(window_end, hi), busy)
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


class HoldSeeds(dict):
    """{work order id: (work center, start, end)}: the held slots new work
    orders start from (:meth:`PpsScheduleProblem._prepare_seed`), passed in
    the context as this class only, which no RPC client can build."""


def _without_spans(windows, spans):
    """Sorted disjoint ``windows`` without the ``spans`` (any order, may
    overlap): a linear sweep."""
    if not spans:
        return list(windows)
    merged = []
    for lo, hi in sorted(spans):
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    result = []
    k = 0
    for start, end in windows:
        while k < len(merged) and merged[k][1] <= start:
            k += 1
        cursor = start
        j = k
        while j < len(merged) and merged[j][0] < end:
            lo, hi = merged[j]
            if lo > cursor:
                result.append((cursor, lo))
            cursor = max(cursor, hi)
            j += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def _free_gaps(start, end, spans):
    """The parts of [start, end) that none of ``spans`` (start, end) covers."""
    gaps, cursor = [], start
    for busy_start, busy_end in sorted(spans):
        if cursor >= end:
            break
        if busy_end <= cursor or busy_start >= end:
            continue
        if busy_start > cursor:
            gaps.append((cursor, busy_start))
        cursor = max(cursor, busy_end)
    if cursor < end:
        gaps.append((cursor, end))
    return gaps
