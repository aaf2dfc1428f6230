"""The answer dialog: production's promise shown before it is committed, one
click to take it, and its sentences in the planner's time zone and words."""

import re
from datetime import datetime, timedelta

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import Form

from odoo.addons.pps_coordination.tools.wording import format_duration, format_moment

from .common import PpsCoordinationCase

#: A raw timestamp as ``fields.Datetime.to_string`` writes it (UTC, seconds).
RAW_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


class TestAnswerDialog(PpsCoordinationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.planner_user.tz = "Asia/Tokyo"

    def _request(self, days):
        order = self._create_sale_order()
        return order.with_user(self.sales_user).action_pps_request_date(
            self._in_days(days)
        )

    def _dialog(self, negotiation, user=None):
        Answer = self.env["pps.negotiation.answer"].with_user(user or self.planner_user)
        return Form(Answer.with_context(default_negotiation_id=negotiation.id))

    def test_dialog_shows_the_promise_and_one_click_answers_it(self):
        """Opening the dialog computes the promise (date, binding constraint,
        why) without answering; "Use this date" answers exactly that date with
        that explanation."""
        negotiation = self._request(1)
        before = self._now()
        form = self._dialog(negotiation)
        self.assertEqual(negotiation.state, "requested", "opening answers nothing")
        minimum = before + timedelta(days=self.STANDARD_LEAD_DAYS)
        self.assertGreaterEqual(form.promise_date, minimum)
        self.assertEqual(form.promise_binding, "lead_time")
        self.assertIn("Standard lead time: 4 days", form.promise_explanation)
        self.assertFalse(form.promise_options)
        self.assertFalse(form.promise_error)
        wizard = form.save()
        shown, why = wizard.promise_date, wizard.promise_explanation
        wizard.action_use_promise()
        self.assertEqual(negotiation.state, "answered")
        self.assertEqual(negotiation.scheduled_date, shown)
        self.assertEqual(negotiation.explanation, why)
        self.assertEqual(negotiation.answered_by_id, self.planner_user)

    def test_expected_date_that_can_be_met_is_the_promise(self):
        """An expected date after the lead time is promised as is, and the
        dialog says so, in the planner's time zone and without seconds."""
        negotiation = self._request(30)
        form = self._dialog(negotiation)
        self.assertEqual(form.promise_date, negotiation.expected_date)
        self.assertEqual(form.promise_binding, "expected")
        planner_env = self.env(user=self.planner_user)
        tokyo = format_moment(planner_env, negotiation.expected_date)
        self.assertNotEqual(
            tokyo,
            format_moment(self.env(user=self.sales_user), negotiation.expected_date),
        )
        self.assertIn(
            f"The expected date {tokyo} can be met.", form.promise_explanation
        )
        self.assertNotRegex(form.promise_explanation, RAW_TIMESTAMP)

    def test_another_date_answers_that_date(self):
        """A date typed in the dialog wins over the promise."""
        negotiation = self._request(1)
        form = self._dialog(negotiation)
        other = self._in_days(20)
        form.scheduled_date = other
        form.explanation = "Press free that week"
        form.save().action_confirm()
        self.assertEqual(negotiation.scheduled_date, other)
        self.assertEqual(negotiation.explanation, "Press free that week")

    def test_no_promise_without_the_planner_role_or_a_preview(self):
        """Only planners get the promise computed; using a promise never shown
        is refused clearly, and answering stays a planner's right."""
        negotiation = self._request(1)
        Answer = self.env["pps.negotiation.answer"]
        values = (
            Answer.with_user(self.sales_user)
            .with_context(default_negotiation_id=negotiation.id)
            .default_get(["negotiation_id", "promise_date", "promise_explanation"])
        )
        self.assertNotIn("promise_date", values)
        wizard = Answer.with_user(self.planner_user).create(
            {"negotiation_id": negotiation.id}
        )
        with self.assertRaisesRegex(UserError, "no promise to use"):
            wizard.action_use_promise()
        self.assertEqual(negotiation.state, "requested")

    def test_dialog_buttons(self):
        """One primary button at a time: "Use this date" while no other date
        is typed, "Answer" once one is (or when there is no promise)."""
        arch = etree.fromstring(
            self.env["pps.negotiation.answer"]
            .with_user(self.planner_user)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        [use] = arch.xpath("//button[@name='action_use_promise']")
        self.assertEqual(use.get("string"), "Use this date")
        self.assertEqual(use.get("invisible"), "scheduled_date or not promise_date")
        [answer] = arch.xpath("//button[@name='action_confirm']")
        self.assertEqual(answer.get("invisible"), "promise_date and not scheduled_date")
        for name in ("promise_date", "promise_binding", "promise_explanation"):
            [node] = arch.xpath(f"//field[@name='{name}']")
            self.assertEqual(node.get("force_save"), "1", name)


class TestWording(PpsCoordinationCase):
    def test_moments_in_the_users_time_zone_without_seconds(self):
        """A UTC timestamp reads as the user's local time, in the language's
        date and time formats, without seconds (as a form field shows it)."""
        moment = datetime(2026, 12, 21, 6, 51, 14)
        self.planner_user.tz = "Asia/Tokyo"
        self.sales_user.tz = "America/New_York"
        self.assertEqual(
            format_moment(self.env(user=self.planner_user), moment),
            "12/21/2026 03:51 PM",
        )
        self.assertEqual(
            format_moment(self.env(user=self.sales_user), moment), "12/21/2026 01:51 AM"
        )
        self.assertEqual(format_moment(self.env, moment.date()), "12/21/2026")

    def test_durations_in_days_hours_and_minutes(self):
        """Durations read as days and hours; a number of days works too."""
        env = self.env
        self.assertEqual(format_duration(env, 4), "4 days")
        self.assertEqual(format_duration(env, 0.5), "12 hours")
        self.assertEqual(
            format_duration(env, timedelta(hours=116, minutes=12)),
            "4 days and 20 hours",
        )
        self.assertEqual(format_duration(env, timedelta(minutes=45)), "45 minutes")
        self.assertEqual(format_duration(env, 1), "1 day")
