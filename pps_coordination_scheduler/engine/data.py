"""Problem data: small frozen dataclasses, linked by index, validated on creation.

All times are integer minutes from the run's origin (minute 0 = "now").
Every validation error is a ``ValueError`` whose message names the offending
object by its ``label`` (its key when it has none), so the ORM glue can show
it to a planner as is: the glue passes the names planners know (work center,
order, work order) as labels and keeps its database ids as the opaque keys.
Every message of the solvers and the checker names objects the same way.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction

#: Largest horizon accepted: five years of minutes.
MAX_HORIZON = 5 * 366 * 1440


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _require_int(value: object, what: str) -> None:
    if not _is_int(value):
        raise ValueError(f"{what} must be an integer number of minutes, got {value!r}")


@dataclass(frozen=True)
class Assignment:
    """Where and when an operation runs: resource and mode index, [start, end)."""

    resource: int
    mode: int
    start: int
    end: int

    def __post_init__(self) -> None:
        for name in ("resource", "mode", "start", "end"):
            _require_int(getattr(self, name), f"Assignment.{name}")
        if self.end <= self.start:
            raise ValueError(
                f"Assignment ends at {self.end}, not after its start {self.start}"
            )


def _check_label(item) -> None:
    if item.label is not None and not isinstance(item.label, str):
        raise ValueError(
            f"{type(item).__name__} {item.key!r}: label must be a string, "
            f"got {item.label!r}"
        )


class _Named:
    """What messages call an object: its label, else its key (as ``repr``)."""

    key: Hashable
    label: str | None

    @property
    def ref(self) -> str:
        """The object's name in messages: the label, or the key's ``repr``."""
        return self.label if self.label else repr(self.key)


@dataclass(frozen=True)
class Resource(_Named):
    """A work center with its working windows (sorted, disjoint [start, end)).

    ``label`` (optional, as for jobs and operations) is the name messages use.

    Sequence-dependent changeovers: ``changeovers`` maps a pair of setup
    families ``(from_family, to_family)`` to the working minutes the resource
    needs between an operation of the first family and the next one of the
    second; a pair of different families not in it takes
    ``changeover_default`` minutes, two operations of the same family none
    unless the pair is in it. Operations without a family (``Operation.family``
    None) need no changeover before or after them. See :meth:`changeover`.
    """

    key: Hashable
    windows: tuple[tuple[int, int], ...] = ()
    label: str | None = field(default=None, compare=False)
    changeovers: Mapping[tuple[Hashable, Hashable], int] = field(
        default_factory=dict, hash=False
    )
    changeover_default: int = 0

    def __post_init__(self) -> None:
        _check_label(self)
        self._check_changeovers()
        windows = tuple(tuple(w) for w in self.windows)
        object.__setattr__(self, "windows", windows)
        previous_end = None
        for window in windows:
            if len(window) != 2:
                raise ValueError(f"Resource {self.ref}: window {window!r} is no pair")
            start, end = window
            _require_int(start, f"Resource {self.ref} window start")
            _require_int(end, f"Resource {self.ref} window end")
            if end <= start:
                raise ValueError(f"Resource {self.ref}: empty window {window!r}")
            if previous_end is not None and start < previous_end:
                raise ValueError(
                    f"Resource {self.ref}: windows must be sorted and disjoint, "
                    f"{window!r} starts before the previous one ends ({previous_end})"
                )
            if abs(start) > MAX_HORIZON or abs(end) > MAX_HORIZON:
                raise ValueError(
                    f"Resource {self.ref}: window {window!r} lies beyond the "
                    f"largest horizon ({MAX_HORIZON} minutes, five years)"
                )
            previous_end = end

    def _check_changeovers(self) -> None:
        if not isinstance(self.changeovers, Mapping):
            raise ValueError(  # noqa: TRY004 - bad input is a ValueError here
                f"Resource {self.ref}: changeovers must be a mapping of "
                f"(from family, to family) to minutes, got {self.changeovers!r}"
            )
        matrix = {}
        for pair, minutes in self.changeovers.items():
            if not isinstance(pair, tuple) or len(pair) != 2 or None in pair:
                raise ValueError(
                    f"Resource {self.ref}: changeover key {pair!r} must be a "
                    "(from family, to family) pair of families (not None)"
                )
            _require_int(minutes, f"Resource {self.ref} changeover {pair!r}")
            if not 0 <= minutes <= MAX_HORIZON:
                raise ValueError(
                    f"Resource {self.ref}: changeover {pair!r} of {minutes} "
                    "minutes must be between 0 and the largest horizon"
                )
            matrix[pair] = minutes
        object.__setattr__(self, "changeovers", matrix)
        _require_int(self.changeover_default, f"Resource {self.ref} changeover_default")
        if not 0 <= self.changeover_default <= MAX_HORIZON:
            raise ValueError(
                f"Resource {self.ref}: changeover_default "
                f"{self.changeover_default} must be between 0 and the largest horizon"
            )

    @property
    def sequenced(self) -> bool:
        """Whether any pair of families needs a changeover here."""
        return self.changeover_default > 0 or any(self.changeovers.values())

    def changeover(self, before: Hashable | None, after: Hashable | None) -> int:
        """Working minutes between an operation of family ``before`` and the
        next one of family ``after`` on this resource (no family: none)."""
        if before is None or after is None:
            return 0
        minutes = self.changeovers.get((before, after))
        if minutes is not None:
            return minutes
        return 0 if before == after else self.changeover_default


@dataclass(frozen=True)
class SecondaryResource(_Named):
    """A pool of people or a set of tools (fixtures) shared by operations.

    ``capacity`` units (people, copies of a fixture) are there at any time
    except in the ``levels`` segments: sorted, disjoint ``(start, end,
    units)`` triples of wall minutes in which ``units`` are there instead (a
    night shift with fewer operators, an absence). An operation that
    ``requires`` some units holds them over its whole wall span ``[start,
    end)``, breaks of its work center included (a fixture stays mounted, the
    crew stays with the order): at no minute may the operations there hold
    more than the units available (fixed work counted first; fixed work
    alone above the level leaves nothing to movable work, it is not moved).
    """

    key: Hashable
    capacity: int = 1
    levels: tuple[tuple[int, int, int], ...] = ()
    label: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _check_label(self)
        if not _is_int(self.capacity) or self.capacity < 0:
            raise ValueError(
                f"Secondary resource {self.ref}: capacity must be an integer "
                f">= 0, got {self.capacity!r}"
            )
        levels = tuple(tuple(level) for level in self.levels)
        object.__setattr__(self, "levels", levels)
        previous_end = None
        for level in levels:
            if len(level) != 3:
                raise ValueError(
                    f"Secondary resource {self.ref}: level {level!r} is no "
                    "(start, end, units) triple"
                )
            start, end, units = level
            _require_int(start, f"Secondary resource {self.ref} level start")
            _require_int(end, f"Secondary resource {self.ref} level end")
            if not _is_int(units) or units < 0:
                raise ValueError(
                    f"Secondary resource {self.ref}: level {level!r} must have "
                    "an integer number of units >= 0"
                )
            if end <= start:
                raise ValueError(
                    f"Secondary resource {self.ref}: empty level {level!r}"
                )
            if previous_end is not None and start < previous_end:
                raise ValueError(
                    f"Secondary resource {self.ref}: levels must be sorted and "
                    f"disjoint, {level!r} starts before the previous one ends"
                )
            previous_end = end

    @property
    def peak(self) -> int:
        """The most units ever there."""
        return max([self.capacity, *(units for _, _, units in self.levels)])

    def profile(self, lo: int, hi: int) -> list[tuple[int, int, int]]:
        """The units there over [lo, hi): (start, end, units) pieces covering it."""
        pieces = []
        cursor = lo
        k = bisect_left(self.levels, (lo, lo, -1)) - 1
        k = max(k, 0)
        for start, end, units in self.levels[k:]:
            if start >= hi:
                break
            if end <= cursor:
                continue
            if start > cursor:
                pieces.append((cursor, start, self.capacity))
            pieces.append((max(start, cursor), min(end, hi), units))
            cursor = min(end, hi)
        if cursor < hi:
            pieces.append((cursor, hi, self.capacity))
        return pieces


@dataclass(frozen=True)
class Mode:
    """One way to run an operation: on ``resource`` for ``duration`` working minutes."""

    resource: int
    duration: int

    def __post_init__(self) -> None:
        _require_int(self.resource, "Mode.resource")
        _require_int(self.duration, "Mode.duration")
        if self.duration <= 0:
            raise ValueError(f"Mode duration must be positive, got {self.duration}")


@dataclass(frozen=True)
class Job(_Named):
    """A manufacturing order: release (earliest start), soft due date, weight, rush.

    ``jit_slack`` asks for just-in-time work: with a due date, the job starts no
    earlier than ``jit_slack`` minutes before the latest start that still meets
    the due date (see :attr:`ProblemData.releases`). None: as soon as possible.
    """

    key: Hashable
    release: int = 0
    due: int | None = None
    weight: int = 1
    rush: bool = False
    jit_slack: int | None = None
    label: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        _check_label(self)
        _require_int(self.release, f"Job {self.ref} release")
        if self.release < 0:
            raise ValueError(f"Job {self.ref}: release {self.release} is negative")
        if self.jit_slack is not None:
            _require_int(self.jit_slack, f"Job {self.ref} jit_slack")
            if self.jit_slack < 0:
                raise ValueError(
                    f"Job {self.ref}: jit_slack {self.jit_slack} is negative"
                )
        if self.due is not None:
            _require_int(self.due, f"Job {self.ref} due")
            if self.due < self.release:
                raise ValueError(
                    f"Job {self.ref}: due date {self.due} is before its "
                    f"release {self.release}"
                )
        if not _is_int(self.weight) or self.weight < 1:
            raise ValueError(f"Job {self.ref}: weight must be an integer >= 1")


@dataclass(frozen=True)
class Operation(_Named):
    """A work order of job ``job`` with one or more alternative ``modes``.

    ``fixed`` pins the operation (in progress, done, locked, frozen): it keeps
    exactly that resource, start and end. ``current`` is the plan in force,
    used as a warm start and for stability; its ``end`` is not used.
    ``family`` is its setup family (any hashable, None: none), for the
    changeovers of its resources (``Resource.changeover``). ``requires``
    maps a secondary resource (its index in ``ProblemData.secondaries``) to
    the units the operation holds over its wall span, whatever its mode.
    """

    key: Hashable
    job: int
    modes: tuple[Mode, ...]
    fixed: Assignment | None = None
    current: Assignment | None = None
    label: str | None = field(default=None, compare=False)
    family: Hashable | None = None
    requires: Mapping[int, int] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        _check_label(self)
        if not isinstance(self.requires, Mapping):
            raise ValueError(  # noqa: TRY004 - bad input is a ValueError here
                f"Operation {self.ref}: requires must be a mapping of secondary "
                f"resource index to units, got {self.requires!r}"
            )
        for index, units in self.requires.items():
            _require_int(index, f"Operation {self.ref} secondary resource index")
            if not _is_int(units) or units < 1:
                raise ValueError(
                    f"Operation {self.ref}: needs a positive integer number of "
                    f"units of secondary resource {index}, got {units!r}"
                )
        object.__setattr__(
            self, "requires", {k: v for k, v in sorted(self.requires.items())}
        )
        try:
            hash(self.family)
        except TypeError:
            raise ValueError(
                f"Operation {self.ref}: family must be hashable, got {self.family!r}"
            ) from None
        object.__setattr__(self, "modes", tuple(self.modes))
        _require_int(self.job, f"Operation {self.ref} job")
        if not self.modes:
            raise ValueError(f"Operation {self.ref} has no mode")
        for mode in self.modes:
            if not isinstance(mode, Mode):
                raise ValueError(f"Operation {self.ref}: {mode!r} is not a Mode")  # noqa: TRY004
        for name in ("fixed", "current"):
            value = getattr(self, name)
            if value is None:
                continue
            if not isinstance(value, Assignment):
                raise ValueError(  # noqa: TRY004 - bad input is a ValueError here
                    f"Operation {self.ref}: {name} must be an Assignment with a "
                    f"start and an end, got {value!r}"
                )
            if not 0 <= value.mode < len(self.modes):
                raise ValueError(
                    f"Operation {self.ref}: {name} mode {value.mode} is unknown"
                )
            if self.modes[value.mode].resource != value.resource:
                raise ValueError(
                    f"Operation {self.ref}: {name} resource {value.resource} is "
                    f"not the resource of mode {value.mode}"
                )


@dataclass(frozen=True)
class Precedence:
    """``after`` starts no earlier than ``lag`` minutes after ``before`` ends."""

    before: int
    after: int
    lag: int = 0

    def __post_init__(self) -> None:
        _require_int(self.before, "Precedence.before")
        _require_int(self.after, "Precedence.after")
        _require_int(self.lag, "Precedence.lag")
        if self.lag < 0:
            raise ValueError(f"Precedence lag must be >= 0, got {self.lag}")
        if self.before == self.after:
            raise ValueError(f"Precedence of operation {self.before} on itself")


@dataclass(frozen=True)
class ProblemData:
    """The whole scheduling problem; see the package docstring for semantics.

    ``horizon`` bounds the end of every movable operation (default: the end of
    the last working window). Days for the rush reserve are
    ``[day_offset + t * day_length, day_offset + (t + 1) * day_length)``: pass
    the minute of a local midnight as ``day_offset`` to get calendar days.
    ``origin``, when given, is the date and time of minute 0 (naive UTC): the
    engine's messages then say dates (:meth:`when`) instead of minutes, as
    ``moment`` writes a naive UTC datetime when given (the caller's: e.g. in
    the planner's time zone and language), else as "2026-12-04 20:00 UTC".
    """

    resources: tuple[Resource, ...]
    jobs: tuple[Job, ...]
    operations: tuple[Operation, ...]
    precedences: tuple[Precedence, ...] = ()
    horizon: int | None = None
    rush_share: float = 0.2
    day_length: int = 1440
    day_offset: int = 0
    secondaries: tuple[SecondaryResource, ...] = ()
    origin: datetime | None = field(default=None, compare=False)
    moment: Callable[[datetime], str] | None = field(
        default=None, compare=False, repr=False
    )
    successors: tuple[tuple[int, ...], ...] = field(init=False, repr=False)
    predecessors: tuple[tuple[int, ...], ...] = field(init=False, repr=False)
    topological_order: tuple[int, ...] = field(init=False, repr=False)
    lags: dict[tuple[int, int], int] = field(init=False, repr=False, compare=False)
    job_operations: tuple[tuple[int, ...], ...] = field(init=False, repr=False)
    reserve_limits: tuple[float, ...] = field(init=False, repr=False, compare=False)
    releases: tuple[int, ...] = field(init=False, repr=False, compare=False)
    sequenced: tuple[bool, ...] = field(init=False, repr=False, compare=False)
    levelled: tuple[bool, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("resources", "jobs", "operations", "precedences", "secondaries"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        self._check_keys()
        self._check_links()
        self._check_numbers()
        self._check_graph()
        object.__setattr__(self, "reserve_limits", self._reserve_limits())
        object.__setattr__(self, "releases", self._releases())
        object.__setattr__(self, "sequenced", self._sequenced())
        object.__setattr__(self, "levelled", self._levelled())

    # validation, one concern per method -------------------------------------
    def _check_keys(self) -> None:
        for name, items, kind in (
            ("resource", self.resources, Resource),
            ("job", self.jobs, Job),
            ("operation", self.operations, Operation),
            ("secondary resource", self.secondaries, SecondaryResource),
        ):
            seen: set = set()
            for item in items:
                if not isinstance(item, kind):
                    raise ValueError(f"{item!r} is not a {kind.__name__}")  # noqa: TRY004
                if item.key in seen:
                    raise ValueError(f"duplicate {name} key {item.ref}")
                seen.add(item.key)

    def _check_links(self) -> None:
        n_res, n_jobs, n_ops = len(self.resources), len(self.jobs), len(self.operations)
        for op in self.operations:
            if not 0 <= op.job < n_jobs:
                raise ValueError(f"Operation {op.ref}: unknown job index {op.job}")
            for mode in op.modes:
                if not 0 <= mode.resource < n_res:
                    raise ValueError(
                        f"Operation {op.ref}: unknown resource index {mode.resource}"
                    )
            if op.fixed is None:
                for mode in op.modes:
                    if not self.resources[mode.resource].windows:
                        raise ValueError(
                            f"Operation {op.ref} needs resource "
                            f"{self.resources[mode.resource].ref}, whose calendar "
                            "is empty"
                        )
        for op in self.operations:
            for index, units in op.requires.items():
                if not 0 <= index < len(self.secondaries):
                    raise ValueError(
                        f"Operation {op.ref}: unknown secondary resource index {index}"
                    )
                secondary = self.secondaries[index]
                if op.fixed is None and units > secondary.peak:
                    raise ValueError(
                        f"Operation {op.ref} needs {units} of {secondary.ref}, "
                        f"which never has more than {secondary.peak}"
                    )
        for prec in self.precedences:
            if not isinstance(prec, Precedence):
                raise ValueError(f"{prec!r} is not a Precedence")  # noqa: TRY004
            for index in (prec.before, prec.after):
                if not 0 <= index < n_ops:
                    raise ValueError(f"Precedence: unknown operation index {index}")

    def _check_numbers(self) -> None:
        if self.horizon is not None:
            _require_int(self.horizon, "horizon")
            if not 0 < self.horizon <= MAX_HORIZON:
                raise ValueError(
                    f"horizon {self.horizon} must be positive and at most "
                    f"{MAX_HORIZON} minutes (five years)"
                )
        share = self.rush_share
        if isinstance(share, bool) or not isinstance(share, (int, float, Fraction)):
            raise ValueError(f"rush_share must be a number, got {share!r}")  # noqa: TRY004
        if not 0 <= share < 1:
            raise ValueError(f"rush_share must be in [0, 1), got {share!r}")
        _require_int(self.day_length, "day_length")
        _require_int(self.day_offset, "day_offset")
        if self.day_length <= 0:
            raise ValueError(f"day_length must be positive, got {self.day_length}")
        for job in self.jobs:
            for value, what in ((job.release, "release"), (job.due, "due date")):
                if value is not None and value > MAX_HORIZON:
                    raise ValueError(
                        f"Job {job.ref}: {what} {value} is beyond the largest "
                        f"horizon ({MAX_HORIZON} minutes, five years)"
                    )

    def _check_graph(self) -> None:
        n_ops = len(self.operations)
        succ: list[list[int]] = [[] for _ in range(n_ops)]
        pred: list[list[int]] = [[] for _ in range(n_ops)]
        for prec in self.precedences:
            succ[prec.before].append(prec.after)
            pred[prec.after].append(prec.before)
        indegree = [len(p) for p in pred]
        order = [i for i in range(n_ops) if indegree[i] == 0]
        for i in order:  # the list grows while we walk it (Kahn's algorithm)
            for j in succ[i]:
                indegree[j] -= 1
                if indegree[j] == 0:
                    order.append(j)
        if len(order) != n_ops:
            stuck = [self.operations[i].ref for i in range(n_ops) if indegree[i]][:5]
            raise ValueError(
                f"precedences contain a cycle through operations {', '.join(stuck)}"
            )
        object.__setattr__(self, "successors", tuple(tuple(s) for s in succ))
        object.__setattr__(self, "predecessors", tuple(tuple(p) for p in pred))
        object.__setattr__(self, "topological_order", tuple(order))
        lags: dict[tuple[int, int], int] = {}
        for prec in self.precedences:
            pair = (prec.before, prec.after)
            lags[pair] = max(lags.get(pair, 0), prec.lag)
        object.__setattr__(self, "lags", lags)
        per_job: list[list[int]] = [[] for _ in self.jobs]
        for i, op in enumerate(self.operations):
            per_job[op.job].append(i)
        object.__setattr__(self, "job_operations", tuple(map(tuple, per_job)))

    # helpers used by the solvers and the checker ----------------------------
    @property
    def share(self) -> Fraction:
        """The rush share as an exact fraction (floats read by their decimal text)."""
        return Fraction(str(self.rush_share))

    def _reserve_limits(self) -> tuple[float, ...]:
        """Per resource, the most non-rush minutes any of its days offers
        (``floor((1 - share) * W)``; infinite without a reserve)."""
        share = self.share
        # int((1 - share) * w) in integers (w >= 0): exact, no Fraction per day
        kept, whole = share.denominator - share.numerator, share.denominator
        offset, length = self.day_offset, self.day_length
        limits: list[float] = []
        for res in self.resources:
            if share == 0:
                limits.append(float("inf"))
                continue
            work: dict[int, int] = {}
            for start, end in res.windows:
                while start < end:
                    day = (start - offset) // length  # day_of, day_bounds inlined
                    stop = min(end, offset + (day + 1) * length)
                    work[day] = work.get(day, 0) + stop - start
                    start = stop
            limits.append(max((kept * w // whole for w in work.values()), default=0))
        return tuple(limits)

    def _releases(self) -> tuple[int, ...]:
        """Earliest start of each job: its release, or later for just in time.

        A job with ``jit_slack`` and a due date starts no earlier than its
        latest start minus the slack. The latest start comes from a backward
        pass over the precedences (every job's, so a sub-assembly is due when
        its parent must start), each movable operation taking its first mode's
        duration back over that resource's working windows from the latest end
        its due date and its successors allow: infinite capacity, so the slack
        is what leaves room for queues. Fixed operations keep their start.
        """
        latest_start: dict[int, float] = {}
        inf = float("inf")
        for i in reversed(self.topological_order):
            op = self.operations[i]
            if op.fixed is not None:
                latest_start[i] = op.fixed.start
                continue
            job = self.jobs[op.job]
            end: float = job.due if job.due is not None else inf
            for j in self.successors[i]:
                end = min(end, latest_start[j] - self.lag(i, j))
            if end in (inf, -inf):
                latest_start[i] = end
                continue
            mode = op.modes[0]
            latest_start[i] = _back_over_windows(
                self.resources[mode.resource].windows, int(end), mode.duration
            )
        releases = []
        for j, job in enumerate(self.jobs):
            release = job.release
            if job.jit_slack is not None and job.due is not None:
                starts = [
                    latest_start[i]
                    for i in self.job_operations[j]
                    if self.operations[i].fixed is None
                ]
                earliest = min(starts, default=inf)
                # -inf: the due date cannot be met even now, so no waiting
                if earliest not in (inf, -inf):
                    release = max(release, int(earliest) - job.jit_slack)
            releases.append(release)
        return tuple(releases)

    def _sequenced(self) -> tuple[bool, ...]:
        """Per resource, whether changeovers apply there: it has some, and
        an operation with a family may run on it."""
        families = [False] * len(self.resources)
        for op in self.operations:
            if op.family is not None:
                for mode in op.modes:
                    families[mode.resource] = True
        return tuple(
            families[r] and res.sequenced for r, res in enumerate(self.resources)
        )

    def _levelled(self) -> tuple[bool, ...]:
        """Per resource, whether the levelling objective
        (``SolveParams.level_families``) applies there: movable operations
        of at least two different setup families may run on it."""
        families: list[set] = [set() for _ in self.resources]
        for op in self.operations:
            if op.family is not None and op.fixed is None:
                for mode in op.modes:
                    families[mode.resource].add(op.family)
        return tuple(len(found) > 1 for found in families)

    @property
    def has_levelling(self) -> bool:
        """Whether any resource has families to level."""
        return any(self.levelled)

    def working_day(self, resource: int, day: int) -> bool:
        """Whether ``resource`` has working time on day ``day``."""
        windows = self.resources[resource].windows
        start, end = self.day_bounds(day)
        k = bisect_left(windows, (end, end)) - 1  # the last window starting before
        return k >= 0 and windows[k][1] > start

    @property
    def has_secondaries(self) -> bool:
        """Whether any operation needs a secondary resource."""
        return any(op.requires for op in self.operations)

    @property
    def has_changeovers(self) -> bool:
        """Whether any resource needs changeovers between its operations."""
        return any(self.sequenced)

    def changeover(self, resource: int, before: int, after: int) -> int:
        """Working minutes ``resource`` needs between operation ``before`` and
        the next operation ``after`` there."""
        ops = self.operations
        return self.resources[resource].changeover(
            ops[before].family, ops[after].family
        )

    def bound_by_reserve(self, i: int, mode: int) -> bool:
        """Whether operation ``i`` in ``mode`` must leave the rush reserve free:
        movable non-rush work no longer than a day's non-rush minutes there."""
        op = self.operations[i]
        if op.fixed is not None or self.jobs[op.job].rush:
            return False
        m = op.modes[mode]
        return m.duration <= self.reserve_limits[m.resource]

    def lag(self, before: int, after: int) -> int:
        """Largest lag of the precedences from ``before`` to ``after``."""
        return self.lags[before, after]

    def day_of(self, minute: int) -> int:
        """Index of the day containing ``minute``."""
        return (minute - self.day_offset) // self.day_length

    def day_bounds(self, day: int) -> tuple[int, int]:
        """Wall-clock [start, end) of day ``day``."""
        start = self.day_offset + day * self.day_length
        return start, start + self.day_length

    def when(self, minute: int) -> str:
        """``minute`` in messages: its date and time with an ``origin`` (as
        ``moment`` writes it, else in UTC), else "minute N"."""
        if self.origin is None:
            return f"minute {minute}"
        moment = self.origin + timedelta(minutes=minute)
        if self.moment is not None:
            return self.moment(moment)
        return f"{moment:%Y-%m-%d %H:%M} UTC"

    def end_of_calendar(self) -> int:
        """The horizon: given, or the end of the last working window."""
        if self.horizon is not None:
            return self.horizon
        ends = [r.windows[-1][1] for r in self.resources if r.windows]
        return max(ends, default=0)


def _back_over_windows(windows, end: int, duration: int) -> float:
    """Latest wall start of ``duration`` working minutes finishing by ``end``
    in ``windows`` (sorted, disjoint); minus infinity when they do not fit."""
    k = bisect_left(windows, (end, end)) - 1  # the last window starting before
    left = duration
    while k >= 0:
        start, stop = windows[k]
        stop = min(stop, end)
        if stop - start >= left:
            return stop - left
        left -= max(0, stop - start)
        k -= 1
    return float("-inf")
