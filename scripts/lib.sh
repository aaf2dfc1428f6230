# Shared helpers of the run and test commands. Source it; do not execute it.
#
# Environment (all optional):
#   PPS_PYTHON        Python interpreter that has (or will get) Odoo 19; when unset,
#                     the project virtualenv's ($PPS_VENV), created on first use
#   PPS_VENV          the project virtualenv                          [<repo>/.venv]
#   PPS_ODOO_SRC      where upstream Odoo 19.0 is cloned when none is importable
#                     [$HOME/.local/src/odoo-19.0]
#   PPS_DB_HOST/PORT/USER/PASSWORD  PostgreSQL connection of the Odoo role
#                     [127.0.0.1 / 5432 / odoo / odoo]
#   PPS_STATE_DIR     config file, filestore and logs              [<repo>/.odoo]
#   PPS_CONF          the Odoo configuration file written  [$PPS_STATE_DIR/odoo.conf]
#   PPS_WORKERS       0: one process, threads (make run, make test); N >= 2:
#                     Odoo's multi-process mode with N HTTP workers, one cron
#                     thread and queue_job's runner in its own process      [0]
#   PPS_GEVENT_PORT   websocket (bus) port of the multi-process mode  [8072]
#   PPS_JOB_CHANNELS  queue_job channels, e.g. root:2                [root:1]
set -euo pipefail

PPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PPS_VENV="${PPS_VENV:-$PPS_ROOT/.venv}"
PPS_PYTHON="${PPS_PYTHON:-}"
PPS_ODOO_SRC="${PPS_ODOO_SRC:-$HOME/.local/src/odoo-19.0}"
PPS_DB_HOST="${PPS_DB_HOST:-127.0.0.1}"
PPS_DB_PORT="${PPS_DB_PORT:-5432}"
PPS_DB_USER="${PPS_DB_USER:-odoo}"
PPS_DB_PASSWORD="${PPS_DB_PASSWORD:-odoo}"
PPS_STATE_DIR="${PPS_STATE_DIR:-$PPS_ROOT/.odoo}"
PPS_CONF="${PPS_CONF:-$PPS_STATE_DIR/odoo.conf}"
PPS_WORKERS="${PPS_WORKERS:-0}"
PPS_MODULES="pps_coordination,pps_coordination_scheduler"

log() { printf '[pps] %s\n' "$*" >&2; }
die() { printf '[pps] ERROR: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "need root for: $*"
    fi
}

# The interpreter everything runs in. An explicit PPS_PYTHON is used as it is;
# otherwise a virtualenv of the project, so the user's global Python is never
# changed (Odoo pins older cryptography, werkzeug, docutils... than a desktop has).
ensure_python() {
    if [ -n "$PPS_PYTHON" ]; then
        return 0
    fi
    if [ ! -x "$PPS_VENV/bin/python" ]; then
        log "creating the project virtualenv $PPS_VENV"
        python3 -m venv "$PPS_VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    fi
    PPS_PYTHON="$PPS_VENV/bin/python"
}

odoo_importable() {
    "$PPS_PYTHON" -c 'import odoo.release as r, sys; sys.exit(r.version_info[0] != 19)' \
        >/dev/null 2>&1
}

# Odoo 19 must be importable. Use the one Python already has; else install
# upstream 19.0 from its published git source, as Odoo's docs describe.
ensure_odoo() {
    odoo_importable && return 0
    log "Odoo 19 is not importable by $PPS_PYTHON: installing upstream 19.0 into it"
    command -v git >/dev/null || die "Odoo 19 is missing and git is not installed"
    if [ ! -d "$PPS_ODOO_SRC/.git" ]; then
        mkdir -p "$(dirname "$PPS_ODOO_SRC")"
        git clone --depth 1 --branch 19.0 https://github.com/odoo/odoo.git "$PPS_ODOO_SRC" \
            || die "Odoo 19 is not importable and upstream 19.0 could not be cloned (no network?)"
    fi
    if ! dpkg -s libldap2-dev libsasl2-dev libpq-dev >/dev/null 2>&1; then
        as_root apt-get update -qq && as_root apt-get install -y -qq libldap2-dev libsasl2-dev libpq-dev
    fi
    local build_constraints
    build_constraints="$(mktemp)"
    echo 'setuptools<81' >"$build_constraints"
    PIP_CONSTRAINT="$build_constraints" "$PPS_PYTHON" -m pip install -q \
        -r "$PPS_ODOO_SRC/requirements.txt" || die "Odoo 19's Python requirements failed to install"
    PIP_CONSTRAINT="$build_constraints" "$PPS_PYTHON" -m pip install -q --no-deps -e "$PPS_ODOO_SRC" \
        || die "Odoo 19 could not be installed from $PPS_ODOO_SRC"
    rm -f "$build_constraints"
    odoo_importable || die "Odoo 19 still not importable after installing it"
}

