"""Who may do what: the coordination's role checks and guarded workflows.

Role checks
    :func:`check_role` is the one check of a coordination role (planner,
    sales coordinator, unlock privilege) on the server. It passes for the
    superuser (``sudo()``: crons, a workflow's own writes) and for members of
    any of the groups given; otherwise it raises an ``AccessError`` with the
    caller's message, which names the records and the action refused.
    :func:`check_planner` is its production planner form, used by every
    planner-only action of both add-ons.

Guarded workflows
    A few workflows write what their user may not write by hand: the lock's
    own bypass (server code changing a locked record's protected fields),
    execution under the lock (start, finish, confirm), a negotiation's and an
    abnormality's own steps, and the scheduler's internal runs (an agreement,
    a confirmation, an abnormality's dry run re-plan as the system, whoever
    clicked). Each is a :class:`Workflow` with its own context key and its
    own sentinel: a private ``object()`` compared with ``is``. No RPC client
    can put one in a context (contexts from JSON-RPC and XML-RPC hold JSON
    values only), and one workflow's sentinel never opens another's guard.
    Enter a workflow with ``workflow.enter(records)``; a guard asks
    ``workflow.active(env)``.

This module imports nothing of the add-ons, so models, wizards and the
scheduler add-on may all import it.
"""

from odoo.exceptions import AccessError

SALES_GROUP = "pps_coordination.group_pps_sales"
PLANNER_GROUP = "pps_coordination.group_pps_planner"
UNLOCK_GROUP = "pps_coordination.group_pps_unlock"


def has_role(env, *groups):
    """Whether ``env``'s user may act in one of the roles ``groups``
    (xml ids of groups); always true for the superuser."""
    return env.su or any(env.user.has_group(group) for group in groups)


def check_role(env, message, *groups):
    """Raise ``AccessError(message)`` unless :func:`has_role`.

    ``message`` is the translated text, or a function returning it when the
    text names records: it is called only when access is refused, so that a
    user who may act without reading those records (the unlock privilege over
    another salesperson's order) never has them read.
    """
    if not has_role(env, *groups):
        raise AccessError(message() if callable(message) else message)


def check_planner(env, message):
    """Raise ``AccessError(message)`` unless the user is a production planner
    (or the superuser); ``message`` as for :func:`check_role`."""
    check_role(env, message, PLANNER_GROUP)


class Workflow:
    """A server-side workflow allowed past a guard, marked in the context by
    its own sentinel."""

    __slots__ = ("key", "sentinel")

    def __init__(self, key):
        self.key = key
        self.sentinel = object()

    def __repr__(self):
        return f"Workflow({self.key!r})"

    def context(self):
        """The context entry that marks the workflow (for ``with_context``)."""
        return {self.key: self.sentinel}

    def enter(self, records):
        """``records`` inside the workflow."""
        return records.with_context(**self.context())

    def active(self, env):
        """Whether ``env`` (or a recordset's environment) is inside the workflow."""
        env = getattr(env, "env", env)
        return env.context.get(self.key) is self.sentinel


#: Server code changing a locked record's protected fields (an agreement, a
#: split, the lock's own fields).
LOCK_BYPASS = Workflow("pps_lock_bypass")
#: Execution entry points (start, finish, mark done, confirm): the lock
#: protects the agreement, not the execution of the work.
LOCK_EXECUTION = Workflow("pps_lock_execution")
#: A negotiation round's own writes (state, dates, the change order).
NEGOTIATION = Workflow("pps_negotiation_workflow")
#: An abnormality's own state changes (confirm, resolve).
ABNORMALITY = Workflow("pps_abnormality_workflow")
#: A scheduler run started by the system for a user who need not be a
#: planner (an agreement, a confirmation, an abnormality's dry run).
SCHEDULE_INTERNAL = Workflow("pps_schedule_internal")

#: Every sentinel: none may leave the server (see ``strip_sentinels``).
SENTINELS = tuple(
    workflow.sentinel
    for workflow in (
        LOCK_BYPASS,
        LOCK_EXECUTION,
        NEGOTIATION,
        ABNORMALITY,
        SCHEDULE_INTERNAL,
    )
)
