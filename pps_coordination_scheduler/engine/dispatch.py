"""Greedy schedule generation: dispatching rules used as baselines and start.

Each rule repeatedly takes a *ready* operation (all predecessors placed) and
puts it at its earliest feasible start, on the mode giving the earliest end,
filling gaps left earlier (insertion). Feasible means: inside the working
time of the resource, not overlapping anything placed there (fixed operations
first), after release and predecessors, before the horizon and fixed
successors, with the changeover its resource needs from the operation
before it and to the one after it there (``Resource.changeover``), and, for
non-rush work, leaving in every resource-day a contiguous block of
``ReserveDay.block`` working minutes free of non-rush work (the same reserve
formulation as the CP model).

Rules:

- ``"priority"``: serial, key = rush first, weight descending, due date
  (the job's, tightened by its successors), then job and operation order.
- ``"edd"``: non-delay, earliest start first, ties by that due date.
- ``"odoo"``: like Odoo's own planning: job after job in the given order,
  each operation at the first free slot of its work center.
- ``"atc"``: apparent tardiness cost (Vepsalainen and Morton), non-delay:
  among the operations that can start first on one resource, the highest
  ``w / p * exp(-max(0, d - p - t) / (k * p_mean))`` goes first (``w`` the
  job's weight, ``p`` the operation's shortest duration, ``d`` its latest
  finish as above, ``t`` the moment, ``p_mean`` the mean duration, look-ahead
  ``k`` = 2).
- ``"atc_active"``: the same index over the Giffler-Thompson conflict set
  (the operations that could start on the resource before the earliest
  possible end there), look-ahead 1; it may leave a resource idle for a
  more urgent operation.
- ``"current"``: repair of the plan in force: operations in the order of
  their current start, each at the first feasible slot from its current
  start on its current work center (operations without a current plan:
  at their earliest slot). A still-valid plan comes back unchanged.
- ``"insert"``: the plan in force kept exactly where it still holds (see
  ``_Dispatcher.run_insert``), the rest (a new order; work whose planned
  start has passed, and what follows it) placed around it. The repair
  re-checks each kept slot with this module's reserve rule, which is
  stricter than the checker's budget (a block kept free, per day, whose
  size follows the work frozen that day): as time passes it may refuse a
  slot the plan in force still holds validly and move the work after it.
  The insertion keeps every slot that still holds; the checker says
  whether what it built is valid.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right, insort
from typing import NamedTuple

from .calendar import ReserveDay, WorkAxis, build_axes, reserve_days
from .data import Assignment, ProblemData

RULES = ("priority", "edd", "odoo", "atc", "atc_active")
ATC_LOOK_AHEAD = {"atc": 2.0, "atc_active": 1.0}
REPAIR = "current"
INSERT = "insert"
_INF = float("inf")


class Unschedulable(ValueError):
    """The greedy could not place an operation; the message says which and why."""


class OverBudget(Exception):
    """A capped dispatch (``dispatch(..., cap=N)``) needed more than ``N``
    placements: its schedule is dropped."""


def latest_finish(data: ProblemData) -> list[float]:
    """Per operation, its job's due date tightened backwards through successors."""
    shortest = [min(m.duration for m in op.modes) for op in data.operations]
    lf: list[float] = [_INF] * len(data.operations)
    for i in reversed(data.topological_order):
        due = data.jobs[data.operations[i].job].due
        value = _INF if due is None else due
        for j in data.successors[i]:
            value = min(value, lf[j] - shortest[j] - data.lag(i, j))
        lf[i] = value
    return lf


