"""Injected faults in a schedule run leave nothing half written.

A run moves work orders (and their calendar leaves), manufacturing orders,
the sale order's scheduled date and the purchase lines supplying the
components. Each test injects one fault -- a solver time-out, an infeasible
model, a checker violation, a database error in the middle of the write-back
-- and compares the rows of those tables, read with SQL after a flush, before
and after the run: they must be identical, and the run record must be
``failed`` with a message saying what happened.
"""

# pylint: disable=print-used
# (the suite prints its fault counts (pytest -s))

from datetime import datetime, timedelta
from unittest.mock import patch

import psycopg2

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests.common import mute_logger

from odoo.addons.pps_coordination_scheduler.engine import Result, Status, Violation
from odoo.addons.pps_coordination_scheduler.models import pps_schedule_run

from .common import SchedulerCase

RUN_MODULE = pps_schedule_run.__name__
Run = pps_schedule_run.PpsScheduleRun

#: The rows a run may write, read straight from the database.
SNAPSHOT_QUERIES = {
    "mrp_workorder": """
        SELECT id, date_start, date_finished, workcenter_id, duration_expected,
               leave_id
          FROM mrp_workorder WHERE production_id IN %(productions)s ORDER BY id""",
    "resource_calendar_leaves": """
        SELECT l.id, l.date_from, l.date_to, l.calendar_id, l.resource_id
          FROM resource_calendar_leaves l
          JOIN mrp_workorder w ON w.leave_id = l.id
         WHERE w.production_id IN %(productions)s ORDER BY l.id""",
    "resource_calendar_leaves_count": "SELECT count(*) FROM resource_calendar_leaves",
    "mrp_production": """
        SELECT id, date_start, date_finished, date_deadline, state
          FROM mrp_production WHERE id IN %(productions)s ORDER BY id""",
    "purchase_order_line": """
        SELECT id, date_planned FROM purchase_order_line
         WHERE id IN %(purchase_lines)s ORDER BY id""",
    "pps_schedule_run_line_count": "SELECT count(*) FROM pps_schedule_run_line",
    "mail_activity_count": "SELECT count(*) FROM mail_activity",
}


