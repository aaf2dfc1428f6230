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
    start that day (filters hide cards, never load). A card is late when its
    manufacturing order finishes after its sale order's commitment date.
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
]


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
            [{"date", "capacity", "reserve", "load", "rush_load", "over",
            "cards": [...]}]}], "options": {...}, "can_unlock", "totals"}``
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

        capacity = self._board_capacity(workcenters, monday)
        workorders = self._board_workorders(workcenters, monday)
        productions = self._board_productions(workorders)
        week_locks = self.env["pps.dispatch.week.lock"]._locked_keys(
            workcenters, monday, monday
        )

        # Load of every cell (all work), cards of the cell (filtered work).
        by_id = {wc.id: wc for wc in workcenters}
        cells = defaultdict(lambda: {"load": 0.0, "rush_load": 0.0, "cards": []})
        products, customers = {}, {}
        late_total = 0
        for row in workorders:
            workcenter = by_id[row["workcenter_id"][0]]
            day = local_date(row["date_start"], planning_tz(self.env, workcenter))
            if day not in days:
                continue
            cell = cells[(workcenter.id, day)]
            cell["load"] += row["duration_expected"] or 0.0
            if row["pps_rush"]:
                cell["rush_load"] += row["duration_expected"] or 0.0
            card = self._board_card(row, productions, week_locks, workcenter, monday)
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
                        # Standard work may not eat into the rush reserve.
                        "over": cell["load"] > minutes
                        or (cell["load"] - cell["rush_load"]) > minutes - reserve,
                        "cards": cell["cards"],
                    }
                )
            rows.append(
                {
                    "id": workcenter.id,
                    "name": workcenter.display_name,
                    "locked": (workcenter.id, monday) in week_locks,
                    "capacity": sum(c["capacity"] for c in row_cells),
                    "load": sum(c["load"] for c in row_cells),
                    "cells": row_cells,
                }
            )
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

        The serial belongs to the sale order; a locked order refuses it.
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
        self._write_serials({order: serial})
        return {"sale_order": order.display_name, "serial": serial}

    @api.model
    def action_move_card(self, workorder_id, target_workorder_id, position="before"):
        """Reorder a cell by dragging ``workorder_id`` before/after another card.

        Dispatch order in a cell is the sale orders' serial, so the serials of
        the orders in that cell are renumbered to follow the new order. Only
        unlocked orders may change; if one would, nothing is written.
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
            return {"changed": []}
        key = self._board_cell_key(workorder)
        if key is None or key != self._board_cell_key(target):
            raise UserError(
                self.env._(
                    "Drag a card within its own cell to change the dispatch order; "
                    "dates and work centers are set by the scheduler."
                )
            )
        cell = self._board_cell_workorders(workorder)
        cell -= workorder
        ordered = list(cell)
        index = ordered.index(target) + (1 if position == "after" else 0)
        ordered.insert(index, workorder)
        orders = []
        for wo in ordered:
            order = wo.production_id.sudo().pps_sale_order_id
            if order and order not in orders:
                orders.append(order)
        serials = self._renumber([o.pps_serial for o in orders])
        changes = {
            o: s for o, s in zip(orders, serials, strict=True) if o.pps_serial != s
        }
        old = {o: o.pps_serial for o in changes}
        self._write_serials(changes)
        return {
            "changed": [
                {"sale_order": o.display_name, "old": old[o], "new": s}
                for o, s in changes.items()
            ]
        }

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
        )
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
    def _board_capacity(self, workcenters, monday):
        """{(workcenter id, day): working minutes}, one call per calendar."""
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
                        capacity[(workcenter.id, begin.date())] += (
                            piece - begin
                        ).total_seconds() / 60.0
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
    def _renumber(self, serials):
        """New serials, strictly increasing in list order.

        The orders keep the serial values they had between them when those
        are distinct and set; otherwise they are numbered from the smallest.
        """
        positive = sorted(s for s in serials if s > 0)
        if len(positive) == len(serials) and len(set(positive)) == len(positive):
            return positive
        start = positive[0] if positive else 1
        return list(range(start, start + len(serials)))

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
    def _board_run_summary(self, run):
        lines = run.line_ids.filtered(lambda line: line.record_type == "workorder")
        return {
            "id": run.id,
            "name": run.name,
            "state": run.state,
            "dry_run": run.dry_run,
            "applied": run.applied,
            "solver_status": run.solver_status or False,
            "moved_count": run.moved_count,
            "late_count": run.late_count,
            "message": run.message or "",
            "moves": [
                {
                    "id": line.id,
                    "workorder": line.workorder_id.display_name,
                    "production": line.production_id.display_name,
                    "production_id": line.production_id.id,
                    "old_workcenter": line.old_workcenter_id.display_name,
                    "new_workcenter": line.new_workcenter_id.display_name,
                    "old_date_start": fields.Datetime.to_string(line.old_date_start),
                    "new_date_start": fields.Datetime.to_string(line.new_date_start),
                    "shift_minutes": line.shift_minutes,
                }
                for line in lines
            ],
        }
