"""The planners' dispatch board on the server: its data endpoint and its rules.

The board (client action ``pps_dispatch_board``) only draws what
``pps.dispatch.board.get_board_data`` returns and only changes things through
the board's ``action_*`` methods, so these tests drive those methods the way
the browser does, as a planner and as a salesperson, on a small plant: two work
centers on a Monday-to-Friday 08:00-16:00 (UTC) calendar, a product routed
Cut (120 min) then Weld (60 min), and three sale orders with one MO each,
planned on the Tuesday of a week two weeks ahead.
"""

import json
from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests.common import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.pps_coordination_scheduler.models.pps_dispatch_week_lock import (
    monday_of,
)

from .common import (
    PLANNER_GROUPS,
    SALES_GROUPS,
    DispatchBoardPlant,
)

#: The unlock privilege alone (the coordination fixture's unlock user is a
#: sales coordinator too).
UNLOCK_GROUPS = "base.group_user,pps_coordination.group_pps_unlock"


class DispatchBoardCase(DispatchBoardPlant, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env["res.users"])
        monday = today - timedelta(days=today.weekday()) + timedelta(days=14)
        cls._setup_plant(monday)
        cls.planner = mail_new_test_user(
            cls.env,
            login="board_planner",
            name="Board Planner",
            groups=PLANNER_GROUPS,
            tz="UTC",
        )
        cls.salesman = mail_new_test_user(
            cls.env,
            login="board_sales",
            name="Board Sales",
            groups=SALES_GROUPS,
            tz="UTC",
        )
        cls.unlocker = mail_new_test_user(
            cls.env,
            login="board_unlock",
            name="Board Unlock",
            groups=UNLOCK_GROUPS,
            tz="UTC",
        )

    def _board(self, user=None, **filters):
        return (
            self.env["pps.dispatch.board"]
            .with_user(user or self.planner)
            .get_board_data(
                week_start=fields.Date.to_string(self.monday), filters=filters
            )
        )

    def _row(self, data, workcenter):
        return next(r for r in data["workcenters"] if r["id"] == workcenter.id)

    def _cell(self, data, workcenter, day):
        row = self._row(data, workcenter)
        return next(c for c in row["cells"] if c["date"] == fields.Date.to_string(day))

    def _cell_productions(self, data, workcenter, day):
        return [c["production_id"] for c in self._cell(data, workcenter, day)["cards"]]

    def _cut(self, production):
        return production.workorder_ids.filtered(
            lambda w: w.workcenter_id == self.wc_cut
        )

    def _weld(self, production):
        return production.workorder_ids.filtered(
            lambda w: w.workcenter_id == self.wc_weld
        )


