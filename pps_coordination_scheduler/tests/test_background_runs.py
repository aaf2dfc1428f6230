"""No frozen screen: the solving actions of the user interface go to a job.

With ``pps_scheduler.background`` at 1 (its default) a manufacturing order's
Reschedule and Preview, a run's Run again, the dispatch board's dry run and
the re-plan after an agreement return at once with the run ``running`` and a
queue_job job enqueued (``trap_jobs``); performing the job gives the plan the
request would have given, publishes each step and the end on the bus to the
run's user, and a failure inside the job writes nothing and says why. Dry
runs are reproducible: one worker, the deterministic budget, a fixed seed.
"""

import functools
from contextlib import closing, contextmanager
from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.sql_db import db_connect
from odoo.tests import HttpCase, tagged
from odoo.tests.common import BaseCase, get_db_name

from odoo.addons.queue_job.tests.common import trap_jobs

from ..engine import SolveParams
from ..models import pps_schedule_run
from .common import OnePlanCase, SchedulerCase


@contextmanager
def capture_bus(env):
    """The bus messages of schedule runs, as ``[payload, ...]`` (the cursor
    of their own that progress goes through is not committed)."""
    sent = []
    bus = type(env["bus.bus"])

    def record(self, target, notification_type, message):
        if notification_type == pps_schedule_run.PROGRESS_CHANNEL:
            sent.append(dict(message, partner_id=target.id))

    with patch.object(bus, "_sendone", record):
        yield sent


class BackgroundMixin:
    def _assert_job(self, trap, run):
        """One job enqueued (and not performed yet): ``run``'s."""
        trap.assert_jobs_count(1)
        job = trap.enqueued_jobs[0]
        self.assertEqual(job.method_name, "_execute_job")
        self.assertEqual(job.recordset, run)
        self.assertEqual(run.job_uuid, job.uuid)
        return job

    def _plan(self, workorders):
        workorders.invalidate_recordset()
        return {
            wo.id: (wo.workcenter_id.id, wo.date_start, wo.date_finished)
            for wo in workorders
        }

    @staticmethod
    def _moves(run):
        return sorted(
            (
                line.workorder_id.id,
                line.new_workcenter_id.id,
                line.new_date_start,
                line.new_date_finished,
            )
            for line in run.line_ids
            if line.workorder_id
        )

    def _set_background(self, value):
        self.env["ir.config_parameter"].sudo().set_param(
            "pps_scheduler.background", value
        )
        # a savepoint rolled back leaves the parameter's cache behind
        self.env.registry.clear_cache("stable")


