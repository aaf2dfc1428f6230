"""Delivery-date negotiation: the four scenarios end to end, and their refusals."""

from datetime import timedelta
from unittest.mock import patch

from lxml import etree

from odoo.exceptions import AccessError, LockError, UserError
from odoo.tests import Form
from odoo.tools.safe_eval import safe_eval

from .common import PpsCoordinationCase


def _row_taken(records, **kwargs):
    """``lock_for_update`` while another transaction holds the rows."""
    raise LockError("Cannot grab a lock on records")


class TestNegotiationNewOrder(PpsCoordinationCase):
    def test_new_order_agreed_sets_dates_change_order_and_lock(self):
        """The main dialogue: sales request, planner answers, sales agrees; the
        agreed date becomes the delivery date, a change order is recorded and
        the order is locked, with the trail of who did what."""
        order = self._create_sale_order()
        expected = self._in_days(10)
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            expected, reason="Customer tender"
        )
        self.assertEqual(negotiation.state, "requested")
        self.assertEqual(negotiation.requested_by_id, self.sales_user)
        self.assertEqual(order.pps_negotiation_state, "requested")
        self.assertTrue(negotiation.name.startswith("NEG/"))
        planner_activity = negotiation.activity_ids
        self.assertEqual(planner_activity.user_id, self.planner_user)

        scheduled = self._in_days(12)
        negotiation.with_user(self.planner_user).action_answer(
            scheduled, explanation="Cell busy until then"
        )
        self.assertEqual(negotiation.state, "answered")
        self.assertEqual(negotiation.answered_by_id, self.planner_user)
        self.assertEqual(order.pps_scheduled_date, scheduled)
        self.assertEqual(order.pps_negotiation_state, "answered")
        self.assertEqual(negotiation.activity_ids.user_id, self.sales_user)

        negotiation.with_user(self.sales_user).action_agree()
        self.assertEqual(negotiation.state, "agreed")
        self.assertEqual(negotiation.decision, "agreed")
        self.assertEqual(negotiation.decided_by_id, self.sales_user)
        self.assertEqual(order.commitment_date, scheduled)
        self.assertEqual(order.pps_expected_date, scheduled)
        self.assertEqual(order.pps_negotiation_state, "agreed")
        self.assertFalse(negotiation.activity_ids)
        change = negotiation.change_order_id
        self.assertTrue(change.name.startswith("CO/"))
        self.assertEqual(change.sale_order_id, order)
        self.assertEqual(change.old_date, expected)
        self.assertEqual(change.new_date, scheduled)
        self.assertEqual(change.user_id, self.sales_user)
        self.assertEqual(order.pps_change_order_ids, change)
        self.assertTrue(order.pps_locked)
        self.assertEqual(order.pps_locked_by_id, self.sales_user)
        self.assertIn("agreed", order.message_ids[0].body)

    def test_new_order_rejected_changes_nothing_and_allows_a_new_round(self):
        """A rejection leaves the order's dates alone, creates no change order,
        does not lock, and a new round may follow."""
        order = self._create_sale_order()
        expected = self._in_days(10)
        negotiation = order.with_user(self.sales_user).action_pps_request_date(expected)
        negotiation.with_user(self.planner_user).action_answer(self._in_days(20))
        negotiation.with_user(self.sales_user).action_reject(reason="Too late")
        self.assertEqual(negotiation.state, "rejected")
        self.assertEqual(negotiation.decision_reason, "Too late")
        self.assertEqual(order.pps_negotiation_state, "rejected")
        self.assertFalse(order.commitment_date)
        self.assertEqual(order.pps_expected_date, expected)
        self.assertFalse(order.pps_change_order_ids)
        self.assertFalse(order.pps_locked)
        second = order.with_user(self.sales_user).action_pps_request_date(
            self._in_days(15)
        )
        self.assertEqual(second.state, "requested")

    def test_answer_without_date_uses_the_promise(self):
        """Without a date, the planner's answer is production's promise: the
        standard lead time, never before the expected date."""
        order = self._create_sale_order()
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            self._in_days(5)
        )
        negotiation.with_user(self.planner_user).action_answer()
        minimum = self._now() + timedelta(days=self.STANDARD_LEAD_DAYS)
        self.assertGreaterEqual(negotiation.scheduled_date, minimum)
        self.assertGreaterEqual(negotiation.scheduled_date, negotiation.expected_date)
        self.assertIn("lead time", negotiation.explanation)

    def test_only_one_open_round_per_order(self):
        """Two open rounds on one order would let two answers race."""
        order = self._create_sale_order()
        order.with_user(self.sales_user).action_pps_request_date(self._in_days(10))
        with self.assertRaisesRegex(UserError, "already has an open negotiation"):
            order.with_user(self.sales_user).action_pps_request_date(self._in_days(11))

    def test_bad_input_is_refused_clearly(self):
        """A past or missing expected date and an unknown scenario are refused
        before anything is written."""
        order = self._create_sale_order()
        requester = order.with_user(self.sales_user)
        with self.assertRaisesRegex(UserError, "in the past"):
            requester.action_pps_request_date(self._in_days(-1))
        with self.assertRaisesRegex(UserError, "is required"):
            requester.action_pps_request_date(False)
        with self.assertRaisesRegex(UserError, "Unknown scenario"):
            requester.action_pps_request_date(self._in_days(10), scenario="bribe")
        self.assertFalse(order.pps_negotiation_ids)


