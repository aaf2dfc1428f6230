"""Messages name things by their labels: the names a planner knows.

The glue keeps record ids as the engine's opaque keys and passes the names
(work center, order, "order - operation") as labels. Every message the engine
can produce for a user (validation errors, the solver's diagnosis, the
dispatcher's failures, the checker's violations) must prefer the label, and
fall back on the key only when there is none.
"""

import re

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
    Status,
    check,
    dispatch,
    solve,
)
from .engine_helpers import hours, two_shifts

QUICK = SolveParams(time_limit=1, workers=1)
IDS = (9004, 9180, 9183, 9501, 9502)  # the keys: record ids, never shown


def assert_named(message, *names):
    """``message`` contains every name and none of the keys as a number."""
    for name in names:
        assert name in message, message
    for key in IDS:
        assert not re.search(rf"\b{key}\b", message), message


def plant(first, second, windows=None):
    """Two orders with one work order each on the work center "Cutting"."""
    windows = two_shifts(3) if windows is None else windows
    return ProblemData(
        [Resource(9004, windows, label="Cutting")],
        [Job(9501, label="WH/MO/00012"), Job(9502, label="WH/MO/00013")],
        [
            Operation(9183, 0, (Mode(0, 100),), fixed=first, label="WH/MO/00012 - Cut"),
            Operation(
                9180, 1, (Mode(0, 100),), fixed=second, label="WH/MO/00013 - Cut"
            ),
        ],
        rush_share=0.2,
    )


def test_overlapping_fixed_work_is_named_by_labels():
    """The measured message was "fixed operations 183 and 180 overlap on work
    center 4": with labels it names both work orders and the work center."""
    data = plant(
        Assignment(0, 0, hours(6), hours(6) + 100),
        Assignment(0, 0, hours(7), hours(7) + 100),
    )
    result = solve(data, QUICK)
    assert result.status == Status.INFEASIBLE
    assert_named(result.message, "WH/MO/00012 - Cut", "WH/MO/00013 - Cut", "Cutting")


def test_checker_violations_are_named_by_labels():
    """The checker's overlap, precedence and missing-work messages name the
    work orders and the work center by label."""
    data = plant(None, None)
    data = ProblemData(
        data.resources, data.jobs, data.operations, [Precedence(0, 1)], rush_share=0
    )
    same = Assignment(0, 0, hours(6), hours(6) + 100)
    messages = " ".join(v.message for v in check(data, {0: same, 1: same}))
    assert_named(messages, "WH/MO/00012 - Cut", "WH/MO/00013 - Cut", "Cutting")
    assert "overlap" in messages and "starts before" in messages
    missing = check(data, {0: same})
    assert_named(missing[0].message, "WH/MO/00013 - Cut")


def test_validation_and_dispatch_failures_are_named_by_labels():
    """A work center whose calendar is empty, a routing cycle and work that
    does not fit the calendar are reported with the names."""
    with pytest.raises(ValueError) as empty:
        plant(None, None, windows=())
    assert_named(str(empty.value), "WH/MO/00012 - Cut", "Cutting")
    data = plant(None, None)
    with pytest.raises(ValueError) as cycle:
        ProblemData(
            data.resources,
            data.jobs,
            data.operations,
            [Precedence(0, 1), Precedence(1, 0)],
        )
    assert_named(str(cycle.value), "WH/MO/00012 - Cut", "WH/MO/00013 - Cut")
    short = plant(None, None, windows=((0, 150),))
    with pytest.raises(ValueError) as unplaced:
        dispatch(short)
    assert_named(str(unplaced.value), "WH/MO/00013 - Cut")
    result = solve(short, QUICK)
    assert not result.ok
    assert_named(result.message, "WH/MO/00013 - Cut")
    with pytest.raises(ValueError, match="label must be a string"):
        Job(9501, label=12)


def test_without_labels_messages_show_the_keys():
    """Engine users without labels (benchmarks, tests) still get the keys."""
    data = ProblemData(
        [Resource("A", ((0, 500),))],
        [Job("J0"), Job("J1")],
        [
            Operation("x", 0, (Mode(0, 100),), fixed=Assignment(0, 0, 0, 100)),
            Operation("y", 1, (Mode(0, 100),), fixed=Assignment(0, 0, 50, 150)),
        ],
    )
    message = solve(data, QUICK).message
    assert "'x'" in message and "'y'" in message and "'A'" in message
