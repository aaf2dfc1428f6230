"""CP-SAT model over working-time axes, one function per constraint family.

Each movable operation ``i`` and mode ``m`` gets a position ``p`` on the
resource's working axis and a fixed-size interval ``[p, p + d)`` there, so
the per-resource no-overlap propagates on working minutes. Wall-clock start
and end come from ``p`` through element constraints over the resource's
window table (window index, working minutes before it, wall offset): the
tables have one entry per window, never one per minute. Precedences,
releases and due dates use wall-clock times.

The same builder serves the whole problem and the sub-problems of the
large-neighbourhood search: operations not in ``free`` are frozen at the
given assignments and enter the model as constants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from ortools.sat.python import cp_model

from .calendar import ReserveDay, WorkAxis
from .data import Assignment, ProblemData


class NoRoom(ValueError):
    """An operation has no feasible placement in the sub-problem's time range."""


@dataclass
class _WallLink:
    """Element link from axis position ``p + shift`` to a wall time."""

    shift: int
    first: int  # first window in reach; ``k`` counts from it
    k: cp_model.IntVar
    lo_pos: cp_model.IntVar
    hi_pos: cp_model.IntVar
    offset: cp_model.IntVar
    wall: cp_model.IntVar

    def hint(self, model: cp_model.CpModel, axis: WorkAxis, p: int) -> None:
        x = p + self.shift
        w = axis.end_window(x) if self.shift else axis.start_window(x)
        model.add_hint(self.k, w - self.first)
        model.add_hint(self.lo_pos, axis.cum[w])
        model.add_hint(self.hi_pos, axis.cum[w] + axis.ends[w] - axis.starts[w])
        model.add_hint(self.offset, axis.offset(w))
        model.add_hint(self.wall, x + axis.offset(w))


@dataclass
class _ModeVars:
    mode: int
    resource: int
    lit: cp_model.IntVar | None
    p: cp_model.IntVar
    interval: cp_model.IntervalVar
    start: cp_model.LinearExprT
    end: cp_model.LinearExprT
    p_lo: int
    links: list[_WallLink]
    p_hi: int = 0


@dataclass
class _OpVars:
    modes: list[_ModeVars]
    start: cp_model.LinearExprT
    end: cp_model.LinearExprT


@dataclass
class Model:
    """A built CP-SAT model with handles on the variables the solver reads."""

    model: cp_model.CpModel
    data: ProblemData
    axes: list[WorkAxis]
    ops: dict[int, _OpVars] = field(default_factory=dict)
    tardiness: dict[int, cp_model.IntVar] = field(default_factory=dict)
    makespan: cp_model.IntVar | None = None
    blocks: list[tuple[cp_model.IntVar, int, ReserveDay]] = field(default_factory=list)
    moved: dict[int, cp_model.IntVar] = field(default_factory=dict)
    displacement: dict[int, cp_model.IntVar] = field(default_factory=dict)
    nearby: list[int] = field(default_factory=list)  # free and frozen near them
    # per sequenced resource: its nodes and {(tail, head): arc literal}
    circuits: list[tuple[int, list[_Node], dict]] = field(default_factory=list)
    setup_terms: list[tuple[cp_model.IntVar, int]] = field(default_factory=list)
    # per free operation holding a secondary resource: its wall span's length
    spans: dict[int, cp_model.IntVar] = field(default_factory=dict)
    # per levelled resource with free family work: its levelling terms
    levels: list[_Level] = field(default_factory=list)

    # objective terms ---------------------------------------------------------
    def weighted_tardiness(self) -> cp_model.LinearExprT:
        return sum(self.data.jobs[j].weight * t for j, t in self.tardiness.items())

    def changeover(self) -> cp_model.LinearExprT:
        """Changeover minutes of the sequences the model chooses."""
        return sum(minutes * lit for lit, minutes in self.setup_terms)

    def changeover_bound(self) -> int:
        """An upper bound of :meth:`changeover`."""
        return sum(minutes for _, minutes in self.setup_terms)

    def levelling(self) -> cp_model.LinearExprT:
        """The levelling measure of the resources the model levels (built
        with ``level``): at least the checker's, equal at the optimum."""
        return sum(most - fewest for lv in self.levels for most, fewest, _ in lv.bounds)

    def levelling_bound(self) -> int:
        """An upper bound of :meth:`levelling`."""
        return sum(total for lv in self.levels for _, _, total in lv.bounds)

    # hints and solutions ------------------------------------------------------
    def add_hint(self, schedule: dict[int, Assignment]) -> None:
        """Hint every variable from a complete, feasible ``schedule``."""
        model = self.model
        model.clear_hints()
        for i, ov in self.ops.items():
            a = schedule[i]
            for mv in ov.modes:
                chosen = mv.mode == a.mode
                if mv.lit is not None:
                    model.add_hint(mv.lit, chosen)
                axis = self.axes[mv.resource]
                p = axis.pos(a.start) if chosen else mv.p_lo
                model.add_hint(mv.p, p)
                for link in mv.links:
                    link.hint(model, axis, p)
            if len(ov.modes) > 1:
                model.add_hint(ov.start, a.start)
                model.add_hint(ov.end, a.end)
        for i, lit in self.moved.items():
            cur = self.data.operations[i].current
            a = schedule[i]
            model.add_hint(lit, (a.start, a.resource) != (cur.start, cur.resource))
            model.add_hint(self.displacement[i], abs(a.start - cur.start))
        for j, t in self.tardiness.items():
            end = max(schedule[i].end for i in self.data.job_operations[j])
            model.add_hint(t, max(0, end - self.data.jobs[j].due))
        if self.makespan is not None:
            model.add_hint(self.makespan, max(a.end for a in schedule.values()))
        busy = _nonrush_busy(
            self.data, self.axes, schedule, {r for _, r, _ in self.blocks}, self.nearby
        )
        for var, r, day in self.blocks:
            start = _free_block(busy.get(r, []), day)
            if start is not None:
                model.add_hint(var, start)
        for _r, nodes, arcs in self.circuits:
            _hint_circuit(model, nodes, arcs, schedule)
        for i, size in self.spans.items():
            model.add_hint(size, schedule[i].end - schedule[i].start)
        for lv in self.levels:
            lv.hint(model, self.data, schedule)

    def read_solution(self, solver: cp_model.CpSolver) -> dict[int, Assignment]:
        """Assignments of the free operations in the solver's solution."""
        result = {}
        for i, ov in self.ops.items():
            mv = next(
                mv for mv in ov.modes if mv.lit is None or solver.boolean_value(mv.lit)
            )
            result[i] = Assignment(
                mv.resource, mv.mode, solver.value(ov.start), solver.value(ov.end)
            )
        return result