class TestNegotiationRefusals(PpsCoordinationCase):
    def _answered_round(self, expected_days=10, scheduled_days=12):
        order = self._create_sale_order()
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            self._in_days(expected_days)
        )
        negotiation.with_user(self.planner_user).action_answer(
            self._in_days(scheduled_days)
        )
        return order, negotiation

    def test_early_date_without_red_flag_is_refused(self):
        """Without the red flag, production may not answer before the expected
        date nor inside the standard lead time."""
        order = self._create_sale_order()
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            self._in_days(10)
        )
        with self.assertRaisesRegex(UserError, "earlier than the expected date"):
            negotiation.with_user(self.planner_user).action_answer(self._in_days(8))
        early = order.with_user(self.sales_user)
        negotiation.with_user(self.sales_user).action_cancel()
        negotiation = early.action_pps_request_date(self._in_days(1))
        with self.assertRaisesRegex(UserError, "standard production lead time"):
            negotiation.with_user(self.planner_user).action_answer(self._in_days(2))
        self.assertEqual(negotiation.state, "requested")

    def test_salesperson_cannot_answer(self):
        """Only planners answer: a salesperson answering is an access error."""
        order = self._create_sale_order()
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            self._in_days(10)
        )
        with self.assertRaises(AccessError):
            negotiation.with_user(self.sales_user).action_answer(self._in_days(12))
        self.assertEqual(negotiation.state, "requested")

    def test_sales_decide_from_the_order(self):
        """The order's Decide Date button opens the decision of its answered
        round; agreeing there makes the answer the delivery date. Without an
        answered round it says so."""
        order, negotiation = self._answered_round()
        action = order.with_user(self.sales_user).action_pps_open_decide_wizard()
        self.assertEqual(action["res_model"], "pps.negotiation.decide")
        decide = (
            self.env[action["res_model"]]
            .with_user(self.sales_user)
            .with_context(**action["context"])
            .create({"decision": "agree"})
        )
        self.assertEqual(decide.negotiation_id, negotiation)
        decide.action_confirm()
        self.assertEqual(negotiation.state, "agreed")
        self.assertEqual(order.commitment_date, negotiation.scheduled_date)
        with self.assertRaisesRegex(UserError, "no answered date to decide on"):
            order.with_user(self.sales_user).action_pps_open_decide_wizard()
        arch = order.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_pps_open_decide_wizard"', arch)

    def test_planner_cannot_decide(self):
        """Only sales decide: a planner agreeing or rejecting is an access error."""
        order, negotiation = self._answered_round()
        with self.assertRaises(AccessError):
            negotiation.with_user(self.planner_user).action_agree()
        with self.assertRaises(AccessError):
            negotiation.with_user(self.planner_user).action_reject()
        self.assertEqual(negotiation.state, "answered")
        self.assertFalse(order.commitment_date)

    def test_planner_cannot_request(self):
        """Requests come from sales."""
        order = self._create_sale_order()
        with self.assertRaises(AccessError):
            order.with_user(self.planner_user).action_pps_request_date(
                self._in_days(10)
            )

    def test_request_needs_access_to_the_order(self):
        """A coordinator limited to their own orders cannot open a round on a
        colleague's order (standard sales record rules still apply)."""
        colleague = self._create_sale_order(user_id=self.unlock_user.id)
        with self.assertRaises(AccessError):
            colleague.with_user(self.sales_user).action_pps_request_date(
                self._in_days(10)
            )
        self.assertFalse(colleague.sudo().pps_negotiation_ids)

    def test_decision_on_cancelled_round_is_refused(self):
        """A cancelled round cannot be agreed afterwards (stale screen, RPC)."""
        order, negotiation = self._answered_round()
        negotiation.with_user(self.sales_user).action_cancel()
        self.assertEqual(negotiation.state, "cancelled")
        self.assertEqual(order.pps_negotiation_state, "none")
        with self.assertRaisesRegex(UserError, "only an answered round"):
            negotiation.with_user(self.sales_user).action_agree()
        with self.assertRaisesRegex(UserError, "only an answered round"):
            negotiation.with_user(self.sales_user).action_reject()
        self.assertFalse(order.pps_change_order_ids)

    def test_round_of_a_cancelled_order_cannot_be_agreed(self):
        """Agreeing a date for an order cancelled meanwhile would lock a dead
        order: refused, and so is answering."""
        order, negotiation = self._answered_round()
        order._action_cancel()
        with self.assertRaisesRegex(UserError, "was cancelled"):
            negotiation.with_user(self.sales_user).action_agree()
        self.assertFalse(order.pps_change_order_ids)
        negotiation.with_user(self.sales_user).action_cancel()
        self.assertEqual(negotiation.state, "cancelled")

    def test_second_decision_is_refused(self):
        """Agreeing twice must not create two change orders."""
        order, negotiation = self._answered_round()
        negotiation.with_user(self.sales_user).action_agree()
        with self.assertRaisesRegex(UserError, "only an answered round"):
            negotiation.with_user(self.sales_user).action_agree()
        self.assertEqual(len(order.pps_change_order_ids), 1)

    def test_workflow_fields_cannot_be_written_directly(self):
        """An RPC client cannot skip the workflow by writing the state, nor
        create a round already agreed."""
        order, negotiation = self._answered_round()
        with self.assertRaisesRegex(UserError, "only through its actions"):
            negotiation.with_user(self.planner_user).write({"state": "agreed"})
        with self.assertRaisesRegex(UserError, "only through its actions"):
            negotiation.with_user(self.planner_user).write(
                {"scheduled_date": self._in_days(1)}
            )
        with self.assertRaisesRegex(UserError, "opened from the sale order"):
            self.env["pps.negotiation"].with_user(self.sales_user).create(
                {"sale_order_id": order.id, "scenario": "new_order", "state": "agreed"}
            )

    def test_concurrent_decision_fails_fast(self):
        """While another transaction holds the round's row (a colleague deciding
        at the same moment), deciding fails with a clear message and changes
        nothing, instead of agreeing twice."""
        order, negotiation = self._answered_round()
        with (
            patch.object(
                type(self.env["pps.negotiation"]), "lock_for_update", _row_taken
            ),
            self.assertRaisesRegex(UserError, "Someone else is acting"),
        ):
            negotiation.with_user(self.sales_user).action_agree()
        self.assertEqual(negotiation.state, "answered")
        self.assertFalse(order.pps_change_order_ids)

    def test_concurrent_request_fails_fast(self):
        """Two salespeople opening a round on the same order at once: the one
        who finds the order's row taken gets a clear message, so the order never
        ends up with two open rounds."""
        order = self._create_sale_order()
        with (
            patch.object(type(self.env["sale.order"]), "lock_for_update", _row_taken),
            self.assertRaisesRegex(UserError, "Someone else is changing"),
        ):
            order.with_user(self.sales_user).action_pps_request_date(self._in_days(10))
        self.assertFalse(order.pps_negotiation_ids)


