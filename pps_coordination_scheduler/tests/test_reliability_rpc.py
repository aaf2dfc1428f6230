"""Forbidden calls over the real RPC surface are refused, for every group.

The test server of HttpCase answers XML-RPC (``/xmlrpc/2/object``) and JSON-2
(``/json/2/<model>/<method>``, API-key bearer) requests. A matrix of calls that
each group must not make -- create/write/unlink on the coordination and
scheduler models, the workflow methods of the other group, changes to locked
sale orders and manufacturing orders, each also with a forged lock bypass in
the context -- is generated from the fixture and sent over both protocols.
Every call must come back as a clear refusal (AccessError, UserError or
ValidationError surfaced as an RPC fault), never succeed and never crash.
Portal users see nothing of the new models. The counts are printed.
"""

# pylint: disable=print-used
# (the suite prints its call counts (pytest -s))

import json
from collections import Counter
from datetime import datetime, timedelta
from xmlrpc.client import Fault

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests.common import HttpCase, get_db_name, mute_logger, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import PpsCoordinationCase

#: Printable text: XML itself cannot carry control characters, and XML-RPC
#: integers are 32-bit (the protocols' limits, not the API's).
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
INT32 = st.integers(-(2**31), 2**31 - 1)
BAD_DATE_TEXTS = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "",
            "not a date",
            "tomorrow",
            "2026-13-45 00:00:00",
            "31/12/2031",
            "2031-02-30 10:00:00",
            "2031-01-01T10:00:00+02:00",
            "9999999-01-01 00:00:00",
        ]
    ),
    INT32,
    st.lists(INT32, max_size=2),
    st.dictionaries(TEXT, INT32, max_size=1),
    st.booleans(),
)
PAST_DATES = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2020, 1, 1)
)
BAD_SCENARIOS = st.one_of(
    TEXT.filter(lambda s: s not in ("new_order", "rush_order", "customer_change")),
    st.sampled_from(["internal_change", "customer_change", "NEW_ORDER", "new order"]),
    INT32,
    st.lists(TEXT, max_size=2),
)
GENERATED = Counter()

#: XML-RPC fault codes of odoo/addons/rpc: 2 = UserError, 4 = AccessError.
CLEAR_FAULT_CODES = {2, 4}
CLEAR_ERRORS = {
    "odoo.exceptions.AccessError",
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
}
#: Contexts a client could send to forge a bypass of the lock or the workflow.
FORGED_CONTEXTS = (
    {"pps_lock_bypass": "anything"},
    {"pps_lock_bypass": True, "pps_lock_execution": True},
    {"pps_lock_bypass": "PPS_LOCK_BYPASS", "pps_schedule_internal": "PPS_LOCK_BYPASS"},
    {"pps_negotiation_workflow": True, "pps_week_unlock_reason": "forged"},
)
NEW_MODELS = (
    "pps.negotiation",
    "pps.change.order",
    "pps.lock.log",
    "pps.abnormality",
    "pps.delivery.kpi",
    "pps.date.change.analysis",
    "pps.schedule.run",
    "pps.schedule.run.line",
    "pps.dispatch.week.lock",
    "pps.substitute",
    "pps.simulated.demand",
)


