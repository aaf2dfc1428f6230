"""Shared fixture of the coordination suites.

A plant small enough to reason about, built once per test class without demo
data:

- the current company, working on the standard 40-hour calendar, with
  ``security_lead`` set to 1 day;
- one work center on that calendar;
- a finished product (manufacture + make-to-order) whose BoM has one operation
  on the work center (60 minutes per unit), a manufacturing lead time of 2 days
  and 1 day to prepare the MO, so the standard production lead time is
  2 + 1 + 1 = 4 days;
- a bought component (buy + make-to-order, one vendor), so that confirming an
  order creates an MO and an RFQ behind it;
- a customer, and users of each group made with ``mail_new_test_user``:
  ``sales_user`` (Sales Coordinator), ``planner_user`` (Production Planner),
  ``unlock_user`` (Unlock Privilege and Sales Coordinator), ``admin_user``
  (Settings, Sales and Manufacturing administrator, none of the PPS groups).

Factories: ``_create_sale_order(...)`` and ``_confirm_with_production(...)``.
Plant builders shared by the scheduler and board suites: ``create_calendar``,
``create_workcenter``, ``create_routing`` and ``plan_in_sequence``; the app's
menus opened as the web client does: ``app_menus``, ``open_window_action`` and
``open_app_menus`` (module functions).

Extension points: the scheduler add-on overrides ``_pps_reschedule_for_agreement``,
``_pps_compute_promise`` and ``_pps_estimate_delays``. Nothing here patches
them: this add-on's suites run on a database where only ``pps_coordination``
is installed (``scripts/test.sh``; ``odoo-bin`` runs them at install, before
the scheduler), so its own implementations run; the scheduler's suites
(``pps_coordination_scheduler/tests``, whose ``common.py`` extends this one)
run through its overrides.

Suites import it with ``from .common import PpsCoordinationCase``; other
add-ons with ``from odoo.addons.pps_coordination.tests.common import ...``.
"""

from datetime import timedelta

from odoo import Command, fields
from odoo.tests.common import TransactionCase
from odoo.tools.safe_eval import safe_eval

from odoo.addons.mail.tests.common import mail_new_test_user

SALES_GROUPS = "base.group_user,pps_coordination.group_pps_sales"
PLANNER_GROUPS = "base.group_user,pps_coordination.group_pps_planner"
UNLOCK_GROUPS = (
    "base.group_user,pps_coordination.group_pps_sales,pps_coordination.group_pps_unlock"
)
ROOT_MENU = "pps_coordination.pps_coordination_menu_root"
ADMIN_GROUPS = (
    "base.group_user,base.group_system,sales_team.group_sale_manager,"
    "mrp.group_mrp_manager,purchase.group_purchase_manager"
)


def create_calendar(env, name, hour_from, hour_to, days=range(5)):
    """A UTC calendar open ``hour_from``-``hour_to`` on each weekday of ``days``."""
    return env["resource.calendar"].create(
        {
            "name": name,
            "tz": "UTC",
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": hour_from,
                        "hour_to": hour_to,
                        "day_period": "full_day",
                    }
                )
                for day in days
            ],
        }
    )


def create_workcenter(env, name, calendar, **values):
    """A work center on ``calendar`` with no setup/cleanup time, 100% efficient."""
    return env["mrp.workcenter"].create(
        {
            "name": name,
            "resource_calendar_id": calendar.id,
            "time_efficiency": 100,
            "time_start": 0,
            "time_stop": 0,
            **values,
        }
    )


def create_routing(env, product, steps):
    """A BoM of ``product`` (1 unit) whose operations are ``steps``:
    ``(name, work center, minutes per unit)`` in order."""
    return env["mrp.bom"].create(
        {
            "product_tmpl_id": product.product_tmpl_id.id,
            "product_qty": 1.0,
            "operation_ids": [
                Command.create(
                    {
                        "name": name,
                        "workcenter_id": workcenter.id,
                        "time_cycle_manual": minutes,
                        "time_mode": "manual",
                    }
                )
                for name, workcenter, minutes in steps
            ],
        }
    )


def plan_in_sequence(workorders, start, minutes):
    """Plan ``workorders`` back to back from ``start``, ``minutes`` each (exact
    dates: Odoo's own finish computation is bypassed)."""
    Workorder = workorders.env["mrp.workorder"].with_context(
        bypass_duration_calculation=True
    )
    for workorder, length in zip(workorders, minutes, strict=True):
        end = start + timedelta(minutes=length)
        Workorder.browse(workorder.id).write(
            {"date_start": start, "date_finished": end}
        )
        start = end
    return start


def app_menus(env):
    """Every menu under the app's root menu, whatever the user's groups."""
    root = env.ref(ROOT_MENU)
    menus = env["ir.ui.menu"].with_context(**{"ir.ui.menu.full_list": True})
    return menus.search([("id", "child_of", root.id)])


def open_window_action(env, action):
    """What the web client does with a window action: load its views, then
    read the first page."""
    model = env[action["res_model"]]
    views = [list(view) for view in action.get("views") or ()] or [
        [False, view_type] for view_type in action["view_mode"].split(",")
    ]
    if action.get("search_view_id"):
        views.append([action["search_view_id"][0], "search"])
    model.get_views(views)
    domain = action.get("domain") or []
    if isinstance(domain, str):
        domain = safe_eval(domain, {"uid": env.uid})
    model.search_read(domain, limit=1)
    model.search_count(domain)


