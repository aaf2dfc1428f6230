"""Just in time: a job with ``jit_slack`` starts no earlier than it needs to.

Postponing an order must move its work later (the issue "one plan for every
order"): the engine derives each such job's earliest start from its due date,
so every run, the dispatching rule, CP-SAT and the checker all keep it.
"""

import pytest

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
    solve,
)
from .engine_helpers import DAY, hours, two_shifts

QUICK = SolveParams(time_limit=2, workers=1)


def _two_steps(due, slack, days=20):
    """One job of two chained operations (4 h then 2 h) on two resources open
    06:00-22:00 every day."""
    windows = two_shifts(days)
    return ProblemData(
        [Resource("cut", windows), Resource("weld", windows)],
        [Job("MO", due=due, jit_slack=slack)],
        [
            Operation("cut", 0, (Mode(0, hours(4)),)),
            Operation("weld", 0, (Mode(1, hours(2)),)),
        ],
        [Precedence(0, 1)],
    )


def test_latest_start_walks_back_over_the_calendar():
    """Due at 12:00 on day 10: weld 10:00-12:00 (2 h back), cut 4 h before
    that, 06:00-10:00; with no slack the job is released exactly then."""
    due = 10 * DAY + hours(12)
    data = _two_steps(due, slack=0)
    assert data.releases == (10 * DAY + hours(6),)


def test_latest_start_spans_the_night():
    """Due at 08:00 on day 10: weld 06:00-08:00, cut must end by 06:00, so it
    runs the last 4 hours of day 9 (18:00-22:00)."""
    data = _two_steps(10 * DAY + hours(8), slack=0)
    assert data.releases == (9 * DAY + hours(18),)


def test_slack_and_no_jit():
    """The slack moves the earliest start earlier by exactly its minutes;
    without jit_slack the release stays as given (as soon as possible)."""
    due = 10 * DAY + hours(12)
    assert _two_steps(due, slack=hours(24)).releases == (9 * DAY + hours(6),)
    assert _two_steps(due, slack=None).releases == (0,)


def test_due_that_cannot_be_met_means_as_soon_as_possible():
    """A due date too close for the work (even on an idle plant) gives no
    waiting: the job is released at once."""
    data = _two_steps(hours(7), slack=0)
    assert data.releases == (0,)


def test_sub_assembly_is_due_when_its_parent_must_start():
    """A child job feeding a parent is pulled back by the parent's latest
    start, not by its own (later) due date."""
    windows = ((0, 30 * DAY),)
    data = ProblemData(
        [Resource("r", windows)],
        [Job("child", due=20 * DAY, jit_slack=0), Job("parent", due=20 * DAY)],
        [
            Operation("c", 0, (Mode(0, 600),)),
            Operation("p", 1, (Mode(0, 600),)),
        ],
        [Precedence(0, 1)],
    )
    assert data.releases == (20 * DAY - 1200, 0)


@pytest.mark.parametrize("use_solve", [False, True])
def test_postponed_job_starts_later_in_every_solver(use_solve):
    """Moving the due date 5 days later moves the work 5 days later, in the
    dispatching rule and in CP-SAT, and the checker accepts it."""
    early = _two_steps(5 * DAY + hours(12), slack=hours(8))
    late = _two_steps(10 * DAY + hours(12), slack=hours(8))
    starts = []
    for data in (early, late):
        if use_solve:
            result = solve(data, QUICK)
            assert result.ok
            assignments = result.assignments
        else:
            assignments = dispatch(data)
        assert check(data, assignments) == []
        starts.append(assignments[0].start)
        assert assignments[0].start >= data.releases[0]
    assert starts[1] - starts[0] == 5 * DAY


def test_checker_refuses_work_before_the_jit_release():
    """The checker holds the engine to the derived earliest start."""
    data = _two_steps(10 * DAY + hours(12), slack=0)
    early = {
        0: Assignment(0, 0, hours(6), hours(10)),
        1: Assignment(1, 0, hours(10), hours(12)),
    }
    kinds = {v.kind for v in check(data, early)}
    assert "release" in kinds


def test_negative_slack_is_refused():
    """Bad input gets a clear error naming the job."""
    with pytest.raises(ValueError, match="MO.*jit_slack"):
        Job("MO", due=10, jit_slack=-1)
