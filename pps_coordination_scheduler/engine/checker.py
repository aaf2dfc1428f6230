"""Independent schedule checker and evaluator.

This module deliberately shares no code path with the solvers: it walks the
raw working windows of each resource to recompute spans and per-day working
minutes, so a modelling error in the dispatcher or the CP model shows up here.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from itertools import pairwise

from .data import Assignment, ProblemData
from .result import Evaluation, Violation


def span_end(windows, start: int, duration: int, starts=None) -> int | None:
    """Wall end of ``duration`` working minutes from ``start``, or None.

    None when ``start`` is not inside a window or the windows run out.
    ``starts`` (the windows' start minutes) may be passed to save its building.
    """
    starts = [s for s, _ in windows] if starts is None else starts
    k = bisect_right(starts, start) - 1
    if k < 0 or start >= windows[k][1]:
        return None
    remaining, t = duration, start
    while k < len(windows):
        w_start, w_end = windows[k]
        t = max(t, w_start)
        if w_end - t >= remaining:
            return t + remaining
        remaining -= w_end - t
        k += 1
    return None


def _minutes_per_day(data: ProblemData, windows, starts, start: int, end: int):
    """Working minutes of [start, end) falling into each day."""
    minutes: dict[int, int] = defaultdict(int)
    k = max(0, bisect_right(starts, start) - 1)
    while k < len(windows) and windows[k][0] < end:
        lo, hi = max(windows[k][0], start), min(windows[k][1], end)
        k += 1
        while lo < hi:
            day = data.day_of(lo)
            cut = min(hi, data.day_bounds(day)[1])
            minutes[day] += cut - lo
            lo = cut
    return minutes


def check(data: ProblemData, assignments: dict[int, Assignment]) -> list[Violation]:
    """Every rule the schedule breaks; an empty list means it is valid."""
    found: list[Violation] = []

    def add(kind: str, message: str) -> None:
        found.append(Violation(kind, message))

    ops = data.operations
    for index in assignments:
        if not 0 <= index < len(ops):
            add("unknown", f"assignment for unknown operation index {index}")
    horizon = data.end_of_calendar()
    starts = [[s for s, _ in res.windows] for res in data.resources]
    for i, op in enumerate(ops):
        a = assignments.get(i)
        if a is None:
            add("missing", f"operation {op.ref} is not scheduled")
            continue
        if op.fixed is not None:
            if a != op.fixed:
                add("fixed", f"fixed operation {op.ref} was moved or changed")
            continue
        if not 0 <= a.mode < len(op.modes) or op.modes[a.mode].resource != a.resource:
            add("mode", f"operation {op.ref} is not on one of its modes")
            continue
        windows = data.resources[a.resource].windows
        end = span_end(windows, a.start, op.modes[a.mode].duration, starts[a.resource])
        if end is None:
            add(
                "calendar",
                f"operation {op.ref} starts at {a.start}, outside the working "
                "time of its resource (or after its last window)",
            )
        elif end != a.end:
            add("span", f"operation {op.ref} should end at {end}, not {a.end}")
        if a.start < max(0, data.releases[op.job]):
            add("release", f"operation {op.ref} starts before its release")
        if a.end > horizon:
            add("horizon", f"operation {op.ref} ends after the horizon {horizon}")
    found += _check_overlaps(data, assignments)
    found += _check_precedences(data, assignments)
    found += _check_reserve(data, assignments, starts)
    found += _check_changeovers(data, assignments, starts)
    found += _check_secondaries(data, assignments)
    return found


def secondary_usage(data: ProblemData, assignments, s: int):
    """Elementary pieces (start, end, level, fixed units, movable units,
    operations) of secondary resource ``s`` over the spans of the
    operations that hold it, in time order."""
    secondary = data.secondaries[s]
    held = []
    for i, a in assignments.items():
        if not 0 <= i < len(data.operations):
            continue
        units = data.operations[i].requires.get(s)
        if units and a.end > a.start:
            held.append((a.start, a.end, units, i))
    if not held:
        return []
    lo = min(start for start, _, _, _ in held)
    hi = max(end for _, end, _, _ in held)
    levels = secondary.profile(lo, hi)
    changes: dict[int, list] = defaultdict(list)
    for start, end, units, i in held:
        changes[start].append((1, units, i))
        changes[end].append((-1, units, i))
    for start, end, _ in levels:
        changes.setdefault(start, [])
        changes.setdefault(end, [])
    active: dict[int, int] = {}
    pieces = []
    k = 0
    points = sorted(changes)
    for t, u in pairwise(points):
        for sign, units, i in changes[t]:
            if sign > 0:
                active[i] = units
            else:
                active.pop(i, None)
        if not active:
            continue
        while levels[k][1] <= t:
            k += 1
        fixed = sum(v for i, v in active.items() if data.operations[i].fixed)
        movable = sum(active.values()) - fixed
        pieces.append((t, u, levels[k][2], fixed, movable, tuple(sorted(active))))
    return pieces


def _check_secondaries(data: ProblemData, assignments) -> list[Violation]:
    """At every minute, the operations holding a secondary resource hold no
    more units than it has then (``SecondaryResource``): movable work gets
    what fixed work leaves, fixed work alone is left as it is."""
    found = []
    for s, secondary in enumerate(data.secondaries):
        last = None
        for t, _u, level, fixed, movable, ops in secondary_usage(data, assignments, s):
            if not movable or movable <= max(0, level - fixed):
                continue
            if ops == last:
                continue
            last = ops
            names = ", ".join(data.operations[i].ref for i in ops)
            found.append(
                Violation(
                    "secondary",
                    f"operations {names} hold {fixed + movable} of "
                    f"{secondary.ref} at {data.when(t)}, which has {level} then",
                )
            )
    return found


def _working_between(windows, starts, start: int, end: int) -> int:
    """Working minutes of ``windows`` in the wall interval [start, end)."""
    total = 0
    k = max(0, bisect_right(starts, start) - 1)
    while k < len(windows) and windows[k][0] < end:
        total += max(0, min(windows[k][1], end) - max(windows[k][0], start))
        k += 1
    return total


def _sequences(data: ProblemData, assignments):
    """Per sequenced resource, its operations' (start, end, index) by start."""
    by_resource: dict[int, list] = defaultdict(list)
    for i, a in assignments.items():
        known = 0 <= i < len(data.operations) and 0 <= a.resource < len(data.resources)
        if known and data.sequenced[a.resource]:
            by_resource[a.resource].append((a.start, a.end, i))
    for items in by_resource.values():
        items.sort()
    return by_resource


def changeovers(data: ProblemData, assignments) -> dict[int, int]:
    """Per operation, the changeover minutes its resource needs right before
    it (from the operation before it there); only the operations that need one."""
    found = {}
    for r, items in _sequences(data, assignments).items():
        for (_, _, i), (_, _, j) in pairwise(items):
            minutes = data.changeover(r, i, j)
            if minutes:
                found[j] = minutes
    return found


def family_minutes(data: ProblemData, assignments) -> dict[int, dict]:
    """The levelling measure's table: per levelled resource
    (``ProblemData.levelled``), per setup family with movable work there,
    the minutes of that family's movable operations per day, each operation
    counted whole (the working minutes of its mode) on the day its start
    falls in. The days are the resource's working days (days with working
    time in its windows) from the first to the last on which a movable
    operation with a family starts there; a family without work on one of
    them has 0 there. ``{resource: {family: {day: minutes}}}``."""
    ops = data.operations
    work: dict[int, dict] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for i, a in assignments.items():
        if not 0 <= i < len(ops) or not 0 <= a.resource < len(data.resources):
            continue
        op = ops[i]
        if op.fixed is not None or op.family is None or not data.levelled[a.resource]:
            continue
        if not 0 <= a.mode < len(op.modes):
            continue
        day = data.day_of(a.start)
        work[a.resource][op.family][day] += op.modes[a.mode].duration
    table = {}
    for r, families in work.items():
        windows = data.resources[r].windows
        starts = [s for s, _ in windows]
        used = {day for days in families.values() for day in days}
        span = [
            day
            for day in range(min(used), max(used) + 1)
            if _working_between(windows, starts, *data.day_bounds(day)) > 0
        ]
        table[r] = {
            family: {day: days.get(day, 0) for day in span}
            for family, days in families.items()
        }
    return table


def levelling(data: ProblemData, assignments) -> int:
    """The levelling measure (``SolveParams.level_families``): over every
    levelled resource and family of :func:`family_minutes`, the most minutes
    of that family on one day minus the fewest, summed. 0: every family has
    as many minutes on each working day of its resource's span."""
    return sum(
        max(days.values()) - min(days.values())
        for families in family_minutes(data, assignments).values()
        for days in families.values()
    )


def _check_changeovers(data: ProblemData, assignments, starts) -> list[Violation]:
    """Between consecutive operations on a resource, the working time its
    changeover matrix asks for (``Resource.changeover``): the changeover is
    work on the resource inside its windows, after the first operation ends
    and before the next starts. Two fixed operations are left as they are."""
    found = []
    ops = data.operations
    for r, items in _sequences(data, assignments).items():
        windows = data.resources[r].windows
        for (_, end, i), (start, _, j) in pairwise(items):
            if ops[i].fixed is not None and ops[j].fixed is not None:
                continue
            need = data.changeover(r, i, j)
            if not need or start < end:  # an overlap is reported as such
                continue
            gap = _working_between(windows, starts[r], end, start)
            if gap < need:
                found.append(
                    Violation(
                        "changeover",
                        f"operation {ops[j].ref} starts {gap} working minutes "
                        f"after {ops[i].ref} ends on resource "
                        f"{data.resources[r].ref}: their changeover needs {need}",
                    )
                )
    return found


def _check_overlaps(data: ProblemData, assignments) -> list[Violation]:
    by_resource: dict[int, list] = defaultdict(list)
    for i, a in assignments.items():
        if 0 <= i < len(data.operations):
            by_resource[a.resource].append((a.start, a.end, i))
    found = []
    for r, items in by_resource.items():
        items.sort()
        for (_, end, i), (start, _, j) in pairwise(items):
            if start < end:
                found.append(
                    Violation(
                        "overlap",
                        f"operations {data.operations[i].ref} and "
                        f"{data.operations[j].ref} overlap on resource "
                        f"{data.resources[r].ref}",
                    )
                )
    return found


def _check_precedences(data: ProblemData, assignments) -> list[Violation]:
    found = []
    for prec in data.precedences:
        a, b = assignments.get(prec.before), assignments.get(prec.after)
        if a is None or b is None:
            continue
        both_fixed = (
            data.operations[prec.before].fixed is not None
            and data.operations[prec.after].fixed is not None
        )
        if not both_fixed and b.start < a.end + prec.lag:
            found.append(
                Violation(
                    "precedence",
                    f"operation {data.operations[prec.after].ref} starts before "
                    f"{data.operations[prec.before].ref} ends (+{prec.lag} lag)",
                )
            )
    return found


def _check_reserve(data: ProblemData, assignments, starts) -> list[Violation]:
    """Per resource-day, movable non-rush work within what the reserve leaves.

    The limit is ``max(0, floor((1 - share) * W) - F)``: W the day's working
    minutes, F those that fixed non-rush work (fixed operations of non-rush
    jobs) takes in them. Fixed work is never counted as used: only what was
    already there may exceed the share.
    """
    share = data.share
    if share == 0:
        return []
    fixed: dict[tuple[int, int], int] = defaultdict(int)
    for op in data.operations:
        if op.fixed is None or data.jobs[op.job].rush:
            continue
        r = op.fixed.resource
        windows = data.resources[r].windows
        per_day = _minutes_per_day(
            data, windows, starts[r], op.fixed.start, op.fixed.end
        )
        for day, minutes in per_day.items():
            fixed[r, day] += minutes
    used: dict[tuple[int, int], int] = defaultdict(int)
    for i, a in assignments.items():
        if not 0 <= i < len(data.operations):
            continue
        if not data.bound_by_reserve(i, a.mode):
            continue
        windows = data.resources[a.resource].windows
        per_day = _minutes_per_day(data, windows, starts[a.resource], a.start, a.end)
        for day, minutes in per_day.items():
            used[a.resource, day] += minutes
    found = []
    for (r, day), minutes in sorted(used.items()):
        start, end = data.day_bounds(day)
        work = sum(
            _minutes_per_day(
                data, data.resources[r].windows, starts[r], start, end
            ).values()
        )
        taken = fixed.get((r, day), 0)
        limit = max(0, math.floor((1 - share) * work) - taken)
        if minutes > limit:
            besides = f" besides {taken} of fixed work" if taken else ""
            found.append(
                Violation(
                    "reserve",
                    f"non-rush work fills {minutes} of {work} working minutes of "
                    f"resource {data.resources[r].ref} on day {day}{besides}: more "
                    f"than the {limit} left outside the rush reserve",
                )
            )
    return found


def evaluate(data: ProblemData, assignments: dict[int, Assignment]) -> Evaluation:
    """Weighted tardiness, late jobs, on-time rate, makespan, stability,
    changeover minutes and the levelling measure."""
    completion: dict[int, int] = {}
    for i, a in assignments.items():
        job = data.operations[i].job
        completion[job] = max(completion.get(job, a.end), a.end)
    tardiness = {
        j: max(0, c - data.jobs[j].due)
        for j, c in completion.items()
        if data.jobs[j].due is not None
    }
    weighted = sum(data.jobs[j].weight * t for j, t in tardiness.items())
    late = sum(1 for t in tardiness.values() if t > 0)
    moved = displacement = 0
    for i, a in assignments.items():
        current = data.operations[i].current
        if current is not None and data.operations[i].fixed is None:
            if a.start != current.start or a.resource != current.resource:
                moved += 1
            displacement += abs(a.start - current.start)
    setups = changeovers(data, assignments) if data.has_changeovers else {}
    return Evaluation(
        levelling=levelling(data, assignments) if data.has_levelling else 0,
        changeover=sum(setups.values()),
        setups=setups,
        weighted_tardiness=weighted,
        late_jobs=late,
        on_time_rate=1 - late / len(tardiness) if tardiness else 1.0,
        makespan=max((a.end for a in assignments.values()), default=0),
        moved=moved,
        displacement=displacement,
        completion=completion,
        tardiness=tardiness,
    )
