"""The greedy starts fit in the time limit: the rules beyond the repair and
the priority rule run while half of the limit lasts, counted in placements
(``dispatch_counted``), so the same data gets the same starts on every run."""

import sys
from dataclasses import replace

import pytest

from ...engine import RULES, SolveParams, check, solve
from ...engine.dispatch import OverBudget, dispatch_counted
from .engine_helpers import random_instance, single_machine

solve_module = sys.modules[solve.__module__]


def _spy(monkeypatch):
    """Record each rule the solve dispatches: (rule, cap, finished)."""
    calls = []
    real = solve_module.dispatch_counted

    def spy(data, rule, cap=None):
        try:
            found = real(data, rule, cap)
        except OverBudget:
            calls.append((rule, cap, False))
            raise
        calls.append((rule, cap, True))
        return found

    monkeypatch.setattr(solve_module, "dispatch_counted", spy)
    return calls


def test_a_capped_dispatch_stops_at_its_cap():
    """Serial rules ask one placement per operation; the non-delay rules
    ask again for the placements made stale; a cap below what a rule
    needs stops it."""
    data = random_instance(3)
    movable = sum(op.fixed is None for op in data.operations)
    schedule, placements = dispatch_counted(data, "priority")
    assert check(data, schedule) == []
    assert placements == movable
    _schedule, atc = dispatch_counted(data, "atc")
    assert atc > movable
    with pytest.raises(OverBudget):
        dispatch_counted(data, "atc", cap=atc - 1)
    assert dispatch_counted(data, "atc", cap=atc)[1] == atc


def test_small_problems_get_every_rule(monkeypatch):
    calls = _spy(monkeypatch)
    result = solve(random_instance(1), SolveParams(time_limit=1, workers=1))
    assert result.ok, result.message
    assert {rule for rule, _cap, done in calls if done} == set(RULES)


def test_over_the_start_budget_only_the_priority_rule_runs(monkeypatch):
    """With placements priced so that half the limit buys the priority rule
    (5 units per serial placement) and half an ATC run more, ATC is stopped
    at its cap, no other rule is tried: the solve starts from the priority
    rule and still ends with a valid schedule."""
    calls = _spy(monkeypatch)
    data = random_instance(2)
    ops = sum(op.fixed is None for op in data.operations)
    units = 5 * ops + ops // 2
    monkeypatch.setattr(solve_module, "_PLACEMENT_COST", 0.5 / units)
    result = solve(data, SolveParams(time_limit=1, workers=1))
    assert result.ok, result.message
    assert check(data, result.assignments) == []
    assert [(rule, done) for rule, _cap, done in calls] == [
        ("priority", True),
        ("atc", False),
    ]
    assert calls[1][1] == ops // 2
    assert result.start_rule == "priority"


def test_the_repair_always_runs_and_the_rules_left_fit_what_is_left(monkeypatch):
    """A plan in force is repaired whatever the budget; after ATC ran, the
    other non-delay rules are not tried when less is left than ATC needed,
    but Odoo's order (one serial pass) is when it fits."""
    calls = _spy(monkeypatch)
    data = single_machine([30] * 12, dues=[40 * k for k in range(1, 13)])
    plan = solve(data, SolveParams(time_limit=1, workers=1))
    assert plan.ok
    current = tuple(
        replace(op, current=plan.assignments[i]) for i, op in enumerate(data.operations)
    )
    data = replace(data, operations=current)
    ops = len(data.operations)
    _schedule, atc = dispatch_counted(data, "atc")
    assert atc > 5 * ops + 1
    calls.clear()
    # the repair and the priority rule (5 units per serial placement), ATC,
    # then less than ATC needed but room for one more serial pass
    units = 10 * ops + atc + 5 * ops + 1
    monkeypatch.setattr(solve_module, "_PLACEMENT_COST", 0.5 / units)
    result = solve(data, SolveParams(time_limit=1, workers=1))
    assert result.ok, result.message
    assert [(rule, done) for rule, _cap, done in calls] == [
        ("current", True),
        ("priority", True),
        ("atc", True),
        ("odoo", True),
    ]
    assert result.moved == 0