class TestDispatchBoardData(DispatchBoardCase):
    def test_endpoint_shape_is_json_ready(self):
        """The client draws the week from one call: it must be plain JSON with
        the week, its seven days and one row per work center."""
        data = self._board()
        json.dumps(data)  # raises if anything is not JSON-ready
        self.assertEqual(data["week_start"], fields.Date.to_string(self.monday))
        self.assertEqual(
            data["prev_week"], fields.Date.to_string(self.monday - timedelta(days=7))
        )
        self.assertEqual(len(data["days"]), 7)
        ids = [r["id"] for r in data["workcenters"]]
        self.assertIn(self.wc_cut.id, ids)
        self.assertIn(self.wc_weld.id, ids)
        for row in data["workcenters"]:
            self.assertEqual(len(row["cells"]), 7)

    def test_any_day_shows_its_week(self):
        """Asking for a Thursday shows the week starting on its Monday."""
        data = (
            self.env["pps.dispatch.board"]
            .with_user(self.planner)
            .get_board_data(
                week_start=fields.Date.to_string(self.monday + timedelta(days=3))
            )
        )
        self.assertEqual(data["week_start"], fields.Date.to_string(self.monday))

    def test_capacity_reserve_and_load_per_cell(self):
        """A cell's capacity is the calendar's working minutes minus time off,
        the reserve is the company's rush share of it, and the load is the
        work planned that day (rush work counted apart)."""
        data = self._board()
        tuesday = self._cell(data, self.wc_cut, self.tuesday)
        self.assertEqual(tuesday["capacity"], 480)
        self.assertEqual(tuesday["reserve"], 96)
        self.assertEqual(tuesday["load"], 360)
        self.assertEqual(tuesday["rush_load"], 120)
        # 360 - 120 standard minutes fit in 480 - 96: not over.
        self.assertFalse(tuesday["over"])
        wednesday = self._cell(data, self.wc_cut, self.monday + timedelta(days=2))
        self.assertEqual(
            wednesday["capacity"], 240, "the maintenance leave is deducted"
        )
        self.assertEqual(
            self._cell(data, self.wc_weld, self.monday + timedelta(days=2))["capacity"],
            480,
        )
        saturday = self._cell(data, self.wc_cut, self.monday + timedelta(days=5))
        self.assertEqual((saturday["capacity"], saturday["load"]), (0, 0))

    def test_over_reserve_is_flagged(self):
        """Standard work that eats into the rush reserve marks the cell as over."""
        self.company.pps_rush_capacity_share = 0.6  # 288 reserved, 192 standard
        tuesday = self._cell(self._board(), self.wc_cut, self.tuesday)
        self.assertEqual(tuesday["reserve"], 288)
        self.assertTrue(tuesday["over"], "240 standard minutes exceed the 192 allowed")

    def test_cards_in_their_cell_in_serial_order(self):
        """Cards sit in the cell of their work center and start day, ordered by
        serial, and carry what the planner needs to see."""
        data = self._board()
        self.assertEqual(
            self._cell_productions(data, self.wc_cut, self.tuesday),
            [self.mo_b.id, self.mo_a.id, self.mo_c.id],
        )
        self.assertEqual(
            self._cell_productions(data, self.wc_weld, self.tuesday),
            [self.mo_b.id, self.mo_a.id, self.mo_c.id],
        )
        self.assertFalse(self._cell(data, self.wc_cut, self.monday)["cards"])
        card = self._cell(data, self.wc_cut, self.tuesday)["cards"][0]
        self.assertEqual(card["id"], self._cut(self.mo_b).id)
        self.assertEqual(card["production_name"], self.mo_b.name)
        self.assertEqual(card["product_name"], self.product.display_name)
        self.assertEqual(card["quantity"], 1.0)
        self.assertEqual(card["duration"], 120)
        self.assertEqual(card["serial"], 1)
        self.assertTrue(card["rush"])
        self.assertFalse(card["locked"])
        self.assertFalse(card["week_locked"])
        self.assertFalse(card["frozen"], "two weeks ahead is outside the frozen zone")
        self.assertEqual(card["customer"], self.customer_one.display_name)

    def test_busiest_work_centers_first(self):
        """Rows come by the week's load, the busiest first; a work center
        without work comes last and says it is empty."""
        idle = self._create_workcenter("Board Idle")
        # Odoo's own order (sequence) would put them the other way round.
        idle.sequence, self.wc_weld.sequence, self.wc_cut.sequence = 1, 2, 3
        self.assertEqual(
            self.env["mrp.workcenter"].search([("name", "like", "Board")]).ids,
            [idle.id, self.wc_weld.id, self.wc_cut.id],
        )
        data = self._board()
        ids = [r["id"] for r in data["workcenters"]]
        self.assertLess(ids.index(self.wc_cut.id), ids.index(self.wc_weld.id))
        self.assertLess(ids.index(self.wc_weld.id), ids.index(idle.id))
        rows = {r["id"]: r for r in data["workcenters"]}
        self.assertEqual(
            [(rows[w.id]["load"], rows[w.id]["empty"]) for w in (self.wc_cut, idle)],
            [(360, False), (0, True)],
        )
        self.assertEqual(rows[self.wc_weld.id]["cards_count"], 3)
        loads = [r["load"] for r in data["workcenters"] if not r["empty"]]
        self.assertEqual(loads, sorted(loads, reverse=True))

    def test_time_axis(self):
        """Cards carry their start and end as minutes of their day; the axis
        spans the whole hours of the calendars' working time."""
        data = self._board()
        self.assertEqual(data["axis"], {"start": 8 * 60, "end": 16 * 60})
        cards = {
            c["production_id"]: c
            for c in self._cell(data, self.wc_cut, self.tuesday)["cards"]
        }
        self.assertEqual(
            (cards[self.mo_a.id]["start_minute"], cards[self.mo_a.id]["end_minute"]),
            (8 * 60, 10 * 60),
        )
        self.assertEqual(cards[self.mo_c.id]["start_minute"], 13 * 60)

    def test_late_flag(self):
        """Work whose MO finishes after its order's commitment date is late."""
        data = self._board()
        late = {
            c["production_id"]: c["late"]
            for c in self._cell(data, self.wc_cut, self.tuesday)["cards"]
        }
        self.assertEqual(
            late, {self.mo_a.id: False, self.mo_b.id: True, self.mo_c.id: False}
        )
        self.assertEqual(data["totals"]["late"], 2, "B's cut and weld cards")

    def test_filters(self):
        """Each filter keeps only matching cards; hidden cards still load the cell."""
        cases = {
            "customer": ({"partner_id": self.customer_two.id}, [self.mo_c.id]),
            "product": ({"product_id": self.product.id}, [self.mo_b.id, self.mo_a.id]),
            "rush": ({"rush_only": True}, [self.mo_b.id]),
            "late": ({"late_only": True}, [self.mo_b.id]),
        }
        for name, (filters, expected) in cases.items():
            with self.subTest(filter=name):
                data = self._board(**filters)
                self.assertEqual(
                    self._cell_productions(data, self.wc_cut, self.tuesday), expected
                )
                self.assertEqual(
                    self._cell(data, self.wc_cut, self.tuesday)["load"], 360
                )
        data = self._board(workcenter_ids=[self.wc_weld.id])
        self.assertEqual([r["id"] for r in data["workcenters"]], [self.wc_weld.id])
        self.assertIn(
            {"id": self.customer_two.id, "name": self.customer_two.display_name},
            data["options"]["customers"],
        )

    def test_endpoint_reads_in_batches(self):
        """The endpoint's query count does not grow with the number of cards."""
        board = self.env["pps.dispatch.board"].with_user(self.planner)
        board.get_board_data(week_start=fields.Date.to_string(self.monday))
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        board.get_board_data(week_start=fields.Date.to_string(self.monday))
        few = self.cr.sql_log_count - before
        for serial in (4, 5, 6):
            _order, production = self._create_order(
                self.customer_two, self.product, serial, self._at(self.tuesday, 15)
            )
            self._plan(production, self.tuesday, 9)
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        data = board.get_board_data(week_start=fields.Date.to_string(self.monday))
        many = self.cr.sql_log_count - before
        self.assertEqual(len(self._cell(data, self.wc_cut, self.tuesday)["cards"]), 6)
        self.assertLessEqual(many, few + 3, "no query per card")


