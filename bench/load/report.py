#!/usr/bin/env python3
"""bench/results/load.md and load.json from one bench/load/run.sh run."""

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Call types that are not a user's screen waiting: left out of the
#: "p95 under 1 s" figure (each is also shown with its own percentiles).
NOT_INTERACTIVE = {"planner: dry run", "planner: start the background run"}


def machine():
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def commit():
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def worst_p95(calls, interactive_only):
    return max(
        (
            row["p95"]
            for name, row in calls.items()
            if not (interactive_only and name in NOT_INTERACTIVE)
        ),
        default=0.0,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--template", default="pps_bench_2000")
    parser.add_argument("--md", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("rounds", nargs="+")
    args = parser.parse_args()
    folder = Path(args.dir)
    rounds = [json.loads(Path(p).read_text()) for p in args.rounds]
    checks = {
        r["users"]: json.loads((folder / f"check_{r['users']}.json").read_text())
        for r in rounds
        if (folder / f"check_{r['users']}.json").exists()
    }
    final = folder / "check_final.json"
    final = json.loads(final.read_text()) if final.exists() else None
    faults = folder / "faults.json"
    faults = json.loads(faults.read_text()) if faults.exists() else {}
    setup = json.loads((folder / "setup.json").read_text())
    lines = [
        "# Load and faults on a multi-process server",
        "",
        (
            f"Run of {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, commit "
            f"{commit()}, `bench/load/run.sh`. Machine: {machine()}; shared with other "
            "jobs (the 1-minute load average at the start, when the background run "
            "started and at the end of each round is given). Server: Odoo 19 in "
            "multi-process mode (`scripts/run.sh --workers 3` settings: 3 HTTP "
            "workers, 1 cron thread, queue_job's runner, channel root:1), on "
            f"127.0.0.1; database a copy of `{args.template}` "
            f"({len(setup['productions'])} open MOs). Clients: locust, JSON-2 "
            "(`/json/2/<model>/<method>`, API keys), salespeople (create a "
            "quotation, quote a date, request it, wait for the answer, agree) and "
            "planners (list requests, answer one, open the board of one work "
            "center and week, move a card, a dry run every third cycle, 2 s "
            "solve); 0.5-2 s think time; a re-plan of every open MO (30 s solve) "
            "started 30 s into each round, a queue_job job."
        ),
        "",
        (
            "Latencies in seconds; *refused*: a clear Odoo error the user gets "
            "(e.g. a dry run while the background run holds the company's "
            "schedule, a round another planner answered first); *error*: "
            "anything else (5xx, connection reset, time-out)."
        ),
        "",
    ]
    under = [
        r["users"] for r in rounds if worst_p95(r["calls"], interactive_only=True) < 1.0
    ]
    for r in rounds:
        background = r.get("background", {})
        end = background.get("end") or {}
        lines += [
            (
                f"## {r['users']} users ({r['sales']} salespeople, {r['planners']} "
                f"planners), {int(r['duration_s'])} s"
            ),
            "",
            f"Load average {' / '.join(str(x) for x in r['load_avg'])}; wall "
            f"{r['wall_s']} s; background run: "
            + (
                f"{end.get('state')} after {background.get('ended_after_s')} s "
                f"({end.get('moved_count', 0)} work orders moved)"
                + (f", {end.get('message')}" if end.get("state") == "failed" else "")
                if end
                else background.get("error", "not started")
            ),
            "",
            "| call | n | ok | refused | error | p50 | p95 | p99 | max |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name, row in r["calls"].items():
            lines.append(
                f"| {name} | {row['count']} | {row['ok']} | {row['refused']} | "
                f"{row['error']} | {row['p50']:.2f} | {row['p95']:.2f} | "
                f"{row['p99']:.2f} | {row['max']:.2f} |"
            )
        reasons = {
            f"{name}: {why}": count
            for name, row in r["calls"].items()
            for why, count in row["why"].items()
        }
        if reasons:
            lines += ["", "Refusals and errors (most frequent):", ""]
            lines += [f"- {count} x {why}" for why, count in reasons.items()]
        check = checks.get(r["users"])
        if check:
            lines += [
                "",
                "Checks after the round: "
                + (
                    "all true"
                    if check["ok"]
                    else "FAILED: " + "; ".join(check["failures"])
                )
                + f" ({json.dumps(check['facts'])})",
            ]
        lines.append("")
    lines += [
        "## p95 under 1 s",
        "",
        (
            f"Every interactive call type (all but the dry run and the start of "
            f"the background run) has its p95 under 1 s up to "
            f"**{max(under)} users** on this machine."
            if under
            else "No round kept every interactive call type's p95 under 1 s on "
            "this machine; the slowest types are in the tables above."
        ),
        "",
        "| users | worst p95, interactive calls | worst p95, all calls |",
        "|---|---|---|",
    ]
    lines += [
        f"| {r['users']} | {worst_p95(r['calls'], True):.2f} | "
        f"{worst_p95(r['calls'], False):.2f} |"
        for r in rounds
    ]
    lines += ["", "## Faults", ""]
    descriptions = {
        "dropped_client": "a client drops its connection 0.2 s into a date request, "
        "then sends it again",
        "two_previews": "two planners apply two previews of the same work centers "
        "at the same moment",
        "kill_worker": "the HTTP worker running the background job is killed "
        "(SIGKILL) in the run's write-back",
        "db_restart": "PostgreSQL restarted (`pg_ctlcluster 15 main restart`) in "
        "the run's write-back: every session of the cluster cut, other users' "
        "too",
    }
    for name, result in faults.items():
        if name == "calls":
            continue
        detail = {k: v for k, v in result.items() if k not in ("failures",)}
        lines += [
            f"- **{name}** ({descriptions.get(name, '')}): "
            + (
                "checks true"
                if not result["failures"]
                else "FAILED: " + "; ".join(result["failures"])
            )
            + f". `{json.dumps(detail, default=str)[:900]}`",
        ]
    if final:
        lines += [
            "",
            "Checks at the end: "
            + ("all true" if final["ok"] else "FAILED: " + "; ".join(final["failures"]))
            + f" ({json.dumps(final['facts'])})",
        ]
    Path(args.md).write_text("\n".join(lines) + "\n")
    Path(args.json).write_text(
        json.dumps(
            {"rounds": rounds, "checks": checks, "faults": faults, "final": final},
            indent=1,
            default=str,
        )
    )
    print(f"written {args.md}")


if __name__ == "__main__":
    main()
