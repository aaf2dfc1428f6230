"""The planners' dispatch board: one data endpoint and the board's actions.

What it is
    The OWL client action ``pps_dispatch_board`` (``static/src/dispatch_board``)
    draws work centers as rows and the days of a week as columns; each cell
    holds the work orders planned to start that day on that work center, its
    working capacity and its load. Everything it shows comes from one call::

        orm.call("pps.dispatch.board", "get_board_data", [],
                 {week_start: "2026-11-23", filters: {...}})

    and everything it changes goes through the ``action_*`` methods below,
    which check the same rules as the rest of the application: planners only
    (``AccessError``), the execution lock of sale orders and the weekly
    dispatch lock (``UserError``), never bypassed.

How the numbers are made
    Days are counted in each work center's planning time zone (its
    calendar's, ``planning_time.planning_tz``); "today" is the company's
    planning day. A cell's
    capacity is the working minutes of the work center that day (attendances
    minus time off, one ``_work_intervals_batch`` call per calendar for the
    whole week); the rush reserve is the company's ``pps_rush_capacity_share``
    of it; the load is the expected duration of the open work orders that
    start that day plus the changeover the plan puts before each (``changeover``:
    that part; filters hide cards, never load). A card is late when its
    manufacturing order finishes after its sale order's commitment date.
    Rows come busiest first (the week's load), work centers without work last;
    each card carries its start and end as minutes of its local day, for the
    time axis the board draws inside each day (``axis``).

Serials
    The dispatch order inside a cell is the sale orders' serial. Moving a card
    (the arrows, a drag) changes the serial of the moved card's order only:
    it takes a free serial between its new neighbours; two open orders of a
    company never share a serial, and when no free whole number lies between
    the neighbours the move is refused (the message says so). A serial change
    is refused while any work of the order lies in a locked week, or the
    order is under the execution lock; it is noted on the order's chatter,
    and the board offers to re-plan at once (``action_replan``).

Dry runs
    A dry run's summary lists the material moves only: a new work center, a
    newly planned work order, or a start shifted by at least the threshold
    (system parameter ``pps_scheduler.preview_threshold``, minutes, default
    15, in Settings); the smaller moves are counted (``hidden_count``).
"""

from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.pps_coordination.const import (
    OPEN_PRODUCTION_STATES,
    OPEN_WORKORDER_STATES,
)
from odoo.addons.pps_coordination.guards import UNLOCK_GROUP, check_planner, has_role
from odoo.addons.pps_coordination.models.pps_lock_mixin import marshallable

from ..planning_time import local_date, monday_of, planning_tz

BOARD_WORKORDER_STATES = OPEN_WORKORDER_STATES
BOARD_PRODUCTION_STATES = OPEN_PRODUCTION_STATES
WORKORDER_FIELDS = [
    "name",
    "workcenter_id",
    "production_id",
    "product_id",
    "qty_remaining",
    "product_uom_id",
    "duration_expected",
    "date_start",
    "date_finished",
    "state",
    "pps_rush",
    "pps_serial",
    "pps_frozen",
    "pps_changeover_minutes",
    "pps_secondary_summary",
]
#: Minutes a dry run's move must shift a start by to be listed (default of the
#: system parameter ``pps_scheduler.preview_threshold``).
DEFAULT_PREVIEW_THRESHOLD = 15
#: Sale order states whose serial is taken (an open order of the company).
OPEN_ORDER_STATES = ("draft", "sent", "sale")