def open_app_menus(case, env):
    """Open the action of every menu of the app as ``env``'s user does, each in
    a sub-test of ``case``: window actions and server actions (run, then their
    window action) are opened; client actions are only listed, the add-on that
    brings one knows how to open it. Returns ``(models opened, client action
    tags)``."""
    opened, client_tags = set(), set()
    for menu in app_menus(env).filtered("action"):
        xmlid = menu.action.get_external_id()[menu.action.id]
        with case.subTest(menu=menu.complete_name, action=xmlid):
            action = env["ir.actions.actions"]._for_xml_id(xmlid)
            if action["type"] == "ir.actions.act_window":
                open_window_action(env, action)
                opened.add(action["res_model"])
            elif action["type"] == "ir.actions.server":
                result = env["ir.actions.server"].browse(action["id"]).run()
                case.assertEqual(result["type"], "ir.actions.act_window")
                open_window_action(env, result)
                opened.add(result["res_model"])
            elif action["type"] == "ir.actions.client":
                client_tags.add(action["tag"])
            else:
                case.fail(f"unexpected action type {action['type']}")
    return opened, client_tags


class PpsCoordinationCase(TransactionCase):
    """Base class: a company, a routed product, a customer and one user per group."""

    STANDARD_LEAD_DAYS = 4

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        # runs in the request, as the suites assert their plans at once
        # (test_background_runs covers the background jobs)
        cls.env["ir.config_parameter"].sudo().set_param("pps_scheduler.background", "0")
        cls.company = cls.env.company
        cls.calendar = cls.env.ref("resource.resource_calendar_std")
        cls.company.write(
            {"resource_calendar_id": cls.calendar.id, "security_lead": 1.0}
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.env.ref("stock.route_warehouse0_mto").active = True
        cls.route_mto = cls.warehouse.mto_pull_id.route_id
        cls.route_manufacture = cls.warehouse.manufacture_pull_id.route_id
        cls.route_buy = cls.env.ref("purchase_stock.route_warehouse0_buy")

        cls.workcenter = cls.env["mrp.workcenter"].create(
            {
                "name": "PPS Assembly Cell",
                "resource_calendar_id": cls.calendar.id,
                "time_efficiency": 100,
                "company_id": cls.company.id,
            }
        )
        cls.vendor = cls.env["res.partner"].create({"name": "PPS Steel Vendor"})
        cls.customer = cls.env["res.partner"].create({"name": "PPS Customer"})
        cls.component = cls.env["product.product"].create(
            {
                "name": "PPS Steel Plate",
                "is_storable": True,
                "route_ids": [Command.set([cls.route_buy.id, cls.route_mto.id])],
                "seller_ids": [
                    Command.create(
                        {"partner_id": cls.vendor.id, "price": 5.0, "delay": 1}
                    )
                ],
            }
        )
        cls.product = cls.env["product.product"].create(
            {
                "name": "PPS Gearbox",
                "is_storable": True,
                "route_ids": [
                    Command.set([cls.route_manufacture.id, cls.route_mto.id])
                ],
            }
        )
        cls.bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.product.product_tmpl_id.id,
                "product_qty": 1,
                "produce_delay": 2,
                "days_to_prepare_mo": 1,
                "bom_line_ids": [
                    Command.create({"product_id": cls.component.id, "product_qty": 2})
                ],
                "operation_ids": [
                    Command.create(
                        {
                            "name": "Assemble",
                            "workcenter_id": cls.workcenter.id,
                            "time_cycle_manual": 60,
                            "time_mode": "manual",
                        }
                    )
                ],
            }
        )

        cls.sales_user = mail_new_test_user(
            cls.env, login="pps_sales", name="Sally Sales", groups=SALES_GROUPS
        )
        cls.planner_user = mail_new_test_user(
            cls.env, login="pps_planner", name="Pete Planner", groups=PLANNER_GROUPS
        )
        cls.unlock_user = mail_new_test_user(
            cls.env, login="pps_unlock", name="Una Unlock", groups=UNLOCK_GROUPS
        )
        cls.admin_user = mail_new_test_user(
            cls.env, login="pps_admin", name="Ada Admin", groups=ADMIN_GROUPS
        )

    # ------------------------------------------------------------ factories
    @classmethod
    def _now(cls):
        return fields.Datetime.now().replace(microsecond=0)

    @classmethod
    def _in_days(cls, days):
        return cls._now() + timedelta(days=days)

    @classmethod
    def _create_sale_order(cls, product=None, qty=1, expected_date=None, **values):
        """A quotation of the sales user for the customer (created as superuser)."""
        vals = {
            "partner_id": cls.customer.id,
            "user_id": cls.sales_user.id,
            "company_id": cls.company.id,
            "order_line": [
                Command.create(
                    {"product_id": (product or cls.product).id, "product_uom_qty": qty}
                )
            ],
        }
        if expected_date:
            vals["pps_expected_date"] = expected_date
        vals.update(values)
        return cls.env["sale.order"].create(vals)

    @classmethod
    def _confirm_with_production(cls, order, plan=True):
        """Confirm ``order`` (as superuser) and return its MOs, planned if asked."""
        order.action_confirm()
        productions = order._pps_productions()
        assert productions, "confirming the order must create a manufacturing order"
        if plan:
            productions.filtered(lambda p: p.state == "confirmed").button_plan()
        return productions

    @classmethod
    def _agree_new_order(cls, order, expected_date, scheduled_date=None):
        """Run a full new_order round as the right users; returns the round."""
        negotiation = order.with_user(cls.sales_user).action_pps_request_date(
            expected_date
        )
        negotiation.with_user(cls.planner_user).action_answer(
            scheduled_date or expected_date
        )
        negotiation.with_user(cls.sales_user).action_agree()
        return negotiation
