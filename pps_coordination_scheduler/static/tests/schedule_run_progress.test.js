import {defineMailModels} from "@mail/../tests/mail_test_helpers";
import {describe, expect, test} from "@odoo/hoot";
import {click, queryAll, waitFor} from "@odoo/hoot-dom";
import {animationFrame} from "@odoo/hoot-mock";
import {
    MockServer,
    getService,
    mountWithCleanup,
    patchWithCleanup,
    serverState,
} from "@web/../tests/web_test_helpers";
import {WebClient} from "@web/webclient/webclient";

import {PROGRESS_CHANNEL} from "@pps_coordination_scheduler/schedule_run/schedule_run_progress_service.esm";

defineMailModels();
describe.current.tags("desktop");

function send(values) {
    MockServer.env["bus.bus"]._sendone(serverState.partnerId, PROGRESS_CHANNEL, {
        run_id: 7,
        name: "SCH/2026/00007",
        dry_run: false,
        moved: 0,
        late: 0,
        ...values,
    });
}

describe("pps_schedule_run_progress", () => {
    test("a running run's notification is replaced by its end", async () => {
        await mountWithCleanup(WebClient);
        send({state: "running", progress: 10, message: "Searching for a better plan."});
        await waitFor(".o_pps_run_progress_running");
        expect(".o_notification").toHaveCount(1);
        expect(".o_notification_content").toHaveText(
            "SCH/2026/00007 · 10%. Searching for a better plan."
        );
        expect(".o_notification_bar").toHaveClass("bg-info");

        send({state: "running", progress: 85, message: "Writing the new plan."});
        await waitFor(".o_notification_content:contains(85%)");
        expect(".o_notification").toHaveCount(1);

        send({
            state: "done",
            progress: 100,
            moved: 3,
            message: "SCH/2026/00007 is done: 3 work orders moved, 0 orders late.",
        });
        await waitFor(".o_pps_run_progress_done");
        expect(".o_notification").toHaveCount(1);
        expect(".o_notification_bar").toHaveClass("bg-success");
        expect(".o_notification_content").toHaveText(
            "SCH/2026/00007. SCH/2026/00007 is done: 3 work orders moved, 0 orders late."
        );
        expect(".o_notification_buttons button").toHaveText("Open the run");
    });

    test("a failure shows in danger, sticky, and opens the run", async () => {
        const actions = [];
        await mountWithCleanup(WebClient);
        patchWithCleanup(getService("action"), {
            doAction(action) {
                actions.push(action);
            },
        });
        send({state: "running", progress: 5, message: "Reading the orders."});
        await waitFor(".o_pps_run_progress_running");
        send({
            state: "failed",
            progress: 10,
            message: "SCH/2026/00007 failed, nothing was written: no capacity.",
        });
        await waitFor(".o_pps_run_progress_failed");
        expect(".o_notification").toHaveCount(1);
        expect(".o_notification_bar").toHaveClass("bg-danger");
        await click(".o_notification_buttons button");
        await animationFrame();
        expect(actions).toEqual([
            {
                type: "ir.actions.act_window",
                res_model: "pps.schedule.run",
                res_id: 7,
                views: [[false, "form"]],
                target: "current",
            },
        ]);
        expect(queryAll(".o_notification")).toHaveLength(0);
    });
});
