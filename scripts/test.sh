#!/usr/bin/env bash
# Run the test suites of both add-ons with pytest-odoo, each on the database it
# needs, created fresh without demo data (modules installed once per run):
#   ${PPS_TEST_DB}_coordination  pps_coordination only  <- pps_coordination/tests
#                                (its own hooks run, not the scheduler's overrides)
#   ${PPS_TEST_DB}               both add-ons           <- pps_coordination_scheduler/tests
#                                (the engine's pure tests in tests/engine included)
# Both runs go to the end; the exit status is non-zero when either fails.
# Usage: scripts/test.sh [pytest args...] [paths...]
#   Paths (files, folders, node ids) run on the database of their add-on; only
#   the databases the paths need are prepared. Other arguments go to every run.
#   PPS_TEST_DB overrides the database name (pps_test); PPS_TEST_REUSE_DB=1
#   updates existing databases instead of recreating them.
# Last, when the whole suite runs (no path given) or PPS_TEST_LOAD=1: the
# CI-sized load test on a multi-process server (bench/load/ci.sh, about
# 3 minutes, database ${PPS_TEST_DB}_load copied from ${PPS_TEST_DB}, removed
# after; ports PPS_LOAD_PORT / PPS_LOAD_GEVENT_PORT, 8169 / 8172).
# PPS_TEST_LOAD=0 leaves it out.
source "$(dirname "$0")/lib.sh"

COORDINATION=pps_coordination
SCHEDULER=pps_coordination_scheduler
full_db="${PPS_TEST_DB:-pps_test}"
coordination_db="${full_db}_coordination"

# Sort the arguments: paths by add-on, the rest (options) for every run.
root="$(realpath "$PPS_ROOT")"
options=() coordination_paths=() scheduler_paths=()
for arg in "$@"; do
    file="${arg%%::*}"
    if [[ "$arg" == -* ]] || [ ! -e "$file" ]; then
        options+=("$arg")
        continue
    fi
    path="$(realpath --relative-to="$root" "$file")${arg#"$file"}"
    case "$path" in
        "$SCHEDULER"/* | "$SCHEDULER") scheduler_paths+=("$path") ;;
        "$COORDINATION"/* | "$COORDINATION") coordination_paths+=("$path") ;;
        *) die "$arg is not inside $COORDINATION/ or $SCHEDULER/: which database would it need?" ;;
    esac
done
if [ ${#coordination_paths[@]} = 0 ] && [ ${#scheduler_paths[@]} = 0 ]; then
    coordination_paths=("$COORDINATION/tests")
    scheduler_paths=("$SCHEDULER/tests")
    PPS_TEST_LOAD="${PPS_TEST_LOAD:-1}"
fi

# A database with the given add-ons: recreated, or updated with PPS_TEST_REUSE_DB=1.
prepare_db() {
    local db="$1" modules="$2"
    if [ "${PPS_TEST_REUSE_DB:-0}" = 1 ] && db_exists "$db"; then
        log "reusing test database $db (PPS_TEST_REUSE_DB=1): updating $modules"
        PPS_DB_MODULES="$modules" install_or_update "$db"
    else
        drop_db "$db"
        log "creating test database $db with $modules (no demo data)"
        odoo_bin -c "$PPS_CONF" -d "$db" -i "$modules" --stop-after-init
    fi
    warm_assets "$db"
}

prepare
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    log "installing Debian's chromium for the browser tests"
    as_root apt-get update -qq && as_root apt-get install -y -qq chromium
fi
# Databases first, then the two runs, so that pytest's summary ends the output.
[ ${#coordination_paths[@]} = 0 ] || prepare_db "$coordination_db" "$COORDINATION"
[ ${#scheduler_paths[@]} = 0 ] || prepare_db "$full_db" "$PPS_MODULES"

cd "$PPS_ROOT"
status=0 empty=() ran=0
run_pytest() {
    local db="$1" rc
    shift
    log "pytest on $db: $*"
    set +e
    "$PPS_PYTHON" -m pytest --odoo-config="$PPS_CONF" --odoo-database="$db" --odoo-http \
        --odoo-log-level=warn "${options[@]}" "$@"
    rc=$?
    set -e
    if [ "$rc" = 5 ]; then
        empty+=("$*")
    else
        ran=1
        [ "$rc" = 0 ] || status="$rc"
    fi
}
[ ${#coordination_paths[@]} = 0 ] || run_pytest "$coordination_db" "${coordination_paths[@]}"
[ ${#scheduler_paths[@]} = 0 ] || run_pytest "$full_db" "${scheduler_paths[@]}"
# Nothing collected is an error, unless options (-k, -m...) emptied one run
# while the other ran tests.
if [ ${#empty[@]} != 0 ] && { [ ${#options[@]} = 0 ] || [ "$ran" = 0 ]; }; then
    die "pytest collected no test in: ${empty[*]}"
fi
if [ "${PPS_TEST_LOAD:-0}" = 1 ]; then
    log "the CI-sized load test on a multi-process server (bench/load/ci.sh)"
    template=""
    [ ${#scheduler_paths[@]} = 0 ] || template="$full_db"
    PPS_LOAD_TEMPLATE="$template" PPS_LOAD_CI_DB="${full_db}_load" \
        "$PPS_ROOT/bench/load/ci.sh" || status=1
fi
exit "$status"