# Folder holding Odoo's standard add-ons (sale, mrp, ...) for a source install.
odoo_addons_dir() {
    "$PPS_PYTHON" - <<'PY'
import os, odoo.release as odoo_release
root = os.path.dirname(os.path.dirname(os.path.abspath(odoo_release.__file__)))
cand = os.path.join(root, "addons")
print(cand if os.path.isdir(os.path.join(cand, "mrp")) else "")
PY
}

# Project requirements, constrained by Odoo's own pins (ortools would otherwise
# lift python-dateutil past them).
ensure_requirements() {
    local odoo_req
    odoo_req="$("$PPS_PYTHON" - <<'PY'
import os
try:
    import odoo.release as odoo_release
except ImportError:  # no Odoo yet: the project's requirements alone
    print("")
else:
    root = os.path.dirname(os.path.dirname(os.path.abspath(odoo_release.__file__)))
    p = os.path.join(root, "requirements.txt")
    print(p if os.path.isfile(p) else "")
PY
)"
    local stamp="$PPS_STATE_DIR/requirements.stamp"
    local want
    want="$({ echo "$PPS_PYTHON"; cat "$PPS_ROOT/requirements.txt" "$odoo_req" 2>/dev/null; } | md5sum | cut -d' ' -f1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    log "installing requirements.txt"
    if [ -n "$odoo_req" ]; then
        "$PPS_PYTHON" -m pip install -q -c "$odoo_req" -r "$PPS_ROOT/requirements.txt"
    else
        "$PPS_PYTHON" -m pip install -q -r "$PPS_ROOT/requirements.txt"
    fi
    echo "$want" >"$stamp"
}

# A running PostgreSQL with a non-superuser role that may create databases.
ensure_postgres() {
    if ! command -v pg_lsclusters >/dev/null; then
        log "installing PostgreSQL"
        as_root apt-get update -qq && as_root apt-get install -y -qq postgresql
    fi
    local cluster
    cluster="$(pg_lsclusters --no-header | awk 'NR==1{print $1" "$2}')"
    [ -n "$cluster" ] || die "no PostgreSQL cluster exists (pg_createcluster 15 main)"
    if ! pg_lsclusters --no-header | awk 'NR==1{print $4}' | grep -q online; then
        log "starting PostgreSQL cluster $cluster"
        # shellcheck disable=SC2086
        as_root pg_ctlcluster $cluster start
    fi
    for _ in $(seq 1 30); do
        as_root su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break
        sleep 1
    done
    if ! as_root su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='$PPS_DB_USER'\"" | grep -q 1; then
        log "creating database role $PPS_DB_USER"
        as_root su postgres -c "psql -qc \"create role \\\"$PPS_DB_USER\\\" login createdb nosuperuser password '$PPS_DB_PASSWORD'\""
    fi
}

write_config() {
    mkdir -p "$PPS_STATE_DIR/data" "$(dirname "$PPS_CONF")"
    local addons="$PPS_ROOT"
    local std
    std="$(odoo_addons_dir)"
    [ -n "$std" ] && addons="$addons,$std"
    local port="${PPS_HTTP_PORT:-8069}" processes=""
    case "$PPS_WORKERS" in
        0) ;;
        '' | *[!0-9]* | 1) die "PPS_WORKERS is 0 (one process) or 2 or more (found '$PPS_WORKERS')" ;;
        # Odoo's prefork server (odoo/service/server.py): N HTTP workers, one
        # cron thread, the bus on its own gevent port. queue_job's runner is a
        # process of its own (server_wide_modules) that hands each job to an
        # HTTP worker through /queue_job/runjob on this port: a job holds that
        # worker for its whole run, so limit_time_real must exceed the longest
        # schedule run (a 2,000-MO run: solve 60 s, write-back 30-60 s).
        *) processes="workers = $PPS_WORKERS
max_cron_threads = 1
gevent_port = ${PPS_GEVENT_PORT:-8072}
limit_time_cpu = 600
limit_time_real = 900
limit_time_real_cron = 900
limit_memory_soft = 2147483648
limit_memory_hard = 2684354560
db_maxconn = 32" ;;
    esac
    {
        cat <<CONF
[options]
addons_path = $addons
data_dir = $PPS_STATE_DIR/data
db_host = $PPS_DB_HOST
db_port = $PPS_DB_PORT
db_user = $PPS_DB_USER
db_password = $PPS_DB_PASSWORD
http_interface = 127.0.0.1
http_port = $port
server_wide_modules = base,web,queue_job
list_db = False
log_level = warn
CONF
        [ -z "$processes" ] || echo "$processes"
        cat <<CONF

[queue_job]
channels = ${PPS_JOB_CHANNELS:-root:1}
CONF
        [ -z "$processes" ] || printf 'scheme = http\nhost = 127.0.0.1\nport = %s\n' "$port"
    } >"$PPS_CONF"
}