class _Resource:
    """Occupancy of one resource on its working axis.

    With changeovers (``setup``: minutes between two families, or None when
    the resource has none), the work placed keeps its families in start
    order: a new operation fits between two placed ones only with the
    changeover from the one before it and to the one after it as free
    working minutes on the axis.
    """

    def __init__(self, axis: WorkAxis, days: list[ReserveDay], setup=None) -> None:
        self.axis = axis
        self.setup = setup
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.families: list = []  # in the order of ``starts``
        self.nr_starts: list[int] = []  # non-rush work, for the reserve
        self.nr_ends: list[int] = []
        self.days = days
        self.day_ends = [d.seg_end for d in days]
        # day index -> its largest block free of non-rush work (start, end)
        self._free: dict[int, tuple[int, int]] = {}

    def add(self, p: int, q: int, nonrush: bool, family=None) -> None:
        k = bisect_right(self.starts, p)
        self.starts.insert(k, p)
        self.families.insert(k, family)
        insort(self.ends, q)
        if nonrush:
            insort(self.nr_starts, p)
            insort(self.nr_ends, q)
            i = bisect_right(self.day_ends, p)
            while i < len(self.days) and self.days[i].seg_start < q:
                self._free.pop(i, None)
                i += 1

    def _largest_free(self, i: int) -> tuple[int, int]:
        """The largest block of day ``i`` free of non-rush work."""
        found = self._free.get(i)
        if found is None:
            lo, hi = self.days[i].seg_start, self.days[i].seg_end
            k = max(0, bisect_right(self.nr_ends, lo) - 1)
            cursor, found = lo, (lo, lo)
            while k < len(self.nr_starts) and self.nr_starts[k] < hi:
                if self.nr_ends[k] > lo:
                    if self.nr_starts[k] - cursor > found[1] - found[0]:
                        found = (cursor, self.nr_starts[k])
                    cursor = max(cursor, self.nr_ends[k])
                k += 1
            if hi - cursor > found[1] - found[0]:
                found = (cursor, hi)
            self._free[i] = found
        return found

    def _conflict_end(self, p: int, q: int, family=None) -> int | None:
        """A later position to try when [p, q) does not fit, else None."""
        setup = self.setup
        k = bisect_right(self.starts, p) - 1
        if k >= 0:
            free = self.ends[k]
            if setup is not None:
                free += setup(self.families[k], family)
            if free > p:
                return free
        if k + 1 < len(self.starts):
            after = q if setup is None else q + setup(family, self.families[k + 1])
            if self.starts[k + 1] < after:
                return self.ends[k + 1]
        return None

    def _reserve_fix(self, p: int, q: int) -> int | None:
        """Smallest later start that can repair the reserve, or None if it holds."""
        fix = None
        i = bisect_right(self.day_ends, p)
        while i < len(self.days) and self.days[i].seg_start < q:
            day = self.days[i]
            fs, fe = self._largest_free(i)
            i += 1
            if max(min(p, fe) - fs, fe - max(q, fs)) >= day.block:
                continue  # the largest free block keeps enough room: holds
            lo, hi = day.seg_start, day.seg_end
            k = max(0, bisect_right(self.nr_ends, lo) - 1)
            busy = [(p, q)]
            while k < len(self.nr_starts) and self.nr_starts[k] < hi:
                if self.nr_ends[k] > lo:
                    busy.append((self.nr_starts[k], self.nr_ends[k]))
                k += 1
            busy.sort()
            cursor, best = lo, 0
            for s, e in busy:
                best = max(best, min(s, hi) - cursor)
                cursor = max(cursor, e)
            best = max(best, hi - cursor)
            if best >= day.block:
                continue
            before = bisect_right(self.nr_ends, p) - 1
            left = max(lo, self.nr_ends[before] if before >= 0 else lo)
            fix = max(fix or 0, left + day.block)
        return fix

    def earliest(
        self, p: int, d: int, limit: int, nonrush: bool, family=None
    ) -> int | None:
        """Earliest position >= p where [p, p + d) fits, or None before ``limit``."""
        while p + d <= limit:
            conflict = self._conflict_end(p, p + d, family)
            if conflict is not None:
                p = conflict
                continue
            if nonrush and self.days:
                fix = self._reserve_fix(p, p + d)
                if fix is not None:
                    p = fix
                    continue
            return p
        return None


class _Slot(NamedTuple):
    """A placement found, before it is made (an ``Assignment`` once placed;
    a plain tuple is cheaper for the many the non-delay rules find again)."""

    resource: int
    mode: int
    start: int
    end: int


