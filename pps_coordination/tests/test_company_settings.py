"""Company settings of the coordination platform: defaults, validation, and the
settings screen."""

from lxml import etree

from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests.common import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user


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
        with self.assertRaisesRegex(ValidationError, "less than 100%"):
            company.pps_rush_capacity_share = 1.0
        with self.assertRaisesRegex(ValidationError, "at least 0%"):
            company.pps_rush_capacity_share = -0.1
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            company.pps_frozen_days = -1

    def test_rush_reserve_is_a_percentage_on_the_settings_screen(self):
        """The settings administrator types the rush reserve as a percentage
        (Odoo's percentage widget: 25 on screen is 0.25 on the company), and a
        reserve of 100% is refused from the screen too."""
        admin = mail_new_test_user(
            self.env,
            login="pps_settings_admin",
            groups="base.group_user,base.group_system,mrp.group_mrp_manager",
        )
        Settings = self.env["res.config.settings"].with_user(admin)
        arch = etree.fromstring(
            Settings.get_views([(False, "form")])["views"]["form"]["arch"]
        )
        [field] = arch.xpath("//field[@name='pps_rush_capacity_share']")
        self.assertEqual(field.get("widget"), "percentage")
        [setting] = arch.xpath("//setting[@id='pps_rush_capacity_share']")
        self.assertNotIn("0.2", setting.get("help"))

        form = Form(Settings)
        self.assertAlmostEqual(form.pps_rush_capacity_share, 0.20)
        form.pps_rush_capacity_share = 0.25
        form.save().execute()
        self.assertAlmostEqual(admin.company_id.pps_rush_capacity_share, 0.25)
        form = Form(Settings)
        form.pps_rush_capacity_share = 1.0
        with self.assertRaisesRegex(ValidationError, "less than 100%"):
            form.save().execute()
