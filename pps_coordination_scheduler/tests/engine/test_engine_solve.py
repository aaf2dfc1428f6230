"""Hand-checked tiny instances for the solver's contract with the ORM glue."""

import dataclasses

from ...engine import (
    RULES,
    Assignment,
    Job,
    Mode,
    Operation,
    Precedence,
    ProblemData,
    Resource,
    SolveParams,
    Status,
    check,
    dispatch,
    evaluate,
    solve,
)
from .engine_helpers import (
    DAY,
    FT06,
    job_shop,
    random_instance,
    single_machine,
    two_shifts,
)

QUICK = SolveParams(time_limit=2, workers=1)
OPEN = ((0, 30 * DAY),)


def test_alternative_work_center_faster_or_free():
    """With two work centers able to run an operation the engine takes the
    faster one, and the slower one when the faster is taken by a fixed job."""
    op = Operation("op", 0, (Mode(0, 300), Mode(1, 200)))
    data = ProblemData(
        [Resource("slow", OPEN), Resource("fast", OPEN)],
        [Job("MO", due=0)],
        [op],
        rush_share=0,
    )
    assert solve(data, QUICK).assignments[0].resource == 1
    busy = Operation("busy", 1, (Mode(1, 500),), fixed=Assignment(1, 0, 0, 500))
    data = dataclasses.replace(
        data, jobs=[Job("MO", due=0), Job("X")], operations=[op, busy]
    )
    result = solve(data, QUICK)
    assert result.assignments[0] == Assignment(0, 0, 0, 300)


def test_component_order_before_consumer():
    """Multi-level precedence: the consuming order's first operation waits
    for the component order's last one plus its lag, even when listed first."""
    data = ProblemData(
        [Resource("A", OPEN), Resource("B", OPEN)],
        [Job("consumer", due=0), Job("component", due=0)],
        [Operation("use", 0, (Mode(1, 50),)), Operation("make", 1, (Mode(0, 100),))],
        [Precedence(1, 0, lag=10)],
        rush_share=0,
    )
    result = solve(data, QUICK)
    assert result.assignments[1].end == 100
    assert result.assignments[0].start == 110


def test_release_date_respected():
    """Material arrives at minute 500: nothing of the order starts earlier,
    even though the machine is idle and the order is late."""
    data = ProblemData(
        [Resource("A", OPEN)],
        [Job("MO", release=500, due=500)],
        [Operation("op", 0, (Mode(0, 60),))],
        rush_share=0,
    )
    assert solve(data, QUICK).assignments[0].start == 500


def test_fixed_operation_never_moves_and_others_route_around():
    """A locked or in-progress operation keeps its exact slot; urgent work
    flows around it instead of displacing it."""
    fixed = Assignment(0, 0, 100, 200)
    data = ProblemData(
        [Resource("A", OPEN)],
        [Job("J0", due=0), Job("J1", due=0), Job("locked")],
        [
            Operation("a", 0, (Mode(0, 100),)),
            Operation("b", 1, (Mode(0, 100),)),
            Operation("c", 2, (Mode(0, 100),), fixed=fixed),
        ],
        rush_share=0,
    )
    result = solve(data, QUICK)
    assert result.assignments[2] == fixed
    starts = sorted(result.assignments[i].start for i in (0, 1))
    assert starts == [0, 200]
    assert check(data, result.assignments) == []


def _three_long_operations(rush: bool) -> ProblemData:
    return ProblemData(
        [Resource("A", two_shifts(3))],
        [Job("MO", due=0, rush=rush)],
        [Operation(f"op{k}", 0, (Mode(0, 300),)) for k in range(3)],
        [Precedence(0, 1), Precedence(1, 2)],
        rush_share=0.2,
    )


def test_rush_reserve_keeps_a_fifth_of_each_day_for_rush_work():
    """900 minutes of normal work cannot fill a 960-minute day beyond 80%
    (768 minutes): the rest moves to the next day. The same work flagged rush
    may use the reserve and finishes the same day at 21:00."""
    normal = solve(_three_long_operations(rush=False), QUICK)
    assert check(_three_long_operations(False), normal.assignments) == []
    day0 = sum(
        min(a.end, 22 * 60) - a.start
        for a in normal.assignments.values()
        if a.start < DAY
    )
    assert day0 <= 768
    assert normal.makespan > DAY
    rush = solve(_three_long_operations(rush=True), QUICK)
    assert rush.makespan == 21 * 60


