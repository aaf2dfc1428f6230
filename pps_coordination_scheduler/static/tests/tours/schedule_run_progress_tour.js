import {registry} from "@web/core/registry";
import {rpc} from "@web/core/network/rpc";

/**
 * A planner reschedules a manufacturing order from its form: the run goes to
 * a queue_job job and the screen stays free. A sticky notification follows
 * the job; the test's job runner performs the job only once the tour has
 * seen it (the search_count below is its signal), and the notification turns
 * into the run's outcome with a button that opens the run.
 */
registry.category("web_tour.tours").add("pps_schedule_run_progress_tour", {
    steps: () => [
        {
            content: "Open the form's actions",
            trigger: ".o_form_view .o_cp_action_menus i.fa-cog",
            run: "click",
        },
        {
            content: "Reschedule (finite capacity)",
            trigger: ".dropdown-menu .o-dropdown-item:contains(finite capacity)",
            run: "click",
        },
        {
            content: "The run opens at once, still running",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Running)",
        },
        {
            content: "A sticky notification says the run waits for a job worker",
            trigger:
                ".o_notification.o_pps_run_progress_running .o_notification_content:contains(waiting for a job worker)",
            async run() {
                // tell the test's job runner to perform the job now
                await rpc("/web/dataset/call_kw/pps.schedule.run/search_count", {
                    model: "pps.schedule.run",
                    method: "search_count",
                    args: [[["name", "=", "pps tour: progress seen"]]],
                    kwargs: {},
                });
            },
        },
        {
            content: "The job ends: the notification turns to success",
            trigger:
                ".o_notification.o_pps_run_progress_done .o_notification_bar.bg-success",
        },
        {
            content: "Only the outcome is left on screen",
            trigger: "body:not(:has(.o_pps_run_progress_running))",
        },
        {
            content: "Open the run from the notification",
            trigger: ".o_pps_run_progress_done button:contains(Open the run)",
            run: "click",
        },
        {
            content: "The run is done",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Done)",
        },
    ],
});
