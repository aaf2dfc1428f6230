"""Levelled production (``SolveParams.level_families``): the measure, the
one model, the search above the threshold, and what it never costs.

The measure (``checker.levelling``): per work center on which two or more
setup families run, per family, the most minutes of that family started on
one working day of the span minus the fewest, summed.
"""

from dataclasses import replace

import pytest

from ...engine import (
    RULES,
    Assignment,
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    SolveParams,
    check,
    dispatch,
    evaluate,
    family_minutes,
    levelling,
    solve,
)
from .engine_helpers import DAY, factory_instance, hours

MATRIX = {("A", "B"): 30, ("B", "A"): 45}


def _shifts(days, skip=()):
    """06:00-22:00 (960 working minutes) on each of ``days`` days."""
    return tuple(
        (d * DAY + hours(6), d * DAY + hours(22)) for d in range(days) if d not in skip
    )


def _press(days=4, matrix=None, skip=()):
    return Resource(
        "press", _shifts(days, skip), changeovers=MATRIX if matrix is None else matrix
    )


def _orders(families, duration=180, due=None, days=4, dues=None, matrix=None):
    """One press, one single-operation order of ``duration`` per family letter."""
    jobs = [
        Job(f"J{k}", due=due if dues is None else dues[k]) for k in range(len(families))
    ]
    ops = [
        Operation(f"O{k}", k, (Mode(0, duration),), family=family)
        for k, family in enumerate(families)
    ]
    return ProblemData([_press(days, matrix)], jobs, ops, rush_share=0)


def _day_families(data, schedule):
    """Per day, the families of the operations starting on it, in order."""
    found = {}
    for i in sorted(schedule, key=lambda i: schedule[i].start):
        day = data.day_of(schedule[i].start)
        found.setdefault(day, []).append(data.operations[i].family)
    return found


def _at(day, hour, duration=180):
    start = day * DAY + hours(hour)
    return Assignment(0, 0, start, start + duration)


# the measure ------------------------------------------------------------------
def test_measure_by_hand():
    """A on days 0 and 2 (360, 180), B on day 2 only (180): day 1 is a
    working day of the span with nothing, so each family's fewest is 0."""
    data = _orders("AAAB")
    schedule = {0: _at(0, 6), 1: _at(0, 9), 2: _at(2, 6), 3: _at(2, 12)}
    assert check(data, schedule) == []
    assert family_minutes(data, schedule) == {
        0: {"A": {0: 360, 1: 0, 2: 180}, "B": {0: 0, 1: 0, 2: 180}}
    }
    assert levelling(data, schedule) == 360 + 180
    assert evaluate(data, schedule).levelling == 540


def test_measure_skips_days_off_fixed_work_and_other_resources():
    """Day 1 off (no working time): not in the span. A fixed operation and
    an operation without a family do not count; a work center with one
    family only is not levelled."""
    resources = [_press(days=4, skip={1}), Resource("saw", _shifts(4))]
    jobs = [Job(f"J{k}") for k in range(6)]
    ops = [
        Operation("A0", 0, (Mode(0, 180),), family="A"),
        Operation("B0", 1, (Mode(0, 180),), family="B"),
        Operation("A1", 2, (Mode(0, 180),), family="A", fixed=_at(2, 6)),
        Operation("X", 3, (Mode(0, 60),)),
        Operation("S0", 4, (Mode(1, 60),), family="A"),
        Operation("S1", 5, (Mode(1, 60),), family="A"),
    ]
    data = ProblemData(resources, jobs, ops, rush_share=0)
    assert data.levelled == (True, False)
    schedule = {
        0: _at(0, 6),
        1: _at(2, 12),
        2: ops[2].fixed,
        3: Assignment(0, 0, 3 * DAY + hours(6), 3 * DAY + hours(7)),
        4: Assignment(1, 0, hours(6), hours(7)),
        5: Assignment(1, 0, hours(8), hours(9)),
    }
    assert check(data, schedule) == []
    assert family_minutes(data, schedule) == {
        0: {"A": {0: 180, 2: 0}, "B": {0: 0, 2: 180}}
    }
    assert levelling(data, schedule) == 360


# the one model ----------------------------------------------------------------
@pytest.mark.parametrize(("days", "due"), [(4, 4 * DAY), (40, 40 * DAY)])
def test_batched_without_the_option_levelled_with_it(days, due):
    """Four A and four B orders of 3 hours, due days or weeks ahead: 24
    hours of work on a press of 16 hours a day. Without the option the run
    batches them (one changeover, a day of one family); with it every day
    gets two of each family, at no lateness, with the fewest changeovers
    that allows (A A B B, then B B A A: 30 + 45 minutes)."""
    data = _orders("AAAABBBB", due=due, days=days)
    off = solve(data, SolveParams(time_limit=5, workers=1))
    assert off.ok and check(data, off.assignments) == []
    assert off.weighted_tardiness == 0 and off.changeover == 30
    batched = _day_families(data, off.assignments)
    assert any(len(set(families)) == 1 for families in batched.values()), batched
    assert off.levelling == levelling(data, off.assignments) > 0

    on = solve(data, SolveParams(time_limit=5, workers=1, level_families=True))
    assert on.ok and check(data, on.assignments) == []
    assert on.weighted_tardiness == 0
    assert on.levelling == 0 == levelling(data, on.assignments)
    assert family_minutes(data, on.assignments) == {
        0: {"A": {0: 360, 1: 360}, "B": {0: 360, 1: 360}}
    }
    levelled = _day_families(data, on.assignments)
    assert all(sorted(f) == ["A", "A", "B", "B"] for f in levelled.values())
    assert on.changeover == 75 == evaluate(data, on.assignments).changeover
    assert "levelling 0" in on.message and "levelling" not in off.message


