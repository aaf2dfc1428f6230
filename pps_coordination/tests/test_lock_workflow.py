"""The execution lock keeps the agreed content of an order and stays workable.

- Cancelling a locked sale order is refused, by every path Odoo 19 has to it;
  once unlocked it cancels, and no manufacturing order of it stays locked.
- Down payments, sections and notes, and invoicing of delivered quantities all
  work on a locked order: they are not agreed content.
- Backorders and splits of a locked MO are locked too, and logged.
- No lock sentinel (a Python ``object()``) ever leaves the server in a returned
  action or context, so XML-RPC clients can mark a locked MO done.
"""

from unittest.mock import patch
from xmlrpc.client import Fault

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tests.common import HttpCase, get_db_name

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.mrp.models.mrp_production import MrpProduction as OdooProduction
from odoo.addons.mrp.models.mrp_workorder import MrpWorkorder as OdooWorkorder
from odoo.addons.pps_coordination.models.pps_lock_mixin import (
    PPS_LOCK_BYPASS,
    PPS_LOCK_EXECUTION,
    strip_sentinels,
)
from odoo.addons.sale.models.sale_order import SaleOrder as OdooSaleOrder

from .common import PLANNER_GROUPS, SALES_GROUPS, PpsCoordinationCase

SENTINELS = (PPS_LOCK_BYPASS, PPS_LOCK_EXECUTION)