def _nonrush_busy(data, axes, schedule, resources, nearby) -> dict[int, list]:
    """Sorted working-axis intervals of movable non-rush work per resource."""
    busy: dict[int, list] = {}
    for i in nearby:
        a = schedule[i]
        op = data.operations[i]
        if a.resource not in resources or not data.bound_by_reserve(i, a.mode):
            continue
        p = axes[a.resource].pos(a.start)
        busy.setdefault(a.resource, []).append((p, p + op.modes[a.mode].duration))
    for intervals in busy.values():
        intervals.sort()
    return busy


def _free_block(busy, day: ReserveDay) -> int | None:
    """First start of a reserve block in ``day`` clear of the ``busy`` work."""
    cursor = day.seg_start
    for p, q in busy:
        if q <= day.seg_start:
            continue
        if p >= day.seg_end:
            break
        if p - cursor >= day.block:
            return cursor
        cursor = max(cursor, q)
    return cursor if day.seg_end - cursor >= day.block else None


@dataclass
class _Node:
    """An operation (in one mode) in the sequence of a resource."""

    op: int
    mode: int
    family: object
    lit: cp_model.IntVar | None  # presence (None: always there)
    start: cp_model.LinearExprT  # working-axis position of its start
    end: cp_model.LinearExprT  # ... and of its end
    lo: int  # earliest start position
    hi: int  # latest start position
    duration: int
    frozen: bool


def _hint_circuit(model, nodes: list[_Node], arcs: dict, schedule) -> None:
    """Hint the arcs of a resource's sequence from a complete schedule."""
    present = sorted(
        (schedule[n.op].start, k)
        for k, n in enumerate(nodes, start=1)
        if schedule[n.op].mode == n.mode
    )
    chosen = set()
    order = [0, *(k for _, k in present), 0]
    if len(order) > 2:
        chosen.update(pairwise(order))
    for (tail, head), lit in arcs.items():
        if tail != head:  # self-loops are the negated presence, hinted as such
            model.add_hint(lit, (tail, head) in chosen)


def frozen_interval(data: ProblemData, axis: WorkAxis, i: int, a: Assignment):
    """Working-axis [p, q) of a frozen or fixed operation."""
    p = axis.pos(a.start)
    if data.operations[i].fixed is not None:
        return p, axis.pos(a.end)
    return p, p + data.operations[i].modes[a.mode].duration


