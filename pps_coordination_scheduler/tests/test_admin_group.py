"""The Coordination Administrator and what the scheduler adds to the app.

The scheduler puts its menus in the coordination app (schedule runs, week
locks, the dispatch board, the schedule and material checks, substitutes,
simulated demand, capacity holds): the installing administrator opens every
one of them without granting themselves anything, and a Coordination Administrator may
clean up schedule runs like a manufacturing administrator. (The group itself,
the coordination menus and the user form: ``pps_coordination``'s
``test_admin_group``.)
"""

from odoo.tests import TransactionCase

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import open_app_menus

ADMIN = "pps_coordination.group_pps_admin"


class TestAdminGroupScheduler(TransactionCase):
    def test_admin_opens_the_scheduler_menus(self):
        """Each menu of the app opens for the installing administrator, the
        scheduler's too, and the dispatch board's data loads."""
        env = self.env(user=self.env.ref("base.user_admin"))
        opened, client_tags = open_app_menus(self, env)
        self.assertLessEqual(
            {
                "pps.negotiation",
                "pps.schedule.run",
                "pps.dispatch.week.lock",
                "pps.simulated.demand",
                "pps.substitute",
                "pps.schedule.check",
                "pps.material.check",
                "pps.capacity.hold",
            },
            opened,
        )
        self.assertEqual(client_tags, {"pps_dispatch_board"})
        self.assertIn("workcenters", env["pps.dispatch.board"].get_board_data())

    def test_coordination_admin_may_clean_up_schedule_runs(self):
        """A Coordination Administrator without Manufacturing rights may delete
        schedule runs, like a manufacturing administrator."""
        manager = mail_new_test_user(
            self.env, login="pps_coord_admin", groups="base.group_user," + ADMIN
        )
        self.assertFalse(manager.has_group("mrp.group_mrp_manager"))
        self.assertTrue(
            self.env["ir.model.access"]
            .with_user(manager)
            .check("pps.schedule.run", "unlink", raise_exception=False)
        )
