"""The progress of a background run in a real browser, with a real job.

A planner reschedules a manufacturing order from its form (Actions >
Reschedule). The request enqueues a queue_job job and returns at once; the
tour (``static/tests/tours/schedule_run_progress_tour.js``) sees the sticky
notification of the waiting run. The test then plays queue_job's job runner:
it marks the job enqueued and calls ``/queue_job/runjob`` on the test server,
as the runner does, so the job runs through queue_job's own controller, its
steps go out on the bus from their own cursor, and the tour sees the
notification turn into the run's outcome and opens the run from it.
"""

import threading
from datetime import datetime, time, timedelta
from unittest.mock import patch

import requests

from odoo import api, fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import TEST_CURSOR_COOKIE_NAME

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import (
    PLANNER_GROUPS,
    create_calendar,
    create_routing,
    create_workcenter,
)

#: What the tour searches for once it has seen the running notification.
SIGNAL = "pps tour: progress seen"


@tagged("post_install", "-at_install")
class TestProgressNotificationWithJob(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        icp = env["ir.config_parameter"].sudo()
        icp.set_param("pps_scheduler.background", "1")
        icp.set_param("pps_scheduler.time_limit", "2")
        icp.set_param("pps_scheduler.workers", "1")
        env.company.write({"pps_frozen_days": 0, "pps_rush_capacity_share": 0.0})
        calendar = create_calendar(env, "PR shifts (UTC)", 6.0, 22.0, days=range(7))
        cutting = create_workcenter(env, "PR Cutting", calendar)
        welding = create_workcenter(env, "PR Welding", calendar)
        product = env["product.product"].create(
            {"name": "PR Frame", "is_storable": True}
        )
        bom = create_routing(
            env, product, [("Cut", cutting, 120.0), ("Weld", welding, 60.0)]
        )
        start = datetime.combine(
            (fields.Datetime.now() + timedelta(days=3)).date(), time(8)
        )
        cls.production = env["mrp.production"].create(
            {
                "product_id": product.id,
                "bom_id": bom.id,
                "date_start": start,
                "date_deadline": start + timedelta(days=2),
            }
        )
        cls.production.action_confirm()
        cls.planner = mail_new_test_user(
            env,
            login="pr_tour_planner",
            name="Progress Planner",
            groups=PLANNER_GROUPS,
            tz="UTC",
        )

    def _job_runner(self, seen, outcome):
        """queue_job's runner, once the tour has seen the running run: the
        pending job enqueued, then run through ``/queue_job/runjob``."""
        try:
            if not seen.wait(240):
                outcome["error"] = "the tour never saw the running notification"
                return
            with self.registry.cursor() as cr:
                cr.execute(
                    "UPDATE queue_job SET state = 'enqueued', date_enqueued = now() "
                    "WHERE model_name = 'pps.schedule.run' AND state = 'pending' "
                    "RETURNING uuid"
                )
                uuids = [uuid for (uuid,) in cr.fetchall()]
            outcome["jobs"] = uuids
            for uuid in uuids:
                # not url_open: it takes the test lock, which belongs to
                # the test's thread; the browser's cookie lets it in
                response = requests.get(
                    f"{self.base_url()}/queue_job/runjob",
                    params={"db": self.env.cr.dbname, "job_uuid": uuid},
                    cookies={TEST_CURSOR_COOKIE_NAME: self.http_request_key},
                    timeout=180,
                )
                outcome.setdefault("status", []).append(response.status_code)
        except Exception as error:  # noqa: BLE001 -- reported by the test
            outcome["error"] = repr(error)

    def test_progress_notification_of_a_real_job(self):
        seen = threading.Event()
        Run = type(self.env["pps.schedule.run"])
        search_count = Run.search_count

        @api.model
        def watch(records, domain, *args, **kwargs):
            if domain == [["name", "=", SIGNAL]]:
                seen.set()
            return search_count(records, domain, *args, **kwargs)

        outcome = {}
        runner = threading.Thread(
            target=self._job_runner, args=(seen, outcome), name="pps tour job runner"
        )
        with patch.object(Run, "search_count", watch):
            runner.start()
            try:
                self.start_tour(
                    f"/odoo/action-mrp.mrp_production_action/{self.production.id}",
                    "pps_schedule_run_progress_tour",
                    login=self.planner.login,
                    timeout=300,
                )
            finally:
                seen.set()  # the runner never waits past the tour
                runner.join(240)
        self.assertNotIn("error", outcome, outcome.get("error"))
        self.assertEqual(len(outcome["jobs"]), 1, "one job for the reschedule")
        self.assertEqual(outcome["status"], [200])
        job = self.env["queue.job"].search([("uuid", "=", outcome["jobs"][0])])
        self.assertEqual(job.state, "done", job.exc_info)
        run = job.records
        self.assertEqual(run.state, "done", run.message)
        self.assertEqual(run.user_id, self.planner)
        self.assertIn(self.production, run.production_ids)
        self.assertTrue(run.step_ids, "its steps were recorded")
        self.assertTrue(
            all(self.production.workorder_ids.mapped("date_start")),
            "the job planned the order's work orders",
        )
