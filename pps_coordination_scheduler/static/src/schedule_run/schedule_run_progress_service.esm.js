import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";

/** Bus notification type of a background schedule run (pps.schedule.run). */
export const PROGRESS_CHANNEL = "pps_schedule_run/progress";

/**
 * Shows the steps of the user's background schedule runs: one notification
 * per run, sticky while it runs (its step and percent), replaced when it ends
 * by the outcome (success, or danger with the reason), with a button that
 * opens the run.
 */
export const scheduleRunProgressService = {
    dependencies: ["action", "bus_service", "notification"],
    start(env, {action, bus_service, notification}) {
        const shown = new Map();
        const openRun = (runId) =>
            action.doAction({
                type: "ir.actions.act_window",
                res_model: "pps.schedule.run",
                res_id: runId,
                views: [[false, "form"]],
                target: "current",
            });
        bus_service.subscribe(PROGRESS_CHANNEL, (payload) => {
            const {run_id: runId, name, state, progress, message} = payload;
            const running = state === "running";
            shown.get(runId)?.();
            const close = notification.add(message, {
                title: running ? `${name} · ${progress}%` : name,
                type: state === "failed" ? "danger" : running ? "info" : "success",
                sticky: running || state === "failed",
                className: `o_pps_run_progress o_pps_run_progress_${state}`,
                buttons: [
                    {
                        name: _t("Open the run"),
                        primary: !running,
                        onClick: () => {
                            close();
                            openRun(runId);
                        },
                    },
                ],
                onClose: () => {
                    if (shown.get(runId) === close) {
                        shown.delete(runId);
                    }
                },
            });
            shown.set(runId, close);
        });
        bus_service.start();
    },
};

registry
    .category("services")
    .add("pps_schedule_run_progress", scheduleRunProgressService);