class TestDispatchBoardSerial(DispatchBoardCase):
    def test_serial_change_moves_the_card(self):
        """Editing a card's serial sets its sale order's serial and the card
        takes its new place in the cell."""
        self.env["pps.dispatch.board"].with_user(self.planner).action_set_serial(
            9, workorder_id=self._cut(self.mo_a).id
        )
        self.assertEqual(self.order_a.pps_serial, 9)
        self.assertEqual(self._cut(self.mo_a).pps_serial, 9)
        self.assertEqual(
            self._cell_productions(self._board(), self.wc_cut, self.tuesday),
            [self.mo_b.id, self.mo_c.id, self.mo_a.id],
        )

    def test_bad_serial_is_refused(self):
        """A negative or non-numeric serial is refused with a clear message."""
        board = self.env["pps.dispatch.board"].with_user(self.planner)
        for bad in (-1, "abc"):
            with self.subTest(serial=bad), self.assertRaises(UserError):
                board.action_set_serial(bad, production_id=self.mo_a.id)
        self.assertEqual(self.order_a.pps_serial, 2)

    def _gaps(self):
        """Serials with room between them: B 10, A 20, C 30 (cell order B, A, C)."""
        self.order_b.pps_serial = 10
        self.order_a.pps_serial = 20
        self.order_c.pps_serial = 30

    def _serials(self, *orders):
        orders = orders or (self.order_a, self.order_b, self.order_c)
        return tuple(o.pps_serial for o in orders)

    def _move(self, card, target, position="before", user=None):
        return (
            self.env["pps.dispatch.board"]
            .with_user(user or self.planner)
            .action_move_card(card.id, target.id, position)
        )

    def test_move_changes_only_the_moved_order(self):
        """Moving C before A gives C (and no other order) a free serial between
        B's and A's, the nearest to their middle, skipping a serial another
        open order holds; the card takes its place; the chatter says so."""
        self._gaps()
        order_d, _mo_d = self._create_order(
            self.customer_two, self.product, 15, self._at(self.tuesday, 15)
        )
        result = self._move(self._cut(self.mo_c), self._cut(self.mo_a))
        self.assertEqual(
            self._serials(self.order_b, self.order_c, self.order_a, order_d),
            (10, 14, 20, 15),
        )
        self.assertEqual(
            result["changed"],
            [{"sale_order": self.order_c.display_name, "old": 30, "new": 14}],
        )
        self.assertTrue(result["replan"], "the board offers to re-plan now")
        self.assertIn(self.order_c.display_name, result["message"])
        self.assertEqual(
            self._cell_productions(self._board(), self.wc_cut, self.tuesday),
            [self.mo_b.id, self.mo_c.id, self.mo_a.id],
        )
        note = self.order_c.message_ids.filtered(
            lambda m: "dispatch board" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn("30 → 14", note.body)
        self.assertIn(self.mo_a.display_name, note.body)
        self.assertEqual(note.author_id, self.planner.partner_id)

    def test_move_after_the_last_card(self):
        """Moving A after C gives A the first free serial after C's."""
        self._gaps()
        self._create_order(
            self.customer_two, self.product, 31, self._at(self.monday, 9)
        )
        self._move(self._cut(self.mo_a), self._cut(self.mo_c), "after")
        self.assertEqual(self._serials(), (32, 10, 30))
        self.assertEqual(
            self._cell_productions(self._board(), self.wc_cut, self.tuesday),
            [self.mo_b.id, self.mo_c.id, self.mo_a.id],
        )

    def test_no_free_serial_is_refused(self):
        """Between serials 1 and 2 no whole number is free, nor before serial
        1: the move is refused with the reason, and nothing is written."""
        for target, pattern in (
            (self._cut(self.mo_a), "No free serial between"),
            (self._cut(self.mo_b), "No free serial before"),
        ):
            with self.subTest(target=target.display_name):
                with self.assertRaisesRegex(UserError, pattern):
                    self._move(self._cut(self.mo_c), target)
                self.assertEqual(self._serials(), (2, 1, 3))

    def test_no_place_between_the_cards_of_one_order(self):
        """A's two MOs share A's serial: C cannot go between them, and the
        message says so instead of asking for a serial between 2 and 2."""
        second = self.env["mrp.production"].create(
            {
                "product_id": self.product.id,
                "product_qty": 1.0,
                "bom_id": self.mo_a.bom_id.id,
                "sale_line_id": self.order_a.order_line.id,
            }
        )
        second.action_confirm()
        self.assertEqual(second.pps_sale_order_id, self.order_a)
        self._plan(second, self.tuesday, 11)
        cell = self._cell_productions(self._board(), self.wc_cut, self.tuesday)
        self.assertEqual(cell, [self.mo_b.id, self.mo_a.id, second.id, self.mo_c.id])
        with self.assertRaisesRegex(
            UserError, f"The cards of {self.order_a.name} share its serial 2"
        ):
            self._move(self._cut(self.mo_c), self._cut(second))
        self.assertEqual(self._serials(), (2, 1, 3))

    def test_serials_stay_unique(self):
        """No move nor edit gives an order a serial another open order of the
        company holds; a cancelled order's serial is free again."""
        self._gaps()
        board = self.env["pps.dispatch.board"].with_user(self.planner)
        with self.assertRaisesRegex(UserError, "belongs to"):
            board.action_set_serial(10, workorder_id=self._cut(self.mo_a).id)
        cancelled = self.env["sale.order"].create(
            {"partner_id": self.customer_two.id, "pps_serial": 7}
        )
        cancelled.action_cancel()
        result = board.action_set_serial(7, workorder_id=self._cut(self.mo_a).id)
        self.assertEqual(self.order_a.pps_serial, 7)
        self.assertTrue(result["replan"])
        for _i in range(3):  # back and forth: never a duplicate
            self._move(self._cut(self.mo_c), self._cut(self.mo_a))
            self._move(self._cut(self.mo_a), self._cut(self.mo_c), "after")
        serials = self._serials()
        self.assertEqual(len(set(serials)), 3, serials)

    def test_order_without_serial_moves_in(self):
        """An order without a serial (dispatched last) moved after a card
        takes the next free serial; a card cannot be put after work without
        a serial."""
        self.order_c.pps_serial = 0
        self._move(self._cut(self.mo_c), self._cut(self.mo_a), "after")
        self.assertEqual(self._serials(), (2, 1, 3))
        self.order_c.pps_serial = 0
        with self.assertRaisesRegex(UserError, "has no serial"):
            self._move(self._cut(self.mo_a), self._cut(self.mo_c), "after")
        self.assertEqual(self._serials(), (2, 1, 0))

    def test_drag_to_another_cell_is_refused(self):
        """Dragging only reorders a cell; dates are the scheduler's job."""
        with self.assertRaises(UserError):
            self.env["pps.dispatch.board"].with_user(self.planner).action_move_card(
                self._cut(self.mo_a).id, self._weld(self.mo_b).id, "before"
            )

    def test_locked_order_refuses_its_serial(self):
        """A locked sale order's serial cannot change from the board, by edit or
        by move, and a refused move writes nothing at all."""
        self._gaps()
        self.order_c.with_user(self.planner).action_pps_lock()
        board = self.env["pps.dispatch.board"].with_user(self.planner)
        with self.assertRaisesRegex(UserError, "execution lock"):
            board.action_set_serial(7, workorder_id=self._cut(self.mo_c).id)
        with self.assertRaisesRegex(UserError, "execution lock"):
            self._move(self._cut(self.mo_c), self._cut(self.mo_a))
        self.assertEqual(self._serials(), (20, 10, 30))
        cards = self._cell(self._board(), self.wc_cut, self.tuesday)["cards"]
        self.assertTrue(
            next(c for c in cards if c["production_id"] == self.mo_c.id)["locked"]
        )

    def test_locked_week_refuses_serial_changes(self):
        """While the cutting week is locked, no serial of an order with work in
        it changes, by move or by edit, from either of its cells."""
        self._gaps()
        self.env["pps.dispatch.board"].with_user(self.planner).action_lock_week(
            self.wc_cut.id, fields.Date.to_string(self.monday)
        )
        board = self.env["pps.dispatch.board"].with_user(self.planner)
        with self.assertRaisesRegex(UserError, "locked week"):
            self._move(self._cut(self.mo_c), self._cut(self.mo_a))
        with self.assertRaisesRegex(UserError, "locked week"):
            self._move(self._weld(self.mo_c), self._weld(self.mo_a))
        with self.assertRaisesRegex(UserError, "locked week"):
            board.action_set_serial(25, workorder_id=self._cut(self.mo_c).id)
        self.assertEqual(self._serials(), (20, 10, 30))
        self.assertFalse(
            self.order_c.message_ids.filtered(
                lambda m: "dispatch board" in (m.body or "")
            )
        )

    def test_salesperson_cannot_move_cards(self):
        """The arrows are the planners': a salesperson is refused, nothing changes."""
        self._gaps()
        with self.assertRaises(AccessError):
            self._move(self._cut(self.mo_c), self._cut(self.mo_a), user=self.salesman)
        self.assertEqual(self._serials(), (20, 10, 30))

    def test_replan_now(self):
        """After a move the board re-plans at once: a real (applied) run of the
        board over every open order, whose summary the board shows."""
        self.env["ir.config_parameter"].sudo().set_param(
            "pps_scheduler.time_limit", "3"
        )
        self.env["ir.config_parameter"].sudo().set_param("pps_scheduler.workers", "1")
        self._gaps()
        self._move(self._cut(self.mo_c), self._cut(self.mo_a))
        board = self.env["pps.dispatch.board"]
        with self.assertRaises(AccessError):
            board.with_user(self.salesman).action_replan()
        summary = board.with_user(self.planner).action_replan()
        json.dumps(summary)
        run = self.env["pps.schedule.run"].browse(summary["id"])
        self.assertEqual(run.trigger, "board")
        self.assertFalse(run.dry_run)
        self.assertEqual(summary["state"], "done", summary["message"])
        self.assertFalse(summary["background"])
        self.assertLessEqual(self.mo_a | self.mo_b | self.mo_c, run.production_ids)

    def test_order_without_sale_order(self):
        """An MO made without a sale order has no serial to set."""
        production = self.env["mrp.production"].create(
            {"product_id": self.product.id, "product_qty": 1}
        )
        production.action_confirm()
        with self.assertRaises(UserError):
            self.env["pps.dispatch.board"].with_user(self.planner).action_set_serial(
                1, production_id=production.id
            )


class TestDispatchWeekLock(DispatchBoardCase):
    def _lock_weeks_up_to_the_board(self):
        """Lock cutting for every week from this one to the board's."""
        today = fields.Date.context_today(self.planner)
        board = self.env["pps.dispatch.board"].with_user(self.planner)
        week = monday_of(today)
        while week <= self.monday:
            board.action_lock_week(self.wc_cut.id, fields.Date.to_string(week))
            week += timedelta(days=7)

    def _lock(self, user=None, workcenter=None):
        return (
            self.env["pps.dispatch.board"]
            .with_user(user or self.planner)
            .action_lock_week(
                (workcenter or self.wc_cut).id, fields.Date.to_string(self.tuesday)
            )
        )

    def test_planner_locks_a_week_and_it_is_logged(self):
        """Locking stores the work center's Monday, shows on the board and is
        written to the lock log with the week in the reason."""
        self._lock()
        lock = self.env["pps.dispatch.week.lock"].search(
            [("workcenter_id", "=", self.wc_cut.id)]
        )
        self.assertEqual(lock.week_start, self.monday)
        self.assertEqual(lock.locked_by_id, self.planner)
        log = self.env["pps.lock.log"].search(
            [("res_model", "=", "mrp.workcenter"), ("res_id", "=", self.wc_cut.id)]
        )
        self.assertEqual(log.action, "lock")
        self.assertIn(str(self.monday), log.reason)
        data = self._board()
        self.assertTrue(self._row(data, self.wc_cut)["locked"])
        self.assertFalse(self._row(data, self.wc_weld)["locked"])
        self.assertTrue(
            all(
                c["week_locked"]
                for c in self._cell(data, self.wc_cut, self.tuesday)["cards"]
            )
        )
        with self.assertRaises(UserError):
            self._lock()

    def test_week_must_start_on_monday(self):
        """A week lock is keyed by its Monday; another day is refused."""
        with self.assertRaises(ValidationError):
            self.env["pps.dispatch.week.lock"].with_user(self.planner).create(
                {"workcenter_id": self.wc_cut.id, "week_start": self.tuesday}
            )

    def test_locked_week_refuses_date_changes(self):
        """Work orders of a locked week keep their dates and work center, for
        everyone (superuser included); none can be planned into the week; other
        work centers are free."""
        self._lock()
        cut = self._cut(self.mo_a)
        start = cut.date_start
        for env in (self.env, self.env(user=self.planner)):
            with (
                self.subTest(user=env.user.login),
                self.assertRaisesRegex(UserError, "locked"),
            ):
                cut.with_env(env).write({"date_start": start + timedelta(hours=1)})
        with self.assertRaisesRegex(UserError, "locked"):
            cut.write({"workcenter_id": self.wc_weld.id})
        with self.assertRaisesRegex(UserError, "locked"):
            self._weld(self.mo_c).write({"workcenter_id": self.wc_cut.id})
        self.assertEqual(cut.date_start, start)
        weld = self._weld(self.mo_a)
        weld.with_context(bypass_duration_calculation=True).write(
            {
                "date_start": weld.date_start + timedelta(hours=4),
                "date_finished": weld.date_finished + timedelta(hours=4),
            }
        )
        # Work of the following week on the same work center is free too.
        next_week = self._cut(self.mo_c)
        self.env["pps.dispatch.week.lock"].sudo().search([]).with_context(
            pps_week_unlock_reason="test"
        ).unlink()
        self.env["pps.dispatch.week.lock"].create(
            {
                "workcenter_id": self.wc_cut.id,
                "week_start": self.monday + timedelta(days=7),
            }
        )
        next_week.with_context(bypass_duration_calculation=True).write(
            {
                "date_start": next_week.date_start + timedelta(minutes=30),
                "date_finished": next_week.date_finished + timedelta(minutes=30),
            }
        )

    def test_unlock_needs_group_and_reason(self):
        """Unlocking needs the unlock privilege (planners are refused) and a
        reason; it is logged and frees the work orders."""
        self._lock()
        board = self.env["pps.dispatch.board"]
        week = fields.Date.to_string(self.monday)
        with self.assertRaises(AccessError):
            board.with_user(self.planner).action_unlock_week(
                self.wc_cut.id, week, "late truck"
            )
        with self.assertRaises(UserError):
            board.with_user(self.unlocker).action_unlock_week(
                self.wc_cut.id, week, "  "
            )
        lock = self.env["pps.dispatch.week.lock"].search(
            [("workcenter_id", "=", self.wc_cut.id)]
        )
        with self.assertRaises(AccessError):
            lock.with_user(self.planner).unlink()
        with self.assertRaises(UserError):
            lock.with_user(self.unlocker).sudo().unlink()
        board.with_user(self.unlocker).action_unlock_week(
            self.wc_cut.id, week, "late truck"
        )
        self.assertFalse(lock.exists())
        log = self.env["pps.lock.log"].search(
            [("res_model", "=", "mrp.workcenter"), ("action", "=", "unlock")]
        )
        self.assertIn("late truck", log.reason)
        self.assertEqual(log.user_id, self.unlocker)
        cut = self._cut(self.mo_a)
        cut.with_context(bypass_duration_calculation=True).write(
            {"date_start": cut.date_start + timedelta(minutes=5)}
        )

    def test_locked_week_stays_put_under_scheduling(self):
        """The scheduler treats the work of a locked week as fixed ("week
        locked") and writes nothing to it."""
        self._lock()
        cuts = self._cut(self.mo_a | self.mo_b | self.mo_c)
        before = {wo.id: (wo.date_start, wo.date_finished) for wo in cuts}
        problem = self.env["pps.schedule.problem"]._prepare_problem(
            self.mo_a | self.mo_b | self.mo_c
        )
        reasons = {
            problem.workorders[i].id: reason
            for i, reason in problem.fixed_reasons.items()
        }
        self.assertEqual({reasons.get(wo.id) for wo in cuts}, {"week locked"})
        run = (
            self.env["pps.schedule.run"]
            .with_user(self.planner)
            .schedule(
                productions=self.mo_a | self.mo_b | self.mo_c, time_limit=5, workers=1
            )
        )
        self.assertEqual(run.state, "done", run.message)
        self.assertFalse(run.line_ids.filtered(lambda line: line.workorder_id in cuts))
        self.assertEqual(
            {wo.id: (wo.date_start, wo.date_finished) for wo in cuts}, before
        )

    def test_scheduler_plans_nothing_into_a_locked_week(self):
        """The free time of a locked week is closed to the scheduler: a new MO
        due at once waits for the first unlocked week of the cutting cell."""
        self._lock_weeks_up_to_the_board()
        production = self.env["mrp.production"].create(
            {
                "product_id": self.product.id,
                "product_qty": 1,
                "date_deadline": fields.Datetime.now() + timedelta(days=1),
            }
        )
        production.action_confirm()
        problem = self.env["pps.schedule.problem"]._prepare_problem(production)
        blocks = [
            i
            for i, reason in problem.fixed_reasons.items()
            if reason == "week locked" and not problem.workorders[i]
        ]
        self.assertTrue(blocks, "the locked weeks' free time is blocked")
        run = (
            self.env["pps.schedule.run"]
            .with_user(self.planner)
            .schedule(productions=production, time_limit=5, workers=1)
        )
        self.assertEqual(run.state, "done", run.message)
        cut = self._cut(production)
        self.assertGreaterEqual(
            cut.date_start, self._at(self.monday + timedelta(days=7), 0)
        )

    def test_promise_inserts_nothing_into_a_locked_week(self):
        """The promise takes a locked week's working time away like the
        scheduler does: with every week up to the board's locked for cutting,
        the quoted date moves past them."""
        quotation = self.env["sale.order"].create(
            {
                "partner_id": self.customer_two.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 1}
                    )
                ],
            }
        )
        first_free_week = self._at(self.monday + timedelta(days=7), 0)
        before = quotation.pps_quote_delivery_date()["date"]
        self.assertLess(before, first_free_week)
        self._lock_weeks_up_to_the_board()
        after = quotation.pps_quote_delivery_date()["date"]
        self.assertGreaterEqual(after, first_free_week)

    def test_no_work_order_is_created_into_a_locked_week(self):
        """Creating a work order planned inside a locked week is refused
        (nothing written); the week after is free."""
        self._lock()
        vals = {
            "name": "Extra cut",
            "production_id": self.mo_c.id,
            "workcenter_id": self.wc_cut.id,
            "product_uom_id": self.mo_c.product_uom_id.id,
            "date_start": self._at(self.tuesday, 9),
            "date_finished": self._at(self.tuesday, 10),
        }
        Workorder = self.env["mrp.workorder"].with_user(self.planner)
        count = self.env["mrp.workorder"].search_count([])
        with self.assertRaisesRegex(UserError, "cannot be planned in the week"):
            Workorder.create(vals)
        self.assertEqual(self.env["mrp.workorder"].search_count([]), count)
        later = timedelta(days=7)
        created = Workorder.create(
            {
                **vals,
                "date_start": vals["date_start"] + later,
                "date_finished": vals["date_finished"] + later,
            }
        )
        self.assertEqual(created.workcenter_id, self.wc_cut)

    def test_past_work_of_a_locked_week_is_rescheduled(self):
        """Work of a locked week that should have started already cannot be
        kept in the past (the run would be infeasible): it may move."""
        cut = self._cut(self.mo_a)
        past = fields.Datetime.now().replace(microsecond=0) - timedelta(hours=3)
        cut.with_context(bypass_duration_calculation=True).write(
            {"date_start": past, "date_finished": past + timedelta(hours=2)}
        )
        self.env["pps.dispatch.board"].with_user(self.planner).action_lock_week(
            self.wc_cut.id, fields.Date.to_string(past.date())
        )
        problem = self.env["pps.schedule.problem"]
        frozen_until = past + timedelta(days=3)
        self.assertIsNone(
            problem._prepare_fixed_reason(cut, fields.Datetime.now(), frozen_until)
        )
        future = self._cut(self.mo_b)
        self.env["pps.dispatch.board"].with_user(self.planner).action_lock_week(
            self.wc_cut.id, fields.Date.to_string(self.monday)
        )
        self.assertEqual(
            problem._prepare_fixed_reason(future, fields.Datetime.now(), None),
            "week locked",
        )


