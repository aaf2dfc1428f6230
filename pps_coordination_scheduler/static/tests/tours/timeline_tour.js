/* global odoo */
import {registry} from "@web/core/registry";

/**
 * The timeline's renderer, found in the running web client: the component
 * that holds the vis-timeline instance.
 */
function timelineRenderer() {
    const search = (node) => {
        const component = node.component;
        if (component && component.timeline && component.options && component.model) {
            return component;
        }
        for (const child of Object.values(node.children)) {
            const found = search(child);
            if (found) {
                return found;
            }
        }
        return null;
    };
    const renderer = search(odoo.__WOWL_DEBUG__.root.__owl__);
    if (!renderer) {
        throw new Error("the timeline renderer is not mounted");
    }
    return renderer;
}

/**
 * Drop a bar the way vis-timeline does when a drag ends: the renderer's
 * onMove handler (the one given to vis as its ``onMove`` option) receives the
 * moved item and a callback, called with the item when the move is kept and
 * with null when it is cancelled. Resolves with what the callback got.
 */
function drop(operation, hours, groupName) {
    const renderer = timelineRenderer();
    const item = renderer.timeline.itemsData
        .get()
        .find((i) => i.evt.name === operation && i.evt.production_id[1].startsWith("TL/"));
    if (!item) {
        throw new Error(`no bar for ${operation}`);
    }
    let group = item.group;
    if (groupName) {
        const target = renderer.timeline.groupsData
            .get()
            .find((g) => g.content === groupName);
        if (!target) {
            throw new Error(`no row for ${groupName}`);
        }
        group = target.id;
    }
    const shift = hours * 3600 * 1000;
    const moved = {
        ...item,
        start: new Date(item.start.getTime() + shift),
        end: new Date(item.end.getTime() + shift),
        group,
    };
    return new Promise((resolve) => renderer.options.onMove(moved, resolve));
}

registry.category("web_tour.tours").add("pps_timeline_tour", {
    steps: () => [
        {
            content: "The timeline is open; show a month",
            trigger: ".oe_timeline_view .oe_timeline_button_scale_month",
            run: "click",
        },
        {
            content: "The weld's bar names its order and product, and its lateness",
            trigger:
                ".vis-item .o_pps_timeline_item:contains(TL Frame):contains(Weld):contains(hour late)",
        },
        {
            content: "Drag the weld four hours later: allowed",
            trigger: ".vis-item .o_pps_timeline_item:contains(Weld)",
            async run() {
                const kept = await drop("Weld", 4);
                if (!kept) {
                    throw new Error("the allowed move was refused");
                }
            },
        },
        {
            content: "Drag the cut onto the saw, its alternative: allowed",
            trigger: ".vis-item .o_pps_timeline_item:contains(Cut)",
            async run() {
                const kept = await drop("Cut", 0, "TL Saw");
                if (!kept) {
                    throw new Error("the move onto the alternative was refused");
                }
            },
        },
        {
            content: "Drag the weld onto the saw, not one of its work centers: refused",
            trigger: ".vis-item .o_pps_timeline_item:contains(Weld)",
            async run() {
                const kept = await drop("Weld", 0, "TL Saw");
                if (kept) {
                    throw new Error("the refused move was kept");
                }
            },
        },
        {
            content: "The planner reads why",
            trigger: ".o_notification:contains(Move refused):contains(cannot run on TL Saw)",
        },
    ],
});
