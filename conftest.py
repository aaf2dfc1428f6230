"""Shared pytest configuration.

The Odoo suites here live outside the add-on folders, so Odoo's test metaclass
does not tag them (it only tags classes under ``odoo.addons.*``). Give every
Odoo test case the tags Odoo would have given it. The engine's suite runs
without Odoo (``pytest -p no:odoo tests/engine``), so Odoo is optional here.
"""

try:
    from odoo.tests import common as odoo_common
except ImportError:  # pragma: no cover - engine-only environment
    odoo_common = None

if odoo_common is not None:
    odoo_common.BaseCase.test_tags = frozenset({"standard", "at_install"})
    odoo_common.BaseCase.test_module = "pps_coordination"

try:
    from hypothesis import settings as hypothesis_settings
except ImportError:  # pragma: no cover
    hypothesis_settings = None

if hypothesis_settings is not None:
    # Property tests explore the same examples on every run: CI stays
    # reproducible, and a failure found once is found again.
    hypothesis_settings.register_profile("pps", derandomize=True, database=None)
    hypothesis_settings.load_profile("pps")