def build(
    data: ProblemData,
    axes: list[WorkAxis],
    days: list[list[ReserveDay]],
    free: list[int],
    frozen: dict[int, Assignment],
    lo: int = 0,
    hi: int | None = None,
    stability: bool = True,
    makespan: bool = True,
    level: bool = False,
) -> Model:
    """Model deciding the operations ``free`` between wall minutes lo and hi
    (``level``: with the levelling terms, ``Model.levelling``)."""
    hi = data.end_of_calendar() if hi is None else hi
    m = Model(cp_model.CpModel(), data, axes)
    ranges = _add_operations(m, free, frozen, lo, hi)
    near = (lo - data.day_length, hi + data.day_length)
    by_resource: dict[int, list] = {}
    m.nearby = list(m.ops)
    for i, a in frozen.items():  # only what can touch the free operations' days
        if a.resource in ranges and a.end > near[0] and a.start < near[1]:
            by_resource.setdefault(a.resource, []).append((i, a))
            m.nearby.append(i)
    _add_no_overlap(m, by_resource, ranges)
    _add_changeovers(m, frozen, by_resource, ranges, near)
    _add_reserve(m, days, by_resource, ranges)
    _add_secondaries(m, frozen)
    _add_precedences(m)
    _add_tardiness(m, frozen)
    if makespan:
        _add_makespan(m, frozen, hi)
    if stability:
        _add_stability(m)
    if level:
        add_levelling(m, frozen)
    return m


def _add_operations(m: Model, free, frozen, lo: int, hi: int) -> dict:
    """Position, window and wall-clock variables per free operation and mode.

    Returns, per resource, the working-axis range the free operations can use.
    """
    data, model = m.data, m.model
    ranges: dict[int, list[int]] = {}
    heads, tails = _time_windows(data, free, frozen, lo, hi)
    for i in free:
        op = data.operations[i]
        earliest, latest = heads[i], tails[i]
        modes = []
        for k, mode in enumerate(op.modes):
            axis = m.axes[mode.resource]
            p_lo = axis.pos(earliest)
            p_hi = axis.pos(latest) - mode.duration
            if p_hi < p_lo:
                continue
            modes.append((k, mode, axis, p_lo, p_hi))
            span = ranges.setdefault(mode.resource, [p_lo, p_hi + mode.duration])
            span[0] = min(span[0], p_lo)
            span[1] = max(span[1], p_hi + mode.duration)
        if not modes:
            raise NoRoom(
                f"operation {op.ref} has no room between {data.when(earliest)} "
                f"and {data.when(latest)} on any of its work centers"
            )
        vars_ = [_mode_vars(model, i, *mode, single=len(modes) == 1) for mode in modes]
        if len(vars_) == 1:
            m.ops[i] = _OpVars(vars_, vars_[0].start, vars_[0].end)
            continue
        s_lo = min(axis.wall_start(p_lo) for _, _, axis, p_lo, _ in modes)
        e_hi = max(axis.wall_end(p_hi + md.duration) for _, md, axis, _, p_hi in modes)
        start = model.new_int_var(s_lo, e_hi, f"s{i}")
        end = model.new_int_var(s_lo, e_hi, f"e{i}")
        model.add_exactly_one(v.lit for v in vars_)
        for v in vars_:
            model.add(start == v.start).only_enforce_if(v.lit)
            model.add(end == v.end).only_enforce_if(v.lit)
        m.ops[i] = _OpVars(vars_, start, end)
    return ranges


def _time_windows(data: ProblemData, free, frozen, lo: int, hi: int):
    """Earliest wall start and latest wall end of each free operation.

    Forward and backward passes over the precedences, counting each
    operation's shortest duration (wall time is never shorter than working
    time), so the window tables in reach of each operation stay short.
    """
    chosen = set(free)
    shortest = {i: min(md.duration for md in data.operations[i].modes) for i in free}
    heads: dict[int, int] = {}
    tails: dict[int, int] = {}
    order = [i for i in data.topological_order if i in chosen]
    for i in order:
        value = max(lo, 0, data.releases[data.operations[i].job])
        for j in data.predecessors[i]:
            end = frozen[j].end if j in frozen else heads[j] + shortest[j]
            value = max(value, end + data.lag(j, i))
        heads[i] = value
    for i in reversed(order):
        value = hi
        for j in data.successors[i]:
            start = frozen[j].start if j in frozen else tails[j] - shortest[j]
            value = min(value, start - data.lag(i, j))
        tails[i] = value
    return heads, tails


