"""Sequence-dependent changeovers: data, checker, greedy, CP-SAT model, LNS.

A resource's ``changeovers`` matrix gives the working minutes it needs
between an operation of one setup family and the next of another; the
changeover is working time of the resource, inside its windows, between the
two operations.
"""

from dataclasses import replace
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ...engine import (
    RULES,
    Assignment,
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    SolveParams,
    changeovers,
    check,
    dispatch,
    evaluate,
    explain,
    solve,
)
from .engine_helpers import DAY, factory_instance

MATRIX = {("A", "B"): 30, ("B", "A"): 45}


def _press(windows=((0, 100 * DAY),), matrix=None, default=0):
    return Resource(
        "press", windows, changeovers=MATRIX if matrix is None else matrix,
        changeover_default=default,
    )  # fmt: skip


def _line(families, durations=None, dues=None, releases=None, weights=None, **kw):
    """One press, one single-operation job per family letter."""
    n = len(families)
    jobs = [
        Job(
            f"J{k}",
            release=0 if releases is None else releases[k],
            due=None if dues is None else dues[k],
            weight=1 if weights is None else weights[k],
        )
        for k in range(n)
    ]
    ops = [
        Operation(
            f"O{k}",
            k,
            (Mode(0, 60 if durations is None else durations[k]),),
            family=families[k],
        )
        for k in range(n)
    ]
    return ProblemData([_press(**kw)], jobs, ops, rush_share=0)


def _with_families(data, families, matrix, default=0):
    """``data`` with a family per operation and the matrix on every resource."""
    resources = [
        replace(r, changeovers=matrix, changeover_default=default)
        for r in data.resources
    ]
    ops = [
        replace(op, family=families[i % len(families)])
        for i, op in enumerate(data.operations)
    ]
    return replace(data, resources=resources, operations=ops)


def _gaps(data, schedule):
    """(before, after, working minutes between them) on each resource."""
    by_resource = {}
    for i, a in schedule.items():
        by_resource.setdefault(a.resource, []).append((a.start, a.end, i))
    found = []
    for r, items in by_resource.items():
        items.sort()
        windows = data.resources[r].windows
        for (_, end, i), (start, _, j) in pairwise(items):
            minutes = sum(max(0, min(e, start) - max(s, end)) for s, e in windows)
            found.append((i, j, minutes))
    return found


