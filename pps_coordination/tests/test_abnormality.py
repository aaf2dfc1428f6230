"""Abnormalities: confirming one finds the orders it affects and opens internal
changes for those pushed past their agreed date."""

from datetime import timedelta

from odoo.exceptions import AccessError, UserError

from .common import PpsCoordinationCase


class TestAbnormality(PpsCoordinationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._create_sale_order()
        cls.productions = cls._confirm_with_production(cls.order)
        cls.production = cls.productions.filtered(lambda p: p.product_id == cls.product)
        cls.workorder = cls.production.workorder_ids
        # A tight order: the agreed date is exactly the MO's finish plus the
        # company's security lead time, so any lost time makes it late.
        cls.agreed = cls.production.date_finished + timedelta(days=1)
        cls.order.commitment_date = cls.agreed

    def _abnormality(self, **values):
        vals = {
            "abnormality_type": "equipment_failure",
            "workcenter_id": self.workcenter.id,
            "date_start": self.workorder.date_start - timedelta(hours=1),
            "date_end": self.workorder.date_finished + timedelta(hours=1),
            "capacity_factor": 0.5,
        }
        vals.update(values)
        return self.env["pps.abnormality"].with_user(self.planner_user).create(vals)

    def test_equipment_failure_opens_internal_change_and_sales_agree(self):
        """Half the cell's capacity lost over the whole work order delays the MO
        by half its duration: the order gets an internal-change round already
        answered, linked to the abnormality; sales agree and the dates move."""
        abnormality = self._abnormality()
        self.assertTrue(abnormality.name.startswith("ABN/"))
        duration = self.workorder.date_finished - self.workorder.date_start
        abnormality.action_confirm()
        self.assertEqual(abnormality.state, "confirmed")
        self.assertEqual(abnormality.production_ids, self.production)
        self.assertEqual(abnormality.sale_order_ids, self.order)
        negotiation = abnormality.negotiation_ids
        self.assertEqual(len(negotiation), 1)
        self.assertEqual(negotiation.scenario, "internal_change")
        self.assertEqual(negotiation.state, "answered")
        self.assertEqual(negotiation.sale_order_id, self.order)
        self.assertEqual(negotiation.expected_date, self.agreed)
        self.assertEqual(negotiation.scheduled_date, self.agreed + duration / 2)
        self.assertIn(abnormality.name, negotiation.reason)
        self.assertEqual(negotiation.answered_by_id, self.planner_user)
        self.assertEqual(negotiation.activity_ids.user_id, self.sales_user)

        finish_before = self.production.date_finished
        negotiation.with_user(self.sales_user).action_agree()
        self.assertEqual(self.order.commitment_date, self.agreed + duration / 2)
        self.assertEqual(self.production.date_finished, finish_before + duration / 2)
        self.assertEqual(negotiation.change_order_id.scenario, "internal_change")
        self.assertIn(self.production, negotiation.change_order_id.production_ids)
        self.assertTrue(self.order.pps_locked)

        abnormality.with_user(self.planner_user).action_resolve()
        self.assertEqual(abnormality.state, "resolved")

    def test_material_shortage_finds_consumers_of_the_product(self):
        """A shortage of a component hits the MOs consuming it."""
        abnormality = self._abnormality(
            abnormality_type="material_shortage",
            workcenter_id=False,
            product_id=self.component.id,
            date_start=self.production.date_start - timedelta(hours=1),
            date_end=self.production.date_start + timedelta(minutes=30),
            capacity_factor=0.0,
        )
        abnormality.action_confirm()
        self.assertEqual(abnormality.production_ids, self.production)
        self.assertEqual(abnormality.negotiation_ids.sale_order_id, self.order)

    def test_no_round_when_the_agreed_date_still_holds(self):
        """Lost time outside the MO's window moves nothing: the MO is listed as
        affected but no negotiation is opened."""
        abnormality = self._abnormality(
            workcenter_id=False,
            production_ids=[(6, 0, self.production.ids)],
            date_start=self.production.date_finished + timedelta(hours=2),
            date_end=self.production.date_finished + timedelta(hours=5),
        )
        abnormality.action_confirm()
        self.assertEqual(abnormality.production_ids, self.production)
        self.assertFalse(abnormality.negotiation_ids)
        self.assertFalse(self.order.pps_negotiation_ids)

    def test_open_round_is_not_duplicated(self):
        """An order already in negotiation gets a note on the abnormality, not a
        second open round."""
        self.order.with_user(self.sales_user).action_pps_request_date(
            self.agreed + timedelta(days=3)
        )
        abnormality = self._abnormality()
        abnormality.action_confirm()
        self.assertFalse(abnormality.negotiation_ids)
        self.assertIn(
            "already has an open negotiation", abnormality.message_ids[0].body
        )

    def test_only_planners_confirm_and_confirmed_is_frozen(self):
        """Sales may read abnormalities but not confirm them; once confirmed the
        window cannot be rewritten, and it is confirmed only once."""
        abnormality = self._abnormality()
        with self.assertRaises(AccessError):
            abnormality.with_user(self.sales_user).action_confirm()
        with self.assertRaises(AccessError):
            abnormality.with_user(self.sales_user).write({"capacity_factor": 0.9})
        abnormality.action_confirm()
        with self.assertRaisesRegex(UserError, "keeps its window"):
            abnormality.write({"date_end": abnormality.date_end + timedelta(days=1)})
        with self.assertRaisesRegex(UserError, "already confirmed"):
            abnormality.action_confirm()

    def test_window_and_capacity_are_validated(self):
        """An abnormality ending before it starts, or with more than 100%
        capacity left, is meaningless."""
        with self.assertRaisesRegex(Exception, "must end after it starts"):
            self._abnormality(date_end=self.workorder.date_start - timedelta(hours=2))
        with self.assertRaisesRegex(Exception, "between 0% and 100%"):
            self._abnormality(capacity_factor=1.5)


class TestAbnormalityScopeFrozen(PpsCoordinationCase):
    def test_confirmed_abnormality_keeps_its_orders(self):
        """Once confirmed, the affected MOs are part of the record's history:
        a planner cannot rewrite them over RPC (the form only greys them out)."""
        abnormality = (
            self.env["pps.abnormality"]
            .with_user(self.planner_user)
            .create(
                {
                    "name": "Saw breakdown",
                    "abnormality_type": "equipment_failure",
                    "workcenter_id": self.workcenter.id,
                    "date_start": self._now(),
                    "date_end": self._in_days(1),
                    "capacity_factor": 0.0,
                }
            )
        )
        abnormality.action_confirm()
        order = self._create_sale_order(expected_date=self._in_days(20))
        productions = self._confirm_with_production(order, plan=False)
        with self.assertRaisesRegex(UserError, "keeps its window"):
            abnormality.with_user(self.planner_user).write(
                {"production_ids": [(6, 0, productions.ids)]}
            )
