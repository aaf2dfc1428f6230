"""What the simulated users do, over JSON-2, with the standard library only.

Used by the thread runner (``drive.py``) and the faults (``faults.py``), and
meant for a locust file of the full benchmark: the same calls, the same
record of what the clients did (the ledger the consistency checks compare the
database with) and the same latency statistics.

A call ends in one of three ways, counted per call type:

* ``ok``: the server answered 200;
* ``refused``: a clear Odoo error (UserError, ValidationError, AccessError)
  -- e.g. "a schedule run is already in progress", a round another planner
  answered first; the message is kept;
* ``error``: anything else (HTTP 5xx without an Odoo business error, a
  connection reset, a time-out): a failure of the load test.
"""

import json
import random
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta

#: Odoo errors a user may get in normal work (a refusal, not a failure).
CLEAR_ERRORS = {
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.AccessError",
}
DT = "%Y-%m-%d %H:%M:%S"


def in_days(days, hour=10):
    moment = datetime.now(UTC).replace(microsecond=0, tzinfo=None) + timedelta(
        days=days
    )
    return moment.replace(hour=hour, minute=0, second=0).strftime(DT)


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


class Refused(Exception):
    """A clear Odoo error: the server refused the call."""

    def __init__(self, name, message):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


class CallError(Exception):
    """Not an answer of the application: 5xx, connection error, time-out."""


class Stats:
    """Latencies and outcomes per call type, thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.calls = {}
        self.listeners = []  # (name, seconds, outcome, exc) -> None (locust)

    def add(self, name, seconds, outcome, detail=None, exc=None):
        with self.lock:
            entry = self.calls.setdefault(
                name, {"seconds": [], "ok": 0, "refused": 0, "error": 0, "why": {}}
            )
            entry["seconds"].append(seconds)
            entry[outcome] += 1
            if detail:
                key = f"{outcome}: {detail[:140]}"
                entry["why"][key] = entry["why"].get(key, 0) + 1
        for listener in self.listeners:
            listener(name, seconds, outcome, exc)

    def summary(self):
        with self.lock:
            rows = {}
            for name, entry in sorted(self.calls.items()):
                seconds = entry["seconds"]
                rows[name] = {
                    "count": len(seconds),
                    "ok": entry["ok"],
                    "refused": entry["refused"],
                    "error": entry["error"],
                    "p50": round(percentile(seconds, 50), 3),
                    "p95": round(percentile(seconds, 95), 3),
                    "p99": round(percentile(seconds, 99), 3),
                    "max": round(max(seconds), 3),
                    "why": dict(
                        sorted(entry["why"].items(), key=lambda kv: -kv[1])[:6]
                    ),
                }
            return rows


class Ledger:
    """What the clients did and saw, one JSON line per event (append only)."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()

    def write(self, event, **values):
        line = json.dumps({"event": event, "t": round(time.time(), 3), **values})
        with self.lock, open(self.path, "a", encoding="utf-8") as stream:
            stream.write(line + "\n")


class Client:
    """One user's JSON-2 client (``/json/2/<model>/<method>``, API key)."""

    def __init__(self, base_url, database, api_key, stats, login="", timeout=120):
        self.base_url = base_url.rstrip("/")
        self.database = database
        self.api_key = api_key
        self.stats = stats
        self.login = login
        self.timeout = timeout

    def raw(self, model, method, ids=None, **kwargs):
        """One call, untimed: the answer, or Refused / CallError."""
        body = dict(kwargs)
        if ids is not None:
            body["ids"] = ids
        request = urllib.request.Request(
            f"{self.base_url}/json/2/{model}/{method}",
            data=json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.api_key}",
                "X-Odoo-Database": self.database,
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            payload = error.read()
            try:
                answer = json.loads(payload)
            except ValueError:
                answer = {}
            name = answer.get("name", "") if isinstance(answer, dict) else ""
            if name in CLEAR_ERRORS:
                raise Refused(
                    name.rsplit(".", 1)[-1], answer.get("message", "")
                ) from None
            detail = answer.get("message") if isinstance(answer, dict) else None
            raise CallError(
                f"HTTP {error.code} {name or ''} {detail or payload[-200:]!r}"
            ) from None
        except (OSError, urllib.error.URLError) as error:
            raise CallError(f"{type(error).__name__}: {error}") from None

    def call(self, name, model, method, ids=None, **kwargs):
        """A timed call of type ``name``: the answer; raises Refused/CallError."""
        started = time.perf_counter()
        try:
            answer = self.raw(model, method, ids, **kwargs)
        except Refused as refused:
            self.stats.add(
                name, time.perf_counter() - started, "refused", refused.message, refused
            )
            raise
        except CallError as error:
            self.stats.add(
                name, time.perf_counter() - started, "error", str(error), error
            )
            raise
        self.stats.add(name, time.perf_counter() - started, "ok")
        return answer


