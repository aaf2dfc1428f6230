"""Secondary resources (operator pools, fixtures): data, checker, greedy,
CP-SAT model, LNS and why-late.

An operation ``requires`` units of a ``SecondaryResource`` and holds them
over its whole wall span; at no minute may the work there hold more than
the units there (``capacity``, or a ``levels`` segment's units).
"""

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ...engine import (
    RULES,
    Assignment,
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    SecondaryResource,
    SolveParams,
    check,
    dispatch,
    evaluate,
    explain,
    solve,
)
from .engine_helpers import DAY, factory_instance


def _cells(n_ops, fixture, duration=60, dues=None, **kw):
    """One work center per operation (no overlap there), each operation of
    its own job needing one unit of one shared fixture."""
    resources = [Resource(f"wc{k}", ((0, 100 * DAY),)) for k in range(n_ops)]
    jobs = [Job(f"J{k}", due=None if dues is None else dues[k]) for k in range(n_ops)]
    ops = [
        Operation(f"O{k}", k, (Mode(k, duration),), requires={0: 1}, **kw)
        for k in range(n_ops)
    ]
    return ProblemData(resources, jobs, ops, secondaries=(fixture,), rush_share=0)


def test_profile_and_peak():
    pool = SecondaryResource("pool", 3, levels=((100, 200, 1), (300, 400, 5)))
    assert pool.peak == 5
    assert pool.profile(0, 500) == [
        (0, 100, 3), (100, 200, 1), (200, 300, 3), (300, 400, 5), (400, 500, 3)
    ]  # fmt: skip
    assert pool.profile(150, 160) == [(150, 160, 1)]


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"capacity": -1}, "capacity must be an integer"),
        ({"levels": ((10, 5, 1),)}, "empty level"),
        ({"levels": ((0, 10, 1), (5, 20, 1))}, "sorted and disjoint"),
        ({"levels": ((0, 10, -1),)}, "units >= 0"),
        ({"levels": ((0, 10),)}, "triple"),
    ],
)
def test_bad_secondary_is_refused(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        SecondaryResource("jig", **kwargs)


def test_bad_requirements_are_refused():
    with pytest.raises(ValueError, match="positive integer"):
        Operation("O", 0, (Mode(0, 5),), requires={0: 0})
    with pytest.raises(ValueError, match="unknown secondary resource"):
        ProblemData(
            (Resource("wc", ((0, 100),)),),
            (Job("J"),),
            (Operation("O", 0, (Mode(0, 5),), requires={1: 1}),),
        )
    with pytest.raises(
        ValueError, match="needs 3 of 'jig', which never has more than 2"
    ):
        ProblemData(
            (Resource("wc", ((0, 100),)),),
            (Job("J"),),
            (Operation("O", 0, (Mode(0, 5),), requires={0: 3}),),
            secondaries=(SecondaryResource("jig", 2),),
        )


def test_checker_fails_an_overloaded_fixture():
    data = _cells(3, SecondaryResource("jig", 2))
    schedule = {k: Assignment(k, 0, 0, 60) for k in range(3)}
    found = [v for v in check(data, schedule) if v.kind == "secondary"]
    assert len(found) == 1
    assert (
        "'O0', 'O1', 'O2' hold 3 of 'jig' at minute 0, which has 2" in found[0].message
    )
    schedule[2] = Assignment(2, 0, 60, 120)
    assert check(data, schedule) == []


def test_checker_reads_the_levels():
    """The night (minute 480 on) has one operator: two at once break it."""
    pool = SecondaryResource("crew", 2, levels=((480, 960, 1),))
    data = _cells(2, pool)
    assert check(data, {0: Assignment(0, 0, 0, 60), 1: Assignment(1, 0, 0, 60)}) == []
    night = {0: Assignment(0, 0, 500, 560), 1: Assignment(1, 0, 530, 590)}
    found = check(data, night)
    assert [v.kind for v in found] == ["secondary"]
    assert "at minute 530, which has 1 then" in found[0].message


def test_fixed_work_alone_above_the_level_is_left_but_blocks():
    pool = SecondaryResource("crew", 1)
    resources = [Resource(f"wc{k}", ((0, 10 * DAY),)) for k in range(3)]
    jobs = [Job(f"J{k}") for k in range(3)]
    ops = [
        Operation("F0", 0, (Mode(0, 60),), fixed=Assignment(0, 0, 0, 60),
                  requires={0: 1}),
        Operation("F1", 1, (Mode(1, 60),), fixed=Assignment(1, 0, 0, 60),
                  requires={0: 1}),
        Operation("M", 2, (Mode(2, 30),), requires={0: 1}),
    ]  # fmt: skip
    data = ProblemData(resources, jobs, ops, secondaries=(pool,), rush_share=0)
    assert (
        check(data, {0: ops[0].fixed, 1: ops[1].fixed, 2: Assignment(2, 0, 60, 90)})
        == []
    )
    bad = {0: ops[0].fixed, 1: ops[1].fixed, 2: Assignment(2, 0, 30, 60)}
    assert [v.kind for v in check(data, bad)] == ["secondary"]
    for strategy in ("model", "lns"):
        result = solve(data, SolveParams(time_limit=2, workers=1, strategy=strategy))
        assert result.ok and result.assignments[2].start >= 60


@pytest.mark.parametrize("rule", RULES)
def test_every_rule_shares_the_fixture(rule):
    data = _cells(5, SecondaryResource("jig", 2))
    schedule = dispatch(data, rule)
    assert check(data, schedule) == []
    assert sorted(a.start for a in schedule.values()) == [0, 0, 60, 60, 120]


def test_greedy_waits_for_the_day_shift():
    """Two operators by day, none at night (480-1440): the third five-hour
    job would run into the night, so it waits for the next morning."""
    pool = SecondaryResource("crew", 2, levels=((480, 1440, 0), (1920, 2880, 0)))
    data = _cells(3, pool, duration=300)
    schedule = dispatch(data)
    assert check(data, schedule) == []
    assert sorted(a.start for a in schedule.values()) == [0, 0, 1440]
    assert solve(data, SolveParams(time_limit=2, workers=1)).weighted_tardiness == 0


def test_model_and_search_beat_the_greedy_under_the_fixture():
    """The priority rule puts the heavy job's fixture use last; the model
    and the search find the order that makes no one late."""
    jig = SecondaryResource("jig", 1)
    resources = [Resource("wc0", ((0, 100 * DAY),)), Resource("wc1", ((0, 100 * DAY),))]
    jobs = [Job("long", due=1000), Job("short", due=60)]
    ops = [
        Operation("L", 0, (Mode(0, 300),), requires={0: 1}),
        Operation("S", 1, (Mode(1, 60),), requires={0: 1}),
    ]
    data = ProblemData(resources, jobs, ops, secondaries=(jig,), rush_share=0)
    odoo = dispatch(data, "odoo")
    assert evaluate(data, odoo).weighted_tardiness > 0
    for strategy in ("model", "lns"):
        result = solve(data, SolveParams(time_limit=2, workers=1, strategy=strategy))
        assert check(data, result.assignments) == []
        assert result.weighted_tardiness == 0
        assert result.assignments[1].start == 0


def _with_pools(base: ProblemData, seed: int) -> ProblemData:
    """The factory's operations, every other one needing one or two
    operators of a pool of three with a night of one, and every fifth a
    fixture of two copies."""
    pool = SecondaryResource(
        "crew", 3,
        levels=tuple((d * DAY + 960, d * DAY + 1440, 1) for d in range(60)),
    )  # fmt: skip
    jig = SecondaryResource("jig", 2)
    ops = []
    for k, op in enumerate(base.operations):
        needs = {}
        if (k + seed) % 2 == 0:
            needs[0] = 1 + (k % 2)
        if (k + seed) % 5 == 0:
            needs[1] = 1
        ops.append(replace(op, requires=needs))
    return replace(base, operations=tuple(ops), secondaries=(pool, jig))


FUZZ = settings(
    derandomize=True,
    deadline=None,
    max_examples=6,
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ
@given(
    seed=st.integers(0, 10_000),
    jobs=st.integers(4, 40),
    threshold=st.sampled_from((5, 300)),
)
def test_valid_schedules_on_both_sides_of_the_lns_threshold(seed, jobs, threshold):
    """Seeded factories with pools and fixtures, solved by the one model
    (threshold 300) or by the search (threshold 5): always valid, never
    worse than the best rule."""
    data = _with_pools(factory_instance(seed, jobs, n_resources=3, days=40), seed)
    params = SolveParams(
        time_limit=1.0, workers=1, lns_threshold=threshold, lns_window_ops=8
    )
    result = solve(data, params)
    assert result.ok, result.message
    assert check(data, result.assignments) == []
    best = min((evaluate(data, dispatch(data, r)) for r in RULES), key=params.key)
    assert params.key(evaluate(data, result.assignments)) <= params.key(best)


def test_the_pool_blind_plan_breaks_the_pool():
    """The same factory without the pools plans people who are not there:
    the checker says so (the bench counts these)."""
    data = _with_pools(factory_instance(11, 40, n_resources=4, days=40), 0)
    blind = replace(
        data,
        operations=tuple(replace(op, requires={}) for op in data.operations),
        secondaries=(),
    )
    schedule = solve(blind, SolveParams(time_limit=1, workers=1)).assignments
    assert any(v.kind == "secondary" for v in check(data, schedule))


def test_why_late_names_the_fixture_and_who_held_it():
    """S is on its own work center, free from minute 0, but the only jig is
    held by L until 300: the fixture is what holds it."""
    jig = SecondaryResource("jig", 1)
    resources = [Resource("wc0", ((0, 100 * DAY),)), Resource("wc1", ((0, 100 * DAY),))]
    jobs = [Job("long", due=300), Job("short", due=60)]
    ops = [
        Operation("L", 0, (Mode(0, 300),), requires={0: 1}),
        Operation("S", 1, (Mode(1, 60),), requires={0: 1}),
    ]
    data = ProblemData(resources, jobs, ops, secondaries=(jig,), rush_share=0)
    schedule = {0: Assignment(0, 0, 0, 300), 1: Assignment(1, 0, 300, 360)}
    delay = explain(data, schedule)[1]
    assert (delay.kind, delay.secondary, delay.blocker) == ("secondary", 0, 0)
    night = SecondaryResource("crew", 1, levels=((0, 300, 0),))
    data = replace(data, secondaries=(night,))
    delay = explain(
        data, {0: Assignment(0, 0, 300, 600), 1: Assignment(1, 0, 600, 660)}
    )
    assert delay[1].kind == "secondary"


def _model_solution(data, free, frozen):
    from ortools.sat.python import cp_model

    from ...engine.calendar import build_axes, reserve_days
    from ...engine.cpsat import build

    axes = build_axes(data)
    m = build(data, axes, reserve_days(data, axes), free, frozen)
    m.model.minimize(m.weighted_tardiness())
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(m.model) == cp_model.OPTIMAL
    return m.read_solution(solver), solver.objective_value


def test_the_cp_model_itself_holds_the_fixture_and_the_night():
    """The CP-SAT model alone (no greedy to fall back on): three jobs due
    at 60 want the same jig of two, by night a crew of one."""
    data = _cells(3, SecondaryResource("jig", 2), dues=[60, 60, 60])
    found, late = _model_solution(data, [0, 1, 2], {})
    assert check(data, found) == [] and late == 60
    pool = SecondaryResource("crew", 2, levels=((0, 120, 1),))
    data = _cells(2, pool, dues=[60, 60])
    found, late = _model_solution(data, [0, 1], {})
    assert check(data, found) == [] and late == 60


def test_an_lns_step_keeps_the_frozen_neighbours_units():
    """One operation frozen on the jig from 0 to 60: the free one waits."""
    data = _cells(2, SecondaryResource("jig", 1), dues=[60, 60])
    found, late = _model_solution(data, [1], {0: Assignment(0, 0, 0, 60)})
    assert found[1].start == 60 and late == 60
