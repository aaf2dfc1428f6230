"""PPS Coordination scheduling engine: finite-capacity planning of work orders.

What it is
----------
A pure-Python engine (standard library + OR-Tools CP-SAT, no Odoo import) that
plans the operations (work orders) of manufacturing orders on work centers
with working calendars, alternative work centers, multi-level precedences,
release dates, fixed (in progress, done, locked, frozen) operations and a rush
reserve. The Odoo add-on's glue turns records into a ``ProblemData``, calls
``solve()`` and writes the ``Result`` back; nothing here touches a database.

How it works
------------
Time is integer minutes from the run's origin (minute 0 = now). Each work
center has working windows (attendances minus leaves); an operation consumes
its duration in *working* minutes, starts inside a window and may span
non-working time, like Odoo's own work-order planning. Per work center the
engine uses a working-time axis, so an operation is a fixed-size interval
there and wall-clock times come from a small window table (``calendar``).

``solve()`` runs in three steps, following what was measured at factory
scale (a cold CP-SAT model loses to a good dispatching rule):

1. *Construct*: every dispatching rule of ``dispatch`` gives a start, plus,
   when operations carry a ``current`` plan, the plan itself (if valid) and
   its repair (``rule="current"``: keep each operation where it is, push it
   later only where needed); the best one is kept.
2. *Improve*: a portfolio of CP-SAT paths (``SolveParams.strategy``). Up
   to ``lns_threshold`` (300) movable operations, one model in two phases:
   (1) minimise total weighted tardiness sum_j w_j * max(0, C_j - due_j);
   (2) keeping that value, minimise ``H * moves + displacement + makespan``
   (H = horizon length, so one moved operation costs more than any
   displacement). Larger instances are improved by large-neighbourhood
   search until the budget ends: windows of operations adjacent in start
   time, late jobs with their competitors, the work of one to three work
   centers, whole jobs, each re-solved by CP-SAT, kept when the whole
   schedule is not worse. ``objective="makespan"`` minimises the makespan
   (plain job-shop benchmarks): there, up to ``MAKESPAN_MODEL_LIMIT``
   operations the one model runs first for half the budget and the search
   goes on from its result, with neighbourhoods around the critical path in
   which the operations not freed keep their order but not their times.
   With one worker the budget is CP-SAT deterministic time calibrated to
   the wall-clock limit (``DET_RATE``): the same data and seed give the
   same schedule.
3. *Verify*: the independent ``check`` validates the final schedule; the
   engine never returns a schedule worse (lexicographically: weighted
   tardiness plus ``move_cost`` per moved operation, moves, displacement,
   makespan) than the best start, and the plan in force (``current`` on
   every operation, valid) is returned as it is unless a strictly better
   schedule was found: a merely equal one never replaces it.

The rush reserve: on every work center and day (``[day_offset + t *
day_length, ...)``), days with fixed work included, movable non-rush work may
use at most ``max(0, floor((1 - rush_share) * W) - F)`` minutes, W being the
day's working minutes and F those taken by fixed non-rush work (fixed
operations of rush jobs do not count): only fixed work that was already there
may exceed the share. Solvers enforce it by keeping one contiguous block of
the day free of movable non-rush work, so long that the room left outside it
is at most that allowance, which implies the checker's rule
(``calendar.reserve_days``). An operation longer (in a mode) than the most
non-rush minutes any day of that work center offers cannot leave a day's
reserve free: it is not bound by the reserve in that mode
(``ProblemData.bound_by_reserve``), so long work stays plannable.

Sequence-dependent changeovers: an operation may carry a setup ``family``
and a resource a ``changeovers`` matrix (``(from_family, to_family)`` ->
minutes, ``changeover_default`` for other pairs of different families;
same family or no family: none). Between two consecutive operations on a
resource the changeover is working time of that resource: the next
operation starts only once that many working minutes of its windows have
passed after the previous one ends (a night or a leave between them does
not count). The first operation of a resource in the plan needs none (the
state before it is unknown); fixed work takes part in the sequence (a
changeover to and from fixed work is kept; two fixed operations are left as
they are). The greedy places work only where both changeovers, from the
work before it and to the work after it, fit; the CP-SAT model has a
circuit per sequenced resource whose arcs carry the changeover; the checker
verifies the gaps. Changeover minutes are not work of any job: they do not
count against the rush reserve. The objective counts them right after the
primary (``Evaluation.key``): the one model minimises them at the weighted
tardiness it reached before its last phase, LNS steps weigh all of them
below one minute of tardiness. ``Result.changeover`` and ``Result.setups``
report them.

Levelled production (heijunka), opt-in (``SolveParams.level_families``, off
by default; off, every result is as without it): on every work center on
which movable operations of two or more setup families may run
(``ProblemData.levelled``), each family's work is spread as evenly as it can
be over the days. The measure (``checker.levelling``, reported as
``Result.levelling`` and ``Evaluation.levelling`` either way): per such work
center and family, the most minutes of that family's movable operations
started on one day minus the fewest, over the work center's working days
from the first to the last on which a movable operation with a family
starts there (a day without that family's work counts 0; an operation
counts whole, its mode's working minutes, on the day it starts; fixed work
does not count), summed. A batch (a day of one family, a day of the other)
scores the day's minutes of each; two families sharing every day equally, 0.
It ranks right after the primary objective, before the changeover minutes
(``Evaluation.key``): levelling never trades lateness, changeovers stay hard
constraints and are still counted, the fewest among schedules as level.
The one model adds its terms after its first phase (which is then the same
model as without) and minimises them at the weighted tardiness reached,
before the changeovers' phase. The search (above ``lns_threshold``) runs
as without the option for half its budget (or until nothing is late),
then goes on from there with the levelling in its key: its steps weigh the
measure of the work centers they touch below one minute of tardiness, and
every other step, a ``"level"`` neighbourhood, frees a work center's
operations of a family on its fullest day there (with the rest of their
jobs) and the work center's operations on the nearest day the family has
the fewest, that day and the next in reach, without pulling work of jobs on
time earlier; a step is kept when the whole schedule's key (levelling
included) is not worse. The search is a heuristic: its weighted tardiness
is that of a search without the option on half the budget or better, which
may be worse than without the option on the whole budget (measured:
``bench/results/engine_levelling.md``). In makespan mode the measure ranks
after the makespan and only the search's comparisons use it.

Secondary resources: a ``SecondaryResource`` is a pool of people or a set
of fixtures, ``capacity`` units at any time except in its ``levels``
segments (a night shift with fewer operators, an absence). An operation
``requires`` some units of some of them and holds them over its whole
wall span, breaks of its work center included. At no minute may the work
there hold more than what is there (fixed work first: movable work gets
``max(0, level - fixed)``). The greedy places work only where its units
are free over its span, the CP-SAT model has a cumulative per secondary
resource (the level's dips as fixed blocking intervals, frozen work as
constants in the LNS steps), the checker sweeps each one's usage.

Why late: ``explain(data, assignments)`` reads, for every late job of a
complete schedule, the constraint that binds it (work ahead on a resource,
people or fixtures short, fixed work, another job's operation before it,
the release, or nothing but its own work): see ``explain``.

Messages name resources, jobs and operations by their optional ``label``
(their key when they have none): the glue passes the names planners know and
keeps its record ids as keys.

How to use it
-------------
>>> from engine import Job, Mode, Operation, Precedence, ProblemData, Resource
>>> from engine import SolveParams, solve
>>> data = ProblemData(
...     resources=[Resource("cut", windows=[(0, 480), (1440, 1920)])],
...     jobs=[Job("MO1", due=600)],
...     operations=[
...         Operation("cut1", job=0, modes=[Mode(0, 300)]),
...         Operation("cut2", job=0, modes=[Mode(0, 300)]),
...     ],
...     precedences=[Precedence(0, 1)],
...     rush_share=0,
... )
>>> result = solve(data, SolveParams(time_limit=1, workers=1))
>>> result.status.value, result.assignments[1].start, result.assignments[1].end
('optimal', 300, 1560)
>>> result.weighted_tardiness
960

Inside Odoo, import it as ``odoo.addons.pps_coordination_scheduler.engine``.
``solve`` raises ``ValueError`` only for bad input; every other outcome is a
``Result`` whose ``status`` (``Status``: "optimal", "feasible", "infeasible",
"model_invalid", "unknown") and ``message`` say what happened; on failure its
``assignments`` are empty.
"""

from .checker import changeovers, check, evaluate, family_minutes, levelling, span_end
from .data import (
    MAX_HORIZON,
    Assignment,
    Job,
    Mode,
    Operation,
    Precedence,
    ProblemData,
    Resource,
    SecondaryResource,
)
from .dispatch import RULES, Unschedulable, dispatch
from .explain import Delay, explain
from .result import Evaluation, Result, Status, Violation
from .solve import SolveParams, solve

__all__ = [
    "MAX_HORIZON",
    "RULES",
    "Assignment",
    "Delay",
    "Evaluation",
    "Job",
    "Mode",
    "Operation",
    "Precedence",
    "ProblemData",
    "Resource",
    "Result",
    "SecondaryResource",
    "SolveParams",
    "Status",
    "Unschedulable",
    "Violation",
    "changeovers",
    "check",
    "dispatch",
    "evaluate",
    "explain",
    "family_minutes",
    "levelling",
    "solve",
    "span_end",
]
