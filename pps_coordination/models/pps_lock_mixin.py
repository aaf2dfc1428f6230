"""Execution lock shared by sale orders and manufacturing orders.

What it is
    ``pps.lock.mixin`` is an abstract model. A model that inherits it gets the
    fields ``pps_locked``, ``pps_locked_by_id`` and ``pps_locked_at``, the
    actions ``action_pps_lock()`` and ``action_pps_unlock(reason=None)``, and a
    guard in ``write()`` that refuses any change to the fields listed in the
    class attribute ``_pps_lock_protected_fields`` while the record is locked.
    The guard applies to everyone, the superuser and administrators included:
    ``sudo()`` does not lift it. Child models (sale order lines, work orders)
    call ``_pps_check_lock()`` on their parent from their own
    ``create``/``write``/``unlink``.

How to lift it
    Only the server can lift the guard, never an RPC client. Code that must
    change a locked record passes a module-level sentinel object in the
    context and the guard compares it with ``is``::

        from odoo.addons.pps_coordination.models.pps_lock_mixin import (
            PPS_LOCK_BYPASS,
        )

        order.with_context(pps_lock_bypass=PPS_LOCK_BYPASS).write(
            {"commitment_date": agreed_date}
        )

    JSON can only produce strings, numbers, lists and dicts, so a context
    coming from XML-RPC/JSON-RPC can never hold the sentinel: a forged
    ``{"pps_lock_bypass": "..."}`` is ignored. The bypass is reserved for an
    agreed negotiation and for the scheduler applying it; every bypassed change
    of a sale order's dates is recorded on a ``pps.change.order``.

    ``PPS_LOCK_EXECUTION`` is a second sentinel used by the execution entry
    points (confirming a sale order, starting, finishing and marking done
    manufacturing work): the lock freezes plans, not execution, so those
    standard flows keep working on a locked record.

    A sentinel never leaves the server: Odoo's methods build the actions they
    return from ``self.env.context``, so every override that runs them with a
    sentinel returns ``strip_sentinels(result)`` (``rpc_result(result)`` where
    Odoo's method returns None, which XML-RPC cannot marshal).

Lock and unlock
    ``action_pps_lock()`` is open to sales coordinators, planners and the
    unlock group. ``action_pps_unlock(reason)`` needs the unlock group (checked
    with ``has_group``, so an administrator outside the group is refused) and a
    reason. Both write a read-only ``pps.lock.log`` entry and a chatter message.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..guards import (
    LOCK_BYPASS,
    LOCK_EXECUTION,
    PLANNER_GROUP,
    SALES_GROUP,
    SENTINELS,
    UNLOCK_GROUP,
    check_role,
)

#: Context value that lets server code change the protected fields of a locked
#: record (the sentinel of ``guards.LOCK_BYPASS``): put it in the context as
#: ``pps_lock_bypass``. Compared with ``is``: an RPC client cannot forge it.
PPS_LOCK_BYPASS = LOCK_BYPASS.sentinel

#: Context value set by execution entry points (start, finish, mark done,
#: confirm) as ``pps_lock_execution``: the lock protects plans, not the
#: execution of the work (the sentinel of ``guards.LOCK_EXECUTION``).
PPS_LOCK_EXECUTION = LOCK_EXECUTION.sentinel

LOCK_STATE_FIELDS = ("pps_locked", "pps_locked_by_id", "pps_locked_at")


def strip_sentinels(value):
    """``value`` without any dict key whose value is a lock sentinel, at any depth.

    The execution entry points run Odoo's methods with a sentinel in the
    context, and those methods build the actions they return from
    ``self.env.context`` (``button_mark_done``'s backorder and consumption
    wizards, the backorder list...). A sentinel is a Python ``object()``: it
    would end up in the client's next context, and XML-RPC cannot marshal it at
    all. Apply this to what such an override returns. Dicts (an action, its
    ``context``, ``params``) and lists/tuples are rebuilt only where a sentinel
    was found; anything else (``True``, records) is returned as is.
    """
    if isinstance(value, dict):
        stripped = {}
        changed = False
        for key, item in value.items():
            if any(item is sentinel for sentinel in SENTINELS):
                changed = True
                continue
            new = strip_sentinels(item)
            changed = changed or new is not item
            stripped[key] = new
        return stripped if changed else value
    if isinstance(value, (list, tuple)):
        items = [strip_sentinels(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return tuple(items) if isinstance(value, tuple) else items
    return value


def marshallable(value):
    """``value`` with every None replaced by False, inside dicts, lists and
    tuples: what an RPC method returns must marshal over XML-RPC too."""
    if value is None:
        return False
    if isinstance(value, dict):
        return {key: marshallable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [marshallable(item) for item in value]
    return value


def rpc_result(value):
    """What an execution entry point returns to an RPC client: Odoo's answer
    without sentinels nor None inside, and True where Odoo answers None."""
    if value is None:
        return True
    return marshallable(strip_sentinels(value))


def changed_fields(record, vals, names):
    """The field names among ``names`` whose value ``vals`` would change on
    ``record``.

    An x2many command always counts as a change; scalar and many2one values are
    compared with the current value, so writing back the same value (as some
    standard flows do) is harmless.
    """
    changed = []
    for fname in names:
        if fname not in vals:
            continue
        field = record._fields[fname]
        if field.type in ("one2many", "many2many"):
            changed.append(fname)
            continue
        new = field.convert_to_record(
            field.convert_to_cache(vals[fname], record), record
        )
        if new != record[fname]:
            changed.append(fname)
    return changed


class PpsLockMixin(models.AbstractModel):
    _name = "pps.lock.mixin"
    _description = "PPS Execution Lock"

    #: Field names a lock protects; each inheriting model sets its own.
    _pps_lock_protected_fields = ()

    pps_locked = fields.Boolean(
        string="Execution Lock",
        readonly=True,
        copy=False,
        tracking=True,
        help="Under the execution lock: dates, quantities and products are "
        "frozen until a member of the unlock group unlocks it with a reason.",
    )
    pps_locked_by_id = fields.Many2one(
        "res.users", string="Locked By", readonly=True, copy=False
    )
    pps_locked_at = fields.Datetime(string="Locked On", readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        if not self._pps_lock_bypassed():
            for vals in vals_list:
                if any(vals.get(fname) for fname in LOCK_STATE_FIELDS):
                    raise UserError(
                        self.env._(
                            "A record cannot be created locked: use the Lock "
                            "action once it exists."
                        )
                    )
        return super().create(vals_list)

    def write(self, vals):
        if not self._pps_lock_bypassed():
            if any(fname in vals for fname in LOCK_STATE_FIELDS):
                raise UserError(
                    self.env._(
                        "The execution lock is set and lifted only through the "
                        "Lock and Unlock actions."
                    )
                )
            self._pps_check_lock(self._pps_lock_changed_fields(vals))
        return super().write(vals)

    def action_pps_lock(self):
        """Put the records under the execution lock (sales, planners, unlock group)."""
        check_role(
            self.env,
            lambda: self.env._(
                "Only sales coordinators, production planners and the unlock "
                "group may lock %(records)s.",
                records=", ".join(self.mapped("display_name")),
            ),
            SALES_GROUP,
            PLANNER_GROUP,
            UNLOCK_GROUP,
        )
        self._pps_check_visible()
        unlockable = self.sudo().filtered(
            lambda r: r.pps_locked or r.state in ("cancel", "done")
        )
        if unlockable:
            raise UserError(
                self.env._(
                    "%(records)s cannot be locked: already locked, cancelled or done.",
                    records=", ".join(unlockable.mapped("display_name")),
                )
            )
        self._pps_lock()
        return True

    def action_pps_unlock(self, reason=None):
        """Lift the execution lock; needs the unlock group and a reason."""
        check_role(
            self.env,
            lambda: self.env._(
                "Only members of the Unlock Privilege group may unlock %(records)s.",
                records=", ".join(self.mapped("display_name")),
            ),
            UNLOCK_GROUP,
        )
        self._pps_check_companies()
        if not (reason or "").strip():
            raise UserError(self.env._("Unlocking needs a reason."))
        unlocked = self.sudo().filtered(lambda r: not r.pps_locked)
        if unlocked:
            raise UserError(
                self.env._(
                    "%(records)s is not locked.",
                    records=", ".join(unlocked.mapped("display_name")),
                )
            )
        self._pps_unlock(reason.strip())
        return True

    def _pps_check_visible(self):
        """Refuse records the user may not see (access rights and record
        rules, through the ORM's own check): a salesperson who sees only their
        own orders locks only those. Lock writes through ``sudo()`` afterwards.
        """
        if not self.env.su:
            self.check_access("read")

    def _pps_check_companies(self):
        """Refuse records of companies the user does not belong to.

        Unlocking is a privilege over every order of the user's companies,
        whoever sells it, and the unlock group may hold no right on sale
        orders at all: only the company is checked, not the record rules.
        """
        if self.env.su:
            return
        outside = self.sudo().filtered(
            lambda record: (
                record.company_id and record.company_id not in self.env.user.company_ids
            )
        )
        if outside:
            raise AccessError(
                self.env._(
                    "%(records)s belong to a company you do not work for.",
                    records=", ".join(outside.mapped("display_name")),
                )
            )

    def _pps_lock_bypassed(self):
        return LOCK_BYPASS.active(self.env)

    def _pps_lock_in_execution(self):
        return LOCK_EXECUTION.active(self.env)

    def _pps_lock_changed_fields(self, vals):
        """{locked record: protected field names in ``vals`` it would change}."""
        protected = [f for f in self._pps_lock_protected_fields if f in vals]
        if not protected:
            return {}
        changed = {}
        for record in self.filtered("pps_locked"):
            names = changed_fields(record, vals, protected)
            if names:
                changed[record] = names
        return changed

    def _pps_check_lock(self, changed):
        """Raise when ``changed`` ({record: [field names]}) touches a locked record.

        Children call it with their parent and the parent's field names they
        stand for (``order_line``, ``workorder_ids``).
        """
        if not changed or self._pps_lock_bypassed() or self._pps_lock_in_execution():
            return
        for record, names in changed.items():
            if not record.pps_locked or not names:
                continue
            labels = [
                record._fields[name].get_description(self.env)["string"]
                for name in names
            ]
            raise UserError(
                self.env._(
                    "%(record)s is under the execution lock (locked by %(user)s "
                    "on %(date)s): %(fields)s cannot be changed. Agree a new date "
                    "through a negotiation, or ask the unlock group to unlock it "
                    "with a reason.",
                    record=record.display_name,
                    user=record.pps_locked_by_id.name or "-",
                    date=record.pps_locked_at or "-",
                    fields=", ".join(labels),
                )
            )

    def _pps_lock(self, reason=None):
        """Lock without the group check (server flows: agreement, cascade)."""
        now = fields.Datetime.now()
        self.sudo().with_context(pps_lock_bypass=PPS_LOCK_BYPASS).write(
            {"pps_locked": True, "pps_locked_by_id": self.env.uid, "pps_locked_at": now}
        )
        self._pps_lock_log("lock", reason, now)
        for record in self.sudo():
            record.message_post(
                body=self.env._(
                    "Locked by %(user)s. %(reason)s",
                    user=self.env.user.name,
                    reason=reason or "",
                ),
            )

    def _pps_unlock(self, reason):
        now = fields.Datetime.now()
        self.sudo().with_context(pps_lock_bypass=PPS_LOCK_BYPASS).write(
            {"pps_locked": False, "pps_locked_by_id": False, "pps_locked_at": False}
        )
        self._pps_lock_log("unlock", reason, now)
        for record in self.sudo():
            record.message_post(
                body=self.env._(
                    "Unlocked by %(user)s: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                ),
            )

    def _pps_lock_log(self, action, reason, date):
        self.env["pps.lock.log"].sudo().create(
            [
                {
                    "res_model": record._name,
                    "res_id": record.id,
                    "res_name": record.display_name,
                    "action": action,
                    "user_id": self.env.uid,
                    "date": date,
                    "reason": reason,
                    "company_id": record.company_id.id or self.env.company.id,
                }
                for record in self.sudo()
            ]
        )
