"""Make the pure engine importable as ``engine`` without Odoo.

The engine lives in the add-on folder ``pps_coordination_scheduler/engine``;
putting that add-on folder first on ``sys.path`` lets these plain pytest
tests ``import engine`` whether pytest runs alone or under pytest-odoo.
"""

import sys
from pathlib import Path

ADDON = Path(__file__).resolve().parents[2] / "pps_coordination_scheduler"
if str(ADDON) not in sys.path:
    sys.path.insert(0, str(ADDON))