class TestNegotiationRush(PpsCoordinationCase):
    def test_rush_order_allows_early_answer_and_sets_flag_and_serial(self):
        """With the red flag (raised by the rush request, with a serial), the
        planner may answer inside the standard lead time."""
        order = self._create_sale_order()
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            self._in_days(3), scenario="rush_order", reason="Line down", serial=1
        )
        self.assertTrue(order.pps_rush)
        self.assertEqual(order.pps_serial, 1)
        early = self._in_days(1)
        negotiation.with_user(self.planner_user).action_answer(early)
        negotiation.with_user(self.sales_user).action_agree()
        self.assertEqual(order.commitment_date, early)
        self.assertEqual(negotiation.change_order_id.scenario, "rush_order")
        self.assertTrue(order.pps_locked)

    def _request_form(self, order):
        """The request dialog of ``order`` as the sales user sees it."""
        return Form(
            self.env["pps.negotiation.request"]
            .with_user(self.sales_user)
            .with_context(default_sale_order_id=order.id)
        )

    def _send(self, form):
        action = form.save().action_confirm()
        return self.env["pps.negotiation"].browse(action["res_id"])

    def test_red_flag_ticked_on_a_customer_change_is_kept(self):
        """The red flag ticked in a customer change (not a Rush Order scenario)
        is raised with its serial, so production may answer early."""
        order = self._create_sale_order(expected_date=self._in_days(10))
        self._confirm_with_production(order)
        form = self._request_form(order)
        self.assertEqual(form.scenario, "customer_change")
        form.rush = True
        form.serial = 4
        form.expected_date = self._in_days(2)
        negotiation = self._send(form)
        self.assertEqual(negotiation.scenario, "customer_change")
        self.assertTrue(order.pps_rush)
        self.assertEqual(order.pps_serial, 4)
        early = self._in_days(1)
        negotiation.with_user(self.planner_user).action_answer(early)
        self.assertEqual(negotiation.scheduled_date, early)

    def test_red_flag_unticked_is_lowered(self):
        """The dialog shows the order's flag (a Rush Order, which keeps it
        raised); as a new order, unticked and sent, it is lowered (the answer
        may no longer come early). The server refuses a rush order without."""
        order = self._create_sale_order()
        order.with_user(self.sales_user).write({"pps_rush": True})
        form = self._request_form(order)
        self.assertTrue(form.rush)
        self.assertEqual(form.scenario, "rush_order")
        with self.assertRaises(AssertionError, msg="a rush order keeps the flag"):
            form.rush = False
        form.scenario = "new_order"
        form.rush = False
        form.expected_date = self._in_days(10)
        negotiation = self._send(form)
        self.assertEqual(negotiation.scenario, "new_order")
        self.assertFalse(order.pps_rush)
        with self.assertRaisesRegex(UserError, "earlier than the expected date"):
            negotiation.with_user(self.planner_user).action_answer(self._in_days(8))
        negotiation.with_user(self.sales_user).action_cancel()
        with self.assertRaisesRegex(UserError, "raises the red flag"):
            order.with_user(self.sales_user).action_pps_request_date(
                self._in_days(3), scenario="rush_order", rush=False
            )
        self.assertFalse(order.pps_rush)

    def test_red_flag_is_read_only_on_a_locked_order(self):
        """On a locked order the flag is agreed content: the dialog shows it
        read-only (sent as shown), and the server refuses to change it."""
        order = self._create_sale_order()
        self._agree_new_order(order, self._in_days(10))
        self._confirm_with_production(order)
        self.assertTrue(order.pps_locked)
        form = self._request_form(order)
        with self.assertRaises(AssertionError):
            form.rush = True
        form.expected_date = self._in_days(12)
        negotiation = self._send(form)
        self.assertEqual(negotiation.scenario, "customer_change")
        self.assertFalse(order.pps_rush)
        negotiation.with_user(self.sales_user).action_cancel()
        with self.assertRaisesRegex(UserError, "under the execution lock"):
            order.with_user(self.sales_user).action_pps_request_date(
                self._in_days(12), scenario="customer_change", rush=True
            )
        self.assertFalse(order.pps_rush)

    def test_rush_flag_is_for_sales_only(self):
        """Raising the red flag is a sales decision."""
        order = self._create_sale_order()
        with self.assertRaises(AccessError):
            order.with_user(self.planner_user).write({"pps_rush": True})


