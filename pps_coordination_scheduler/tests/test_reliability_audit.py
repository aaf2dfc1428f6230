"""Audit: every date the platform changes is traced to its cause.

``untraced_date_changes(env, orders)`` walks what the platform leaves behind
and returns the date changes it cannot explain:

- sale orders: each tracked change (``mail.tracking.value``) of the expected
  and scheduled delivery dates must match a negotiation round of the order
  (its expected or scheduled date), a change order (its new date) or a done
  schedule run that moved the order's manufacturing (new scheduled date =
  an MO's finish plus the security lead time); the delivery date
  (``commitment_date``, not tracked by ``sale``) must be the new date of the
  order's latest change order whenever it has one;
- work orders: a work order that a schedule run moved must still sit where
  the latest run line put it (a later move outside a run is untraced);
- lock log: every unlock carries a reason.

The tests build a scenario through the platform (agreements, a customer
change, a rejected round, schedule runs), check that nothing is untraced,
then make one change behind the platform's back and check that the walk
finds it. The last class loads the demo factory inside the test transaction,
drives the platform on it and walks the whole demo plant.
"""

# pylint: disable=print-used
# (the suite prints what it traced (pytest -s))

from datetime import timedelta

from .common import PpsCoordinationCase


def untraced_date_changes(env, orders):
    """Date changes of ``orders`` and their MOs that nothing explains.

    :return: list of ``(record, field name, new value, why)``
    """
    env.cr.precommit.run()  # tracking values are written when a transaction commits
    env = env(su=True)
    orders = orders.with_env(env)
    problems = []
    fields_by_id = {
        env["ir.model.fields"]._get("sale.order", name).id: name
        for name in ("pps_expected_date", "pps_scheduled_date", "commitment_date")
    }
    trackings = env["mail.tracking.value"].search(
        [
            ("field_id", "in", list(fields_by_id)),
            ("mail_message_id.model", "=", "sale.order"),
            ("mail_message_id.res_id", "in", orders.ids),
        ]
    )
    lines = env["pps.schedule.run.line"].search(
        [
            ("production_id.pps_sale_order_id", "in", orders.ids),
            ("run_id.state", "=", "done"),
            ("run_id.dry_run", "=", False),
        ],
        order="id",  # creation order: a later run's lines come later
    )
    for tracking in trackings:
        order = orders.browse(tracking.mail_message_id.res_id)
        name = fields_by_id[tracking.field_id.id]
        new = tracking.new_value_datetime
        if not new:
            continue
        negotiated = {
            date
            for round_ in order.pps_negotiation_ids
            for date in (round_.expected_date, round_.scheduled_date)
        }
        agreed = set(order.pps_change_order_ids.mapped("new_date"))
        lead = timedelta(days=order.company_id.security_lead or 0.0)
        order_lines = lines.filtered(
            lambda line, o=order: line.production_id.pps_sale_order_id == o
        )
        # the scheduled date follows the latest finish of all the order's MOs,
        # including those a run kept where they were (no run line)
        finishes = (
            set(order_lines.mapped("new_date_finished"))
            | set(order_lines.production_id.mapped("date_finished"))
            | set(order.mrp_production_ids.mapped("date_finished"))
            | set(order._pps_productions().mapped("date_finished"))
        )
        scheduled = {finish + lead for finish in finishes if finish}
        if new in negotiated or new in agreed:
            continue
        if name == "pps_scheduled_date" and new in scheduled:
            continue
        problems.append((order, name, new, "no round, change order or run explains it"))
    for order in orders:
        latest = order.pps_change_order_ids.sorted(lambda c: (c.date, c.id))[-1:]
        if latest and order.commitment_date != latest.new_date:
            problems.append(
                (
                    order,
                    "commitment_date",
                    order.commitment_date,
                    f"differs from the latest change order {latest.name}",
                )
            )
    latest_line = {}
    for line in lines.filtered("workorder_id"):
        latest_line[line.workorder_id] = line  # in creation order
    for workorder, line in latest_line.items():
        if workorder.state in ("done", "cancel", "progress"):
            continue
        if workorder.date_start != line.new_date_start:
            problems.append(
                (
                    workorder,
                    "date_start",
                    workorder.date_start,
                    f"moved after {line.run_id.name} put it at {line.new_date_start}",
                )
            )
    unlocks = env["pps.lock.log"].search(
        [
            ("res_model", "=", "sale.order"),
            ("res_id", "in", orders.ids),
            ("action", "=", "unlock"),
        ]
    )
    for log in unlocks.filtered(lambda log: not (log.reason or "").strip()):
        problems.append(
            (orders.browse(log.res_id), "pps_locked", log.date, "unlock without reason")
        )
    return problems


