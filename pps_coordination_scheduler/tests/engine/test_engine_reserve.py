"""The rush reserve holds on days with fixed work.

A work center keeps ``rush_share`` of each day's working minutes W for rush
work. Fixed work of non-rush jobs (F minutes inside the day's windows) is
already there and is counted first: movable non-rush work may use at most
``max(0, floor((1 - share) * W) - F)`` minutes that day. Fixed work of rush
jobs does not count. Two shifts give W = 960 and, with a 20% share, 768
minutes outside the reserve.
"""

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
    solve,
)
from ...engine.calendar import (
    build_axes,
    reserve_days,
)
from ...engine.checker import span_end
from .engine_helpers import DAY, hours, two_shifts

QUICK = SolveParams(time_limit=2, workers=1)
WINDOWS = two_shifts(4)


def plant(fixed_start, fixed_end, movable, fixed_rush=False, rush_movable=()):
    """One two-shift work center: a fixed operation of job "F" on
    [fixed_start, fixed_end) and, per duration in ``movable``, a non-rush job
    due at once (each wants to run as early as possible); ``rush_movable``
    adds rush jobs the same way."""
    jobs = [Job("F", rush=fixed_rush)]
    ops = [
        Operation(
            "f",
            0,
            (Mode(0, fixed_end - fixed_start),),
            fixed=Assignment(0, 0, fixed_start, fixed_end),
        )
    ]
    for k, duration in enumerate(movable):
        jobs.append(Job(f"N{k}", due=0))
        ops.append(Operation(f"n{k}", len(jobs) - 1, (Mode(0, duration),)))
    for k, duration in enumerate(rush_movable):
        jobs.append(Job(f"R{k}", due=0, rush=True))
        ops.append(Operation(f"r{k}", len(jobs) - 1, (Mode(0, duration),)))
    return ProblemData([Resource("WC", WINDOWS)], jobs, ops, rush_share=0.2)


def nonrush_minutes(data, schedule, day, movable_only=True):
    """Working minutes of non-rush work on ``day`` (movable only, or all)."""
    lo, hi = day * DAY, (day + 1) * DAY
    total = 0
    for i, a in schedule.items():
        op = data.operations[i]
        if data.jobs[op.job].rush or (movable_only and op.fixed is not None):
            continue
        for start, end in WINDOWS:
            total += max(0, min(end, a.end, hi) - max(start, a.start, lo))
    return total


def block_of(data, day):
    """The reserve block the solvers keep on ``day`` (0 when there is none)."""
    days = reserve_days(data, build_axes(data))[0]
    return next((d.block for d in days if d.day == day), 0)


def assert_every_solver_keeps_the_rule(data):
    """CP-SAT (one model, and by windows as for large instances) and every
    dispatching rule give schedules the checker accepts."""
    for rule in RULES:
        assert check(data, dispatch(data, rule)) == []
    windows = SolveParams(
        time_limit=1, workers=1, lns_threshold=1, lns_window_ops=2, lns_window_time=0.1
    )
    by_windows = solve(data, windows)
    assert by_windows.ok, by_windows.message
    assert check(data, by_windows.assignments) == []
    result = solve(data, QUICK)
    assert result.ok, result.message
    assert check(data, result.assignments) == []
    return result.assignments


def test_fixed_work_below_the_cap_leaves_the_rest_of_the_share():
    """Measured before: movable work filled 960 of 960 minutes on a day
    holding 129 fixed minutes. Now the fixed 129 minutes come off the 768:
    movable non-rush work gets at most 639 minutes of that day, so all
    non-rush work together stays at 768; the solvers keep a block of
    960 - 639 = 321 minutes free of it."""
    data = plant(hours(6), hours(6) + 129, [300] * 5)
    assert block_of(data, 0) == 960 - 639
    schedule = assert_every_solver_keeps_the_rule(data)
    assert 0 < nonrush_minutes(data, schedule, 0) <= 639
    assert nonrush_minutes(data, schedule, 0, movable_only=False) <= 768


def test_fixed_work_above_the_cap_keeps_movable_non_rush_work_away():
    """800 fixed minutes exceed the 768 a day gives non-rush work: they were
    already there and stay, but no movable non-rush minute joins them that
    day, although 160 minutes are free. Rush work still may use them."""
    data = plant(hours(6), hours(6) + 800, [60], rush_movable=[60])
    assert block_of(data, 0) == 960
    schedule = assert_every_solver_keeps_the_rule(data)
    assert nonrush_minutes(data, schedule, 0) == 0
    assert schedule[1].start >= DAY + hours(6)
    assert schedule[2].start == hours(6) + 800


def test_fixed_rush_work_does_not_count():
    """Fixed work of a rush order is what the reserve is for: it does not
    come off the non-rush share, so movable non-rush work still gets the whole
    768 minutes of that day (more than the 639 it would get if it counted)."""
    data = plant(hours(6), hours(6) + 129, [192] * 5, fixed_rush=True)
    assert block_of(data, 0) == 960 - 768
    schedule = assert_every_solver_keeps_the_rule(data)
    assert 639 < nonrush_minutes(data, schedule, 0) <= 768


def test_fixed_overtime_lengthens_the_block_not_the_share():
    """Fixed work from 20:00 to 23:00 runs 120 minutes in the day's windows
    and 60 in overtime. F counts the 120 (allowance 768 - 120 = 648); the
    day on the model axis is 960 + 60 minutes long, so the block is 1020 - 648
    and the room left outside it is the allowance."""
    data = plant(hours(20), hours(23), [300] * 5)
    assert block_of(data, 0) == 1020 - 648
    schedule = assert_every_solver_keeps_the_rule(data)
    assert 0 < nonrush_minutes(data, schedule, 0) <= 648


def test_checker_refuses_a_day_overfilled_around_fixed_work():
    """The checker's own rule, no exemption for days with fixed work: after
    129 fixed minutes from 06:00, movable non-rush work from 08:09 may run 639
    minutes that day, not 640; after fixed rush work it may run 768, not
    769; next to 800 fixed minutes not a single one."""

    def reserve(fixed_minutes, movable, fixed_rush=False):
        """Reserve violations with the movable work back to back after the
        fixed operation (which starts at 06:00)."""
        data = plant(hours(6), hours(6) + fixed_minutes, movable, fixed_rush)
        schedule = {0: data.operations[0].fixed}
        start = hours(6) + fixed_minutes
        for i, duration in enumerate(movable, start=1):
            end = span_end(WINDOWS, start, duration)
            schedule[i] = Assignment(0, 0, start, end)
            start = end
        return [v for v in check(data, schedule) if v.kind == "reserve"]

    assert reserve(129, [639]) == []
    violations = reserve(129, [640])
    assert len(violations) == 1
    assert "640" in violations[0].message and "639" in violations[0].message
    assert reserve(129, [639, 129], fixed_rush=True) == []
    assert len(reserve(129, [639, 130], fixed_rush=True)) == 1
    assert len(reserve(800, [1])) == 1