@tagged("post_install", "-at_install")
class TestReliabilityRpc(PpsCoordinationCase, HttpCase):
    """One fixture with something of every kind, attacked by every group."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._build_fixture()

    @classmethod
    def _build_fixture(cls):
        cls.internal_user = mail_new_test_user(
            cls.env, login="pps_internal", name="Ian Internal", groups="base.group_user"
        )
        cls.portal_user = mail_new_test_user(
            cls.env, login="pps_portal", name="Pat Portal", groups="base.group_portal"
        )
        cls.users = {
            "sales": cls.sales_user,
            "planner": cls.planner_user,
            "unlock": cls.unlock_user,
            "internal": cls.internal_user,
            "admin": cls.admin_user,
        }
        # A confirmed order with its planned MO, agreed and so locked.
        cls.locked_order = cls._create_sale_order()
        cls._confirm_with_production(cls.locked_order)
        cls.agreed = cls._agree_new_order(cls.locked_order, cls._in_days(12))
        cls.locked_production = cls.locked_order._pps_productions()
        cls.locked_workorder = cls.locked_production.workorder_ids[:1]
        assert cls.locked_order.pps_locked and cls.locked_production.pps_locked
        assert cls.locked_workorder.date_start, "the locked MO must be planned"
        cls.change_order = cls.agreed.change_order_id
        cls.lock_log = cls.env["pps.lock.log"].search(
            [("res_model", "=", "sale.order"), ("res_id", "=", cls.locked_order.id)],
            limit=1,
        )
        # Open rounds: one requested, one answered.
        cls.requested_order = cls._create_sale_order()
        cls.requested = cls.requested_order.with_user(
            cls.sales_user
        ).action_pps_request_date(cls._in_days(20))
        cls.answered_order = cls._create_sale_order()
        cls.answered = cls.answered_order.with_user(
            cls.sales_user
        ).action_pps_request_date(cls._in_days(20))
        cls.answered.with_user(cls.planner_user).action_answer(cls._in_days(21))
        cls.free_order = cls._create_sale_order()
        # Abnormalities on a second work center with no work.
        cls.idle_workcenter = cls.env["mrp.workcenter"].create(
            {"name": "PPS Idle Cell", "resource_calendar_id": cls.calendar.id}
        )
        abnormality_vals = {
            "abnormality_type": "equipment_failure",
            "workcenter_id": cls.idle_workcenter.id,
            "date_start": cls._in_days(30),
            "date_end": cls._in_days(31),
            "capacity_factor": 0.5,
        }
        cls.draft_abnormality = cls.env["pps.abnormality"].create(abnormality_vals)
        cls.confirmed_abnormality = cls.env["pps.abnormality"].create(abnormality_vals)
        cls.confirmed_abnormality.with_user(cls.planner_user).action_confirm()
        # A schedule run with one line, and a locked dispatch week.
        today = fields.Date.today()
        cls.monday = today - timedelta(days=today.weekday())
        cls.schedule_run = cls.env["pps.schedule.run"].sudo().create({"state": "done"})
        cls.run_line = cls.env["pps.schedule.run.line"].create(
            {
                "run_id": cls.schedule_run.id,
                "production_id": cls.locked_production.id,
                "workorder_id": cls.locked_workorder.id,
                "old_date_start": cls._in_days(5),
                "new_date_start": cls._in_days(6),
            }
        )
        cls.week_lock = cls.env["pps.dispatch.week.lock"].create(
            {"workcenter_id": cls.idle_workcenter.id, "week_start": cls.monday}
        )
        cls.api_keys = {
            role: user.with_user(user)
            .env["res.users.apikeys"]
            ._generate(
                scope="rpc",
                name="reliability",
                expiration_date=datetime.now() + timedelta(days=1),
            )
            for role, user in (*cls.users.items(), ("portal", cls.portal_user))
        }
        cls.snapshot_before = cls._snapshot()

    @classmethod
    def _snapshot(cls):
        """What the forbidden calls must leave untouched."""
        records = [
            cls.locked_order,
            cls.locked_order.order_line,
            cls.locked_production,
            cls.locked_workorder,
            cls.requested,
            cls.answered,
            cls.agreed,
            cls.change_order,
            cls.lock_log,
            cls.draft_abnormality,
            cls.confirmed_abnormality,
            cls.schedule_run,
            cls.run_line,
            cls.week_lock,
        ]
        snapshot = {}
        for recordset in records:
            recordset = recordset.sudo()
            recordset.invalidate_recordset()
            for record in recordset.exists():
                snapshot[record._name, record.id] = {
                    name: str(record[name])
                    for name, field in record._fields.items()
                    if field.store
                    and field.type not in ("one2many", "binary")
                    and name
                    not in ("write_date", "__last_update", "message_main_attachment_id")
                }
        snapshot["counts"] = {
            model: cls.env[model].sudo().search_count([]) for model in NEW_MODELS
        }
        return snapshot

    # ------------------------------------------------------------------ matrix
    def _forbidden_calls(self):  # noqa: C901 - one flat table of cases
        """Yield (role, model, method, ids, kwargs, context) that must be refused."""
        d = fields.Datetime.to_string
        roles = list(self.users)
        future = d(self._in_days(40))
        not_planners = [r for r in roles if r != "planner"]
        not_sales = [r for r in roles if r not in ("sales", "unlock")]
        not_unlock = [r for r in roles if r != "unlock"]
        for role in roles:
            # Audit records are written by the server only.
            yield (
                role,
                "pps.change.order",
                "create",
                None,
                {
                    "vals_list": [
                        {"sale_order_id": self.free_order.id, "new_date": future}
                    ]
                },
                {},
            )
            yield (
                role,
                "pps.lock.log",
                "create",
                None,
                {
                    "vals_list": [
                        {
                            "res_model": "sale.order",
                            "res_id": self.locked_order.id,
                            "action": "unlock",
                            "user_id": self.users[role].id,
                        }
                    ]
                },
                {},
            )
            yield (
                role,
                "pps.schedule.run",
                "create",
                None,
                {"vals_list": [{"state": "done"}]},
                {},
            )
            yield (
                role,
                "pps.schedule.run.line",
                "create",
                None,
                {"vals_list": [{"run_id": self.schedule_run.id}]},
                {},
            )
            for model, record, vals in (
                ("pps.change.order", self.change_order, {"new_date": future}),
                ("pps.change.order", self.change_order, {"reason": "rewritten"}),
                ("pps.lock.log", self.lock_log, {"action": "lock"}),
                ("pps.lock.log", self.lock_log, {"reason": "rewritten"}),
                ("pps.schedule.run", self.schedule_run, {"state": "failed"}),
                ("pps.schedule.run.line", self.run_line, {"new_date_start": future}),
            ):
                yield role, model, "write", record.ids, {"vals": vals}, {}
            for model, record in (
                ("pps.change.order", self.change_order),
                ("pps.lock.log", self.lock_log),
                ("pps.schedule.run.line", self.run_line),
                ("pps.negotiation", self.agreed),
                ("pps.negotiation", self.answered),
                ("pps.abnormality", self.confirmed_abnormality),
                ("pps.dispatch.week.lock", self.week_lock),
            ):
                yield role, model, "unlink", record.ids, {}, {}
            if role != "admin":  # manufacturing managers may delete old runs
                yield role, "pps.schedule.run", "unlink", self.schedule_run.ids, {}, {}

            # Negotiation rounds: opened and moved only by their actions.
            for context in ({}, *FORGED_CONTEXTS):
                yield (
                    role,
                    "pps.negotiation",
                    "create",
                    None,
                    {
                        "vals_list": [
                            {
                                "sale_order_id": self.free_order.id,
                                "scenario": "new_order",
                                "state": "answered",
                                "scheduled_date": future,
                            }
                        ]
                    },
                    context,
                )
            for vals in (
                {"state": "agreed"},
                {"scheduled_date": future},
                {"expected_date": future},
                {"sale_order_id": self.free_order.id},
                {"change_order_id": self.change_order.id},
                {"decided_by_id": self.users[role].id},
                {"scenario": "rush_order"},
            ):
                for context in ({}, FORGED_CONTEXTS[3]):
                    yield (
                        role,
                        "pps.negotiation",
                        "write",
                        self.answered.ids,
                        {"vals": vals},
                        context,
                    )
            yield (
                role,
                "pps.negotiation",
                "write",
                self.agreed.ids,
                {"vals": {"reason": "rewriting history"}},
                {},
            )
            # A decided round cannot be decided again, by anyone.
            yield role, "pps.negotiation", "action_reject", self.agreed.ids, {}, {}
            yield role, "pps.negotiation", "action_cancel", self.agreed.ids, {}, {}

            # The locked sale order: protected fields, lines, lock fields.
            order = self.locked_order
            for vals in (
                {"commitment_date": future},
                {"pps_expected_date": future},
                {"date_order": d(self._in_days(-3))},
                {"partner_id": self.internal_user.partner_id.id},
                {"partner_shipping_id": self.internal_user.partner_id.id},
                {"pps_rush": True},
                {"pps_serial": 7},
                {"pps_locked": False},
                {"pps_locked_by_id": False},
                {"order_line": [[0, 0, {"product_id": self.product.id}]]},
            ):
                for context in ({}, *FORGED_CONTEXTS):
                    yield (
                        role,
                        "sale.order",
                        "write",
                        order.ids,
                        {"vals": vals},
                        context,
                    )
            line = order.order_line[:1]
            for context in ({}, FORGED_CONTEXTS[0]):
                yield (
                    role,
                    "sale.order.line",
                    "write",
                    line.ids,
                    {"vals": {"product_uom_qty": 9}},
                    context,
                )
                yield role, "sale.order.line", "unlink", line.ids, {}, context
                yield (
                    role,
                    "sale.order.line",
                    "create",
                    None,
                    {
                        "vals_list": [
                            {"order_id": order.id, "product_id": self.product.id}
                        ]
                    },
                    context,
                )
            # The locked MO's agreed content and its routing (its plan, the
            # dates of the MO and its work orders, is free: not listed), and
            # the pin, which only the Pin/Unpin actions set.
            production = self.locked_production
            for vals in (
                {"date_deadline": future},
                {"product_qty": 5},
                {"pps_locked": False},
                {"pps_plan_pinned": True},
            ):
                for context in ({}, *FORGED_CONTEXTS):
                    yield (
                        role,
                        "mrp.production",
                        "write",
                        production.ids,
                        {"vals": vals},
                        context,
                    )
            for context in ({}, FORGED_CONTEXTS[0]):
                yield (
                    role,
                    "mrp.workorder",
                    "unlink",
                    self.locked_workorder.ids,
                    {},
                    context,
                )

            # Dispatch week locks change only through lock/unlock.
            yield (
                role,
                "pps.dispatch.week.lock",
                "write",
                self.week_lock.ids,
                {"vals": {"week_start": fields.Date.to_string(self.monday)}},
                {},
            )
            # A confirmed abnormality keeps its window and its state.
            for vals in (
                {"date_end": future},
                {"capacity_factor": 0.0},
                {"state": "draft"},
            ):
                yield (
                    role,
                    "pps.abnormality",
                    "write",
                    (self.confirmed_abnormality.ids),
                    {"vals": vals},
                    {},
                )

        for role in not_unlock:
            for context in ({}, *FORGED_CONTEXTS):
                for model, record in (
                    ("sale.order", self.locked_order),
                    ("mrp.production", self.locked_production),
                ):
                    yield (
                        role,
                        model,
                        "action_pps_unlock",
                        record.ids,
                        {"reason": "forged"},
                        context,
                    )
            yield (
                role,
                "pps.dispatch.week.lock",
                "action_unlock",
                self.week_lock.ids,
                {"reason": "forged"},
                {},
            )
            yield (
                role,
                "pps.dispatch.week.lock",
                "action_unlock_week",
                None,
                {
                    "workcenter_id": self.idle_workcenter.id,
                    "week_start": fields.Date.to_string(self.monday),
                    "reason": "forged",
                },
                {},
            )
        for role in not_planners:
            yield (
                role,
                "pps.negotiation",
                "action_answer",
                self.requested.ids,
                {"scheduled_date": future},
                {},
            )
            yield (
                role,
                "sale.order",
                "action_pps_propose_date",
                self.free_order.ids,
                {
                    "scheduled_date": future,
                    "reason": "forged",
                },
                {},
            )
            for context in ({}, *FORGED_CONTEXTS):
                yield role, "pps.schedule.run", "schedule", None, {}, context
            yield (
                role,
                "pps.abnormality",
                "action_confirm",
                (self.draft_abnormality.ids),
                {},
                {},
            )
            yield (
                role,
                "pps.abnormality",
                "action_resolve",
                (self.confirmed_abnormality.ids),
                {},
                {},
            )
            yield (
                role,
                "pps.abnormality",
                "create",
                None,
                {
                    "vals_list": [
                        {
                            "abnormality_type": "other",
                            "date_end": future,
                            "workcenter_id": self.idle_workcenter.id,
                        }
                    ]
                },
                {},
            )
            yield (
                role,
                "pps.dispatch.week.lock",
                "create",
                None,
                {
                    "vals_list": [
                        {
                            "workcenter_id": self.workcenter.id,
                            "week_start": fields.Date.to_string(self.monday),
                        }
                    ]
                },
                {},
            )
            yield (
                role,
                "pps.dispatch.week.lock",
                "action_lock_week",
                None,
                {
                    "workcenter_id": self.workcenter.id,
                    "week_start": fields.Date.to_string(self.monday),
                },
                {},
            )
            yield role, "pps.dispatch.board", "action_dry_run", None, {}, {}
        for role in not_sales:
            for method in ("action_agree", "action_reject"):
                yield role, "pps.negotiation", method, self.answered.ids, {}, {}
            yield (
                role,
                "sale.order",
                "action_pps_request_date",
                self.free_order.ids,
                {"expected_date": future},
                {},
            )
        for role in ("internal", "admin"):
            yield role, "pps.negotiation", "action_cancel", self.requested.ids, {}, {}
            for model, record in (
                ("sale.order", self.free_order),
                ("mrp.production", self.locked_production),
            ):
                yield role, model, "action_pps_lock", record.ids, {}, {}
        yield (
            "planner",
            "sale.order",
            "write",
            self.free_order.ids,
            {"vals": {"pps_rush": True}},
            {},
        )
        yield (
            "internal",
            "sale.order",
            "write",
            self.free_order.ids,
            {"vals": {"pps_serial": 3}},
            {},
        )

    # -------------------------------------------------------------- transports
    def _xmlrpc(self, role, model, method, ids, kwargs, context):
        user = self.users.get(role) or self.portal_user
        uid = self.xmlrpc_common.authenticate(get_db_name(), user.login, user.login, {})
        self.assertTrue(uid, user.login)
        args = [ids] if ids is not None else []
        return self.xmlrpc_object.execute_kw(
            get_db_name(),
            uid,
            user.login,
            model,
            method,
            args,
            dict(kwargs, context=context),
        )

    def _json2(self, role, model, method, ids, kwargs, context):
        body = dict(kwargs, context=context)
        if ids is not None:
            body["ids"] = ids
        return self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(body),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.api_keys[role]}",
            },
        )

    def _try(self, protocol, call):
        """Send one call; return "refused", "crashed" or "allowed"."""
        if protocol == "xmlrpc":
            try:
                self._xmlrpc(*call)
            except Fault as fault:
                return "refused" if fault.faultCode in CLEAR_FAULT_CODES else "crashed"
            return "allowed"
        response = self._json2(*call)
        if response.status_code == 200:
            return "allowed"
        try:
            name = response.json().get("name")
        except ValueError:
            name = None
        return "refused" if name in CLEAR_ERRORS else "crashed"

    # ------------------------------------------------------------------- tests
    def test_forbidden_calls_are_refused_over_xmlrpc_and_json2(self):
        """Every call of the generated matrix is refused with a clear error over
        both protocols, nothing changes, and the counts are reported."""
        calls = list(self._forbidden_calls())
        outcomes = Counter()
        per_role = Counter()
        holes = []
        with mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc"):
            for protocol in ("xmlrpc", "json2"):
                for call in calls:
                    outcome = self._try(protocol, call)
                    outcomes[outcome] += 1
                    per_role[call[0], outcome] += 1
                    if outcome != "refused":
                        holes.append((outcome, protocol, call))
        tried = sum(outcomes.values())
        print(
            f"\nRPC access matrix: {tried} calls tried ({len(calls)} per protocol, "
            f"XML-RPC and JSON-2), {outcomes['refused']} refused, "
            f"{outcomes['crashed']} crashed, {outcomes['allowed']} allowed; "
            f"per role: {dict(sorted(per_role.items()))}"
        )
        self.assertFalse(
            holes,
            "calls not refused with a clear error:\n"
            + "\n".join(f"{o} over {p}: {c[:5]} context={c[5]}" for o, p, c in holes),
        )
        self.assertGreater(tried, 500)
        self.assertEqual(self._snapshot(), self.snapshot_before)

    def test_portal_and_public_see_nothing_of_the_new_models(self):
        """Portal users (over both protocols) and the public user are refused
        read access to every coordination and scheduler model."""
        tried = refused = 0
        muted = mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
        muted.__enter__()
        self.addCleanup(muted.__exit__, None, None, None)
        for model in NEW_MODELS:
            for protocol in ("xmlrpc", "json2"):
                call = (
                    "portal",
                    model,
                    "search_read",
                    None,
                    {"domain": [], "fields": ["id"]},
                    {},
                )
                tried += 1
                if self._try(protocol, call) == "refused":
                    refused += 1
                else:
                    self.fail(f"portal user reads {model} over {protocol}")
            public = self.env.ref("base.public_user")
            tried += 1
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(public).search_read([], ["id"])
            refused += 1
        # Without a session, the web client's call_kw is refused too.
        response = self.url_open(
            "/web/dataset/call_kw/pps.negotiation/search_read",
            data=json.dumps(
                {
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {
                        "model": "pps.negotiation",
                        "method": "search_read",
                        "args": [[]],
                        "kwargs": {"fields": ["id"]},
                    },
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        tried += 1
        self.assertIn("error", response.json())
        self.assertNotIn("result", response.json())
        refused += 1
        print(f"\nportal/public: {tried} reads tried, {refused} refused")
        self.assertEqual(tried, refused)


@tagged("post_install", "-at_install")
class TestReliabilityNegotiationInput(PpsCoordinationCase, HttpCase):
    """Hostile values sent to the negotiation API over XML-RPC and JSON-2."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_sale_order()
        cls.requested_order = cls._create_sale_order()
        cls.requested = cls.requested_order.with_user(
            cls.sales_user
        ).action_pps_request_date(cls._in_days(20))
        cls.keys = {
            user.login: user.with_user(user)
            .env["res.users.apikeys"]
            ._generate(
                scope="rpc",
                name="reliability",
                expiration_date=datetime.now() + timedelta(days=1),
            )
            for user in (cls.sales_user, cls.planner_user)
        }

    def setUp(self):
        super().setUp()
        muted = mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
        muted.__enter__()
        self.addCleanup(muted.__exit__, None, None, None)

    def _call(self, protocol, user, model, method, ids, kwargs):
        """Return the error name of a refused call, None when it succeeded."""
        if protocol == "xmlrpc":
            uid = self.xmlrpc_common.authenticate(
                get_db_name(), user.login, user.login, {}
            )
            try:
                self.xmlrpc_object.execute_kw(
                    get_db_name(), uid, user.login, model, method, [ids], kwargs
                )
            except Fault as fault:
                return {2: "UserError", 4: "AccessError"}.get(
                    fault.faultCode, fault.faultString[-300:]
                )
            return None
        response = self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(dict(kwargs, ids=ids), default=str),
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {self.keys[user.login]}",
            },
        )
        if response.status_code == 200:
            return None
        name = response.json().get("name", "")
        return {
            "odoo.exceptions.UserError": "UserError",
            "odoo.exceptions.ValidationError": "UserError",
        }.get(name, name + ": " + response.json().get("message", ""))

    def _assert_clear_refusal(self, kind, user, model, method, ids, kwargs):
        for protocol in ("xmlrpc", "json2"):
            GENERATED[kind] += 1
            error = self._call(protocol, user, model, method, ids, kwargs)
            self.assertEqual(
                error,
                "UserError",
                f"{method}({kwargs}) over {protocol} must be refused with a "
                f"UserError or ValidationError, got {error!r}",
            )

    @settings(
        derandomize=True,
        deadline=None,
        max_examples=30,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.differing_executors],
    )
    @given(value=BAD_DATE_TEXTS)
    def test_text_in_date_fields(self, value):
        """Text, numbers, lists and malformed or zoned date strings in the date
        of a request, an answer or a proposal are refused with a clear error."""
        if not value:  # no date: refused for a request, "promise" for an answer
            self._assert_clear_refusal(
                "missing_date",
                self.sales_user,
                "sale.order",
                "action_pps_request_date",
                self.order.ids,
                {"expected_date": value},
            )
            return
        self._assert_clear_refusal(
            "text_date",
            self.sales_user,
            "sale.order",
            "action_pps_request_date",
            self.order.ids,
            {"expected_date": value},
        )
        self._assert_clear_refusal(
            "text_date",
            self.planner_user,
            "pps.negotiation",
            "action_answer",
            self.requested.ids,
            {"scheduled_date": value},
        )
        self._assert_clear_refusal(
            "text_date",
            self.planner_user,
            "sale.order",
            "action_pps_propose_date",
            self.order.ids,
            {"scheduled_date": value, "reason": "capacity"},
        )

    @settings(
        derandomize=True,
        deadline=None,
        max_examples=20,
        suppress_health_check=[HealthCheck.differing_executors],
    )
    @given(value=PAST_DATES)
    def test_dates_in_the_past(self, value):
        """A request, an answer or a proposal dated in the past is refused."""
        text = fields.Datetime.to_string(value)
        self._assert_clear_refusal(
            "past_date",
            self.sales_user,
            "sale.order",
            "action_pps_request_date",
            self.order.ids,
            {"expected_date": text},
        )
        self._assert_clear_refusal(
            "past_date",
            self.planner_user,
            "pps.negotiation",
            "action_answer",
            self.requested.ids,
            {"scheduled_date": text},
        )
        self._assert_clear_refusal(
            "past_date",
            self.planner_user,
            "sale.order",
            "action_pps_propose_date",
            self.order.ids,
            {"scheduled_date": text, "reason": "capacity"},
        )

    @settings(
        derandomize=True,
        deadline=None,
        max_examples=20,
        suppress_health_check=[HealthCheck.differing_executors],
    )
    @given(scenario=BAD_SCENARIOS)
    def test_wrong_scenario(self, scenario):
        """An unknown scenario, an internal change requested by sales, or a
        customer change on an order not in production is refused."""
        self._assert_clear_refusal(
            "wrong_scenario",
            self.sales_user,
            "sale.order",
            "action_pps_request_date",
            self.order.ids,
            {
                "expected_date": fields.Datetime.to_string(self._in_days(30)),
                "scenario": scenario,
            },
        )

    def test_missing_values(self):
        """A request without a date and a proposal without a reason are refused."""
        future = fields.Datetime.to_string(self._in_days(30))
        for kwargs in ({}, {"expected_date": False}, {"expected_date": ""}):
            self._assert_clear_refusal(
                "missing_date",
                self.sales_user,
                "sale.order",
                "action_pps_request_date",
                self.order.ids,
                kwargs,
            )
        for reason in ("", "   ", False):
            self._assert_clear_refusal(
                "missing_reason",
                self.planner_user,
                "sale.order",
                "action_pps_propose_date",
                self.order.ids,
                {"scheduled_date": future, "reason": reason},
            )
        self.assertFalse(self.order.pps_negotiation_ids, "nothing was opened")

    def test_zz_report_generated_inputs(self):
        """Report how many hostile negotiation inputs were sent (``-s``)."""
        print(
            f"\nnegotiation API: {sum(GENERATED.values())} hostile calls "
            f"(both protocols): {dict(sorted(GENERATED.items()))}"
        )