def find_sentinels(value, path="result"):
    """Paths inside ``value`` (dicts, lists, tuples, at any depth) holding a
    lock sentinel, as a key or as a value."""
    if any(value is sentinel for sentinel in SENTINELS):
        return [path]
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if any(key is sentinel for sentinel in SENTINELS):
                found.append(f"{path} key")
            found += find_sentinels(item, f"{path}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found += find_sentinels(item, f"{path}[{index}]")
    return found


class LockWorkflowCase(PpsCoordinationCase):
    """Helpers: lock logs and producing part or all of an MO, and two users
    with the standard rights their job needs beyond the fixture's.

    Odoo itself needs them, lock or not: cancelling an order whose delivery
    waits on a purchase reads the purchase lines (``purchase_stock``), which a
    salesperson without Inventory/User rights may not; renaming a split MO
    relabels its analytic lines (``mrp_account``), which a manufacturing user
    without purchase or accounting rights may not read.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop_sales_user = mail_new_test_user(
            cls.env,
            login="pps_shop_sales",
            name="Sam Shop Sales",
            groups=f"{SALES_GROUPS},stock.group_stock_user",
        )
        cls.floor_planner = mail_new_test_user(
            cls.env,
            login="pps_floor_planner",
            name="Flo Floor Planner",
            groups=f"{PLANNER_GROUPS},purchase.group_purchase_user",
        )

    def _logs(self, records):
        return self.env["pps.lock.log"].search(
            [("res_model", "=", records._name), ("res_id", "in", records.ids)],
            order="id",
        )

    def _produce(self, production, qty):
        """Record ``qty`` produced on ``production``, components consumed as
        the BoM says (as the planner would on the MO form)."""
        production = production.with_user(self.floor_planner)
        production.qty_producing = qty
        for move in production.move_raw_ids:
            move.quantity = move.product_uom_qty * qty / production.product_qty
        production.move_raw_ids.picked = True
        return production

    def _assert_no_sentinel(self, value):
        self.assertEqual(find_sentinels(value), [], "a lock sentinel left the server")


class TestCancelUnderLock(LockWorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_sale_order(
            expected_date=cls._in_days(10), user_id=cls.shop_sales_user.id
        )
        cls.productions = cls._confirm_with_production(cls.order)
        cls.production = cls.productions.filtered(lambda p: p.product_id == cls.product)

    def _open_locked_productions(self):
        return self.order._pps_productions().filtered(
            lambda p: p.pps_locked and p.state not in ("done", "cancel")
        )

    def test_cancelling_a_locked_order_is_refused(self):
        """A cancelled order under the lock banner, with its MOs confirmed,
        locked and holding capacity, is the hole this closes: the Cancel
        button, the mass cancel wizard and the internal cancel all refuse, and
        the message names the order and says what to do."""
        self.order.with_user(self.shop_sales_user).action_pps_lock()
        expected = (
            rf"{self.order.name} is under the execution lock.*unlock it.*negotiation"
        )
        with self.assertRaisesRegex(UserError, expected):
            self.order.with_user(self.shop_sales_user).action_cancel()
        wizard = (
            self.env["sale.mass.cancel.orders"]
            .with_user(self.shop_sales_user)
            .create({"sale_order_ids": [Command.set(self.order.ids)]})
        )
        with self.assertRaisesRegex(UserError, expected):
            wizard.action_mass_cancel()
        with self.assertRaisesRegex(UserError, expected):
            self.order.with_user(self.admin_user)._action_cancel()
        self.assertEqual(self.order.state, "sale")
        self.assertNotIn("cancel", self.order.picking_ids.mapped("state"))
        self.assertEqual(self.production.state, "confirmed")
        self.assertTrue(self.production.pps_locked)

    def test_cancelled_order_leaves_no_locked_open_production(self):
        """Once unlocked (with a reason, by the unlock group) the order cancels
        as usual, and none of its MOs stays locked: the unlock lifted the
        order's own lock from them, and one a planner had locked on its own is
        unlocked by the cancel, with a log entry naming the order."""
        self.order.with_user(self.shop_sales_user).action_pps_lock()
        self.order.with_user(self.unlock_user).action_pps_unlock("customer cancels")
        self.assertFalse(self._open_locked_productions())

        self.production.with_user(self.planner_user).action_pps_lock()
        self.order.with_user(self.shop_sales_user).action_cancel()
        self.assertEqual(self.order.state, "cancel")
        self.assertFalse(self._open_locked_productions())
        log = self._logs(self.production)[-1:]
        self.assertEqual(log.action, "unlock")
        self.assertEqual(log.user_id, self.shop_sales_user)
        self.assertIn(self.order.name, log.reason)

    def test_cancelled_locked_production_through_a_cancelled_order(self):
        """The mass cancel wizard goes around the Cancel button: its order's
        locked MO is unlocked too."""
        self.production.with_user(self.planner_user).action_pps_lock()
        wizard = (
            self.env["sale.mass.cancel.orders"]
            .with_user(self.shop_sales_user)
            .create({"sale_order_ids": [Command.set(self.order.ids)]})
        )
        wizard.action_mass_cancel()
        self.assertEqual(self.order.state, "cancel")
        self.assertFalse(self._open_locked_productions())


class TestLockedOrderInvoicing(LockWorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.company.chart_template:
            # Run at install (odoo-bin --test-enable), these tests come before
            # account loads the company's chart of accounts, at the end of the
            # registry load: load the one it would load, as Odoo's own
            # invoicing tests do.
            cls.env["account.chart.template"].try_loading(
                "generic_coa", cls.company, install_demo=False
            )
        cls.stocked = cls.env["product.product"].create(
            {
                "name": "PPS Spare Seal",
                "is_storable": True,
                "list_price": 100.0,
                "invoice_policy": "delivery",
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.stocked, cls.warehouse.lot_stock_id, 5
        )
        cls.order = cls._create_sale_order(product=cls.stocked, qty=2)
        cls.order.with_user(cls.sales_user).action_pps_lock()
        cls.order.action_confirm()
        cls.line = cls.order.order_line

    def _invoice(self, **values):
        """Run the standard invoicing wizard on the order as the salesperson."""
        wizard = (
            self.env["sale.advance.payment.inv"]
            .with_user(self.sales_user)
            .with_context(active_model="sale.order", active_ids=self.order.ids)
            .create(values)
        )
        wizard.create_invoices()
        return self.order.invoice_ids.sorted("id")[-1:]

    def _deliver(self):
        picking = self.order.picking_ids.with_user(self.admin_user)
        picking.action_assign()
        picking.move_ids.quantity = 2
        picking.move_ids.picked = True
        picking.button_validate()

    def test_down_payments_on_a_locked_order(self):
        """A down payment adds a section and a down payment line to the order:
        not agreed content, so a locked order takes it (percentage and fixed),
        the invoice posts and a draft one deletes its line again. The product
        line stays protected."""
        percentage = self._invoice(advance_payment_method="percentage", amount=10)
        self.assertEqual(percentage.amount_untaxed, 20.0)
        fixed = self._invoice(advance_payment_method="fixed", fixed_amount=30)
        self.assertEqual(fixed.amount_total, 30.0)
        down_payments = self.order.order_line.filtered("is_downpayment")
        self.assertEqual(len(down_payments.filtered("display_type")), 1)
        self.assertEqual(len(down_payments - down_payments.filtered("display_type")), 2)
        percentage.action_post()
        self.assertEqual(percentage.state, "posted")
        fixed_line = fixed.invoice_line_ids.sale_line_ids
        fixed.unlink()
        self.assertFalse(fixed_line.exists())
        self.assertTrue(self.order.pps_locked)
        self.assertEqual(self.order.order_line.filtered("product_id"), self.line)
        with self.assertRaisesRegex(UserError, "execution lock"):
            self.line.with_user(self.sales_user).write({"product_uom_qty": 5})

    def test_invoicing_delivered_quantities_of_a_locked_order(self):
        """Delivering and invoicing are execution: the delivered quantity of a
        locked order is invoiced, the down payment deducted."""
        self._invoice(advance_payment_method="fixed", fixed_amount=50).action_post()
        self._deliver()
        self.assertEqual(self.line.qty_delivered, 2)
        invoice = self._invoice(advance_payment_method="delivered")
        product_lines = invoice.invoice_line_ids.filtered("product_id")
        self.assertEqual(product_lines.quantity, 2)
        down_payment = invoice.invoice_line_ids.filtered("is_downpayment")
        self.assertEqual(down_payment.quantity, -1)
        invoice.action_post()
        self.assertEqual(self.line.qty_invoiced, 2)
        self.assertEqual(invoice.amount_total, self.order.amount_total - 50)
        self.assertTrue(self.order.pps_locked)

    def test_sections_and_notes_on_a_locked_order(self):
        """A salesperson saving the order form adds a section and a note,
        retitles the product line's description and deletes the note (line
        commands on the order); a new product line or quantity in the same form
        is still refused, and so is passing a product line off as a down
        payment (turning it into one, or creating one with a product)."""
        order = self.order.with_user(self.sales_user)
        order.write(
            {
                "order_line": [
                    Command.create({"display_type": "line_section", "name": "Spares"}),
                    Command.create({"display_type": "line_note", "name": "Fragile"}),
                    Command.update(self.line.id, {"name": "Seal, boxed"}),
                ]
            }
        )
        note = order.order_line.filtered(lambda l: l.display_type == "line_note")
        order.write({"order_line": [Command.update(note.id, {"name": "Very fragile"})]})
        self.assertEqual(note.name, "Very fragile")
        order.write({"order_line": [Command.delete(note.id)]})
        self.assertFalse(note.exists())
        self.assertEqual(self.line.name, "Seal, boxed")
        for command in (
            Command.create({"product_id": self.stocked.id, "product_uom_qty": 1}),
            Command.update(self.line.id, {"product_uom_qty": 3}),
            Command.update(self.line.id, {"product_id": self.component.id}),
            Command.delete(self.line.id),
            Command.set([]),
        ):
            with self.assertRaisesRegex(UserError, "execution lock"):
                order.write({"order_line": [command]})
        with self.assertRaisesRegex(UserError, "execution lock"):
            self.line.with_user(self.sales_user).write({"is_downpayment": True})
        with self.assertRaisesRegex(UserError, "execution lock"):
            self.env["sale.order.line"].create(
                {
                    "order_id": self.order.id,
                    "is_downpayment": True,
                    "product_id": self.stocked.id,
                    "product_uom_qty": 4,
                }
            )
        self.assertEqual(self.line.product_uom_qty, 2)


class TestSplitProductionsInheritTheLock(LockWorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_sale_order(qty=2)
        productions = cls._confirm_with_production(cls.order)
        cls.production = productions.filtered(lambda p: p.product_id == cls.product)
        cls.order.with_user(cls.sales_user).action_pps_lock()

    def test_backorder_of_a_locked_production_is_locked(self):
        """Producing 1 of 2 and keeping a backorder: the backorder carries the
        rest of the agreed quantity, so it is locked too, logged with the MO it
        comes from; neither the wizard nor the backorder view carry a
        sentinel."""
        production = self._produce(self.production, 1)
        action = production.button_mark_done()
        self.assertEqual(action["res_model"], "mrp.production.backorder")
        self._assert_no_sentinel(action)
        wizard = Form(
            self.env["mrp.production.backorder"]
            .with_user(self.floor_planner)
            .with_context(**action["context"])
        ).save()
        result = wizard.action_backorder()
        self._assert_no_sentinel(result)
        backorder = self.order._pps_productions().filtered(
            lambda p: p.product_id == self.product and p != self.production
        )
        self.assertEqual(self.production.state, "done")
        self.assertEqual(backorder.product_qty, 1)
        self.assertTrue(backorder.pps_locked)
        log = self._logs(backorder)
        self.assertEqual(log.action, "lock")
        self.assertEqual(log.user_id, self.floor_planner)
        self.assertIn(self.production.name, log.reason)

    def test_split_of_a_locked_production_is_locked(self):
        """Splitting spreads the agreed quantity over several MOs: it works on
        a locked MO and each new MO is locked, logged with its source."""
        action = self.production.with_user(self.floor_planner).action_split()
        with Form(
            self.env["mrp.production.split"]
            .with_user(self.floor_planner)
            .with_context(**action["context"])
        ) as split:
            split.max_batch_size = 1
        split.record.action_split()
        productions = self.order._pps_productions().filtered(
            lambda p: p.product_id == self.product
        )
        self.assertEqual(len(productions), 2)
        self.assertEqual(productions.mapped("product_qty"), [1, 1])
        self.assertTrue(all(productions.mapped("pps_locked")))
        log = self._logs(productions - self.production)
        self.assertEqual(log.action, "lock")
        self.assertIn(self.production.name, log.reason)


class TestNoSentinelLeaves(LockWorkflowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_sale_order(qty=2)
        productions = cls._confirm_with_production(cls.order)
        cls.production = productions.filtered(lambda p: p.product_id == cls.product)
        cls.order.with_user(cls.sales_user).action_pps_lock()

    def test_strip_sentinels_reaches_nested_contexts(self):
        """Odoo nests actions (``params.anotherAction.context``): the helper
        strips sentinels at any depth and leaves everything else alone."""
        action = {
            "type": "ir.actions.client",
            "context": {"pps_lock_execution": PPS_LOCK_EXECUTION, "lang": "en_US"},
            "params": {
                "reports": [{"context": {"pps_lock_bypass": PPS_LOCK_BYPASS}}],
                "anotherAction": {
                    "context": {"pps_lock_bypass": PPS_LOCK_BYPASS, "active_id": 3},
                    "domain": [("id", "in", (1, 2))],
                },
            },
        }
        stripped = strip_sentinels(action)
        self._assert_no_sentinel(stripped)
        self.assertEqual(stripped["context"], {"lang": "en_US"})
        self.assertEqual(stripped["params"]["reports"], [{"context": {}}])
        self.assertEqual(
            stripped["params"]["anotherAction"],
            {"context": {"active_id": 3}, "domain": [("id", "in", (1, 2))]},
        )
        self.assertIn("pps_lock_execution", action["context"], "input left alone")
        self.assertIs(strip_sentinels(True), True)
        plain = {"context": {"lang": "en_US"}}
        self.assertIs(strip_sentinels(plain), plain)

    def test_mark_done_wizard_of_a_locked_production_carries_no_sentinel(self):
        """Odoo builds the consumption wizard's context from ours: it must not
        carry the execution sentinel to the client (nor, through it, back)."""
        production = self._produce(self.production, 2)
        production.move_raw_ids.quantity = 1  # consumed less than the BoM says
        action = production.button_mark_done()
        self.assertEqual(action["res_model"], "mrp.consumption.warning")
        self._assert_no_sentinel(action)
        wizard = Form(
            self.env["mrp.consumption.warning"]
            .with_user(self.floor_planner)
            .with_context(**action["context"])
        ).save()
        self._assert_no_sentinel(wizard.action_confirm())
        self.assertEqual(self.production.state, "done")

    def test_plain_mark_done_and_execution_carry_no_sentinel(self):
        """The plain paths (start, pause, finish, mark done, confirm) return
        nothing holding a sentinel either."""
        production = self._produce(self.production, 2)
        workorder = production.workorder_ids
        for result in (
            workorder.button_start(),
            workorder.button_pending(),
            workorder.button_start(),
            workorder.button_finish(),
            production.button_mark_done(),
        ):
            self._assert_no_sentinel(result)
        self.assertEqual(production.state, "done")
        quotation = self._create_sale_order()
        quotation.with_user(self.sales_user).action_pps_lock()
        self._assert_no_sentinel(quotation.with_user(self.sales_user).action_confirm())

    def test_every_execution_entry_point_strips_sentinels(self):
        """Whatever Odoo or another module returns from an execution entry
        point -- here an action built from the context, as Enterprise's work
        order screens return -- reaches the client without a sentinel."""

        def action_from_context(records, *args, **kwargs):
            context = dict(records.env.context)
            return {
                "type": "ir.actions.act_window",
                "context": context,
                "params": {"anotherAction": {"context": context}},
            }

        quotation = self._create_sale_order()
        quotation.with_user(self.sales_user).action_pps_lock()
        production = self.production.with_user(self.floor_planner)
        workorder = production.workorder_ids
        for odoo_class, records, method in (
            (OdooSaleOrder, quotation.with_user(self.sales_user), "action_confirm"),
            (OdooProduction, production, "action_confirm"),
            (OdooProduction, production, "button_plan"),
            (OdooProduction, production, "button_mark_done"),
            (OdooWorkorder, workorder, "button_start"),
            (OdooWorkorder, workorder, "button_finish"),
            (OdooWorkorder, workorder, "button_pending"),
            (OdooWorkorder, workorder, "action_mark_as_done"),
        ):
            with (
                self.subTest(model=records._name, method=method),
                patch.object(odoo_class, method, action_from_context),
            ):
                result = getattr(records, method)()
                self.assertIn("context", result, "the returned action came through")
                self._assert_no_sentinel(result)


@tagged("post_install", "-at_install")
class TestExecutionOverRpc(LockWorkflowCase, HttpCase):
    """XML-RPC clients drive the execution of a locked MO."""

    def _rpc(self, login, model, method, args, kwargs=None):
        self.env.flush_all()
        uid = self.xmlrpc_common.authenticate(get_db_name(), login, login, {})
        self.assertTrue(uid, login)
        result = self.xmlrpc_object.execute_kw(
            get_db_name(), uid, login, model, method, args, kwargs or {}
        )
        self.env.invalidate_all()
        return result

    def test_mark_done_of_a_locked_production_over_xmlrpc(self):
        """A planner's client marks locked MOs done: the backorder wizard and
        the plain result come back (a sentinel would have been a "cannot
        marshal" fault)."""
        order = self._create_sale_order(qty=2)
        productions = self._confirm_with_production(order)
        production = productions.filtered(lambda p: p.product_id == self.product)
        order.with_user(self.sales_user).action_pps_lock()
        self._produce(production, 1)
        try:
            action = self._rpc(
                "pps_floor_planner",
                "mrp.production",
                "button_mark_done",
                [production.ids],
            )
        except Fault as fault:
            self.fail(f"button_mark_done over XML-RPC: {fault.faultString[-300:]}")
        self.assertEqual(action["res_model"], "mrp.production.backorder")
        self.assertEqual(
            action["context"]["default_mrp_production_ids"], production.ids
        )

        self._produce(production, 2)
        self.assertIs(
            self._rpc(
                "pps_floor_planner",
                "mrp.production",
                "button_mark_done",
                [production.ids],
            ),
            True,
        )
        self.assertEqual(production.state, "done")
        self.assertTrue(production.pps_locked)