def test_levelling_never_costs_lateness():
    """Four A orders due tonight: they all start on day 0 whatever the
    option (A's measure: 720). Without it the six B orders follow in a
    batch: two start on day 0 (the second runs into the night), four on day
    1 (B's measure: 360). With it they start as many minutes on each day of
    the span (B's measure 0; an operation counts on the day it starts).
    Both on time."""
    dues = [hours(22)] * 4 + [10 * DAY] * 6
    data = _orders("AAAABBBBBB", dues=dues, days=6)
    off = solve(data, SolveParams(time_limit=5, workers=1))
    on = solve(data, SolveParams(time_limit=5, workers=1, level_families=True))
    for result in (off, on):
        assert result.ok and check(data, result.assignments) == []
        assert result.weighted_tardiness == 0
        starts = [result.assignments[i].start for i in range(4)]
        assert all(data.day_of(start) == 0 for start in starts)
    b_days = family_minutes(data, on.assignments)[0]["B"]
    assert max(b_days.values()) == min(b_days.values())
    assert on.levelling == 720 and off.levelling == 720 + 360


def test_levelling_never_costs_lateness_on_factories():
    """Seeded factories with families, solved by the one model: the same
    weighted tardiness with the option as without (its first phase is the
    same model), a level measure no worse, and valid schedules."""
    for seed in (2, 5):
        base = factory_instance(seed, 25, n_resources=3, days=30)
        data = _with_families(base, ("A", "B"))
        params = SolveParams(time_limit=2, workers=1)
        off = solve(data, params)
        on = solve(data, replace(params, level_families=True))
        assert off.ok and on.ok
        assert check(data, on.assignments) == []
        assert on.weighted_tardiness <= off.weighted_tardiness, seed
        assert on.levelling <= off.levelling, seed


# the search -------------------------------------------------------------------
def _with_families(data, families):
    resources = [replace(r, changeovers=MATRIX) for r in data.resources]
    ops = [
        replace(op, family=families[op.job % len(families)]) for op in data.operations
    ]
    return replace(data, resources=resources, operations=ops)


def test_search_above_the_threshold_levels_a_valid_schedule():
    """Above ``lns_threshold`` the search compares the levelling too: a
    checked schedule, never worse than the best start in the levelling key,
    and its measure reported as the checker finds it."""
    base = factory_instance(11, 80, n_resources=4, days=40)
    data = _with_families(base, ("A", "B", "C"))
    params = SolveParams(
        time_limit=3, workers=1, lns_threshold=20, lns_window_ops=20,
        level_families=True,
    )  # fmt: skip
    result = solve(data, params)
    assert result.ok and check(data, result.assignments) == []
    ev = evaluate(data, result.assignments)
    assert result.levelling == ev.levelling == levelling(data, result.assignments)
    start = min((evaluate(data, dispatch(data, rule)) for rule in RULES),
                key=params.key)  # fmt: skip
    assert params.key(ev) <= params.key(start)
    assert params.key(ev)[:2] == (ev.weighted_tardiness, ev.levelling)


def test_search_levels_what_it_may_on_a_light_load():
    """Far due dates above the threshold: the rules batch 15 A orders then
    15 B orders; the search only has the levelling and the changeovers to
    improve, and it lowers the measure of the start."""
    data = _orders("A" * 15 + "B" * 15, duration=120, due=30 * DAY, days=30)
    params = SolveParams(
        time_limit=3, workers=1, lns_threshold=10, lns_window_ops=10,
        level_families=True,
    )  # fmt: skip
    start = min((evaluate(data, dispatch(data, rule)) for rule in RULES),
                key=params.key)  # fmt: skip
    result = solve(data, params)
    assert result.ok and check(data, result.assignments) == []
    assert result.weighted_tardiness == 0
    assert result.levelling < start.levelling


def test_makespan_mode_with_the_option_still_solves():
    data = _orders("AAABBB", due=4 * DAY)
    result = solve(
        data,
        SolveParams(time_limit=2, workers=1, objective="makespan", level_families=True),
    )
    assert result.ok and check(data, result.assignments) == []
    assert result.levelling == levelling(data, result.assignments)


def test_the_option_must_be_a_boolean():
    with pytest.raises(ValueError, match="level_families must be True or False"):
        SolveParams(level_families="yes")
