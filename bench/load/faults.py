#!/usr/bin/env python3
"""Faults on the real multi-process server, each scripted and bounded.

    faults.py --setup setup.json --conf load.conf --out faults.json [names...]

(run with the project's Python: psycopg2 reads the database directly.)

``kill_worker``
    A planner starts a background run; when the job's HTTP worker is in the
    run's write-back (its database session is updating work orders or their
    leaves), the worker process is killed (SIGKILL). queue_job's runner finds
    the job dead and re-queues it; the retried job runs the run again.
    Checked: the job was retried (or failed), the run ended done or failed
    with a reason, and the work orders are either all as before the run or
    exactly as its lines say (nothing half written).
``db_restart``
    The same, but PostgreSQL is restarted (``--db-restart-command``,
    ``pg_ctlcluster 15 main restart``): every session of the server is cut,
    the runner's and the workers' included. Checked: the run ends failed with
    a reason (or done once queue_job retried its job), its work orders are
    all as before or exactly as its lines say, and the next run works.
    Other users of the cluster see their connections cut too.
``two_previews``
    Two planners compute a preview each of the plan of a new MO (the same
    work orders, the same work centers), then apply them at the same moment.
    Checked: one is applied, the other refused with a clear message, and the
    work orders are exactly the winner's lines.
``dropped_client``
    A salesperson's request for a date whose connection is closed before the
    answer (the client gives up after 0.2 s), then the same request sent
    again. Checked: exactly one negotiation exists, the retry is refused
    clearly (an open round exists) or answered -- never a second round.

Before a run fault a planner adds new MOs (``--new-mos``, not planned yet)
so that the run has a write-back to interrupt. Exit status 1 when a
check fails.
"""

import argparse
import configparser
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg2

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import lib

WRITE_BACK = (
    'UPDATE "resource_calendar_leaves"',
    'INSERT INTO "resource_calendar_leaves"',
    'UPDATE "mrp_workorder"',
    'UPDATE "mrp_production"',
)


