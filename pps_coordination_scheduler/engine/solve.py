"""Orchestration: greedy start, CP-SAT improvement, LNS for large instances."""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import count, pairwise

from ortools.sat.python import cp_model

from .calendar import build_axes, reserve_days
from .checker import check, evaluate
from .cpsat import Model, NoRoom, build
from .data import Assignment, ProblemData
from .dispatch import REPAIR, RULES, Unschedulable, dispatch
from .result import Evaluation, Result, Status

OBJECTIVES = ("tardiness", "makespan")


@dataclass(frozen=True)
class SolveParams:
    """How to solve.

    ``time_limit`` is the budget in seconds for the CP-SAT phases (the greedy
    start comes on top; it takes well under a second per 1,000 operations).
    With ``deterministic`` (the default when ``workers == 1``) every CP-SAT
    call gets a *deterministic*-time limit and is counted at its full budget,
    so the number and length of the calls are fixed and a fixed ``seed``
    gives the same schedule on every run (wall time is capped at three
    times the budget as a safety net).
    Instances with more than ``lns_threshold`` movable operations are
    improved by large-neighbourhood search over windows of
    ``lns_window_ops`` consecutive operations, ``lns_window_time`` seconds each.
    ``move_cost`` (weighted-tardiness minutes, 0 = moves are free) is what
    moving one operation away from the plan in force must save: with it, a
    re-run on unchanged data keeps the plan instead of trading small gains
    for churn, and an urgent insertion moves only what pays for itself.
    Smaller instances are one model in which every operation ends before the
    best start's makespan plus ``reach`` times it plus a day (so the model
    stays small); ``tardiness_share`` of the time goes to its first phase.
    """

    time_limit: float = 10.0
    workers: int = 2
    seed: int = 0
    use_hint: bool = True
    objective: str = "tardiness"
    deterministic: bool | None = None
    lns_threshold: int = 300
    lns_window_ops: int = 60
    lns_window_time: float = 0.3
    tardiness_share: float = 0.7
    reach: float = 0.25
    move_cost: int = 0

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

    def key(self, evaluation: Evaluation) -> tuple[int, ...]:
        """The objective of these parameters (smaller is better)."""
        return evaluation.key(self.objective, self.move_cost)

    @property
    def is_deterministic(self) -> bool:
        return self.workers == 1 if self.deterministic is None else self.deterministic


class _Clock:
    """Budget in wall or deterministic seconds."""

    def __init__(self, params: SolveParams) -> None:
        self.params = params
        self.started = time.perf_counter()
        self.spent = 0.0  # deterministic seconds spent (deterministic mode)

    def remaining(self) -> float:
        if self.params.is_deterministic:
            wall_left = 3 * self.params.time_limit - self.elapsed()
            return min(self.params.time_limit - self.spent, wall_left)
        return self.params.time_limit - self.elapsed()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def solver(self, budget: float) -> cp_model.CpSolver:
        params = self.params
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = params.workers
        solver.parameters.random_seed = params.seed
        if params.is_deterministic:
            solver.parameters.max_deterministic_time = budget
            solver.parameters.max_time_in_seconds = max(
                0.01, 3 * params.time_limit - self.elapsed()
            )
        else:
            solver.parameters.max_time_in_seconds = budget
        return solver

    def charge(self, budget: float) -> None:
        """Count a sub-solve's whole budget, so the number of solves is fixed."""
        self.spent += budget


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
                f"job {job.ref} is released at minute {job.release}, at or after "
                f"the end of the planning horizon ({horizon})"
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


def _starts(
    data: ProblemData, params: SolveParams
) -> tuple[list[_Candidate], list[str]]:
    """Valid schedules from every dispatching rule and the current plan."""
    found, failures = [], []
    rules = RULES
    if any(op.current is not None for op in data.operations):
        rules = (*RULES, REPAIR)
    for rule in rules:
        try:
            schedule = dispatch(data, rule)
        except Unschedulable as error:
            failures.append(f"{rule}: {error}")
            continue
        if check(data, schedule):
            failures.append(f"{rule}: produced an invalid schedule")
            continue
        found.append(_Candidate(rule, schedule, evaluate(data, schedule)))
    plan = _current_plan(data)
    if plan is not None and not check(data, plan):
        found.append(_Candidate("current", plan, evaluate(data, plan)))
    found.sort(key=lambda c: params.key(c.evaluation))
    return found, failures