def _mode_vars(model, i, k, mode, axis: WorkAxis, p_lo, p_hi, single) -> _ModeVars:
    """Variables of operation ``i`` in mode ``k``: interval on the axis + wall link."""
    d = mode.duration
    p = model.new_int_var(p_lo, p_hi, f"p{i}_{k}")
    lit = None if single else model.new_bool_var(f"x{i}_{k}")
    if lit is None:
        interval = model.new_fixed_size_interval_var(p, d, f"iv{i}_{k}")
    else:
        interval = model.new_optional_fixed_size_interval_var(p, d, lit, f"iv{i}_{k}")
    name = f"{i}_{k}"
    links: list[_WallLink] = []
    start = _wall(model, axis, p, 0, axis.start_window, p_lo, p_hi, name, links)
    end = _wall(model, axis, p, d, axis.end_window, p_lo, p_hi, name + "e", links)
    return _ModeVars(k, mode.resource, lit, p, interval, start, end, p_lo, links, p_hi)


def _wall(model, axis: WorkAxis, p, shift, window_of, p_lo, p_hi, name, links):
    """Wall time of axis position ``p + shift`` (a start if shift == 0, else an end).

    One window in reach: an affine expression. Several: element constraints
    over the slice of the window table in reach.
    """
    first, last = window_of(p_lo + shift), window_of(p_hi + shift)
    if first == last:
        return p + shift + axis.offset(first)
    k = model.new_int_var(0, last - first, f"k{name}")
    cum = axis.cum[first : last + 1]
    ends = [axis.ends[w] for w in range(first, last + 1)]
    offsets = [axis.offset(w) for w in range(first, last + 1)]
    # working minutes before window w, and up to its end
    nxt = [
        c + e - axis.starts[w]
        for w, c, e in zip(range(first, last + 1), cum, ends, strict=True)
    ]
    lo_pos = model.new_int_var(min(cum), max(cum), f"c{name}")
    hi_pos = model.new_int_var(min(nxt), max(nxt), f"n{name}")
    off = model.new_int_var(min(offsets), max(offsets), f"o{name}")
    model.add_element(k, cum, lo_pos)
    model.add_element(k, nxt, hi_pos)
    model.add_element(k, offsets, off)
    if shift == 0:  # window k holds working minute p
        model.add(p >= lo_pos)
        model.add(p < hi_pos)
    else:  # window k holds working minute p + shift - 1
        model.add(p + shift > lo_pos)
        model.add(p + shift <= hi_pos)
    lo_wall = axis.wall_start(p_lo) if shift == 0 else axis.wall_end(p_lo + shift)
    hi_wall = axis.wall_start(p_hi) if shift == 0 else axis.wall_end(p_hi + shift)
    wall = model.new_int_var(lo_wall, hi_wall, f"w{name}")
    model.add(wall == p + shift + off)
    links.append(_WallLink(shift, first, k, lo_pos, hi_pos, off, wall))
    return wall


def _frozen_on(m: Model, frozen, r: int, lo: int, hi: int, nonrush_only: bool):
    """Constant intervals of frozen operations on resource r overlapping [lo, hi)."""
    data = m.data
    for i, a in frozen.get(r, ()):
        if nonrush_only and not data.bound_by_reserve(i, a.mode):
            continue
        p, q = frozen_interval(data, m.axes[r], i, a)
        if q > lo and p < hi and q > p:
            yield m.model.new_fixed_size_interval_var(p, q - p, f"f{i}")


def _add_no_overlap(m: Model, frozen, ranges) -> None:
    """Per resource, no two operations overlap on the working axis."""
    for r, (lo, hi) in sorted(ranges.items()):
        intervals = [
            mv.interval for ov in m.ops.values() for mv in ov.modes if mv.resource == r
        ]
        intervals += list(_frozen_on(m, frozen, r, lo, hi, nonrush_only=False))
        if len(intervals) > 1:
            m.model.add_no_overlap(intervals)


def _add_changeovers(m: Model, frozen, nearby, ranges, near) -> None:
    """Per sequenced resource, a circuit over its operations whose arcs
    carry the changeover between them.

    The nodes are the free operations' modes there (optional when the
    operation has other modes), the frozen operations near them, and the
    frozen operations right before and after those (however far: a
    changeover to them needs working time too). An arc from one node to the
    next puts the second's start at least the changeover after the first's
    end on the working axis, so the changeover is working time of the
    resource inside its windows; two frozen operations only follow each
    other in their own order, as they are.
    """
    data = m.data
    for r in sorted(ranges):
        if not data.sequenced[r]:
            continue
        free = [
            (i, mv) for i, ov in m.ops.items() for mv in ov.modes if mv.resource == r
        ]
        if not any(data.operations[i].family is not None for i, _ in free):
            continue
        near_ops = {i for i, _ in nearby.get(r, ())}
        before = after = None
        for i, a in frozen.items():
            if a.resource != r or i in near_ops:
                continue
            if a.end <= near[0] and (before is None or a.start > frozen[before].start):
                before = i
            elif a.start >= near[1] and (
                after is None or a.start < frozen[after].start
            ):
                after = i
        fixed = [(i, a) for i, a in nearby.get(r, ())]
        fixed += [(i, frozen[i]) for i in (before, after) if i is not None]
        _circuit(m, r, free, sorted(fixed, key=lambda item: item[1].start))


