"""The independent checker catches every kind of broken schedule."""

import dataclasses

import pytest

from ...engine import (
    Assignment,
    Job,
    Mode,
    Operation,
    Precedence,
    ProblemData,
    Resource,
    check,
    dispatch,
    evaluate,
)
from .engine_helpers import DAY, hours, two_shifts


@pytest.fixture
def case():
    """Two jobs on one two-shift machine, one fixed operation, a reserve."""
    data = ProblemData(
        [Resource("A", two_shifts(5)), Resource("B", two_shifts(5))],
        [Job("J0", due=DAY), Job("J1", release=hours(8), due=2 * DAY), Job("L")],
        [
            Operation("a", 0, (Mode(0, 120),)),
            Operation("b", 0, (Mode(1, 60),)),
            Operation("c", 1, (Mode(0, 90),)),
            Operation(
                "f", 2, (Mode(1, 60),), fixed=Assignment(1, 0, DAY + 360, DAY + 420)
            ),
        ],
        [Precedence(0, 1, lag=15)],
        rush_share=0.2,
    )
    schedule = dispatch(data)
    assert check(data, schedule) == []
    return data, schedule


def kinds(data, schedule) -> set[str]:
    return {v.kind for v in check(data, schedule)}


def test_overlap_detected(case):
    """Two operations on one machine at once are impossible on the floor."""
    data, s = case
    a, c = s[0], s[2]
    s[2] = Assignment(c.resource, 0, a.start, a.start + (c.end - c.start))
    assert "overlap" in kinds(data, s)


def test_precedence_violation_detected(case):
    """A successor starting before its predecessor ends (plus lag) breaks
    the routing."""
    data, s = case
    b = s[1]
    s[1] = dataclasses.replace(b, start=s[0].end + 5, end=s[0].end + 65)
    assert "precedence" in kinds(data, s)


def test_start_in_non_working_time_detected(case):
    """Nothing may start at night (23:00) when the work center is closed."""
    data, s = case
    s[2] = Assignment(0, 0, hours(23), hours(23) + 90)
    assert "calendar" in kinds(data, s)


def test_wrong_end_detected(case):
    """The end must be the start plus the working minutes, skipping nights."""
    data, s = case
    s[2] = dataclasses.replace(s[2], end=s[2].end + 1)
    assert "span" in kinds(data, s)


def test_reserve_violation_detected():
    """Filling a whole day with non-rush work eats the rush reserve. (A single
    operation longer than the day's 768 non-rush minutes may: it could not
    leave the reserve free anywhere.)"""
    data = ProblemData(
        [Resource("A", two_shifts(2))],
        [Job("J")],
        [Operation(k, 0, (Mode(0, 480),)) for k in ("x", "y")],
        rush_share=0.2,
    )
    full_day = {
        0: Assignment(0, 0, hours(6), hours(14)),
        1: Assignment(0, 0, hours(14), hours(22)),
    }
    assert "reserve" in kinds(data, full_day)
    long = dataclasses.replace(data, operations=[Operation("x", 0, (Mode(0, 960),))])
    assert "reserve" not in kinds(long, {0: Assignment(0, 0, hours(6), hours(22))})


def test_fixed_operation_moved_detected(case):
    """A locked operation must keep its exact slot."""
    data, s = case
    s[3] = dataclasses.replace(s[3], start=s[3].start + 60, end=s[3].end + 60)
    assert "fixed" in kinds(data, s)


def test_missing_operation_detected(case):
    """Every operation must be scheduled exactly once."""
    data, s = case
    del s[2]
    assert "missing" in kinds(data, s)


def test_release_violation_detected(case):
    """Nothing of an order starts before its material is there."""
    data, s = case
    s[2] = Assignment(0, 0, hours(6), hours(6) + 90)
    assert "release" in kinds(data, s)


def test_evaluate_reports_weighted_tardiness_and_on_time_rate():
    """The measures the dispatch board shows: one of two jobs 30 min late
    with weight 2 gives weighted tardiness 60 and a 50% on-time rate."""
    data = ProblemData(
        [Resource("A", ((0, DAY),))],
        [Job("J0", due=100, weight=2), Job("J1", due=1000)],
        [Operation("x", 0, (Mode(0, 130),)), Operation("y", 1, (Mode(0, 10),))],
        rush_share=0,
    )
    ev = evaluate(data, {0: Assignment(0, 0, 0, 130), 1: Assignment(0, 0, 130, 140)})
    assert (ev.weighted_tardiness, ev.late_jobs, ev.on_time_rate) == (60, 1, 0.5)
    assert ev.makespan == 140