# ---------------------------------------------------------------- the users
class Salesperson:
    """Create a quotation, quote a date, request it, agree when answered."""

    def __init__(self, client, ledger, setup, rng, answer_wait=20.0):
        self.client = client
        self.ledger = ledger
        self.setup = setup
        self.rng = rng
        self.answer_wait = answer_wait

    def cycle(self):
        rng = self.rng
        lines = [
            [0, 0, {"product_id": product, "product_uom_qty": rng.randint(1, 3)}]
            for product in rng.sample(self.setup["products"], rng.randint(1, 2))
        ]
        try:
            ids = self.client.call(
                "sales: create quotation",
                "sale.order",
                "create",
                vals_list=[
                    {
                        "partner_id": rng.choice(self.setup["customers"]),
                        "client_order_ref": self.setup["tag"],
                        "order_line": lines,
                    }
                ],
            )
        except (Refused, CallError):
            return
        order = ids[0]
        self.ledger.write("quotation", order=order, user=self.client.login)
        try:
            self.client.call(
                "sales: quote a date", "sale.order", "pps_quote_delivery_date", [order]
            )
        except (Refused, CallError):
            pass
        expected = in_days(rng.randint(20, 60))
        try:
            negotiation = self.client.call(
                "sales: request a date",
                "sale.order",
                "action_pps_request_date",
                [order],
                expected_date=expected,
                reason="Load test",
            )
        except Refused:
            return
        except CallError as error:
            # the server may have done it: the checks accept either
            self.ledger.write("request_unknown", order=order, why=str(error)[:200])
            return
        negotiation = negotiation[0] if isinstance(negotiation, list) else negotiation
        self.ledger.write("requested", order=order, negotiation=negotiation)
        deadline = time.monotonic() + self.answer_wait
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(1.0, 2.0))
            try:
                rows = self.client.call(
                    "sales: read the round",
                    "pps.negotiation",
                    "read",
                    [negotiation],
                    fields=["state"],
                )
            except (Refused, CallError):
                continue
            if rows and rows[0]["state"] == "answered":
                break
        else:
            return
        try:
            self.client.call(
                "sales: agree", "pps.negotiation", "action_agree", [negotiation]
            )
        except Refused as refused:
            self.ledger.write(
                "agree_refused", negotiation=negotiation, why=refused.message[:200]
            )
            return
        except CallError as error:
            self.ledger.write(
                "agree_unknown", negotiation=negotiation, why=str(error)[:200]
            )
            return
        self.ledger.write("agreed", order=order, negotiation=negotiation)