class TestDispatchBoardRun(DispatchBoardCase):
    def test_dry_run_previews_then_apply_writes(self):
        """A dry run from the board returns the moves and writes nothing; Apply
        writes exactly the previewed moves and says so."""
        workorders = (self.mo_a | self.mo_b | self.mo_c).workorder_ids
        before = {wo.id: wo.date_start for wo in workorders}
        board = self.env["pps.dispatch.board"].with_user(self.planner)
        preview = board.action_dry_run(
            fields.Date.to_string(self.monday),
            {"product_id": self.product.id},
            time_limit=5,
        )
        json.dumps(preview)
        self.assertTrue(preview["dry_run"])
        self.assertEqual(preview["state"], "done", preview["message"])
        self.assertEqual(
            len(preview["moves"]) + preview["hidden_count"], preview["moved_count"]
        )
        self.assertEqual(preview["threshold"], 15)
        run = self.env["pps.schedule.run"].browse(preview["id"])
        self.assertEqual(run.trigger, "board")
        self.assertEqual(
            run.production_ids, self.mo_a | self.mo_b, "the filtered cards' MOs"
        )
        self.assertEqual({wo.id: wo.date_start for wo in workorders}, before)
        self.assertGreater(preview["moved_count"], 0, "late order B must be pulled in")

        applied = board.action_apply_run(preview["id"])
        self.assertEqual(applied["id"], preview["id"], "the preview itself is applied")
        self.assertEqual(applied["state"], "done")
        self.assertTrue(run.applied)
        applied_run = self.env["pps.schedule.run"].browse(applied["id"])
        for line in applied_run.line_ids.filtered("workorder_id"):
            self.assertEqual(line.workorder_id.date_start, line.new_date_start)
        with self.assertRaises(UserError):
            board.action_apply_run(preview["id"])

    def _run_with_shifts(self):
        """A dry run whose lines shift A's cut by 1, 14, 15 and -30 minutes,
        move B's cut to welding, and newly plan C's cut."""
        start = self._cut(self.mo_a).date_start
        cut_a, cut_b, cut_c = (
            self._cut(mo) for mo in (self.mo_a, self.mo_b, self.mo_c)
        )

        def line(workorder, shift, new_workcenter=None, old=True):
            new_start = start + timedelta(minutes=shift)
            return Command.create(
                {
                    "workorder_id": workorder.id,
                    "production_id": workorder.production_id.id,
                    "old_workcenter_id": workorder.workcenter_id.id,
                    "new_workcenter_id": (new_workcenter or workorder.workcenter_id).id,
                    "old_date_start": start if old else False,
                    "new_date_start": new_start,
                    "new_date_finished": new_start + timedelta(minutes=120),
                }
            )

        return (
            self.env["pps.schedule.run"]
            .sudo()
            .create(
                {
                    "company_id": self.company.id,
                    "dry_run": True,
                    "state": "done",
                    "moved_count": 6,
                    "line_ids": [
                        line(cut_a, 1),
                        line(cut_a, 14),
                        line(cut_a, 15),
                        line(cut_a, -30),
                        line(cut_b, 0, new_workcenter=self.wc_weld),
                        line(cut_c, 0, old=False),
                    ],
                }
            )
        )

    def test_preview_lists_material_moves_only(self):
        """Moves under the threshold (15 minutes by default) are counted, not
        listed; a new work center or a newly planned work order always is;
        the threshold is the system parameter, and a bad one is refused."""
        run = self._run_with_shifts()
        board = self.env["pps.dispatch.board"].with_user(self.planner)
        summary = board._board_run_summary(run)
        json.dumps(summary)
        self.assertEqual(summary["threshold"], 15)
        self.assertEqual(summary["hidden_count"], 2)
        self.assertEqual(
            sorted(m["shift_minutes"] for m in summary["moves"]), [-30, 0, 0, 15]
        )
        move = next(m for m in summary["moves"] if m["shift_minutes"] == -30)
        self.assertEqual(move["new_day"], fields.Date.to_string(self.tuesday))
        self.assertEqual(move["old_day"], fields.Date.to_string(self.tuesday))
        self.assertEqual(move["start_minute"], 8 * 60 - 30)
        self.assertEqual(move["workorder_id"], self._cut(self.mo_a).id)
        moved = next(
            m for m in summary["moves"] if m["new_workcenter_id"] == self.wc_weld.id
        )
        self.assertEqual(moved["old_workcenter_id"], self.wc_cut.id)
        # the run form greys the same small moves
        self.assertEqual(
            sorted(
                abs(line.shift_minutes) for line in run.line_ids if line.pps_significant
            ),
            [0, 0, 15, 30],
        )
        icp = self.env["ir.config_parameter"].sudo()
        icp.set_param("pps_scheduler.preview_threshold", "60")
        summary = board._board_run_summary(run)
        self.assertEqual((len(summary["moves"]), summary["hidden_count"]), (2, 4))
        self.assertEqual(board.get_board_data()["preview_threshold"], 60)
        icp.set_param("pps_scheduler.preview_threshold", "soon")
        with self.assertRaisesRegex(UserError, "preview_threshold"):
            board._board_run_summary(run)

    def test_threshold_in_settings(self):
        """The threshold is set in Settings beside the scheduler's settings."""
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.pps_preview_threshold, 15)
        settings.pps_preview_threshold = 30
        settings.execute()
        self.assertEqual(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("pps_scheduler.preview_threshold"),
            "30",
        )

    def test_dry_run_without_filters_covers_everything(self):
        """Without filters the dry run covers every open MO of the company."""
        preview = (
            self.env["pps.dispatch.board"]
            .with_user(self.planner)
            .action_dry_run(fields.Date.to_string(self.monday), {}, time_limit=5)
        )
        run = self.env["pps.schedule.run"].browse(preview["id"])
        self.assertLessEqual(self.mo_a | self.mo_b | self.mo_c, run.production_ids)


