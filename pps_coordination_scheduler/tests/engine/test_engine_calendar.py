"""Calendar semantics: working minutes, spans across nights and leaves."""

from ...engine import (
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    SolveParams,
    solve,
    span_end,
)
from ...engine.calendar import WorkAxis
from .engine_helpers import DAY, hours, two_shifts

QUICK = SolveParams(time_limit=2, workers=1)


def one_operation(duration: int, release: int, windows) -> ProblemData:
    return ProblemData(
        [Resource("WC", windows)],
        [Job("MO", release=release)],
        [Operation("op", 0, (Mode(0, duration),))],
        rush_share=0,
    )


def test_eight_hours_from_two_pm_end_at_ten_pm():
    """Odoo's example: 480 working minutes from 14:00 on a 06:00-22:00
    calendar fill the rest of the day exactly and end at 22:00, not later."""
    result = solve(one_operation(480, hours(14), two_shifts(3)), QUICK)
    a = result.assignments[0]
    assert (a.start, a.end) == (hours(14), hours(22))


def test_ten_hours_from_two_pm_end_at_eight_next_morning():
    """An operation may span non-working time: 600 minutes from 14:00 are
    8 h today and 2 h tomorrow from 06:00, so it ends at 08:00 next day."""
    result = solve(one_operation(600, hours(14), two_shifts(3)), QUICK)
    a = result.assignments[0]
    assert (a.start, a.end) == (hours(14), DAY + hours(8))


def test_span_skips_a_leave_day():
    """A leave or holiday is simply absent from the windows: the same
    operation started before a day off resumes on the day after it."""
    windows = two_shifts(3, skip={1})
    assert span_end(windows, hours(14), 600) == 2 * DAY + hours(8)
    result = solve(one_operation(600, hours(14), windows), QUICK)
    assert result.assignments[0].end == 2 * DAY + hours(8)


def test_never_starts_in_non_working_time():
    """Released at 23:00, an operation waits for the next shift at 06:00
    instead of starting in the night."""
    result = solve(one_operation(60, hours(23), two_shifts(3)), QUICK)
    assert result.assignments[0].start == DAY + hours(6)


def test_axis_maps_positions_both_ways():
    """The working-time axis the solvers use must agree with the checker's
    window walk: position of a time, and wall start/end of a position."""
    axis = WorkAxis(two_shifts(2))
    assert axis.pos(hours(14)) == 480
    assert axis.wall_start(960) == DAY + hours(6)  # next window's first minute
    assert axis.wall_end(960) == hours(22)  # the last minute of day 0 ends then
    assert axis.pos(hours(23)) == 960
