"""What a solve returns: a status, the schedule and its measures."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .data import Assignment


class Status(Enum):
    """Outcome of a solve; the values are stable strings for the ORM glue."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    MODEL_INVALID = "model_invalid"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Violation:
    """One broken rule found by the checker; ``kind`` names the rule family."""

    kind: str
    message: str


@dataclass(frozen=True)
class Evaluation:
    """Measures of a complete schedule (see ``checker.evaluate``)."""

    weighted_tardiness: int
    late_jobs: int
    on_time_rate: float
    makespan: int
    moved: int
    displacement: int
    completion: dict[int, int]
    tardiness: dict[int, int]
    changeover: int = 0  # total changeover minutes of the sequences
    setups: dict[int, int] = field(default_factory=dict)  # op -> minutes before it
    levelling: int = 0  # the levelling measure (``checker.levelling``)

    def key(
        self, objective: str = "tardiness", move_cost: int = 0, level: bool = False
    ) -> tuple[int, ...]:
        """Lexicographic objective, smaller is better.

        Tardiness: weighted tardiness plus the move cost, changeover minutes,
        moves, displacement, makespan. Makespan: makespan plus the move cost,
        changeover minutes, moves, displacement, weighted tardiness.
        Changeovers come right after the primary objective: among schedules
        as late, the one with the fewest changeover minutes wins (same-family
        work grouped where it costs no lateness). ``move_cost`` prices each
        operation moved away from the plan in force (in minutes of the
        primary objective): a re-run changes the plan only where what it saves
        is worth the moves, and a schedule merely equal to the plan in force
        is worse than it, as it moves something.

        ``level`` (``SolveParams.level_families``) puts the levelling measure
        right after the primary objective, before the changeover minutes:
        the most level schedule among those as late, then the fewest
        changeover minutes among those as level.
        """
        if objective == "makespan":
            primary = self.makespan + move_cost * self.moved
            rest = (self.changeover, self.moved, self.displacement)
            last = self.weighted_tardiness
        else:
            primary = self.weighted_tardiness + move_cost * self.moved
            rest = (self.changeover, self.moved, self.displacement)
            last = self.makespan
        if level:
            return (primary, self.levelling, *rest, last)
        return (primary, *rest, last)


@dataclass
class Result:
    """A solve's answer. On failure ``assignments`` is empty and ``message`` says why.

    ``objective`` is the primary objective of the returned schedule (weighted
    tardiness, or makespan in makespan mode); ``bound`` is CP-SAT's best bound
    on it when one was proved (0 or None otherwise). ``completion`` and
    ``tardiness`` are per job index; ``start_rule`` names the dispatching rule
    of the best start schedule and ``start_objective`` its objective.
    ``changeover`` is the schedule's total changeover minutes and ``setups``
    the minutes before each operation that needs one (operation index ->
    minutes; the others need none). ``levelling`` is the schedule's
    levelling measure (``checker.levelling``), whether or not the solve
    levelled (``SolveParams.level_families``).
    """

    status: Status
    message: str
    assignments: dict[int, Assignment] = field(default_factory=dict)
    objective: int | None = None
    bound: int | None = None
    wall_time: float = 0.0
    weighted_tardiness: int | None = None
    makespan: int | None = None
    moved: int = 0
    completion: dict[int, int] = field(default_factory=dict)
    tardiness: dict[int, int] = field(default_factory=dict)
    on_time_rate: float | None = None
    start_rule: str | None = None
    start_objective: int | None = None
    improved_by: str | None = None
    changeover: int = 0
    setups: dict[int, int] = field(default_factory=dict)
    levelling: int = 0

    @property
    def ok(self) -> bool:
        """True when the result carries a schedule."""
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)
