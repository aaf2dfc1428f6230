#!/usr/bin/env bash
# The CI-sized load test (scripts/test.sh runs it last): a small plant (70 MOs,
# ~380 work orders: a re-plan of all of them is a background job), the
# multi-process server, 4 users for 40 s with the standard-library runner, a
# background run started 10 s in, then two faults (two planners applying two
# previews at once, a client dropping its connection mid-request) and the
# consistency checks (bench/load/odoo_side.py check). Fails when a check fails
# or a call ends in an error that is not a clear Odoo refusal. Cleans up its
# server and database. About 3 minutes.
#   PPS_LOAD_CI_DB [${PPS_TEST_DB:-pps_test}_load], PPS_LOAD_TEMPLATE: a
#   database with both add-ons to copy instead of installing them.
source "$(dirname "$0")/../../scripts/lib.sh"
source "$(dirname "$0")/common.sh"

db="${PPS_LOAD_CI_DB:-${PPS_TEST_DB:-pps_test}_load}"
out="$PPS_STATE_DIR/load_ci"
rm -rf "$out" && mkdir -p "$out"
prepare
trap load_cleanup EXIT
trap "exit 130" INT TERM
load_prepare_db "$db" "${PPS_LOAD_TEMPLATE:-}" "${PPS_LOAD_TEMPLATE:+fresh}"
odoo_side build -c "$PPS_CONF" -d "$db" --mos 70 --time-limit 5
conf="$(load_config "$db")"
load_start_server "$db" "$conf" "$out/server.log"
odoo_side setup -c "$conf" -d "$db" --out "$out/setup.json" --sales 3 --planners 2 \
    --base-url "http://127.0.0.1:$PPS_LOAD_PORT"
status=0
"$PPS_PYTHON" "$LOAD_DIR/drive.py" --setup "$out/setup.json" --ledger "$out/ledger.jsonl" \
    --out "$out/round.json" --users 4 --duration 40 --max-cycles 15 --runner threads \
    --background-at 10 --background-time-limit 10 --run-timeout 120 || status=1
"$PPS_PYTHON" "$LOAD_DIR/faults.py" --setup "$out/setup.json" --conf "$conf" \
    --ledger "$out/ledger.jsonl" --out "$out/faults.json" --preview-time-limit 3 \
    --run-timeout 120 --server-pid "$load_pid" two_previews dropped_client || status=1
odoo_side check -c "$conf" -d "$db" --setup "$out/setup.json" --ledger "$out/ledger.jsonl" \
    --out "$out/check.json" >"$out/check.txt" || status=1
"$PPS_PYTHON" - "$out/round.json" "$out/check.json" <<'PY' || status=1
import json, sys
round_, check = (json.load(open(p)) for p in sys.argv[1:3])
errors = {k: v["why"] for k, v in round_["calls"].items() if v["error"]}
run = (round_["background"].get("end") or {})
print(f"[pps] load (CI): {sum(v['count'] for v in round_['calls'].values())} calls, "
      f"background run {run.get('state', round_['background'])}, checks "
      f"{'passed' if check['ok'] else 'FAILED'}")
for failure in check["failures"]:
    print(f"[pps]   check failed: {failure}")
for name, why in errors.items():
    print(f"[pps]   errors in {name}: {why}")
if not round_["background"].get("run"):
    print("[pps]   the background run did not start")
sys.exit(0 if check["ok"] and not errors and run.get("state") in ("done", "failed") else 1)
PY
[ "$status" = 0 ] || log "the CI-sized load test FAILED: see $out"
exit "$status"
