"""Company settings of the coordination platform: defaults and validation."""

from odoo.exceptions import ValidationError
from odoo.tests.common import TransactionCase


class TestCompanySettings(TransactionCase):
    def test_defaults_match_the_platform_policy(self):
        """A new company starts with the documented policy: 3 frozen days,
        20% rush reserve, 3 days of material buffer, customers told their
        agreed delivery dates."""
        company = self.env["res.company"].create({"name": "Policy Co"})
        self.assertEqual(company.pps_frozen_days, 3)
        self.assertAlmostEqual(company.pps_rush_capacity_share, 0.20)
        self.assertEqual(company.pps_material_buffer_days, 3)
        self.assertTrue(company.pps_notify_customer)

    def test_customer_mail_is_a_setting_of_the_company(self):
        """Settings turn the customer's mail of agreed dates off and on for
        the current company."""
        company = self.env.company
        self.env["res.config.settings"].create({"pps_notify_customer": False}).execute()
        self.assertFalse(company.pps_notify_customer)
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.pps_notify_customer)
        settings.pps_notify_customer = True
        settings.execute()
        self.assertTrue(company.pps_notify_customer)

    def test_out_of_range_settings_are_refused(self):
        """A reserve of 100% or more, or negative days, would make every plan
        infeasible: the server refuses them with a clear message."""
        company = self.env.company
        with self.assertRaisesRegex(ValidationError, "between 0 and 1"):
            company.pps_rush_capacity_share = 1.0
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            company.pps_frozen_days = -1
