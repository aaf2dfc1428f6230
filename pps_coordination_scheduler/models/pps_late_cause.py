"""Why late: the binding cause of every late MO and order, after each run.

The engine's :func:`..engine.explain` reads the schedule a run found and, for
every late job, names the constraint that holds it (work ahead on a work
center, fixed work, a sub-assembly, the material release, nothing but its own
work). This model turns that into what a planner reads, with the records the
extraction kept (:class:`.pps_schedule_problem.ProblemMap`):

=============== ============================================================
``capacity``    the work center is full before it: the orders ahead there
``material``    it waits for a component: the product, its receipt and date
``frozen``      it waits for work in the frozen zone (or is frozen itself)
``fixed``       it waits for work in progress or pinned by a planner
``predecessor`` it waits for a sub-assembly order that ends late
``locked_week`` the week of its work center is locked for dispatch
``abnormality`` a confirmed abnormality took the capacity or the material
``lead_time``   planned as early as the plant allows: its own work is longer
                than the time left
=============== ============================================================

The applied run writes them on the MOs it planned (``pps_late_*`` fields,
cleared on the ones that are on time) and on their sale orders.
"""

import dataclasses
from datetime import timedelta

from odoo import api, models
from odoo.tools import format_datetime

from odoo.addons.pps_coordination.tools.wording import format_duration

from ..engine import explain
from ..planning_time import planning_tz, to_datetime

LATE_CAUSES = [
    ("capacity", "Capacity"),
    ("material", "Material"),
    ("frozen", "Frozen Work"),
    ("fixed", "Work in Progress or Pinned"),
    ("predecessor", "Sub-assembly"),
    ("locked_week", "Locked Week"),
    ("abnormality", "Abnormality"),
    ("lead_time", "Not Enough Time"),
]

#: Fixed reasons of the extraction (``ProblemMap.fixed_reasons``) -> cause.
FIXED_CAUSES = {
    "frozen": "frozen",
    "week locked": "locked_week",
    "in progress": "fixed",
    "pinned": "fixed",
    "starting": "fixed",
}

#: Fixed reasons of work a rule keeps where an earlier plan put it: the cause
#: is what held it there, when anything did, else the rule.
SEE_THROUGH = ("frozen", "week locked", "starting")

#: Orders ahead named in a capacity cause (the rest are counted).
AHEAD_LISTED = 5

#: The fields a run writes; all empty on an MO or an order that is on time.
LATE_FIELDS = (
    "pps_late_cause",
    "pps_late_reason",
    "pps_late_workcenter_id",
    "pps_late_blocker_id",
    "pps_late_hours",
)

#: The same on a sale order, from its late MO.
ORDER_LATE_FIELDS = ("pps_late_cause", "pps_late_reason", "pps_late_production_id")


