"""pytest configuration: the add-ons' tests, with or without pytest-odoo.

The tests live inside the add-ons (``<add-on>/tests``), so pytest imports a test
file as part of its add-on package, and an add-on's modules only import as
``odoo.addons.<add-on>`` (Odoo's model classes refuse any other name).

- With pytest-odoo (``scripts/test.sh``: ``--odoo-config``, ``--odoo-database``)
  the plugin configures Odoo from the config file and names the modules
  ``odoo.addons.<add-on>...``; nothing here changes that.
- Without it (``pytest -p no:odoo pps_coordination_scheduler/tests/engine``,
  ``scripts/test_engine.sh``: the engine's pure tests, no database) this file
  does the same two things before the first test module is imported, only when
  the add-ons are not importable yet: it sets Odoo's addons path with Odoo's own
  configuration API (``odoo.tools.config.parse_config``, which also initializes
  ``odoo.addons.__path__``), and names test modules as pytest-odoo does.

This has to be the repository's conftest, not one inside an add-on: pytest
imports a conftest of ``pps_coordination_scheduler/tests/engine`` as
``...tests.engine.conftest``, i.e. after the add-on's package itself, before
any code in it could run.

The hypothesis profile is registered here for every suite under pytest:
property tests explore the same examples on every run (CI stays reproducible,
a failure found once is found again) and write no example database.
"""

import importlib.util
import os

from hypothesis import settings as hypothesis_settings

hypothesis_settings.register_profile("pps", derandomize=True, database=None)
hypothesis_settings.load_profile("pps")

ROOT = os.path.dirname(os.path.abspath(__file__))


def _addons_importable():
    try:
        return (
            importlib.util.find_spec("odoo.addons.pps_coordination_scheduler")
            is not None
        )
    except ImportError:  # Odoo itself is missing: let the imports say so
        return True


def pytest_configure(config):
    """Runs after pytest-odoo has configured Odoo (when it is active) and
    before any test module is imported."""
    if _addons_importable():
        return
    import pytest_odoo

    import odoo.release
    from odoo.tools import config as odoo_config

    odoo_root = os.path.dirname(os.path.dirname(os.path.abspath(odoo.release.__file__)))
    addons = [ROOT]
    if os.path.isdir(os.path.join(odoo_root, "addons", "mrp")):  # a source install
        addons.append(os.path.join(odoo_root, "addons"))
    odoo_config.parse_config(
        # the interface of the project's config (scripts/lib.sh): no warning
        [f"--addons-path={','.join(addons)}", "--http-interface=127.0.0.1"],
        setup_logging=False,
    )
    pytest_odoo.monkey_patch_resolve_pkg_root_and_module_name()