class TestNegotiationCustomerChange(PpsCoordinationCase):
    def test_customer_change_needs_an_order_in_production(self):
        """A customer change on a mere quotation is refused with a hint."""
        order = self._create_sale_order()
        with self.assertRaisesRegex(UserError, "already in production"):
            order.with_user(self.sales_user).action_pps_request_date(
                self._in_days(10), scenario="customer_change"
            )

    def test_customer_change_reschedules_production_and_purchases(self):
        """On a locked order in production, agreeing the customer's new date
        shifts the MO, its planned work order and the RFQ behind it by the same
        delta, lists them on the change order and locks the order again.

        This is the fallback of ``pps_coordination`` alone; with the scheduler
        installed its override re-plans instead (tested in the scheduler's
        test_scheduler_negotiation.py).
        """
        order = self._create_sale_order()
        first = self._agree_new_order(order, self._in_days(10))
        self.assertTrue(order.pps_locked)
        productions = self._confirm_with_production(order)
        production = productions.filtered(lambda p: p.product_id == self.product)
        self.assertTrue(production.pps_locked, "MOs of a locked order are locked")
        workorder = production.workorder_ids
        self.assertTrue(workorder.date_start, "the fixture plans the work order")
        lines = production._pps_supplying_purchase_lines()
        self.assertTrue(lines, "the component is bought to order")
        before = {
            "mo_start": production.date_start,
            "mo_finish": production.date_finished,
            "wo_start": workorder.date_start,
            "wo_finish": workorder.date_finished,
            "po": lines[0].date_planned,
        }

        new_date = self._in_days(17)
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            new_date, scenario="customer_change", reason="Customer site not ready"
        )
        negotiation.with_user(self.planner_user).action_answer(new_date)
        negotiation.with_user(self.sales_user).action_agree()

        delta = new_date - first.scheduled_date
        self.assertEqual(order.commitment_date, new_date)
        self.assertEqual(production.date_start, before["mo_start"] + delta)
        self.assertEqual(production.date_finished, before["mo_finish"] + delta)
        self.assertEqual(workorder.date_start, before["wo_start"] + delta)
        self.assertEqual(workorder.date_finished, before["wo_finish"] + delta)
        self.assertEqual(lines[0].date_planned, before["po"] + delta)
        change = negotiation.change_order_id
        self.assertEqual(change.old_date, first.scheduled_date)
        self.assertEqual(change.new_date, new_date)
        self.assertIn(production, change.production_ids)
        self.assertEqual(change.purchase_order_ids, lines.order_id)
        self.assertTrue(order.pps_locked)
        self.assertTrue(production.pps_locked)
        self.assertEqual(len(order.pps_change_order_ids), 2)


