"""A background run whose queue_job job fails ends failed, with a reason.

The job's own transaction is gone when it fails (a worker killed, the
database session terminated): the run cannot record its failure itself and
stayed ``running``, refusing every new run of the company for two hours
(found by the fault tests of ``bench/load/faults.py`` on a multi-process
server). The failure queue_job records -- through the ORM after an error,
or in SQL when its runner gives up on a job found dead -- now closes the run.
"""

from unittest.mock import patch

from odoo.exceptions import UserError

from odoo.addons.pps_coordination_scheduler.models import pps_schedule_run
from odoo.addons.queue_job.job import Job

from .common import SchedulerCase


class TestBackgroundJobFailure(SchedulerCase):
    def _background_run(self):
        """A planner's interactive run handed to a job (not performed)."""
        production = self._create_production(3)
        with patch.object(pps_schedule_run, "BACKGROUND_THRESHOLD", 0):
            run = self._schedule(production, interactive=True)
        self.assertEqual(run.state, "running")
        self.assertTrue(run.job_uuid)
        return run, production

    def test_failed_job_fails_its_run(self):
        """queue_job stores the failure of the job (as its controller does
        after an error): the run is failed with the job's error, nothing was
        written, and the planner's next run is not refused."""
        run, production = self._background_run()
        job = Job.load(self.env, run.job_uuid)
        job.set_failed(
            exc_name="psycopg2.OperationalError",
            exc_message="terminating connection due to administrator command",
            exc_info="Traceback ...",
        )
        job.store()
        self.assertEqual(run.state, "failed")
        self.assertIn("terminating connection", run.message)
        self.assertIn("nothing was written", run.message)
        self.assertFalse(any(production.workorder_ids.mapped("date_start")))
        again = self._schedule(production)
        self.assertEqual(again.state, "done", again.message)

    def test_job_found_dead_by_the_runner(self):
        """The runner fails a job found dead after too many retries in SQL,
        without the ORM: the next run closes the stale run and goes ahead."""
        run, production = self._background_run()
        self.env.flush_all()
        self.env.cr.execute(
            """UPDATE queue_job SET state = 'failed', exc_name = 'JobFoundDead',
                      exc_info = 'Job found dead after too many retries'
                WHERE uuid = %s""",
            (run.job_uuid,),
        )
        self.env.invalidate_all()
        self.assertEqual(run.state, "running")
        again = self._schedule(production)
        self.assertEqual(again.state, "done", again.message)
        self.assertEqual(run.state, "failed")
        self.assertIn("JobFoundDead", run.message)

    def test_job_still_running_refuses_a_second_run(self):
        """A job that has not failed keeps its run running: a second run is
        still refused."""
        run, production = self._background_run()
        with self.assertRaisesRegex(UserError, "still running"):
            self._schedule(production)
        self.assertEqual(run.state, "running")
