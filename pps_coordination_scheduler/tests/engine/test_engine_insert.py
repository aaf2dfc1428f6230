"""A new order inserted into the plan in force moves nothing that has a plan.

The repair start re-checks every slot of the plan with the dispatcher's
reserve rule (a contiguous block kept free of movable non-rush work each day),
which is stricter than the checker's budget: a plan the checker accepts may
fail it, and then the repair moves that work. The insertion start keeps the
plan as it is and places only the new work.
"""

from ...engine import (
    Assignment,
    Job,
    Mode,
    Operation,
    Precedence,
    ProblemData,
    Resource,
    SolveParams,
    check,
    dispatch,
    evaluate,
    solve,
)
from .engine_helpers import DAY


def _plan_with_a_new_order(new=True):
    """One machine open 1,000 minutes a day, a fifth kept for rush work: A is
    frozen on [0, 300), B (500 minutes, due at 800) planned right after it.
    The checker's budget holds (B's 500 minutes are the day's 800 minus A's
    300), but no 500-minute block is left free of B, so the dispatcher's rule
    refuses B's slot. C, new, has no plan."""
    windows = tuple((d * DAY, d * DAY + 1000) for d in range(10))
    jobs = [Job("A", due=5 * DAY), Job("B", due=800), Job("C", due=5 * DAY)]
    ops = [
        Operation("a", 0, (Mode(0, 300),), fixed=Assignment(0, 0, 0, 300)),
        Operation("b", 1, (Mode(0, 500),), current=Assignment(0, 0, 300, 800)),
    ]
    if new:
        ops.append(Operation("c", 2, (Mode(0, 100),)))
    return ProblemData([Resource("M", windows)], jobs, ops, rush_share=0.2)


def test_the_plan_in_force_passes_the_check_but_not_the_repair():
    data = _plan_with_a_new_order(new=False)
    plan = {0: data.operations[0].fixed, 1: data.operations[1].current}
    assert check(data, plan) == []
    repaired = dispatch(_plan_with_a_new_order(), "current")
    assert repaired[1].start != 300, "the repair moves B"


def test_a_new_order_is_inserted_around_the_plan_without_moving_it():
    data = _plan_with_a_new_order()
    inserted = dispatch(data, "insert")
    assert check(data, inserted) == []
    assert inserted[1] == data.operations[1].current
    assert inserted[2].start >= 800
    assert evaluate(data, inserted).moved == 0
    result = solve(data, SolveParams(time_limit=2, workers=1, move_cost=480))
    assert result.ok, result.message
    assert result.moved == 0
    assert result.assignments[1] == data.operations[1].current
    assert result.start_rule == "insert"
    assert result.tardiness.get(1, 0) == 0


def test_work_whose_start_has_passed_moves_with_what_follows_it_only():
    """Now is 100: X's first step was planned at 0 and has not started, so
    the plan in force fails the check as a whole. Its second step, planned
    at 120 (after now), no longer holds either: its predecessor will end
    later. The insertion keeps Y (on the second machine, not after X) where
    it is and re-plans X's two steps from now, the second after the first."""
    windows = ((0, 10 * DAY),)
    jobs = [Job("X", due=5 * DAY, release=100), Job("Y", due=5 * DAY, release=100)]
    ops = [
        Operation("x1", 0, (Mode(0, 60),), current=Assignment(0, 0, 0, 60)),
        Operation("x2", 0, (Mode(1, 60),), current=Assignment(1, 0, 120, 180)),
        Operation("y", 1, (Mode(1, 60),), current=Assignment(1, 0, 300, 360)),
    ]
    data = ProblemData(
        [Resource("M0", windows), Resource("M1", windows)],
        jobs,
        ops,
        precedences=[Precedence(0, 1)],
    )
    plan = {i: op.current for i, op in enumerate(data.operations)}
    assert check(data, plan) != [], "a start before its release fails the check"
    inserted = dispatch(data, "insert")
    assert check(data, inserted) == []
    assert inserted[2] == data.operations[2].current, "Y keeps its slot"
    assert inserted[0].start >= 100
    assert inserted[1].start >= inserted[0].end
    result = solve(data, SolveParams(time_limit=2, workers=1, move_cost=480))
    assert result.ok, result.message
    assert result.assignments[2] == data.operations[2].current
    assert result.moved == 2
