"""Working-time axis of a resource, and the rush-reserve days derived from it.

The rush reserve holds on every resource-day, fixed work or not: movable
non-rush work gets what the share leaves once fixed non-rush work is counted
(``reserve_days``).

Position ``p`` on a resource's axis counts the working minutes before a wall
time. An operation of ``d`` working minutes is the fixed-size interval
``[p, p + d)`` on that axis: it starts at the wall time of position ``p`` (inside
a window) and ends at the wall time the ``d``-th minute finishes (a window
end when it finishes exactly there), spanning any non-working time between.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from .data import ProblemData


def merge_windows(windows, extra=()) -> list[tuple[int, int]]:
    """Union of windows and extra busy intervals, sorted, adjacent ones merged."""
    merged: list[list[int]] = []
    for start, end in sorted([*windows, *extra]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


class WorkAxis:
    """Maps wall-clock minutes to working positions of one resource and back."""

    def __init__(self, windows) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.cum: list[int] = []  # working minutes before each window
        total = 0
        for start, end in merge_windows(windows):
            self.starts.append(start)
            self.ends.append(end)
            self.cum.append(total)
            total += end - start
        self.total = total

    def __len__(self) -> int:
        return len(self.starts)

    def offset(self, k: int) -> int:
        """Wall time minus position inside window ``k``."""
        return self.starts[k] - self.cum[k]

    def pos(self, t: int) -> int:
        """Working minutes strictly before wall time ``t``."""
        k = bisect_right(self.starts, t) - 1
        if k < 0:
            return 0
        return self.cum[k] + min(t - self.starts[k], self.ends[k] - self.starts[k])

    def start_window(self, p: int) -> int:
        """Index of the window in which position ``p`` starts (0 <= p < total)."""
        return bisect_right(self.cum, p) - 1

    def end_window(self, q: int) -> int:
        """Index of the window in which position ``q`` ends (0 < q <= total)."""
        return bisect_left(self.cum, q) - 1

    def wall_start(self, p: int) -> int:
        """Wall time at which working minute ``p`` begins."""
        return p + self.offset(self.start_window(p))

    def wall_end(self, q: int) -> int:
        """Wall time at which working minute ``q - 1`` finishes."""
        return q + self.offset(self.end_window(q))


@dataclass(frozen=True)
class ReserveDay:
    """A resource-day under the rush reserve, on that resource's working axis."""

    day: int
    seg_start: int
    seg_end: int
    block: int  # contiguous axis minutes kept free of movable non-rush work


def fixed_busy(data: ProblemData) -> list[list[tuple[int, int]]]:
    """Wall intervals of the fixed operations, per resource."""
    busy: list[list[tuple[int, int]]] = [[] for _ in data.resources]
    for op in data.operations:
        if op.fixed is not None:
            busy[op.fixed.resource].append((op.fixed.start, op.fixed.end))
    return busy


def build_axes(data: ProblemData) -> list[WorkAxis]:
    """Model axes: each resource's windows united with its fixed operations.

    A fixed operation may run in non-working time (overtime, a job started
    before a leave); adding its interval to the axis makes it occupy its whole
    wall interval there, so no movable operation can span across it.
    """
    busy = fixed_busy(data)
    return [
        WorkAxis(merge_windows(res.windows, busy[r]))
        for r, res in enumerate(data.resources)
    ]


def minutes_by_day(data: ProblemData, windows, intervals) -> dict[int, int]:
    """Working minutes of ``intervals`` (inside ``windows``), per day."""
    starts = [start for start, _ in windows]
    # ProblemData.day_of and day_bounds, inlined: the promise counts every
    # window of every problem it builds
    offset, length = data.day_offset, data.day_length
    found: dict[int, int] = {}
    for start, end in intervals:
        k = max(0, bisect_right(starts, start) - 1)
        while k < len(windows) and windows[k][0] < end:
            lo, hi = max(start, windows[k][0]), min(end, windows[k][1])
            k += 1
            while lo < hi:
                day = (lo - offset) // length
                cut = min(hi, offset + (day + 1) * length)
                found[day] = found.get(day, 0) + cut - lo
                lo = cut
    return found


def reserve_days(data: ProblemData, axes: list[WorkAxis]) -> list[list[ReserveDay]]:
    """Per resource, the days on which non-rush work must leave a free block.

    On a resource-day, movable non-rush work (``ProblemData.bound_by_reserve``)
    may use ``allowance = max(0, floor((1 - share) * W) - F)`` minutes: W is the
    day's working minutes (the resource's windows), F the minutes fixed
    non-rush work (fixed operations of non-rush jobs) takes inside them, so
    only fixed work that was already there may exceed the share. The day's
    block, kept contiguous and free of movable non-rush work, is its length
    on the model axis (which also counts fixed work in overtime) minus the
    allowance: whatever room is left outside it is at most the allowance,
    which implies the checker's per-day budget.
    """
    share = data.share
    result: list[list[ReserveDay]] = [[] for _ in data.resources]
    if share == 0:
        return result
    # floor((1 - share) * W) in integers: exact, and no Fraction per day
    kept, whole = share.denominator - share.numerator, share.denominator
    fixed: list[list[tuple[int, int]]] = [[] for _ in data.resources]
    for op in data.operations:
        if op.fixed is not None and not data.jobs[op.job].rush:
            fixed[op.fixed.resource].append((op.fixed.start, op.fixed.end))
    for r, res in enumerate(data.resources):
        work = minutes_by_day(data, res.windows, res.windows)
        taken = minutes_by_day(data, res.windows, fixed[r])
        for day in sorted(work):
            allowance = max(0, kept * work[day] // whole - taken.get(day, 0))
            day_start, day_end = data.day_bounds(day)
            seg_start, seg_end = axes[r].pos(day_start), axes[r].pos(day_end)
            block = seg_end - seg_start - allowance
            if block > 0:
                result[r].append(ReserveDay(day, seg_start, seg_end, block))
    return result
