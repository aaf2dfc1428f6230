"""19.0.1.1.0: the execution lock protects the agreement, not the plan.

Until 1.0.0 a locked MO's work-order plan was frozen: the scheduler left it
where it was, and MOs confirmed under the lock stayed unplanned. From 1.1.0 the
scheduler plans locked MOs like any other, and a planner pins a plan
(``mrp.production.pps_plan_pinned``) to keep it put. What the upgrade does:

- nothing is pinned: locked MOs are planned by the next schedule run (the daily
  cron, or a planner's Reschedule), within the frozen zone and locked weeks;
- backorders of locked MOs, which 1.0.0 created unlocked, are locked now, with
  a lock-log line naming the MO they come from.
"""

import logging

from odoo import SUPERUSER_ID, api

from odoo.addons.pps_coordination.const import OPEN_PRODUCTION_STATES

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Production = env["mrp.production"].with_context(active_test=False)
    locked = Production.search([("pps_locked", "=", True)])
    count = 0
    for production in locked:
        backorders = production.production_group_id.production_ids.filtered(
            lambda p, source=production: (
                p != source
                and p.backorder_sequence
                and p.product_id == source.product_id
                and not p.pps_locked
                and p.state in OPEN_PRODUCTION_STATES
            )
        )
        if backorders:
            backorders._pps_lock(
                env._(
                    "Backorder of locked %(production)s, locked on upgrade.",
                    production=production.name,
                )
            )
            count += len(backorders)
    _logger.info(
        "pps_coordination 19.0.1.1.0: %d locked MOs are planned again by the "
        "scheduler; %d of their backorders were locked",
        len(locked),
        count,
    )
