"""Locust users of the load test (run by ``drive.py --runner locust``).

Environment: PPS_LOAD_SETUP (setup.json), PPS_LOAD_LEDGER (ledger file),
PPS_LOAD_STATS (where the call statistics are written at the end),
PPS_LOAD_SALES / PPS_LOAD_PLANNERS (how many of each), PPS_LOAD_MAX_CYCLES
(each user stops after that many cycles), PPS_LOAD_SEED.

Each simulated user runs the cycle of ``lib.Salesperson`` or ``lib.Planner``
through the standard-library JSON-2 client; locust's gevent makes its sockets
cooperative. Every call is reported to locust (its console and CSV) and to
``lib.Stats`` (the percentiles and refusals of ``bench/results/load.md``).
"""

import itertools
import json
import os
import random
import sys
from pathlib import Path

from locust import User, between, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
import lib

SETUP = json.loads(Path(os.environ["PPS_LOAD_SETUP"]).read_text())
LEDGER = lib.Ledger(os.environ["PPS_LOAD_LEDGER"])
STATS = lib.Stats()
MAX_CYCLES = int(os.environ.get("PPS_LOAD_MAX_CYCLES", "50"))
SEED = int(os.environ.get("PPS_LOAD_SEED", "0"))
COUNTER = itertools.count()


@events.init.add_listener
def _report_to_locust(environment, **_kwargs):
    def listener(name, seconds, outcome, exc):
        environment.events.request.fire(
            request_type="JSON2",
            name=name,
            response_time=seconds * 1000,
            response_length=0,
            exception=exc if outcome == "error" else None,
        )

    STATS.listeners.append(listener)


@events.quitting.add_listener
def _write_stats(environment, **_kwargs):
    Path(os.environ["PPS_LOAD_STATS"]).write_text(json.dumps(STATS.summary()))


class _PpsUser(User):
    abstract = True
    wait_time = between(0.5, 2.0)
    role = None

    def on_start(self):
        index = next(COUNTER)
        accounts = SETUP["sales" if self.role == "sales" else "planners"]
        account = accounts[index % len(accounts)]
        client = lib.Client(
            SETUP["base_url"],
            SETUP["database"],
            account["key"],
            STATS,
            account["login"],
        )
        rng = random.Random(SEED * 1000 + index)
        if self.role == "sales":
            self.actor = lib.Salesperson(client, LEDGER, SETUP, rng)
        else:
            self.actor = lib.Planner(client, LEDGER, SETUP, rng)
        self.cycles = 0

    @task
    def cycle(self):
        if self.cycles >= MAX_CYCLES:
            raise StopUser()
        self.cycles += 1
        self.actor.cycle()


class SalesUser(_PpsUser):
    role = "sales"
    fixed_count = int(os.environ.get("PPS_LOAD_SALES", "1"))


class PlannerUser(_PpsUser):
    role = "planner"
    fixed_count = int(os.environ.get("PPS_LOAD_PLANNERS", "1"))