class TestReliabilityAudit(PpsCoordinationCase):
    """A small scenario driven through the platform, with tracking on."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))

    def _platform_scenario(self):
        sales, planner = self.sales_user, self.planner_user
        first = self._create_sale_order(expected_date=self._in_days(15))
        second = self._create_sale_order(expected_date=self._in_days(18))
        third = self._create_sale_order()
        for order in first | second:
            self._confirm_with_production(order)
        # New order rounds agreed: change orders, re-planning runs, locks.
        self._agree_new_order(first, self._in_days(15), self._in_days(16))
        self._agree_new_order(second, self._in_days(18))
        # A schedule run over everything, by a planner.
        run = self.env["pps.schedule.run"].with_user(planner).schedule(time_limit=5)
        self.assertEqual(run.state, "done", run.message)
        # A customer change on a locked order, agreed.
        change = first.with_user(sales).action_pps_request_date(
            self._in_days(25), scenario="customer_change", reason="customer asks later"
        )
        change.with_user(planner).action_answer(self._in_days(26))
        change.with_user(sales).action_agree()
        # A rejected round and a cancelled one: the answer is traced, not applied.
        rejected = third.with_user(sales).action_pps_request_date(self._in_days(30))
        rejected.with_user(planner).action_answer(self._in_days(31))
        rejected.with_user(sales).action_reject("too late")
        cancelled = third.with_user(sales).action_pps_request_date(self._in_days(32))
        cancelled.with_user(sales).action_cancel()
        # Unlock with a reason, and a last run.
        second.with_user(self.unlock_user).action_pps_unlock("customer call")
        run = self.env["pps.schedule.run"].with_user(planner).schedule(time_limit=5)
        self.assertEqual(run.state, "done", run.message)
        return first | second | third

    def test_every_platform_date_change_is_traced(self):
        """Agreements, a customer change, rejected and cancelled rounds, unlocks
        and schedule runs leave a trace for every date they change."""
        orders = self._platform_scenario()
        tracked = self.env["mail.tracking.value"].search_count(
            [
                ("mail_message_id.model", "=", "sale.order"),
                ("mail_message_id.res_id", "in", orders.ids),
                ("field_id.name", "in", ("pps_expected_date", "pps_scheduled_date")),
            ]
        )
        self.assertGreaterEqual(tracked, 6, "the scenario must change dates")
        self.assertTrue(
            self.env["pps.schedule.run.line"].search_count(
                [("production_id.pps_sale_order_id", "in", orders.ids)]
            ),
            "the scenario must move work orders",
        )
        self.assertEqual(untraced_date_changes(self.env, orders), [])
        print(
            f"\naudit: {tracked} tracked date changes, {len(orders)} orders, all traced"
        )

    def test_change_behind_the_platform_is_found(self):
        """A date written outside the platform (here: directly, as superuser,
        with the lock bypass of server code) is reported by the walk, so the
        audit is not vacuous."""
        from odoo.addons.pps_coordination.models.pps_lock_mixin import PPS_LOCK_BYPASS

        orders = self._platform_scenario()
        order = orders[0]
        order.sudo().write({"pps_scheduled_date": self._in_days(99)})
        order.sudo().with_context(pps_lock_bypass=PPS_LOCK_BYPASS).write(
            {"commitment_date": self._in_days(98)}
        )
        workorder = order._pps_productions().workorder_ids[:1]
        workorder.sudo().with_context(pps_lock_bypass=PPS_LOCK_BYPASS).write(
            {
                "date_start": workorder.date_start + timedelta(hours=5),
                "date_finished": workorder.date_finished + timedelta(hours=5),
            }
        )
        found = {
            (record, name)
            for record, name, _new, _why in untraced_date_changes(self.env, orders)
        }
        self.assertIn((order, "pps_scheduled_date"), found)
        self.assertIn((order, "commitment_date"), found)
        self.assertIn((workorder, "date_start"), found)


class TestReliabilityAuditDemo(PpsCoordinationCase):
    """The walk over the demo plant, loaded inside the test transaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.env["res.company"]._pps_load_demo_factory()

    def test_demo_plant_is_traced(self):
        """On the demo plant, after platform activity (a schedule run of every
        open MO, a negotiation agreed on a demo order), every date change of
        every demo order is traced."""
        orders = self.env["sale.order"].search(
            [("company_id", "=", self.env.company.id), ("state", "!=", "cancel")]
        )
        self.assertTrue(orders, "the demo factory makes orders")
        # the demo plant is planned already (every confirmation plans its MOs,
        # runs keep what is planned): take one MO's plan away so that the run
        # has work to place whatever the day and hour of the suite
        unplanned = orders._pps_productions().filtered(
            lambda p: (
                p.state == "confirmed"
                and not p.pps_plan_pinned
                and all(wo.state in ("blocked", "ready") for wo in p.workorder_ids)
            )
        )[:1]
        self.assertTrue(unplanned, "the demo plant has an MO not started")
        unplanned.button_unplan()
        run = (
            self.env["pps.schedule.run"]
            .with_user(self.planner_user)
            .schedule(time_limit=10)
        )
        self.assertEqual(run.state, "done", run.message)
        self.assertGreater(run.moved_count, 0, "the run must actually move work")
        quotation = self._create_sale_order()
        self._agree_new_order(quotation, self._in_days(60))
        self.assertTrue(quotation.pps_change_order_ids)
        orders |= quotation
        problems = untraced_date_changes(self.env, orders)
        print(
            f"\naudit on the demo plant: {len(orders)} orders, run {run.state} "
            f"({run.moved_count} moved), {len(problems)} untraced"
        )
        self.assertEqual(problems, [])
