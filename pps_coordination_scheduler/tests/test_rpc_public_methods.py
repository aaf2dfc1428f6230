"""Every public method of the two add-ons, called over XML-RPC and JSON-2.

An RPC client may call any public method of a model (a name without a leading
underscore, not ``@api.private``). Whatever such a method returns must cross
both protocols: XML-RPC cannot marshal None, Python objects or recordsets
inside dicts (the server answers with a "cannot marshal" fault), and JSON-2
turns them silently into ``null`` or strings.

``CASES`` is the table of those methods: for each, the user who calls it (a
salesperson, a planner or the unlock user, never the superuser; the split
wizard's planner is also a purchase user, as Odoo's own split writes WIP
journal entries a bare planner may not) and the builder of a fresh record and
of the arguments, called once per protocol. Each call must succeed with a
marshallable answer, or -- where the table says the call is refused -- fail
with a clear Odoo error (UserError or AccessError). A second test lists the
public methods the add-ons' Python classes actually define and requires every
one of them in the table, so a new public method cannot be added without being
tried over RPC.
"""

import json
import re
from collections import namedtuple
from datetime import timedelta
from xmlrpc.client import Fault

from odoo import fields
from odoo.tests.common import HttpCase, get_db_name, mute_logger, tagged

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.rpc.controllers.xmlrpc import dumps as xmlrpc_dumps

from .common import (
    PLANNER_GROUPS,
    OnePlanCase,
    create_routing,
    create_workcenter,
    plan_in_sequence,
)

#: One call of the table: ``build`` names the test method that makes a fresh
#: record and the arguments, ``(ids, kwargs)`` (``ids`` None for ``@api.model``
#: methods); ``refused`` is the Odoo error expected instead of a success.
Case = namedtuple("Case", "model method role build refused", defaults=(None,))