@tagged("post_install", "-at_install")
class TestReliabilityScheduleOverRpc(PpsCoordinationCase, HttpCase):
    """The scheduler's entry point called by a planner's own RPC client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_sale_order()
        cls._confirm_with_production(cls.order)
        cls._agree_new_order(cls.order, cls._in_days(12))
        cls.production = cls.order._pps_productions()
        assert cls.production.pps_locked

    def _plan(self):
        self.production.invalidate_recordset()
        return [
            (wo.id, wo.workcenter_id.id, wo.date_start, wo.date_finished)
            for wo in self.production.workorder_ids.sudo()
        ]

    def test_schedule_with_ids_keeps_a_pinned_plan(self):
        """A planner calls ``schedule`` over XML-RPC with the ids of a locked,
        pinned MO as ``productions``: each call is answered (a run, or a clear
        refusal), never a crash, and the pinned plan does not move."""
        self.production.with_user(self.planner_user).action_pps_pin_plan()
        uid = self.xmlrpc_common.authenticate(
            get_db_name(), "pps_planner", "pps_planner", {}
        )
        before = self._plan()
        ids = self.production.ids
        for kwargs in (
            {"productions": ids},
            {"productions": ids, "time_limit": 2, "release_frozen": True},
        ):
            with self.subTest(kwargs=kwargs), mute_logger("odoo.http"):
                try:
                    self.xmlrpc_object.execute_kw(
                        get_db_name(),
                        uid,
                        "pps_planner",
                        "pps.schedule.run",
                        "schedule",
                        [],
                        kwargs,
                    )
                except Fault as fault:
                    self.assertIn(fault.faultCode, CLEAR_FAULT_CODES, fault.faultString)
                self.assertEqual(self._plan(), before, "a pinned MO moved")