class Faults:
    def __init__(self, args):
        self.setup = json.loads(Path(args.setup).read_text())
        self.args = args
        conf = configparser.ConfigParser()
        conf.read(args.conf)
        options = conf["options"]
        self.dsn = {
            "host": options.get("db_host", "127.0.0.1"),
            "port": options.get("db_port", "5432"),
            "user": options.get("db_user", "odoo"),
            "password": options.get("db_password", "odoo"),
            "dbname": self.setup["database"],
        }
        self.stats = lib.Stats()
        self.ledger = lib.Ledger(args.ledger)
        self.results = {}

    # ---------------------------------------------------------- helpers
    def sql(self, query, params=(), wait=120):
        """Rows of a query on a connection of its own; while PostgreSQL
        restarts (the db_restart fault), retried for up to ``wait`` s."""
        deadline = time.monotonic() + wait
        while True:
            try:
                conn = psycopg2.connect(**self.dsn)
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
                continue
            try:
                with conn, conn.cursor() as cr:
                    cr.execute(query, params)
                    return cr.fetchall() if cr.description else []
            finally:
                conn.close()

    def client(self, role="planners", index=0):
        account = self.setup[role][index % len(self.setup[role])]
        return lib.Client(
            self.setup["base_url"],
            self.setup["database"],
            account["key"],
            self.stats,
            account["login"],
        )

    def snapshot(self):
        rows = self.sql(
            """SELECT id, date_start, date_finished, workcenter_id FROM mrp_workorder
                WHERE production_id = ANY(%s) ORDER BY id""",
            (self.setup["productions"],),
        )
        return {row[0]: row[1:] for row in rows}

    def add_work(self):
        """New confirmed MOs, not planned yet (a planner's, over JSON-2): the
        next run has to plan them, so it has a write-back to interrupt."""
        planner = self.client()
        products = self.setup["products"]
        ids = planner.call(
            "fault: create MOs",
            "mrp.production",
            "create",
            vals_list=[
                {"product_id": products[i % len(products)], "product_qty": 1}
                for i in range(self.args.new_mos)
            ],
        )
        planner.call("fault: confirm MOs", "mrp.production", "action_confirm", ids)
        self.setup["productions"] = self.setup["productions"] + ids
        return ids

    def start_run(self, time_limit):
        return lib.start_background_run(self.setup, self.stats, self.ledger, time_limit)

    def job_backend(self, run_id, timeout):
        """(pg backend pid, OS pid of the Odoo worker) running the run's job,
        once it is in the write-back; None if the run ended first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = self.sql(
                """SELECT a.pid, a.client_port, a.query
                     FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                    WHERE l.relation = 'queue_job_lock'::regclass
                      AND l.granted AND a.datname = current_database()
                      AND a.pid != pg_backend_pid()"""
            )
            for pid, client_port, query in rows:
                if any(query.lstrip().startswith(prefix) for prefix in WRITE_BACK):
                    worker = self.worker_of(client_port)
                    return pid, worker, query.strip()[:80]
            state = self.sql(
                "SELECT state FROM pps_schedule_run WHERE id = %s", (run_id,)
            )
            if state and state[0][0] != "running":
                return None
            time.sleep(0.05)
        return None

    def worker_of(self, client_port):
        """The OS pid of the Odoo worker owning the TCP connection of the
        session (its local port): the session's application_name carries the
        pid of the master, which forked the workers. Only a child of the
        server's master (``--server-pid``) is returned, never the master."""
        inodes = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == client_port:
                    inodes.add(f"socket:[{fields[9]}]")
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                stat = (proc / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid != self.args.server_pid:
                    continue
                for fd in (proc / "fd").iterdir():
                    if os.readlink(fd) in inodes:
                        return int(proc.name)
            except OSError:
                continue
        raise SystemExit(
            f"no worker of server {self.args.server_pid} owns the session's "
            f"connection (port {client_port})"
        )

    def wait_run(self, run_id, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.sql(
                """SELECT r.state, r.message, r.moved_count, j.state, j.retry,
                          j.exc_name
                     FROM pps_schedule_run r
                     LEFT JOIN queue_job j ON j.uuid = r.job_uuid
                    WHERE r.id = %s""",
                (run_id,),
            )[0]
            if row[0] != "running":
                return dict(
                    zip(
                        ["state", "message", "moved", "job_state", "retry", "exc"],
                        row,
                        strict=True,
                    )
                )
            time.sleep(1)
        return {"state": "running", "message": "still running at the time-out"}

    def written_as_run_says(self, run_id, before):
        """'unchanged', 'as the run's lines' or the list of what is half written."""
        after = self.snapshot()
        lines = {
            row[0]: row[1:]
            for row in self.sql(
                """SELECT workorder_id, new_date_start, new_date_finished,
                          new_workcenter_id
                     FROM pps_schedule_run_line
                    WHERE run_id = %s AND workorder_id IS NOT NULL""",
                (run_id,),
            )
        }
        changed = {wo for wo in after if after[wo] != before.get(wo)}
        if not changed:
            return "unchanged", []
        if changed == set(lines) and all(
            after[wo][0] == lines[wo][0] and after[wo][2] == lines[wo][2]
            for wo in changed
        ):
            return "as the run's lines", []
        odd = sorted(changed ^ set(lines))[:10]
        return "half written", odd

    # ----------------------------------------------------------- faults
    def _interrupted_run(self, name, interrupt):
        self.add_work()
        before = self.snapshot()
        run = self.start_run(self.args.time_limit)
        found = self.job_backend(run, self.args.run_timeout)
        result = {"run": run}
        if not found:
            result["note"] = "the run ended before its write-back was seen"
        else:
            backend, worker, query = found
            result["interrupted_in"] = query
            interrupt(backend, worker)
            result["interrupted_at"] = time.strftime("%H:%M:%S")
        end = self.wait_run(run, self.args.run_timeout)
        result["end"] = end
        written, odd = self.written_as_run_says(run, before)
        result["work_orders"] = written
        failures = []
        if odd:
            failures.append(f"work orders half written: {odd}")
        if end["state"] == "running":
            failures.append("the run is still running")
        if end["state"] == "failed" and not (end["message"] or "").strip():
            failures.append("the run failed without a reason")
        if end["state"] == "failed" and written != "unchanged":
            failures.append("a failed run wrote work orders")
        if end["state"] == "done" and written == "unchanged" and end["moved"]:
            failures.append("a done run that moved work orders wrote none")
        result["failures"] = failures
        self.results[name] = result
        return result

    def kill_worker(self):
        def interrupt(_backend, worker):
            os.kill(worker, signal.SIGKILL)

        result = self._interrupted_run("kill_worker", interrupt)
        end = result["end"]
        if "interrupted_in" in result and not (
            (end.get("retry") or 0) >= 1 or end.get("job_state") == "failed"
        ):
            result["failures"].append("the killed job was neither retried nor failed")

    def db_restart(self):
        """PostgreSQL restarted (``--db-restart-command``) while the run's job
        writes back: every connection of the server is cut. The run must end
        failed with a reason, or done once queue_job retried its job, with
        its work orders unchanged or as its lines say; the next run works."""

        def interrupt(_backend, _worker):
            command = shlex.split(self.args.db_restart_command)
            subprocess.run(command, check=True, timeout=120)

        master = self.args.server_pid
        argv = Path(f"/proc/{master}/cmdline").read_bytes().rstrip(b"\0").split(b"\0")

        def interrupt_and_watch(backend, worker):
            interrupt(backend, worker)
            time.sleep(5)
            # Odoo 19's prefork master exits when the database is down while
            # it respawns a worker (check_registries in process_spawn): what a
            # process supervisor does, started again with the same command;
            # queue_job's runner then re-queues the dead job
            if Path(f"/proc/{master}").exists():
                result_server["master"] = "still running"
                return
            server = subprocess.Popen(
                [a.decode() for a in argv],
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self.args.server_pid = server.pid
            if self.args.server_pid_file:
                Path(self.args.server_pid_file).write_text(str(server.pid))
            result_server["master"] = (
                "exited (Odoo 19's master stops when PostgreSQL is down while "
                "it respawns a worker); started again, as a supervisor would"
            )

        result_server = {}
        result = self._interrupted_run("db_restart", interrupt_and_watch)
        result.update(result_server)
        end = result["end"]
        if (
            "interrupted_in" in result
            and end["state"] == "done"
            and not (end.get("retry") or 0) >= 1
        ):
            result["failures"].append("the run ended done but its job was not retried")
        # the next run works (the server's connections come back by themselves)
        self.sql("SELECT 1")
        try:
            after = self.start_run(self.args.time_limit)
            result["next_run"] = self.wait_run(after, self.args.run_timeout)
            if result["next_run"]["state"] != "done":
                result["failures"].append(f"the next run: {result['next_run']}")
        except (lib.Refused, lib.CallError) as error:
            result["failures"].append(f"the next run was refused: {error}")

    def two_previews(self):
        """A new MO, not planned yet: two planners preview its plan (the same
        work orders on the same work centers), then both apply at once."""
        planner = self.client()
        production = planner.call(
            "fault: create an MO",
            "mrp.production",
            "create",
            vals_list=[{"product_id": self.setup["products"][0], "product_qty": 1}],
        )
        planner.call(
            "fault: confirm the MO", "mrp.production", "action_confirm", production
        )
        self.setup["productions"] = self.setup["productions"] + production
        previews, failures = [], []
        for index in range(2):
            try:
                ids = self.client(index=index).call(
                    "fault: preview",
                    "pps.schedule.run",
                    "schedule",
                    productions=production,
                    dry_run=True,
                    time_limit=self.args.preview_time_limit,
                )
                row = self.client(index=index).call(
                    "fault: read the preview",
                    "pps.schedule.run",
                    "read",
                    ids,
                    fields=["state", "moved_count", "message"],
                )[0]
            except (lib.Refused, lib.CallError) as error:
                failures.append(f"preview {index + 1} failed: {error}")
                continue
            previews.append(row)
        result = {"previews": [(p["id"], p["moved_count"]) for p in previews]}
        if len(previews) == 2 and all(p["moved_count"] for p in previews):
            before = self.snapshot()
            barrier = threading.Barrier(2)
            outcomes = [None, None]

            def apply(index):
                client = self.client(index=index)
                barrier.wait()
                try:
                    client.call(
                        "fault: apply a preview",
                        "pps.schedule.run",
                        "action_apply",
                        [previews[index]["id"]],
                    )
                    outcomes[index] = ("applied", "")
                except lib.Refused as refused:
                    outcomes[index] = ("refused", refused.message)
                except lib.CallError as error:
                    outcomes[index] = ("error", str(error))

            threads = [threading.Thread(target=apply, args=(i,)) for i in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(300)
            result["outcomes"] = outcomes
            kinds = sorted(o[0] for o in outcomes if o)
            if kinds != ["applied", "refused"]:
                failures.append(f"expected one applied and one refused: {outcomes}")
            winner = next(
                (
                    p["id"]
                    for p, o in zip(previews, outcomes, strict=True)
                    if o[0] == "applied"
                ),
                None,
            )
            if winner:
                written, odd = self.written_as_run_says(winner, before)
                result["work_orders"] = written
                if written != "as the run's lines":
                    failures.append(f"after the winner: {written} {odd}")
            applied = self.sql(
                "SELECT id FROM pps_schedule_run WHERE id = ANY(%s) AND applied",
                ([p["id"] for p in previews],),
            )
            if len(applied) != 1:
                failures.append(f"applied previews: {applied}")
        elif not failures:
            result["note"] = f"a preview moved nothing: nothing to race on {previews}"
            failures.append(result["note"])
        result["failures"] = failures
        self.results["two_previews"] = result

    def dropped_client(self):
        sales = self.client("sales")
        ids = sales.call(
            "fault: create quotation",
            "sale.order",
            "create",
            vals_list=[
                {
                    "partner_id": self.setup["customers"][0],
                    "client_order_ref": self.setup["tag"],
                    "order_line": [
                        [
                            0,
                            0,
                            {
                                "product_id": self.setup["products"][0],
                                "product_uom_qty": 1,
                            },
                        ]
                    ],
                }
            ],
        )
        order = ids[0]
        self.ledger.write("quotation", order=order, user=sales.login)
        expected = lib.in_days(40)
        # the request, the connection closed 0.2 s after sending it
        body = json.dumps(
            {"ids": [order], "expected_date": expected, "reason": "Dropped client"}
        ).encode()
        host, port = self.setup["base_url"].split("//", 1)[1].split(":")
        request = (
            f"POST /json/2/sale.order/action_pps_request_date HTTP/1.1\r\n"
            f"Host: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {self.setup['sales'][0]['key']}\r\n"
            f"X-Odoo-Database: {self.setup['database']}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        ).encode() + body
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(request)
            time.sleep(0.2)
        # Odoo finishes the request without its client; then the user tries again
        time.sleep(5)
        self.ledger.write("request_unknown", order=order, why="connection dropped")
        result, failures = {"order": order}, []
        try:
            again = sales.call(
                "fault: request again",
                "sale.order",
                "action_pps_request_date",
                [order],
                expected_date=expected,
                reason="Dropped client, again",
            )
            result["retry"] = f"answered: negotiation {again}"
            self.ledger.write("requested", order=order, negotiation=again[0])
        except lib.Refused as refused:
            result["retry"] = f"refused: {refused.message[:200]}"
        except lib.CallError as error:
            failures.append(f"the retry failed: {error}")
        rounds = self.sql(
            "SELECT id, state FROM pps_negotiation WHERE sale_order_id = %s", (order,)
        )
        result["negotiations"] = rounds
        open_rounds = [r for r in rounds if r[1] in ("requested", "answered")]
        if len(open_rounds) != 1:
            failures.append(f"open negotiations on the order: {rounds}, expected one")
        result["failures"] = failures
        self.results["dropped_client"] = result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--setup", required=True)
    parser.add_argument("--conf", required=True)
    parser.add_argument("--ledger", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--time-limit", type=float, default=20)
    parser.add_argument("--preview-time-limit", type=float, default=5)
    parser.add_argument("--run-timeout", type=float, default=600)
    parser.add_argument("--new-mos", type=int, default=40)
    parser.add_argument(
        "--db-restart-command",
        default="pg_ctlcluster 15 main restart",
        help="restarts PostgreSQL (the db_restart fault)",
    )
    parser.add_argument(
        "--server-pid",
        type=int,
        required=True,
        help="pid of the server's master: only its workers are killed",
    )
    parser.add_argument(
        "--server-pid-file",
        help="where the pid of a server started again (db_restart) is written",
    )
    parser.add_argument(
        "faults",
        nargs="*",
        default=["dropped_client", "two_previews", "kill_worker", "db_restart"],
    )
    args = parser.parse_args()
    faults = Faults(args)
    for name in args.faults:
        started = time.monotonic()
        print(f"fault {name} ...", flush=True)
        getattr(faults, name)()
        faults.results[name]["seconds"] = round(time.monotonic() - started, 1)
        print(json.dumps({name: faults.results[name]}, default=str), flush=True)
    faults.results["calls"] = faults.stats.summary()
    Path(args.out).write_text(json.dumps(faults.results, indent=1, default=str))
    failed = [n for n in args.faults if faults.results[n]["failures"]]
    print("faults failed: " + (", ".join(failed) or "none"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
