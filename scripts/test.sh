#!/usr/bin/env bash
# Run the whole test suite: engine tests (plain pytest) and Odoo tests (pytest-odoo)
# against a fresh database without demo data, installing the modules once per run.
# Usage: scripts/test.sh [pytest args...]   (PPS_TEST_DB overrides the database name)
source "$(dirname "$0")/lib.sh"

db="${PPS_TEST_DB:-pps_test}"
prepare
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    log "installing Debian's chromium for the browser tests"
    as_root apt-get update -qq && as_root apt-get install -y -qq chromium
fi
if [ "${PPS_TEST_REUSE_DB:-0}" = 1 ] && db_exists "$db"; then
    log "reusing test database $db (PPS_TEST_REUSE_DB=1): updating $PPS_MODULES"
    install_or_update "$db"
else
    drop_db "$db"
    log "creating test database $db with $PPS_MODULES (no demo data)"
    odoo_bin -c "$PPS_CONF" -d "$db" -i "$PPS_MODULES" --stop-after-init
fi
cd "$PPS_ROOT"
set +e
"$PPS_PYTHON" -m pytest --odoo-config="$PPS_CONF" --odoo-database="$db" --odoo-http \
    --odoo-log-level=warn "${@:-tests}"
rc=$?
set -e
if [ "$rc" = 5 ]; then
    die "pytest collected no test"
fi
exit "$rc"
