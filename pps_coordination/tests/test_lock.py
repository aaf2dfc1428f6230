"""Execution lock: protected fields refused for everyone, execution still works,
lock and unlock logged, and no way around it from RPC."""

from datetime import timedelta

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form
from odoo.tools.safe_eval import safe_eval

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.pps_coordination.models.pps_lock_mixin import PPS_LOCK_BYPASS

from .common import PpsCoordinationCase


class TestSaleOrderLock(PpsCoordinationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_sale_order(expected_date=cls._in_days(10))
        cls.order.with_user(cls.sales_user).action_pps_lock()

    def test_admin_cannot_change_locked_delivery_date(self):
        """The lock holds for administrators and the superuser alike."""
        with self.assertRaisesRegex(UserError, "execution lock"):
            self.order.with_user(self.admin_user).write(
                {"commitment_date": self._in_days(3)}
            )
        with self.assertRaisesRegex(UserError, "execution lock"):
            self.order.sudo().write({"pps_expected_date": self._in_days(3)})
        with self.assertRaisesRegex(UserError, "execution lock"):
            self.order.with_user(self.admin_user).write({"partner_id": self.vendor.id})
        self.assertFalse(self.order.commitment_date)

    def test_admin_cannot_change_locked_lines(self):
        """Quantities, products, new and deleted lines are all refused."""
        line = self.order.order_line
        admin_order = self.order.with_user(self.admin_user)
        with self.assertRaisesRegex(UserError, "execution lock"):
            line.with_user(self.admin_user).write({"product_uom_qty": 5})
        with self.assertRaisesRegex(UserError, "execution lock"):
            admin_order.write(
                {"order_line": [Command.create({"product_id": self.component.id})]}
            )
        with self.assertRaisesRegex(UserError, "execution lock"):
            self.env["sale.order.line"].create(
                {"order_id": self.order.id, "product_id": self.component.id}
            )
        with self.assertRaisesRegex(UserError, "execution lock"):
            line.with_user(self.admin_user).unlink()
        self.assertEqual(line.product_uom_qty, 1)

    def test_unprotected_fields_and_same_values_still_write(self):
        """The lock freezes the plan, not the whole order: a customer reference
        can change, and writing back an unchanged date is harmless."""
        self.order.with_user(self.sales_user).write({"client_order_ref": "PO-778"})
        self.order.with_user(self.sales_user).write(
            {"pps_expected_date": self.order.pps_expected_date}
        )
        self.assertEqual(self.order.client_order_ref, "PO-778")

    def test_forged_bypass_from_rpc_is_refused(self):
        """A context value sent by a client (a string, even the right name, or
        any other object) never lifts the lock; only the module's sentinel does."""
        for forged in ("PPS_LOCK_BYPASS", True, 1, {"bypass": True}):
            with self.assertRaisesRegex(UserError, "execution lock"):
                self.order.with_user(self.admin_user).with_context(
                    pps_lock_bypass=forged
                ).write({"commitment_date": self._in_days(3)})
        server_date = self._in_days(12)
        self.order.with_context(pps_lock_bypass=PPS_LOCK_BYPASS).write(
            {"commitment_date": server_date}
        )
        self.assertEqual(self.order.commitment_date, server_date)

    def test_lock_state_only_through_actions(self):
        """Nobody unlocks by writing the flag."""
        with self.assertRaisesRegex(UserError, "Lock and Unlock actions"):
            self.order.with_user(self.admin_user).write({"pps_locked": False})
        with self.assertRaisesRegex(UserError, "Lock and Unlock actions"):
            self.order.sudo().write({"pps_locked_by_id": self.admin_user.id})
        self.assertTrue(self.order.pps_locked)

    def test_unlock_needs_the_privilege(self):
        """Salespeople and administrators outside the unlock group are refused."""
        with self.assertRaises(AccessError):
            self.order.with_user(self.sales_user).action_pps_unlock("customer asked")
        with self.assertRaises(AccessError):
            self.order.with_user(self.admin_user).action_pps_unlock("customer asked")
        with self.assertRaises(AccessError):
            self.order.with_user(self.planner_user).action_pps_unlock("customer asked")
        self.assertTrue(self.order.pps_locked)

    def test_unlock_needs_a_reason(self):
        """An unlock without a reason leaves no trail worth having."""
        for reason in (None, "", "   "):
            with self.assertRaisesRegex(UserError, "needs a reason"):
                self.order.with_user(self.unlock_user).action_pps_unlock(reason)
        self.assertTrue(self.order.pps_locked)

    def test_lock_and_unlock_are_logged_with_user_and_time(self):
        """Each lock and unlock writes a log entry with who, when and why, and a
        chatter message; after the unlock the order can be edited again."""
        order = self._create_sale_order()
        before = fields.Datetime.now().replace(microsecond=0)
        order.with_user(self.sales_user).action_pps_lock()
        after_lock = fields.Datetime.now()
        self.assertEqual(order.pps_locked_by_id, self.sales_user)
        self.assertTrue(before <= order.pps_locked_at <= after_lock)
        order.with_user(self.unlock_user).action_pps_unlock("Customer adds a line")
        after_unlock = fields.Datetime.now()
        self.assertFalse(order.pps_locked)
        self.assertFalse(order.pps_locked_by_id)
        logs = self.env["pps.lock.log"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)],
            order="id",
        )
        self.assertEqual(logs.mapped("action"), ["lock", "unlock"])
        self.assertEqual(logs[0].user_id, self.sales_user)
        self.assertEqual(logs[1].user_id, self.unlock_user)
        self.assertEqual(logs[1].reason, "Customer adds a line")
        self.assertTrue(before <= logs[0].date <= logs[1].date <= after_unlock)
        self.assertIn("Customer adds a line", order.message_ids[0].body)
        order.with_user(self.admin_user).write({"commitment_date": self._in_days(5)})

    def test_lock_log_is_read_only(self):
        """The log is evidence: users may read it, nobody changes or deletes it."""
        log = self.env["pps.lock.log"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", self.order.id)]
        )
        self.assertEqual(log.with_user(self.sales_user).user_id, self.sales_user)
        with self.assertRaises(AccessError):
            log.with_user(self.unlock_user).write({"reason": "nothing happened"})
        with self.assertRaises(AccessError):
            log.with_user(self.unlock_user).unlink()
        with self.assertRaises(AccessError):
            self.env["pps.lock.log"].with_user(self.sales_user).create(
                {
                    "res_model": "sale.order",
                    "res_id": self.order.id,
                    "action": "unlock",
                    "user_id": self.sales_user.id,
                }
            )
        with self.assertRaises(UserError):
            log.sudo().write({"reason": "nothing happened"})
        with self.assertRaises(UserError):
            log.sudo().unlink()

    def test_lock_log_names_the_document_type(self):
        """The log shows what was locked in words (the model's description,
        in the user's language), not the technical model name."""
        production = self._confirm_with_production(
            self._create_sale_order(expected_date=self._in_days(10))
        )[:1]
        production.with_user(self.planner_user).action_pps_lock()
        Log = self.env["pps.lock.log"].with_user(self.sales_user)
        order_log = Log.search(
            [("res_model", "=", "sale.order"), ("res_id", "=", self.order.id)]
        )
        self.assertEqual(order_log.res_model_name, "Sales Order")
        production_log = Log.with_user(self.planner_user).search(
            [("res_model", "=", "mrp.production"), ("res_id", "=", production.id)]
        )
        self.assertEqual(production_log.res_model_name, "Manufacturing Order")
        views = Log.get_views([(False, "list"), (False, "form")])["views"]
        for view_type in ("list", "form"):
            arch = etree.fromstring(views[view_type]["arch"])
            [name] = arch.xpath("//field[@name='res_model_name']")
            self.assertFalse(name.get("invisible"), view_type)
            technical = arch.xpath("//field[@name='res_model']")
            self.assertTrue(
                all(node.get("invisible") == "1" for node in technical),
                f"{view_type}: the technical name is for debug mode only",
            )

    def test_delivering_a_locked_order_still_works(self):
        """Shipping is execution: the delivery of a locked order validates and
        the delivered quantity is recorded on its line."""
        stocked = self.env["product.product"].create(
            {"name": "PPS Spare Seal", "is_storable": True}
        )
        self.env["stock.quant"]._update_available_quantity(
            stocked, self.warehouse.lot_stock_id, 5
        )
        order = self._create_sale_order(product=stocked, qty=2)
        order.with_user(self.sales_user).action_pps_lock()
        order.action_confirm()
        picking = order.picking_ids.with_user(self.admin_user)
        picking.action_assign()
        picking.move_ids.quantity = 2
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(order.order_line.qty_delivered, 2)
        self.assertTrue(order.pps_locked)

    def test_lock_needs_a_coordination_group(self):
        """Locking is for sales, planners and the unlock group."""
        order = self._create_sale_order()
        with self.assertRaises(AccessError):
            order.with_user(self.admin_user).action_pps_lock()
        order.with_user(self.planner_user).action_pps_lock()
        self.assertTrue(order.pps_locked)

    def test_confirming_a_locked_quotation_locks_its_production(self):
        """Confirmation is execution: it works under the lock, and the MOs it
        creates inherit the lock."""
        productions = self._confirm_with_production(self.order, plan=False)
        self.assertEqual(self.order.state, "sale")
        self.assertTrue(all(productions.mapped("pps_locked")))
        self.assertEqual(productions.pps_sale_order_id, self.order)