class TestNegotiationInternalChange(PpsCoordinationCase):
    def test_planner_proposes_and_sales_agree(self):
        """A planner proposes a later date with a reason; the round starts
        answered, sales agree, dates move, a change order is made, the order
        is locked."""
        order = self._create_sale_order()
        first = self._agree_new_order(order, self._in_days(10))
        proposed = self._in_days(14)
        negotiation = order.with_user(self.planner_user).action_pps_propose_date(
            proposed, "Press maintenance moved"
        )
        self.assertEqual(negotiation.scenario, "internal_change")
        self.assertEqual(negotiation.state, "answered")
        self.assertEqual(negotiation.expected_date, first.scheduled_date)
        self.assertEqual(negotiation.activity_ids.user_id, self.sales_user)
        negotiation.with_user(self.sales_user).action_agree()
        self.assertEqual(order.commitment_date, proposed)
        self.assertEqual(negotiation.change_order_id.scenario, "internal_change")
        self.assertEqual(negotiation.change_order_id.reason, "Press maintenance moved")
        self.assertTrue(order.pps_locked)

    def test_internal_change_needs_planner_and_reason(self):
        """Sales cannot propose production dates; a planner must give a reason."""
        order = self._create_sale_order()
        with self.assertRaises(AccessError):
            order.with_user(self.sales_user).action_pps_propose_date(
                self._in_days(10), "why not"
            )
        with self.assertRaisesRegex(UserError, "needs a reason"):
            order.with_user(self.planner_user).action_pps_propose_date(
                self._in_days(10), " "
            )