db_exists() {
    PGPASSWORD="$PPS_DB_PASSWORD" psql -h "$PPS_DB_HOST" -p "$PPS_DB_PORT" -U "$PPS_DB_USER" \
        -d postgres -qtAc "select 1 from pg_database where datname='$1'" | grep -q 1
}

drop_db() {
    PGPASSWORD="$PPS_DB_PASSWORD" dropdb -h "$PPS_DB_HOST" -p "$PPS_DB_PORT" -U "$PPS_DB_USER" \
        --if-exists --force "$1"
    rm -rf "$PPS_STATE_DIR/data/filestore/$1"
}

# Install the add-ons in database $1, or update them when already installed.
# Extra arguments go to odoo-bin. PPS_DB_MODULES: the add-ons, when not both.
install_or_update() {
    local target="$1" modules="${PPS_DB_MODULES:-$PPS_MODULES}" wanted installed
    shift
    wanted="$(tr ',' '\n' <<<"$modules" | wc -l)"
    installed="$(PGPASSWORD="$PPS_DB_PASSWORD" psql -h "$PPS_DB_HOST" -p "$PPS_DB_PORT" \
        -U "$PPS_DB_USER" -d "$target" -qtAc \
        "select count(*) from ir_module_module where state = 'installed' and name = any(string_to_array('$modules', ','))" 2>/dev/null || echo 0)"
    if [ "$installed" = "$wanted" ]; then
        odoo_bin -c "$PPS_CONF" -d "$target" -u "$modules" --stop-after-init "$@"
    else
        odoo_bin -c "$PPS_CONF" -d "$target" -i "$modules" --stop-after-init "$@"
    fi
}

odoo_bin() {
    "$PPS_PYTHON" -m odoo "$@"
}

# A script file that starts Odoo, for the multi-process server: its master
# starts the bus process as ``sys.executable sys.argv[0] gevent``, which
# ``python -m odoo`` cannot be (a package's __main__.py run as a file).
odoo_script() {
    local script
    script="$(dirname "$PPS_PYTHON")/odoo"
    if [ ! -f "$script" ]; then
        script="$("$PPS_PYTHON" -c 'import os, odoo.release as r; print(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(r.__file__))), "odoo-bin"))')"
    fi
    [ -f "$script" ] || die "no odoo launcher script next to $PPS_PYTHON nor odoo-bin in the Odoo source"
    echo "$script"
}

# Build the web client's asset bundles of a database once, committed. Browser
# tests otherwise build them inside their own test transaction, which is rolled
# back after each test class: every class paid for them again, and on a loaded
# machine the first request held the test cursor past Odoo's 20 s lock timeout.
warm_assets() {
    log "building the web client's asset bundles of $1"
    odoo_bin shell -c "$PPS_CONF" -d "$1" --no-http >/dev/null <<'PY'
for name in ("web.assets_web", "web.assets_tests"):
    bundle = env["ir.qweb"]._get_asset_bundle(name)
    bundle.js()
    bundle.css()
env.cr.commit()
PY
}

# wkhtmltopdf prints Odoo's PDF reports; without it Odoo falls back to HTML.
# Debian's package is installed when it is missing and root (or sudo) is at
# hand; otherwise the command to run is printed and setup goes on. Debian's
# build uses an unpatched Qt: it ignores Odoo's separate header and footer
# files, so the add-on's reports print the company header and footer inside
# the page (ir.actions.report._prepare_html of pps_coordination).
ensure_wkhtmltopdf() {
    command -v wkhtmltopdf >/dev/null && return 0
    if ! command -v apt-get >/dev/null; then
        log "wkhtmltopdf is missing: install version 0.12.6 to print PDF reports (without it Odoo shows them as HTML)"
        return 0
    fi
    if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null; then
        log "wkhtmltopdf is missing: run 'apt-get install wkhtmltopdf' as root to print PDF reports (without it Odoo shows them as HTML)"
        return 0
    fi
    log "installing Debian's wkhtmltopdf for the PDF reports"
    if ! { as_root apt-get update -qq && as_root apt-get install -y -qq wkhtmltopdf; }; then
        log "wkhtmltopdf could not be installed: run 'apt-get install wkhtmltopdf' as root to print PDF reports"
    fi
}

prepare() {
    ensure_python
    ensure_odoo
    ensure_postgres
    mkdir -p "$PPS_STATE_DIR"
    ensure_requirements
    ensure_wkhtmltopdf
    write_config
}
