"""The Coordination Administrator, and the coordination privileges in the user form.

The administrator who installs the add-ons is a Coordination Administrator:
every menu of the app opens for them without granting themselves anything.

Odoo 19's user form (the ``res_user_group_ids`` widget on ``group_ids``) draws
one selection per ``res.groups.privilege`` and, on save, writes ``group_ids``
with one group per privilege: the one shown, i.e. the last of the privilege's
groups (in the widget's order) that the user holds. The coordination role is
one privilege (Sales Coordinator, Production Planner, Sales and Production,
Coordination Administrator); the unlock privilege is a privilege of its own, so
it can be given beside any role. ``_form_values`` and ``_save_form`` do what the
widget does; ``TestUserFormBrowser`` does it in the real form.
"""

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import ROOT_MENU, app_menus, open_app_menus

ROLE = "pps_coordination.res_groups_privilege_pps_coordination"
LOCK = "pps_coordination.res_groups_privilege_pps_unlock"
ADMIN = "pps_coordination.group_pps_admin"
SALES = "pps_coordination.group_pps_sales"
PLANNER = "pps_coordination.group_pps_planner"
BOTH = "pps_coordination.group_pps_sales_planner"
UNLOCK = "pps_coordination.group_pps_unlock"


class UserFormMixin:
    """The user form's privilege fields, as the ``res_user_group_ids`` widget
    computes and saves them."""

    def _form_values(self, user):
        """``{privilege id: group id or False}``: what each selection shows."""
        hierarchy = self.env["res.groups"]._get_view_group_hierarchy()
        held = set(user.group_ids.ids)
        values = {}
        for privilege_id, privilege in hierarchy["privileges"].items():
            shown = [gid for gid in privilege["group_ids"] if gid in held]
            values[privilege_id] = shown[-1] if shown else False
        return values

    def _save_form(self, user, choices=None):
        """Set the selections of ``choices`` (``{privilege xml id: group xml id
        or False}``), keep the others as shown, and save as the form does."""
        values = self._form_values(user)
        for privilege, group in (choices or {}).items():
            values[self.env.ref(privilege).id] = group and self.env.ref(group).id
        extra_rights = user.group_ids.filtered(lambda group: not group.privilege_id)
        user.write(
            {
                "group_ids": [
                    Command.set(
                        [gid for gid in values.values() if gid] + extra_rights.ids
                    )
                ]
            }
        )

    def _shown(self, user, privilege):
        group_id = self._form_values(user)[self.env.ref(privilege).id]
        return self.env["res.groups"].browse(group_id)


