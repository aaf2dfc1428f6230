#!/usr/bin/env bash
# Bring up Odoo 19 with both add-ons and the demo factory on http://127.0.0.1:8069.
# First run: creates database pps_demo with demo data. Later runs: update the modules.
# Usage: scripts/run.sh [--no-serve] [--workers N]
#   PPS_DEMO_DB overrides the database name. --workers N (N >= 2, or
#   PPS_WORKERS=N) serves in Odoo's multi-process mode: N HTTP workers, one
#   cron thread, the bus on PPS_GEVENT_PORT (8072) and queue_job's runner in a
#   process of its own, which runs the scheduler's background runs.
source "$(dirname "$0")/lib.sh"

db="${PPS_DEMO_DB:-pps_demo}"
serve=1
while [ $# -gt 0 ]; do
    case "$1" in
        --no-serve) serve=0 ;;
        --workers)
            [ $# -ge 2 ] || die "--workers needs a number (2 or more)"
            PPS_WORKERS="$2"
            shift
            ;;
        --workers=*) PPS_WORKERS="${1#--workers=}" ;;
        *) die "unknown argument $1 (scripts/run.sh [--no-serve] [--workers N])" ;;
    esac
    shift
done
prepare
if db_exists "$db"; then
    log "updating $PPS_MODULES in existing database $db"
    install_or_update "$db" --with-demo
else
    log "creating database $db with $PPS_MODULES and their demo data"
    odoo_bin -c "$PPS_CONF" -d "$db" -i "$PPS_MODULES" --with-demo --stop-after-init
fi
if [ "$serve" = 0 ]; then
    log "database $db is ready"
    exit 0
fi
[ "$PPS_WORKERS" = 0 ] || log "multi-process mode: $PPS_WORKERS HTTP workers, 1 cron thread, queue_job runner (channels ${PPS_JOB_CHANNELS:-root:1})"
log "Odoo is starting: open http://127.0.0.1:${PPS_HTTP_PORT:-8069}/web/login (admin / admin)"
if [ "$PPS_WORKERS" = 0 ]; then
    exec "$PPS_PYTHON" -m odoo -c "$PPS_CONF" -d "$db" --db-filter="^$db\$"
fi
exec "$PPS_PYTHON" "$(odoo_script)" -c "$PPS_CONF" -d "$db" --db-filter="^$db\$"
