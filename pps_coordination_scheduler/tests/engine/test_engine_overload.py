"""Work that cannot fit: said at once, in words, with no exact model built.

An overloaded work center is proved infeasible by a bound read off the data
(its own work against its working time up to the horizon). When no greedy
start exists and the work is above the LNS threshold, the engine does not
build the one exact model either: at tens of thousands of operations its
window tables alone take gigabytes (measured: 2,000 operations, 2.4-3.0 GB and
23-97 s for a 20 s limit before; 95 MB and no time after).
"""

import dataclasses
import sys
from datetime import datetime

import pytest

from ...engine import (
    RULES,
    Job,
    Mode,
    Operation,
    Precedence,
    ProblemData,
    Resource,
    SolveParams,
    Status,
    check,
    solve,
)

solve_module = sys.modules[solve.__module__]
QUICK = SolveParams(time_limit=2, workers=1)
HOURS = 60


def _no_model(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("no CP-SAT model should be built")

    monkeypatch.setattr(solve_module, "build", refuse)


def _overloaded():
    """400 one-hour jobs on 'Press' (100 working hours)."""
    return ProblemData(
        [Resource("Press", ((0, 100 * HOURS),))],
        [Job(f"MO{j}") for j in range(400)],
        [Operation(f"MO{j}/cut", j, (Mode(0, HOURS),)) for j in range(400)],
        rush_share=0,
    )


def test_overloaded_work_center_is_infeasible_at_once_and_named(monkeypatch):
    _no_model(monkeypatch)
    result = solve(_overloaded(), QUICK)
    assert result.status == Status.INFEASIBLE
    assert result.assignments == {}
    assert "work center 'Press' has 400 hours of work" in result.message
    assert "only 100 working hours" in result.message
    assert result.wall_time < 1


def test_work_another_center_can_do_does_not_count_against_the_first():
    """The 100 first jobs (due at once) only on 'Press', open 150 hours; the
    300 others on 'Press' or 'Spare' (400 hours): 100 hours only 'Press' can
    do, so no bound is broken (counting the others there too would find 400
    hours), and the plan fits."""
    jobs, operations = [], []
    for j in range(400):
        press_only = j < 100
        modes = (Mode(0, HOURS),) if press_only else (Mode(0, HOURS), Mode(1, HOURS))
        jobs.append(Job(f"MO{j}", due=0 if press_only else None))
        operations.append(Operation(f"MO{j}/cut", j, modes))
    data = ProblemData(
        [
            Resource("Press", ((0, 150 * HOURS),)),
            Resource("Spare", ((0, 400 * HOURS),)),
        ],
        jobs,
        operations,
        rush_share=0,
    )
    result = solve(data, QUICK)
    assert result.ok, result.message
    assert check(data, result.assignments) == []


def _chain_too_long():
    """Each center has room for each job's step, not for the chain: Cut
    (60 min on A) then Weld (60 min on B), both open the first 100 minutes."""
    return ProblemData(
        [Resource("A", ((0, 100),)), Resource("B", ((0, 100),))],
        [Job("MO")],
        [Operation("cut", 0, (Mode(0, 60),)), Operation("weld", 0, (Mode(1, 60),))],
        [Precedence(0, 1)],
        rush_share=0,
    )


def test_no_start_above_the_lns_threshold_fails_in_words_without_a_model(
    monkeypatch,
):
    _no_model(monkeypatch)
    params = SolveParams(time_limit=2, workers=1, lns_threshold=1)
    result = solve(_chain_too_long(), params)
    assert result.status == Status.UNKNOWN
    assert result.assignments == {}
    assert result.message.startswith(
        "No dispatching rule could place all 2 operations to plan"
    )
    assert "'weld' cannot be placed" in result.message
    assert "Error" not in result.message


@pytest.mark.parametrize("objective", ["tardiness", "makespan"])
def test_no_start_below_the_threshold_is_left_to_the_model(objective):
    result = solve(
        _chain_too_long(), SolveParams(time_limit=2, workers=1, objective=objective)
    )
    assert result.status == Status.INFEASIBLE
    assert "'cut' has no room" in result.message
    assert not result.message.startswith("No dispatching rule")


def _reserved(rush: int):
    """100 one-hour jobs, the first ``rush`` of them rush orders, on 'Press'
    open ten hours a day for eleven days, a fifth of each day kept for rush
    work: 110 working hours, 88 of them outside the reserve."""
    return ProblemData(
        [Resource("Press", tuple((d * 1440, d * 1440 + 600) for d in range(11)))],
        [Job(f"MO{j}", rush=j < rush) for j in range(100)],
        [Operation(f"MO{j}/cut", j, (Mode(0, HOURS),)) for j in range(100)],
        rush_share=0.2,
    )


def test_work_the_rush_reserve_leaves_no_room_for_is_infeasible_at_once(monkeypatch):
    _no_model(monkeypatch)
    result = solve(_reserved(rush=10), QUICK)
    assert result.status == Status.INFEASIBLE
    assert (
        "work center 'Press' has 90 hours of work outside rush orders that no "
        "other work center can do (rush orders keep 20% of each day), but only "
        "88 working hours for it"
    ) in result.message


def test_rush_orders_may_use_the_reserve_the_bound_leaves_them():
    """Thirty rush orders: 70 hours bound by the reserve, within its 88."""
    data = _reserved(rush=30)
    result = solve(data, QUICK)
    assert result.ok, result.message
    assert check(data, result.assignments) == []


def test_reasons_say_dates_when_the_problem_has_an_origin(monkeypatch):
    """With the date of minute 0 the reasons name dates (UTC), not minutes."""
    _no_model(monkeypatch)
    params = SolveParams(time_limit=2, workers=1, lns_threshold=1)
    data = dataclasses.replace(_chain_too_long(), origin=datetime(2026, 1, 5, 6, 0))
    result = solve(data, params)
    assert "'weld' cannot be placed between 2026-01-05 07:00 UTC and " in (
        result.message
    )
    assert "minute" not in result.message
    assert "between minute 60 and " in solve(_chain_too_long(), params).message


def test_reasons_say_dates_as_the_caller_writes_them(monkeypatch):
    """With ``moment`` the dates of the reasons are written by the caller
    (Odoo: in the planner's time zone and language), from naive UTC."""
    _no_model(monkeypatch)
    params = SolveParams(time_limit=2, workers=1, lns_threshold=1)
    seen = []

    def moment(value):
        seen.append(value)
        return f"<{value:%d/%m %H:%M}>"

    data = dataclasses.replace(
        _chain_too_long(), origin=datetime(2026, 1, 5, 6, 0), moment=moment
    )
    result = solve(data, params)
    assert "'weld' cannot be placed between <05/01 07:00> and " in result.message
    assert "UTC" not in result.message
    assert datetime(2026, 1, 5, 7, 0) in seen


def test_a_reason_every_rule_gives_is_said_once_with_their_names(monkeypatch):
    """Every dispatching rule fails on 'weld' for the same reason: the
    message says it once, naming the rules, not once per rule."""
    _no_model(monkeypatch)
    params = SolveParams(time_limit=2, workers=1, lns_threshold=1)
    message = solve(_chain_too_long(), params).message
    assert message.count("cannot be placed") == 1, message
    named = message.split(": operation 'weld'")[0].rsplit("exact model: ", 1)[1]
    assert sorted(named.replace(" and ", ", ").split(", ")) == sorted(RULES)
