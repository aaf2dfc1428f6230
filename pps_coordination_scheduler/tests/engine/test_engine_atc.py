"""The ATC rules (apparent tardiness cost): hand-checked single machines."""

from ...engine import (
    RULES,
    Job,
    Mode,
    Operation,
    ProblemData,
    Resource,
    check,
    dispatch,
    evaluate,
    solve,
)
from .engine_helpers import DAY, random_instance, single_machine
from .test_engine_solve import QUICK


def _tardiness(data, rule):
    schedule = dispatch(data, rule)
    assert check(data, schedule) == []
    return evaluate(data, schedule).weighted_tardiness


def test_atc_puts_the_heavy_order_first_where_edd_does_not():
    """A (weight 1, due 100) and B (weight 10, due 150), 100 minutes each:
    EDD runs A first (B 50 minutes late, x 10); ATC runs B first (A 100
    late, x 1)."""
    data = single_machine([100, 100], dues=[100, 150], weights=[1, 10])
    assert _tardiness(data, "edd") == 500
    assert _tardiness(data, "atc") == 100
    assert _tardiness(data, "atc_active") == 100


def test_active_atc_waits_for_an_urgent_order_non_delay_does_not():
    """A (weight 1, due far) can start at 0; B (weight 10, due 60, 50
    minutes) is released at 10. Non-delay ATC starts A at once (B ends at
    150, 90 minutes late); active ATC keeps the machine for B, which ends
    before A would, and nothing is late."""
    data = ProblemData(
        [Resource("M", ((0, 10 * DAY),))],
        [Job("A", due=10_000), Job("B", due=60, weight=10, release=10)],
        [Operation("a", 0, (Mode(0, 100),)), Operation("b", 1, (Mode(0, 50),))],
    )
    assert _tardiness(data, "atc") == 900
    assert _tardiness(data, "atc_active") == 0
    assert dispatch(data, "atc_active")[1].start == 10


def test_atc_rules_are_valid_and_the_engine_is_never_worse():
    """On random shops with alternatives and precedences, both ATC rules
    place every operation validly and the engine starts from them."""
    assert {"atc", "atc_active"} <= set(RULES)
    for seed in range(6):
        data = random_instance(seed)
        result = solve(data, QUICK)
        assert result.ok, result.message
        for rule in ("atc", "atc_active"):
            assert result.weighted_tardiness <= _tardiness(data, rule)


def test_the_engine_starts_from_atc_where_it_is_the_best_rule():
    """A (weight 1, due 100), B (weight 10, due 150), C (weight 20, due
    far), 100 minutes each: EDD and the Odoo-like rule run A, B, C (B late
    x 10: 500), the priority rule C, B, A (700); ATC runs B, A, C (A late:
    100). The solve's start is ATC's."""
    data = single_machine([100, 100, 100], dues=[100, 150, 10_000], weights=[1, 10, 20])
    assert [_tardiness(data, rule) for rule in ("edd", "odoo", "priority")] == [
        500,
        500,
        700,
    ]
    assert _tardiness(data, "atc") == 100
    result = solve(data, QUICK)
    assert result.ok, result.message
    assert result.start_rule in ("atc", "atc_active")
    assert result.start_objective == 100
