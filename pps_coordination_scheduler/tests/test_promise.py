"""Capable-to-promise: ``sale.order.pps_quote_delivery_date()``.

One test per path of the promise (stock, reallocation option, capacity,
material, abnormality, rush inside the lead time, non-rush clamped), the
negotiation using it when a planner answers without a date, and the promise
writing nothing.
"""

from datetime import timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.pps_coordination.tools.wording import format_duration, format_moment

from .common import PpsCoordinationCase


class PromiseCase(PpsCoordinationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "pps_rush_capacity_share": 0.2,
                "pps_material_buffer_days": 3,
                "pps_frozen_days": 3,
                "days_to_purchase": 0.0,
            }
        )
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.resale = cls.env["product.product"].create(
            {
                "name": "PPS Spare Kit",
                "is_storable": True,
                "sale_delay": 3,
                "seller_ids": [
                    Command.create(
                        {"partner_id": cls.vendor.id, "price": 2.0, "delay": 2}
                    )
                ],
            }
        )

    @classmethod
    def _stock(cls, product, qty):
        cls.env["stock.quant"]._update_available_quantity(
            product, cls.stock_location, qty
        )

    @classmethod
    def _planned_obstacle(cls, qty):
        """A confirmed order whose MO is planned from now on the work center."""
        order = cls._create_sale_order(qty=qty)
        productions = cls._confirm_with_production(order, plan=False)
        production = productions.filtered(lambda p: p.product_id == cls.product)
        production.date_start = cls._now()
        production.button_plan()
        return order, production

    def _quote(self, order, user=None):
        return order.with_user(user or self.sales_user).pps_quote_delivery_date()


