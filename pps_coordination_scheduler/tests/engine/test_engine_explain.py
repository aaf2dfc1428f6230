"""``explain``: each late job's binding cause, read from the schedule."""

from ...engine import (
    Assignment,
    Job,
    Mode,
    Operation,
    Precedence,
    ProblemData,
    Resource,
    SolveParams,
    check,
    explain,
    solve,
)

DAY = 1440
OPEN = ((0, 10 * DAY),)


def _data(jobs, operations, precedences=(), resources=None):
    return ProblemData(
        resources=resources or [Resource("press", OPEN), Resource("saw", OPEN)],
        jobs=jobs,
        operations=operations,
        precedences=precedences,
        rush_share=0,
    )


def _plan(*triples):
    """Assignments from (resource, start, end) in operation order."""
    return {i: Assignment(r, 0, s, e) for i, (r, s, e) in enumerate(triples)}


def test_capacity_names_the_work_ahead_in_start_order():
    data = _data(
        [Job("A", due=200), Job("B", due=400), Job("late", due=400)],
        [
            Operation("a", 0, (Mode(0, 200),)),
            Operation("b", 1, (Mode(0, 200),)),
            Operation("l", 2, (Mode(0, 200),)),
        ],
    )
    plan = _plan((0, 0, 200), (0, 200, 400), (0, 400, 600))
    delays = explain(data, plan)
    assert set(delays) == {2}, "only the job ending after its due date is late"
    delay = delays[2]
    assert delay.kind == "resource"
    assert delay.ahead == (0, 1)
    assert delay.blocker == 1
    assert (delay.since, delay.start, delay.tardiness) == (0, 400, 200)


def test_fixed_work_ahead_is_the_blocker():
    data = _data(
        [Job("frozen"), Job("late", due=100)],
        [
            Operation("f", 0, (Mode(0, 300),), fixed=Assignment(0, 0, 0, 300)),
            Operation("l", 1, (Mode(0, 100),)),
        ],
    )
    delay = explain(data, _plan((0, 0, 300), (0, 300, 400)))[1]
    assert delay.kind == "resource"
    assert delay.blocker == 0
    assert data.operations[delay.blocker].fixed is not None


def test_own_fixed_operation():
    data = _data(
        [Job("late", due=100)],
        [Operation("f", 0, (Mode(0, 300),), fixed=Assignment(0, 0, 0, 300))],
    )
    delay = explain(data, _plan((0, 0, 300)))[0]
    assert (delay.kind, delay.operation) == ("fixed", 0)


def test_walks_back_its_own_routing_to_the_work_on_another_resource():
    """The last step waits for its own first step, which waited on the saw."""
    data = _data(
        [Job("other"), Job("late", due=500)],
        [
            Operation("o", 0, (Mode(1, 400),)),
            Operation("cut", 1, (Mode(1, 100),)),
            Operation("press", 1, (Mode(0, 100),)),
        ],
        precedences=[Precedence(1, 2)],
    )
    delay = explain(data, _plan((1, 0, 400), (1, 400, 500), (0, 500, 600)))[1]
    assert delay.kind == "resource"
    assert delay.operation == 1, "the walk stops at the step that waited"
    assert (delay.resource, delay.ahead) == (1, (0,))


def test_predecessor_of_another_job():
    data = _data(
        [Job("sub-assembly"), Job("late", due=300)],
        [Operation("sub", 0, (Mode(1, 400),)), Operation("top", 1, (Mode(0, 100),))],
        precedences=[Precedence(0, 1)],
    )
    delay = explain(data, _plan((1, 0, 400), (0, 400, 500)))[1]
    assert (delay.kind, delay.blocker, delay.since) == ("predecessor", 0, 400)


def test_release_is_material():
    data = _data(
        [Job("late", release=600, due=650)],
        [Operation("l", 0, (Mode(0, 100),))],
    )
    delay = explain(data, _plan((0, 600, 700)))[0]
    assert (delay.kind, delay.since) == ("release", 600)


def test_started_now_and_still_late_is_the_work_itself():
    data = _data([Job("late", due=50)], [Operation("l", 0, (Mode(0, 100),))])
    delay = explain(data, _plan((0, 0, 100)))[0]
    assert delay.kind == "start"


def test_a_calendar_gap_is_no_work_ahead():
    """Waiting over a night is not capacity: nothing ran there."""
    data = _data(
        [Job("late", due=60)],
        [Operation("l", 0, (Mode(0, 100),))],
        resources=[Resource("press", ((600, 2000),))],
    )
    delay = explain(data, _plan((0, 600, 700)))[0]
    assert (delay.kind, delay.since, delay.start) == ("start", 0, 600)


def test_solved_schedule_explains_every_late_job():
    """On a real solve, every late job gets one cause and no on-time job does."""
    jobs = [Job(f"J{j}", due=150 + 50 * j, weight=1 + j % 3) for j in range(8)]
    ops = [Operation(f"o{j}", j, (Mode(0, 100),)) for j in range(8)]
    data = _data(jobs, ops)
    result = solve(data, SolveParams(time_limit=5, workers=1))
    assert result.ok and not check(data, result.assignments)
    delays = explain(data, result.assignments)
    late = {j for j, t in result.tardiness.items() if t > 0}
    assert late and set(delays) == late
    for j, delay in delays.items():
        assert delay.tardiness == result.tardiness[j]
        if delay.kind == "resource":
            assert all(result.assignments[k].end > delay.since for k in delay.ahead)
        else:
            assert delay.kind == "start"


def test_fixed_work_kept_by_a_rule_is_explained_by_what_put_it_there():
    """A frozen operation of the late job, behind other work: seen through,
    the work ahead is the cause; not seen through, its own fixing is."""
    data = _data(
        [Job("other"), Job("late", due=100)],
        [
            Operation("o", 0, (Mode(0, 300),), fixed=Assignment(0, 0, 0, 300)),
            Operation("f", 1, (Mode(0, 100),), fixed=Assignment(0, 0, 300, 400)),
        ],
    )
    plan = _plan((0, 0, 300), (0, 300, 400))
    assert explain(data, plan)[1].kind == "fixed"
    delay = explain(data, plan, see_through=[1])[1]
    assert (delay.kind, delay.blocker) == ("resource", 0)