class PpsDispatchBoard(models.AbstractModel):
    _name = "pps.dispatch.board"
    _description = "PPS Dispatch Board"

    # ------------------------------------------------------------------
    # The data endpoint
    # ------------------------------------------------------------------
    @api.model
    def get_board_data(self, week_start=None, filters=None):
        """Everything the board draws for one week, JSON-ready.

        :param week_start: any day of the week to show (``YYYY-MM-DD``),
            default this week
        :param filters: ``{"workcenter_ids": [ids], "product_id": id,
            "partner_id": id, "rush_only": bool, "late_only": bool}``
        :return: ``{"week_start", "week_end", "prev_week", "next_week",
            "today", "days": [...], "rush_share", "workcenters": [{..., "cells":
            [{"date", "capacity", "reserve", "load", "rush_load", "changeover",
            "over", "cards": [...]}]}], "options": {...}, "can_unlock",
            "totals"}``
        """
        self._check_planner()
        filters = filters or {}
        company = self.env.company
        # the plant's today, counted as its days are (planning_tz)
        today = local_date(fields.Datetime.now(), planning_tz(self.env))
        monday = monday_of(fields.Date.to_date(week_start) if week_start else today)
        days = [monday + timedelta(days=i) for i in range(7)]

        all_workcenters = self.env["mrp.workcenter"].search(
            [("company_id", "in", (company.id, False))]
        )
        workcenters = all_workcenters
        if filters.get("workcenter_ids"):
            workcenters = all_workcenters.filtered(
                lambda wc: wc.id in set(map(int, filters["workcenter_ids"]))
            )

        hours = {}
        capacity = self._board_capacity(workcenters, monday, hours=hours)
        workorders = self._board_workorders(workcenters, monday)
        productions = self._board_productions(workorders)
        week_locks = self.env["pps.dispatch.week.lock"]._locked_keys(
            workcenters, monday, monday
        )

        # Load of every cell (all work), cards of the cell (filtered work).
        by_id = {wc.id: wc for wc in workcenters}
        cells = defaultdict(
            lambda: {"load": 0.0, "rush_load": 0.0, "changeover": 0, "cards": []}
        )
        products, customers = {}, {}
        late_total = 0
        for row in workorders:
            workcenter = by_id[row["workcenter_id"][0]]
            day = local_date(row["date_start"], planning_tz(self.env, workcenter))
            if day not in days:
                continue
            cell = cells[(workcenter.id, day)]
            # the changeover planned before it holds the work center too
            changeover = row["pps_changeover_minutes"] or 0
            busy = (row["duration_expected"] or 0.0) + changeover
            cell["load"] += busy
            cell["changeover"] += changeover
            if row["pps_rush"]:
                cell["rush_load"] += busy
            card = self._board_card(row, productions, week_locks, workcenter, monday)
            card.update(self._board_card_minutes(row, workcenter, day))
            hours.setdefault("cards", []).append(
                (card["start_minute"], card["end_minute"])
            )
            products[card["product_id"]] = card["product_name"]
            if card["partner_id"]:
                customers[card["partner_id"]] = card["customer"]
            if self._board_card_matches(card, filters):
                cell["cards"].append(card)
                late_total += card["late"]

        share = company.pps_rush_capacity_share or 0.0
        rows = []
        for workcenter in workcenters:
            row_cells = []
            for day in days:
                cell = cells[(workcenter.id, day)]
                minutes = capacity.get((workcenter.id, day), 0.0)
                reserve = round(minutes * share)
                cell["cards"].sort(key=self._board_card_order)
                row_cells.append(
                    {
                        "date": fields.Date.to_string(day),
                        "capacity": round(minutes),
                        "reserve": reserve,
                        "load": round(cell["load"]),
                        "rush_load": round(cell["rush_load"]),
                        # of the load: changeovers between setup families
                        "changeover": cell["changeover"],
                        # Standard work may not eat into the rush reserve.
                        "over": cell["load"] > minutes
                        or (cell["load"] - cell["rush_load"]) > minutes - reserve,
                        "cards": cell["cards"],
                    }
                )
            load = sum(c["load"] for c in row_cells)
            count = sum(len(c["cards"]) for c in row_cells)
            rows.append(
                {
                    "id": workcenter.id,
                    "name": workcenter.display_name,
                    "locked": (workcenter.id, monday) in week_locks,
                    "capacity": sum(c["capacity"] for c in row_cells),
                    "load": load,
                    "cards_count": count,
                    # nothing planned this week (filtered cards count as none)
                    "empty": not load and not count,
                    "cells": row_cells,
                }
            )
        # Busiest work centers first, those without work last (then by name).
        rows.sort(key=lambda r: (r["empty"], -r["load"], -r["cards_count"], r["name"]))
        # Cards of MOs without a sale order hold None: no None crosses XML-RPC.
        data = {
            "week_start": fields.Date.to_string(monday),
            "week_end": fields.Date.to_string(days[-1]),
            "prev_week": fields.Date.to_string(monday - timedelta(days=7)),
            "next_week": fields.Date.to_string(monday + timedelta(days=7)),
            "today": fields.Date.to_string(today),
            "days": [
                {"date": fields.Date.to_string(day), "weekday": day.weekday()}
                for day in days
            ],
            "rush_share": share,
            "axis": self._board_axis(hours),
            "preview_threshold": self._preview_threshold(),
            "workcenters": rows,
            "options": {
                "workcenters": [
                    {"id": wc.id, "name": wc.display_name} for wc in all_workcenters
                ],
                "products": self._board_options(products),
                "customers": self._board_options(customers),
            },
            "filters": {
                "workcenter_ids": [int(i) for i in filters.get("workcenter_ids") or []],
                "product_id": filters.get("product_id") or False,
                "partner_id": filters.get("partner_id") or False,
                "rush_only": bool(filters.get("rush_only")),
                "late_only": bool(filters.get("late_only")),
            },
            "can_unlock": has_role(self.env, UNLOCK_GROUP),
            "totals": {
                "cards": sum(len(c["cards"]) for r in rows for c in r["cells"]),
                "late": late_total,
            },
        }
        return marshallable(data)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.model
    def action_set_serial(self, serial, workorder_id=None, production_id=None):
        """Set the serial of the sale order behind a card (planners).

        The serial belongs to the sale order; a locked order, an order with
        work in a locked week, and a serial another open order of the company
        holds are refused. Returns ``{"sale_order", "serial", "changed",
        "message", "replan"}`` (``replan``: the plan follows the new serial
        at the next re-plan, which the board offers at once).
        """
        self._check_planner()
        production = self._board_production(workorder_id, production_id)
        try:
            serial = int(serial)
        except (TypeError, ValueError):
            raise UserError(self.env._("The serial must be a whole number.")) from None
        if serial < 0:
            raise UserError(self.env._("The serial cannot be negative."))
        order = production.sudo().pps_sale_order_id
        if not order:
            raise UserError(
                self.env._(
                    "%(mo)s has no sale order: its serial comes from the sale order.",
                    mo=production.display_name,
                )
            )
        old = order.pps_serial
        if serial == old:
            return {
                "sale_order": order.display_name,
                "serial": serial,
                "changed": [],
                "message": self.env._(
                    "%(order)s already has serial %(serial)s.",
                    order=order.display_name,
                    serial=serial,
                ),
                "replan": False,
            }
        holder = self._board_serial_holders(order, [serial])
        if holder:
            raise UserError(
                self.env._(
                    "Serial %(serial)s belongs to %(other)s: two open orders never "
                    "share a serial. Choose a free one for %(order)s.",
                    serial=serial,
                    other=holder[serial],
                    order=order.display_name,
                )
            )
        note = self.env._(
            "Serial %(old)s → %(new)s, set on the dispatch board by %(user)s.",
            old=old,
            new=serial,
            user=self.env.user.name,
        )
        return self._board_change_serial(order, serial, note)

    @api.model
    def action_move_card(self, workorder_id, target_workorder_id, position="before"):
        """Move ``workorder_id`` before/after another card of its cell.

        Dispatch order in a cell is the sale orders' serial: the moved card's
        order (and no other) takes a free serial between its new neighbours,
        the one nearest their middle. Refused when no free whole number lies
        between them (two open orders never share a serial), when the order
        is locked or has work in a locked week. Returns ``{"changed":
        [{"sale_order", "old", "new"}], "message", "replan"}``.
        """
        self._check_planner()
        if position not in ("before", "after"):
            raise UserError(self.env._("A card goes before or after another card."))
        Workorder = self.env["mrp.workorder"]
        workorder = Workorder.browse(int(workorder_id)).exists()
        target = Workorder.browse(int(target_workorder_id)).exists()
        if not workorder or not target:
            raise UserError(self.env._("This work order does not exist any more."))
        (workorder | target).check_access("read")
        if workorder == target:
            return {"changed": [], "message": "", "replan": False}
        key = self._board_cell_key(workorder)
        if key is None or key != self._board_cell_key(target):
            raise UserError(
                self.env._(
                    "Drag a card within its own cell to change the dispatch order; "
                    "dates and work centers are set by the scheduler."
                )
            )
        order = workorder.production_id.sudo().pps_sale_order_id
        if not order:
            raise UserError(
                self.env._(
                    "%(mo)s has no sale order: its place in the cell comes from "
                    "its start, as for all work without a serial.",
                    mo=workorder.production_id.display_name,
                )
            )

        def order_of(wo):
            return wo.production_id.sudo().pps_sale_order_id

        if order_of(target) == order:
            return {
                "changed": [],
                "message": self.env._(
                    "Both cards belong to %(order)s: they share its serial.",
                    order=order.display_name,
                ),
                "replan": False,
            }
        # The cell without the moved order's cards, the card put in its place.
        others = [
            wo for wo in self._board_cell_workorders(workorder) if order_of(wo) != order
        ]
        index = others.index(target) + (1 if position == "after" else 0)
        before, after = others[:index], others[index:]
        unserialed = next((wo for wo in before if not order_of(wo).pps_serial), None)
        if unserialed:
            raise UserError(
                self.env._(
                    "%(order)s has no serial: work without a serial is dispatched "
                    "last, by its start. Give it a serial first.",
                    order=(
                        order_of(unserialed).display_name
                        or unserialed.production_id.display_name
                    ),
                )
            )
        low_wo = before[-1] if before else None
        high_wo = next((wo for wo in after if order_of(wo).pps_serial), None)
        low = order_of(low_wo).pps_serial if low_wo else 0
        high = order_of(high_wo).pps_serial if high_wo else None
        serial = self._board_free_serial(order, low, high)
        if serial is None:
            values = {
                "order": order.display_name,
                "after": high_wo and order_of(high_wo).display_name,
                "high": high,
                "before": low_wo and order_of(low_wo).display_name,
                "low": low,
            }
            if low_wo and high_wo and order_of(low_wo) == order_of(high_wo):
                message = self.env._(
                    "The cards of %(before)s share its serial %(low)s: "
                    "%(order)s goes before or after all of them, not between.",
                    **values,
                )
            elif low_wo:
                message = self.env._(
                    "No free serial between %(before)s (serial %(low)s) and "
                    "%(after)s (serial %(high)s): moving a card changes only the "
                    "serial of its own order, and two open orders never share a "
                    "serial. Type a free serial for %(order)s instead.",
                    **values,
                )
            else:
                message = self.env._(
                    "No free serial before %(after)s (serial %(high)s): serials "
                    "start at 1, moving a card changes only the serial of its own "
                    "order, and two open orders never share a serial. Type a free "
                    "serial for %(order)s instead.",
                    **values,
                )
            raise UserError(message)
        if serial == order.pps_serial:
            return {
                "changed": [],
                "message": self.env._(
                    "%(order)s is already in that place.", order=order.display_name
                ),
                "replan": False,
            }
        values = {
            "old": order.pps_serial,
            "new": serial,
            "user": self.env.user.name,
            "mo": workorder.production_id.display_name,
            "other": target.production_id.display_name,
            "workcenter": workorder.workcenter_id.display_name,
        }
        if position == "before":
            note = self.env._(
                "Serial %(old)s → %(new)s on the dispatch board by %(user)s: "
                "%(mo)s moved before %(other)s on %(workcenter)s.",
                **values,
            )
        else:
            note = self.env._(
                "Serial %(old)s → %(new)s on the dispatch board by %(user)s: "
                "%(mo)s moved after %(other)s on %(workcenter)s.",
                **values,
            )
        return self._board_change_serial(order, serial, note)

    @api.model
    def action_replan(self):
        """Re-plan every open manufacturing order of the company now (planners).

        What the next scheduled run would do, at once: after a serial change
        the board offers it. A large plan runs in the background: the summary
        then has ``state`` "running" and ``background`` true.
        """
        self._check_planner()
        run = self.env["pps.schedule.run"].schedule(trigger="board", interactive=True)
        summary = self._board_run_summary(run)
        summary["background"] = run.state == "running"
        return summary

    @api.model
    def action_lock_week(self, workcenter_id, week_start):
        """Lock a work center's week (planners)."""
        self._check_planner()
        lock = self.env["pps.dispatch.week.lock"].action_lock_week(
            workcenter_id, week_start
        )
        return {"id": lock.id, "week_start": fields.Date.to_string(lock.week_start)}

    @api.model
    def action_unlock_week(self, workcenter_id, week_start, reason=None):
        """Unlock a work center's week (unlock group, with a reason)."""
        return self.env["pps.dispatch.week.lock"].action_unlock_week(
            workcenter_id, week_start, reason
        )

    @api.model
    def action_dry_run(self, week_start=None, filters=None, time_limit=None):
        """Reschedule as a dry run and return its summary and moves.

        Without filters every open manufacturing order of the company is in
        scope; with filters, the orders of the cards the board shows.

        The dry run goes to a queue_job job (``pps_scheduler.background``, see
        ``pps.schedule.run``): the answer is then ``{"run_id", "name",
        "state": "running"}`` at once, the bus tells the planner when it ends
        and :meth:`action_run_summary` gives its summary. Run in the request
        (the parameter at 0), the answer is the summary itself.
        """
        self._check_planner()
        productions = None
        if filters and any(
            filters.get(k)
            for k in (
                "workcenter_ids",
                "product_id",
                "partner_id",
                "rush_only",
                "late_only",
            )
        ):
            data = self.get_board_data(week_start, filters)
            ids = {
                card["production_id"]
                for row in data["workcenters"]
                for cell in row["cells"]
                for card in cell["cards"]
            }
            if not ids:
                raise UserError(self.env._("No work order matches the filters."))
            productions = self.env["mrp.production"].browse(sorted(ids))
        run = self.env["pps.schedule.run"].schedule(
            productions=productions,
            time_limit=time_limit,
            dry_run=True,
            trigger="board",
            background=True,
        )
        if run.state == "running":
            return {"run_id": run.id, "name": run.name, "state": run.state}
        return self._board_run_summary(run)

    @api.model
    def action_run_summary(self, run_id):
        """The summary of a schedule run (a dry run of the board that ended in
        the background), as :meth:`action_dry_run` returns it."""
        self._check_planner()
        run = self.env["pps.schedule.run"].browse(int(run_id)).exists()
        if not run:
            raise UserError(self.env._("This schedule run does not exist any more."))
        return self._board_run_summary(run)

    @api.model
    def action_apply_run(self, run_id):
        """Apply a dry run made from the board; returns the applied run's summary."""
        self._check_planner()
        run = self.env["pps.schedule.run"].browse(int(run_id)).exists()
        if not run:
            raise UserError(self.env._("This schedule run does not exist any more."))
        action = run.action_apply()
        applied = self.env["pps.schedule.run"].browse(action["res_id"])
        return self._board_run_summary(applied)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _check_planner(self):
        check_planner(
            self.env, self.env._("Only production planners can use the dispatch board.")
        )

    @api.model
    def _board_capacity(self, workcenters, monday, hours=None):
        """{(workcenter id, day): working minutes}, one call per calendar.

        :param hours: optional dict; receives ``"work"``: the (start, end)
            minutes of the local day of every working interval (the time axis)
        """
        capacity = defaultdict(float)
        by_calendar = defaultdict(lambda: self.env["mrp.workcenter"])
        for workcenter in workcenters.filtered("resource_calendar_id"):
            by_calendar[workcenter.resource_calendar_id] |= workcenter
        for calendar, centers in by_calendar.items():
            # the calendar's own zone: the rule of planning_tz for its centers
            tz = pytz.timezone(planning_tz(self.env, centers[:1]))
            start = tz.localize(datetime.combine(monday, time.min))
            stop = tz.localize(datetime.combine(monday + timedelta(days=7), time.min))
            intervals = calendar._work_intervals_batch(
                start, stop, resources=centers.resource_id, tz=tz
            )
            for workcenter in centers:
                for begin, end, _records in intervals[workcenter.resource_id.id]:
                    begin, end = begin.astimezone(tz), end.astimezone(tz)
                    # Intervals never cross midnight in a calendar's own zone,
                    # but split anyway to stay correct for 24-hour calendars.
                    while begin < end:
                        midnight = tz.localize(
                            datetime.combine(begin.date() + timedelta(days=1), time.min)
                        )
                        piece = min(end, midnight)
                        minutes = (piece - begin).total_seconds() / 60.0
                        capacity[(workcenter.id, begin.date())] += minutes
                        if hours is not None:
                            first = begin.hour * 60 + begin.minute
                            hours.setdefault("work", []).append(
                                (first, first + minutes)
                            )
                        begin = piece
        return capacity

    @api.model
    def _board_workorders(self, workcenters, monday):
        """Open work orders of ``workcenters`` starting around the week (one read)."""
        start = datetime.combine(monday, time.min) - timedelta(days=1)
        stop = datetime.combine(monday + timedelta(days=8), time.min)
        return self.env["mrp.workorder"].search_read(
            [
                ("workcenter_id", "in", workcenters.ids),
                ("state", "in", BOARD_WORKORDER_STATES),
                ("production_id.state", "in", BOARD_PRODUCTION_STATES),
                ("date_start", ">=", start),
                ("date_start", "<", stop),
            ],
            WORKORDER_FIELDS,
        )

    @api.model
    def _board_productions(self, workorders):
        """{production id: dict} with the sale order facts the cards need."""
        ids = list({row["production_id"][0] for row in workorders})
        productions = self.env["mrp.production"].browse(ids).sudo()
        rows = productions.read(
            [
                "name",
                "date_finished",
                "pps_locked",
                "pps_sale_order_id",
                "pps_late_cause",
                "pps_late_reason",
            ]
        )
        order_ids = list(
            {r["pps_sale_order_id"][0] for r in rows if r["pps_sale_order_id"]}
        )
        orders = {
            o["id"]: o
            for o in self.env["sale.order"]
            .sudo()
            .browse(order_ids)
            .read(["name", "partner_id", "commitment_date", "pps_locked"])
        }
        result = {}
        for row in rows:
            order = orders.get(row["pps_sale_order_id"] and row["pps_sale_order_id"][0])
            result[row["id"]] = {**row, "order": order}
        return result

    @api.model
    def _board_card(self, row, productions, week_locks, workcenter, monday):
        production = productions[row["production_id"][0]]
        order = production["order"]
        commitment = order and order["commitment_date"]
        late = bool(
            commitment
            and production["date_finished"]
            and production["date_finished"] > commitment
        )
        return {
            "id": row["id"],
            "name": row["name"],
            "production_id": production["id"],
            "production_name": production["name"],
            "product_id": row["product_id"][0],
            "product_name": row["product_id"][1],
            "quantity": row["qty_remaining"],
            "uom": row["product_uom_id"] and row["product_uom_id"][1],
            "duration": round(row["duration_expected"] or 0.0),
            # minutes of changeover the plan puts right before it (0: none)
            "changeover_minutes": row["pps_changeover_minutes"] or 0,
            # operators and fixtures it holds while it runs ("" : none)
            "secondary": row["pps_secondary_summary"] or "",
            "date_start": fields.Datetime.to_string(row["date_start"]),
            "date_finished": fields.Datetime.to_string(row["date_finished"]),
            "state": row["state"],
            "rush": row["pps_rush"],
            "serial": row["pps_serial"],
            "frozen": row["pps_frozen"],
            "locked": bool(production["pps_locked"] or (order and order["pps_locked"])),
            "week_locked": (workcenter.id, monday) in week_locks,
            "late": late or bool(production["pps_late_cause"]),
            "late_cause": production["pps_late_cause"] or False,
            "late_reason": production["pps_late_reason"] or False,
            "sale_order_id": order and order["id"],
            "sale_order_name": order and order["name"],
            "partner_id": order and order["partner_id"] and order["partner_id"][0],
            "customer": order and order["partner_id"] and order["partner_id"][1],
            "commitment_date": commitment and fields.Datetime.to_string(commitment),
        }

    @api.model
    def _board_card_matches(self, card, filters):
        if filters.get("product_id") and card["product_id"] != int(
            filters["product_id"]
        ):
            return False
        if filters.get("partner_id") and card["partner_id"] != int(
            filters["partner_id"]
        ):
            return False
        if filters.get("rush_only") and not card["rush"]:
            return False
        return not (filters.get("late_only") and not card["late"])

    @api.model
    def _board_card_order(self, card):
        """Dispatch order in a cell: serial (none last), then planned start."""
        return (not card["serial"], card["serial"], card["date_start"], card["id"])

    @api.model
    def _board_options(self, names):
        return [
            {"id": key, "name": name}
            for key, name in sorted(names.items(), key=lambda item: item[1] or "")
        ]

    @api.model
    def _board_production(self, workorder_id, production_id):
        if workorder_id:
            workorder = self.env["mrp.workorder"].browse(int(workorder_id)).exists()
            if not workorder:
                raise UserError(self.env._("This work order does not exist any more."))
            workorder.check_access("read")
            return workorder.production_id
        production = self.env["mrp.production"].browse(int(production_id or 0)).exists()
        if not production:
            raise UserError(
                self.env._("This manufacturing order does not exist any more.")
            )
        production.check_access("read")
        return production

    @api.model
    def _board_cell_key(self, workorder):
        if not workorder.date_start:
            return None
        tz = planning_tz(self.env, workorder.workcenter_id)
        return (workorder.workcenter_id.id, local_date(workorder.date_start, tz))

    @api.model
    def _board_cell_workorders(self, workorder):
        """Open work orders of the same cell, in board order."""
        _workcenter, day = self._board_cell_key(workorder)
        monday = monday_of(day)
        rows = self._board_workorders(workorder.workcenter_id, monday)
        tz = planning_tz(self.env, workorder.workcenter_id)
        rows = [r for r in rows if local_date(r["date_start"], tz) == day]
        rows.sort(
            key=lambda r: self._board_card_order(
                {
                    "serial": r["pps_serial"],
                    "date_start": fields.Datetime.to_string(r["date_start"]),
                    "id": r["id"],
                }
            )
        )
        return self.env["mrp.workorder"].browse([r["id"] for r in rows])

    @api.model
    def _write_serials(self, changes):
        """Write ``{sale order: serial}``; a locked order refuses, nothing is written.

        The board's planner writes through ``sudo()`` only to pass the sales
        group check of the serial; the execution lock still applies to him.
        """
        locked = [o for o, s in changes.items() if o.pps_locked and o.pps_serial != s]
        if locked:
            raise UserError(
                self.env._(
                    "%(orders)s under the execution lock: the serial cannot change. "
                    "Ask the unlock group to unlock the order with a reason.",
                    orders=", ".join(o.display_name for o in locked),
                )
            )
        for order, serial in changes.items():
            order.write({"pps_serial": serial})

    @api.model
    def _board_open_orders_domain(self, order):
        """Open sale orders of ``order``'s company, ``order`` itself excluded:
        not cancelled and not fully delivered."""
        return [
            ("company_id", "=", order.company_id.id),
            ("state", "in", OPEN_ORDER_STATES),
            ("delivery_status", "!=", "full"),
            ("id", "!=", order.id),
        ]

    @api.model
    def _board_serial_holders(self, order, serials):
        """{serial: other open order's name} for the ``serials`` already taken."""
        serials = [s for s in serials if s > 0]
        if not serials:
            return {}
        rows = (
            self.env["sale.order"]
            .sudo()
            .search_read(
                self._board_open_orders_domain(order) + [("pps_serial", "in", serials)],
                ["name", "pps_serial"],
            )
        )
        return {row["pps_serial"]: row["name"] for row in rows}

    @api.model
    def _board_free_serial(self, order, low, high):
        """A serial strictly between ``low`` and ``high`` (None: no upper
        bound) that no other open order of the company holds, the nearest to
        the middle (the lower of two); ``order``'s own serial when it fits;
        None when there is none."""
        fits = low < order.pps_serial and (high is None or order.pps_serial < high)
        if fits and not self._board_serial_holders(order, [order.pps_serial]):
            return order.pps_serial
        domain = self._board_open_orders_domain(order) + [("pps_serial", ">", low)]
        if high is not None:
            domain.append(("pps_serial", "<", high))
        taken = {
            row["pps_serial"]
            for row in self.env["sale.order"].sudo().search_read(domain, ["pps_serial"])
        }
        if high is None:
            serial = low + 1
            while serial in taken:
                serial += 1
            return serial
        free = [s for s in range(low + 1, high) if s not in taken]
        if not free:
            return None
        middle = (low + high) / 2
        return min(free, key=lambda s: (abs(s - middle), s))

    @api.model
    def _board_check_week_lock(self, order):
        """Refuse a serial change of ``order`` while any of its open work lies
        in a locked week: the serial orders that work."""
        Lock = self.env["pps.dispatch.week.lock"]
        keys = Lock._current_keys()
        if not keys:
            return
        workorders = (
            self.env["mrp.production"]
            .sudo()
            .search(
                [
                    ("pps_sale_order_id", "=", order.id),
                    ("state", "in", BOARD_PRODUCTION_STATES),
                ]
            )
            .workorder_ids.filtered(lambda w: w.state in BOARD_WORKORDER_STATES)
        )
        for workorder in workorders:
            key = Lock._week_key(workorder.workcenter_id, workorder.date_start)
            if key in keys:
                raise UserError(
                    self.env._(
                        "%(mo)s of %(order)s is planned on %(workcenter)s in the "
                        "locked week of %(week)s: the order's serial cannot change. "
                        "Ask the unlock group to unlock the week with a reason.",
                        mo=workorder.production_id.display_name,
                        order=order.display_name,
                        workcenter=workorder.workcenter_id.display_name,
                        week=fields.Date.to_string(key[1]),
                    )
                )

    @api.model
    def _board_change_serial(self, order, serial, note):
        """Write ``order``'s new serial (checked: lock, week lock), note it on
        its chatter and return what the board shows."""
        self._board_check_week_lock(order)
        old = order.pps_serial
        self._write_serials({order: serial})
        order.message_post(body=note, subtype_xmlid="mail.mt_note")
        return {
            "sale_order": order.display_name,
            "serial": serial,
            "changed": [{"sale_order": order.display_name, "old": old, "new": serial}],
            "message": self.env._(
                "%(order)s: serial %(old)s → %(new)s. The plan follows it at the "
                "next re-plan.",
                order=order.display_name,
                old=old,
                new=serial,
            ),
            "replan": True,
        }

    @api.model
    def _preview_threshold(self):
        """Minutes a dry run's move must shift a start by to be listed."""
        return self.env["pps.schedule.run"]._minutes_param(
            "pps_scheduler.preview_threshold", DEFAULT_PREVIEW_THRESHOLD
        )

    @api.model
    def _board_card_minutes(self, row, workcenter, day):
        """Start and end of a work order as minutes of its local start day
        (the end capped at midnight), for the time axis."""
        tz = pytz.timezone(planning_tz(self.env, workcenter))
        midnight = tz.localize(datetime.combine(day, time.min))
        start = pytz.utc.localize(row["date_start"]).astimezone(tz)
        first = (start - midnight).total_seconds() / 60.0
        if row["date_finished"]:
            end = pytz.utc.localize(row["date_finished"]).astimezone(tz)
            last = (end - midnight).total_seconds() / 60.0
        else:
            last = first + (row["duration_expected"] or 0.0)
        return {
            "start_minute": round(first),
            "end_minute": round(min(max(last, first), 24 * 60)),
        }

    @api.model
    def _board_axis(self, hours):
        """The time axis of a day: whole hours around the working time of the
        calendars and the work shown (06:00-22:00 when there is neither)."""
        spans = hours.get("work", []) + hours.get("cards", [])
        if not spans:
            return {"start": 6 * 60, "end": 22 * 60}
        first = min(s for s, _e in spans)
        last = max(e for _s, e in spans)
        start = int(first // 60) * 60
        end = min(24 * 60, -int(-last // 60) * 60)
        if end - start < 60:
            end = min(24 * 60, start + 60)
            start = end - 60
        return {"start": start, "end": end}

    @api.model
    def _board_run_summary(self, run):
        """A run for the board: its counts, its material moves (listed and
        drawn on the grid) and the number of small moves hidden.

        A move is material when its work order changes work center, is newly
        planned, or its start shifts by the threshold or more
        (:meth:`_preview_threshold` minutes).
        """
        threshold = self._preview_threshold()
        lines = run.line_ids.filtered(lambda line: line.record_type == "workorder")
        material = lines.filtered(lambda line: line._pps_is_significant(threshold))
        return {
            "id": run.id,
            "run_id": run.id,
            "name": run.name,
            "state": run.state,
            "dry_run": run.dry_run,
            "applied": run.applied,
            "solver_status": run.solver_status or False,
            "moved_count": run.moved_count,
            "late_count": run.late_count,
            "message": run.message or "",
            "threshold": threshold,
            "hidden_count": len(lines) - len(material),
            "moves": [self._board_move(line) for line in material],
        }

    @api.model
    def _board_move(self, line):
        """One listed move, with the cells it leaves and enters (local days
        of the work centers) and its new place on the day's time axis."""
        workorder = line.workorder_id
        old_wc, new_wc = line.old_workcenter_id, line.new_workcenter_id

        def day_of(workcenter, moment):
            if not (workcenter and moment):
                return False
            return fields.Date.to_string(
                local_date(moment, planning_tz(self.env, workcenter))
            )

        move = {
            "id": line.id,
            "workorder": workorder.display_name,
            "workorder_id": workorder.id,
            "workorder_name": workorder.name or "",
            "production": line.production_id.display_name,
            "production_id": line.production_id.id,
            "product_name": workorder.product_id.display_name or "",
            "old_workcenter": old_wc.display_name,
            "new_workcenter": new_wc.display_name,
            "old_workcenter_id": old_wc.id,
            "new_workcenter_id": new_wc.id,
            "old_date_start": fields.Datetime.to_string(line.old_date_start),
            "new_date_start": fields.Datetime.to_string(line.new_date_start),
            "new_date_finished": fields.Datetime.to_string(line.new_date_finished),
            "old_day": day_of(old_wc, line.old_date_start),
            "new_day": day_of(new_wc, line.new_date_start),
            "shift_minutes": line.shift_minutes,
            "start_minute": 0,
            "end_minute": 0,
        }
        if new_wc and line.new_date_start:
            move.update(
                self._board_card_minutes(
                    {
                        "date_start": line.new_date_start,
                        "date_finished": line.new_date_finished,
                        "duration_expected": workorder.duration_expected,
                    },
                    new_wc,
                    fields.Date.to_date(move["new_day"]),
                )
            )
        return move
