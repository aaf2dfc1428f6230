#!/usr/bin/env bash
# Bring up Odoo 19 with both add-ons and the demo factory on http://127.0.0.1:8069.
# First run: creates database pps_demo with demo data. Later runs: update the modules.
# Usage: scripts/run.sh [--no-serve]    (PPS_DEMO_DB overrides the database name)
source "$(dirname "$0")/lib.sh"

db="${PPS_DEMO_DB:-pps_demo}"
prepare
if db_exists "$db"; then
    log "updating $PPS_MODULES in existing database $db"
    install_or_update "$db" --with-demo
else
    log "creating database $db with $PPS_MODULES and their demo data"
    odoo_bin -c "$PPS_CONF" -d "$db" -i "$PPS_MODULES" --with-demo --stop-after-init
fi
if [ "${1:-}" = "--no-serve" ]; then
    log "database $db is ready"
    exit 0
fi
log "Odoo is starting: open http://127.0.0.1:${PPS_HTTP_PORT:-8069}/web/login (admin / admin)"
exec "$PPS_PYTHON" -m odoo -c "$PPS_CONF" -d "$db" --db-filter="^$db\$"