def solve(data: ProblemData, params: SolveParams | None = None) -> Result:
    """Schedule ``data``; never returns worse than the best dispatching rule.

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


def _solve(data: ProblemData, params: SolveParams, clock: _Clock) -> Result:
    objective = params.objective
    starts, failures = _starts(data, params)
    movable = [i for i, op in enumerate(data.operations) if op.fixed is None]
    best = starts[0] if starts else None
    outcome = Status.FEASIBLE
    bound = None
    if not movable:
        outcome = Status.OPTIMAL
    elif len(movable) <= params.lns_threshold or best is None:
        improved, outcome, bound, note = _monolithic(data, params, clock, starts)
        if improved is not None and (
            best is None
            or params.key(improved.evaluation) < params.key(best.evaluation)
        ):
            best = improved
        if improved is None and best is not None:
            outcome = Status.FEASIBLE  # CP-SAT found nothing: the start stands
        if best is None:
            detail = "; ".join(failures)
            return _failed(
                outcome if outcome != Status.FEASIBLE else Status.UNKNOWN,
                f"{note} The dispatching rules failed too: {detail}",
                clock,
            )
    else:
        best = _lns(data, params, clock, best, starts)
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
        message=_message(best, start, outcome),
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
        start_rule=start.name if start else None,
        start_objective=(None if start is None else start.evaluation.key(objective)[0]),
        improved_by=best.name,
    )


def _message(best: _Candidate, start: _Candidate | None, status: Status) -> str:
    ev = best.evaluation
    text = (
        f"{status.value} schedule from {best.name}: weighted tardiness "
        f"{ev.weighted_tardiness}, {ev.late_jobs} late job(s), makespan "
        f"{ev.makespan}, {ev.moved} operation(s) moved"
    )
    if start is not None and start is not best:
        text += f" (best dispatching start: {start.name}, "
        text += f"weighted tardiness {start.evaluation.weighted_tardiness})"
    return text


def _monolithic(data, params, clock, starts):
    """One model of the whole problem: phase 1 primary objective, phase 2 rest."""
    axes = build_axes(data)
    days = reserve_days(data, axes)
    free = [i for i, op in enumerate(data.operations) if op.fixed is None]
    frozen = {i: op.fixed for i, op in enumerate(data.operations) if op.fixed}
    stability = any(data.operations[i].current is not None for i in free)
    hi = data.end_of_calendar()
    tardiness = params.objective == "tardiness"
    if starts:  # keep the window tables short: ends within the start's reach
        makespan = starts[0].evaluation.makespan
        if tardiness:
            hi = min(hi, makespan + int(params.reach * makespan) + data.day_length)
        else:  # anything longer than the start would be thrown away anyway
            hi = min(hi, makespan)
    try:
        m = build(data, axes, days, free, frozen, hi=hi, stability=stability)
    except NoRoom as error:
        return None, Status.INFEASIBLE, None, f"{error}."
    model = m.model
    primary = m.weighted_tardiness() if tardiness else m.makespan
    if tardiness and stability and params.move_cost:
        primary += params.move_cost * sum(m.moved.values())
    model.minimize(primary)
    if tardiness and starts:  # only schedules at least as good are of use
        model.add(primary <= params.key(starts[0].evaluation)[0])
    # measured (bench/results/engine.md): on job-shops the greedy hint makes the
    # search worse with one worker and with two; the start's makespan already
    # bounds the model, and the start is kept if CP-SAT does no better
    if params.use_hint and starts and tardiness:
        m.add_hint(starts[0].schedule)
    share = params.tardiness_share if tardiness else 1.0
    budget = max(0.01, clock.remaining() * share)
    solver = clock.solver(budget)
    status = solver.solve(model)
    clock.charge(budget)
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
    bound = int(solver.best_objective_bound)
    optimal = status == cp_model.OPTIMAL
    if not tardiness or clock.remaining() <= 0.05:
        return found, Status.OPTIMAL if optimal else Status.FEASIBLE, bound, ""
    # phase 2: keep the weighted tardiness, then fewest moves, then makespan
    level = int(solver.objective_value)
    model.add(primary <= level)
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
    budget = max(0.01, clock.remaining())
    solver = clock.solver(budget)
    status = solver.solve(model)
    clock.charge(budget)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        second = _candidate(data, m, solver, frozen, "cp-sat")
        if params.key(second.evaluation) <= params.key(found.evaluation):
            found = second
        optimal = optimal and status == cp_model.OPTIMAL
    else:
        optimal = False
    return found, Status.OPTIMAL if optimal else Status.FEASIBLE, bound, ""


def _candidate(data, m: Model, solver, frozen, name: str) -> _Candidate:
    schedule = {**frozen, **m.read_solution(solver)}
    return _Candidate(name, schedule, evaluate(data, schedule))


def _lns(data, params, clock, best: _Candidate, starts) -> _Candidate:
    """Large-neighbourhood search, alternating two kinds of neighbourhood.

    Each step frees at most ``lns_window_ops`` movable operations, freezes
    the rest at the incumbent, and lets CP-SAT re-sequence the free ones,
    hinted with the incumbent. Steps cycle through three neighbourhoods: a
    window of operations adjacent in start time sliding through the whole
    plan by half a window (a rolling horizon that compacts it); the same
    sliding restricted to where late jobs (and their components) have work;
    and the operations of a late job (largest weighted tardiness first) with
    operations sharing its work centers near its end. A result is kept
    when the lexicographic objective of the whole schedule is not worse.
    """
    axes = build_axes(data)
    days = reserve_days(data, axes)
    objective = params.objective
    stability = any(op.current is not None for op in data.operations)
    slides = [0, 0, 0]  # cursors of the sliding windows, one per step kind
    late_rank = 0
    view = None  # start order and critical flags of the incumbent
    for step in count():
        if clock.remaining() <= 0.1:
            break
        if step % 3 == 2 and objective == "tardiness":
            free, late_rank = _late_job_window(data, best, params, late_rank)
        else:
            if view is None or view[0] is not best:
                view = (best, _start_order(data, best), _critical(data, best))
            focus = step % 3  # 0: plain rolling pass, 1: only where work is late
            critical = view[2] if focus else None
            free, slides[focus] = _sliding_window(
                view[1], critical, params, slides[focus]
            )
        if not free:
            continue
        trial = _improve_window(data, params, clock, best, free, axes, days, stability)
        if trial is not None and (
            params.key(trial.evaluation) <= params.key(best.evaluation)
        ):
            best = trial
    return best


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


def _sliding_window(order, critical, params, offset: int):
    """Operations adjacent in start time from ``offset`` (with ``critical``
    flags: from the first one at or after it that matters for a late job);
    the next offset."""
    size = params.lns_window_ops
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


def _late_job_window(data, best: _Candidate, params, rank: int):
    """A late job and its competitors on its work centers; next rank."""
    late = sorted(
        ((-data.jobs[j].weight * t, j) for j, t in best.evaluation.tardiness.items()),
    )
    late = [j for key, j in late if key < 0]
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
    room = max(0, params.lns_window_ops - len(own))
    # keep the competitors closest to the end of the job, where it is late
    return own + [i for _, i in others[-room:] if room], rank + 1


def _improve_window(data, params, clock, best, free, axes, days, stability):
    """Re-solve the operations ``free`` with all others frozen at ``best``."""
    chosen = set(free)
    frozen = {i: a for i, a in best.schedule.items() if i not in chosen}
    lo = min(best.schedule[i].start for i in free)
    hi = max(best.schedule[i].end for i in free)
    try:
        m = build(
            data,
            axes,
            days,
            free,
            frozen,
            lo,
            hi,
            stability,
            makespan=params.objective == "makespan",
        )
    except NoRoom:
        return None
    span = hi - lo + 1
    scale = span * (len(free) + 1)
    primary = m.weighted_tardiness()
    if params.objective == "makespan":
        primary = m.makespan
    elif stability and params.move_cost:
        primary += params.move_cost * sum(m.moved.values())
    terms = primary * scale
    if stability:
        terms += span * sum(m.moved.values()) + sum(m.displacement.values())
    # push work of late jobs earlier first: it makes room for their next steps
    late = best.evaluation.tardiness
    for i, ov in m.ops.items():
        job = data.operations[i].job
        terms += (1 + (data.jobs[job].weight if late.get(job) else 0)) * ov.end
    m.model.minimize(terms)
    m.add_hint(best.schedule)
    budget = min(params.lns_window_time, clock.remaining())
    solver = clock.solver(budget)
    status = solver.solve(m.model)
    clock.charge(budget)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    found = m.read_solution(solver)
    if all(found[i] == best.schedule[i] for i in free):
        return None  # the incumbent itself: no need to evaluate it again
    schedule = {**frozen, **found}
    return _Candidate("cp-sat lns", schedule, evaluate(data, schedule))
