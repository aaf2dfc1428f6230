"""Above the LNS threshold: large instances in both objectives, no crash.

Problems with more than ``SolveParams.lns_threshold`` movable operations are
improved by large-neighbourhood search over windows (``solve._lns``), a path
the small instances of the other suites never take with default parameters.
In makespan mode it used to fail on every such problem: the third step of
each cycle of three indexed a per-kind list of two cursors, and ``solve()``
returned ``unknown`` ("the solver failed unexpectedly: IndexError").

Each solve here must come back with a schedule the independent checker
accepts, no worse than the best valid dispatching rule (computed here, not
read from the result), and the property test draws instance sizes and
thresholds on both sides of each other, so that both paths (one model and
windows) run in both objectives.
"""

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ...engine import (
    RULES,
    SolveParams,
    Status,
    Unschedulable,
    check,
    dispatch,
    evaluate,
    solve,
)
from .engine_helpers import factory_instance, random_job_shop

OBJECTIVES = ("tardiness", "makespan")
THRESHOLD = SolveParams().lns_threshold


def _movable(data) -> int:
    return sum(op.fixed is None for op in data.operations)


def _greedy_floor(data, objective: str) -> int:
    """Best primary objective over the dispatching rules' valid schedules."""
    values = []
    for rule in RULES:
        try:
            schedule = dispatch(data, rule)
        except Unschedulable:
            continue
        if check(data, schedule):
            continue
        ev = evaluate(data, schedule)
        values.append(ev.makespan if objective == "makespan" else ev.weighted_tardiness)
    assert values, "the instance must have a valid dispatching schedule"
    return min(values)


def _assert_solved(data, result, objective: str, floor: int | None = None) -> None:
    """A checked, complete schedule, no worse than the greedy start."""
    assert "failed unexpectedly" not in result.message, result.message
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE), result.message
    assert len(result.assignments) == len(data.operations)
    assert check(data, result.assignments) == []
    primary = result.makespan if objective == "makespan" else result.weighted_tardiness
    assert result.objective == primary
    assert result.start_objective is not None
    assert primary <= result.start_objective
    if floor is not None:
        assert primary <= floor


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_job_shop_20x20_above_threshold_with_default_windows(objective):
    """A random 20 x 20 job shop (400 operations) with the default LNS
    parameters: the window search runs several cycles of its three step
    kinds, in both objectives, and returns a valid schedule no worse than
    the best dispatching rule."""
    data = random_job_shop(1, 20, 20)
    assert _movable(data) > THRESHOLD
    result = solve(data, SolveParams(time_limit=1, workers=1, objective=objective))
    _assert_solved(data, result, objective, _greedy_floor(data, objective))


@pytest.mark.parametrize("objective", OBJECTIVES)
def test_factory_above_threshold(objective):
    """A factory with calendars, alternatives, due dates, rush and
    just-in-time orders, component orders and fixed work, above 300 movable
    operations. Windows of 20 operations (instead of 60, which take seconds
    of wall time each on one worker) let several steps of each kind run."""
    data = factory_instance(1, 100)
    assert _movable(data) > THRESHOLD
    params = SolveParams(
        time_limit=1, workers=1, objective=objective, lns_window_ops=20
    )
    result = solve(data, params)
    _assert_solved(data, result, objective, _greedy_floor(data, objective))


def test_factory_replan_above_threshold_in_makespan_mode():
    """Re-planning a factory above the threshold from a plan in force, with
    moves priced, in makespan mode: the window search with the stability
    terms returns a valid schedule no longer than the start. (Windows of 10:
    with the stability terms, 20 operations can take a second of wall time.)"""
    data = factory_instance(2, 100)
    plan = dispatch(data, RULES[0])
    ops = [
        op if op.fixed else dataclasses.replace(op, current=plan[i])
        for i, op in enumerate(data.operations)
    ]
    data = dataclasses.replace(data, operations=ops)
    assert _movable(data) > THRESHOLD
    params = SolveParams(
        time_limit=1, workers=1, objective="makespan", lns_window_ops=10, move_cost=480
    )
    _assert_solved(data, solve(data, params), "makespan")


@pytest.mark.parametrize("path", ("one model", "windows"))
@pytest.mark.parametrize("objective", OBJECTIVES)
@settings(
    derandomize=True,
    deadline=None,
    max_examples=8,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10**6),
    n_jobs=st.integers(1, 20),
    n_resources=st.integers(1, 4),
    window=st.integers(2, 30),
    replan=st.booleans(),
    move_cost=st.sampled_from((0, 480)),
    draw=st.data(),
)
def test_sizes_across_the_threshold_never_crash(
    objective, path, seed, n_jobs, n_resources, window, replan, move_cost, draw
):
    """Instances of 1 to about 80 movable operations, the threshold drawn
    within 30 of that size on the side that takes the drawn path: the one
    model at or below it, the window search above it, in both objectives,
    with or without a plan in force and priced moves. No solve fails, every
    schedule is valid and none is worse than its start."""
    data = factory_instance(seed, n_jobs, n_resources=n_resources)
    if replan:
        plan = dispatch(data, RULES[seed % len(RULES)])
        ops = [
            op if op.fixed else dataclasses.replace(op, current=plan[i])
            for i, op in enumerate(data.operations)
        ]
        data = dataclasses.replace(data, operations=ops)
    movable = _movable(data)
    if path == "windows" and movable > 0:
        threshold = draw.draw(st.integers(max(0, movable - 30), movable - 1))
    else:
        threshold = draw.draw(st.integers(movable, movable + 30))
    assert (movable > threshold) == (path == "windows") or movable == 0
    params = SolveParams(
        time_limit=0.4,
        workers=1,
        objective=objective,
        lns_threshold=threshold,
        lns_window_ops=window,
        lns_window_time=0.1,
        move_cost=move_cost,
    )
    _assert_solved(data, solve(data, params), objective)
