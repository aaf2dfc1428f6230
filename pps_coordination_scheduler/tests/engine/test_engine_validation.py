"""Bad input is refused with a clear ValueError; valid input never crashes."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ...engine import (
    MAX_HORIZON,
    RULES,
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
from .engine_helpers import random_instance

OPEN = ((0, 10_000),)


def test_negative_duration_refused():
    """A negative or zero duration is a data error upstream, not a plan."""
    with pytest.raises(ValueError, match="duration must be positive"):
        Mode(0, -5)


def test_precedence_cycle_refused():
    """A cycle (A before B before A) can never be scheduled."""
    ops = [Operation("a", 0, (Mode(0, 1),)), Operation("b", 0, (Mode(0, 1),))]
    with pytest.raises(ValueError, match="cycle"):
        ProblemData(
            [Resource("R", OPEN)], [Job("J")], ops, [Precedence(0, 1), Precedence(1, 0)]
        )


def test_empty_calendar_refused():
    """A work center without working time cannot host its operations."""
    with pytest.raises(ValueError, match="calendar is empty"):
        ProblemData([Resource("R", ())], [Job("J")], [Operation("a", 0, (Mode(0, 1),))])


def test_due_before_release_refused():
    """An order due before its material arrives is inconsistent input."""
    with pytest.raises(ValueError, match="before its release"):
        Job("J", release=100, due=50)


def test_huge_horizon_refused():
    """More than five years of minutes is a unit mistake, not a plan."""
    with pytest.raises(ValueError, match="five years"):
        ProblemData([Resource("R", OPEN)], [Job("J")], [], horizon=MAX_HORIZON + 1)
    with pytest.raises(ValueError, match="five years"):
        Resource("R", ((0, MAX_HORIZON + 10),))


def test_duplicate_keys_refused():
    """Keys map results back to records: duplicates would be ambiguous."""
    with pytest.raises(ValueError, match="duplicate operation key"):
        ProblemData(
            [Resource("R", OPEN)],
            [Job("J")],
            [Operation("a", 0, (Mode(0, 1),)), Operation("a", 0, (Mode(0, 1),))],
        )


def test_unknown_indexes_refused():
    """Links by index must point at existing objects."""
    with pytest.raises(ValueError, match="unknown resource index"):
        ProblemData(
            [Resource("R", OPEN)], [Job("J")], [Operation("a", 0, (Mode(3, 1),))]
        )
    with pytest.raises(ValueError, match="unknown operation index"):
        ProblemData(
            [Resource("R", OPEN)],
            [Job("J")],
            [Operation("a", 0, (Mode(0, 1),))],
            [Precedence(0, 4)],
        )


def test_fixed_without_start_refused():
    """A fixed operation needs a full Assignment (resource, start, end)."""
    with pytest.raises(ValueError, match="must be an Assignment"):
        Operation("a", 0, (Mode(0, 1),), fixed=(0, 10))
    with pytest.raises(ValueError, match="not after its start"):
        Assignment(0, 0, 10, 10)


def test_overlapping_windows_refused():
    """Windows must be sorted and disjoint, as the glue computes them."""
    with pytest.raises(ValueError, match="sorted and disjoint"):
        Resource("R", ((0, 100), (50, 200)))


@settings(max_examples=60, deadline=None)
@given(
    duration=st.integers(-1000, 1000),
    release=st.integers(-100, 10**9),
    due=st.one_of(st.none(), st.integers(-100, 10**9)),
    window_end=st.integers(-10, 10**9),
    share=st.floats(-1, 2, allow_nan=False),
)
def test_random_numbers_give_a_result_or_a_value_error(
    duration, release, due, window_end, share
):
    """Whatever numbers the glue passes, the engine answers with a Result or
    a ValueError explaining the input problem, never another exception."""
    try:
        data = ProblemData(
            [Resource("R", ((0, window_end),))],
            [Job("J", release=release, due=due)],
            [Operation("a", 0, (Mode(0, duration),))],
            rush_share=share,
        )
    except ValueError as error:
        assert str(error)
        return
    result = solve(data, SolveParams(time_limit=0.5, workers=1))
    if result.ok:
        assert check(data, result.assignments) == []
    else:
        assert result.assignments == {} and result.message


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), n_jobs=st.integers(1, 7))
def test_random_valid_instances_solve_to_checked_schedules(seed, n_jobs):
    """On random small factories (calendars with leaves, alternatives,
    component orders, rush, fixed operations) the result passes the
    independent checker and is no worse than every dispatching rule."""
    data = random_instance(seed, n_jobs)
    result = solve(data, SolveParams(time_limit=0.5, workers=1))
    assert result.ok, result.message
    assert check(data, result.assignments) == []
    for rule in RULES:
        greedy = evaluate(data, dispatch(data, rule))
        assert result.weighted_tardiness <= greedy.weighted_tardiness
