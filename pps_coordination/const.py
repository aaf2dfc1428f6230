"""States and other constants shared by both add-ons.

This module imports nothing of the add-ons, so any module of either add-on
(models, the scheduler's extraction, the BoM check, migrations) can import it
without opening an import circle.
"""

#: Manufacturing orders still to be made (planned, started or to close).
OPEN_PRODUCTION_STATES = ("confirmed", "progress", "to_close")
#: Work orders still to be done: waiting for a predecessor, ready or started.
OPEN_WORKORDER_STATES = ("blocked", "ready", "progress")
#: Negotiation rounds still open: waiting for an answer or for a decision.
OPEN_NEGOTIATION_STATES = ("requested", "answered")
#: BoM and routing problems (``pps.schedule.check``) that make the scheduler
#: refuse an order; the others leave it without work orders, which the
#: scheduler has nothing to plan for anyway.
BLOCKING_PROBLEMS = ("no_workcenter", "no_duration", "no_calendar", "cyclic_bom")