class TestNegotiationCounterProposal(PpsCoordinationCase):
    """After a rejection, sales propose another date in one step."""

    def _rejected_round(self, order=None, expected_days=10, scheduled_days=20):
        order = order or self._create_sale_order()
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            self._in_days(expected_days)
        )
        negotiation.with_user(self.planner_user).action_answer(
            self._in_days(scheduled_days)
        )
        negotiation.with_user(self.sales_user).action_reject(
            reason="Customer cannot wait"
        )
        return order, negotiation

    def test_counter_proposal_opens_a_linked_round(self):
        """The new round is requested like any other (expected date on the
        order, planner's activity), linked to the rejected one both ways, and
        both chatters say so."""
        order, rejected = self._rejected_round()
        counter_date = self._in_days(15)
        counter = rejected.with_user(self.sales_user).action_counter_propose(
            counter_date, reason="Half the quantity first?"
        )
        self.assertEqual(counter.state, "requested")
        self.assertEqual(counter.scenario, "new_order")
        self.assertEqual(counter.expected_date, counter_date)
        self.assertEqual(counter.requested_by_id, self.sales_user)
        self.assertEqual(counter.previous_round_id, rejected)
        self.assertEqual(rejected.counter_round_ids, counter)
        self.assertEqual(order.pps_expected_date, counter_date)
        self.assertEqual(order.pps_negotiation_state, "requested")
        self.assertEqual(counter.activity_ids.user_id, self.planner_user)
        self.assertIn(
            f"Counter-proposal to {rejected.name}", counter.message_ids[0].body
        )
        self.assertIn("Customer cannot wait", counter.message_ids[0].body)
        self.assertIn(counter.name, rejected.message_ids[0].body)
        self.assertIn(f"Counter-proposal to {rejected.name}", order.message_ids[0].body)
        self.assertFalse(rejected.can_counter_propose, "countered once")

        # the dialogue goes on as usual
        counter.with_user(self.planner_user).action_answer(counter_date)
        counter.with_user(self.sales_user).action_agree()
        self.assertEqual(order.commitment_date, counter_date)

    def test_counter_proposal_is_refused_where_it_cannot_apply(self):
        """Sales only; a rejected round only, the latest of its order, once;
        and the link cannot be written by hand."""
        order, rejected = self._rejected_round()
        with self.assertRaisesRegex(AccessError, "may counter-propose"):
            rejected.with_user(self.planner_user).action_counter_propose(
                self._in_days(15)
            )
        with self.assertRaises(AccessError):
            rejected.with_user(self.planner_user).action_open_counter_wizard()
        counter = rejected.with_user(self.sales_user).action_counter_propose(
            self._in_days(15)
        )
        with self.assertRaisesRegex(UserError, "only a rejected round"):
            counter.with_user(self.sales_user).action_counter_propose(self._in_days(16))
        with self.assertRaisesRegex(UserError, "not the latest round"):
            rejected.with_user(self.sales_user).action_counter_propose(
                self._in_days(16)
            )
        with self.assertRaisesRegex(UserError, "only through its actions"):
            counter.with_user(self.sales_user).write({"previous_round_id": False})
        self.assertEqual(len(order.pps_negotiation_ids), 2)
        # the counter withdrawn, the rejected round is the latest again
        counter.with_user(self.sales_user).action_cancel()
        self.assertTrue(rejected.can_counter_propose)
        with self.assertRaisesRegex(UserError, "in the past"):
            rejected.with_user(self.sales_user).action_counter_propose(
                self._in_days(-1)
            )

    def test_counter_wizard_from_the_round_and_from_the_order(self):
        """The Counter-Propose buttons open the request dialog prefilled (the
        order, the rejected round, its expected date); sending it opens the
        linked round. A forged link to another order's round is refused."""
        order, rejected = self._rejected_round()
        action = rejected.with_user(self.sales_user).action_open_counter_wizard()
        self.assertEqual(action["res_model"], "pps.negotiation.request")
        self.assertEqual(
            order.with_user(self.sales_user).action_pps_open_request_wizard()[
                "context"
            ],
            action["context"],
        )
        Request = self.env["pps.negotiation.request"].with_user(self.sales_user)
        wizard = Request.with_context(**action["context"]).create({})
        self.assertEqual(wizard.sale_order_id, order)
        self.assertEqual(wizard.previous_round_id, rejected)
        self.assertEqual(wizard.expected_date, rejected.expected_date)
        self.assertEqual(wizard.scenario, "new_order")
        self.assertEqual(wizard.previous_scheduled_date, rejected.scheduled_date)
        self.assertEqual(wizard.previous_decision_reason, "Customer cannot wait")
        counter_date = self._in_days(16)
        wizard.expected_date = counter_date
        other_order, other_rejected = self._rejected_round()
        forged = Request.create(
            {
                "sale_order_id": other_order.id,
                "previous_round_id": rejected.id,
                "expected_date": self._in_days(16),
            }
        )
        with self.assertRaisesRegex(UserError, "round of another order"):
            forged.action_confirm()
        counter = self.env["pps.negotiation"].browse(wizard.action_confirm()["res_id"])
        self.assertEqual(counter.previous_round_id, rejected)
        self.assertEqual(counter.expected_date, counter_date)
        self.assertTrue(other_rejected.can_counter_propose)
        # no rejected round: the order's button opens a plain request
        plain = self._create_sale_order().with_user(self.sales_user)
        self.assertNotIn(
            "default_previous_round_id",
            plain.action_pps_open_request_wizard()["context"],
        )

    def test_rejected_internal_change_is_countered_as_customer_change(self):
        """A planner's proposal rejected on an order in production: sales
        counter with a customer change of the date they want."""
        order = self._create_sale_order()
        self._agree_new_order(order, self._in_days(10))
        self._confirm_with_production(order)
        proposal = order.with_user(self.planner_user).action_pps_propose_date(
            self._in_days(14), "Press maintenance moved"
        )
        proposal.with_user(self.sales_user).action_reject(reason="Too late")
        counter = proposal.with_user(self.sales_user).action_counter_propose(
            self._in_days(12)
        )
        self.assertEqual(counter.scenario, "customer_change")
        self.assertEqual(counter.previous_round_id, proposal)

    def test_form_shows_the_buttons_and_only_the_states_passed(self):
        """Counter-Propose is a sales button shown on a counterable round and,
        on the order, in place of Request Date after a rejection; the status
        bar shows requested and answered, then the final state reached (no
        Agreed before Rejected)."""

        def arch(model, user):
            return etree.fromstring(
                self.env[model]
                .with_user(user)
                .get_views([(False, "form")])["views"]["form"]["arch"]
            )

        sales_round = arch("pps.negotiation", self.sales_user)
        [button] = sales_round.xpath("//button[@name='action_open_counter_wizard']")
        self.assertEqual(button.get("invisible"), "not can_counter_propose")
        self.assertFalse(
            arch("pps.negotiation", self.planner_user).xpath(
                "//button[@name='action_open_counter_wizard']"
            )
        )
        [statusbar] = sales_round.xpath("//field[@name='state'][@widget='statusbar']")
        self.assertEqual(statusbar.get("statusbar_visible"), "requested,answered")

        buttons = arch("sale.order", self.sales_user).xpath(
            "//button[@name='action_pps_open_request_wizard']"
        )
        labels = {b.get("string"): b.get("invisible") for b in buttons}
        self.assertEqual(set(labels), {"Request Date", "Counter-Propose"})
        for state, shown in (
            ("none", "Request Date"),
            ("agreed", "Request Date"),
            ("rejected", "Counter-Propose"),
            ("requested", None),
        ):
            visible = {
                label
                for label, invisible in labels.items()
                if not safe_eval(
                    invisible, {"state": "sale", "pps_negotiation_state": state}
                )
            }
            self.assertEqual(visible, {shown} - {None}, state)
