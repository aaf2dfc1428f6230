#!/usr/bin/env bash
# All benchmarks: the engine (job-shop and factory instances) and the scheduler
# inside Odoo. Results: bench/results/{engine,odoo}.{md,json}.
# Usage: scripts/bench.sh [--quick]   (--quick: minutes instead of hours)
source "$(dirname "$0")/lib.sh"

prepare
"$PPS_PYTHON" -m pip install -q --no-deps -r "$PPS_ROOT/bench/requirements.txt"
cd "$PPS_ROOT"
if [ "${1:-}" = "--quick" ]; then
    "$PPS_PYTHON" bench/engine/run.py --quick
    "$PPS_PYTHON" bench/odoo/run.py --sizes 100,500 --time-limit 20
else
    "$PPS_PYTHON" bench/engine/run.py
    "$PPS_PYTHON" bench/odoo/run.py --sizes 100,500,2000 --time-limit 60
fi
