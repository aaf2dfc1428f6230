"""Working-time axis of a resource, and the rush-reserve days derived from it.

Position ``p`` on a resource's axis counts the working minutes before a wall
time. An operation of ``d`` working minutes is the fixed-size interval
``[p, p + d)`` on that axis: it starts at the wall time of position ``p`` (inside
a window) and ends at the wall time the ``d``-th minute finishes (a window
end when it finishes exactly there), spanning any non-working time between.
"""

from __future__ import annotations

import math
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
    block: int  # contiguous working minutes kept free of non-rush work


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


def reserve_days(data: ProblemData, axes: list[WorkAxis]) -> list[list[ReserveDay]]:
    """Per resource, the days on which non-rush work must leave a free block.

    The block is ``W - floor((1 - share) * W)`` working minutes, W being the
    day's working minutes: keeping one such contiguous block free of non-rush
    work implies the checker's per-day budget. Days touched by a fixed
    operation of the resource are exempt.
    """
    share = data.share
    result: list[list[ReserveDay]] = [[] for _ in data.resources]
    if share == 0:
        return result
    busy = fixed_busy(data)
    for r, res in enumerate(data.resources):
        if not res.windows:
            continue
        exempt = set()
        for start, end in busy[r]:
            exempt.update(range(data.day_of(start), data.day_of(end - 1) + 1))
        first = data.day_of(res.windows[0][0])
        last = data.day_of(res.windows[-1][1] - 1)
        for day in range(first, last + 1):
            if day in exempt:
                continue
            day_start, day_end = data.day_bounds(day)
            # no fixed operation touches this day: the axis has its windows only
            seg_start, seg_end = axes[r].pos(day_start), axes[r].pos(day_end)
            work = seg_end - seg_start
            block = work - math.floor((1 - share) * work)
            if block > 0:
                result[r].append(ReserveDay(day, seg_start, seg_end, block))
    return result