class _Secondary:
    """The units of a secondary resource held by the work placed, over wall time."""

    def __init__(self, secondary) -> None:
        self.secondary = secondary
        self.starts: list[int] = []
        self.items: list[tuple[int, int, int]] = []  # (start, end, units) by start
        self.longest = 0

    def add(self, start: int, end: int, units: int) -> None:
        k = bisect_right(self.starts, start)
        self.starts.insert(k, start)
        self.items.insert(k, (start, end, units))
        self.longest = max(self.longest, end - start)

    def conflict(self, start: int, end: int, units: int) -> int | None:
        """A later wall start to try when ``units`` more do not fit over
        [start, end), else None."""
        lo = bisect_right(self.starts, start - self.longest - 1)
        hi = bisect_right(self.starts, end - 1)
        held = [item for item in self.items[lo:hi] if item[1] > start]
        points = {start}
        points.update(s for s, _, _ in held if s > start)
        levels = self.secondary.profile(start, end)
        points.update(piece_start for piece_start, _, _ in levels)
        for t in sorted(points):
            level, piece_end = next((u, e) for s, e, u in levels if s <= t < e)
            busy = [e for s, e, _ in held if s <= t < e]
            if sum(u for s, e, u in held if s <= t < e) + units <= level:
                continue
            # try again once a holder leaves or the level changes
            return min([piece_end, *busy])
        return None


