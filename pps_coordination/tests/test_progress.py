"""Progress tracking of sale orders: status, overdue flag, audits and daily cron.

The weekly meeting trusts ``pps_progress`` and ``pps_overdue`` to say what is late,
made but not shipped, or in production; these tests walk real orders through
manufacturing and delivery and check the stored values and the audit domains.
"""

import ast
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time
from lxml import etree

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests.common import TransactionCase
from odoo.tools.safe_eval import safe_eval

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.pps_coordination.models.sale_order import PPS_AUDITS


class ProgressCase(TransactionCase):
    """Fixtures: a made-to-order product (MTO + manufacture, one component) and a
    stocked product, a customer, a sales coordinator and a planner."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        mto_route = cls.warehouse.mto_pull_id.route_id
        mto_route.active = True
        mto_route.rule_ids.procure_method = "make_to_order"
        manufacture_route = cls.warehouse.manufacture_pull_id.route_id
        cls.component = cls._create_product("PPS Component", qty_on_hand=1000)
        cls.widget = cls._create_product(
            "PPS Widget", routes=(mto_route | manufacture_route)
        )
        cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.widget.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [
                    (0, 0, {"product_id": cls.component.id, "product_qty": 2})
                ],
            }
        )
        cls.stocked = cls._create_product("PPS Stocked Item", qty_on_hand=1000)
        cls.customer = cls.env["res.partner"].create({"name": "PPS Customer"})
        cls.sales_user = mail_new_test_user(
            cls.env,
            login="pps_progress_sales",
            groups="base.group_user,pps_coordination.group_pps_sales",
        )
        cls.planner = mail_new_test_user(
            cls.env,
            login="pps_progress_planner",
            groups="base.group_user,pps_coordination.group_pps_planner",
        )

    @classmethod
    def _create_product(cls, name, routes=None, qty_on_hand=0):
        product = cls.env["product.product"].create(
            {
                "name": name,
                "type": "consu",
                "is_storable": True,
                "route_ids": [(6, 0, routes.ids)] if routes else [],
            }
        )
        if qty_on_hand:
            cls.env["stock.quant"]._update_available_quantity(
                product, cls.warehouse.lot_stock_id, qty_on_hand
            )
        return product

    @classmethod
    def _create_order(cls, product=None, qty=2, commitment_date=None, confirm=True):
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": cls.sales_user.id,
                "commitment_date": commitment_date,
                "order_line": [
                    (
                        0,
                        0,
                        {
                            "product_id": (product or cls.widget).id,
                            "product_uom_qty": qty,
                        },
                    )
                ],
            }
        )
        if confirm:
            order.action_confirm()
        return order

    @staticmethod
    def _deliveries(order):
        return order.picking_ids.filtered(
            lambda p: p.location_dest_id.usage == "customer"
        )

    @staticmethod
    def _produce(production, qty=None):
        production.qty_producing = qty or production.product_qty
        production.move_raw_ids.picked = True
        production.button_mark_done()

    @staticmethod
    def _ship(picking, qty=None):
        for move in picking.move_ids:
            move.quantity = qty if qty is not None else move.product_uom_qty
        picking.move_ids.picked = True
        res = picking.button_validate()
        if (
            isinstance(res, dict)
            and res.get("res_model") == "stock.backorder.confirmation"
        ):
            wizard = (
                picking.env["stock.backorder.confirmation"]
                .with_context(**res["context"])
                .create({})
            )
            wizard.process()
        return res

    def _audit_ids(self, audit, orders):
        domain = self.env["sale.order"]._pps_audit_domain(audit)
        return self.env["sale.order"].search(domain + [("id", "in", orders.ids)]).ids

    def _progress_in_db(self, order):
        """The stored value, read back through a search (so it is flushed)."""
        for value, _label in self.env["sale.order"]._fields["pps_progress"].selection:
            if self.env["sale.order"].search(
                [("id", "=", order.id), ("pps_progress", "=", value)]
            ):
                return value
        return None


class TestProgressStatus(ProgressCase):
    def test_made_to_order_walks_through_every_status(self):
        """An MTO order goes not_started -> in_progress (MO started) -> completed
        (MO done, goods ready) -> shipped (delivery validated), and each value is
        stored and found by a search: the audits filter on it."""
        order = self._create_order(qty=2)
        production = order._pps_progress_productions()
        self.assertEqual(len(production), 1, "the order should have made one MO")
        self.assertEqual(self._progress_in_db(order), "not_started")

        production.qty_producing = 1
        self.assertEqual(production.state, "progress")
        self.assertEqual(self._progress_in_db(order), "in_progress")

        self._produce(production)
        self.assertEqual(production.state, "done")
        self.assertEqual(self._progress_in_db(order), "completed")

        self._ship(self._deliveries(order))
        self.assertEqual(self._progress_in_db(order), "shipped")
        self.assertFalse(order.pps_overdue)

    def test_started_sub_assembly_is_work_in_progress(self):
        """Work on a sub-assembly MO (child of the order's MO) is work in
        progress on the order, before the final MO starts."""
        routes = self.widget.route_ids
        frame = self._create_product("PPS Frame", routes=routes)
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": frame.product_tmpl_id.id,
                "bom_line_ids": [(0, 0, {"product_id": self.component.id})],
            }
        )
        cabinet = self._create_product("PPS Cabinet", routes=routes)
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": cabinet.product_tmpl_id.id,
                "bom_line_ids": [(0, 0, {"product_id": frame.id})],
            }
        )
        order = self._create_order(cabinet, qty=2)
        productions = order._pps_progress_productions()
        child = productions.filtered(lambda mo: mo.product_id == frame)
        self.assertEqual(len(productions), 2)
        self.assertEqual(len(child), 1)
        self.assertEqual(self._progress_in_db(order), "not_started")
        child.qty_producing = 1
        self.assertEqual(self._progress_in_db(order), "in_progress")

    def test_progress_changes_are_tracked_in_the_chatter(self):
        """The chatter of the order keeps the history of its progress, so the
        meeting can see when an order was made or shipped."""
        tracking_env = self.env(context=dict(self.env.context, tracking_disable=False))
        self.patch(type(self), "env", tracking_env)
        order = self._create_order(self.stocked, qty=1)
        self.env.flush_all()
        self.env.cr.precommit.run()  # the creation's tracking, out of the way
        self._ship(self._deliveries(order))
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking messages are written at commit
        tracked = order.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "pps_progress"
        )
        self.assertEqual(tracked.mapped("new_value_char"), ["Shipped"])
        self.assertEqual(tracked.mapped("old_value_char"), ["Completed"])

    def test_partial_shipment_is_in_progress_then_shipped(self):
        """A stocked order is 'completed' as soon as its delivery is ready; a
        partial shipment whose backorder is not ready is 'in_progress'; shipping
        the rest makes it 'shipped'."""
        order = self._create_order(self.stocked, qty=5)
        self.assertEqual(self._progress_in_db(order), "completed")

        delivery = self._deliveries(order)
        self._ship(delivery, qty=2)
        backorder = self._deliveries(order) - delivery
        self.assertEqual(len(backorder), 1)
        backorder.do_unreserve()
        self.assertEqual(self._progress_in_db(order), "in_progress")

        backorder.action_assign()
        self.assertEqual(self._progress_in_db(order), "completed")
        self._ship(backorder)
        self.assertEqual(self._progress_in_db(order), "shipped")

    def test_partly_reserved_goods_are_not_made(self):
        """With 3 in stock for 5 ordered, the delivery is 'Ready' (ship as soon
        as possible) but the goods are not all there: not 'completed'."""
        scarce = self._create_product("PPS Scarce Item", qty_on_hand=3)
        order = self._create_order(scarce, qty=5)
        delivery = self._deliveries(order)
        self.assertEqual(delivery.state, "assigned")
        self.assertEqual(self._progress_in_db(order), "not_started")
        self.env["stock.quant"]._update_available_quantity(
            scarce, self.warehouse.lot_stock_id, 2
        )
        delivery.action_assign()
        self.assertEqual(self._progress_in_db(order), "completed")

    def test_pick_ship_route_is_made_when_the_pick_is_ready(self):
        """In two-step delivery the goods are made (completed) once the pick is
        fully reserved, stay so while they wait at the output, and ship with
        the second step."""
        self.warehouse.delivery_steps = "pick_ship"
        order = self._create_order(self.stocked, qty=2)
        pick = order.picking_ids
        self.assertEqual(pick.location_dest_id.usage, "internal")
        self.assertEqual(self._progress_in_db(order), "completed")
        self.assertEqual(self._audit_ids("made_not_shipped", order), order.ids)
        self._ship(pick)
        self.assertEqual(self._progress_in_db(order), "completed")
        self._ship(self._deliveries(order))
        self.assertEqual(self._progress_in_db(order), "shipped")

    def test_cancelled_and_quotation(self):
        """A quotation is 'not_started'; a cancelled order is 'cancelled' and
        never overdue, even with a past date."""
        past = fields.Datetime.now() - timedelta(days=3)
        quotation = self._create_order(commitment_date=past, confirm=False)
        self.assertEqual(self._progress_in_db(quotation), "not_started")
        self.assertFalse(quotation.pps_overdue)

        order = self._create_order(commitment_date=past)
        self.assertTrue(order.pps_overdue)
        order._action_cancel()
        self.assertEqual(self._progress_in_db(order), "cancelled")
        self.assertFalse(order.pps_overdue)

    def test_mo_linked_by_sale_line_only_updates_progress(self):
        """An MO created by hand and linked to the order only by its sale line
        (no stock reference) still drives the order's progress, through the
        mrp.production write/create trigger."""
        order = self._create_order(self.stocked, qty=1)
        order.picking_ids.do_unreserve()
        self.assertEqual(self._progress_in_db(order), "not_started")
        production = self.env["mrp.production"].create(
            {
                "product_id": self.widget.id,
                "product_qty": 1,
                "sale_line_id": order.order_line.id,
            }
        )
        production.action_confirm()
        self.assertFalse(production.reference_ids.sale_ids)
        production.write({"qty_producing": 1})
        self.assertEqual(production.state, "to_close")
        self.assertEqual(self._progress_in_db(order), "in_progress")

    def test_overdue_follows_the_delivery_date(self):
        """pps_overdue: confirmed, not shipped, delivery day passed (an order
        due today is not late yet). Moving the agreed date to the future clears
        it; without an agreed date the expected date counts."""
        past = fields.Datetime.now() - timedelta(days=2)
        order = self._create_order(commitment_date=past)
        self.assertTrue(
            self.env["sale.order"].search(
                [("id", "=", order.id), ("pps_overdue", "=", True)]
            )
        )
        order.commitment_date = fields.Datetime.now() + timedelta(days=5)
        self.assertFalse(order.pps_overdue)
        self.assertEqual(order.pps_delivery_date, order.commitment_date)

        due_today = self._create_order(
            commitment_date=datetime.combine(fields.Date.today(), time())
        )
        self.assertFalse(due_today.pps_overdue, "due today is not late yet")

        no_agreed = self._create_order()
        expected = (
            "pps_expected_date" in no_agreed._fields and no_agreed.pps_expected_date
        )
        self.assertEqual(
            no_agreed.pps_delivery_date, expected or no_agreed.expected_date
        )

    def test_progress_cannot_be_set_by_hand(self):
        """Progress is a fact, not an opinion: writing it (or the overdue flag
        or due date) through the ORM/RPC is refused with a clear message, and
        nothing is written; a normal write on the same order still works."""
        order = self._create_order(qty=1)
        as_sales = order.with_user(self.sales_user)
        for vals in (
            {"pps_progress": "shipped"},
            {"pps_overdue": False, "note": "hidden"},
            {"pps_delivery_date": fields.Datetime.now()},
            {"pps_projected_late": True},
        ):
            with self.assertRaisesRegex(UserError, "cannot be set by hand"):
                as_sales.write(vals)
        with self.assertRaisesRegex(UserError, "cannot be set by hand"):
            self.env["sale.order"].with_user(self.sales_user).create(
                {"partner_id": self.customer.id, "pps_progress": "shipped"}
            )
        self.assertEqual(self._progress_in_db(order), "not_started")
        as_sales.write({"client_order_ref": "PO-42"})
        self.assertEqual(order.client_order_ref, "PO-42")

    def test_agreed_date_change_moves_the_due_date_and_is_analysed(self):
        """A date change agreed through a negotiation moves the order's due
        date (so it leaves the late audit) and shows in the date change
        analysis and the KPI row with its scenario and reason."""
        past = fields.Datetime.now() - timedelta(days=2)
        order = self._create_order(commitment_date=past)
        self.assertTrue(order.pps_overdue)
        new_date = fields.Datetime.now() + timedelta(days=20)
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            new_date - timedelta(days=2),
            scenario="customer_change",
            reason="Customer moves the site opening\nby three weeks",
        )
        negotiation.with_user(self.planner).action_answer(scheduled_date=new_date)
        negotiation.with_user(self.sales_user).action_agree()

        self.assertEqual(order.commitment_date, new_date)
        self.assertEqual(order.pps_delivery_date, new_date)
        self.assertFalse(order.pps_overdue)
        self.assertNotIn(order.id, self._audit_ids("late", order))
        change = self.env["pps.date.change.analysis"].search(
            [("sale_order_id", "=", order.id)]
        )
        self.assertEqual(len(change), 1)
        self.assertEqual(change.scenario, "customer_change")
        self.assertEqual(change.reason, "Customer moves the site opening")
        self.assertTrue(change.postponed)
        kpi = self.env["pps.delivery.kpi"].search([("sale_order_id", "=", order.id)])
        self.assertEqual(kpi.date_change_count, 1)
        self.assertEqual(kpi.first_promised_date, past)

    def test_sales_user_reads_progress(self):
        """A sales coordinator (no manufacturing rights) can read and search the
        progress of his orders: the computation runs with sudo where needed."""
        order = self._create_order(qty=1)
        found = (
            self.env["sale.order"]
            .with_user(self.sales_user)
            .search([("id", "=", order.id), ("pps_progress", "=", "not_started")])
        )
        self.assertEqual(found, order)
        self.assertEqual(found.pps_progress, "not_started")


class TestProgressBatching(ProgressCase):
    def _queries(self, orders):
        """SQL queries of recomputing progress and the MO count of ``orders``
        from the database (nothing cached)."""
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        orders._compute_pps_progress()
        orders._compute_pps_production_count()
        return self.env.cr.sql_log_count - before

    def test_progress_and_production_count_read_mos_once_for_many_orders(self):
        """A list of orders reads its MOs once, not once per order: six orders
        cost the same queries as two."""
        orders = self.env["sale.order"]
        for _ in range(6):
            orders |= self._create_order()
        self.assertTrue(all(orders.mapped("pps_production_count")))
        self._queries(orders[:2])  # warm the ORM's metadata caches
        self.assertEqual(self._queries(orders), self._queries(orders[:2]))
        self.assertEqual(
            orders.mapped("pps_progress"),
            [order._pps_get_progress() for order in orders],
        )


class TestProgressAudits(ProgressCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        now = fields.Datetime.now()
        past, future = now - timedelta(days=3), now + timedelta(days=10)
        # late, not started (MTO, MO not started)
        cls.late_not_started = cls._create_order(commitment_date=past)
        # late, in progress
        cls.late_in_progress = cls._create_order(commitment_date=past)
        cls.late_in_progress._pps_progress_productions().qty_producing = 1
        # late, made (stock reserved)
        cls.late_completed = cls._create_order(cls.stocked, commitment_date=past)
        # on time, in progress
        cls.wip_future = cls._create_order(commitment_date=future)
        cls.wip_future._pps_progress_productions().qty_producing = 1
        # on time, made
        cls.made_future = cls._create_order(cls.stocked, commitment_date=future)
        # shipped, late shipment but closed
        cls.shipped = cls._create_order(cls.stocked, commitment_date=past)
        cls._ship(cls._deliveries(cls.shipped))
        # cancelled, past date
        cls.cancelled = cls._create_order(commitment_date=past)
        cls.cancelled._action_cancel()
        # quotation, past date
        cls.quotation = cls._create_order(
            cls.stocked, commitment_date=past, confirm=False
        )
        cls.all_orders = (
            cls.late_not_started
            | cls.late_in_progress
            | cls.late_completed
            | cls.wip_future
            | cls.made_future
            | cls.shipped
            | cls.cancelled
            | cls.quotation
        )

    def _audit(self, audit, **kwargs):
        domain = self.env["sale.order"]._pps_audit_domain(audit, **kwargs)
        return self.env["sale.order"].search(
            domain + [("id", "in", self.all_orders.ids)]
        )

    def test_statuses_of_the_fixture(self):
        """The fixture covers every status (else the audit tests prove little)."""
        self.assertEqual(
            [self._progress_in_db(o) for o in self.all_orders],
            [
                "not_started",
                "in_progress",
                "completed",
                "in_progress",
                "completed",
                "shipped",
                "cancelled",
                "not_started",
            ],
        )

    def test_work_in_progress_audit(self):
        """WIP = confirmed and in progress; the date range narrows it to the
        orders due in that range."""
        self.assertEqual(self._audit("wip"), self.late_in_progress | self.wip_future)
        now = fields.Datetime.now()
        self.assertEqual(
            self._audit("wip", date_from=now, date_to=now + timedelta(days=30)),
            self.wip_future,
        )

    def test_made_not_shipped_audit(self):
        """Made but not shipped = confirmed, completed, not closed (shipped and
        cancelled orders are closed)."""
        self.assertEqual(
            self._audit("made_not_shipped"), self.late_completed | self.made_future
        )

    def test_late_audit(self):
        """Late = overdue and not closed, whatever the progress: not started,
        in progress or made. Shipped, cancelled and quotations are never late."""
        self.assertEqual(
            self._audit("late"),
            self.late_not_started | self.late_in_progress | self.late_completed,
        )

    def test_unknown_audit_is_refused(self):
        """A typo in an audit name must not silently return every order."""
        with self.assertRaises(ValueError):
            self.env["sale.order"]._pps_audit_domain("lat")

    def test_search_filters_match_the_python_domains(self):
        """The filters of the sale order search view, the shared favourites and
        the menu actions use exactly sale.order._pps_audit_domain(): one
        definition for views, report and tests."""
        arch = self.env["sale.order"].get_view(
            self.env.ref("sale.view_sales_order_filter").id, "search"
        )["arch"]
        tree = etree.fromstring(arch)
        self.assertEqual(
            PPS_AUDITS, ("wip", "made_not_shipped", "late", "projected_late")
        )
        for audit in PPS_AUDITS:
            expected = self.env["sale.order"]._pps_audit_domain(audit)
            node = tree.xpath(f"//filter[@name='pps_filter_{audit}']")
            self.assertEqual(len(node), 1, audit)
            self.assertEqual(ast.literal_eval(node[0].get("domain")), expected, audit)

            favourite = self.env.ref(
                f"pps_coordination.sale_order_progress_filter_{audit}"
            )
            self.assertEqual(ast.literal_eval(favourite.domain), expected, audit)
            self.assertFalse(favourite.user_ids, "favourites are shared")
            self.assertFalse(favourite.is_default)

            action = self.env.ref(
                f"pps_coordination.sale_order_progress_action_{audit}"
            )
            self.assertEqual(
                ast.literal_eval(action.context).get(
                    f"search_default_pps_filter_{audit}"
                ),
                1,
            )
            self.assertTrue(
                self.env["ir.ui.menu"].search(
                    [("action", "=", action._name + f",{action.id}")]
                ),
                f"a menu opens the {audit} audit",
            )

    def test_due_this_week_filter_spans_monday_to_monday(self):
        """The 'Due This Week' / 'Due Next Week' filters of the WIP audit cover
        Monday 00:00 to the next Monday, whatever the day they are used on."""
        arch = self.env["sale.order"].get_view(
            self.env.ref("sale.view_sales_order_filter").id, "search"
        )["arch"]
        tree = etree.fromstring(arch)
        this_week = tree.xpath("//filter[@name='pps_filter_due_this_week']")[0]
        next_week = tree.xpath("//filter[@name='pps_filter_due_next_week']")[0]
        for today in (date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 29)):
            env = {"context_today": lambda d=today: d, "relativedelta": relativedelta}
            domain = safe_eval(this_week.get("domain"), env)
            self.assertEqual(
                (domain[0][2], domain[1][2]), ("2026-11-23", "2026-11-30"), today
            )
            domain = safe_eval(next_week.get("domain"), env)
            self.assertEqual(
                (domain[0][2], domain[1][2]), ("2026-11-30", "2026-12-07"), today
            )

    def test_audits_as_sales_user(self):
        """A sales coordinator sees the audits of his own orders; a planner
        (manufacturing side, no sales rights) sees them too."""
        domain = self.env["sale.order"]._pps_audit_domain("late")
        late = (
            self.env["sale.order"]
            .with_user(self.sales_user)
            .search(domain + [("id", "in", self.all_orders.ids)])
        )
        self.assertEqual(
            late, self.late_not_started | self.late_in_progress | self.late_completed
        )
        made = (
            self.env["sale.order"]
            .with_user(self.planner)
            .search(
                self.env["sale.order"]._pps_audit_domain("made_not_shipped")
                + [("id", "in", self.all_orders.ids)]
            )
        )
        self.assertEqual(made, self.late_completed | self.made_future)


class TestProjectedLate(ProgressCase):
    """Projected late: open, and scheduled on a later day than agreed (an
    order agreed for the 8th and scheduled on the 11th)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        agreed = datetime.combine(fields.Date.today() + timedelta(days=8), time(9))
        cls.agreed = agreed
        cls.slipping = cls._create_order(commitment_date=agreed)
        cls.slipping.pps_scheduled_date = agreed + timedelta(days=3)
        # the same day, later in the day: shipping that day is still on time
        cls.same_day = cls._create_order(commitment_date=agreed)
        cls.same_day.pps_scheduled_date = agreed + timedelta(hours=8)
        cls.on_plan = cls._create_order(commitment_date=agreed)
        cls.on_plan.pps_scheduled_date = agreed - timedelta(days=1)
        cls.not_agreed = cls._create_order()
        cls.not_agreed.pps_scheduled_date = agreed + timedelta(days=30)
        cls.shipped = cls._create_order(cls.stocked, commitment_date=agreed)
        cls._ship(cls._deliveries(cls.shipped))
        cls.shipped.pps_scheduled_date = agreed + timedelta(days=3)
        cls.quotation = cls._create_order(commitment_date=agreed, confirm=False)
        cls.quotation.pps_scheduled_date = agreed + timedelta(days=3)
        cls.orders = (
            cls.slipping
            | cls.same_day
            | cls.on_plan
            | cls.not_agreed
            | cls.shipped
            | cls.quotation
        )

    def _audit(self, user, audit="projected_late"):
        domain = self.env["sale.order"]._pps_audit_domain(audit)
        return (
            self.env["sale.order"]
            .with_user(user)
            .search(domain + [("id", "in", self.orders.ids)])
        )

    def test_projected_late_audit(self):
        """Only the open order scheduled on a later day than agreed is in the
        audit, for sales and planners alike; it is not late (overdue) yet."""
        self.assertEqual(self._audit(self.sales_user), self.slipping)
        self.assertEqual(self._audit(self.planner), self.slipping)
        self.assertTrue(self.slipping.pps_projected_late)
        self.assertFalse(self.slipping.pps_overdue)
        self.assertFalse(self._audit(self.sales_user, "late"))

    def test_projected_late_follows_the_plan(self):
        """The flag follows the two dates: a planner proposing a later date
        makes an order projected late until sales agree it (the agreed date
        moves) -- and a rejection leaves it projected late, as it is."""
        order = self.on_plan
        later = self.agreed + timedelta(days=4)
        negotiation = order.with_user(self.planner).action_pps_propose_date(
            later, reason="Press 2 down for a week"
        )
        self.assertEqual(self._audit(self.sales_user), self.slipping | order)
        negotiation.with_user(self.sales_user).action_reject(reason="Customer says no")
        self.assertTrue(order.pps_projected_late)
        proposal = order.with_user(self.planner).action_pps_propose_date(
            later, reason="Still down"
        )
        proposal.with_user(self.sales_user).action_agree()
        self.assertEqual(order.commitment_date, later)
        self.assertFalse(order.pps_projected_late)
        self.assertEqual(self._audit(self.sales_user), self.slipping)

    def test_sale_order_form_warns(self):
        """The sale order form shows a warning banner when the plan passes the
        agreed date, from the stored flag (readable by a sales coordinator)."""
        arch = etree.fromstring(
            self.env["sale.order"]
            .with_user(self.sales_user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        [banner] = arch.xpath("//div[contains(@class, 'o_pps_projected_late')]")
        self.assertEqual(banner.get("invisible"), "not pps_projected_late")
        self.assertIn("Projected late", "".join(banner.itertext()))
        self.assertEqual(
            [f.get("name") for f in banner.iter("field")],
            ["pps_projected_late", "pps_scheduled_date", "commitment_date"],
        )
        flags = self.orders.with_user(self.sales_user).read(["pps_projected_late"])
        self.assertEqual(
            [flag["pps_projected_late"] for flag in flags],
            [True, False, False, False, False, False],
        )

    def test_weekly_meeting_lists_projected_late_orders(self):
        """The meeting screen counts and opens the audit; the report lists the
        order with its scheduled date and how many days it slips."""
        wizard = (
            self.env["pps.weekly.meeting.report"].with_user(self.sales_user).create({})
        )
        self.assertEqual(wizard.projected_late_count, 1)
        action = wizard.action_open_projected_late()
        self.assertEqual(
            self.env["sale.order"].with_user(self.sales_user).search(action["domain"]),
            self.slipping,
        )
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "pps_coordination.action_report_pps_weekly_meeting", wizard.ids
        )
        html = html.decode()
        section = html[html.index("Projected Late (1)") : html.index("Made but Not")]
        self.assertIn(self.slipping.name, section)
        self.assertIn("Days Behind", section)
        self.assertNotIn(self.same_day.name, section)


class TestProgressCron(ProgressCase):
    def test_cron_flags_newly_overdue_orders_once(self):
        """The clock makes orders overdue without any write: the daily cron
        refreshes pps_overdue and schedules one follow-up To-Do for the
        salesperson, due today, not duplicated by the next run."""
        cron = self.env.ref("pps_coordination.ir_cron_pps_progress")
        self.assertEqual(cron.model_id.model, "sale.order")
        self.assertEqual(cron.code.strip(), "model._cron_pps_progress()")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "days"))
        order = self._create_order(
            commitment_date=fields.Datetime.now() + timedelta(hours=1)
        )
        self.assertFalse(order.pps_overdue)
        activity_type = self.env.ref("pps_coordination.mail_activity_type_pps_overdue")
        with freeze_time(fields.Datetime.now() + timedelta(days=2)):
            self.assertFalse(
                order.pps_overdue, "nothing was written: the stored value is stale"
            )
            self.env["sale.order"]._cron_pps_progress()
            order.invalidate_recordset()
            self.assertTrue(order.pps_overdue)
            activities = order.activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            )
            self.assertEqual(len(activities), 1)
            self.assertEqual(activities.user_id, self.sales_user)
            self.assertEqual(activities.date_deadline, fields.Date.context_today(order))

            self.env["sale.order"]._cron_pps_progress()
            activities = order.activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            )
            self.assertEqual(len(activities), 1, "no duplicate while one is open")

    def test_cron_flags_schedule_past_agreed_date(self):
        """An order not yet overdue but scheduled after its agreed date gets
        the follow-up too; an order on schedule gets none."""
        if "pps_scheduled_date" not in self.env["sale.order"]._fields:
            self.skipTest("pps_scheduled_date is not defined")
        agreed = fields.Datetime.now() + timedelta(days=5)
        slipping = self._create_order(commitment_date=agreed)
        on_plan = self._create_order(commitment_date=agreed)
        slipping.pps_scheduled_date = agreed + timedelta(days=2)
        on_plan.pps_scheduled_date = agreed - timedelta(days=1)
        activity_type = self.env.ref("pps_coordination.mail_activity_type_pps_overdue")
        self.env["sale.order"]._cron_pps_progress()
        self.assertEqual(
            len(
                slipping.activity_ids.filtered(
                    lambda a: a.activity_type_id == activity_type
                )
            ),
            1,
        )
        self.assertFalse(
            on_plan.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        )
