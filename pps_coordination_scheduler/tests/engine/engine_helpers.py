"""Small builders shared by the engine tests (minutes; day 0 is a Monday)."""

from ...engine import (
    Job,
    Mode,
    Operation,
    Precedence,
    ProblemData,
    Resource,
)

DAY = 1440


def hours(h: float) -> int:
    """Minutes of ``h`` hours."""
    return int(h * 60)


def two_shifts(days: int, skip=()) -> tuple[tuple[int, int], ...]:
    """06:00-22:00 every day of ``days``, except the day numbers in ``skip``."""
    return tuple(
        (d * DAY + hours(6), d * DAY + hours(22)) for d in range(days) if d not in skip
    )


def chain(job: int, prefix: str, steps) -> list[Operation]:
    """Operations of one job from (resource, duration) pairs."""
    return [
        Operation(f"{prefix}{k}", job, (Mode(r, d),)) for k, (r, d) in enumerate(steps)
    ]


def chain_precedences(first: int, count: int) -> list[Precedence]:
    """Precedences linking ``count`` operations numbered from ``first``."""
    return [Precedence(first + k, first + k + 1) for k in range(count - 1)]


def single_machine(durations, dues=None, weights=None, rush=None, share=0.0):
    """One always-open resource, one single-operation job per duration."""
    n = len(durations)
    jobs = [
        Job(
            f"J{j}",
            due=None if dues is None else dues[j],
            weight=1 if weights is None else weights[j],
            rush=False if rush is None else rush[j],
        )
        for j in range(n)
    ]
    ops = [Operation(f"O{j}", j, (Mode(0, d),)) for j, d in enumerate(durations)]
    return ProblemData([Resource("M", ((0, 100 * DAY),))], jobs, ops, rush_share=share)


FT06 = (
    [[1, 3, 6, 7, 3, 6], [8, 5, 10, 10, 10, 4], [5, 4, 8, 9, 1, 7],
     [5, 5, 5, 3, 8, 9], [9, 3, 5, 4, 3, 1], [3, 3, 9, 10, 4, 1]],
    [[2, 0, 1, 3, 5, 4], [1, 2, 4, 5, 0, 3], [2, 3, 5, 0, 1, 4],
     [1, 0, 2, 3, 4, 5], [2, 1, 4, 5, 0, 3], [1, 3, 5, 0, 4, 2]],
)  # fmt: skip


def job_shop(durations, machines) -> ProblemData:
    """A classic job-shop instance on always-open machines."""
    horizon = sum(map(sum, durations))
    n_machines = 1 + max(max(row) for row in machines)
    resources = [Resource(f"m{k}", ((0, horizon),)) for k in range(n_machines)]
    jobs, ops, precs = [], [], []
    for j, (row_d, row_m) in enumerate(zip(durations, machines, strict=True)):
        jobs.append(Job(f"j{j}"))
        first = len(ops)
        ops += chain(j, f"j{j}/", list(zip(row_m, row_d, strict=True)))
        precs += chain_precedences(first, len(row_d))
    return ProblemData(resources, jobs, ops, precs, rush_share=0)