class TestPromise(PromiseCase):
    def test_stock_covers_order(self):
        """Free stock covers the order: ready now plus the customer lead time,
        and the explanation says it is stock."""
        self._stock(self.resale, 10)
        order = self._create_sale_order(product=self.resale, qty=4)
        before = self._now()
        promise = self._quote(order)
        self.assertEqual(promise["binding"], "stock")
        self.assertIn("Free stock", promise["explanation"])
        expected = before + timedelta(days=3)
        self.assertAlmostEqual(promise["date"], expected, delta=timedelta(minutes=2))
        self.assertFalse(promise["clamped"])

    def test_nothing_to_deliver_is_refused(self):
        """A quotation whose only line has a negative quantity is not
        "covered by free stock": the quote is refused with the reason."""
        self._stock(self.resale, 10)
        order = self._create_sale_order(product=self.resale, qty=-3)
        with self.assertRaisesRegex(UserError, "nothing to deliver"):
            self._quote(order)

    def test_stock_reallocation_option(self):
        """Stock reserved for an order agreed much later, replenishable before it
        needs it, is offered as an option naming that order; nothing moves."""
        self._stock(self.resale, 5)
        later = self._create_sale_order(product=self.resale, qty=5)
        later.commitment_date = self._in_days(30)
        later.action_confirm()
        reserved = later.order_line.move_ids
        self.assertEqual(reserved.quantity, 5, "the later order reserves the stock")
        order = self._create_sale_order(product=self.resale, qty=3)
        promise = self._quote(order)
        options = [o for o in promise["options"] if o["kind"] == "stock"]
        self.assertEqual(len(options), 1, promise["explanation"])
        self.assertEqual(options[0]["order_ids"], later.ids)
        self.assertTrue(options[0]["covers"])
        self.assertIn(later.name, promise["explanation"])
        # Without reallocation the order waits for the vendor (2 days).
        self.assertEqual(promise["binding"], "material")
        self.assertEqual(reserved.quantity, 5, "the option is never carried out")

    def test_no_option_from_orders_due_earlier(self):
        """Stock of an order that needs it before a replenishment could arrive is
        not offered."""
        self._stock(self.resale, 5)
        sooner = self._create_sale_order(product=self.resale, qty=5)
        sooner.commitment_date = self._in_days(1)
        sooner.action_confirm()
        order = self._create_sale_order(product=self.resale, qty=3)
        promise = self._quote(order)
        self.assertFalse([o for o in promise["options"] if o["kind"] == "stock"])

    def test_capacity_bound(self):
        """A work center booked for days: the new operation waits behind the
        planned work (which does not move) and the explanation names the work
        center as the bottleneck."""
        self._stock(self.component, 100)
        _other, production = self._planned_obstacle(qty=40)
        planned = production.workorder_ids.mapped("date_start")
        order = self._create_sale_order(qty=1)
        promise = self._quote(order)
        self.assertEqual(promise["binding"], "capacity", promise["explanation"])
        self.assertEqual(promise["bottleneck"]["workcenter_id"], self.workcenter.id)
        self.assertIn(self.workcenter.name, promise["explanation"])
        finished = max(production.workorder_ids.mapped("date_finished"))
        self.assertGreater(promise["completion"], finished)
        self.assertEqual(production.workorder_ids.mapped("date_start"), planned)

    def test_capacity_reallocation_option(self):
        """Planned work of an order agreed much later stands in the way: moving
        it later (still on time) is offered as an option naming that order,
        and nothing moves."""
        self._stock(self.component, 100)
        self._planned_obstacle(qty=30)
        later, production = self._planned_obstacle(qty=3)
        later.commitment_date = self._in_days(60)
        planned = production.workorder_ids.mapped("date_start")
        order = self._create_sale_order(qty=1)
        promise = self._quote(order)
        options = [o for o in promise["options"] if o["kind"] == "capacity"]
        self.assertEqual(len(options), 1, promise["explanation"])
        self.assertEqual(options[0]["order_ids"], later.ids)
        self.assertLess(options[0]["date"], promise["completion"])
        self.assertIn(later.name, promise["explanation"])
        self.assertEqual(production.workorder_ids.mapped("date_start"), planned)

    def test_options_from_other_salespeople_orders(self):
        """A salesperson sees only their own orders (Odoo's "own documents"
        rule), yet the plant holds everyone's: the options built from another
        salesperson's later orders are still offered, by name, and quoting
        raises no access error (found by the load test, bench/load)."""
        colleague = mail_new_test_user(
            self.env,
            login="pps_promise_colleague",
            groups="base.group_user,pps_coordination.group_pps_sales",
        )
        self._stock(self.component, 100)
        self._stock(self.resale, 5)
        first, _production = self._planned_obstacle(qty=30)
        later, _production = self._planned_obstacle(qty=3)
        later.commitment_date = self._in_days(60)
        reserving = self._create_sale_order(product=self.resale, qty=5)
        reserving.commitment_date = self._in_days(30)
        reserving.action_confirm()
        (first | later | reserving).user_id = colleague
        with self.assertRaises(AccessError):
            later.with_user(self.sales_user).check_access("read")
        order = self._create_sale_order(qty=1)
        order.order_line.create(
            {"order_id": order.id, "product_id": self.resale.id, "product_uom_qty": 3}
        )
        promise = self._quote(order)
        capacity = [o for o in promise["options"] if o["kind"] == "capacity"]
        self.assertEqual([o["order_ids"] for o in capacity], [later.ids])
        self.assertIn(later.name, promise["explanation"])
        stock = [o for o in promise["options"] if o["kind"] == "stock"]
        self.assertEqual([o["order_ids"] for o in stock], [reserving.ids])

    def test_long_operation_quoted(self):
        """An operation longer than a day's capacity outside the rush reserve
        cannot leave the reserve free: the engine lets it run through it, so
        the quote is a plain one spanning several days."""
        self._stock(self.component, 100)
        order = self._create_sale_order(qty=20)
        promise = self._quote(order)
        self.assertGreater(promise["completion"], self._in_days(2))
        self.assertNotIn("optimistic", promise["explanation"])

    def test_material_bound(self):
        """A bought component with a long vendor lead time: the answer waits for
        its receipt plus the material buffer, and names the material."""
        self.component.seller_ids.delay = 10
        order = self._create_sale_order(qty=1)
        promise = self._quote(order)
        self.assertEqual(promise["binding"], "material", promise["explanation"])
        self.assertEqual(promise["material"]["product_id"], self.component.id)
        receipt = self._in_days(10)
        self.assertAlmostEqual(
            promise["material"]["date"], receipt, delta=timedelta(minutes=2)
        )
        self.assertGreaterEqual(promise["completion"], receipt + timedelta(days=3))
        self.assertIn(self.component.name, promise["explanation"])

    def test_abnormality_bound(self):
        """A breakdown taking the work center away: the explanation names the
        abnormality as the binding constraint."""
        self._stock(self.component, 100)
        abnormality = self.env["pps.abnormality"].create(
            {
                "name": "Press breakdown",
                "abnormality_type": "equipment_failure",
                "workcenter_id": self.workcenter.id,
                "date_start": self._now() - timedelta(hours=1),
                "date_end": self._in_days(6),
                "capacity_factor": 0.0,
                "state": "confirmed",
            }
        )
        order = self._create_sale_order(qty=1, pps_rush=True)
        promise = self._quote(order)
        self.assertEqual(promise["binding"], "abnormality", promise["explanation"])
        self.assertEqual(promise["bottleneck"]["abnormality_id"], abnormality.id)
        self.assertGreaterEqual(promise["completion"], self._in_days(6))

    def test_rush_inside_lead_time(self):
        """A rush order may be promised inside the standard lead time; the same
        order without the flag is clamped to it."""
        self._stock(self.component, 100)
        rush = self._create_sale_order(qty=1, pps_rush=True)
        promise = self._quote(rush)
        minimum = rush._pps_minimum_answer_date()
        self.assertLess(promise["date"], minimum - timedelta(days=1))
        self.assertFalse(promise["clamped"])
        self.assertIn("Rush order", promise["explanation"])

        normal = self._create_sale_order(qty=1)
        promise = self._quote(normal)
        self.assertTrue(promise["clamped"])
        self.assertEqual(promise["binding"], "lead_time")
        self.assertAlmostEqual(
            promise["date"],
            normal._pps_minimum_answer_date(),
            delta=timedelta(minutes=2),
        )
        self.assertIn("standard lead time", promise["explanation"])

    def test_multi_level_bom(self):
        """A manufactured sub-assembly is exploded: its operation is inserted
        before the parent's, so the promise is later than one level alone."""
        self._stock(self.component, 100)
        sub = self.env["product.product"].create(
            {"name": "PPS Sub Frame", "is_storable": True}
        )
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": sub.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    Command.create({"product_id": self.component.id, "product_qty": 1})
                ],
                "operation_ids": [
                    Command.create(
                        {
                            "name": "Weld frame",
                            "workcenter_id": self.workcenter.id,
                            "time_cycle_manual": 120,
                            "time_mode": "manual",
                        }
                    )
                ],
            }
        )
        order = self._create_sale_order(qty=1, pps_rush=True)
        single = self._quote(order)["completion"]
        self.bom.bom_line_ids = [
            Command.create({"product_id": sub.id, "product_qty": 1})
        ]
        double = self._quote(order)["completion"]
        self.assertGreater(double, single)

    def test_byproduct_counts_as_supply(self):
        """The by-product of an open manufacturing order, not pegged to other
        demand, covers a short component at that order's finish date instead
        of the vendor's lead time."""
        self.component.seller_ids.delay = 30
        scrap_maker = self.env["product.product"].create(
            {"name": "PPS Cut Sheet", "is_storable": True}
        )
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": scrap_maker.product_tmpl_id.id,
                "product_qty": 1,
                "byproduct_ids": [
                    Command.create({"product_id": self.component.id, "product_qty": 5})
                ],
            }
        )
        source = self.env["mrp.production"].create(
            {
                "product_id": scrap_maker.id,
                "product_qty": 1,
                "date_start": self._in_days(1),
            }
        )
        source.action_confirm()
        order = self._create_sale_order(qty=1, pps_rush=True)
        promise = self._quote(order)
        self.assertEqual(promise["material"]["product_id"], self.component.id)
        self.assertIn(source.name, promise["material"]["source"])
        self.assertLess(promise["date"], self._in_days(20))

    def test_promise_writes_nothing(self):
        """The promise is a simulation: no row is created, changed or removed."""
        self._stock(self.component, 1)
        self._planned_obstacle(qty=3)
        order = self._create_sale_order(qty=2)
        self.env.flush_all()
        tables = (
            "sale_order",
            "stock_move",
            "mrp_production",
            "mrp_workorder",
            "purchase_order",
            "stock_quant",
            "resource_calendar_leaves",
        )
        # every column of every row: write_date alone does not move inside
        # one test transaction (now() is the transaction's start)
        query = " UNION ALL ".join(
            f"SELECT '{t}', count(*), md5(coalesce(string_agg(r::text, '|' "
            f"ORDER BY r.id), '')) FROM {t} r"
            for t in tables
        )
        self.env.cr.execute(query)
        before = self.env.cr.fetchall()
        self._quote(order)
        self.env.flush_all()
        self.env.cr.execute(query)
        self.assertEqual(self.env.cr.fetchall(), before)

    def test_negotiation_answer_uses_promise(self):
        """A planner answering without a date gets the promise and its
        explanation; a non-rush date inside the lead time is still refused."""
        self._stock(self.component, 100)
        order = self._create_sale_order(qty=1)
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            self._in_days(5)
        )
        with self.assertRaises(UserError):
            negotiation.with_user(self.planner_user).action_answer(self._in_days(2))
        negotiation.with_user(self.planner_user).action_answer()
        self.assertEqual(negotiation.state, "answered")
        self.assertAlmostEqual(
            negotiation.scheduled_date, self._in_days(5), delta=timedelta(minutes=2)
        )
        self.assertIn("standard lead time", negotiation.explanation)
        self.assertIn("expected date", negotiation.explanation)

    def test_quote_button_for_quotations(self):
        """A quotation can be quoted from its form: a notification, nothing saved."""
        self._stock(self.resale, 10)
        order = self._create_sale_order(product=self.resale, qty=1)
        action = order.with_user(self.sales_user).action_pps_quote()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("Free stock", action["params"]["message"])