class _Dispatcher:
    def __init__(self, data: ProblemData, cap: int | None = None) -> None:
        self.data = data
        # placements asked so far (a deterministic measure of the work; the
        # non-delay rules ask again for every stale placement), and the cap
        self.placements = 0
        self.cap = cap
        # an operation's window is asked only once it is ready: its
        # predecessors are placed for good by then
        self._windows: dict[int, tuple[int, float]] = {}
        self.secondaries = [_Secondary(s) for s in data.secondaries]
        axes = build_axes(data)
        days = reserve_days(data, axes)
        self.res = [
            _Resource(
                axes[r],
                days[r],
                data.resources[r].changeover if data.sequenced[r] else None,
            )
            for r in range(len(axes))
        ]
        self.horizon = data.end_of_calendar()
        self.assignments: dict[int, Assignment] = {}
        # (operation, mode) -> (position asked from, position found): the
        # earliest fit from a given position only gets later as work is
        # placed, so asking again (non-delay refreshes) resumes from there
        self._found: dict[tuple[int, int], tuple[int, int]] = {}
        for i, op in enumerate(data.operations):
            if op.fixed is not None:
                a = op.fixed
                axis = self.res[a.resource].axis
                self.res[a.resource].add(
                    axis.pos(a.start), axis.pos(a.end), False, op.family
                )
                for s, units in op.requires.items():
                    self.secondaries[s].add(a.start, a.end, units)
                self.assignments[i] = a

    def window(self, i: int) -> tuple[int, float]:
        """Earliest wall start and latest wall end allowed for operation ``i``."""
        found = self._windows.get(i)
        if found is None:
            found = self._windows[i] = self._window(i)
        return found

    def _window(self, i: int) -> tuple[int, float]:
        data = self.data
        op = data.operations[i]
        earliest = max(0, data.releases[op.job])
        for j in data.predecessors[i]:
            earliest = max(earliest, self.assignments[j].end + data.lag(j, i))
        latest: float = self.horizon
        for j in data.successors[i]:
            fixed = data.operations[j].fixed
            if fixed is not None:
                latest = min(latest, fixed.start - data.lag(i, j))
        return earliest, latest

    def best_placement(self, i: int, keep: bool = False) -> _Slot | None:
        """The mode and start giving operation ``i`` its earliest end.

        With ``keep``, the current mode from the current start comes first.
        """
        self.placements += 1
        if self.cap is not None and self.placements > self.cap:
            raise OverBudget(self.placements)
        op = self.data.operations[i]
        earliest, latest = self.window(i)
        if keep and op.current is not None:
            current = op.current
            kept = self._first_fit(
                current.mode, max(earliest, current.start), latest, i
            )
            if kept is not None:
                return _Slot(op.modes[current.mode].resource, current.mode, *kept)
        best = None
        for m in range(len(op.modes)):
            fit = self._first_fit(m, earliest, latest, i)
            if fit is not None and (best is None or (fit[1], fit[0]) < best[0]):
                best = ((fit[1], fit[0]), m)
        if best is None:
            return None
        (end, start), m = best
        return _Slot(op.modes[m].resource, m, start, end)

    def _first_fit(self, m, earliest, latest, i) -> tuple[int, int] | None:
        """Earliest (wall start, wall end) of operation ``i`` in mode ``m``."""
        mode = self.data.operations[i].modes[m]
        nonrush = self.data.bound_by_reserve(i, m)
        res = self.res[mode.resource]
        axis = res.axis
        limit = axis.pos(int(latest)) if latest < _INF else axis.total
        asked = axis.pos(earliest)
        known = self._found.get((i, m))
        resume = known[1] if known is not None and known[0] == asked else asked
        op = self.data.operations[i]
        while True:
            p = res.earliest(resume, mode.duration, limit, nonrush, op.family)
            if p is None:
                return None
            start, end = axis.wall_start(p), axis.wall_end(p + mode.duration)
            later = self._secondary_conflict(op, start, end)
            if later is None:
                break
            resume = max(p + 1, axis.pos(later))
        self._found[(i, m)] = (asked, p)
        return start, end

    def _secondary_conflict(self, op, start: int, end: int) -> int | None:
        """A later wall start to try when a secondary resource ``op`` needs
        is short over [start, end), else None."""
        later = None
        for s, units in op.requires.items():
            found = self.secondaries[s].conflict(start, end, units)
            if found is not None:
                later = found if later is None else max(later, found)
        return later

    def place(self, i: int, a: _Slot) -> None:
        op = self.data.operations[i]
        res = self.res[a.resource]
        p = res.axis.pos(a.start)
        res.add(
            p,
            p + op.modes[a.mode].duration,
            self.data.bound_by_reserve(i, a.mode),
            op.family,
        )
        for s, units in op.requires.items():
            self.secondaries[s].add(a.start, a.end, units)
        self.assignments[i] = Assignment(*a)

    def _ready(self) -> tuple[list[int], list[int]]:
        """Operations not placed yet (the fixed ones are, and the kept ones of
        an insertion) without unplaced predecessors, and waiting counts."""
        data = self.data
        placed = self.assignments
        waiting = [len(p) for p in data.predecessors]
        for i in placed:
            for j in data.successors[i]:
                waiting[j] -= 1
        ready = [
            i
            for i in range(len(data.operations))
            if i not in placed and waiting[i] == 0
        ]
        return ready, waiting

    def _release(self, i: int, waiting: list[int]) -> list[int]:
        """Successors of ``i`` that became ready once ``i`` is placed."""
        found = []
        for j in self.data.successors[i]:
            waiting[j] -= 1
            if waiting[j] == 0 and j not in self.assignments:
                found.append(j)
        return found

    def run_insert(self) -> None:
        """The plan in force kept as it is where it still holds, the rest
        placed around it: an operation keeps its current slot when that
        starts at or after its release (time passes: a slot planned for an
        hour ago does not hold) and each predecessor is fixed or kept and
        ends in time for it; the others (new work, and what the slots that no
        longer hold carry along) are placed serially in the repair's order,
        each from its current slot where it has one."""
        data = self.data
        ops = data.operations
        kept: set[int] = set()
        for i in data.topological_order:
            op, a = ops[i], ops[i].current
            if op.fixed is not None or a is None or a.start < data.releases[op.job]:
                continue
            if all(
                (ops[j].fixed is not None or j in kept)
                and (ops[j].fixed or ops[j].current).end + data.lag(j, i) <= a.start
                for j in data.predecessors[i]
            ):
                kept.add(i)
        for i in sorted(kept):
            a = ops[i].current
            self.place(i, _Slot(a.resource, a.mode, a.start, a.end))
        self.run_serial(_rule_key(data, REPAIR), keep=True)

    def run_serial(self, key, keep: bool = False) -> None:
        """Serial generation: best-key ready operation, at its earliest slot."""
        ready, waiting = self._ready()
        heap = [(key(i), i) for i in ready]
        heapq.heapify(heap)
        while heap:
            i = heapq.heappop(heap)[1]
            a = self.best_placement(i, keep)
            if a is None:
                raise self.fail(i)
            self.place(i, a)
            for j in self._release(i, waiting):
                heapq.heappush(heap, (key(j), j))

    def run_non_delay(self, key) -> None:
        """Non-delay generation: earliest-starting ready operation, ties by key.

        Placements are cached and refreshed lazily: a cached start can only
        get later when something is placed on one of the operation's
        resources, so a valid heap top is the true earliest start.
        """
        ops = self.data.operations
        version = [0] * len(self.data.resources)
        held = [0] * len(self.data.secondaries)
        cache: dict[int, tuple[int, Assignment]] = {}
        heap: list[tuple] = []
        step = 0

        def push(i: int) -> None:
            a = self.best_placement(i)
            if a is None:
                raise self.fail(i)
            cache[i] = (step, a)
            heapq.heappush(heap, (a.start, key(i), i))

        ready, waiting = self._ready()
        for i in ready:
            push(i)
        while heap:
            i = heapq.heappop(heap)[-1]
            stamp, a = cache[i]
            if any(version[m.resource] > stamp for m in ops[i].modes) or any(
                held[s] > stamp for s in ops[i].requires
            ):
                push(i)
                continue
            step += 1
            self.place(i, a)
            version[a.resource] = step
            for s in ops[i].requires:
                held[s] = step
            for j in self._release(i, waiting):
                push(j)

    def run_atc(self, look_ahead: float, active: bool) -> None:
        """ATC generation (apparent tardiness cost, see the module doc and
        ``_Atc``)."""
        _Atc(self, look_ahead, active).run()

    def fail(self, i: int) -> Unschedulable:
        op = self.data.operations[i]
        earliest, latest = self.window(i)
        return Unschedulable(
            f"operation {op.ref} cannot be placed between "
            f"{self.data.when(earliest)} and {self.data.when(latest)}: its "
            "resources' calendars run out before the horizon "
            "or a fixed successor starts too early"
        )