def _circuit(m: Model, r: int, free, fixed) -> None:
    """The circuit of resource ``r`` over ``free`` (operation, mode vars)
    and ``fixed`` (operation, assignment, by start) nodes."""
    data, model, axis = m.data, m.model, m.axes[r]
    resource = data.resources[r]
    nodes: list[_Node] = []
    for i, mv in free:
        d = data.operations[i].modes[mv.mode].duration
        nodes.append(
            _Node(
                i,
                mv.mode,
                data.operations[i].family,
                mv.lit,
                mv.p,
                mv.p + d,
                mv.p_lo,
                mv.p_hi,
                d,
                False,
            )
        )
    for i, a in fixed:
        p, q = frozen_interval(data, axis, i, a)
        nodes.append(
            _Node(i, a.mode, data.operations[i].family, None, p, q, p, p, q - p, True)
        )
    frozen_rank = {
        k: rank for rank, k in enumerate(k for k, n in enumerate(nodes) if n.frozen)
    }
    last_rank = len(frozen_rank) - 1
    arcs: dict[tuple[int, int], cp_model.IntVar] = {}

    def arc(tail: int, head: int, name: str):
        lit = model.new_bool_var(name)
        arcs[tail, head] = lit
        return lit

    for k, u in enumerate(nodes, start=1):
        rank = frozen_rank.get(k - 1)
        if rank in (None, 0):
            arc(0, k, f"a{r}_0_{k}")
        if rank in (None, last_rank):
            arc(k, 0, f"a{r}_{k}_0")
        if u.lit is not None:
            arcs[k, k] = ~u.lit
        for h, v in enumerate(nodes, start=1):
            if h == k or (u.op == v.op):
                continue
            setup = resource.changeover(u.family, v.family)
            if u.frozen and v.frozen:
                if frozen_rank[h - 1] != rank + 1:
                    continue
                lit = arc(k, h, f"a{r}_{k}_{h}")
            else:
                if u.lo + u.duration + setup > v.hi:
                    continue  # v cannot start that long after u ends
                lit = arc(k, h, f"a{r}_{k}_{h}")
                model.add(v.start >= u.end + setup).only_enforce_if(lit)
            if setup:
                m.setup_terms.append((lit, setup))
    model.add_circuit([(t, h, lit) for (t, h), lit in arcs.items()])
    m.circuits.append((r, nodes, arcs))


def _add_reserve(m: Model, days, frozen, ranges) -> None:
    """Per resource-day, a block of reserve minutes free of non-rush work."""
    data = m.data
    for r, (lo, hi) in sorted(ranges.items()):
        nonrush = [
            mv.interval
            for i, ov in m.ops.items()
            for mv in ov.modes
            if mv.resource == r and data.bound_by_reserve(i, mv.mode)
        ]
        if not nonrush:
            continue
        touched = [d for d in days[r] if d.seg_end > lo and d.seg_start < hi]
        if not touched:
            continue
        blocks = []
        for day in touched:
            var = m.model.new_int_var(
                day.seg_start, day.seg_end - day.block, f"b{r}_{day.day}"
            )
            m.blocks.append((var, r, day))
            blocks.append(
                m.model.new_fixed_size_interval_var(var, day.block, f"bi{r}_{day.day}")
            )
        span = (min(lo, touched[0].seg_start), max(hi, touched[-1].seg_end))
        fixed = list(_frozen_on(m, frozen, r, *span, nonrush_only=True))
        m.model.add_no_overlap(nonrush + blocks + fixed)


def _wall_range(m: Model, i: int) -> tuple[int, int]:
    """Earliest wall start and latest wall end of free operation ``i``."""
    data, ov = m.data, m.ops[i]
    lo = min(m.axes[mv.resource].wall_start(mv.p_lo) for mv in ov.modes)
    hi = max(
        m.axes[mv.resource].wall_end(
            mv.p_hi + data.operations[i].modes[mv.mode].duration
        )
        for mv in ov.modes
    )
    return lo, hi


