"""Hostile input to the engine: every defect is a clear ValueError, never a crash.

Each test starts from a valid seeded factory (``random_instance``) and breaks
it in one way chosen by hypothesis (negative or zero durations, cycles in the
precedences, empty calendars, due dates before release, huge horizons, ...).
The engine must refuse the data while it is being built -- a ``ValueError``
raised from ``engine/data.py`` whose message names the defect -- so that the
solver never sees it. Inputs that are valid but nasty (work longer than any
window, releases after the horizon, one-minute horizons) must come back from
``solve()`` as a ``Result`` whose message says what happened.

The examples are derandomized so that CI is deterministic; the counters at the
bottom report how many inputs were generated (``pytest -s`` shows them).
"""

# pylint: disable=print-used
# (the suite prints its input counts (pytest -s))

import traceback
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ...engine import (
    MAX_HORIZON,
    Job,
    Mode,
    Operation,
    Precedence,
    ProblemData,
    Resource,
    SolveParams,
    Status,
    check,
    solve,
)
from .engine_helpers import random_instance

GENERATED = Counter()

FUZZ = settings(
    derandomize=True,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
)


def _rebuild(data, **changes):
    """A new ProblemData from ``data``'s parts, with ``changes`` applied."""
    parts = {
        "resources": list(data.resources),
        "jobs": list(data.jobs),
        "operations": list(data.operations),
        "precedences": list(data.precedences),
        "horizon": data.horizon,
        "rush_share": data.rush_share,
        "day_length": data.day_length,
        "day_offset": data.day_offset,
    }
    parts.update(changes)
    return ProblemData(**parts)


def _assert_refused_by_validation(build, pattern):
    """``build()`` raises a ValueError matching ``pattern`` from the data module."""
    with pytest.raises(ValueError, match=pattern) as info:
        build()
    frames = traceback.extract_tb(info.value.__traceback__)
    origin = Path(frames[-1].filename)
    assert origin.name == "data.py" and origin.parent.name == "engine", (
        f"the error must come from the engine's validation, not {origin}"
    )
    assert len(str(info.value)) > 15, "the message must say what is wrong"


def _movable(data):
    return [i for i, op in enumerate(data.operations) if op.fixed is None]


base_instances = st.builds(
    random_instance, seed=st.integers(0, 10**6), n_jobs=st.integers(1, 5)
)


@FUZZ
@given(data=base_instances, duration=st.integers(-(10**7), 0), pick=st.integers(0, 99))
def test_negative_or_zero_duration(data, duration, pick):
    """A work order with a negative or zero duration (bad routing data) is
    refused while the mode is built."""
    GENERATED["negative_duration"] += 1
    ops = list(data.operations)
    i = pick % len(ops)
    resource = ops[i].modes[0].resource

    def build():
        ops[i] = Operation(ops[i].key, ops[i].job, (Mode(resource, duration),))
        return _rebuild(data, operations=ops)

    _assert_refused_by_validation(build, "duration must be positive")


@FUZZ
@given(data=base_instances, length=st.integers(2, 6), start=st.integers(0, 99))
def test_precedence_cycle(data, length, start):
    """A cycle of any length in the precedences (a BoM that consumes its own
    product) is refused and the message names operations on the cycle."""
    GENERATED["cycle"] += 1
    n = len(data.operations)
    if n < 2:
        length = 1
    members = [(start + k) % n for k in range(min(length, n))]
    if len(members) == 1:  # one operation: a self-loop is the only cycle
        _assert_refused_by_validation(
            lambda: Precedence(members[0], members[0]), "on itself"
        )
        return
    loop = [
        Precedence(members[k], members[(k + 1) % len(members)])
        for k in range(len(members))
    ]
    _assert_refused_by_validation(
        lambda: _rebuild(data, precedences=list(data.precedences) + loop),
        "cycle through operations",
    )


@FUZZ
@given(data=base_instances, pick=st.integers(0, 99))
def test_empty_calendar(data, pick):
    """A work center whose calendar has no working time cannot host the
    movable operations that need it."""
    GENERATED["empty_calendar"] += 1
    movable = _movable(data)
    op = data.operations[movable[pick % len(movable)]]
    emptied = {mode.resource for mode in op.modes}
    resources = [
        Resource(r.key, ()) if k in emptied else r for k, r in enumerate(data.resources)
    ]
    _assert_refused_by_validation(
        lambda: _rebuild(data, resources=resources), "calendar is empty"
    )


@FUZZ
@given(
    data=base_instances,
    pick=st.integers(0, 99),
    release=st.integers(1, MAX_HORIZON),
    early=st.integers(1, 10**6),
)
def test_due_before_release(data, pick, release, early):
    """An order due before its material arrives is inconsistent input."""
    GENERATED["due_before_release"] += 1
    jobs = list(data.jobs)
    j = pick % len(jobs)

    def build():
        jobs[j] = replace(jobs[j], release=release, due=release - early)
        return _rebuild(data, jobs=jobs)

    _assert_refused_by_validation(build, "before its release")