class TestBackgroundRuns(BackgroundMixin, SchedulerCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("pps_scheduler.background", "1")
        cls.env["ir.config_parameter"].sudo().set_param("pps_scheduler.workers", "1")
        cls.env["ir.config_parameter"].sudo().set_param("pps_scheduler.time_limit", "2")
        cls.productions = cls._create_production(2) | cls._create_production(3)
        cls.workorders = cls.productions.workorder_ids

    def test_reschedule_goes_to_a_job_and_gives_the_plan_of_the_request(self):
        """A planner's Reschedule returns at once, the run running and nothing
        planned yet; the job plans exactly what the request would have."""
        with self.env.cr.savepoint() as savepoint:
            self._set_background("0")
            action = self.productions.with_user(self.planner).action_pps_reschedule()
            in_request = self.env["pps.schedule.run"].browse(action["res_id"])
            self.assertEqual(in_request.state, "done", in_request.message)
            expected = self._plan(self.workorders)
            savepoint.rollback()
        self._set_background("1")
        self.assertFalse(any(self.workorders.mapped("date_start")))
        with trap_jobs() as trap, capture_bus(self.env) as sent:
            action = self.productions.with_user(self.planner).action_pps_reschedule()
            run = self.env["pps.schedule.run"].browse(action["res_id"])
            self._assert_job(trap, run)
            self.assertEqual(run.state, "running")
            self.assertFalse(any(self.workorders.mapped("date_start")))
            self.assertEqual([m["state"] for m in sent], ["running"])
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.progress, 100)
        self.assertEqual(self._plan(self.workorders), expected)
        # the steps, then the end, all to the planner who clicked
        self.assertEqual({m["partner_id"] for m in sent}, {self.planner.partner_id.id})
        self.assertEqual([m["progress"] for m in sent[1:-1]], [5, 10, 70, 85], sent)
        self.assertTrue(all(m["state"] == "running" for m in sent[:-1]))
        end = sent[-1]
        self.assertEqual(end["state"], "done")
        self.assertEqual(end["run_id"], run.id)
        self.assertEqual(end["moved"], run.moved_count)
        self.assertEqual(end["late"], run.late_count)
        self.assertIn(f"{run.name} is done", end["message"])
        self.assertEqual(
            set(end),
            {
                "run_id",
                "name",
                "state",
                "dry_run",
                "progress",
                "message",
                "moved",
                "late",
                "partner_id",
            },
        )

    def test_preview_and_run_again_go_to_jobs_and_repeat(self):
        """Preview, then Run again from its form: two jobs, two previews with
        the same moves (one worker, the fixed seed), nothing written."""
        with trap_jobs() as trap:
            action = self.productions.with_user(
                self.planner
            ).action_pps_reschedule_preview()
            first = self.env["pps.schedule.run"].browse(action["res_id"])
            self.assertEqual(first.state, "running")
            self._assert_job(trap, first)
            trap.perform_enqueued_jobs()
            self.assertEqual(first.state, "done", first.message)
            action = first.with_user(self.planner).action_rerun()
            second = self.env["pps.schedule.run"].browse(action["res_id"])
            self.assertEqual(second.state, "running")
            self._assert_job(trap, second)
            trap.perform_enqueued_jobs()
        self.assertEqual(second.state, "done", second.message)
        self.assertTrue(second.dry_run)
        self.assertEqual((first.workers, second.workers), (1, 1))
        self.assertTrue(self._moves(first))
        self.assertEqual(self._moves(first), self._moves(second))
        self.workorders.invalidate_recordset()
        self.assertFalse(any(self.workorders.mapped("date_start")))

    def test_board_dry_run_answers_running_then_its_summary(self):
        """The board's dry run answers ``{run_id, name, state: running}`` at
        once; once the job ran, ``action_run_summary`` gives the summary the
        board got in the request, with ``run_id`` and ``state``."""
        board = self.env["pps.dispatch.board"].with_user(self.planner)
        with self.env.cr.savepoint() as savepoint:
            self._set_background("0")
            in_request = board.action_dry_run()
            savepoint.rollback()
        self._set_background("1")
        self.assertEqual(in_request["state"], "done")
        self.assertEqual(in_request["run_id"], in_request["id"])
        with trap_jobs() as trap:
            answer = board.action_dry_run()
            self._assert_job(
                trap, self.env["pps.schedule.run"].browse(answer["run_id"])
            )
            self.assertEqual(set(answer), {"run_id", "name", "state"})
            self.assertEqual(answer["state"], "running")
            trap.perform_enqueued_jobs()
        summary = board.action_run_summary(answer["run_id"])
        self.assertEqual(set(summary), set(in_request))
        self.assertEqual(summary["state"], "done")
        self.assertEqual(summary["run_id"], answer["run_id"])
        strip = [
            {k: v for k, v in move.items() if k != "id"} for move in in_request["moves"]
        ]
        self.assertTrue(strip)
        self.assertEqual(
            [{k: v for k, v in m.items() if k != "id"} for m in summary["moves"]],
            strip,
        )

    def test_a_failure_in_the_job_writes_nothing_and_says_why(self):
        """The plant is closed: the job ends the run failed (no error
        raised), nothing is planned, and the bus tells the planner why."""
        self._close_plant()
        with trap_jobs() as trap, capture_bus(self.env) as sent:
            action = self.productions.with_user(self.planner).action_pps_reschedule()
            run = self.env["pps.schedule.run"].browse(action["res_id"])
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "failed")
        self.assertTrue(run.message)
        self.workorders.invalidate_recordset()
        self.assertFalse(any(self.workorders.mapped("date_start")))
        self.assertEqual(sent[-1]["state"], "failed")
        self.assertIn("nothing was written", sent[-1]["message"])
        self.assertIn(run.message, sent[-1]["message"])

    def test_the_parameter_at_zero_keeps_small_runs_in_the_request(self):
        """``pps_scheduler.background`` = 0: the old behaviour, no job."""
        self._set_background("0")
        with trap_jobs() as trap:
            action = self.productions.with_user(self.planner).action_pps_reschedule()
            trap.assert_jobs_count(0)
        run = self.env["pps.schedule.run"].browse(action["res_id"])
        self.assertEqual(run.state, "done", run.message)

    def test_the_cron_and_internal_callers_stay_in_the_request(self):
        """The cron and ``_schedule_internal`` without a follow-up (a
        confirmation's insertion) need the plan at once: no job."""
        with trap_jobs() as trap:
            self.env["pps.schedule.run"]._cron_schedule()
            self.env["pps.schedule.run"]._schedule_internal(
                productions=self.productions, trigger="confirmation"
            )
            trap.assert_jobs_count(0)
        runs = self.env["pps.schedule.run"].search([], limit=2)
        self.assertEqual(runs.mapped("state"), ["done", "done"])


class TestReproducibleDryRuns(BackgroundMixin, SchedulerCase):
    def test_two_dry_runs_on_the_same_data_give_the_same_moves(self):
        """Two previews in a row, asked with two workers and through the
        engine's large-neighbourhood search (its threshold patched down below
        the run's size): one worker is forced, the moves are identical."""
        productions = self.env["mrp.production"]
        for days in (1, 1, 2, 2, 3, 3, 4):
            productions |= self._create_production(days)
        lns = functools.partial(
            SolveParams, lns_threshold=4, lns_window_ops=4, lns_window_time=0.1
        )
        with patch.object(pps_schedule_run, "SolveParams", lns):
            first, second = (
                self.env["pps.schedule.run"]
                .with_user(self.planner)
                .schedule(
                    productions=productions, time_limit=1, workers=2, dry_run=True
                )
                for _run in range(2)
            )
        for run in (first, second):
            self.assertEqual(run.state, "done", run.message)
            self.assertEqual(run.workers, 1)
        self.assertGreater(first.workorder_count, 4, "above the LNS threshold")
        self.assertTrue(self._moves(first))
        self.assertEqual(self._moves(first), self._moves(second))