def _add_secondaries(m: Model, frozen) -> None:
    """Per secondary resource, a cumulative over the wall spans of the
    operations holding it.

    Its capacity is the most units there (or held by fixed work) in reach;
    fixed "blocking" intervals take, at each minute, what is not there then
    (capacity minus the larger of the level and the fixed work's units),
    and frozen work holds its units as constants: movable work gets at most
    ``max(0, level - fixed)`` units, the checker's rule.
    """
    data, model = m.data, m.model
    for s, secondary in enumerate(data.secondaries):
        holders = [i for i in m.ops if s in data.operations[i].requires]
        if not holders:
            continue
        reach = [_wall_range(m, i) for i in holders]
        lo, hi = min(r[0] for r in reach), max(r[1] for r in reach)
        intervals, demands = [], []
        for i, (s_lo, e_hi) in zip(holders, reach, strict=True):
            ov = m.ops[i]
            size = m.spans.get(i)
            if size is None:
                shortest = min(md.duration for md in data.operations[i].modes)
                size = model.new_int_var(shortest, max(shortest, e_hi - s_lo), f"z{i}")
                model.add(size == ov.end - ov.start)
                m.spans[i] = size
            intervals.append(
                model.new_interval_var(ov.start, size, ov.end, f"y{s}_{i}")
            )
            demands.append(data.operations[i].requires[s])
        fixed_load: dict[int, int] = {}
        for i, a in frozen.items():
            units = data.operations[i].requires.get(s)
            if not units or a.end <= lo or a.start >= hi:
                continue
            intervals.append(
                model.new_fixed_size_interval_var(a.start, a.end - a.start, f"g{s}_{i}")
            )
            demands.append(units)
            if data.operations[i].fixed is not None:
                fixed_load[a.start] = fixed_load.get(a.start, 0) + units
                fixed_load[a.end] = fixed_load.get(a.end, 0) - units
        pieces = _blocked(secondary.profile(lo, hi), fixed_load)
        capacity = max(level for _, _, level in pieces)
        for start, end, level in pieces:
            if capacity > level:
                intervals.append(
                    model.new_fixed_size_interval_var(
                        start, end - start, f"h{s}_{start}"
                    )
                )
                demands.append(capacity - level)
        model.add_cumulative(intervals, demands, capacity)


def _blocked(levels, fixed_load: dict[int, int]) -> list[tuple[int, int, int]]:
    """Pieces (start, end, units) of the larger of the level and the fixed
    work's load, over the span of ``levels``."""
    points = sorted({*(t for s, e, _ in levels for t in (s, e)), *fixed_load})
    lo, hi = levels[0][0], levels[-1][1]
    pieces = []
    load, k = 0, 0
    for t, u in pairwise(points):
        load += fixed_load.get(t, 0)
        if t < lo or t >= hi:
            continue
        while levels[k][1] <= t:
            k += 1
        pieces.append((t, u, max(levels[k][2], load)))
    return pieces


def _add_precedences(m: Model) -> None:
    """Wall-clock precedences with lag between free operations."""
    data = m.data
    for i, before in m.ops.items():
        for j in data.successors[i]:
            after = m.ops.get(j)
            if after is not None:
                m.model.add(after.start >= before.end + data.lag(i, j))


def _sinks(m: Model) -> list[int]:
    """Free operations with no free successor in the same job."""
    data = m.data
    return [
        i
        for i in m.ops
        if not any(
            j in m.ops and data.operations[j].job == data.operations[i].job
            for j in data.successors[i]
        )
    ]


def _add_tardiness(m: Model, frozen) -> None:
    """T_j >= end of every operation of job j minus its due date, T_j >= 0."""
    data = m.data
    for i in _sinks(m):
        j = data.operations[i].job
        due = data.jobs[j].due
        if due is None:
            continue
        if j not in m.tardiness:
            ends = [frozen[k].end for k in data.job_operations[j] if k in frozen]
            floor = max(0, max(ends, default=0) - due)
            m.tardiness[j] = m.model.new_int_var(
                floor, max(floor, data.end_of_calendar() + abs(due)), f"t{j}"
            )
        m.model.add(m.tardiness[j] >= m.ops[i].end - due)


def _add_makespan(m: Model, frozen, hi: int) -> None:
    """The makespan is the latest end of any operation."""
    floor = max((a.end for a in frozen.values()), default=0)
    m.makespan = m.model.new_int_var(max(0, floor), max(hi, floor), "makespan")
    for i in _sinks(m):
        m.model.add(m.makespan >= m.ops[i].end)


def _add_stability(m: Model) -> None:
    """moved_i says start or resource differs from the current plan."""
    data, model = m.data, m.model
    for i, ov in m.ops.items():
        cur = data.operations[i].current
        if cur is None:
            continue
        moved = model.new_bool_var(f"mv{i}")
        disp = model.new_int_var(0, data.end_of_calendar() + abs(cur.start), f"d{i}")
        model.add(disp >= ov.start - cur.start)
        model.add(disp >= cur.start - ov.start)
        same = [mv for mv in ov.modes if mv.mode == cur.mode]
        if same and same[0].lit is not None:
            model.add_implication(~moved, same[0].lit)
        elif not same:
            model.add(moved == 1)
        model.add(ov.start == cur.start).only_enforce_if(~moved)
        m.moved[i] = moved
        m.displacement[i] = disp