class _Atc:
    """ATC generation on a ``_Dispatcher``.

    Non-delay: the ready operation that can start first fixes the resource
    and the moment ``t``; the ready operations that can start there at ``t``
    compete. Active (Giffler-Thompson): the one that can end first fixes the
    resource and the moment ``e``; those placed there starting before ``e``
    compete. The highest index goes next, at its earliest placement.
    Placements are cached and refreshed lazily, as in ``run_non_delay``: a
    cached start or end only gets later, so a cached value bounds the true
    one from below (``first``: every ready operation by its cached start or
    end; ``queues``: per resource, the ready operations with a mode there by
    their cached start).
    """

    def __init__(self, board: _Dispatcher, look_ahead: float, active: bool):
        data = board.data
        ops = data.operations
        self.board, self.ops, self.active = board, ops, active
        self.lf = latest_finish(data)
        self.shortest = [min(m.duration for m in op.modes) for op in ops]
        movable = [i for i, op in enumerate(ops) if op.fixed is None]
        mean = sum(self.shortest[i] for i in movable) / max(1, len(movable))
        self.scale = look_ahead * max(1.0, mean)
        self.rate = [
            math.log(data.jobs[op.job].weight / max(self.shortest[i], 1))
            for i, op in enumerate(ops)
        ]
        self.version = [0] * len(data.resources)
        self.held = [0] * len(data.secondaries)
        self.cache: dict[int, tuple[int, Assignment]] = {}
        self.first: list[tuple] = []  # (start or end, stamp, operation)
        self.queues: list[list[tuple]] = [[] for _ in data.resources]
        self.step = 0

    def push(self, i: int) -> None:
        a = self.board.best_placement(i)
        if a is None:
            raise self.board.fail(i)
        self.cache[i] = (self.step, a)
        heapq.heappush(self.first, (a.end if self.active else a.start, self.step, i))
        for m in self.ops[i].modes:
            heapq.heappush(self.queues[m.resource], (a.start, self.step, i))

    def stale(self, i: int) -> bool:
        stamp = self.cache[i][0]
        return any(self.version[m.resource] > stamp for m in self.ops[i].modes) or any(
            self.held[s] > stamp for s in self.ops[i].requires
        )

    def current(self, i: int, stamp: int) -> bool:
        """Whether a heap entry of ``i`` with ``stamp`` is its latest."""
        return i in self.cache and self.cache[i][0] == stamp

    def index(self, i: int, t: int) -> float:
        """The log of operation ``i``'s ATC index at moment ``t``."""
        if self.lf[i] == _INF:
            return -_INF
        slack = max(0.0, self.lf[i] - self.shortest[i] - t)
        return self.rate[i] - slack / self.scale

    def candidates(self, r: int, bound: int) -> list[int]:
        """The ready operations placed on resource ``r`` that compete under
        ``bound`` (taken out of its queue; refreshed where stale)."""
        queue, found = self.queues[r], []
        while queue and (
            queue[0][0] < bound or (not self.active and queue[0][0] == bound)
        ):
            _start, stamp, j = heapq.heappop(queue)
            if not self.current(j, stamp):
                continue
            if self.stale(j):
                self.push(j)  # back in this queue with its new start
            elif self.cache[j][1].resource == r:
                found.append(j)
        return found

    def run(self) -> None:
        board, cache = self.board, self.cache
        ready, waiting = board._ready()
        for i in ready:
            self.push(i)
        while self.first:
            bound, stamp, i = heapq.heappop(self.first)
            if not self.current(i, stamp):
                continue  # placed, or refreshed since
            if self.stale(i):
                self.push(i)
                continue
            r = cache[i][1].resource
            candidates = self.candidates(r, bound)
            if i not in candidates:  # active: i itself ends at ``bound``
                candidates.append(i)
            t = min(cache[j][1].start for j in candidates)
            chosen = min(
                candidates,
                key=lambda j: (-self.index(j, t), cache[j][1].start, self.lf[j], j),
            )
            for j in candidates:
                if j != chosen:
                    heapq.heappush(self.queues[r], (cache[j][1].start, cache[j][0], j))
            if chosen != i:
                heapq.heappush(self.first, (bound, stamp, i))
            a = cache.pop(chosen)[1]
            self.step += 1
            board.place(chosen, a)
            self.version[a.resource] = self.step
            for s in self.ops[chosen].requires:
                self.held[s] = self.step
            for j in board._release(chosen, waiting):
                self.push(j)