def test_operation_longer_than_a_days_non_rush_minutes_is_planned():
    """Two shifts give 960 working minutes a day, 768 outside a 20% reserve.
    A 2,000-minute normal operation cannot leave any day's reserve free, so it
    runs through it; a 300-minute one in the same plant still keeps it."""
    data = ProblemData(
        [Resource("A", two_shifts(6))],
        [Job("long", due=0), Job("short", due=0)],
        [
            Operation("long", 0, (Mode(0, 2000),)),
            Operation("short", 1, (Mode(0, 300),)),
        ],
        rush_share=0.2,
    )
    assert data.bound_by_reserve(1, 0) and not data.bound_by_reserve(0, 0)
    result = solve(data, QUICK)
    assert result.ok, result.message
    assert check(data, result.assignments) == []
    for rule in RULES:
        assert check(data, dispatch(data, rule)) == []


def test_reserve_binds_up_to_the_largest_days_non_rush_minutes():
    def one(duration):
        return ProblemData(
            [Resource("A", two_shifts(2))],
            [Job("J")],
            [Operation("o", 0, (Mode(0, duration),))],
            rush_share=0.2,
        )

    assert one(768).bound_by_reserve(0, 0)
    assert not one(769).bound_by_reserve(0, 0)


def test_rush_job_goes_first_when_capacity_conflicts():
    """Two orders due at the same time on one machine: the rush order (weight
    5) is scheduled first, the normal one is late."""
    data = single_machine([100, 100], dues=[100, 100], weights=[1, 5], rush=[0, 1])
    result = solve(data, QUICK)
    assert result.assignments[1].start == 0
    assert result.weighted_tardiness == 100


def test_unchanged_optimal_plan_gives_zero_moves():
    """Re-planning with nothing changed must not shuffle the shop floor: the
    current plan is optimal, so the answer is the same plan, zero moves."""
    data = random_instance(3, n_jobs=5)
    first = solve(data, QUICK)
    assert first.ok
    ops = [
        op if op.fixed else dataclasses.replace(op, current=first.assignments[i])
        for i, op in enumerate(data.operations)
    ]
    again = solve(dataclasses.replace(data, operations=ops), QUICK)
    assert again.moved == 0
    assert again.assignments == first.assignments


def test_same_seed_one_worker_is_deterministic():
    """With a fixed seed and one worker two runs return the same schedule, so
    planners see stable plans and bugs reproduce."""
    data = random_instance(11, n_jobs=8)
    params = SolveParams(time_limit=1, workers=1, seed=7)
    assert solve(data, params).assignments == solve(data, params).assignments


def test_makespan_mode_solves_ft06_to_its_optimum():
    """Makespan mode is a plain job-shop solver: Fisher-Thompson 6x6 has the
    proven optimum 55."""
    data = job_shop(*FT06)
    result = solve(data, SolveParams(time_limit=5, workers=2, objective="makespan"))
    assert result.status == Status.OPTIMAL
    assert result.makespan == 55


def test_never_worse_than_any_dispatching_rule():
    """The greedy start is the floor: whatever CP-SAT does, solve() returns a
    schedule at least as good as every dispatching rule's."""
    for seed in (1, 2):
        data = random_instance(seed, n_jobs=8)
        result = solve(data, SolveParams(time_limit=1, workers=1))
        for rule in RULES:
            greedy = evaluate(data, dispatch(data, rule))
            assert result.weighted_tardiness <= greedy.weighted_tardiness


def test_large_instance_uses_windows_and_stays_valid():
    """Above the LNS threshold the engine improves by windows; the result
    must still be complete, valid and no worse than the start."""
    data = random_instance(5, n_jobs=12)
    params = SolveParams(
        time_limit=2, workers=1, lns_threshold=5, lns_window_ops=6, lns_window_time=0.2
    )
    result = solve(data, params)
    assert result.ok and check(data, result.assignments) == []
    assert result.weighted_tardiness <= result.start_objective