class TestReliabilityFaults(SchedulerCase):
    """Two routed MOs with a component on order, planned once, then re-run
    under an injected fault."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.component = cls.env["product.product"].create(
            {"name": "Fault Steel", "is_storable": True}
        )
        cls.bom.bom_line_ids = [
            Command.create({"product_id": cls.component.id, "product_qty": 1})
        ]
        cls.productions = cls._create_production(4) | cls._create_production(6)
        vendor = cls.env["res.partner"].create({"name": "Fault Vendor"})
        cls.rfq = cls.env["purchase.order"].create(
            {
                "partner_id": vendor.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": cls.component.id,
                            "product_qty": 1,
                            "date_planned": fields.Datetime.now() + timedelta(days=1),
                        }
                    )
                    for _production in cls.productions
                ],
            }
        )
        supplier = cls.env.ref("stock.stock_location_suppliers")
        for production, line in zip(cls.productions, cls.rfq.order_line, strict=True):
            move = production.move_raw_ids
            move.move_orig_ids = cls.env["stock.move"].create(
                {
                    "product_id": cls.component.id,
                    "product_uom_qty": 1,
                    "location_id": supplier.id,
                    "location_dest_id": move.location_id.id,
                    "purchase_line_id": line.id,
                }
            )

    def setUp(self):
        super().setUp()
        muted = mute_logger(RUN_MODULE)
        muted.__enter__()
        self.addCleanup(muted.__exit__, None, None, None)
        # A reference run: proves that, unfaulted, this run would write rows.
        with self.env.cr.savepoint(flush=True) as savepoint:
            before = self._rows()
            reference = self._schedule(self.productions)
            self.assertEqual(reference.state, "done", reference.message)
            self.env.flush_all()
            self.assertNotEqual(self._rows(), before, "the fault-free run writes")
            savepoint.rollback()
        self.env.invalidate_all()

    def _rows(self):
        self.env.flush_all()
        params = {
            "productions": tuple(self.productions.ids),
            "purchase_lines": tuple(self.rfq.order_line.ids),
        }
        rows = {}
        for name, query in SNAPSHOT_QUERIES.items():
            self.env.cr.execute(query, params)
            rows[name] = self.env.cr.fetchall()
        return rows

    def _run_with_fault(self, expected_status=None, message=None, **kwargs):
        """Run (not interactive), then check the rows and the failed run."""
        before = self._rows()
        run = self._schedule(self.productions, **kwargs)
        self.assertEqual(self._rows(), before, "a failed run must write nothing")
        self.assertEqual(run.state, "failed", run.message)
        self.assertFalse(run.applied)
        self.assertFalse(run.line_ids, "no run line survives a failed run")
        self.assertTrue(run.date_end)
        if expected_status:
            self.assertEqual(run.solver_status, expected_status)
        if message:
            self.assertRegex(run.message, message)
        FAULTS.append(self._testMethodName)
        return run

    def test_solver_time_out(self):
        """A solver that runs out of time without a schedule (status UNKNOWN):
        the run fails, says so, and writes nothing."""
        timed_out = Result(
            status=Status.UNKNOWN, message="time limit reached without a schedule"
        )
        with patch(f"{RUN_MODULE}.solve", return_value=timed_out):
            self._run_with_fault("unknown", "No schedule was found.*time limit")

    def test_tiny_time_limit(self):
        """A real solve with a microscopic time limit either returns the best
        dispatching start (done, checked) or fails cleanly; never half."""
        before = self._rows()
        run = (
            self.env["pps.schedule.run"]
            .with_user(self.planner)
            .schedule(productions=self.productions, time_limit=0.001, workers=1)
        )
        if run.state == "failed":
            self.assertEqual(self._rows(), before)
            self.assertTrue(run.message)
        else:
            self.assertEqual(run.state, "done", run.message)
            for workorder in self.productions.workorder_ids:
                self.assertTrue(workorder.date_start and workorder.leave_id)
        FAULTS.append(self._testMethodName)

    def test_infeasible_model_from_the_solver(self):
        """The solver proves the model infeasible: failed, status infeasible."""
        infeasible = Result(
            status=Status.INFEASIBLE, message="precedences and calendars conflict"
        )
        with patch(f"{RUN_MODULE}.solve", return_value=infeasible):
            self._run_with_fault("infeasible", "infeasible.*conflict")

    def test_infeasible_real_plant_closed(self):
        """A real infeasible instance: the plant is closed for the whole
        horizon after the MOs were planned once. Nothing moves. (No frozen
        zone here: it would keep the planned work where it is, which is
        feasible.)"""
        self.company.pps_frozen_days = 0
        self._schedule(self.productions)
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Plant closed",
                "calendar_id": self.calendar.id,
                "date_from": datetime(2000, 1, 1),
                "date_to": datetime(2100, 1, 1),
                "time_type": "leave",
            }
        )
        self._run_with_fault(message=".+")

    def test_checker_violation(self):
        """A schedule that fails the independent checker is not written."""
        violation = Violation("overlap", "two work orders share the welder")
        with patch(f"{RUN_MODULE}.check", return_value=[violation]):
            self._run_with_fault(message="(?s)independent check.*share the welder")

    def test_database_error_after_work_orders_were_written(self):
        """A real SQL error in the write-back, after the work orders, their
        calendar leaves and the MOs were written and while the purchase lines
        are being moved: everything is rolled back to the savepoint and the run
        says what happened."""
        original = Run._apply_purchase_orders
        reached = []

        def failing(run, productions):
            lines = original(run, productions)
            run.env.flush_all()
            reached.append(len(lines))
            run.env.cr.execute("SELECT 1 / 0")  # division_by_zero, a real DB error
            return lines

        # the cursor logs the failed query as an error: expected here
        with (
            patch.object(Run, "_apply_purchase_orders", failing),
            mute_logger("odoo.sql_db"),
        ):
            self._run_with_fault(message="Unexpected error, nothing was written.*zero")
        self.assertEqual(reached, [2], "the fault hit after the purchase lines moved")

    def test_serialization_failure_in_the_write_back(self):
        """A concurrent update detected by PostgreSQL while sale orders are
        written (psycopg2 error raised mid write-back): nothing half written."""
        error = psycopg2.errors.SerializationFailure(
            "could not serialize access due to concurrent update"
        )
        with patch.object(Run, "_apply_sale_orders", side_effect=error):
            self._run_with_fault(message="serialize")

    def test_interactive_fault_raises_and_writes_nothing(self):
        """Interactive callers get a UserError naming the cause; the rows are
        unchanged (the whole RPC transaction is rolled back with it)."""
        # the failed copy of the run goes through a cursor of its own: a test
        # cursor on the test's transaction here
        self.registry_enter_test_mode()
        timed_out = Result(status=Status.UNKNOWN, message="time limit reached")
        before = self._rows()
        with (
            patch(f"{RUN_MODULE}.solve", return_value=timed_out),
            self.assertRaisesRegex(UserError, "failed.*time limit"),
        ):
            self._schedule(self.productions, interactive=True)
        self.assertEqual(self._rows(), before)
        FAULTS.append(self._testMethodName)

    def test_zz_report_faults(self):
        """Report how many faults this suite injected (run with ``-s``)."""
        print(f"\nfaults injected: {len(FAULTS)} ({', '.join(sorted(FAULTS))})")


FAULTS = []