@dataclass
class _Level:
    """The levelling terms of one resource (``checker.family_minutes``).

    ``picks``: (operation, mode, day, literal) per free operation-mode there
    and day its start may fall in (literal True: always that day);
    ``fixed``: minutes of frozen movable work per family and day; ``used``,
    ``before``, ``after``, ``span``: per modelled day, whether family work
    starts on it, on it or before, on it or after, and whether it is in the
    span (each a literal or a constant); ``bounds``: per family, the
    variables of its most and fewest daily minutes and an upper bound."""

    resource: int
    days: list[int]
    picks: list[tuple[int, int, int, object]]
    fixed: dict[object, dict[int, int]]
    used: dict[int, object] = field(default_factory=dict)
    before: dict[int, object] = field(default_factory=dict)
    after: dict[int, object] = field(default_factory=dict)
    span: dict[int, object] = field(default_factory=dict)
    bounds: list[tuple[cp_model.IntVar, cp_model.IntVar, int]] = field(
        default_factory=list
    )
    families: list[object] = field(default_factory=list)
    own: set = field(default_factory=set)  # ids of the pick literals made here

    def hint(self, model, data: ProblemData, schedule) -> None:
        """Hint the terms from a complete schedule."""
        minutes = {f: dict(days) for f, days in self.fixed.items()}
        for i, mode, day, lit in self.picks:
            a = schedule[i]
            chosen = a.mode == mode and data.day_of(a.start) == day
            if id(lit) in self.own:
                model.add_hint(lit, chosen)
            if chosen:
                family = data.operations[i].family
                per_day = minutes.setdefault(family, {})
                per_day[day] = (
                    per_day.get(day, 0) + data.operations[i].modes[mode].duration
                )
        used = {day for days in minutes.values() for day, v in days.items() if v}
        first, last = min(used, default=None), max(used, default=None)
        values = {}
        for day in self.days:
            values[id(self.used[day])] = day in used
            values[id(self.before[day])] = first is not None and first <= day
            values[id(self.after[day])] = last is not None and day <= last
            values[id(self.span[day])] = first is not None and first <= day <= last
        hinted = {id(lit) for *_, lit in self.picks}  # hinted as picks or modes
        for table in (self.used, self.before, self.after, self.span):
            for var in table.values():
                if not isinstance(var, bool) and id(var) not in hinted:
                    hinted.add(id(var))
                    model.add_hint(var, values[id(var)])
        in_span = [
            day for day in self.days if first is not None and first <= day <= last
        ]
        for family, (most, fewest, _) in zip(self.families, self.bounds, strict=True):
            per_day = minutes.get(family, {})
            high = max(per_day.values(), default=0)
            low = min((per_day.get(day, 0) for day in in_span), default=high)
            model.add_hint(most, high)
            model.add_hint(fewest, min(low, high))


def _or(model, items, name):
    """A literal at least the OR of ``items`` (literals or constants): a
    constant when they decide it."""
    if any(item is True for item in items):
        return True
    lits = [item for item in items if item is not False]
    if not lits:
        return False
    if len(lits) == 1:
        return lits[0]
    var = model.new_bool_var(name)
    for lit in lits:
        model.add_implication(lit, var)
    return var


def _and(model, a, b, name):
    """A literal at least the AND of ``a`` and ``b`` (literals or constants)."""
    if a is False or b is False:
        return False
    if a is True:
        return b
    if b is True:
        return a
    var = model.new_bool_var(name)
    model.add_bool_or([~a, ~b, var])
    return var


def add_levelling(m: Model, frozen) -> None:
    """The levelling terms (``checker.family_minutes``), added to a built
    model: by ``build`` with ``level``, by the one model after its first
    phase. Per levelled resource with free work of a setup family, the most
    and the fewest minutes of each family on one day of the span, whose
    differences ``Model.levelling`` sums.

    Each free operation-mode there gets one literal per day its start may
    fall in (exactly one when the mode is chosen, its start inside that
    day); frozen movable work counts as constants. The literals saying
    that a day is used or in the span are only bounded from below: a
    solution may set them higher than its schedule makes them, which only
    overstates the measure, so minimising it makes them exact."""
    data = m.data
    if not data.has_levelling or m.levels:
        return
    ops = data.operations
    free: dict[int, list] = {}
    for i, ov in m.ops.items():
        if ops[i].family is None:
            continue
        for mv in ov.modes:
            if data.levelled[mv.resource]:
                free.setdefault(mv.resource, []).append((i, mv))
    if not free:
        return
    fixed: dict[int, dict] = {r: {} for r in free}
    for i, a in frozen.items():
        op = ops[i]
        if a.resource in fixed and op.fixed is None and op.family is not None:
            per_day = fixed[a.resource].setdefault(op.family, {})
            day = data.day_of(a.start)
            per_day[day] = per_day.get(day, 0) + op.modes[a.mode].duration
    for r, items in sorted(free.items()):
        _level_resource(m, r, items, fixed[r])