def _rule_key(data: ProblemData, rule: str):
    """The sort key of ready operations under ``rule`` (smaller goes first)."""
    ops = data.operations
    lf = latest_finish(data)
    topo = {i: n for n, i in enumerate(data.topological_order)}
    if rule == "priority":

        def key(i: int) -> tuple:
            job = data.jobs[ops[i].job]
            return (not job.rush, -job.weight, lf[i], ops[i].job, topo[i])

    elif rule == "odoo":

        def key(i: int) -> tuple:
            return (ops[i].job, topo[i])

    elif rule == REPAIR:

        def key(i: int) -> tuple:
            current = ops[i].current
            return (_INF if current is None else current.start, lf[i], topo[i])

    else:

        def key(i: int) -> tuple:
            return (lf[i], ops[i].job, topo[i])

    return key


def dispatch(data: ProblemData, rule: str = "priority") -> dict[int, Assignment]:
    """A complete schedule built by the dispatching ``rule`` (see module doc).

    Raises ``Unschedulable`` (a ``ValueError``) when an operation cannot be placed.
    """
    return dispatch_counted(data, rule)[0]


def dispatch_counted(
    data: ProblemData, rule: str = "priority", cap: int | None = None
) -> tuple[dict[int, Assignment], int]:
    """:func:`dispatch`, and the placements it asked for (one per operation
    for the serial rules; the non-delay rules ask again for every placement
    made stale, which grows faster than the operations on a crowded plant).

    With ``cap``, raises ``OverBudget`` as soon as more than ``cap``
    placements are asked: a deterministic bound on the work, whatever the
    machine's speed or load.
    """
    if rule not in (*RULES, REPAIR, INSERT):
        raise ValueError(
            f"unknown dispatching rule {rule!r}; use one of {(*RULES, REPAIR, INSERT)}"
        )
    board = _Dispatcher(data, cap)
    if rule == INSERT:
        board.run_insert()
    elif rule in ATC_LOOK_AHEAD:
        board.run_atc(ATC_LOOK_AHEAD[rule], active=rule == "atc_active")
    elif rule == "edd":
        board.run_non_delay(_rule_key(data, rule))
    else:
        board.run_serial(_rule_key(data, rule), keep=rule == REPAIR)
    if len(board.assignments) != len(data.operations):
        raise Unschedulable("some operations wait on predecessors never placed")
    return board.assignments, board.placements