class TestAgreementInBackground(BackgroundMixin, OnePlanCase):
    def test_the_agreement_is_immediate_and_its_re_plan_goes_to_a_job(self):
        """A salesperson agrees a postponement: the agreed date, the change
        order and the lock are written in the request, the re-plan goes to a
        job; when it ran, the work moved as in the request and the change
        order lists what moved."""
        order = self._create_sale_order(expected_date=self._in_days(15))
        productions = self._confirm(order)
        workorders = productions.workorder_ids
        agreed = self._in_days(25)

        with self.env.cr.savepoint() as savepoint:
            self.env["ir.config_parameter"].sudo().set_param(
                "pps_scheduler.background", "0"
            )
            in_request = self._agree(order, agreed, "customer_change", "Later")
            expected = self._plan(workorders)
            expected_purchases = in_request.change_order_id.purchase_order_ids.ids
            savepoint.rollback()
        self.assertTrue(expected_purchases, "the RFQ feeding the MO moves later")
        before = self._plan(workorders)
        self.assertNotEqual(before, expected, "the agreement must move the work")

        self._set_background("1")
        with trap_jobs() as trap:
            negotiation = self._agree(order, agreed, "customer_change", "Later")
            run = self._last_run("negotiation")
            job = self._assert_job(trap, run)
            self.assertEqual(job.kwargs["followup"], negotiation)
            self.assertEqual(negotiation.state, "agreed")
            self.assertEqual(order.commitment_date, agreed)
            self.assertTrue(order.pps_locked)
            change_order = negotiation.change_order_id
            self.assertEqual(change_order.new_date, agreed)
            self.assertFalse(change_order.purchase_order_ids, "known once re-planned")
            self.assertEqual(run.state, "running")
            self.assertEqual(self._plan(workorders), before, "not re-planned yet")
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(self._plan(workorders), expected)
        self.assertEqual(change_order.production_ids, run.line_ids.production_id)
        self.assertEqual(change_order.purchase_order_ids.ids, expected_purchases)


@tagged("post_install", "-at_install")
class TestProgressNotificationBrowser(HttpCase):
    def test_hoot_suite(self):
        """In the browser, the progress service's Hoot tests pass: a running
        run's sticky notification (step and percent) is replaced by its end,
        success or danger, with a button that opens the run."""
        self.browser_js(
            "/web/tests?headless&loglevel=2&preset=desktop&timeout=15000"
            "&filter=pps_schedule_run_progress",
            "",
            "",
            login="admin",
            timeout=600,
            success_signal="[HOOT] Test suite succeeded",
            error_checker=lambda message: "[HOOT]" not in message,
        )


@tagged("post_install", "-at_install")
class TestCommittedProgress(BaseCase):
    """Real transactions (committed, after install only): while a job's
    transaction is still open, another transaction sees the run's progress;
    the job then commits the run without a serialization error."""

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def test_a_step_is_seen_while_the_job_works(self):
        dbname = get_db_name()
        with closing(db_connect(dbname).cursor()) as cr:
            run = self._env(cr)["pps.schedule.run"].create(
                {"state": "running", "time_limit": 1, "workers": 1}
            )
            cr.commit()
        run_id = run.id
        seen = []
        Run = type(run)
        extract = Run._step_extract
        new_env = self._env

        def observe(record):
            with closing(db_connect(dbname).cursor()) as other:
                watched = new_env(other)["pps.schedule.run"].browse(run_id)
                seen.append(
                    (
                        watched.state,
                        watched.live_progress,
                        watched.step_ids.mapped("name"),
                    )
                )
            return extract(record)

        try:
            with closing(db_connect(dbname).cursor()) as job_cr:
                with patch.object(Run, "_step_extract", observe):
                    self._env(job_cr)["pps.schedule.run"].browse(run_id)._execute_job()
                job_cr.commit()  # would fail on a row written by both
            with closing(db_connect(dbname).cursor()) as cr:
                done = self._env(cr)["pps.schedule.run"].browse(run_id)
                self.assertIn(done.state, ("done", "failed"), done.message)
                self.assertEqual(len(seen), 1)
                state, progress, steps = seen[0]
                self.assertEqual((state, progress), ("running", 5))
                self.assertEqual(steps, ["Reading the orders and the plan in force."])
                self.assertEqual(done.step_ids[:1].progress, 5)
        finally:
            with closing(db_connect(dbname).cursor()) as cr:
                self._env(cr)["pps.schedule.run"].browse(run_id).unlink()
                cr.commit()
