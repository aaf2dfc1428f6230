# The scheduling engine's pure tests: plain pytest functions, no database.
# Not imported by the add-on's tests/__init__.py (Odoo's test loader runs
# unittest classes); pytest runs them, with or without pytest-odoo
# (scripts/test_engine.sh, scripts/test.sh).
