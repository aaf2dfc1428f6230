"""Orchestration: greedy start, then a portfolio of CP-SAT improvements.

One model of the whole problem, large-neighbourhood search (LNS) over
windows, machines and jobs, or both one after the other within the budget
(see ``SolveParams.strategy``); the plan in force is kept unless a strictly
better schedule is found.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from itertools import count, pairwise

from ortools.sat.python import cp_model

from .calendar import build_axes, minutes_by_day, reserve_days
from .checker import check, evaluate, family_minutes
from .cpsat import Model, NoRoom, add_levelling, build
from .data import Assignment, ProblemData
from .dispatch import (
    INSERT,
    REPAIR,
    RULES,
    OverBudget,
    Unschedulable,
    dispatch_counted,
)
from .result import Evaluation, Result, Status

OBJECTIVES = ("tardiness", "makespan")
STRATEGIES = ("auto", "model", "lns", "both")
#: LNS neighbourhoods (``SolveParams.neighbourhoods``), see ``_Search``.
NEIGHBOURHOODS = (
    "time window",
    "late window",
    "late job",
    "machines",
    "jobs",
    "level",
)
_DEFAULT_NEIGHBOURHOODS = {
    "tardiness": ("time window", "late window", "late job", "machines", "jobs"),
    "makespan": ("machines", "jobs", "time window"),
}
#: CP-SAT deterministic seconds per wall second of one worker, measured on
#: the project's 2-core machine (OR-Tools 9.15; bench/results/engine_budget.md):
#: a whole model 0.16-0.36 on a quiet machine (0.11-0.18 with another solve
#: on the other core), a window step of the search 0.17 (0.13), an ordered
#: step 0.5-0.8 (0.33-0.36: no presolve, it searches at once). Deterministic
#: mode budgets ``time_limit * DET_RATE`` of them for a whole model and
#: charges the steps at their own rates.
DET_RATE = 0.2
_WINDOW_DET_RATE = 0.15
_ORDERED_DET_RATE = 0.45
#: ... and it charges the Python work around each step (selection, model
#: building, reading, evaluation), measured in seconds: per step, per
#: operation freed in a window step, per operation of the problem (the
#: selection and the evaluation go over all of them), per movable operation
#: of an ordered step (it copies the whole model).
_STEP_COST = 0.002
_WINDOW_OP_COST = 0.0001
_STEP_OP_COST = 0.000005
_ORDERED_OP_COST = 0.000015
#: In makespan mode, problems up to this many movable operations above
#: ``lns_threshold`` get the one model first (it wins on job shops), then
#: the LNS for the rest of the budget ("both"); larger ones only the LNS.
MAKESPAN_MODEL_LIMIT = 5000
#: In makespan mode up to this many movable operations, LNS steps keep the
#: operations they do not free in their order on each work center but let
#: them shift in time (a critical path can shorten); larger problems and
#: the tardiness objective freeze them at their times.
ORDERED_LIMIT = 3000
#: Ordered steps (measured on 20 x 20 job shops, one worker): the whole model
#: is presolved again at every step, which costs more than it saves, and a
#: search placing operations at their earliest start finds the first
#: schedules far sooner; they get this many times ``lns_window_time`` (0.9 s
#: by default, as measured).
_ORDERED_PARAMETERS: dict[str, object] = {"cp_model_presolve": False}
_ORDERED_TIME = 4.5
#: Levelling steps (``SolveParams.level_families``) free work on two days of
#: a work center, often far apart: measured on a batched single machine
#: (tests/engine/test_engine_levelling.py), CP-SAT's presolve of such a
#: window alone takes about three plain steps' time; they get this many
#: times ``lns_window_time`` (1.2 s by default).
_LEVEL_TIME = 6.0
#: With ``level_families``, the search spends this share of its budget as
#: without it (lateness first: measured, levelling steps from the start
#: cost weighted tardiness at 500 operations), then levels from there.
_LEVEL_SEARCH_SHARE = 0.5


@dataclass(frozen=True)
class SolveParams:
    """How to solve.

    ``time_limit`` is the budget in seconds; the greedy starts take at most
    half of it, counted in placements (``_starts``), the CP-SAT phases the
    rest (in deterministic mode the starts come on top of the CP-SAT budget).
    With ``deterministic`` (the default when ``workers == 1``) every CP-SAT
    call gets a *deterministic*-time limit, the budget is
    ``time_limit * DET_RATE`` deterministic seconds (calibrated so that it
    lasts about ``time_limit`` wall seconds on the project's machine) and
    each call is charged what it used, so a fixed ``seed`` gives the same
    schedule on every run and the whole budget is used (wall time is capped
    at ten times the budget as a safety net, for a machine shared with
    other work; results repeat as long as it does not bind).

    ``strategy`` picks the improvement: ``"model"``, one CP-SAT model of the
    whole problem; ``"lns"``, large-neighbourhood search; ``"both"``, the
    model for ``model_share`` of the budget, then the search from the better
    of its result and the start; ``"auto"`` (default): the model up to
    ``lns_threshold`` movable operations, above it the search, and in
    makespan mode up to ``MAKESPAN_MODEL_LIMIT`` operations both.
    The search frees about ``lns_window_ops`` movable operations per step
    (``lns_window_time`` seconds each: 0.2 s ends 11% lower than 0.3 s at
    2,000 factory operations in 60 s, four seeds, and no worse at 500 and
    10,000) chosen by ``neighbourhoods`` in turn
    (default: all that fit the objective, see ``_Search``) and runs until
    the budget ends, unless optimality is proven.
    ``move_cost`` (minutes of the primary objective, 0 = moves are free) is
    what moving one operation away from the plan in force must save: with
    it, a re-run on unchanged data keeps the plan instead of trading small
    gains for churn, and an urgent insertion moves only what pays for itself.
    Whatever the cost, the plan in force is only replaced by a strictly
    better schedule (``Evaluation.key``).
    The one model bounds every operation's end by the best start's makespan
    plus ``reach`` times it plus a day (so the model stays small);
    ``tardiness_share`` of its time goes to its first phase.
    ``level_families`` (off by default) asks for levelled production
    (heijunka): among schedules as late, the one whose setup families are
    spread most evenly over the days of each work center (the levelling
    measure, ``checker.levelling``) wins, before the fewest changeover
    minutes (``Evaluation.key``); off, the measure is only reported.
    """

    time_limit: float = 10.0
    workers: int = 2
    seed: int = 0
    use_hint: bool = True
    objective: str = "tardiness"
    deterministic: bool | None = None
    lns_threshold: int = 300
    lns_window_ops: int = 60
    lns_window_time: float = 0.2
    tardiness_share: float = 0.7
    reach: float = 0.25
    move_cost: int = 0
    strategy: str = "auto"
    model_share: float = 0.5
    neighbourhoods: tuple[str, ...] | None = None
    level_families: bool = False

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}")
        if self.time_limit <= 0 or self.workers < 1:
            raise ValueError("time_limit must be positive and workers at least 1")
        if self.lns_window_ops < 2 or self.lns_window_time <= 0:
            raise ValueError("LNS windows need at least 2 operations and some time")
        if not 0 < self.tardiness_share <= 1:
            raise ValueError("tardiness_share must be in (0, 1]")
        if not isinstance(self.move_cost, int) or self.move_cost < 0:
            raise ValueError("move_cost must be a non-negative integer")
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}")
        if not isinstance(self.level_families, bool):
            raise ValueError("level_families must be True or False")  # noqa: TRY004
        if not 0 < self.model_share < 1:
            raise ValueError("model_share must be in (0, 1)")
        if self.neighbourhoods is not None:
            kinds = tuple(self.neighbourhoods)
            if not kinds or any(k not in NEIGHBOURHOODS for k in kinds):
                raise ValueError(
                    f"neighbourhoods must be a non-empty selection of {NEIGHBOURHOODS}"
                )
            object.__setattr__(self, "neighbourhoods", kinds)

    def key(self, evaluation: Evaluation) -> tuple[int, ...]:
        """The objective of these parameters (smaller is better)."""
        return evaluation.key(self.objective, self.move_cost, self.level_families)

    @property
    def is_deterministic(self) -> bool:
        return self.workers == 1 if self.deterministic is None else self.deterministic


class _Clock:
    """Budget in wall or (calibrated) deterministic seconds."""

    def __init__(self, params: SolveParams) -> None:
        self.params = params
        self.started = time.perf_counter()
        self.spent = 0.0  # budget seconds charged (deterministic mode)

    def remaining(self) -> float:
        if self.params.is_deterministic:
            wall_left = 10 * self.params.time_limit - self.elapsed()
            return min(self.params.time_limit - self.spent, wall_left)
        return self.params.time_limit - self.elapsed()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def solver(
        self, budget: float, rate: float = DET_RATE, **parameters
    ) -> cp_model.CpSolver:
        """A solver limited to ``budget`` seconds (deterministic mode:
        ``budget * rate`` deterministic seconds)."""
        params = self.params
        solver = cp_model.CpSolver()
        for name, value in parameters.items():
            setattr(solver.parameters, name, value)
        solver.parameters.num_workers = params.workers
        solver.parameters.random_seed = params.seed
        if params.is_deterministic:
            solver.parameters.max_deterministic_time = max(0.0001, budget * rate)
            solver.parameters.max_time_in_seconds = max(
                0.01, 10 * params.time_limit - self.elapsed()
            )
        else:
            solver.parameters.max_time_in_seconds = max(0.01, budget)
        return solver

    def charge(
        self, solver: cp_model.CpSolver | None, rate: float = DET_RATE, work=0.0
    ) -> None:
        """Count what a solve used (its deterministic time, reproducible, at
        ``rate``) and ``work`` seconds of estimated Python work around it."""
        if solver is not None:
            self.spent += solver.deterministic_time / rate
        self.spent += work


@dataclass
class _Candidate:
    name: str
    schedule: dict[int, Assignment]
    evaluation: Evaluation


def _diagnose(data: ProblemData) -> str | None:
    """Plain-language reason why no schedule can exist, when one is obvious."""
    fixed = sorted(
        (op.fixed.resource, op.fixed.start, op.fixed.end, i)
        for i, op in enumerate(data.operations)
        if op.fixed is not None
    )
    ops = data.operations
    for (r1, _, e1, i1), (r2, s2, _, i2) in pairwise(fixed):
        if r1 == r2 and s2 < e1:
            return (
                f"fixed operations {ops[i1].ref} and {ops[i2].ref} overlap on work "
                f"center {data.resources[r1].ref}; unlock or move one of them"
            )
    horizon = data.end_of_calendar()
    for op in data.operations:
        job = data.jobs[op.job]
        if op.fixed is None and data.releases[op.job] >= horizon:
            return (
                f"job {job.ref} is released at {data.when(job.release)}, at or "
                f"after the end of the planning horizon ({data.when(horizon)})"
            )
    return _overloaded(data, horizon)


def _overloaded(data: ProblemData, horizon: int) -> str | None:
    """The first work center whose own work (movable operations no other
    center can do) needs more working minutes than its calendar has between
    the earliest release of that work and the end of the horizon, or whose
    own work bound by the rush reserve (``ProblemData.bound_by_reserve``)
    needs more than the days leave outside it.

    Bounds that prove the problem infeasible in one pass, before any model
    is built: the exact model of such a problem can only prove it too, at a
    cost that grows with the operations times the working windows in their
    reach (gigabytes at tens of thousands of operations).
    """
    n = len(data.resources)
    # per resource, for all its own work and for the part the reserve binds:
    # minutes needed, earliest release, longest operation
    need, bound = [0] * n, [0] * n
    earliest, earliest_bound = [horizon] * n, [horizon] * n
    largest: list[tuple[int, str]] = [(0, "")] * n
    for i, op in enumerate(data.operations):
        if op.fixed is not None:
            continue
        centers = {mode.resource for mode in op.modes}
        if len(centers) != 1:
            continue
        r = centers.pop()
        minutes = min(mode.duration for mode in op.modes)
        release = max(0, data.releases[op.job])
        need[r] += minutes
        earliest[r] = min(earliest[r], release)
        largest[r] = max(largest[r], (minutes, op.ref))
        if all(data.bound_by_reserve(i, k) for k in range(len(op.modes))):
            bound[r] += minutes
            earliest_bound[r] = min(earliest_bound[r], release)
    share = data.share
    kept, whole = share.denominator - share.numerator, share.denominator
    for r, res in enumerate(data.resources):
        if not need[r]:
            continue
        has = sum(
            max(0, min(end, horizon) - max(start, earliest[r]))
            for start, end in res.windows
        )
        outside = None
        if bound[r] and share:
            days = minutes_by_day(data, res.windows, res.windows)
            reach = minutes_by_day(data, res.windows, [(earliest_bound[r], horizon)])
            outside = sum(
                min(minutes, kept * days[day] // whole)
                for day, minutes in reach.items()
            )
        if need[r] > has:
            needed, hours = need[r], has
            what = "work that no other work center can do"
        elif outside is not None and bound[r] > outside:
            needed, hours = bound[r], outside
            what = (
                "work outside rush orders that no other work center can do "
                f"(rush orders keep {float(share):.0%} of each day)"
            )
        else:
            continue
        return (
            f"work center {res.ref} has {needed / 60:.0f} hours of {what}, but "
            f"only {hours / 60:.0f} working hours for it before the end of the "
            f"planning horizon ({horizon / data.day_length:.0f} days; the longest "
            f"of that work: {largest[r][1]}, {largest[r][0] / 60:.1f} hours): add "
            "working time or an alternative work center, or plan fewer orders"
        )
    return None


def _current_plan(data: ProblemData) -> dict[int, Assignment] | None:
    """The plan in force, when every movable operation has one."""
    plan = {}
    for i, op in enumerate(data.operations):
        plan[i] = op.fixed or op.current
        if plan[i] is None:
            return None
    return plan


#: The greedy starts get at most this share of the time limit, counted in
#: placements (``dispatch_counted``), so the choice of rules is the same on
#: every run of the same data, whatever the machine's load.
_START_SHARE = 0.5
#: Seconds per placement of a non-delay rule (edd, ATC), measured on the
#: project's 2-core machine on the 2,000-MO Odoo bench (30-38 us) ...
_PLACEMENT_COST = 35e-6
#: ... and the serial rules' placements cost about five of them (175 us:
#: each searches forward from the operation's earliest start).
_SERIAL_WEIGHT = 5
#: Always run: the insertion and the repair of a plan in force (stability:
#: a rush insertion keeps what it does not need) and the priority rule (one
#: valid start).
#: Then, while the budget lasts, in this order: the non-delay rules (the best
#: starts on crowded plants, but each asks again for every placement made
#: stale), then Odoo's own order.
_CAPPED_RULES = ("atc", "edd", "atc_active", "odoo")
_SERIAL_RULES = ("priority", "odoo", REPAIR, INSERT)


def _starts(
    data: ProblemData, params: SolveParams
) -> tuple[list[_Candidate], list[tuple[str, str]], _Candidate | None]:
    """Valid schedules from the dispatching rules and the current plan
    (best first; equals in the order of ``RULES``), the rules' failures
    (rule, reason), and the plan in force when it is complete and valid.

    The insertion (a plan in force that no longer holds as a whole), the
    repair and the priority rule always run; the others while
    ``_START_SHARE`` of the time limit lasts, counted in placements: a rule
    that would need more is stopped there and dropped, and so is every
    non-delay rule after it, or after one that needed more than what is
    left (they cost about the same). Small problems get every rule; at
    2,000 MOs (11,300 operations) with a 30 s limit, the priority rule and
    ATC (about 300,000 placements, 11 s) fit, and the search gets the rest.
    """
    found, failures = [], []
    repair = any(op.current is not None for op in data.operations)
    plan = _current_plan(data)
    in_force = None
    if plan is not None and not check(data, plan):
        in_force = _Candidate("current", plan, evaluate(data, plan))
    # a plan in force that no longer holds as a whole (new work, or work
    # whose start has passed): first among equals, the insertion around what
    # still holds (see ``dispatch``'s "insert")
    first = [INSERT] if repair and in_force is None else []
    order = first + list(RULES) + ([REPAIR] if repair else [])
    allowance = int(_START_SHARE * params.time_limit / _PLACEMENT_COST)
    used = 0
    stopped = False  # a non-delay rule was stopped: no other is tried
    last = 0  # placements of the last non-delay rule that ran to its end
    for rule in first + ([REPAIR] if repair else []) + ["priority", *_CAPPED_RULES]:
        weight = _SERIAL_WEIGHT if rule in _SERIAL_RULES else 1
        cap = None
        if rule in _CAPPED_RULES:
            cap = (allowance - used) // weight
            if weight == 1 and (stopped or cap < last):
                continue
            if cap <= 0:
                continue
        try:
            schedule, placements = dispatch_counted(data, rule, cap)
        except OverBudget:
            used += cap * weight
            stopped = stopped or weight == 1
            continue
        except Unschedulable as error:
            failures.append((rule, str(error)))
            continue
        used += placements * weight
        if weight == 1:
            last = placements
        if check(data, schedule):
            failures.append((rule, "produced an invalid schedule"))
            continue
        found.append(_Candidate(rule, schedule, evaluate(data, schedule)))
    found.sort(key=lambda c: order.index(c.name))
    if in_force is not None:
        found.insert(0, in_force)  # first among equals: the sort is stable
    found.sort(key=lambda c: params.key(c.evaluation))
    return found, failures, in_force


def _failures_text(failures: list[tuple[str, str]]) -> str:
    """The rules' failures, each reason once with the rules that gave it
    ("priority, edd and atc: operation ... cannot be placed ...")."""
    rules: dict[str, list[str]] = {}
    for rule, reason in failures:
        rules.setdefault(reason, []).append(rule)
    parts = []
    for reason, names in rules.items():
        who = (
            names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        )
        parts.append(f"{who}: {reason}")
    return "; ".join(parts)


def solve(data: ProblemData, params: SolveParams | None = None) -> Result:
    """Schedule ``data``; never returns worse than the best dispatching rule
    it ran (every rule on small problems; on large ones those that fit in
    the starts' share of the time limit, see ``_starts``).

    Raises ValueError only for bad input (``data`` or ``params`` of the wrong
    type); every other outcome is a ``Result`` whose message says what happened.
    """
    if not isinstance(data, ProblemData):
        raise ValueError("solve() needs a ProblemData")  # noqa: TRY004
    params = params or SolveParams()
    if not isinstance(params, SolveParams):
        raise ValueError("params must be a SolveParams")  # noqa: TRY004
    clock = _Clock(params)
    reason = _diagnose(data)
    if reason is not None:
        return _failed(Status.INFEASIBLE, reason, clock)
    try:
        return _solve(data, params, clock)
    except Exception as error:  # noqa: BLE001 - the contract: a Result, no crash
        return _failed(
            Status.UNKNOWN, f"the solver failed unexpectedly: {error!r}", clock
        )


def _failed(status: Status, message: str, clock: _Clock) -> Result:
    return Result(status=status, message=message, wall_time=clock.elapsed())


def _strategy(params: SolveParams, movable: int) -> str:
    """The improvement path for a problem of ``movable`` operations."""
    if params.strategy != "auto":
        return params.strategy
    if movable <= params.lns_threshold:
        return "model"
    if params.objective == "makespan" and movable <= MAKESPAN_MODEL_LIMIT:
        return "both"
    return "lns"


def _solve(data: ProblemData, params: SolveParams, clock: _Clock) -> Result:
    objective = params.objective
    starts, failures, in_force = _starts(data, params)
    movable = [i for i, op in enumerate(data.operations) if op.fixed is None]
    best = starts[0] if starts else None
    outcome = Status.FEASIBLE
    bound = None
    strategy = _strategy(params, len(movable))
    if not movable:
        outcome = Status.OPTIMAL
    elif best is None and len(movable) > params.lns_threshold:
        # No greedy start, and too much work for one exact model: its window
        # tables (operations times the working windows in their reach) take
        # gigabytes at this size. The rules' reasons say what does not fit.
        return _failed(
            Status.UNKNOWN,
            f"No dispatching rule could place all {len(movable)} operations "
            "to plan, and that is too many for one exact model: "
            + _failures_text(failures),
            clock,
        )
    elif strategy != "lns" or best is None:
        share = params.model_share if strategy == "both" and best else 1.0
        improved, outcome, bound, note = _monolithic(
            data, params, clock, starts, clock.remaining() * share
        )
        if improved is not None and (
            best is None
            or params.key(improved.evaluation) < params.key(best.evaluation)
        ):
            best = improved
        if improved is None and best is not None:
            outcome = Status.FEASIBLE  # CP-SAT found nothing: the start stands
        if best is None:
            detail = _failures_text(failures)
            return _failed(
                outcome if outcome != Status.FEASIBLE else Status.UNKNOWN,
                f"{note} The dispatching rules failed too: {detail}",
                clock,
            )
        if strategy == "both" and outcome != Status.OPTIMAL:
            best = _Search(data, params, clock, best, bound).run()
            if bound is not None and params.key(best.evaluation)[0] <= bound:
                outcome = Status.OPTIMAL
    else:
        best = _search(data, params, clock, best)
    if in_force is not None and not (
        params.key(best.evaluation) < params.key(in_force.evaluation)
    ):
        best = in_force  # the plan in force stands unless strictly beaten
    violations = check(data, best.schedule)
    if violations:  # a bug, not a planning problem: fall back on a valid start
        if not starts:
            return _failed(Status.UNKNOWN, violations[0].message, clock)
        best, outcome = starts[0], Status.FEASIBLE
    ev = best.evaluation
    primary = ev.makespan if objective == "makespan" else ev.weighted_tardiness
    start = starts[0] if starts else None
    return Result(
        status=outcome,
        message=_message(best, start, outcome, params.level_families),
        assignments=dict(sorted(best.schedule.items())),
        objective=primary,
        bound=bound,
        wall_time=clock.elapsed(),
        weighted_tardiness=ev.weighted_tardiness,
        makespan=ev.makespan,
        moved=ev.moved,
        completion=ev.completion,
        tardiness=ev.tardiness,
        on_time_rate=ev.on_time_rate,
        changeover=ev.changeover,
        setups=ev.setups,
        levelling=ev.levelling,
        start_rule=start.name if start else None,
        start_objective=(None if start is None else start.evaluation.key(objective)[0]),
        improved_by=best.name,
    )


def _search(data, params, clock, best: _Candidate) -> _Candidate:
    """The search from ``best``; levelling (``level_families``), first
    without it for ``_LEVEL_SEARCH_SHARE`` of the budget (or until nothing
    is late), then with it from there: its weighted tardiness is at least
    as good as a search without levelling on that share of the budget."""
    if not params.level_families:
        return _Search(data, params, clock, best, None).run()
    reserve = clock.remaining() * (1 - _LEVEL_SEARCH_SHARE)
    plain = replace(params, level_families=False)
    first = _Search(data, plain, clock, best, None, reserve).run()
    found = _Search(data, params, clock, first, None).run()
    if found is first:
        return first
    if first is best:
        return found
    return _Candidate(f"{first.name}, then {found.name}", found.schedule,
                      found.evaluation)  # fmt: skip


def _message(
    best: _Candidate, start: _Candidate | None, status: Status, level: bool = False
) -> str:
    ev = best.evaluation
    text = (
        f"{status.value} schedule from {best.name}: weighted tardiness "
        f"{ev.weighted_tardiness}, {ev.late_jobs} late job(s), makespan "
        f"{ev.makespan}, {ev.moved} operation(s) moved"
    )
    if level:
        text += f", levelling {ev.levelling}"
    if start is not None and start is not best:
        text += f" (best dispatching start: {start.name}, "
        text += f"weighted tardiness {start.evaluation.weighted_tardiness})"
    return text


def _monolithic(data, params, clock, starts, budget: float):
    """One model of the whole problem: phase 1 primary objective, phase 2 rest
    (tardiness), within ``budget`` seconds of the clock."""
    axes = build_axes(data)
    days = reserve_days(data, axes)
    free = [i for i, op in enumerate(data.operations) if op.fixed is None]
    frozen = {i: op.fixed for i, op in enumerate(data.operations) if op.fixed}
    stability = any(data.operations[i].current is not None for i in free)
    reserve = max(0.0, clock.remaining() - budget)  # left for what follows
    hi = data.end_of_calendar()
    tardiness = params.objective == "tardiness"
    if starts:  # keep the window tables short: ends within the start's reach
        makespan = starts[0].evaluation.makespan
        if tardiness:
            hi = min(hi, makespan + int(params.reach * makespan) + data.day_length)
        else:  # anything longer than the start would be thrown away anyway
            hi = min(hi, params.key(starts[0].evaluation)[0])
    try:
        m = build(data, axes, days, free, frozen, hi=hi, stability=stability)
    except NoRoom as error:
        return None, Status.INFEASIBLE, None, f"{error}."
    model = m.model
    moves = sum(m.moved.values())
    scaled = False
    if tardiness:
        primary = m.weighted_tardiness()
        if stability and params.move_cost:
            primary += params.move_cost * moves
    elif stability:  # makespan plus priced moves, then fewest moves
        primary = (m.makespan + params.move_cost * moves) * (len(free) + 1) + moves
        scaled = True
    else:
        primary = m.makespan
    model.minimize(primary)
    if tardiness and starts:  # only schedules at least as good are of use
        model.add(primary <= params.key(starts[0].evaluation)[0])
    # measured (bench/results/engine.md): on job-shops the greedy hint makes the
    # search worse with one worker and with two; the start's makespan already
    # bounds the model, and the start is kept if CP-SAT does no better. With a
    # plan in force the hint is that plan, which a re-run should find again.
    if params.use_hint and starts and (tardiness or stability):
        m.add_hint(starts[0].schedule)
    share = params.tardiness_share if tardiness else 1.0
    first = max(0.01, (clock.remaining() - reserve) * share)
    solver = clock.solver(first)
    status = solver.solve(model)
    clock.charge(solver)
    if status == cp_model.MODEL_INVALID:
        return None, Status.MODEL_INVALID, None, model.validate()
    if status == cp_model.INFEASIBLE:
        return (
            None,
            Status.INFEASIBLE,
            None,
            (
                "CP-SAT proved that no schedule meets the calendars, fixed "
                "operations, precedences, releases, horizon and rush reserve together."
            ),
        )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, Status.UNKNOWN, None, "CP-SAT found no schedule in time."
    found = _candidate(data, m, solver, frozen, "cp-sat")
    bound = None if scaled else int(solver.best_objective_bound)
    optimal = status == cp_model.OPTIMAL
    if not tardiness or clock.remaining() - reserve <= 0.05:
        return found, Status.OPTIMAL if optimal else Status.FEASIBLE, bound, ""
    # keep the weighted tardiness found in the phases that follow
    model.add(primary <= int(solver.objective_value))
    found, optimal = _middle_phases(
        data, params, clock, m, starts, found, frozen, reserve, optimal
    )
    # phase 2: fewest moves, then displacement, then makespan
    weight = data.end_of_calendar() + 1
    model.minimize(
        weight * sum(m.moved.values()) + sum(m.displacement.values()) + m.makespan
    )
    # The model leaves out the constant lateness of jobs it cannot move, so
    # compare the candidates with what CP-SAT found in the evaluator's terms.
    reached = params.key(found.evaluation)[0]
    pool = [c for c in [*starts, found] if params.key(c.evaluation)[0] <= reached]
    pool.sort(key=lambda c: params.key(c.evaluation))
    m.add_hint(pool[0].schedule)
    solver = clock.solver(max(0.01, clock.remaining() - reserve))
    status = solver.solve(model)
    clock.charge(solver)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        second = _candidate(data, m, solver, frozen, "cp-sat")
        if params.key(second.evaluation) <= params.key(found.evaluation):
            found = second
        optimal = optimal and status == cp_model.OPTIMAL
    else:
        optimal = False
    return found, Status.OPTIMAL if optimal else Status.FEASIBLE, bound, ""


def _middle_phases(data, params, clock, m, starts, found, frozen, reserve, ok):
    """The phases between the first and the last, at the weighted tardiness
    found: the most level schedule (``level_families``; its terms added
    now, so the first phase is the same as without; a third of what is
    left), then the fewest changeover minutes (half of what is left). Each
    keeps its measure in the model after it.

    Returns the candidate (``found`` or better) and whether every phase so
    far was proven optimal."""
    if params.level_families:
        add_levelling(m, frozen)
    phases = []
    if m.levels:
        phases.append((m.levelling(), 3))
    if m.setup_terms:
        phases.append((m.changeover(), 2))
    for measure, share in phases:
        found, ok = _at_tardiness_found(
            data, params, clock, m, starts, found, frozen, reserve, ok,
            measure, share,
        )  # fmt: skip
    return found, ok


def _at_tardiness_found(
    data, params, clock, m, starts, found, frozen, reserve, ok, measure, share
):
    """One middle phase: minimise ``measure`` at the weighted tardiness
    found, in ``1 / share`` of the time left, hinted with the best start;
    the measure reached is kept in the model (none when the phase finds
    nothing: the next phases go on without that bound)."""
    model = m.model
    model.minimize(measure)
    reached = params.key(found.evaluation)[0]
    pool = [c for c in [*starts, found] if params.key(c.evaluation)[0] <= reached]
    pool.sort(key=lambda c: params.key(c.evaluation))
    m.add_hint(pool[0].schedule)
    solver = clock.solver(max(0.01, (clock.remaining() - reserve) / share))
    status = solver.solve(model)
    clock.charge(solver)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return found, False
    model.add(measure <= int(solver.objective_value))
    better = _candidate(data, m, solver, frozen, "cp-sat")
    if params.key(better.evaluation) <= params.key(found.evaluation):
        found = better
    return found, ok and status == cp_model.OPTIMAL


def _candidate(data, m: Model, solver, frozen, name: str) -> _Candidate:
    schedule = {**frozen, **m.read_solution(solver)}
    return _Candidate(name, schedule, evaluate(data, schedule))


class _Search:
    """Large-neighbourhood search from a complete schedule.

    Each step frees about ``lns_window_ops`` movable operations, lets CP-SAT
    re-sequence them (hinted with the incumbent) and keeps the result when
    the whole schedule's key is not worse; steps cycle through the
    neighbourhoods until the budget ends or optimality is proven, so when
    one kind has nothing left to improve the others go on. Kinds:

    - ``"time window"``: operations adjacent in start time; in tardiness
      mode a window sliding through the whole plan by half a window (a
      rolling horizon that compacts it), in makespan mode around an
      operation of the critical path;
    - ``"late window"``: the same sliding restricted to where late jobs
      (and their components) have work;
    - ``"late job"``: the operations of a late job (largest weighted
      tardiness first) with operations sharing its work centers near its end;
    - ``"machines"``: operations on one to three work centers, near an
      operation of the critical path (makespan) or of a late job;
    - ``"jobs"``: whole jobs: those of the critical path (makespan), or a
      late job and the jobs just before it on its work centers.
    - ``"level"`` (with ``level_families``, every other step): a work center's
      operations of a family on the day it has the most minutes there, with
      the rest of their jobs, and the work center's operations on the
      nearest day the family has the fewest, that day and the next in the
      step's reach (``checker.family_minutes``; the least level first, in
      turn), for ``_LEVEL_TIME`` steps' time.

    In makespan mode up to ``ORDERED_LIMIT`` movable operations, the
    operations a step does not free keep their order on each work center
    but not their times, so freeing a critical machine or job can shorten
    the whole schedule; the size of these steps adapts (larger after a step
    CP-SAT solved to optimality, smaller after one it did not). Otherwise
    they stay frozen where they are and the model holds only the freed
    operations. The search returns the schedule it started from unless it
    found a strictly better one. ``improved_by`` names the kinds of the
    steps that made it strictly better.
    """

    def __init__(self, data, params, clock, best: _Candidate, bound, reserve=0.0):
        self.data, self.params, self.clock = data, params, clock
        self.reserve = reserve  # budget seconds left to what follows
        self.origin = self.best = best
        self.bound = None if params.objective == "tardiness" else bound
        self.axes = build_axes(data)
        self.days = reserve_days(data, self.axes)
        self.stability = any(op.current is not None for op in data.operations)
        self.movable = [i for i, op in enumerate(data.operations) if op.fixed is None]
        self.all_current = all(data.operations[i].current for i in self.movable)
        self.makespan = params.objective == "makespan"
        self.kinds = params.neighbourhoods or _DEFAULT_NEIGHBOURHOODS[params.objective]
        if params.level_families and params.neighbourhoods is None:
            # every other step levels (its stage of the search is the levelling)
            self.kinds = tuple(k for kind in self.kinds for k in (kind, "level"))
        # ordered steps re-solve the whole model: not with its changeover circuits
        self.ordered = (
            self.makespan
            and len(self.movable) <= ORDERED_LIMIT
            and not data.has_changeovers
        )
        self.rng = random.Random(params.seed)
        self.size = float(min(params.lns_window_ops, len(self.movable)))
        self.slides = {"time window": 0, "late window": 0}
        self.late_rank = 0
        self.level_rank = 0
        self.level_day: tuple[int, int] | None = None  # reach of a level step
        self.view = None  # (incumbent, start order, critical flags / path)
        self.base: Model | None = None  # the whole model (ordered steps)
        self.hinted = None
        self.gains: list[str] = []

    # main loop -------------------------------------------------------------
    def run(self) -> _Candidate:
        idle = 0
        for step in count():
            if self.clock.remaining() - self.reserve <= 0.1 or self._proven():
                break
            if self.reserve and self.key[0] == 0:  # a first stage: nothing late
                break
            kind = self.kinds[step % len(self.kinds)]
            free = self._select(kind)
            if not free:
                self.clock.charge(None, work=_STEP_COST)
                idle += 1
                if idle >= 4 * len(self.kinds):  # nothing to free at all
                    break
                continue
            idle = 0
            if kind == "level":
                trial = self._improve(free, _LEVEL_TIME, self.level_day)
            else:
                trial = self._improve(free)
            if trial is None:
                continue
            key, best_key = self.params.key(trial.evaluation), self.key
            if key < best_key and kind not in self.gains:
                self.gains.append(kind)
            if key <= best_key:
                self.best = trial
        if not self.key < self.params.key(self.origin.evaluation):
            return self.origin
        name = f"lns ({', '.join(self.gains)})"
        if self.origin.name == "cp-sat":
            name = f"cp-sat, then {name}"
        else:
            name = f"cp-sat {name}"
        return _Candidate(name, self.best.schedule, self.best.evaluation)

    @property
    def key(self) -> tuple[int, ...]:
        return self.params.key(self.best.evaluation)

    def _proven(self) -> bool:
        """Nothing strictly better can exist."""
        key = self.key
        if self.bound is not None and not self.stability:
            return key[0] <= self.bound
        # every other schedule moves something: worse than the plan in force
        return self.stability and self.all_current and not any(key[:-1])

    # neighbourhoods --------------------------------------------------------
    def _view(self):
        best = self.best
        if self.view is None or self.view[0] is not best:
            data = self.data
            order = _start_order(data, best)
            focus = _critical_path(data, best) if self.makespan else None
            self.view = (best, order, _critical(data, best), focus)
        return self.view

    def _select(self, kind: str) -> list[int]:
        _, order, critical, path = self._view()
        size = max(2, int(self.size)) if self.ordered else self.params.lns_window_ops
        if kind in self.slides and not self.makespan:
            flags = critical if kind == "late window" else None
            free, self.slides[kind] = _sliding_window(
                order, flags, size, self.slides[kind]
            )
            return free
        if kind == "late job":
            if self.makespan:
                return []
            free, self.late_rank = _late_job_window(
                self.data, self.best, size, self.late_rank
            )
            return free
        if kind == "level":
            return self._level(size)
        focus = self._focus(path)
        if not focus:
            return []
        if kind in ("time window", "late window"):
            return self._around(focus, None, size)
        if kind == "machines":
            return self._machines(focus, size)
        return self._jobs(focus, size)

    def _level(self, size) -> list[int]:
        """A work center's operations of a family on the day it has the most
        minutes there, each with the rest of its job (so its chain can move),
        and the work center's operations on the day nearest to it on which
        the family has the fewest (``family_minutes``), that day in the
        step's reach (``level_day``):
        the work center and family least level first, in turn."""
        data, schedule, ops = self.data, self.best.schedule, self.data.operations
        table = family_minutes(data, schedule)
        spreads = [
            (max(days.values()) - min(days.values()), r, family, days)
            for r, families in sorted(table.items())
            for family, days in families.items()
        ]
        spreads = [item for item in spreads if item[0] > 0]
        if not spreads:
            return []
        spreads.sort(key=lambda item: -item[0])  # stable: by resource after
        _, r, family, days = spreads[self.level_rank % len(spreads)]
        self.level_rank += 1
        most, fewest = max(days.values()), min(days.values())
        high = self.rng.choice([d for d, v in days.items() if v == most])
        # the emptiest day nearest to it: the likeliest to take work from it
        low = min(
            (d for d, v in days.items() if v == fewest),
            key=lambda d: (abs(d - high), self.rng.random()),
        )
        peak, other = [], []
        for i in self.movable:
            a = schedule[i]
            if a.resource != r:
                continue
            day = data.day_of(a.start)
            if day == high and ops[i].family == family:
                peak.append((a.start, i))
            elif day == low:
                other.append((a.start, i))
        free: list[int] = []
        for _, i in sorted(peak):
            own = [k for k in data.job_operations[ops[i].job] if ops[k].fixed is None]
            own = [k for k in own if k not in free]
            if free and len(free) + len(own) > max(1, size // 2):
                break
            free += own
        free += [i for _, i in sorted(other) if i not in free][: size - len(free)]
        self.level_day = data.day_bounds(low)
        return free

    def _focus(self, path) -> list[int]:
        """Movable operations to centre a step on: the critical path in
        makespan mode, else the operations of the next late job."""
        if self.makespan:
            return [i for i in path if self.data.operations[i].fixed is None]
        late = _late_jobs(self.data, self.best)
        if not late:
            return []
        job = late[self.late_rank % len(late)]
        self.late_rank += 1
        ops = self.data.operations
        return [i for i in self.data.job_operations[job] if ops[i].fixed is None]

    def _around(self, focus, resources, size) -> list[int]:
        """Up to ``size`` movable operations (on ``resources``, or any)
        nearest in start time to a focus operation drawn at random."""
        schedule = self.best.schedule
        centre = schedule[self.rng.choice(focus)].start
        near = sorted(
            (abs(schedule[i].start - centre), i)
            for i in self.movable
            if resources is None or schedule[i].resource in resources
        )
        return [i for _, i in near[:size]]

    def _machines(self, focus, size) -> list[int]:
        """Operations of one to three work centers of the focus, near it."""
        schedule = self.best.schedule
        resources = list(dict.fromkeys(schedule[i].resource for i in focus))
        self.rng.shuffle(resources)
        chosen = set(resources[: self.rng.randint(1, 3)])
        return self._around(
            [i for i in focus if schedule[i].resource in chosen], chosen, size
        )

    def _jobs(self, focus, size) -> list[int]:
        """Whole jobs: of the critical path (makespan), or the late job and
        the jobs right before its operations on their work centers."""
        data, schedule = self.data, self.best.schedule
        jobs = list(dict.fromkeys(data.operations[i].job for i in focus))
        if self.makespan:
            self.rng.shuffle(jobs)
        else:
            previous = _previous_on_resource(self.best)
            jobs += [data.operations[previous[i]].job for i in focus if i in previous]
            jobs = list(dict.fromkeys(jobs))
        free: list[int] = []
        for job in jobs:
            own = [
                i for i in data.job_operations[job] if data.operations[i].fixed is None
            ]
            if free and len(free) + len(own) > size:
                break
            free += own
        if len(free) > size:  # one long job: the part around its focus
            centre = schedule[focus[0]].start
            free = sorted(free, key=lambda i: abs(schedule[i].start - centre))[:size]
        return free

    # improvement -----------------------------------------------------------
    def _improve(self, free: list[int], time=1.0, reach=None) -> _Candidate | None:
        """Re-solve ``free`` for ``time`` times ``lns_window_time``, their
        range widened to the wall minutes ``reach`` when given."""
        if self.ordered:
            return self._improve_ordered(free)
        data, params, clock = self.data, self.params, self.clock
        trial, solver = _improve_window(
            data, params, clock, self.best, free, self.axes, self.days,
            self.stability, time, reach,
        )  # fmt: skip
        work = _WINDOW_OP_COST * len(free) + _STEP_OP_COST * len(data.operations)
        clock.charge(solver, _WINDOW_DET_RATE, _STEP_COST + work)
        return trial

    def _whole_model(self) -> Model:
        """The model of every movable operation (built once), hinted with
        the incumbent."""
        if self.base is None:
            data = self.data
            fixed = {i: op.fixed for i, op in enumerate(data.operations) if op.fixed}
            hi = min(data.end_of_calendar(), self.key[0])
            m = build(data, self.axes, self.days, self.movable, fixed, 0, hi,
                      self.stability)  # fmt: skip
            if self.stability:
                moves = sum(m.moved.values())
                m.model.minimize(
                    (m.makespan + self.params.move_cost * moves)
                    * (len(self.movable) + 1)
                    + moves
                )
            else:
                m.model.minimize(m.makespan)
            m.model.add_decision_strategy(
                [mv.p for ov in m.ops.values() for mv in ov.modes],
                cp_model.CHOOSE_LOWEST_MIN,
                cp_model.SELECT_MIN_VALUE,
            )
            self.base = m
        if self.hinted is not self.best:
            self.base.add_hint(self.best.schedule)
            self.hinted = self.best
        return self.base

    def _improve_ordered(self, free: list[int]) -> _Candidate | None:
        """Re-solve the whole problem with ``free`` free and every other
        movable operation in its mode and its order on its work center."""
        data, clock, best = self.data, self.clock, self.best.schedule
        try:
            base = self._whole_model()
        except NoRoom:
            self.ordered = False
            return None
        model = base.model.clone()
        chosen = set(free)

        def var(v):
            return model.get_int_var_from_proto_index(v.index)

        sequences: dict[int, list] = {}
        for i in self.movable:
            if i in chosen:
                continue
            a = best[i]
            modes = base.ops[i].modes
            mv = next((mv for mv in modes if mv.mode == a.mode), None)
            if mv is None:
                return None
            if mv.lit is not None:
                model.add(model.get_bool_var_from_proto_index(mv.lit.index) == 1)
            duration = data.operations[i].modes[a.mode].duration
            sequences.setdefault(a.resource, []).append((a.start, i, mv, duration))
        for items in sequences.values():
            items.sort()
            for (_, _, before, d), (_, _, after, _) in pairwise(items):
                model.add(var(after.p) >= var(before.p) + d)
        level = self.key[0]
        cost = var(base.makespan)
        if self.stability and self.params.move_cost:
            cost += self.params.move_cost * sum(
                model.get_bool_var_from_proto_index(v.index)
                for v in base.moved.values()
            )
        model.add(cost <= level)
        solver = clock.solver(
            min(self.params.lns_window_time * _ORDERED_TIME, clock.remaining()),
            _ORDERED_DET_RATE,
            **_ORDERED_PARAMETERS,
        )
        status = solver.solve(model)
        clock.charge(
            solver,
            _ORDERED_DET_RATE,
            _STEP_COST + _ORDERED_OP_COST * len(self.movable),
        )
        if status == cp_model.OPTIMAL:
            self.size = min(len(self.movable), self.size * 1.1 + 1)
        else:
            self.size = max(min(8.0, len(self.movable)), self.size * 0.9)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        found = base.read_solution(solver)
        if all(found[i] == best[i] for i in self.movable):
            return None
        schedule = {**best, **found}
        return _Candidate("lns", schedule, evaluate(data, schedule))


def _start_order(data, best: _Candidate) -> list[int]:
    """Movable operations of the incumbent by start time."""
    return [
        i
        for _, i in sorted(
            (a.start, i)
            for i, a in best.schedule.items()
            if data.operations[i].fixed is None
        )
    ]


def _sliding_window(order, critical, size: int, offset: int):
    """Operations adjacent in start time from ``offset`` (with ``critical``
    flags: from the first one at or after it that matters for a late job);
    the next offset."""
    if offset >= len(order):
        offset = 0
    if critical is None:
        return order[offset : offset + size], offset + size // 2
    start = next((k for k in range(offset, len(order)) if critical[order[k]]), None)
    if start is None:  # nothing late after offset: wrap around
        start = next((k for k in range(len(order)) if critical[order[k]]), offset)
    return order[start : start + size], start + size // 2


def _critical(data, best: _Candidate) -> list[bool]:
    """Operations of late jobs and everything upstream of them."""
    late = best.evaluation.tardiness
    critical = [bool(late.get(op.job)) for op in data.operations]
    for i in reversed(data.topological_order):
        if not critical[i]:
            critical[i] = any(critical[j] for j in data.successors[i])
    return critical


def _late_job_window(data, best: _Candidate, size: int, rank: int):
    """A late job and its competitors on its work centers; next rank."""
    late = _late_jobs(data, best)
    if not late:
        return [], 0
    job = late[rank % len(late)]
    schedule = best.schedule
    own = [
        i
        for i, a in schedule.items()
        if data.operations[i].job == job and data.operations[i].fixed is None
    ]
    if not own:
        return [], rank + 1
    lo = min(schedule[i].start for i in own)
    hi = max(schedule[i].end for i in own)
    centers = {schedule[i].resource for i in own}
    others = sorted(
        (a.start, i)
        for i, a in schedule.items()
        if a.resource in centers
        and lo <= a.start < hi
        and data.operations[i].fixed is None
        and data.operations[i].job != job
    )
    room = max(0, size - len(own))
    # keep the competitors closest to the end of the job, where it is late
    return own + [i for _, i in others[-room:] if room], rank + 1


def _late_jobs(data, best: _Candidate) -> list[int]:
    """Late jobs, largest weighted tardiness first."""
    late = sorted(
        (-data.jobs[j].weight * t, j) for j, t in best.evaluation.tardiness.items()
    )
    return [j for key, j in late if key < 0]


def _previous_on_resource(best: _Candidate) -> dict[int, int]:
    """Per operation, the one before it on its work center in ``best``."""
    per_resource: dict[int, list] = {}
    for i, a in best.schedule.items():
        per_resource.setdefault(a.resource, []).append((a.start, i))
    previous = {}
    for items in per_resource.values():
        items.sort()
        for (_, i), (_, j) in pairwise(items):
            previous[j] = i
    return previous


def _critical_path(data, best: _Candidate) -> list[int]:
    """A chain of operations that fixes the makespan of ``best``: from the
    last to end, each time the predecessor (in its job, with its lag, or on
    its work center) whose end constrains the start most."""
    schedule = best.schedule
    if not schedule:
        return []
    previous = _previous_on_resource(best)
    i = max(schedule, key=lambda k: (schedule[k].end, -k))
    path = [i]
    seen = {i}
    while True:
        reasons = [(schedule[j].end + data.lag(j, i), j) for j in data.predecessors[i]]
        if i in previous:
            reasons.append((schedule[previous[i]].end, previous[i]))
        if not reasons:
            break
        _, i = max(reasons)
        if i in seen:
            break
        seen.add(i)
        path.append(i)
    return path[::-1]


def _improve_window(
    data, params, clock, best, free, axes, days, stability, time=1.0, reach=None
):
    """Re-solve the operations ``free`` with all others frozen at ``best``
    (for ``time`` times ``lns_window_time``, between their earliest start
    and latest end, widened to ``reach`` when given); the candidate (None
    when nothing new) and the solver (None if unused)."""
    chosen = set(free)
    frozen = {i: a for i, a in best.schedule.items() if i not in chosen}
    lo = min(best.schedule[i].start for i in free)
    hi = max(best.schedule[i].end for i in free)
    makespan = params.objective == "makespan"
    level = params.level_families
    if reach is not None:  # a level step: that day too, and the next one
        lo, hi = min(lo, reach[0]), max(hi, reach[1])
        hi = min(data.end_of_calendar(), hi + data.day_length)
    try:
        m = build(
            data, axes, days, free, frozen, lo, hi, stability, makespan, level=level
        )
    except NoRoom:
        return None, None
    span = hi - lo + 1
    scale = span * (len(free) + 1)
    primary = m.makespan if makespan else m.weighted_tardiness()
    if stability and params.move_cost:
        primary += params.move_cost * sum(m.moved.values())
    terms = primary * scale
    below = scale  # the weight of one unit of the term before the next one
    if m.levels:  # after the primary: all the levelling costs less than a minute
        below = max(1, scale // (4 * m.levelling_bound() + 1))
        terms += m.levelling() * below
    if m.setup_terms:  # after those: all changeovers cost less than one unit
        terms += m.changeover() * max(1, below // (4 * m.changeover_bound() + 1))
    if stability:
        terms += span * sum(m.moved.values()) + sum(m.displacement.values())
    # push work of late jobs earlier first: it makes room for their next steps;
    # a level step, only theirs (work on time may go later to level the days)
    late = best.evaluation.tardiness
    early = 0 if reach is not None else 1
    for i, ov in m.ops.items():
        job = data.operations[i].job
        weight = early + (data.jobs[job].weight if late.get(job) else 0)
        if weight:
            terms += weight * ov.end
    m.model.minimize(terms)
    m.add_hint(best.schedule)
    budget = min(params.lns_window_time * time, clock.remaining())
    solver = clock.solver(budget, _WINDOW_DET_RATE)
    status = solver.solve(m.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, solver
    found = m.read_solution(solver)
    if all(found[i] == best.schedule[i] for i in free):
        return None, solver  # the incumbent itself: no need to evaluate it again
    schedule = {**frozen, **found}
    return _Candidate("lns", schedule, evaluate(data, schedule)), solver