class TestPromiseWording(PromiseCase):
    """The explanation reads as a planner reads a date: the user's time zone,
    to the minute, durations in days and hours, and a delivery sentence that
    says what really lies between completion and the promised date."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_user.tz = cls.planner_user.tz = "America/New_York"

    def _moment(self, value, user=None):
        env = self.env(user=user or self.sales_user)
        return format_moment(env, value)

    def assertReadable(self, text):
        self.assertNotRegex(text, r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "raw UTC dates")
        self.assertNotRegex(text, r"\d+\.\d+ (working )?hours", "decimal hours")
        self.assertNotIn(" 0 days", text)

    def test_bottleneck_sentence_in_local_time_and_days(self):
        """The capacity sentence: when the operation could start and when it
        starts, in New York time, and the wait in days and hours."""
        self._stock(self.component, 100)
        self._planned_obstacle(qty=40)
        promise = self._quote(self._create_sale_order(qty=1))
        self.assertEqual(promise["binding"], "capacity", promise["explanation"])
        bottleneck = promise["bottleneck"]
        text = promise["explanation"]
        self.assertReadable(text)
        self.assertIn(f"starts there on {self._moment(bottleneck['start'])}", text)
        self.assertIn(f"could start on {self._moment(bottleneck['ready'])}", text)
        self.assertIn(f"complete on {self._moment(promise['completion'])}", text)
        wait = bottleneck["start"] - bottleneck["ready"]
        self.assertGreaterEqual(wait, timedelta(days=1), "a wait of days")
        # the wait in days and hours ("7 days", "6 days and 4 hours")
        self.assertIn(format_duration(self.env, wait), text)
        self.assertRegex(
            format_duration(self.env, wait), r"^\d+ days?( and \d+ hours?)?$"
        )

    def test_delivery_sentence_names_the_stock_lines_lead_time(self):
        """The bug of "delivery 1 days later" for a date ten days out: a line
        delivered from stock with a customer lead time of 10 days makes the
        date, not the security lead time after production; the sentence says
        so and gives the date promised."""
        self._stock(self.component, 100)
        self._stock(self.resale, 10)
        order = self._create_sale_order(qty=1)
        order.order_line = [
            Command.create(
                {
                    "product_id": self.resale.id,
                    "product_uom_qty": 1,
                    "customer_lead": 10,
                }
            )
        ]
        before = self._now()
        promise = self._quote(order)
        self.assertAlmostEqual(
            promise["date"], before + timedelta(days=10), delta=timedelta(minutes=2)
        )
        self.assertLess(promise["completion"], before + timedelta(days=9))
        text = promise["explanation"]
        self.assertReadable(text)
        self.assertIn(
            "The lines delivered from stock need the customer lead time of "
            f"10 days: delivery on {self._moment(promise['date'])}.",
            text,
        )
        self.assertNotIn("after completion", text)

    def test_delivery_sentence_after_production(self):
        """Without stock lines, the date is the completion plus the security
        lead time of one day, said in words."""
        self._stock(self.component, 100)
        rush = self._create_sale_order(qty=1, pps_rush=True)
        promise = self._quote(rush)
        self.assertEqual(promise["date"], promise["completion"] + timedelta(days=1))
        self.assertIn(
            "Delivery 1 day after completion (the security lead time), on "
            f"{self._moment(promise['date'])}.",
            promise["explanation"],
        )
        self.assertReadable(promise["explanation"])

    def test_material_sentence(self):
        """The critical material: quantity with its unit, receipt in local
        time, the buffer in days."""
        self.component.seller_ids.delay = 10
        promise = self._quote(self._create_sale_order(qty=1))
        self.assertEqual(promise["binding"], "material", promise["explanation"])
        material = promise["material"]
        self.assertIn(
            f"Critical material: 2 Units of {self.component.display_name}, received "
            f"on {self._moment(material['date'])}",
            promise["explanation"],
        )
        self.assertIn("10 days lead time", promise["explanation"])
        self.assertIn(
            "at the station 3 days before its operation", promise["explanation"]
        )
        self.assertReadable(promise["explanation"])

    def test_answer_dialog_shows_the_scheduler_promise(self):
        """The planner's dialog shows the scheduler's promise before anything
        is answered: date, binding constraint, why, and the reallocation
        option apart; "Use this date" answers that date."""
        self._stock(self.resale, 5)
        later = self._create_sale_order(product=self.resale, qty=5)
        later.commitment_date = self._in_days(30)
        later.action_confirm()
        order = self._create_sale_order(product=self.resale, qty=3)
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            self._in_days(1)
        )
        Answer = self.env["pps.negotiation.answer"].with_user(self.planner_user)
        form = Form(Answer.with_context(default_negotiation_id=negotiation.id))
        self.assertEqual(negotiation.state, "requested")
        self.assertEqual(form.promise_binding, "material")
        self.assertIn(later.name, form.promise_options)
        self.assertNotIn("Option:", form.promise_explanation)
        self.assertIn("Critical material", form.promise_explanation)
        self.assertIn(
            self._moment(form.promise_date, self.planner_user), form.promise_explanation
        )
        wizard = form.save()
        wizard.action_use_promise()
        self.assertEqual(negotiation.state, "answered")
        self.assertEqual(negotiation.scheduled_date, wizard.promise_date)


class TestPromiseAccess(PpsCoordinationCase):
    def test_only_coordination_groups_may_quote(self):
        """The quote reads other orders' reservations and plans as superuser,
        so a plain salesperson outside the coordination groups is refused on
        the server, not only by the hidden button; a sales coordinator is not."""
        plain = mail_new_test_user(
            self.env, login="pps_plain_sales", groups="sales_team.group_sale_salesman"
        )
        order = self._create_sale_order(
            expected_date=self._in_days(20), user_id=plain.id
        )
        with self.assertRaises(AccessError):
            order.with_user(plain).pps_quote_delivery_date()
        order.user_id = self.sales_user
        self.assertTrue(
            order.with_user(self.sales_user).pps_quote_delivery_date()["date"]
        )