def random_instance(seed: int, n_jobs: int = 6, share: float = 0.2) -> ProblemData:
    """A small seeded instance with everything: calendars with a leave day,
    alternatives, releases, due dates, rush jobs, a component order, and
    sometimes a fixed operation."""
    import random

    from ...engine import Assignment

    rng = random.Random(seed)
    resources = [
        Resource(f"R{r}", two_shifts(30, skip={rng.randrange(1, 5)})) for r in range(3)
    ]
    jobs, ops, precs = [], [], []
    for j in range(n_jobs):
        release = rng.randrange(0, 2 * DAY)
        jobs.append(
            Job(
                f"J{j}",
                release=release,
                due=release + rng.randrange(hours(4), 3 * DAY),
                weight=rng.randint(1, 3),
                rush=rng.random() < 0.2,
            )
        )
        first = len(ops)
        for k in range(rng.randint(1, 4)):
            r = rng.randrange(3)
            modes = [Mode(r, rng.choice((30, 90, 240, 600)))]
            if rng.random() < 0.3:
                modes.append(Mode((r + 1) % 3, modes[0].duration + 60))
            ops.append(Operation(f"J{j}/{k}", j, tuple(modes)))
        precs += chain_precedences(first, len(ops) - first)
    if n_jobs > 1:  # job 0's last operation feeds job 1's first
        last0 = max(i for i, op in enumerate(ops) if op.job == 0)
        first1 = min(i for i, op in enumerate(ops) if op.job == 1)
        precs.append(Precedence(last0, first1, lag=rng.choice((0, 30))))
    if n_jobs > 2 and rng.random() < 0.5:  # pin the last job's first op
        i = min(i for i, op in enumerate(ops) if op.job == n_jobs - 1)
        mode = ops[i].modes[0]
        start = hours(6)
        if mode.duration <= hours(16):
            fixed = Assignment(mode.resource, 0, start, start + mode.duration)
            ops[i] = Operation(ops[i].key, ops[i].job, ops[i].modes, fixed=fixed)
    return ProblemData(resources, jobs, ops, precs, rush_share=share)


def random_job_shop(seed: int, n_jobs: int, n_machines: int) -> ProblemData:
    """A seeded Taillard-style job shop: every job visits every machine once,
    in a random order, for 1 to 99 minutes."""
    import random

    rng = random.Random(seed)
    durations = [[rng.randint(1, 99) for _ in range(n_machines)] for _ in range(n_jobs)]
    machines = [rng.sample(range(n_machines), n_machines) for _ in range(n_jobs)]
    return job_shop(durations, machines)


def factory_instance(
    seed: int,
    n_jobs: int,
    n_resources: int = 6,
    days: int = 60,
    share: float = 0.2,
) -> ProblemData:
    """A seeded factory of any size: two-shift calendars with a leave day,
    orders of 1 to 6 operations with alternative work centers, releases, due
    dates (many too tight), weights, rush and just-in-time orders, component
    orders feeding later ones with a lag, and at most one fixed operation per
    work center (in its shift, in overtime at night, or in progress since
    before minute 0)."""
    import random

    from ...engine import Assignment

    rng = random.Random(seed)
    resources = [
        Resource(f"W{r}", two_shifts(days, skip={rng.randrange(1, 7)}))
        for r in range(n_resources)
    ]
    jobs, ops, precs = [], [], []
    pinned: set[int] = set()
    last_of: dict[int, int] = {}
    for j in range(n_jobs):
        consumer = j > 0 and rng.random() < 0.25
        pin = not consumer and rng.random() < 0.1
        release = 0 if pin else rng.randrange(0, 5 * DAY)
        jobs.append(
            Job(
                f"J{j}",
                release=release,
                due=release + rng.randrange(hours(8), 12 * DAY),
                weight=rng.randint(1, 5),
                rush=rng.random() < 0.15,
                jit_slack=rng.choice((None, None, None, DAY, 3 * DAY)),
            )
        )
        first = len(ops)
        for k in range(rng.randint(1, 6)):
            r = rng.randrange(n_resources)
            modes = [Mode(r, rng.choice((30, 60, 90, 120, 240, 480)))]
            if rng.random() < 0.3:
                modes.append(Mode((r + 1) % n_resources, modes[0].duration + 60))
            ops.append(Operation(f"J{j}/{k}", j, tuple(modes)))
        precs += chain_precedences(first, len(ops) - first)
        if consumer:  # the last operation of an earlier order feeds this one
            source = last_of[rng.randrange(j)]
            precs.append(Precedence(source, first, lag=rng.choice((0, 30, 120))))
        last_of[j] = len(ops) - 1
        mode = ops[first].modes[0]
        if pin and mode.resource not in pinned:
            pinned.add(mode.resource)
            start = rng.choice((hours(6), hours(1), -hours(2)))
            fixed = Assignment(mode.resource, 0, start, start + mode.duration)
            ops[first] = Operation(ops[first].key, j, ops[first].modes, fixed=fixed)
    return ProblemData(resources, jobs, ops, precs, rush_share=share)