class TestDispatchBoardAccess(DispatchBoardCase):
    def test_salesperson_cannot_use_planner_methods(self):
        """Every board method refuses a salesperson with an AccessError, and
        nothing is written."""
        board = self.env["pps.dispatch.board"].with_user(self.salesman)
        week = fields.Date.to_string(self.monday)
        calls = {
            "get_board_data": lambda: board.get_board_data(week),
            "action_set_serial": lambda: board.action_set_serial(
                5, workorder_id=self._cut(self.mo_a).id
            ),
            "action_move_card": lambda: board.action_move_card(
                self._cut(self.mo_c).id, self._cut(self.mo_b).id
            ),
            "action_lock_week": lambda: board.action_lock_week(self.wc_cut.id, week),
            "action_unlock_week": lambda: board.action_unlock_week(
                self.wc_cut.id, week, "no"
            ),
            "action_dry_run": lambda: board.action_dry_run(week, {}),
            "action_apply_run": lambda: board.action_apply_run(1),
            "action_replan": lambda: board.action_replan(),
            "week lock create": lambda: (
                self.env["pps.dispatch.week.lock"]
                .with_user(self.salesman)
                .create({"workcenter_id": self.wc_cut.id, "week_start": self.monday})
            ),
        }
        for name, call in calls.items():
            with self.subTest(method=name), self.assertRaises(AccessError):
                call()
        self.assertEqual(self.order_a.pps_serial, 2)
        self.assertFalse(self.env["pps.dispatch.week.lock"].search([]))

    def test_menu_is_for_planners(self):
        """The Dispatch Board menu shows to planners and not to salespeople."""
        menu = self.env.ref("pps_coordination_scheduler.pps_dispatch_board_menu")
        Menu = self.env["ir.ui.menu"]
        self.assertIn(menu.id, Menu.with_user(self.planner)._visible_menu_ids())
        self.assertNotIn(menu.id, Menu.with_user(self.salesman)._visible_menu_ids())
        action = self.env.ref("pps_coordination_scheduler.pps_dispatch_board_action")
        self.assertEqual(action.tag, "pps_dispatch_board")

    def test_forged_bypass_context_is_ignored(self):
        """An RPC client cannot lift the week lock with a string in the context."""
        self.env["pps.dispatch.board"].with_user(self.planner).action_lock_week(
            self.wc_cut.id, fields.Date.to_string(self.monday)
        )
        cut = self._cut(self.mo_a)
        with self.assertRaises(UserError):
            cut.with_user(self.planner).with_context(pps_lock_bypass="1").write(
                {"date_start": cut.date_start + timedelta(hours=1)}
            )

    def test_monday_helper(self):
        """Weeks are keyed by their Monday whatever day is given."""
        self.assertEqual(monday_of(date(2026, 11, 29)), date(2026, 11, 23))
        self.assertEqual(monday_of(date(2026, 11, 23)), date(2026, 11, 23))