#: {model: [(method, role, builder[, refused]), ...]}
TABLE = {
    "sale.order": [
        ("action_confirm", "sales", "_quotation_ids"),
        ("action_pps_lock", "sales", "_quotation_ids"),
        ("action_pps_lock", "sales", "_locked_quotation_ids", "UserError"),
        ("action_pps_unlock", "unlock", "_unlock_quotation"),
        ("action_pps_unlock", "sales", "_unlock_quotation", "AccessError"),
        ("action_pps_open_request_wizard", "sales", "_quotation_ids"),
        ("action_pps_open_propose_wizard", "planner", "_quotation_ids"),
        ("action_pps_open_decide_wizard", "sales", "_answered_order_ids"),
        ("action_pps_open_decide_wizard", "sales", "_quotation_ids", "UserError"),
        ("action_pps_open_unlock_wizard", "unlock", "_locked_quotation_ids"),
        ("action_pps_request_date", "sales", "_request_date"),
        ("action_pps_propose_date", "planner", "_propose_date"),
        ("action_pps_view_change_orders", "sales", "_quotation_ids"),
        ("action_pps_send_date_change", "sales", "_agreed_order_ids"),
        ("action_pps_send_date_change", "planner", "_agreed_order_ids", "AccessError"),
        ("action_pps_view_productions", "sales", "_confirmed_order_ids"),
        ("pps_quote_delivery_date", "sales", "_quotation_ids"),
        ("action_pps_quote", "sales", "_quotation_ids"),
        ("action_pps_procure_shortages", "planner", "_confirmed_order_ids"),
        ("action_pps_hold_quote", "sales", "_quotation_ids"),
        ("action_pps_hold_quote", "sales", "_confirmed_order_ids", "UserError"),
        ("action_pps_view_holds", "sales", "_quotation_ids"),
    ],
    "pps.capacity.hold": [
        ("action_cancel", "sales", "_hold_ids"),
        ("action_cancel", "planner", "_hold_ids"),
    ],
    "mrp.production": [
        ("action_confirm", "planner", "_draft_production_ids"),
        ("button_plan", "planner", "_production_ids"),
        ("button_mark_done", "planner", "_produced_production_ids"),
        ("action_pps_lock", "planner", "_production_ids"),
        ("action_pps_unlock", "unlock", "_unlock_production"),
        ("action_pps_open_unlock_wizard", "unlock", "_locked_production_ids"),
        ("action_pps_pin_plan", "planner", "_pin_production"),
        ("action_pps_unpin_plan", "planner", "_pinned_production_ids"),
        ("action_pps_unpin_plan", "planner", "_production_ids", "UserError"),
        ("action_pps_reschedule", "planner", "_planned_production_ids"),
        ("action_pps_reschedule_preview", "planner", "_planned_production_ids"),
        ("action_pps_use_substitutes", "planner", "_production_ids"),
        ("action_cancel", "admin", "_production_ids"),
        ("action_cancel", "admin", "_locked_production_ids", "UserError"),
    ],
    "mrp.production.split": [
        ("action_split", "floor planner", "_split_wizard_ids"),
    ],
    "mrp.workorder": [
        ("button_start", "planner", "_workorder_ids"),
        ("button_pending", "planner", "_started_workorder_ids"),
        ("button_finish", "planner", "_started_workorder_ids"),
        ("action_mark_as_done", "planner", "_workorder_ids"),
        ("action_pps_timeline_move", "planner", "_timeline_move"),
        ("action_pps_timeline_move", "sales", "_timeline_move", "AccessError"),
        ("action_pps_timeline_move", "planner", "_timeline_move_frozen", "UserError"),
        ("action_pps_readiness", "planner", "_no_args"),
        ("action_pps_readiness", "sales", "_no_args", "AccessError"),
    ],
    "pps.negotiation": [
        ("action_answer", "planner", "_answer_round"),
        ("action_answer", "sales", "_answer_round", "AccessError"),
        ("action_agree", "sales", "_answered_round_ids"),
        ("action_agree", "sales", "_agreed_round_ids", "UserError"),
        ("action_reject", "sales", "_reject_round"),
        ("action_counter_propose", "sales", "_counter_round"),
        ("action_counter_propose", "planner", "_counter_round", "AccessError"),
        ("action_open_counter_wizard", "sales", "_rejected_round_ids"),
        ("action_cancel", "sales", "_requested_round_ids"),
        ("action_open_answer_wizard", "planner", "_requested_round_ids"),
        ("action_open_decide_wizard", "sales", "_answered_round_ids"),
    ],
    "pps.negotiation.request": [
        ("action_confirm", "sales", "_request_wizard_ids"),
    ],
    "pps.negotiation.answer": [
        ("action_confirm", "planner", "_answer_wizard_ids"),
        ("action_use_promise", "planner", "_answer_wizard_promise_ids"),
    ],
    "pps.negotiation.decide": [
        ("action_confirm", "sales", "_decide_wizard_ids"),
    ],
    "pps.unlock.wizard": [
        ("action_confirm", "unlock", "_unlock_wizard_ids"),
    ],
    "pps.abnormality": [
        ("action_confirm", "planner", "_draft_abnormality_ids"),
        ("action_confirm", "planner", "_confirmed_abnormality_ids", "UserError"),
        ("action_resolve", "planner", "_confirmed_abnormality_ids"),
    ],
    "pps.delivery.kpi": [
        ("init", "planner", "_no_args", "AccessError"),
    ],
    "pps.date.change.analysis": [
        ("init", "planner", "_no_args", "AccessError"),
    ],
    "pps.weekly.meeting.report": [
        ("action_previous_week", "sales", "_meeting_ids"),
        ("action_next_week", "sales", "_meeting_ids"),
        ("action_open_wip", "sales", "_meeting_ids"),
        ("action_open_made_not_shipped", "sales", "_meeting_ids"),
        ("action_open_late", "sales", "_meeting_ids"),
        ("action_open_projected_late", "sales", "_meeting_ids"),
        ("action_open_kpis", "sales", "_meeting_ids"),
        ("action_open_date_changes", "sales", "_meeting_ids"),
        ("action_print", "sales", "_meeting_ids"),
        ("action_open_late_causes", "sales", "_meeting_ids"),
    ],
    "pps.schedule.check": [
        ("action_open_report", "planner", "_no_args"),
    ],
    "pps.material.check": [
        ("action_open_report", "planner", "_no_args"),
    ],
    "pps.simulated.demand": [
        ("action_quote", "sales", "_demand_ids"),
        ("action_cancel", "planner", "_demand_ids"),
        ("action_reset", "sales", "_cancelled_demand_ids"),
    ],
    "pps.schedule.run": [
        ("schedule", "planner", "_schedule"),
        ("schedule", "sales", "_schedule", "AccessError"),
        ("action_apply", "planner", "_dry_run_ids"),
        ("action_rerun", "planner", "_dry_run_ids"),
        ("action_rerun_release_frozen", "planner", "_dry_run_ids"),
    ],
    "pps.dispatch.board": [
        ("get_board_data", "planner", "_board_week"),
        ("action_set_serial", "planner", "_set_serial"),
        ("action_move_card", "planner", "_move_card"),
        ("action_lock_week", "planner", "_lock_week"),
        ("action_lock_week", "planner", "_locked_week", "UserError"),
        ("action_unlock_week", "unlock", "_unlock_week"),
        ("action_dry_run", "planner", "_dry_run"),
        ("action_apply_run", "planner", "_apply_run"),
        ("action_run_summary", "planner", "_apply_run"),
        ("action_run_summary", "sales", "_apply_run", "AccessError"),
        ("action_replan", "planner", "_replan"),
        ("action_replan", "sales", "_replan", "AccessError"),
    ],
    "pps.dispatch.week.lock": [
        ("action_lock_week", "planner", "_lock_week"),
        ("action_unlock_week", "unlock", "_unlock_week"),
        ("action_unlock", "unlock", "_unlock_week_lock"),
        ("action_unlock", "planner", "_unlock_week_lock", "AccessError"),
    ],
}
CASES = tuple(Case(model, *row) for model, rows in TABLE.items() for row in rows)