def test_overlapping_fixed_operations_are_infeasible_and_say_so():
    """Two locked operations on one machine at the same time cannot both be
    honoured: the result is infeasible, writes nothing, and names them."""
    data = ProblemData(
        [Resource("A", OPEN)],
        [Job("J0"), Job("J1")],
        [
            Operation("x", 0, (Mode(0, 100),), fixed=Assignment(0, 0, 0, 100)),
            Operation("y", 1, (Mode(0, 100),), fixed=Assignment(0, 0, 50, 150)),
        ],
    )
    result = solve(data, QUICK)
    assert result.status == Status.INFEASIBLE
    assert result.assignments == {}
    assert "overlap" in result.message and "'x'" in result.message


def test_calendar_too_short_is_infeasible_with_a_reason():
    """An operation longer than all remaining working time cannot be planned:
    the status says infeasible and the message says what could not be placed."""
    data = ProblemData(
        [Resource("A", ((0, 100),))],
        [Job("J0")],
        [Operation("long", 0, (Mode(0, 500),))],
        rush_share=0,
    )
    result = solve(data, QUICK)
    assert result.status in (Status.INFEASIBLE, Status.UNKNOWN)
    assert result.assignments == {}
    assert "'long'" in result.message


def test_repair_keeps_most_of_a_plan_broken_by_a_new_lock():
    """When a new locked operation lands on the plan in force, re-planning
    repairs around it instead of rebuilding: the large-instance path (LNS)
    starts from the repaired plan and keeps the other operations in place."""
    data = random_instance(21, n_jobs=10, share=0)
    first = solve(data, QUICK)
    ops = [
        op if op.fixed else dataclasses.replace(op, current=first.assignments[i])
        for i, op in enumerate(data.operations)
    ]
    victim = next(i for i, op in enumerate(ops) if not op.fixed)
    a = first.assignments[victim]
    lock = Operation("lock", len(data.jobs), (Mode(a.resource, 1),))
    lock = dataclasses.replace(
        lock, fixed=Assignment(a.resource, 0, a.start, a.start + 1)
    )
    changed = dataclasses.replace(
        data, jobs=[*data.jobs, Job("L")], operations=[*ops, lock]
    )
    params = SolveParams(time_limit=1, workers=1, lns_threshold=5, lns_window_ops=6)
    result = solve(changed, params)
    assert result.ok and check(changed, result.assignments) == []
    assert result.assignments[victim].start != a.start
    assert result.moved <= len(ops) // 2


def test_large_instance_path_is_deterministic_too():
    """The window search counts its CP-SAT calls at their full deterministic
    budget, so with one worker and a seed the large-instance path repeats
    itself exactly as well."""
    data = random_instance(8, n_jobs=12)
    params = SolveParams(
        time_limit=1, workers=1, seed=3, lns_threshold=5, lns_window_ops=8,
        lns_window_time=0.2,
    )  # fmt: skip
    assert solve(data, params).assignments == solve(data, params).assignments


def _two_jobs_in_the_wrong_order():
    """J1 is due first but planned second: swapping saves 60 weighted minutes
    and moves both operations."""
    data = single_machine([60, 60], dues=[120, 60])
    plan = (Assignment(0, 0, 0, 60), Assignment(0, 0, 60, 120))
    ops = [
        dataclasses.replace(op, current=plan[i]) for i, op in enumerate(data.operations)
    ]
    return dataclasses.replace(data, operations=ops)


def test_move_cost_decides_whether_a_small_gain_reorders_the_plan():
    """Two moves priced 100 each cost more than the 60 minutes they save: the
    plan in force stands. Priced 10 each (cost 20), the swap is made. Both on
    the one-model path and on the window path."""
    data = _two_jobs_in_the_wrong_order()
    for lns in (300, 1):
        for move_cost, tardiness, moved in ((100, 60, 0), (10, 0, 2)):
            params = SolveParams(
                time_limit=2, workers=1, move_cost=move_cost, lns_threshold=lns
            )
            result = solve(data, params)
            assert result.ok
            assert (result.weighted_tardiness, result.moved) == (tardiness, moved)


def test_move_cost_must_be_a_non_negative_integer():
    for bad in (-1, 1.5, "10"):
        try:
            SolveParams(move_cost=bad)
        except ValueError as error:
            assert "move_cost" in str(error)
        else:
            raise AssertionError(f"move_cost={bad!r} was accepted")
