"""Why a job is late: the binding cause read from a complete schedule.

``explain(data, assignments)`` walks back from each late job's last operation
(the one that ends last) along what actually held it, and stops at the first
thing that is not the job's own earlier work:

* its own operation is fixed (in progress, pinned, frozen...): ``"fixed"``;
* other work on its resource ran between the moment it could start and its
  start: ``"resource"``, with that work (``ahead``, in start order) and the
  last of it (``blocker``, the one it waited for directly); also when the
  work before it there ended earlier but the changeover after that work
  (``Resource.changeover``) is what it waited for: that work is the blocker;
* nothing ran there, but a secondary resource it needs (people, a
  fixture: ``Operation.requires``) was short the minute before it starts:
  other work held it, or fewer units were there: ``"secondary"``, with
  ``secondary`` (its index) and the work holding it then (``ahead``; the
  one that left last, ``blocker``, None when only the level was short);
* nothing ran there, and what it could not start before was
  - the end of its job's own earlier operation: the walk goes on from there,
  - the end of another job's operation (a sub-assembly): ``"predecessor"``,
  - the job's release (material): ``"release"``,
  - the origin (now): ``"start"`` -- started as early as the plan allows and
    still late: its own work, over the working time left, is longer than the
    time to its due date.

The bound found is ``since``: the minute from which the operation was free to
start as far as its precedences and its release go. Between ``since`` and the
operation's start the resource was busy (``"resource"``) or not working (a
calendar gap, a leave, a capacity taken away by the caller's abnormality):
the caller, who knows its calendars, can tell those apart on that interval.

Nothing here is a guess: every cause is a constraint that is tight in the
schedule given. A job is late when it has a due date and its last operation
ends after it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from .checker import _working_between
from .data import Assignment, ProblemData


@dataclass(frozen=True)
class Delay:
    """What holds a late job (see the module docstring for ``kind``).

    ``operation`` is the operation the walk stopped at (of the late job),
    ``resource`` where it runs, ``start`` its start, ``since`` the minute
    from which it could have started, ``ahead`` the other operations that
    ran on its resource in ``[since, start)`` (start order), ``blocker`` the
    operation it waited for directly (the last of ``ahead``, or the other
    job's operation before it), ``tardiness`` the job's minutes late,
    ``secondary`` the secondary resource it waited for (kind "secondary").
    """

    kind: str
    job: int
    operation: int
    resource: int
    start: int
    since: int
    tardiness: int
    ahead: tuple[int, ...] = ()
    blocker: int | None = None
    secondary: int | None = None


def explain(
    data: ProblemData, assignments: dict[int, Assignment], see_through=()
) -> dict[int, Delay]:
    """The binding cause of every late job of a complete schedule.

    :param assignments: operation index -> Assignment, as ``solve`` returns
        (operations missing from it are ignored)
    :param see_through: fixed operations explained as if they had been
        planned where they are (work kept by a rule such as a frozen zone, not
        by a decision): what held them there is the cause, when anything did
    :return: {job index: Delay}, late jobs only
    """
    see_through = frozenset(see_through)
    by_resource: dict[int, list[tuple[int, int, int]]] = {}
    for i, a in assignments.items():
        by_resource.setdefault(a.resource, []).append((a.start, a.end, i))
    for items in by_resource.values():
        items.sort()
    starts = {r: [item[0] for item in items] for r, items in by_resource.items()}
    ends: dict[int, int] = {}
    for i, a in assignments.items():
        job = data.operations[i].job
        ends[job] = max(ends.get(job, a.end), a.end)
    delays: dict[int, Delay] = {}
    for j, completion in ends.items():
        due = data.jobs[j].due
        if due is None or completion <= due:
            continue
        last = max(
            (i for i in data.job_operations[j] if i in assignments),
            key=lambda i: (assignments[i].end, i),
        )
        delays[j] = _walk(
            data,
            assignments,
            by_resource,
            starts,
            j,
            last,
            completion - due,
            see_through,
        )
    return delays


def _walk(
    data, assignments, by_resource, starts, job, i, tardiness, see_through
) -> Delay:
    """Follow the job's own tight precedences back to a cause."""
    seen = set()
    while True:
        seen.add(i)
        a = assignments[i]
        base = {
            "job": job,
            "operation": i,
            "resource": a.resource,
            "start": a.start,
            "tardiness": tardiness,
        }
        if data.operations[i].fixed is not None and i not in see_through:
            return Delay("fixed", since=a.start, **base)
        since, bound = _bound(data, assignments, i)
        ahead = _ahead(by_resource, starts, a.resource, since, a.start, i)
        if not ahead and data.sequenced[a.resource]:
            ahead = _changeover_ahead(data, by_resource, starts, i, a, since)
        if ahead:
            return Delay(
                "resource", since=since, ahead=ahead, blocker=ahead[-1], **base
            )
        short = _secondary_short(data, assignments, i, since)
        if short is not None:
            s, holders = short
            return Delay(
                "secondary",
                since=since,
                ahead=holders,
                blocker=holders[-1] if holders else None,
                secondary=s,
                **base,
            )
        if bound is None:
            kind = "release" if since > 0 and since == data.releases[job] else "start"
            return Delay(kind, since=since, **base)
        if data.operations[bound].job != job:
            return Delay("predecessor", since=since, blocker=bound, **base)
        if bound in seen:  # cannot happen on an acyclic graph; stay safe
            return Delay("start", since=since, **base)
        i = bound


def _bound(data: ProblemData, assignments, i: int) -> tuple[int, int | None]:
    """Earliest start the operation's precedences and release allow, and the
    predecessor that sets it (None: the release or the origin).

    Ties prefer the job's own earlier work (the walk goes on), then other
    jobs' work, then the release: the deepest explanation wins.
    """
    job = data.operations[i].job
    since, bound = max(data.releases[job], 0), None
    rank = 0
    for p in data.predecessors[i]:
        if p not in assignments:
            continue
        end = assignments[p].end + data.lag(p, i)
        own = 2 if data.operations[p].job == job else 1
        if end > since or (end == since and own > rank):
            since, bound, rank = end, p, own
    return since, bound


def _secondary_short(data, assignments, i, since):
    """The secondary resource operation ``i`` lacked the minute before it
    starts (later than ``since``), and the work holding it then by end."""
    a = assignments[i]
    if a.start <= since:
        return None
    t = a.start - 1
    for s, units in data.operations[i].requires.items():
        level = _level(data.secondaries[s], t)
        holders = sorted(
            (b.end, k)
            for k, b in assignments.items()
            if k != i and s in data.operations[k].requires and b.start <= t < b.end
        )
        used = sum(data.operations[k].requires[s] for _, k in holders)
        if used + units > level:
            return s, tuple(k for _, k in holders)
    return None


def _level(secondary, t: int) -> int:
    """Units of ``secondary`` there at minute ``t``."""
    return secondary.profile(t, t + 1)[0][2]


def _changeover_ahead(data, by_resource, starts, i, a, since) -> tuple[int, ...]:
    """The operation before ``i`` on its resource, when the changeover after
    it is what held ``i`` past ``since``: it ended by then, and ``i``
    starts right when the changeover's working minutes have passed."""
    keys = starts.get(a.resource, ())
    k = bisect_left(keys, a.start) - 1
    if k < 0 or a.start <= since:
        return ()
    _, end, before = by_resource[a.resource][k]
    need = data.changeover(a.resource, before, i)
    if not need or end > since:
        return ()
    resource = data.resources[a.resource]
    windows = resource.windows
    gap = _working_between(windows, [w[0] for w in windows], end, a.start)
    return (before,) if gap <= need else ()


def _ahead(by_resource, starts, resource, since, start, i) -> tuple[int, ...]:
    """Operations other than ``i`` running on ``resource`` in [since, start)."""
    if start <= since:
        return ()
    items = by_resource.get(resource, ())
    keys = starts.get(resource, ())
    stop = bisect_left(keys, start)  # operations starting before ``start``
    lo = max(bisect_right(keys, since) - 1, 0)
    while lo > 0 and items[lo - 1][1] > since:  # fixed work may overlap
        lo -= 1
    return tuple(k for s, e, k in items[lo:stop] if k != i and e > since)