#: Overrides of the ORM's CRUD methods: tried by the security suites.
CRUD_METHODS = {"create", "write", "unlink", "copy", "read", "default_get"}
#: XML-RPC fault codes of odoo/addons/rpc: 2 = UserError, 4 = AccessError.
FAULT_ERRORS = {2: "UserError", 4: "AccessError"}
JSON2_ERRORS = {
    "odoo.exceptions.UserError": "UserError",
    "odoo.exceptions.ValidationError": "UserError",
    "odoo.exceptions.AccessError": "AccessError",
}
#: What ``str()`` makes of a recordset or a Python object in a JSON-2 answer.
OBJECT_REPR = re.compile(r"object at 0x|^[a-z_]+(\.[a-z_]+)+\([\d, ]*\)$")


def strings(value):
    """Every string inside ``value`` (dicts, lists)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item)


@tagged("post_install", "-at_install")
class TestRpcPublicMethods(OnePlanCase, HttpCase):
    """The table, over both protocols, as the users who make the calls."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Splitting an MO writes its WIP journal entries, which a planner
        # without an accounting or purchase group may not (standard Odoo 19).
        cls.floor_planner = mail_new_test_user(
            cls.env,
            login="pps_floor_planner",
            name="Flo Floor Planner",
            groups=f"{PLANNER_GROUPS},purchase.group_purchase_user",
        )
        cls.users = {
            "sales": cls.sales_user,
            "planner": cls.planner_user,
            "unlock": cls.unlock_user,
            "floor planner": cls.floor_planner,
            "admin": cls.admin_user,
        }
        cls.api_keys = {
            role: user.with_user(user)
            .env["res.users.apikeys"]
            ._generate(
                scope="rpc", name="public methods", expiration_date=cls._in_days(1)
            )
            for role, user in cls.users.items()
        }
        # Components short, a substitute in stock: substitutes can be used.
        cls.substitute_product = cls.env["product.product"].create(
            {"name": "PPS Alloy Plate", "is_storable": True}
        )
        cls.env["pps.substitute"].create(
            {
                "product_id": cls.component.id,
                "substitute_id": cls.substitute_product.id,
                "ratio": 1.0,
            }
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.substitute_product, cls.warehouse.lot_stock_id, 100
        )

    def setUp(self):
        super().setUp()
        muted = mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
        muted.__enter__()
        self.addCleanup(muted.__exit__, None, None, None)

    # ------------------------------------------------------------ transports
    def _xmlrpc(self, role, model, method, ids, kwargs):
        """``("ok", answer)`` or ``("error", name or fault text)``."""
        user = self.users[role]
        uid = self.xmlrpc_common.authenticate(get_db_name(), user.login, user.login, {})
        self.assertTrue(uid, user.login)
        args = [ids] if ids is not None else []
        try:
            answer = self.xmlrpc_object.execute_kw(
                get_db_name(), uid, user.login, model, method, args, kwargs
            )
        except Fault as fault:
            last_line = fault.faultString.strip().splitlines()[-1:]
            return "error", FAULT_ERRORS.get(fault.faultCode, "".join(last_line))
        return "ok", answer

    def _json2(self, role, model, method, ids, kwargs):
        body = dict(kwargs)
        if ids is not None:
            body["ids"] = ids
        response = self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(body),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.api_keys[role]}",
            },
        )
        if response.status_code == 200:
            return "ok", response.json()
        try:
            error = response.json()
        except ValueError:
            return "error", response.text[-500:]
        name = error.get("name", "")
        return "error", JSON2_ERRORS.get(name, f"{name}: {error.get('message')}")

    def _unmarshallable(self, answer):
        """Why ``answer`` (as JSON-2 gave it) could not cross XML-RPC, or None."""
        try:
            xmlrpc_dumps((answer,))
        except (TypeError, OverflowError) as exc:
            return str(exc)
        objects = [s for s in strings(answer) if OBJECT_REPR.search(s)]
        return objects and f"Python objects as strings: {objects}"

    def _try(self, case, protocol):
        """Build and call one case over one protocol; return the failure or None."""
        ids, kwargs = getattr(self, case.build)()
        self.env.flush_all()
        call = self._xmlrpc if protocol == "xmlrpc" else self._json2
        status, answer = call(case.role, case.model, case.method, ids, kwargs)
        self.env.invalidate_all()
        if case.refused:
            if status == "ok":
                return (
                    f"succeeded ({answer!r:.200}), must be refused with {case.refused}"
                )
            if answer != case.refused:
                return f"refused with {answer}, expected {case.refused}"
            return None
        if status != "ok":
            return f"failed: {answer}"
        reason = self._unmarshallable(answer)
        return reason and f"answer {answer!r:.200} does not marshal: {reason}"

    # ----------------------------------------------------------------- tests
    def test_every_public_method_over_xmlrpc_and_json2(self):
        """Each case of the table succeeds with a marshallable answer (or is
        refused with a clear error where it must be), over both protocols."""
        failures = []
        for case in CASES:
            for protocol in ("xmlrpc", "json2"):
                failure = self._try(case, protocol)
                if failure:
                    failures.append(
                        f"{case.model}.{case.method} as {case.role} over "
                        f"{protocol}: {failure}"
                    )
        self.assertFalse(failures, "\n" + "\n".join(failures))

    def test_every_public_method_is_in_the_table(self):
        """The public methods the add-ons' classes define (mixins through the
        models that inherit them) are exactly those of the table."""
        defined = set()
        for name in self.env.registry:
            Model = self.env[name]
            if Model._abstract and Model._inherit_children:
                continue  # a mixin: its methods are listed on its models
            for cls in type(Model).__mro__:
                if not cls.__module__.startswith("odoo.addons.pps_coordination"):
                    continue
                for attr, value in vars(cls).items():
                    if (
                        attr.startswith("_")
                        or attr in CRUD_METHODS
                        or attr in Model._fields
                        or not callable(value)
                    ):
                        continue
                    defined.add((name, attr))
        self.assertGreater(len(defined), 60, "introspection found the add-ons")
        tabled = {(case.model, case.method) for case in CASES}
        self.assertEqual(
            sorted(defined - tabled), [], "public methods missing from CASES"
        )
        self.assertEqual(
            sorted(tabled - defined), [], "CASES list methods that do not exist"
        )
        succeeding = {(c.model, c.method) for c in CASES if not c.refused}
        self.assertEqual(
            sorted(m for m in defined - succeeding if m[1] != "init"),
            [],
            "each method needs a call that succeeds (init is private to Odoo)",
        )

    # -------------------------------------------------------------- builders
    # Each returns ``(ids, kwargs)`` for a fresh record: it runs once per
    # protocol, and most calls can succeed only once on a record.
    def _date(self, days):
        return fields.Datetime.to_string(self._in_days(days))

    def _no_args(self):
        return None, {}

    def _quotation(self):
        return self._create_sale_order(expected_date=self._in_days(20))

    def _quotation_ids(self):
        return self._quotation().ids, {}

    def _locked_quotation(self):
        order = self._quotation()
        order.with_user(self.sales_user).action_pps_lock()
        return order

    def _locked_quotation_ids(self):
        return self._locked_quotation().ids, {}

    def _unlock_quotation(self):
        return self._locked_quotation().ids, {"reason": "Customer asked for more"}

    def _hold_ids(self):
        order = self._quotation()
        order.with_user(self.sales_user).action_pps_hold_quote()
        return order.pps_hold_ids.ids, {}

    def _confirmed_order(self):
        order = self._quotation()
        self._confirm(order)
        return order

    def _confirmed_order_ids(self):
        return self._confirmed_order().ids, {}

    def _request_date(self):
        return self._quotation().ids, {"expected_date": self._date(25)}

    def _propose_date(self):
        return self._quotation().ids, {
            "scheduled_date": self._date(25),
            "reason": "Press maintenance",
        }

    def _production(self, qty=1, confirm=True, plan=False):
        production = self.env["mrp.production"].create(
            {"product_id": self.product.id, "product_qty": qty}
        )
        if confirm:
            production.action_confirm()
        if plan:
            production.button_plan()
        return production

    def _draft_production_ids(self):
        return self._production(confirm=False).ids, {}

    def _production_ids(self):
        return self._production().ids, {}

    def _planned_production_ids(self):
        return self._production(plan=True).ids, {}

    def _produced_production_ids(self):
        production = self._production(plan=True)
        production.qty_producing = 1
        production.move_raw_ids.write({"quantity": 2, "picked": True})
        return production.ids, {}

    def _locked_production(self):
        production = self._production()
        production.with_user(self.planner_user).action_pps_lock()
        return production

    def _locked_production_ids(self):
        return self._locked_production().ids, {}

    def _unlock_production(self):
        return self._locked_production().ids, {"reason": "Customer asked for more"}

    def _pin_production(self):
        return self._production(plan=True).ids, {"reason": "Tooling ready"}

    def _pinned_production_ids(self):
        production = self._production(plan=True)
        production.with_user(self.planner_user).action_pps_pin_plan()
        return production.ids, {}

    def _split_wizard_ids(self):
        production = self._floor_production(qty=2)
        wizard = (
            self.env["mrp.production.split"]
            .with_user(self.floor_planner)
            .create({"production_id": production.id})
        )
        wizard.max_batch_size = 1
        self.assertEqual(len(wizard.production_detailed_vals_ids), 2)
        return wizard.ids, {}

    def _floor_production(self, qty=1):
        """A planned MO of a product without components made on a cell of its
        own: work started on it overlaps no other work (schedule runs stay
        feasible), and splitting it touches no purchase."""
        workcenter = create_workcenter(
            self.env, "PPS Floor Cell", self.round_the_clock, company_id=self.company.id
        )
        product = self.env["product.product"].create(
            {"name": "PPS Floor Part", "is_storable": True}
        )
        create_routing(self.env, product, [("Drill", workcenter, 30)])
        production = self.env["mrp.production"].create(
            {"product_id": product.id, "product_qty": qty}
        )
        production.action_confirm()
        production.button_plan()
        return production

    def _workorder_ids(self):
        return self._floor_production().workorder_ids.ids, {}

    def _timeline_move(self):
        """A work order planned ten days out, moved two hours later."""
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=10)
        workorders = self._floor_production().workorder_ids
        plan_in_sequence(workorders, start, [30])
        later = fields.Datetime.to_string(start + timedelta(hours=2))
        return workorders.ids, {"date_start": later}

    def _timeline_move_frozen(self):
        """A work order moved into the frozen zone (now plus three days)."""
        ids, _kwargs = self._timeline_move()
        tomorrow = fields.Datetime.now().replace(microsecond=0) + timedelta(days=1)
        return ids, {"date_start": fields.Datetime.to_string(tomorrow)}

    def _started_workorder_ids(self):
        workorders = self._floor_production().workorder_ids
        workorders.with_user(self.planner_user).button_start()
        return workorders.ids, {}

    def _requested_round(self):
        return (
            self._quotation()
            .with_user(self.sales_user)
            .action_pps_request_date(self._in_days(20))
        )

    def _requested_round_ids(self):
        return self._requested_round().ids, {}

    def _answer_round(self):
        return self._requested_round().ids, {
            "scheduled_date": self._date(22),
            "explanation": "The press is free that week.",
        }

    def _answered_round(self):
        negotiation = self._requested_round()
        negotiation.with_user(self.planner_user).action_answer(self._in_days(22))
        return negotiation

    def _answered_round_ids(self):
        return self._answered_round().ids, {}

    def _agreed_round_ids(self):
        negotiation = self._answered_round()
        negotiation.with_user(self.sales_user).action_agree()
        return negotiation.ids, {}

    def _answered_order_ids(self):
        return self._answered_round().sale_order_id.ids, {}

    def _agreed_order_ids(self):
        negotiation = self._answered_round()
        negotiation.with_user(self.sales_user).action_agree()
        return negotiation.sale_order_id.ids, {}

    def _reject_round(self):
        return self._answered_round().ids, {"reason": "Too late for the customer"}

    def _rejected_round(self):
        negotiation = self._answered_round()
        negotiation.with_user(self.sales_user).action_reject(reason="Too late")
        return negotiation

    def _rejected_round_ids(self):
        return self._rejected_round().ids, {}

    def _counter_round(self):
        return self._rejected_round().ids, {
            "expected_date": self._date(24),
            "reason": "Half the quantity first?",
        }

    def _request_wizard_ids(self):
        wizard = (
            self.env["pps.negotiation.request"]
            .with_user(self.sales_user)
            .create(
                {
                    "sale_order_id": self._quotation().id,
                    "expected_date": self._in_days(25),
                    "reason": "New order",
                }
            )
        )
        return wizard.ids, {}

    def _answer_wizard_ids(self):
        wizard = (
            self.env["pps.negotiation.answer"]
            .with_user(self.planner_user)
            .create(
                {
                    "negotiation_id": self._requested_round().id,
                    "scheduled_date": self._in_days(22),
                }
            )
        )
        return wizard.ids, {}

    def _answer_wizard_promise_ids(self):
        """The dialog as it opens: the promise computed from the context."""
        wizard = (
            self.env["pps.negotiation.answer"]
            .with_user(self.planner_user)
            .with_context(default_negotiation_id=self._requested_round().id)
            .create({})
        )
        return wizard.ids, {}

    def _decide_wizard_ids(self):
        wizard = (
            self.env["pps.negotiation.decide"]
            .with_user(self.sales_user)
            .create({"negotiation_id": self._answered_round().id, "decision": "agree"})
        )
        return wizard.ids, {}

    def _unlock_wizard_ids(self):
        wizard = (
            self.env["pps.unlock.wizard"]
            .with_user(self.unlock_user)
            .create(
                {
                    "res_model": "sale.order",
                    "res_ids": self._locked_quotation().ids,
                    "reason": "Customer asked for more",
                }
            )
        )
        return wizard.ids, {}

    def _abnormality(self):
        workcenter = create_workcenter(
            self.env, "PPS Idle Cell", self.round_the_clock, company_id=self.company.id
        )
        return self.env["pps.abnormality"].create(
            {
                "abnormality_type": "equipment_failure",
                "workcenter_id": workcenter.id,
                "date_start": self._in_days(30),
                "date_end": self._in_days(31),
                "capacity_factor": 0.5,
            }
        )

    def _draft_abnormality_ids(self):
        return self._abnormality().ids, {}

    def _confirmed_abnormality_ids(self):
        abnormality = self._abnormality()
        abnormality.with_user(self.planner_user).action_confirm()
        return abnormality.ids, {}

    def _meeting_ids(self):
        """The salesperson's meeting screen (a transient record is its creator's)."""
        wizard = (
            self.env["pps.weekly.meeting.report"].with_user(self.sales_user).create({})
        )
        return wizard.ids, {}

    def _demand(self):
        return (
            self.env["pps.simulated.demand"]
            .with_user(self.sales_user)
            .create(
                {
                    "name": "Forecast Q1",
                    "product_id": self.product.id,
                    "product_qty": 2,
                    "desired_date": self._in_days(30),
                    "partner_id": self.customer.id,
                }
            )
        )

    def _demand_ids(self):
        return self._demand().ids, {}

    def _cancelled_demand_ids(self):
        demand = self._demand()
        demand.with_user(self.sales_user).action_cancel()
        return demand.ids, {}

    def _schedule(self):
        return None, {
            "productions": self._production(plan=True).ids,
            "dry_run": True,
            "time_limit": 2,
        }

    def _dry_run_ids(self):
        """A preview that plans a new MO: it moves work, so it can be applied."""
        run = (
            self.env["pps.schedule.run"]
            .with_user(self.planner_user)
            .schedule(productions=self._production(), dry_run=True)
        )
        self.assertEqual(run.state, "done", run.message)
        self.assertTrue(run.moved_count, "a preview that moves nothing is refused")
        return run.ids, {}

    def _monday(self, weeks=0):
        today = fields.Date.today()
        return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)

    def _board_week(self):
        return None, {
            "week_start": fields.Date.to_string(self._monday()),
            "filters": {"workcenter_ids": [self.workcenter.id]},
        }

    def _set_serial(self):
        """A free serial: two open orders never share one."""
        workorder = self._confirmed_order()._pps_productions().workorder_ids[:1]
        taken = (
            self.env["sale.order"].search([("pps_serial", ">", 0)]).mapped("pps_serial")
        )
        return None, {"serial": max(taken, default=0) + 1, "workorder_id": workorder.id}

    def _move_card(self):
        """Two orders' work orders alone in one cell (01:00 and 02:00 UTC of
        a day no other call uses)."""
        self._move_days = getattr(self, "_move_days", 9) + 1
        productions = (
            self._confirmed_order()._pps_productions()
            | self._confirmed_order()._pps_productions()
        )
        workorders = self._plan_at(
            productions, self._in_days(self._move_days).replace(hour=1)
        )
        return None, {
            "workorder_id": workorders[1].id,
            "target_workorder_id": workorders[0].id,
            "position": "before",
        }

    def _week_kwargs(self):
        workcenter = create_workcenter(
            self.env, "PPS Week Cell", self.round_the_clock, company_id=self.company.id
        )
        return {
            "workcenter_id": workcenter.id,
            "week_start": fields.Date.to_string(self._monday(2)),
        }

    def _lock_week(self):
        return None, self._week_kwargs()

    def _week_lock(self):
        kwargs = self._week_kwargs()
        lock = (
            self.env["pps.dispatch.week.lock"]
            .with_user(self.planner_user)
            .action_lock_week(**kwargs)
        )
        return lock, kwargs

    def _locked_week(self):
        return None, self._week_lock()[1]

    def _unlock_week(self):
        return None, dict(self._week_lock()[1], reason="Rush order to fit in")

    def _unlock_week_lock(self):
        return self._week_lock()[0].ids, {"reason": "Rush order to fit in"}

    def _dry_run(self):
        self._production(plan=True)
        return None, {"time_limit": 2}

    def _replan(self):
        self._production(plan=True)
        return None, {}

    def _apply_run(self):
        self._production()  # not planned yet: the preview plans it
        summary = (
            self.env["pps.dispatch.board"]
            .with_user(self.planner_user)
            .action_dry_run(time_limit=2)
        )
        return None, {"run_id": summary["id"]}