@FUZZ
@given(
    data=base_instances,
    excess=st.integers(1, 10**12),
    where=st.sampled_from(["horizon", "window", "release", "due"]),
)
def test_huge_horizon(data, excess, where):
    """More than five years of minutes (a unit mistake: seconds for minutes)
    is refused wherever it appears: horizon, calendar, release or due date."""
    GENERATED["huge_horizon"] += 1
    huge = MAX_HORIZON + excess
    if where == "horizon":
        build = lambda: _rebuild(data, horizon=huge)
    elif where == "window":
        build = lambda: Resource("far", ((0, huge),))
    elif where == "release":
        jobs = [replace(data.jobs[0], release=huge, due=None), *data.jobs[1:]]
        build = lambda: _rebuild(data, jobs=jobs)
    else:
        jobs = [replace(data.jobs[0], due=huge), *data.jobs[1:]]
        build = lambda: _rebuild(data, jobs=jobs)
    _assert_refused_by_validation(build, "five years")


@FUZZ
@given(
    data=base_instances,
    defect=st.sampled_from(
        [
            "negative_release",
            "negative_lag",
            "unknown_resource",
            "unknown_operation",
            "float_duration",
            "text_duration",
            "rush_share",
            "overlapping_windows",
            "duplicate_key",
            "zero_weight",
        ]
    ),
    value=st.integers(1, 10**6),
)
def test_other_defects(data, defect, value):
    """The other ways the glue could pass bad data each get their own message."""
    GENERATED["other_defects"] += 1
    ops = list(data.operations)
    n_res = len(data.resources)
    cases = {
        "negative_release": (
            lambda: Job("J", release=-value),
            "is negative",
        ),
        "negative_lag": (lambda: Precedence(0, 1, lag=-value), "lag must be >= 0"),
        "unknown_resource": (
            lambda: _rebuild(
                data,
                operations=[Operation("x", 0, (Mode(n_res + value, 10),)), *ops],
            ),
            "unknown resource index",
        ),
        "unknown_operation": (
            lambda: _rebuild(
                data,
                precedences=[Precedence(0, len(ops) + value)],
            ),
            "unknown operation index",
        ),
        "float_duration": (lambda: Mode(0, value + 0.5), "integer number of minutes"),
        "text_duration": (lambda: Mode(0, str(value)), "integer number of minutes"),
        "rush_share": (
            lambda: _rebuild(data, rush_share=1 + value / 10),
            r"rush_share must be in \[0, 1\)",
        ),
        "overlapping_windows": (
            lambda: Resource("R", ((0, value + 10), (value, value + 20))),
            "sorted and disjoint",
        ),
        "duplicate_key": (
            lambda: _rebuild(data, operations=[*ops, ops[0]]),
            "duplicate operation key",
        ),
        "zero_weight": (lambda: Job("J", weight=0), "weight must be an integer"),
    }
    build, pattern = cases[defect]
    _assert_refused_by_validation(build, pattern)


@settings(
    derandomize=True,
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    data=base_instances,
    nasty=st.sampled_from(
        ["longer_than_windows", "release_after_horizon", "tiny_horizon", "heavy"]
    ),
    value=st.integers(1, 10**5),
)
def test_valid_but_nasty_input_gets_a_result(data, nasty, value):
    """Input that passes validation but cannot (or can barely) be planned comes
    back as a Result: a checked schedule, or no schedule and a reason. The
    solver never raises."""
    GENERATED["nasty_valid"] += 1
    if nasty == "longer_than_windows":
        ops = list(data.operations)
        i = _movable(data)[value % len(_movable(data))]
        mode = ops[i].modes[0]
        ops[i] = Operation(ops[i].key, ops[i].job, (Mode(mode.resource, 60 * 24 * 60),))
        data = _rebuild(data, operations=ops)
    elif nasty == "release_after_horizon":
        jobs = [replace(job, due=None) for job in data.jobs]
        jobs[-1] = replace(jobs[-1], release=data.end_of_calendar() + value)
        data = _rebuild(data, jobs=jobs)
    elif nasty == "tiny_horizon":
        data = _rebuild(data, horizon=1 + value % 60)
    else:
        jobs = [replace(job, weight=10**9) for job in data.jobs]
        data = _rebuild(data, jobs=jobs)
    result = solve(data, SolveParams(time_limit=0.3, workers=1))
    assert isinstance(result.status, Status)
    if result.ok:
        assert check(data, result.assignments) == []
    else:
        assert result.assignments == {}
        assert result.message, "a failed solve must say why"
        assert "failed unexpectedly" not in result.message, result.message


def test_zz_report_generated_inputs():
    """Report how many hostile inputs were generated (run with ``-s``)."""
    total = sum(GENERATED.values())
    print(f"\nengine fuzz: {total} generated inputs: {dict(sorted(GENERATED.items()))}")
    if GENERATED:  # the whole module ran, not a single selected test
        assert total >= 40
