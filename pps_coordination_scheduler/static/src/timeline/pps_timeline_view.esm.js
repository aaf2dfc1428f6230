/**
 * The planners' timeline: OCA web_timeline, with every drag sent to the
 * server's guarded move (mrp.workorder.action_pps_timeline_move) instead of a
 * plain write. A refused move goes back where it was and the planner reads
 * the server's reason in a notification.
 */
import {RPCError} from "@web/core/network/rpc";
import {TimelineController} from "@web_timeline/views/timeline/timeline_controller.esm";
import {TimelineModel} from "@web_timeline/views/timeline/timeline_model.esm";
import {TimelineView} from "@web_timeline/views/timeline/timeline_view.esm";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";

export class PpsTimelineModel extends TimelineModel {
    /**
     * A drag: the new start, and the work center when the bars are grouped
     * by work center. The server computes the end from the calendar.
     * @override
     */
    async write_completed(id, vals) {
        const kwargs = {};
        if (this.last_group_bys[0] === "workcenter_id" && vals.workcenter_id) {
            kwargs.workcenter_id = vals.workcenter_id;
        }
        return this.orm.call(
            this.model_name,
            "action_pps_timeline_move",
            [[id], vals[this.date_start]],
            kwargs
        );
    }
}

export class PpsTimelineController extends TimelineController {
    setup() {
        super.setup();
        this.notification = useService("notification");
    }

    /**
     * Each queued move in turn; a refusal (UserError, AccessError) cancels
     * that move on the chart and says why, the others still go.
     * @override
     */
    async internalMove() {
        const queues = this.moveQueue.slice();
        this.moveQueue = [];
        let unexpected = null;
        for (const item of queues) {
            try {
                await this.model.write_completed(item.id, item.data);
                item.callback(item.item);
            } catch (error) {
                item.callback(null);
                if (error instanceof RPCError && error.data && error.data.message) {
                    this.notification.add(error.data.message, {
                        title: _t("Move refused"),
                        type: "danger",
                        sticky: true,
                        className: "o_pps_timeline_refused",
                    });
                } else {
                    unexpected = error;
                }
            }
        }
        await this.model.load(this.getSearchProps());
        this.render();
        if (unexpected) {
            throw unexpected;
        }
    }
}

export const PpsTimelineView = {
    ...TimelineView,
    Controller: PpsTimelineController,
    Model: PpsTimelineModel,
};

registry.category("views").add("pps_timeline", PpsTimelineView);
