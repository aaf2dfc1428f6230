#!/usr/bin/env bash
# The full load and fault benchmark on a multi-process server (make bench-load).
#
# A copy of pps_bench_2000 (2,000 MOs, 11,300 work orders: bench/odoo/run.py
# builds it) as pps_load, both add-ons updated; the server in multi-process
# mode (3 HTTP workers, a cron thread, queue_job's runner); load users with
# API keys; then, for each user count, one bounded locust round (salespeople
# and planners, see bench/load/lib.py) with a re-plan of the 2,000 MOs started
# 30 s in as a background job, and the consistency checks; then the four
# faults (bench/load/faults.py). Results: bench/results/load.md and load.json.
#
# Usage: bench/load/run.sh            (about 15-20 minutes on 2 cores)
#   PPS_LOAD_USERS    user counts of the rounds                    [2,5,10]
#   PPS_LOAD_SECONDS  length of a round                            [120]
#   PPS_LOAD_DB / PPS_LOAD_TEMPLATE                 [pps_load / pps_bench_2000]
#   PPS_LOCUST_VENV   virtualenv of locust (created on first use)
#                     [$PPS_STATE_DIR/locust-venv]
#   PPS_LOAD_FAULTS   the faults to run [dropped_client two_previews kill_worker db_restart]
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/common.sh"

db="${PPS_LOAD_DB:-pps_load}"
template="${PPS_LOAD_TEMPLATE:-pps_bench_2000}"
users="${PPS_LOAD_USERS:-2,5,10}"
seconds="${PPS_LOAD_SECONDS:-120}"
faults="${PPS_LOAD_FAULTS:-dropped_client two_previews kill_worker db_restart}"
out="$PPS_STATE_DIR/load_run"
venv="${PPS_LOCUST_VENV:-$PPS_STATE_DIR/locust-venv}"
rm -rf "$out" && mkdir -p "$out"

prepare
if [ ! -x "$venv/bin/locust" ]; then
    log "installing locust into $venv (bench/load/requirements.txt)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r "$LOAD_DIR/requirements.txt"
fi
trap load_cleanup EXIT
trap "exit 130" INT TERM
load_prepare_db "$db" "$template"
conf="$(load_config "$db")"
load_start_server "$db" "$conf" "$out/server.log"
load_pidfile="$out/server_again.pid"
odoo_side setup -c "$conf" -d "$db" --out "$out/setup.json" --sales 10 --planners 5 \
    --base-url "http://127.0.0.1:$PPS_LOAD_PORT"
status=0 rounds=()
for count in ${users//,/ }; do
    log "round: $count users, $seconds s, the 2,000-MO background run 30 s in"
    "$PPS_PYTHON" "$LOAD_DIR/drive.py" --setup "$out/setup.json" --ledger "$out/ledger.jsonl" \
        --out "$out/round_$count.json" --users "$count" --duration "$seconds" \
        --max-cycles 40 --runner locust --locust "$venv/bin/locust" \
        --background-at 30 --background-time-limit 30 --run-timeout 900 || status=1
    odoo_side check -c "$conf" -d "$db" --setup "$out/setup.json" \
        --ledger "$out/ledger.jsonl" --out "$out/check_$count.json" >/dev/null || status=1
    rounds+=("$out/round_$count.json")
done
# shellcheck disable=SC2086
"$PPS_PYTHON" "$LOAD_DIR/faults.py" --setup "$out/setup.json" --conf "$conf" \
    --ledger "$out/ledger.jsonl" --out "$out/faults.json" --time-limit 30 --server-pid "$load_pid" \
    --run-timeout 900 --server-pid-file "$load_pidfile" $faults || status=1
odoo_side check -c "$conf" -d "$db" --setup "$out/setup.json" --ledger "$out/ledger.jsonl" \
    --out "$out/check_final.json" >/dev/null || status=1
"$PPS_PYTHON" "$LOAD_DIR/report.py" --dir "$out" --template "$template" \
    --md "$PPS_ROOT/bench/results/load.md" --json "$PPS_ROOT/bench/results/load.json" \
    "${rounds[@]}"
[ "$status" = 0 ] || log "a check failed: see bench/results/load.md and $out"
exit "$status"