class TestProductionLock(PpsCoordinationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_sale_order()
        cls.productions = cls._confirm_with_production(cls.order)
        cls.production = cls.productions.filtered(lambda p: p.product_id == cls.product)
        cls.production.with_user(cls.planner_user).action_pps_lock()

    def test_protected_production_fields_are_refused(self):
        """Quantity, deadline and the routing of a locked MO are agreed content:
        refused for everyone. Its plan (MO and work-order dates, expected
        durations) is not: the scheduler keeps planning a locked MO."""
        production = self.production.with_user(self.admin_user)
        for vals in (
            {"product_qty": 7},
            {"date_deadline": self._in_days(20)},
        ):
            with self.assertRaisesRegex(UserError, "execution lock"):
                production.write(vals)
        workorder = self.production.workorder_ids.with_user(self.admin_user)
        start = self._in_days(2)
        workorder.with_context(bypass_duration_calculation=True).write(
            {"date_start": start, "date_finished": start + timedelta(hours=1)}
        )
        self.assertEqual(workorder.date_start, start)
        workorder.write({"duration_expected": 5})
        with self.assertRaisesRegex(UserError, "execution lock"):
            workorder.unlink()
        with self.assertRaisesRegex(UserError, "execution lock"):
            self.env["mrp.workorder"].create(
                {
                    "name": "Extra",
                    "production_id": self.production.id,
                    "workcenter_id": self.workcenter.id,
                    "product_uom_id": self.product.uom_id.id,
                }
            )
        self.production.with_user(self.admin_user).button_unplan()
        self.assertFalse(any(self.production.workorder_ids.mapped("date_start")))

    def test_execution_still_works_on_a_locked_production(self):
        """The lock is about plans: a planner can start and finish the work
        order, record the quantity and mark the MO done."""
        production = self.production.with_user(self.planner_user)
        workorder = production.workorder_ids
        production.qty_producing = 1
        workorder.button_start()
        self.assertEqual(workorder.state, "progress")
        workorder.button_finish()
        self.assertEqual(workorder.state, "done")
        for move in production.move_raw_ids:
            move.quantity = move.product_uom_qty
        production.move_raw_ids.picked = True
        self.assertIs(production.button_mark_done(), True)
        self.assertEqual(production.state, "done")
        self.assertTrue(production.pps_locked)

    def test_locked_production_form_records_execution_and_plan(self):
        """The MO form sends work-order update commands whenever the quantity
        produced or consumed is recorded, or a work order's plan changes:
        execution and plan, which the lock leaves free, so saving the form
        works. Adding or removing a work order through the MO is refused."""
        self.planner_user.group_ids |= self.env.ref("mrp.group_mrp_routings")
        production = self.production.with_user(self.planner_user)
        form = Form(production)
        form.qty_producing = 1
        with form.move_raw_ids.edit(0) as line:
            line.quantity = 2
        with form.workorder_ids.edit(0) as workorder:
            workorder.duration_expected = 95
        form.save()
        self.assertEqual(production.qty_producing, 1)
        self.assertEqual(production.move_raw_ids.quantity, 2)
        self.assertEqual(production.workorder_ids.duration_expected, 95)
        workorder = production.workorder_ids
        for commands in (
            [
                Command.create(
                    {
                        "name": "Extra",
                        "workcenter_id": self.workcenter.id,
                        "product_uom_id": self.product.uom_id.id,
                    }
                )
            ],
            [Command.delete(workorder.id)],
            [Command.set([])],
        ):
            with self.assertRaisesRegex(UserError, "execution lock"):
                production.write({"workorder_ids": commands})
        self.assertEqual(production.workorder_ids, workorder)

    def test_locked_production_form_is_read_only_where_refused(self):
        """What the server refuses on a locked MO is read-only in its form:
        every protected field of the MO itself (product, quantity, deadline,
        bill of materials), the quantity wizard's button, and adding or
        deleting work orders; the work orders' plan and the components stay
        editable, as the server lets them change."""
        self.planner_user.group_ids |= self.env.ref("mrp.group_mrp_routings")
        arch = etree.fromstring(
            self.env["mrp.production"]
            .with_user(self.planner_user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        protected = set(self.env["mrp.production"]._pps_lock_protected_fields)
        self.assertEqual(
            protected,
            {"date_deadline", "product_qty", "product_id", "bom_id", "workorder_ids"},
        )
        own = "not(ancestor::field) and not(ancestor::header)"
        for name in sorted(protected - {"workorder_ids"}):
            nodes = arch.xpath(f"//sheet//field[@name='{name}'][{own}]")
            self.assertTrue(nodes, name)
            for node in nodes:
                if node.get("readonly") in ("1", "True"):
                    continue
                self.assertIn("pps_locked", node.get("readonly") or "", name)
        [quantity_button] = arch.xpath(
            "//div[@name='qty']/button[field[@name='product_qty']]"
        )
        self.assertIn("pps_locked", quantity_button.get("invisible"))
        [workorders] = arch.xpath(
            "//page[@name='operations']/field[@name='workorder_ids']"
        )
        options = safe_eval(workorders.get("options"))
        for action in ("create", "delete"):
            self.assertIn(("pps_locked", "=", False), options[action], action)
        self.assertNotIn("pps_locked", workorders.get("readonly") or "")
        [components] = arch.xpath(
            "//page[@name='components']/field[@name='move_raw_ids']"
        )
        self.assertNotIn("pps_locked", components.get("readonly") or "")

    def test_cancelling_a_locked_production_needs_an_unlock(self):
        """Cancelling an MO drops what was agreed: refused under the lock, even
        to a manufacturing administrator; once unlocked it works."""
        production = self.production.with_user(self.admin_user)
        with self.assertRaisesRegex(UserError, "cannot be cancelled"):
            production.action_cancel()
        self.production.with_user(self.unlock_user).action_pps_unlock("obsolete")
        production.action_cancel()
        self.assertEqual(production.state, "cancel")
        self.assertEqual(production.workorder_ids.state, "cancel")

    def test_cancelling_a_locked_sale_order_needs_an_unlock(self):
        """Cancelling changes the agreement: refused under the lock, allowed
        once the unlock group has unlocked the order with a reason."""
        self.order.with_user(self.sales_user).action_pps_lock()
        with self.assertRaisesRegex(UserError, "execution lock|unlock"):
            self.order.with_user(self.admin_user)._action_cancel()
        self.order.with_user(self.unlock_user).action_pps_unlock("customer cancels")
        self.order.with_user(self.admin_user)._action_cancel()
        self.assertEqual(self.order.state, "cancel")

    def test_production_follows_its_sale_order(self):
        """MOs carry the order's red flag and serial, and unlocking the order
        unlocks them (logged per record)."""
        self.order.sudo().write({"pps_serial": 4})
        self.assertEqual(self.production.pps_serial, 4)
        self.assertEqual(self.production.pps_sale_order_id, self.order)
        self.order.with_user(self.sales_user).action_pps_lock()
        self.order.with_user(self.unlock_user).action_pps_unlock("re-plan")
        self.assertFalse(self.production.pps_locked)
        log = self.env["pps.lock.log"].search(
            [("res_model", "=", "mrp.production"), ("res_id", "=", self.production.id)],
            order="id desc",
            limit=1,
        )
        self.assertEqual(log.action, "unlock")
        self.assertEqual(log.user_id, self.unlock_user)


class TestMultiLevelProduction(PpsCoordinationCase):
    def test_sub_assembly_orders_belong_to_the_sale_order(self):
        """A sub-assembly MO created for the MO of an order carries the order,
        its red flag and serial, and is locked with it."""
        sub = self.env["product.product"].create(
            {
                "name": "PPS Gear Set",
                "is_storable": True,
                "route_ids": [(6, 0, [self.route_manufacture.id, self.route_mto.id])],
            }
        )
        self.env["mrp.bom"].create(
            {
                "product_tmpl_id": sub.product_tmpl_id.id,
                "bom_line_ids": [
                    (0, 0, {"product_id": self.component.id, "product_qty": 1})
                ],
            }
        )
        self.bom.bom_line_ids = [(0, 0, {"product_id": sub.id, "product_qty": 1})]
        order = self._create_sale_order()
        order.sudo().write({"pps_rush": True, "pps_serial": 2})
        productions = self._confirm_with_production(order, plan=False)
        child = productions.filtered(lambda p: p.product_id == sub)
        self.assertTrue(child, "the sub-assembly is made to order")
        self.assertEqual(child.pps_sale_order_id, order)
        self.assertTrue(child.pps_rush)
        self.assertEqual(child.pps_serial, 2)
        order.with_user(self.sales_user).action_pps_lock()
        self.assertTrue(child.pps_locked)


class TestLockActionGuards(PpsCoordinationCase):
    """The conditions the views put on the Lock/Unlock buttons hold on the server."""

    def test_relock_and_unlock_of_unlocked_are_refused(self):
        """Locking a locked order again would rewrite who locked it and when,
        and unlocking an unlocked one would leave a false log entry: both are
        refused, and the log keeps exactly one lock entry."""
        order = self._create_sale_order(expected_date=self._in_days(10))
        with self.assertRaisesRegex(UserError, "is not locked"):
            order.with_user(self.unlock_user).action_pps_unlock("no reason to")
        order.with_user(self.sales_user).action_pps_lock()
        locked_at = order.pps_locked_at
        with self.assertRaisesRegex(UserError, "already locked"):
            order.with_user(self.planner_user).action_pps_lock()
        self.assertEqual(order.pps_locked_at, locked_at)
        logs = self.env["pps.lock.log"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", order.id)]
        )
        self.assertEqual(logs.mapped("action"), ["lock"])

    def test_cancelled_order_cannot_be_locked(self):
        """There is no plan left to protect on a cancelled order."""
        order = self._create_sale_order(expected_date=self._in_days(10))
        order._action_cancel()
        with self.assertRaisesRegex(UserError, "cancelled"):
            order.with_user(self.sales_user).action_pps_lock()
        self.assertFalse(order.pps_locked)


class TestLockRecordRules(PpsCoordinationCase):
    """Lock and unlock stay inside what the user's record rules allow."""

    def test_salesperson_cannot_lock_another_salespersons_order(self):
        """A salesperson who sees only their own orders cannot lock someone
        else's by id (as over RPC)."""
        other = mail_new_test_user(
            self.env,
            login="pps_sales_own_docs",
            groups="base.group_user,pps_coordination.group_pps_sales",
        )
        order = self._create_sale_order(
            expected_date=self._in_days(10), user_id=self.sales_user.id
        )
        with self.assertRaises(AccessError):
            order.with_user(other).action_pps_lock()
        self.assertFalse(order.pps_locked)
        order.with_user(self.sales_user).action_pps_lock()
        self.assertTrue(order.pps_locked)

    def test_unlock_user_of_another_company_cannot_unlock(self):
        """The unlock privilege holds within the user's companies only."""
        order = self._create_sale_order(expected_date=self._in_days(10))
        order.with_user(self.sales_user).action_pps_lock()
        elsewhere = self.env["res.company"].create({"name": "PPS Elsewhere"})
        outsider = mail_new_test_user(
            self.env,
            login="pps_unlock_elsewhere",
            groups="base.group_user,pps_coordination.group_pps_unlock",
            company_id=elsewhere.id,
            company_ids=[Command.set(elsewhere.ids)],
        )
        with self.assertRaises(AccessError):
            order.with_user(outsider).action_pps_unlock("not my company")
        self.assertTrue(order.pps_locked)
        order.with_user(self.unlock_user).action_pps_unlock("customer asked")
        self.assertFalse(order.pps_locked)
