"""A late job the solver cannot move (all its work fixed) beside movable work.

Frozen-zone and pinned work is fixed in every run now, so problems often hold
late jobs made only of fixed operations. Their lateness is a constant the
CP-SAT model leaves out; the second (stability) phase once compared the
model's objective with the evaluator's and found no start to hint, crashing
with an IndexError on the demo plant.
"""

from ...engine import (
    Assignment,
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    SolveParams,
    solve,
)

DAY = 1440


def test_fixed_late_job_beside_movable_work_is_solved():
    """The run succeeds, keeps the fixed work and reports its lateness."""
    data = ProblemData(
        [Resource("r", ((0, 10 * DAY),))],
        [Job("fixed late", due=10), Job("movable", due=DAY), Job("other", due=DAY)],
        [
            Operation("f", 0, (Mode(0, 120),), fixed=Assignment(0, 0, 60, 180)),
            Operation("m1", 1, (Mode(0, 60),), current=Assignment(0, 0, 300, 360)),
            Operation("m2", 2, (Mode(0, 60),), current=Assignment(0, 0, 400, 460)),
        ],
    )
    result = solve(data, SolveParams(time_limit=2, workers=1, move_cost=10))
    assert result.ok, result.message
    assert result.assignments[0] == Assignment(0, 0, 60, 180)
    assert result.tardiness[0] == 170