def _level_resource(m: Model, r: int, items, fixed) -> None:
    """The levelling terms of resource ``r``: its free (operation, mode
    vars) ``items`` and its frozen movable work ``fixed``."""
    data, model = m.data, m.model
    picks, own = _day_picks(m, r, items)
    known = {day for days in fixed.values() for day in days} | {p[2] for p in picks}
    days = [d for d in range(min(known), max(known) + 1) if data.working_day(r, d)]
    lv = _Level(r, days, picks, fixed, own=own)
    by_day: dict[int, list] = {}
    for _i, _mode, day, lit in picks:
        by_day.setdefault(day, []).append(lit)
    worked = {d for per_day in fixed.values() for d, v in per_day.items() if v}
    for day in days:
        lits = [day in worked, *by_day.get(day, [])]
        lv.used[day] = _or(model, lits, f"u{r}_{day}")
    previous = False
    for day in days:
        previous = _or(model, [previous, lv.used[day]], f"ub{r}_{day}")
        lv.before[day] = previous
    following = False
    for day in reversed(days):
        following = _or(model, [following, lv.used[day]], f"ua{r}_{day}")
        lv.after[day] = following
    for day in days:
        lv.span[day] = _and(model, lv.before[day], lv.after[day], f"us{r}_{day}")
    ops = data.operations
    for family in dict.fromkeys([*fixed, *(ops[i].family for i, _ in items)]):
        lv.families.append(family)
        lv.bounds.append(_family_bounds(m, lv, family))
    m.levels.append(lv)


def _day_picks(m: Model, r: int, items):
    """Per free operation-mode on ``r``, a literal per day its start may
    fall in (the mode's own literal, or True, when only one day can);
    the picks and the literals made here."""
    data, model, axis = m.data, m.model, m.axes[r]
    picks: list[tuple[int, int, int, object]] = []
    own: set = set()
    for i, mv in items:
        first = data.day_of(axis.wall_start(mv.p_lo))
        last = data.day_of(axis.wall_start(mv.p_hi))
        days = [d for d in range(first, last + 1) if data.working_day(r, d)]
        if len(days) == 1:
            picks.append((i, mv.mode, days[0], True if mv.lit is None else mv.lit))
            continue
        lits = []
        for day in days:
            lit = model.new_bool_var(f"l{r}_{i}_{mv.mode}_{day}")
            start, end = data.day_bounds(day)
            model.add(mv.start >= start).only_enforce_if(lit)
            model.add(mv.start < end).only_enforce_if(lit)
            lits.append(lit)
            own.add(id(lit))
            picks.append((i, mv.mode, day, lit))
        model.add(sum(lits) == (1 if mv.lit is None else mv.lit))
    return picks, own


def _family_bounds(m: Model, lv: _Level, family):
    """The most and the fewest daily minutes of ``family`` on ``lv``'s
    resource (variables) and an upper bound of both."""
    ops, model, r = m.data.operations, m.model, lv.resource
    longest: dict[int, int] = {}
    terms: dict[int, list] = {}
    for i, mode, day, lit in lv.picks:
        if ops[i].family != family:
            continue
        d = ops[i].modes[mode].duration
        longest[i] = max(longest.get(i, 0), d)
        terms.setdefault(day, []).append(d if lit is True else d * lit)
    constant = lv.fixed.get(family, {})
    total = sum(longest.values()) + sum(constant.values())
    most = model.new_int_var(0, total, f"lmax{r}_{len(lv.bounds)}")
    fewest = model.new_int_var(0, total, f"lmin{r}_{len(lv.bounds)}")
    model.add(fewest <= most)
    floor = total
    for day in lv.days:
        varying = any(not isinstance(t, int) for t in terms.get(day, []))
        expr = constant.get(day, 0) + sum(terms.get(day, []))
        if varying or expr:
            model.add(most >= expr)
        span = lv.span[day]
        if span is False:
            continue
        if span is True and not varying:
            floor = min(floor, expr)
            continue
        constraint = model.add(fewest <= expr)
        if span is not True:
            constraint.only_enforce_if(span)
    if floor < total:
        model.add(fewest <= floor)
    return most, fewest, total