class TestAdminGroup(UserFormMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.user = mail_new_test_user(
            cls.env, login="pps_form_user", groups="base.group_user"
        )

    # ------------------------------------------------------------------
    # The installing administrator
    # ------------------------------------------------------------------
    def test_installing_admin_is_coordination_administrator(self):
        """The administrator and the superuser get the group on install; it
        carries the three roles."""
        group = self.env.ref(ADMIN)
        self.assertEqual(group.name, "Coordination Administrator")
        for xmlid in ("base.user_admin", "base.user_root"):
            self.assertIn(group, self.env.ref(xmlid).group_ids, xmlid)
        self.assertLessEqual(
            self.env.ref(SALES) | self.env.ref(PLANNER) | self.env.ref(UNLOCK),
            group.all_implied_ids,
        )
        for xmlid in (ADMIN, SALES, PLANNER, UNLOCK):
            self.assertTrue(self.admin.has_group(xmlid), xmlid)

    def test_admin_sees_every_menu_of_the_app(self):
        menus = app_menus(self.env)
        self.assertGreater(len(menus.filtered("action")), 10)
        visible = (
            self.env["ir.ui.menu"]
            .with_user(self.admin)
            .search([("id", "child_of", self.env.ref(ROOT_MENU).id)])
        )
        self.assertEqual(visible, menus, "every menu of the app is visible")
        loaded = self.env["ir.ui.menu"].with_user(self.admin).load_menus(False)
        self.assertTrue(self.env.ref(ROOT_MENU).id in loaded, "the app is loaded")

    def test_admin_opens_every_menu_of_the_app(self):
        """Negotiations, change orders, abnormalities, the lock log, the KPI
        reports and the weekly meeting: each menu's action loads and its model
        reads for the installing administrator. (The scheduler's menus are
        opened by its own suite.)"""
        opened, _client_tags = open_app_menus(self, self.env(user=self.admin))
        self.assertLessEqual(
            {
                "pps.negotiation",
                "pps.change.order",
                "pps.abnormality",
                "pps.lock.log",
                "pps.delivery.kpi",
                "pps.date.change.analysis",
                "pps.weekly.meeting.report",
            },
            opened,
        )

    def test_admin_may_not_rewrite_the_lock_log(self):
        """The lock log stays immutable for the administrator too."""
        access = self.env["ir.model.access"].with_user(self.admin)
        self.assertTrue(access.check("pps.lock.log", "read", raise_exception=False))
        for mode in ("write", "create", "unlink"):
            self.assertFalse(
                access.check("pps.lock.log", mode, raise_exception=False), mode
            )

    # ------------------------------------------------------------------
    # The user form
    # ------------------------------------------------------------------
    def test_user_form_edits_group_ids_with_the_privilege_widget(self):
        """The fields emulated here are the ones the users' form has."""
        view = self.env.ref("base.view_users_form")
        views = (
            self.env["res.users"].with_user(self.admin).get_views([(view.id, "form")])
        )
        arch = views["views"]["form"]["arch"]
        self.assertIn('name="group_ids" widget="res_user_group_ids"', arch)

    def test_role_and_unlock_are_separate_choices(self):
        """The role's selection offers each role; the unlock privilege is a
        selection of its own."""
        hierarchy = self.env["res.groups"]._get_view_group_hierarchy()
        role = hierarchy["privileges"][self.env.ref(ROLE).id]["group_ids"]
        lock = hierarchy["privileges"][self.env.ref(LOCK).id]["group_ids"]
        ref = self.env.ref
        self.assertEqual(
            role, [ref(SALES).id, ref(PLANNER).id, ref(BOTH).id, ref(ADMIN).id]
        )
        self.assertEqual(lock, [ref(UNLOCK).id])

    def test_sales_coordinator_with_unlock_keeps_both(self):
        """Sales Coordinator in the role, Unlock Privilege beside it: both are
        saved, shown again, and kept when the form is saved again."""
        self._save_form(self.user, {ROLE: SALES, LOCK: UNLOCK})
        self.assertTrue(self.user.has_group(SALES))
        self.assertTrue(self.user.has_group(UNLOCK))
        self.assertFalse(self.user.has_group(PLANNER))
        self.assertEqual(self._shown(self.user, ROLE), self.env.ref(SALES))
        self.assertEqual(self._shown(self.user, LOCK), self.env.ref(UNLOCK))
        self._save_form(self.user)
        self.assertTrue(self.user.has_group(SALES))
        self.assertTrue(self.user.has_group(UNLOCK))
        # and the privilege is taken away without touching the role
        self._save_form(self.user, {LOCK: False})
        self.assertTrue(self.user.has_group(SALES))
        self.assertFalse(self.user.has_group(UNLOCK))

    def test_both_roles_keep_both(self):
        """Sales and Production: a sales coordinator and a production planner,
        kept when the form is saved again, with the unlock privilege too."""
        self._save_form(self.user, {ROLE: BOTH})
        self.assertTrue(self.user.has_group(SALES))
        self.assertTrue(self.user.has_group(PLANNER))
        self.assertFalse(self.user.has_group(UNLOCK))
        self.assertEqual(self._shown(self.user, ROLE), self.env.ref(BOTH))
        self._save_form(self.user, {LOCK: UNLOCK})
        for xmlid in (SALES, PLANNER, UNLOCK):
            self.assertTrue(self.user.has_group(xmlid), xmlid)
        self.assertFalse(self.user.has_group(ADMIN))

    def test_admin_shows_as_administrator(self):
        """The installing administrator's role reads Coordination Administrator,
        and saving their form keeps it."""
        self.assertEqual(self._shown(self.admin, ROLE), self.env.ref(ADMIN))
        self._save_form(self.admin)
        self.assertTrue(self.admin.has_group(ADMIN))
        self.assertTrue(self.admin.has_group(UNLOCK))


@tagged("post_install", "-at_install")
class TestUserFormBrowser(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = mail_new_test_user(
            cls.env,
            login="pps_tour_user",
            name="Tour Coordinator",
            groups="base.group_user",
        )

    def test_role_and_unlock_in_the_user_form(self):
        """In the browser the administrator gives a user the Sales Coordinator
        role and the unlock privilege in one save: both are kept."""
        self.start_tour(
            f"/odoo/action-base.action_res_users/{self.user.id}",
            "pps_user_form_privileges_tour",
            login="admin",
        )
        self.assertTrue(self.user.has_group(SALES))
        self.assertTrue(self.user.has_group(UNLOCK))
        self.assertFalse(self.user.has_group(PLANNER))
        self.assertTrue(self.user.has_group("base.group_user"))
