#!/usr/bin/env bash
# The scheduling engine's pure tests: no Odoo, no database. Uses the project
# virtualenv (created with the engine's requirements when missing) or PPS_PYTHON.
# Usage: scripts/test_engine.sh [pytest args...]
source "$(dirname "$0")/lib.sh"

ensure_python
ensure_requirements
cd "$PPS_ROOT"
"$PPS_PYTHON" -m pytest -p no:odoo -p no:cacheprovider "${@:-tests/engine}"
