"""The customer told: an agreed delivery date mails the customer from the
template ``mail_template_pps_date_change``, in the order's chatter, unless the
company turned it off; sales may also open the mail composer with it."""

from datetime import timedelta

import pytz

from odoo.exceptions import AccessError, UserError
from odoo.tools import html2plaintext

from .common import PpsCoordinationCase

TEMPLATE = "pps_coordination.mail_template_pps_date_change"


class TestCustomerMail(PpsCoordinationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Tokyo is 9 hours ahead of UTC: a date at 20:00 UTC is the next day
        # for the customer.
        cls.customer.write({"email": "buyer@customer.example", "tz": "Asia/Tokyo"})
        cls.comment = cls.env.ref("mail.mt_comment")

    # -------------------------------------------------------------- helpers
    def _evening(self, days):
        """``days`` from now at 20:00 UTC: the next day in Tokyo."""
        return (self._now() + timedelta(days=days)).replace(hour=20, minute=0)

    def _customer_day(self, value, lang="en_US"):
        """``value`` (naive UTC) as the customer's day in ``lang``'s format."""
        local = pytz.utc.localize(value).astimezone(pytz.timezone("Asia/Tokyo"))
        return local.strftime(self.env["res.lang"]._lang_get(lang).date_format)

    def _customer_mails(self, order):
        """The emails of the order's chatter sent to the customer."""
        return order.message_ids.filtered(
            lambda m: m.subtype_id == self.comment and self.customer in m.partner_ids
        )

    def _in_production(self, expected):
        """A confirmed order in production, its first date agreed."""
        order = self._create_sale_order()
        self._agree_new_order(order, expected)
        self._confirm_with_production(order)
        return order

    def _customer_change(self, order, new_date, reason="Customer site not ready"):
        negotiation = order.with_user(self.sales_user).action_pps_request_date(
            new_date, scenario="customer_change", reason=reason
        )
        negotiation.with_user(self.planner_user).action_answer(new_date)
        return negotiation

    # ---------------------------------------------------------------- tests
    def test_agreed_customer_change_mails_the_customer(self):
        """Agreeing a customer change posts one email to the customer in the
        order's chatter, from the order's salesperson, naming the new
        date (the customer's day, in their language's format), the previous
        date, the reason sales wrote and the change order."""
        first_date = self._evening(10)
        order = self._in_production(first_date)
        before = self._customer_mails(order)
        new_date = self._evening(17)
        negotiation = self._customer_change(order, new_date)
        negotiation.with_user(self.sales_user).action_agree()

        mail = self._customer_mails(order) - before
        self.assertEqual(len(mail), 1, "one mail for the agreed change")
        self.assertEqual(mail.partner_ids, self.customer)
        self.assertEqual(mail.author_id, order.user_id.partner_id)
        self.assertEqual(mail.email_from, order.user_id.email_formatted)
        self.assertEqual(
            mail.notification_ids.filtered(
                lambda n: n.notification_type == "email"
            ).res_partner_id,
            self.customer,
            "sent by email to the customer",
        )
        self.assertIn(order.name, mail.subject)
        body = html2plaintext(mail.body)
        change = negotiation.change_order_id
        self.assertIn(change.name, body)
        self.assertIn("Customer site not ready", body)
        self.assertIn("your change request", body)
        self.assertIn(self._customer_day(new_date), body)
        self.assertIn(self._customer_day(first_date), body)
        self.assertIn("changes from", body)
        self.assertNotIn(
            new_date.strftime("%m/%d/%Y"), body, "the customer's day, not UTC's"
        )

    def test_first_agreement_confirms_the_date(self):
        """The first agreed date of a new order is the delivery date the
        customer hears of: a confirmation, with the date asked for when the
        agreed one differs."""
        order = self._create_sale_order()
        expected, agreed = self._evening(10), self._evening(12)
        negotiation = order.with_user(self.sales_user).action_pps_request_date(expected)
        self.assertFalse(self._customer_mails(order), "a request tells nobody")
        negotiation.with_user(self.planner_user).action_answer(agreed)
        self.assertFalse(self._customer_mails(order), "an answer tells nobody")
        negotiation.with_user(self.sales_user).action_agree()

        mail = self._customer_mails(order)
        self.assertEqual(len(mail), 1)
        body = html2plaintext(mail.body)
        self.assertIn("We confirm the delivery date", body)
        self.assertIn(self._customer_day(agreed), body)
        self.assertIn(f"You had asked for {self._customer_day(expected)}", body)
        self.assertIn(negotiation.change_order_id.name, body)

    def test_rejection_sends_no_mail(self):
        """A rejected answer changes nothing for the customer: no mail."""
        order = self._in_production(self._evening(10))
        before = self._customer_mails(order)
        negotiation = self._customer_change(order, self._evening(17))
        negotiation.with_user(self.sales_user).action_reject(reason="Too late")
        self.assertEqual(self._customer_mails(order), before)

    def test_company_setting_off_sends_no_mail(self):
        """With the company setting off, agreements mail nobody."""
        self.company.pps_notify_customer = False
        order = self._in_production(self._evening(10))
        negotiation = self._customer_change(order, self._evening(17))
        negotiation.with_user(self.sales_user).action_agree()
        self.assertEqual(negotiation.state, "agreed")
        self.assertFalse(self._customer_mails(order))

    def test_internal_change_keeps_production_reason_inside(self):
        """An internal change agreed by sales is told to the customer as a
        change of planning, without production's own reason."""
        order = self._in_production(self._evening(10))
        before = self._customer_mails(order)
        proposed = self._evening(14)
        negotiation = order.with_user(self.planner_user).action_pps_propose_date(
            proposed, "Press 3 hydraulic leak"
        )
        negotiation.with_user(self.sales_user).action_agree()
        mail = self._customer_mails(order) - before
        self.assertEqual(len(mail), 1)
        body = html2plaintext(mail.body)
        self.assertIn("a change in our production planning", body)
        self.assertNotIn("hydraulic", body)
        self.assertIn(self._customer_day(proposed), body)

    def test_same_date_agreed_again_sends_no_mail(self):
        """An agreement that keeps the agreed date tells the customer
        nothing new: no mail."""
        first_date = self._evening(10)
        order = self._in_production(first_date)
        before = self._customer_mails(order)
        negotiation = order.with_user(self.planner_user).action_pps_propose_date(
            first_date, "Checked: the date holds"
        )
        negotiation.with_user(self.sales_user).action_agree()
        self.assertEqual(negotiation.change_order_id.new_date, first_date)
        self.assertEqual(self._customer_mails(order), before)

    def test_send_button_opens_the_composer_with_the_template(self):
        """*Send Date Change* opens the standard mail composer on the order
        with the template; sending it posts the email to the customer. Only
        sales coordinators may use it, and only once a date is agreed."""
        self.company.pps_notify_customer = False
        order = self._create_sale_order()
        with self.assertRaisesRegex(UserError, "no agreed delivery date"):
            order.with_user(self.sales_user).action_pps_send_date_change()
        negotiation = self._agree_new_order(order, self._evening(10))
        self.assertFalse(self._customer_mails(order))
        with self.assertRaises(AccessError):
            order.with_user(self.planner_user).action_pps_send_date_change()

        action = order.with_user(self.sales_user).action_pps_send_date_change()
        self.assertEqual(action["res_model"], "mail.compose.message")
        self.assertEqual(action["target"], "new")
        context = action["context"]
        self.assertEqual(context["default_template_id"], self.env.ref(TEMPLATE).id)
        self.assertEqual(context["default_model"], "sale.order")
        self.assertEqual(context["default_res_ids"], order.ids)
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.sales_user)
            .with_context(**context)
            .create({})
        )
        self.assertIn(self.customer, composer.partner_ids)
        self.assertIn(negotiation.change_order_id.name, composer.body)
        composer.action_send_mail()
        mail = self._customer_mails(order)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.author_id, self.sales_user.partner_id)
        self.assertIn(negotiation.change_order_id.name, html2plaintext(mail.body))

    def test_mail_in_the_customer_language(self):
        """The template is translatable (subject and body): a French customer
        gets the French text, and the date in the French format."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.customer.lang = "fr_FR"
        template = self.env.ref(TEMPLATE)
        term = "Do not hesitate to contact us if you have any questions."
        self.assertIn(term, template.body_html)
        template.update_field_translations(
            "body_html",
            {
                "fr_FR": template.body_html.replace(
                    term, "N'hésitez pas à nous contacter."
                )
            },
        )
        template.update_field_translations(
            "subject",
            {"fr_FR": "Commande {{ object.name }} : date de livraison"},
        )
        order = self._create_sale_order()
        agreed = self._evening(10)
        self._agree_new_order(order, agreed)
        mail = self._customer_mails(order)
        self.assertEqual(mail.subject, f"Commande {order.name} : date de livraison")
        body = html2plaintext(mail.body)
        self.assertIn("N'hésitez pas à nous contacter.", body)
        self.assertIn(self._customer_day(agreed, "fr_FR"), body)
