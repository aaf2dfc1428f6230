# Shared steps of bench/load/run.sh and bench/load/ci.sh. Source it after
# scripts/lib.sh. A server of the multi-process mode on its own database and
# configuration file; load_cleanup (on exit) stops it and drops the database.
#
#   PPS_LOAD_PORT / PPS_LOAD_GEVENT_PORT  HTTP and bus ports     [8169 / 8172]
#   PPS_LOAD_WORKERS                      HTTP workers           [3]
#   PPS_LOAD_KEEP=1                       keep the database and the run folder
LOAD_DIR="$PPS_ROOT/bench/load"
PPS_LOAD_PORT="${PPS_LOAD_PORT:-8169}"
PPS_LOAD_GEVENT_PORT="${PPS_LOAD_GEVENT_PORT:-8172}"
load_pid="" load_db="" load_out="" load_pidfile=""

# The configuration of the load server: the multi-process mode on its ports.
load_config() {
    PPS_CONF="$PPS_STATE_DIR/load_$1.conf" PPS_WORKERS="${PPS_LOAD_WORKERS:-3}" \
        PPS_HTTP_PORT="$PPS_LOAD_PORT" PPS_GEVENT_PORT="$PPS_LOAD_GEVENT_PORT" \
        PPS_JOB_CHANNELS="${PPS_JOB_CHANNELS:-root:1}" write_config
    echo "$PPS_STATE_DIR/load_$1.conf"
}

load_start_server() {
    local db="$1" conf="$2" log="$3"
    if curl -s -o /dev/null "http://127.0.0.1:$PPS_LOAD_PORT/web/health"; then
        die "port $PPS_LOAD_PORT is busy: set PPS_LOAD_PORT"
    fi
    log "starting the multi-process server on 127.0.0.1:$PPS_LOAD_PORT ($db, log $log)"
    setsid "$PPS_PYTHON" "$(odoo_script)" -c "$conf" -d "$db" --db-filter="^$db\$" \
        --logfile="$log" --log-handler=odoo.addons.queue_job:INFO \
        --log-handler=odoo.addons.pps_coordination_scheduler.models.pps_schedule_run:WARNING \
        >"$log.stdout" 2>&1 &
    load_pid=$!
    for _ in $(seq 1 120); do
        if curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PPS_LOAD_PORT/web/health" \
            | grep -q 200; then
            # queue_job's runner may connect a moment later: a background
            # run waits in its queue until then (drive.py waits for its end)
            return 0
        fi
        kill -0 "$load_pid" 2>/dev/null || die "the server stopped: see $log"
        sleep 1
    done
    die "the server did not answer within 120 s: see $log"
}

# Stop the server: its master, workers, runner and gevent process (one group).
load_stop_server() {
    # a server faults.py started again after the db_restart fault
    if [ -n "$load_pidfile" ] && [ -s "$load_pidfile" ]; then
        local again
        again="$(cat "$load_pidfile")"
        kill -TERM -- "-$again" 2>/dev/null || true
        for _ in $(seq 1 30); do
            kill -0 -- "-$again" 2>/dev/null || break
            sleep 1
        done
        kill -KILL -- "-$again" 2>/dev/null || true
        rm -f "$load_pidfile"
    fi
    [ -n "$load_pid" ] || return 0
    kill -TERM -- "-$load_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do
        kill -0 -- "-$load_pid" 2>/dev/null || break
        sleep 1
    done
    kill -KILL -- "-$load_pid" 2>/dev/null || true
    load_pid=""
}

load_cleanup() {
    local status=$?
    load_stop_server
    if [ "${PPS_LOAD_KEEP:-0}" != 1 ]; then
        [ -z "$load_db" ] || drop_db "$load_db" || true
        rm -f "$PPS_STATE_DIR/load_$load_db.conf"
    fi
    exit "$status"
}

# Database $1 with both add-ons, up to date: a copy of template $2 when given
# (updated, unless $3 is "fresh": the template was just installed).
load_prepare_db() {
    local db="$1" template="${2:-}" fresh="${3:-}"
    load_db="$db"
    drop_db "$db"
    if [ -n "$template" ]; then
        db_exists "$template" || die "database $template does not exist (bench/odoo/run.py --sizes 2000 builds it)"
        log "copying $template to $db"
        PGPASSWORD="$PPS_DB_PASSWORD" createdb -h "$PPS_DB_HOST" -p "$PPS_DB_PORT" \
            -U "$PPS_DB_USER" -T "$template" "$db"
        [ "$fresh" = fresh ] || install_or_update "$db" --no-http
    else
        log "creating $db with $PPS_MODULES (no demo data)"
        odoo_bin -c "$PPS_CONF" -d "$db" -i "$PPS_MODULES" --stop-after-init --no-http
    fi
}

odoo_side() {
    "$PPS_PYTHON" "$LOAD_DIR/odoo_side.py" "$@"
}