class Planner:
    """Answer a request, open the board, move a card, run a dry run."""

    def __init__(self, client, ledger, setup, rng, dry_run_every=3):
        self.client = client
        self.ledger = ledger
        self.setup = setup
        self.rng = rng
        self.dry_run_every = dry_run_every
        self.cycles = 0

    def cycle(self):
        self.cycles += 1
        self.answer()
        board = self.board()
        if board:
            self.move_card(board)
        if self.cycles % self.dry_run_every == 1:
            self.dry_run()

    def answer(self):
        try:
            rows = self.client.call(
                "planner: list requests",
                "pps.negotiation",
                "search_read",
                domain=[
                    ("state", "=", "requested"),
                    ("sale_order_id.client_order_ref", "=", self.setup["tag"]),
                ],
                fields=["id", "expected_date"],
                limit=5,
                order="id",
            )
        except (Refused, CallError):
            return
        if not rows:
            return
        row = self.rng.choice(rows)
        expected = datetime.strptime(row["expected_date"], DT)
        scheduled = (expected + timedelta(days=self.rng.randint(0, 5))).strftime(DT)
        try:
            self.client.call(
                "planner: answer",
                "pps.negotiation",
                "action_answer",
                [row["id"]],
                scheduled_date=scheduled,
                explanation="Load test answer",
            )
        except Refused as refused:
            self.ledger.write(
                "answer_refused", negotiation=row["id"], why=refused.message[:200]
            )
            return
        except CallError as error:
            self.ledger.write(
                "answer_unknown", negotiation=row["id"], why=str(error)[:200]
            )
            return
        self.ledger.write("answered", negotiation=row["id"], user=self.client.login)

    def _week(self):
        week = self.setup["weeks"][self.rng.randrange(len(self.setup["weeks"]))]
        center = self.rng.choice(self.setup["workcenters"])
        return week, {"workcenter_ids": [center]}

    def board(self):
        week, filters = self._week()
        try:
            return self.client.call(
                "planner: open the board",
                "pps.dispatch.board",
                "get_board_data",
                week_start=week,
                filters=filters,
            )
        except (Refused, CallError):
            return None

    def move_card(self, board):
        # Dispatch order in a cell is the sale orders' serial: only a card of
        # a sale order moves (work without one keeps its place by its start).
        pairs = [
            (card, other)
            for row in board.get("workcenters", [])
            for cell in row["cells"]
            for card in cell["cards"]
            if card.get("sale_order_id") and card.get("serial") and not card["locked"]
            for other in cell["cards"]
            if other.get("sale_order_id")
            and other.get("serial")
            and other["sale_order_id"] != card["sale_order_id"]
        ]
        if not pairs:
            return
        moved, target = self.rng.choice(pairs)
        try:
            self.client.call(
                "planner: move a card",
                "pps.dispatch.board",
                "action_move_card",
                workorder_id=moved["id"],
                target_workorder_id=target["id"],
                position=self.rng.choice(["before", "after"]),
            )
        except (Refused, CallError):
            pass

    def dry_run(self):
        week, filters = self._week()
        try:
            summary = self.client.call(
                "planner: dry run",
                "pps.dispatch.board",
                "action_dry_run",
                week_start=week,
                filters=filters,
                time_limit=2,
            )
        except (Refused, CallError):
            return
        # a dry run solving in the background answers {"run_id", "state"} at once
        run = summary.get("id") or summary.get("run_id")
        self.ledger.write("dry_run", run=run, state=summary["state"])


def make_users(setup, stats, ledger, sales, planners, seed=0, answer_wait=20.0):
    """The simulated users: ``sales`` salespeople then ``planners`` planners."""
    base = setup["base_url"]
    users = []
    for i in range(sales):
        account = setup["sales"][i % len(setup["sales"])]
        client = Client(
            base, setup["database"], account["key"], stats, account["login"]
        )
        users.append(
            Salesperson(
                client, ledger, setup, random.Random(seed * 1000 + i), answer_wait
            )
        )
    for i in range(planners):
        account = setup["planners"][i % len(setup["planners"])]
        client = Client(
            base, setup["database"], account["key"], stats, account["login"]
        )
        users.append(
            Planner(client, ledger, setup, random.Random(seed * 1000 + 500 + i))
        )
    return users


def start_background_run(setup, stats, ledger, time_limit, wait=60):
    """A planner's re-plan of every open MO of the plant, the frozen zone
    released: > 300 work orders, so ``schedule(interactive=True)`` hands it to
    a queue_job job. Returns the run id."""
    account = setup["planners"][0]
    client = Client(
        setup["base_url"], setup["database"], account["key"], stats, account["login"]
    )
    # a planner's dry run of the round may hold the company's run lock: the
    # refusal says so, and the planner tries again once it ended
    deadline = time.monotonic() + wait
    while True:
        try:
            ids = client.call(
                "planner: start the background run",
                "pps.schedule.run",
                "schedule",
                productions=setup["productions"],
                interactive=True,
                time_limit=time_limit,
                # the frozen zone released (a planner's option, logged on the
                # run): a plan made hours ago holds frozen work behind late
                # work that cannot finish before it, and the run would be
                # infeasible (bench/results/load.md)
                release_frozen=True,
            )
            break
        except Refused as refused:
            busy = (
                "still running" in refused.message or "in progress" in refused.message
            )
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    run = ids[0] if isinstance(ids, list) else ids
    ledger.write("background_run", run=run)
    return run


def wait_for_runs(setup, run_ids, timeout):
    """Poll until the runs are no longer running; their last states."""
    account = setup["planners"][0]
    client = Client(setup["base_url"], setup["database"], account["key"], Stats())
    deadline = time.monotonic() + timeout
    rows = []
    while time.monotonic() < deadline:
        try:
            rows = client.raw(
                "pps.schedule.run",
                "read",
                run_ids,
                fields=["state", "message", "job_state", "moved_count"],
            )
        except (Refused, CallError):
            rows = []
        if rows and all(row["state"] != "running" for row in rows):
            return rows
        time.sleep(2)
    return rows
