"""The improvement portfolio: one model, LNS, both; the LNS neighbourhoods.

``SolveParams.strategy`` ("auto" by default) picks one CP-SAT model of the
whole problem, the large-neighbourhood search, or the model first and the
search for the rest of the budget; ``Result.improved_by`` names the path
("cp-sat", "cp-sat lns (kinds)", "cp-sat, then lns (kinds)", or the start
when nothing beat it). In makespan mode the search's machine and job
neighbourhoods free work centers and jobs of the critical path while the
rest keeps its order but not its times, which time windows of operations
frozen at their times (the engine's only neighbourhood before) cannot do.
"""

import importlib

import pytest

from ...engine import SolveParams, Status, check, solve
from .engine_helpers import FT06, factory_instance, job_shop, random_job_shop

SOLVE = importlib.import_module(SolveParams.__module__)


def _makespan(data, **kwargs):
    params = SolveParams(workers=1, objective="makespan", **kwargs)
    result = solve(data, params)
    assert result.ok and check(data, result.assignments) == []
    return result


@pytest.mark.parametrize("kind", ("machines", "jobs"))
def test_each_new_neighbourhood_alone_shortens_a_job_shop(kind):
    """A 12 x 10 job shop, the search alone with one neighbourhood: each of
    machines and jobs shortens the greedy start by more than 5%, and the
    result says it came from that neighbourhood."""
    data = random_job_shop(1, 12, 10)
    result = _makespan(data, time_limit=1, strategy="lns", neighbourhoods=(kind,))
    assert result.makespan < 0.95 * result.start_objective
    assert result.improved_by == f"cp-sat lns ({kind})"


def test_ordered_neighbourhoods_beat_frozen_time_windows(monkeypatch):
    """On three 12 x 10 job shops with the same budget, the default
    rotation (machines, jobs, time windows; unfreed work keeps its order,
    not its times) ends below time windows whose other operations stay
    frozen at their times, which is what the search did before: more than
    5% below over the three, never above by more than 1% on any (with the
    0.2 s steps the frozen windows take five steps to an ordered one, and
    on the third they end 2 units lower). With the order kept, even time
    windows alone do no worse."""
    totals = [0, 0]
    for seed in (1, 2, 3):
        data = random_job_shop(seed, 12, 10)
        default = _makespan(data, time_limit=1, strategy="lns")
        ordered_windows = _makespan(
            data, time_limit=1, strategy="lns", neighbourhoods=("time window",)
        )
        with monkeypatch.context() as patch:
            patch.setattr(SOLVE, "ORDERED_LIMIT", 0)
            frozen = _makespan(
                data, time_limit=1, strategy="lns", neighbourhoods=("time window",)
            )
        assert default.makespan <= 1.01 * frozen.makespan, seed
        assert ordered_windows.makespan <= frozen.makespan, seed
        totals[0] += default.makespan
        totals[1] += frozen.makespan
    assert totals[0] < 0.95 * totals[1]


def test_auto_runs_the_model_then_the_search_on_a_large_job_shop():
    """Above the LNS threshold in makespan mode, "auto" is both: the one
    model first (it wins on job shops), then the search from its result.
    Each path improves on the start (the model alone reaches below it; the
    search goes on from there), and the result is no worse than either."""
    data = random_job_shop(1, 20, 16)
    assert len(data.operations) > SolveParams().lns_threshold
    both = _makespan(data, time_limit=2)
    assert both.improved_by.startswith("cp-sat")
    assert both.makespan < both.start_objective
    model = _makespan(data, time_limit=1, strategy="model")
    assert model.improved_by == "cp-sat"
    assert both.makespan <= model.makespan


def test_tardiness_above_the_threshold_takes_the_search_and_model_on_request():
    """Weighted tardiness at factory scale: "auto" takes the search (the
    one model loses there); strategy="model" forces the one model."""
    data = factory_instance(1, 100)
    assert len(data.operations) > SolveParams().lns_threshold
    auto = solve(data, SolveParams(time_limit=1, workers=1, lns_window_ops=20))
    assert auto.ok and auto.improved_by.startswith("cp-sat lns (")
    assert auto.weighted_tardiness < auto.start_objective
    model = solve(data, SolveParams(time_limit=1, workers=1, strategy="model"))
    assert model.ok and model.improved_by in ("cp-sat", model.start_rule)


def test_the_search_uses_its_whole_budget():
    """With a wall-clock budget the search does not stop when a kind of
    neighbourhood runs dry: it goes on with the others until the time is
    up (no proof of optimality exists for this job shop)."""
    data = random_job_shop(2, 12, 10)
    result = _makespan(data, time_limit=1.5, strategy="lns", deterministic=False)
    assert result.status == Status.FEASIBLE
    assert result.wall_time >= 1.4


def test_proven_optimum_ends_the_search_early():
    """ft06 in makespan mode, forced through both paths: the model proves 55
    optimal, so the search does not run at all and the budget is not used."""
    data = job_shop(*FT06)
    result = _makespan(data, time_limit=20, strategy="both")
    assert (result.status, result.makespan) == (Status.OPTIMAL, 55)
    assert result.improved_by == "cp-sat"
    assert result.wall_time < 10


@pytest.mark.parametrize(
    ("objective", "instance"),
    (
        ("makespan", lambda: random_job_shop(3, 20, 16)),
        ("tardiness", lambda: factory_instance(2, 100)),
    ),
)
def test_one_worker_with_a_seed_repeats_itself_above_the_threshold(objective, instance):
    """Deterministic mode (one worker): the budget is CP-SAT deterministic
    time, charged as used, so two solves with the same seed give the same
    schedule, on both paths above the threshold (both; the search)."""
    data = instance()
    params = SolveParams(
        time_limit=1, workers=1, seed=5, objective=objective, lns_window_ops=20
    )
    first, second = solve(data, params), solve(data, params)
    assert first.ok and first.improved_by == second.improved_by
    assert first.assignments == second.assignments


def test_bad_strategy_or_neighbourhood_is_refused():
    for bad in (
        {"strategy": "fastest"},
        {"neighbourhoods": ()},
        {"neighbourhoods": ("machines", "moon")},
        {"model_share": 1},
    ):
        with pytest.raises(ValueError, match="strategy|neighbourhoods|model_share"):
            SolveParams(**bad)