class PpsLateCause(models.AbstractModel):
    _name = "pps.late.cause"
    _description = "PPS why late: the binding cause of late work"

    @api.model
    def _explain(self, problem, result, productions):
        """{production: values of ``LATE_FIELDS``} for each of ``productions``
        (the run's own) in the problem: late ones get their cause."""
        # work a rule keeps in place is explained by what put it there
        see_through = [
            i for i, why in problem.fixed_reasons.items() if why in SEE_THROUGH
        ]
        data = problem.data
        if len(problem.all_precedences) > len(data.precedences):
            data = dataclasses.replace(data, precedences=problem.all_precedences)
        delays = explain(data, result.assignments, see_through)
        own = set(productions.ids)
        values = {}
        for j, production in enumerate(problem.productions):
            if production.id not in own or production in values:
                continue
            delay = delays.get(j)
            values[production] = (
                self._vals(problem, delay)
                if delay
                else dict.fromkeys(LATE_FIELDS, False)
            )
        return values

    @api.model
    def _write(self, values):
        """Write what :meth:`_explain` found, one write per late MO and one for
        all the MOs that are on time; then the sale orders."""
        by_id = {production.id: vals for production, vals in values.items()}
        productions = self.env["mrp.production"].sudo().browse(list(by_id)).exists()
        on_time = productions.filtered(lambda p: not by_id[p.id]["pps_late_cause"])
        on_time.filtered("pps_late_cause").write(dict.fromkeys(LATE_FIELDS, False))
        for production in productions - on_time:
            production.write(by_id[production.id])
        self._write_orders(productions.pps_sale_order_id)

    @api.model
    def _write_orders(self, orders):
        """An order whose scheduled date passes its agreed date takes the cause
        of its late MO that finishes last; every other order has none."""
        for order in orders.sudo():
            late = order.mrp_production_ids.filtered(
                lambda p: p.pps_late_cause and p.state not in ("done", "cancel")
            )
            if order.pps_projected_late and late:
                mo = late.sorted(lambda p: (p.date_finished or p.date_deadline, p.id))[
                    -1
                ]
                vals = {
                    "pps_late_cause": mo.pps_late_cause,
                    "pps_late_reason": mo.pps_late_reason,
                    "pps_late_production_id": mo.id,
                }
            else:
                vals = dict.fromkeys(ORDER_LATE_FIELDS, False)
            current = (
                order.pps_late_cause,
                order.pps_late_reason,
                order.pps_late_production_id.id,
            )
            if current != tuple(vals[name] for name in ORDER_LATE_FIELDS):
                order.write(vals)

    # ------------------------------------------------------------------
    # one late job
    # ------------------------------------------------------------------
    @api.model
    def _vals(self, problem, delay):
        workcenter = problem.workcenters[delay.resource]
        cause, reason, blocker = self._classify(problem, delay, workcenter)
        return {
            "pps_late_cause": cause,
            "pps_late_reason": reason,
            "pps_late_workcenter_id": workcenter.id,
            "pps_late_blocker_id": blocker.id if blocker else False,
            "pps_late_hours": round(delay.tardiness / 60.0, 1),
        }

    @api.model
    def _classify(self, problem, delay, workcenter):
        """(cause, sentence, blocking MO or None) of one :class:`..engine.Delay`."""
        at = self._at(problem, workcenter)
        workorder = problem.workorders[delay.operation]
        start = to_datetime(problem.origin, delay.start)
        if delay.kind == "fixed":
            return self._fixed_cause(problem, delay, workcenter, workorder, at)
        since = to_datetime(problem.origin, delay.since)
        if delay.kind == "resource":
            return self._resource_cause(problem, delay, workcenter, at, since, start)
        if delay.kind == "secondary":
            return self._secondary_cause(problem, delay, at)
        if delay.kind == "predecessor":
            child = problem.workorders[delay.blocker].production_id
            return (
                "predecessor",
                self.env._(
                    "Waits for the sub-assembly %(mo)s (%(product)s), which ends on "
                    "%(end)s.",
                    mo=child.name,
                    product=child.product_id.display_name,
                    end=at(delay.since),
                ),
                child,
            )
        if delay.kind == "release":
            return self._material_cause(problem, workorder.production_id, at, delay)
        abnormality = self._abnormality(problem, workcenter, since, start)
        if abnormality:
            return self._abnormality_cause(abnormality, workcenter, start, at, problem)
        if problem.data.operations[delay.operation].fixed is not None:
            # nothing held it there but the rule that keeps it there
            return self._fixed_cause(problem, delay, workcenter, workorder, at)
        return (
            "lead_time",
            self.env._(
                "Planned as early as the plant allows (from %(start)s on %(wc)s): "
                "its own work ends %(hours)s hours after the agreed date.",
                start=at(delay.start),
                wc=workcenter.display_name,
                hours=round(delay.tardiness / 60.0, 1),
            ),
            None,
        )

    @api.model
    def _secondary_cause(self, problem, delay, at):
        """People or a fixture short: capacity, named with who held it."""
        name = problem.data.secondaries[delay.secondary].ref
        holders = self._orders_ahead(problem, delay)
        blocker = (
            problem.workorders[delay.blocker] if delay.blocker is not None else None
        )
        if holders:
            reason = self.env._(
                "Waits for %(resource)s, held by %(orders)s until %(start)s.",
                resource=name,
                orders=", ".join(self._ahead_words(p) for p in holders[:AHEAD_LISTED]),
                start=at(delay.start),
            )
        else:
            reason = self.env._(
                "Waits for %(resource)s, not enough of them there until %(start)s.",
                resource=name,
                start=at(delay.start),
            )
        return "capacity", reason, blocker.production_id if blocker else None

    @api.model
    def _fixed_cause(self, problem, delay, workcenter, workorder, at):
        why = problem.fixed_reasons.get(delay.operation, "")
        return (
            FIXED_CAUSES.get(why, "fixed"),
            self.env._(
                "%(wo)s is %(why)s on %(wc)s until %(end)s: it cannot move, and "
                "it ends after the agreed date.",
                wo=workorder.display_name,
                why=self._fixed_words(why),
                wc=workcenter.display_name,
                end=at(problem.data.operations[delay.operation].fixed.end),
            ),
            None,
        )

    @api.model
    def _resource_cause(self, problem, delay, workcenter, at, since, start):
        blocker_wo = problem.workorders[delay.blocker]
        why = problem.fixed_reasons.get(delay.blocker)
        cause = FIXED_CAUSES.get(why)
        if cause == "locked_week":
            return (
                cause,
                self.env._(
                    "The week of %(wc)s is locked for dispatch, so nothing new is "
                    "planned into it: the work waits until %(start)s.",
                    wc=workcenter.display_name,
                    start=at(delay.start),
                ),
                None,
            )
        if cause:
            return (
                cause,
                self.env._(
                    "Waits on %(wc)s for %(wo)s, which is %(why)s there until %(end)s.",
                    wc=workcenter.display_name,
                    wo=blocker_wo.display_name,
                    why=self._fixed_words(why),
                    end=at(delay.start),
                ),
                blocker_wo.production_id,
            )
        abnormality = self._abnormality(problem, workcenter, since, start)
        if abnormality:
            return self._abnormality_cause(abnormality, workcenter, start, at, problem)
        orders = self._orders_ahead(problem, delay)
        # slots held for open quotations count as work ahead, by their quote
        quotes = sorted(
            {
                problem.data.jobs[problem.data.operations[k].job].ref
                for k in delay.ahead
                if problem.fixed_reasons.get(k) == "held quote"
            }
        )
        count = len(orders) + len(quotes)
        # words for the ones listed only (a late order on a crowded plant
        # may have hundreds ahead)
        ahead = [self._ahead_words(p) for p in orders[:AHEAD_LISTED]]
        ahead += quotes[: AHEAD_LISTED - len(ahead)]
        listed = ", ".join(ahead)
        if count > AHEAD_LISTED:
            listed = self.env._(
                "%(listed)s and %(count)s more",
                listed=listed,
                count=count - AHEAD_LISTED,
            )
        if not count:
            reason = self.env._(
                "%(wc)s is fully loaded from %(since)s to %(start)s.",
                wc=workcenter.display_name,
                since=at(max(delay.since, 0)),
                start=at(delay.start),
            )
        else:
            reason = self.env._(
                "%(wc)s is fully loaded from %(since)s to %(start)s with %(count)s "
                "orders ahead: %(orders)s.",
                wc=workcenter.display_name,
                since=at(max(delay.since, 0)),
                start=at(delay.start),
                count=count,
                orders=listed,
            )
        changeover = self._changeover_words(problem, delay)
        if changeover:
            reason = f"{reason} {changeover}"
        return "capacity", reason, blocker_wo.production_id

    @api.model
    def _changeover_words(self, problem, delay):
        """The changeover the late work waits for after the work right before
        it on its work center, when there is one ("" otherwise)."""
        data = problem.data
        if not data.sequenced[delay.resource] or delay.blocker is None:
            return ""
        minutes = data.changeover(delay.resource, delay.blocker, delay.operation)
        if not minutes:
            return ""
        Family = self.env["pps.setup.family"].sudo()
        return self.env._(
            "Before it, the work center changes over from %(before)s to "
            "%(after)s: %(duration)s.",
            before=Family.browse(data.operations[delay.blocker].family).display_name,
            after=Family.browse(data.operations[delay.operation].family).display_name,
            duration=format_duration(self.env, timedelta(minutes=minutes)),
        )

    @api.model
    def _material_cause(self, problem, production, at, delay):
        supply, source = problem.release_reasons.get(production.id, (None, None))
        if source is not None and source._name == "pps.abnormality":
            return (
                "abnormality",
                self.env._(
                    "Material shortage %(abnormality)s: %(product)s is back on "
                    "%(date)s, so the work starts on %(start)s.",
                    abnormality=source.display_name,
                    product=source.product_id.display_name,
                    date=at(moment=supply),
                    start=at(delay.start),
                ),
                None,
            )
        if source is None:
            return (
                "material",
                self.env._(
                    "Waits for its components until %(start)s.",
                    start=at(delay.start),
                ),
                None,
            )
        receipt = self._receipt(source, supply)
        return (
            "material",
            self.env._(
                "Waits for %(product)s: %(receipt)s on %(date)s, then %(days)s "
                "day(s) to bring it to the station; work starts on %(start)s.",
                product=source.product_id.display_name,
                receipt=receipt,
                date=at(moment=supply),
                days=production.company_id.pps_material_buffer_days,
                start=at(delay.start),
            ),
            None,
        )

    @api.model
    def _receipt(self, move, supply):
        """Words for the supply a component move waits for: the receipt due
        by ``supply`` (the latest one), or the vendor's lead time."""
        incoming = (
            self.env["stock.move"]
            .sudo()
            .search(
                [
                    ("product_id", "=", move.product_id.id),
                    ("picking_code", "=", "incoming"),
                    ("state", "not in", ("done", "cancel", "draft")),
                    ("date", "<=", supply),
                ],
                order="date desc, id desc",
                limit=1,
            )
        )
        if incoming.picking_id:
            return self.env._(
                "receipt %(receipt)s expected", receipt=incoming.picking_id.name
            )
        seller = move.product_id._select_seller(quantity=move.product_qty)
        if seller:
            return self.env._(
                "no receipt planned; %(vendor)s delivers in %(days)s day(s), by",
                vendor=seller.partner_id.display_name,
                days=seller.delay,
            )
        return self.env._("expected")

    @api.model
    def _abnormality(self, problem, workcenter, since, start):
        """The confirmed capacity abnormality of ``workcenter`` over
        [since, start), if any: it took the time the work waited for."""
        for abnormality in problem.abnormalities.get(workcenter.id, ()):
            if (
                abnormality.capacity_factor < 1.0
                and abnormality.date_start < start
                and abnormality.date_end > since
            ):
                return abnormality
        return None

    @api.model
    def _abnormality_cause(self, abnormality, workcenter, start, at, problem):
        return (
            "abnormality",
            self.env._(
                "%(type)s %(abnormality)s takes capacity of %(wc)s until %(end)s: "
                "the work starts on %(start)s.",
                type=dict(
                    abnormality._fields["abnormality_type"]._description_selection(
                        self.env
                    )
                ).get(abnormality.abnormality_type),
                abnormality=abnormality.display_name,
                wc=workcenter.display_name,
                end=at(moment=abnormality.date_end),
                start=at(moment=start),
            ),
            None,
        )

    @api.model
    def _orders_ahead(self, problem, delay):
        """MOs of the work ahead, in dispatch order: red flag, serial, due."""
        ids = {}  # in order, without repeats (one union, not one per operation)
        for k in delay.ahead:
            workorder = problem.workorders[k]
            if workorder and workorder.production_id:
                ids[workorder.production_id.id] = None
        productions = self.env["mrp.production"].browse(ids)
        return productions.sorted(
            lambda p: (
                not p.pps_rush,
                p.pps_serial if p.pps_serial and p.pps_serial > 0 else 10**6,
                p.date_deadline or p.date_finished or p.create_date,
                p.id,
            )
        )

    @api.model
    def _ahead_words(self, production):
        parts = [production.name]
        if production.pps_rush:
            parts.append(self.env._("red flag"))
        if production.pps_serial and production.pps_serial > 0:
            parts.append(self.env._("serial %(serial)s", serial=production.pps_serial))
        if len(parts) == 1:
            return production.name
        return f"{production.name} ({', '.join(parts[1:])})"

    @api.model
    def _fixed_words(self, why):
        return {
            "frozen": self.env._("in the frozen zone"),
            "week locked": self.env._("in a locked week"),
            "in progress": self.env._("in progress"),
            "pinned": self.env._("pinned by a planner"),
            "starting": self.env._("being started"),
        }.get(why, why or self.env._("fixed"))

    @api.model
    def _at(self, problem, workcenter):
        """A formatter of minutes (or a datetime) in the work center's time zone,
        short, without seconds."""
        tz = planning_tz(self.env, workcenter=workcenter)

        def at(minutes=None, moment=None):
            if moment is None:
                moment = to_datetime(problem.origin, minutes)
            return format_datetime(self.env, moment, tz=tz, dt_format="short")

        return at
