"""The meeting's audits and KPIs on the demo plant.

The demo database is what the meeting is shown with: multi-level bills of
materials, planned work orders, purchases, shipped and late orders. The factory
is loaded inside the test transaction and the audits are checked against the
plain facts of each order (its MOs, its deliveries, its agreed date), computed
here independently of ``pps_progress``.
"""

from datetime import datetime, time

from odoo import fields
from odoo.tests.common import TransactionCase


class TestProgressOnDemoPlant(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.company"]._pps_load_demo_factory()
        cls.orders = cls.env["sale.order"].concat(
            *(
                cls.env.ref(f"pps_coordination.demo_sale_order_{i:02d}")
                for i in range(1, 37)
            )
        )
        cls.today = datetime.combine(fields.Date.today(), time())

    def _facts(self, order):
        """(shipped, made, due_before_today) from MOs and deliveries only."""
        deliveries = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing"
        )
        shipped = bool(deliveries) and all(
            p.state in ("done", "cancel") for p in deliveries
        )
        productions = order.stock_reference_ids.production_ids.filtered(
            lambda mo: mo.state != "cancel"
        )
        made = bool(productions) and all(mo.state == "done" for mo in productions)
        return shipped, made, order.commitment_date < self.today

    def _audit(self, audit):
        domain = self.env["sale.order"]._pps_audit_domain(audit)
        return self.env["sale.order"].search(domain + [("id", "in", self.orders.ids)])

    def test_demo_has_shipped_and_late_orders(self):
        """The demo shows a meeting worth having: shipped and late orders."""
        shipped = self.orders.filtered(lambda o: self._facts(o)[0])
        late = self.orders.filtered(
            lambda o: not self._facts(o)[0] and self._facts(o)[2]
        )
        self.assertGreaterEqual(len(shipped), 3)
        self.assertGreaterEqual(len(late), 3)

    def test_audits_match_the_facts(self):
        """Late = not shipped and due before today; made but not shipped = all
        MOs done, not shipped; shipped orders are in no audit."""
        facts = {order: self._facts(order) for order in self.orders}
        self.assertEqual(
            self._audit("late"),
            self.orders.filtered(lambda o: not facts[o][0] and facts[o][2]),
        )
        self.assertEqual(
            self._audit("made_not_shipped"),
            self.orders.filtered(lambda o: facts[o][1] and not facts[o][0]),
        )
        shipped = self.orders.filtered(lambda o: facts[o][0])
        self.assertEqual(
            shipped, self.orders.filtered(lambda o: o.pps_progress == "shipped")
        )
        for audit in ("wip", "made_not_shipped", "late"):
            self.assertFalse(self._audit(audit) & shipped, audit)

    def test_kpis_of_the_shipped_orders(self):
        """Every shipped demo order has a KPI row with its shipment date, and
        the on-time flag agrees with its agreed and shipped days."""
        shipped = self.orders.filtered(lambda o: o.pps_progress == "shipped")
        self.assertGreaterEqual(len(shipped), 3, "the demo has shipped orders")
        rows = self.env["pps.delivery.kpi"].search(
            [("sale_order_id", "in", shipped.ids), ("shipped", "=", True)]
        )
        self.assertEqual(rows.sale_order_id, shipped)
        for row in rows:
            order = row.sale_order_id
            done = order.picking_ids.filtered(
                lambda p: p.picking_type_code == "outgoing" and p.state == "done"
            )
            self.assertEqual(row.shipped_date, max(done.mapped("date_done")))
            self.assertEqual(
                row.on_time, row.shipped_date.date() <= order.commitment_date.date()
            )
