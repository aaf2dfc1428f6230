#!/usr/bin/env bash
# The scheduling engine's pure tests (pps_coordination_scheduler/tests/engine):
# plain pytest, no Odoo server, no database. They import the engine as
# odoo.addons.pps_coordination_scheduler.engine, so Odoo 19 must be importable
# (installed when missing, as for the other commands); the repository's
# conftest.py sets Odoo's addons path. Uses the project virtualenv or PPS_PYTHON.
# Usage: scripts/test_engine.sh [pytest args...]
source "$(dirname "$0")/lib.sh"

ensure_python
ensure_odoo
ensure_requirements
cd "$PPS_ROOT"
"$PPS_PYTHON" -m pytest -p no:odoo -p no:cacheprovider "${@:-pps_coordination_scheduler/tests/engine}"
