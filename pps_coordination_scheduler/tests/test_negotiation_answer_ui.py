"""The answer dialog in a real browser: the promise shown before it is taken.

The tour (``static/tests/tours/negotiation_answer_tour.js``) opens a requested
round as a planner, reads production's promise in the answer dialog (the
scheduler's promise, with what binds it), checks that the date picker does not
open over it, and answers the promised date with one click.
"""

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import PpsCoordinationCase


@tagged("post_install", "-at_install")
class TestNegotiationAnswerBrowser(PpsCoordinationCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.planner_user.tz = "UTC"
        order = cls._create_sale_order(expected_date=cls._in_days(9))
        cls.negotiation = order.with_user(cls.sales_user).action_pps_request_date(
            cls._in_days(9)
        )

    def test_answer_with_the_promise(self):
        preview = (
            self.env["pps.negotiation.answer"]
            .with_user(self.planner_user)
            .with_context(default_negotiation_id=self.negotiation.id)
            .default_get(["negotiation_id", "promise_date", "promise_binding"])
        )
        self.assertTrue(preview.get("promise_date"), preview)
        self.assertTrue(preview.get("promise_binding"), preview)
        self.start_tour(
            f"/odoo/action-pps_coordination.pps_negotiation_action/{self.negotiation.id}",
            "pps_negotiation_answer_tour",
            login=self.planner_user.login,
        )
        self.assertEqual(self.negotiation.state, "answered")
        self.assertEqual(
            self.negotiation.scheduled_date,
            fields.Datetime.to_datetime(preview["promise_date"]),
            "the promise shown is the date answered",
        )
        self.assertEqual(self.negotiation.answered_by_id, self.planner_user)