# data -------------------------------------------------------------------------
def test_matrix_lookup_default_and_no_family():
    press = _press(default=20)
    assert press.changeover("A", "B") == 30
    assert press.changeover("B", "A") == 45
    assert press.changeover("A", "A") == 0  # same family, not in the matrix
    assert press.changeover("A", "C") == 20  # a pair missing: the default
    assert press.changeover(None, "A") == 0  # no family: no changeover
    assert press.changeover("B", None) == 0
    assert _press(matrix={("A", "A"): 15}).changeover("A", "A") == 15
    assert not Resource("r").sequenced and press.sequenced


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        ({"changeovers": {("A", "B"): -5}}, "between 0 and"),
        ({"changeovers": {("A", "B"): 2.5}}, "integer number of minutes"),
        ({"changeovers": {("A",): 5}}, "pair of families"),
        ({"changeovers": {(None, "B"): 5}}, "pair of families"),
        ({"changeovers": [("A", "B", 5)]}, "must be a mapping"),
        ({"changeover_default": -1}, "changeover_default"),
    ],
)
def test_bad_matrix_is_refused(changes, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        Resource("press", ((0, 100),), **changes)
    assert "press" in str(info.value)


def test_unhashable_family_is_refused():
    with pytest.raises(ValueError, match="family must be hashable"):
        Operation("O", 0, (Mode(0, 5),), family=["A"])


# checker ----------------------------------------------------------------------
def test_checker_fails_a_schedule_without_its_changeover():
    data = _line("AB")
    tight = {0: Assignment(0, 0, 0, 60), 1: Assignment(0, 0, 70, 130)}
    violations = check(data, tight)
    assert [v.kind for v in violations] == ["changeover"]
    message = violations[0].message
    assert "O1" in message and "O0" in message and "press" in message
    assert "10 working minutes" in message and "needs 30" in message
    enough = {0: Assignment(0, 0, 0, 60), 1: Assignment(0, 0, 90, 150)}
    assert check(data, enough) == []
    assert changeovers(data, enough) == {1: 30}
    # the other way round the matrix asks 45
    back = {1: Assignment(0, 0, 0, 60), 0: Assignment(0, 0, 100, 160)}
    assert [v.kind for v in check(data, back)] == ["changeover"]


def test_changeover_is_working_time_inside_windows():
    """A night between the two operations does not count as changeover."""
    windows = ((0, 480), (1440, 1920))
    data = _line("AB", windows=windows)
    over_night = {0: Assignment(0, 0, 420, 480), 1: Assignment(0, 0, 1440, 1500)}
    assert [v.kind for v in check(data, over_night)] == ["changeover"]
    fits = {0: Assignment(0, 0, 420, 480), 1: Assignment(0, 0, 1470, 1530)}
    assert check(data, fits) == []
    assert (
        check(data, {0: Assignment(0, 0, 390, 450), 1: Assignment(0, 0, 1440, 1500)})
        == []
    )


def test_two_fixed_operations_are_left_as_they_are():
    jobs = [Job("J0"), Job("J1")]
    ops = [
        Operation("F0", 0, (Mode(0, 60),), family="A", fixed=Assignment(0, 0, 0, 60)),
        Operation("F1", 1, (Mode(0, 60),), family="B", fixed=Assignment(0, 0, 60, 120)),
    ]
    data = ProblemData([_press()], jobs, ops, rush_share=0)
    assert check(data, {0: ops[0].fixed, 1: ops[1].fixed}) == []


def test_evaluation_counts_changeover_minutes_after_tardiness():
    data = _line("ABA")
    alternating = {
        0: Assignment(0, 0, 0, 60),
        1: Assignment(0, 0, 90, 150),
        2: Assignment(0, 0, 195, 255),
    }
    ev = evaluate(data, alternating)
    assert ev.changeover == 75 and ev.setups == {1: 30, 2: 45}
    assert ev.key()[:2] == (0, 75)


# greedy -----------------------------------------------------------------------
@pytest.mark.parametrize("rule", RULES)
def test_every_rule_leaves_room_for_changeovers(rule):
    data = _line("ABABBA", durations=(60, 30, 90, 60, 30, 60))
    schedule = dispatch(data, rule)
    assert check(data, schedule) == []
    for i, j, minutes in _gaps(data, schedule):
        assert minutes >= data.changeover(0, i, j)


def test_greedy_inserts_between_placed_work_only_with_both_changeovers():
    """A fixed B operation at [100, 160): an A operation of 60 minutes fits
    before it only when it ends 30 minutes before it starts."""
    jobs = [Job("J0"), Job("J1")]
    fixed = Assignment(0, 0, 100, 160)
    ops = [
        Operation("F", 0, (Mode(0, 60),), family="B", fixed=fixed),
        Operation("A1", 1, (Mode(0, 60),), family="A"),
    ]
    data = ProblemData([_press()], jobs, ops, rush_share=0)
    assert dispatch(data)[1] == Assignment(0, 0, 0, 60)  # ends 40 before: fits
    longer = replace(ops[1], modes=(Mode(0, 80),))
    data = replace(data, operations=[ops[0], longer])
    # 80 minutes end at 80, 20 before the B: after it then, 45 minutes later
    assert dispatch(data)[1] == Assignment(0, 0, 205, 285)


# CP-SAT -----------------------------------------------------------------------
def _alternating_start():
    """Every dispatching rule runs A, B, A (75 changeover minutes); A, A, B
    (30) is as punctual: the model has to find it."""
    return _line("ABA", releases=(0, 0, 100), dues=(2000,) * 3, weights=(3, 2, 1))


def test_model_groups_families_when_it_costs_no_lateness():
    data = _alternating_start()
    for rule in RULES:
        assert evaluate(data, dispatch(data, rule)).changeover == 75
    result = solve(data, SolveParams(time_limit=5, workers=1))
    assert result.ok and check(data, result.assignments) == []
    assert result.weighted_tardiness == 0
    assert result.changeover == 30, result.message
    assert result.setups == {1: 30}
    order = sorted(result.assignments, key=lambda i: result.assignments[i].start)
    assert order == [0, 2, 1]
    assert result.improved_by.startswith("cp-sat")


def test_tardiness_comes_before_changeovers():
    """Grouping A, A, B would make B late: the schedule alternates."""
    data = _line("ABA", dues=(60, 150, 500))
    result = solve(data, SolveParams(time_limit=5, workers=1))
    assert result.weighted_tardiness == 0
    order = sorted(result.assignments, key=lambda i: result.assignments[i].start)
    assert order == [0, 1, 2]
    assert result.changeover == 75


def test_model_keeps_the_changeover_to_a_fixed_operation():
    """Free work right before fixed work leaves it its changeover."""
    jobs = [Job("J0"), Job("J1", due=100), Job("J2", due=100)]
    ops = [
        Operation("F", 0, (Mode(0, 60),), family="B", fixed=Assignment(0, 0, 100, 160)),
        Operation("A1", 1, (Mode(0, 40),), family="A"),
        Operation("A2", 2, (Mode(0, 40),), family="A"),
    ]
    data = ProblemData([_press()], jobs, ops, rush_share=0)
    result = solve(data, SolveParams(time_limit=5, workers=1, strategy="model"))
    assert result.ok and check(data, result.assignments) == []
    # both A before the B do not leave 30 minutes: one of them waits
    ends = sorted(result.assignments[i].end for i in (1, 2))
    assert ends[0] <= 70 and ends[1] >= 160 + 45 + 40
    assert result.weighted_tardiness > 0


def test_alternative_modes_carry_their_own_changeovers():
    """An operation that can run on two presses takes the one where it
    needs no changeover."""
    resources = [_press(), Resource("press 2", ((0, 100 * DAY),), changeovers=MATRIX)]
    jobs = [Job(f"J{k}", due=200) for k in range(3)]
    ops = [
        Operation("A", 0, (Mode(0, 60),), family="A", fixed=Assignment(0, 0, 0, 60)),
        Operation("B", 1, (Mode(1, 60),), family="B", fixed=Assignment(1, 0, 0, 60)),
        Operation("X", 2, (Mode(0, 60), Mode(1, 60)), family="B"),
    ]
    data = ProblemData(resources, jobs, ops, rush_share=0)
    result = solve(data, SolveParams(time_limit=5, workers=1, strategy="model"))
    assert check(data, result.assignments) == []
    assert result.assignments[2] == Assignment(1, 1, 60, 120)
    assert result.changeover == 0


def test_lns_keeps_changeovers_and_never_adds_any():
    base = factory_instance(7, 120, n_resources=4, days=40)
    data = _with_families(base, ("A", "B", "C"), {("A", "B"): 60, ("B", "C"): 30},
                          default=45)  # fmt: skip
    params = SolveParams(time_limit=4, workers=1, strategy="lns", lns_window_ops=20)
    result = solve(data, params)
    assert result.ok and check(data, result.assignments) == []
    start = min(
        (evaluate(data, dispatch(data, rule)) for rule in RULES),
        key=params.key,
    )
    assert params.key(evaluate(data, result.assignments)) <= params.key(start)
    assert result.changeover == evaluate(data, result.assignments).changeover


FUZZ = settings(
    derandomize=True,
    deadline=None,
    max_examples=8,
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ
@given(
    seed=st.integers(0, 10_000),
    jobs=st.integers(4, 40),
    threshold=st.sampled_from((5, 300)),
    minutes=st.lists(st.integers(0, 240), min_size=4, max_size=4),
    default=st.integers(0, 120),
)
def test_valid_schedules_on_both_sides_of_the_lns_threshold(
    seed, jobs, threshold, minutes, default
):
    """Seeded factories with families and a matrix, solved by the one model
    (threshold 300) or by the search (threshold 5): always a valid schedule
    whose changeovers the checker finds where the result says."""
    matrix = dict(zip((("A", "B"), ("B", "A"), ("A", "A"), ("B", "C")), minutes,
                      strict=True))  # fmt: skip
    base = factory_instance(seed, jobs, n_resources=3, days=40)
    data = _with_families(base, ("A", "B", None, "C"), matrix, default)
    params = SolveParams(
        time_limit=1.0, workers=1, lns_threshold=threshold, lns_window_ops=8
    )
    result = solve(data, params)
    assert result.ok, result.message
    assert check(data, result.assignments) == []
    assert result.setups == changeovers(data, result.assignments)
    assert result.changeover == sum(result.setups.values())


def test_without_families_nothing_changes():
    """A matrix but no family, or families but no matrix: no changeover."""
    base = factory_instance(3, 30, n_resources=3, days=30)
    matrix_only = _with_families(base, (None,), MATRIX)
    families_only = _with_families(base, ("A", "B"), {})
    for data in (matrix_only, families_only):
        assert not data.has_changeovers
        result = solve(data, SolveParams(time_limit=1, workers=1))
        assert result.changeover == 0 and result.setups == {}


def test_why_late_names_the_work_before_a_changeover():
    """B is released at 60, when A ends, but waits for the changeover after
    A: the work before it on the press is what holds it."""
    data = _line("AB", releases=(0, 60), dues=(60, 100))
    schedule = {0: Assignment(0, 0, 0, 60), 1: Assignment(0, 0, 90, 150)}
    delays = explain(data, schedule)
    assert delays[1].kind == "resource" and delays[1].blocker == 0
    assert delays[1].since == 60 and delays[1].ahead == (0,)
    # later than the changeover asks: not the changeover that holds it
    later = {0: Assignment(0, 0, 0, 60), 1: Assignment(0, 0, 120, 180)}
    assert explain(data, later)[1].kind == "release"
