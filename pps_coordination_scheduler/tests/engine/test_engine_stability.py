"""Stable by construction: the plan in force stands unless strictly beaten.

A re-run on unchanged data (every operation carries the plan in force) may
only return another schedule when that schedule's key (``Evaluation.key``,
moves priced by ``move_cost``) is strictly lower: a merely equal one moves
work for nothing. Where nothing strictly better exists, the answer is the
plan itself, whatever the time limit and worker count, on both sides of the
LNS threshold and in both objectives. A rush insertion moves only the work
in the way of its slot.
"""

import dataclasses

import pytest

from ...engine import (
    Assignment,
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    SolveParams,
    check,
    evaluate,
    solve,
)
from .engine_helpers import DAY, factory_instance, random_job_shop

RERUNS = (
    {"time_limit": 0.3, "workers": 1},
    {"time_limit": 1, "workers": 1, "seed": 9},
    {"time_limit": 0.5, "workers": 2},
)


def _with_plan(data, plan):
    ops = [
        op if op.fixed else dataclasses.replace(op, current=plan[i])
        for i, op in enumerate(data.operations)
    ]
    return dataclasses.replace(data, operations=ops)


def _no_due_dates(data):
    return dataclasses.replace(
        data, jobs=[dataclasses.replace(j, due=None) for j in data.jobs]
    )


def _bottleneck_shop(n_jobs: int) -> ProblemData:
    """A job shop whose makespan is fixed by one machine: every job runs 5
    minutes on m1, then 100 on m0, so m0's load plus 5 is a lower bound
    that many different schedules reach (ties everywhere)."""
    resources = [Resource(f"m{k}", ((0, 100 * DAY),)) for k in range(2)]
    jobs = [Job(f"j{j}") for j in range(n_jobs)]
    ops, precs = [], []
    from ...engine import Precedence

    for j in range(n_jobs):
        ops += [
            Operation(f"j{j}/0", j, (Mode(1, 5),)),
            Operation(f"j{j}/1", j, (Mode(0, 100),)),
        ]
        precs.append(Precedence(2 * j, 2 * j + 1))
    return ProblemData(resources, jobs, ops, precs, rush_share=0)


def _assert_kept(data, plan, objective, move_cost, threshold, strategy="auto"):
    """Every re-run returns the plan exactly: zero moves."""
    for rerun in RERUNS:
        params = SolveParams(
            objective=objective,
            move_cost=move_cost,
            lns_threshold=threshold,
            strategy=strategy,
            lns_window_ops=20,
            **rerun,
        )
        result = solve(data, params)
        assert result.ok, result.message
        assert result.moved == 0, (rerun, result.improved_by)
        assert result.assignments == plan, rerun


@pytest.mark.parametrize("threshold", (300, 5))  # one model; the search
@pytest.mark.parametrize("move_cost", (0, 480))
def test_unbeatable_tardiness_plan_is_kept(threshold, move_cost):
    """A factory plan without lateness (no due dates): any other schedule
    moves something, so it is worse even with free moves; every re-run
    returns the plan as it is, below and above the threshold."""
    data = _no_due_dates(factory_instance(4, 12))
    plan = solve(data, SolveParams(time_limit=0.5, workers=1)).assignments
    _assert_kept(_with_plan(data, plan), plan, "tardiness", move_cost, threshold)


@pytest.mark.parametrize("strategy", ("auto", "lns"))
def test_optimal_makespan_plan_is_kept_though_equal_ones_abound(strategy):
    """Makespan mode with free moves: the plan in force reaches the
    machine bound, and so do countless reorderings of the jobs. None of
    them replaces the plan: equal is not better (this used to move work,
    as the makespan key ignored moves), on the model and the search path."""
    data = _bottleneck_shop(12)
    plan = solve(
        data, SolveParams(time_limit=1, workers=1, objective="makespan")
    ).assignments
    assert evaluate(data, plan).makespan == 12 * 100 + 5
    _assert_kept(_with_plan(data, plan), plan, "makespan", 0, 300, strategy)


@pytest.mark.parametrize("objective", ("tardiness", "makespan"))
def test_rerun_above_the_threshold_moves_only_for_a_strict_gain(objective):
    """A re-run of a 20 x 16 job shop (320 operations, above the
    threshold) planned in a short first solve: with the default strategy
    the re-run either returns the plan unchanged or a schedule whose key,
    moves priced, is strictly lower than the plan's."""
    data = random_job_shop(4, 20, 16)
    if objective == "tardiness":  # due dates a fifth above the greedy's ends
        first = solve(data, SolveParams(time_limit=0.3, workers=1))
        due = int(first.makespan * 0.8)
        data = dataclasses.replace(
            data, jobs=[dataclasses.replace(j, due=due) for j in data.jobs]
        )
    params = SolveParams(time_limit=0.5, workers=1, objective=objective)
    plan = solve(data, params).assignments
    replan = _with_plan(data, plan)
    before = evaluate(replan, plan)
    for rerun in RERUNS:
        params = SolveParams(objective=objective, move_cost=50, **rerun)
        result = solve(replan, params)
        assert result.ok and check(replan, result.assignments) == []
        after = evaluate(replan, result.assignments)
        if result.moved:
            assert params.key(after) < params.key(before), rerun
        else:
            assert result.assignments == plan


@pytest.mark.parametrize("threshold", (300, 1))
def test_rush_insertion_moves_only_the_work_in_its_slot(threshold):
    """One machine planned with gaps (60 minutes of work, 60 free, ...), a
    second machine busy with other jobs. A rush order for 60 minutes on the
    first, due at minute 60: it takes minute 0, and the one operation
    standing there moves into the gap after it; nothing else moves, on the
    one-model path and on the window path."""
    n = 8
    resources = [Resource("M", ((0, 30 * DAY),)), Resource("N", ((0, 30 * DAY),))]
    jobs = [Job(f"J{j}", due=10 * DAY) for j in range(2 * n)]
    ops = [
        Operation(
            f"M{j}", j, (Mode(0, 60),), current=Assignment(0, 0, 120 * j, 120 * j + 60)
        )
        for j in range(n)
    ]
    ops += [
        Operation(
            f"N{j}",
            n + j,
            (Mode(1, 90),),
            current=Assignment(1, 0, 90 * j, 90 * j + 90),
        )
        for j in range(n)
    ]
    rush = Operation("R", 2 * n, (Mode(0, 60),))
    data = ProblemData(
        resources,
        [*jobs, Job("RUSH", due=60, weight=10, rush=True)],
        [*ops, rush],
        rush_share=0,
    )
    params = SolveParams(
        time_limit=2, workers=1, move_cost=100, lns_threshold=threshold
    )
    result = solve(data, params)
    assert result.ok and check(data, result.assignments) == []
    assert result.assignments[2 * n] == Assignment(0, 0, 0, 60)
    assert result.tardiness[2 * n] == 0
    moved = [
        i
        for i, op in enumerate(ops)
        if (result.assignments[i].start, result.assignments[i].resource)
        != (op.current.start, op.current.resource)
    ]
    assert moved == [0]  # the operation in the rush slot, nothing else
    assert result.assignments[0].start >= 60
    assert result.moved == 1
