/**
 * Planners' dispatch board (client action ``pps_dispatch_board``).
 *
 * Rows are work centers, columns the days of a week, cards the work orders
 * planned to start that day. All data comes from one server method,
 * ``pps.dispatch.board.get_board_data``; every change goes through the
 * board's ``action_*`` server methods, which enforce the planner group, the
 * execution lock of sale orders and the weekly dispatch lock.
 */
import {Component, onWillStart, useState} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {deserializeDate, deserializeDateTime} from "@web/core/l10n/dates";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";

const MODEL = "pps.dispatch.board";

/** Minutes as "h:mm". */
export function formatMinutes(minutes) {
    const total = Math.round(minutes || 0);
    const hours = Math.floor(total / 60);
    const rest = String(total % 60).padStart(2, "0");
    return `${hours}:${rest}`;
}

export class DispatchBoard extends Component {
    static template = "pps_coordination_scheduler.DispatchBoard";
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.notification = useService("notification");
        this.state = useState({
            data: null,
            weekStart: null,
            filters: {
                workcenter_ids: [],
                product_id: false,
                partner_id: false,
                rush_only: false,
                late_only: false,
            },
            loading: false,
            run: null,
            unlocking: null,
            unlockReason: "",
            dragId: null,
            dropTarget: null,
        });
        this.formatMinutes = formatMinutes;
        onWillStart(() => this.load());
    }

    // ------------------------------------------------------------------
    // Data
    // ------------------------------------------------------------------
    async load() {
        this.state.loading = true;
        try {
            const data = await this.orm.call(MODEL, "get_board_data", [], {
                week_start: this.state.weekStart,
                filters: this.state.filters,
            });
            this.state.data = data;
            this.state.weekStart = data.week_start;
        } finally {
            this.state.loading = false;
        }
    }

    /** Call a board action; show its error as a notification, then reload. */
    async callAction(method, kwargs, successMessage) {
        let result;
        try {
            result = await this.orm.call(MODEL, method, [], kwargs);
        } catch (error) {
            this.notify(error);
            await this.load();
            return undefined;
        }
        if (successMessage) {
            this.notification.add(successMessage, {type: "success"});
        }
        await this.load();
        return result;
    }

    notify(error) {
        const message = error?.data?.message || error?.message || String(error);
        this.notification.add(message, {
            title: _t("Dispatch Board"),
            type: "danger",
        });
    }

    // ------------------------------------------------------------------
    // Display helpers
    // ------------------------------------------------------------------
    get weekLabel() {
        const data = this.state.data;
        const start = deserializeDate(data.week_start);
        const end = deserializeDate(data.week_end);
        return `${start.toFormat("d LLL")} – ${end.toFormat("d LLL yyyy")}`;
    }

    dayLabel(day) {
        return deserializeDate(day.date).toFormat("ccc d LLL");
    }

    isToday(date) {
        return date === this.state.data.today;
    }

    timeLabel(card) {
        return deserializeDateTime(card.date_start).toFormat("HH:mm");
    }

    loadPercent(cell) {
        if (!cell.capacity) {
            return cell.load ? 100 : 0;
        }
        return Math.min(100, Math.round((100 * cell.load) / cell.capacity));
    }

    reservePercent(cell) {
        if (!cell.capacity) {
            return 0;
        }
        return Math.round((100 * cell.reserve) / cell.capacity);
    }

    cellTitle(cell) {
        return _t(
            "Capacity %(capacity)s, of which rush reserve %(reserve)s; planned %(load)s (rush %(rush)s)",
            {
                capacity: formatMinutes(cell.capacity),
                reserve: formatMinutes(cell.reserve),
                load: formatMinutes(cell.load),
                rush: formatMinutes(cell.rush_load),
            }
        );
    }

    // ------------------------------------------------------------------
    // Navigation and filters
    // ------------------------------------------------------------------
    async goTo(weekStart) {
        this.state.weekStart = weekStart;
        this.state.run = null;
        await this.load();
    }

    onPrevWeek() {
        return this.goTo(this.state.data.prev_week);
    }

    onNextWeek() {
        return this.goTo(this.state.data.next_week);
    }

    onToday() {
        return this.goTo(this.state.data.today);
    }

    async onFilterSelect(name, ev) {
        const value = parseInt(ev.target.value, 10) || false;
        if (name === "workcenter_id") {
            this.state.filters.workcenter_ids = value ? [value] : [];
        } else {
            this.state.filters[name] = value;
        }
        await this.load();
    }

    async onFilterToggle(name, ev) {
        this.state.filters[name] = ev.target.checked;
        await this.load();
    }

    async onClearFilters() {
        Object.assign(this.state.filters, {
            workcenter_ids: [],
            product_id: false,
            partner_id: false,
            rush_only: false,
            late_only: false,
        });
        await this.load();
    }

    get selectedWorkcenter() {
        return this.state.filters.workcenter_ids[0] || false;
    }

    // ------------------------------------------------------------------
    // Cards: serial, reorder, open
    // ------------------------------------------------------------------
    async onSerialKeydown(card, ev) {
        if (ev.key === "Escape") {
            ev.target.value = card.serial;
            return;
        }
        if (ev.key !== "Enter") {
            return;
        }
        ev.preventDefault();
        const serial = parseInt(ev.target.value, 10);
        if (Number.isNaN(serial) || serial === card.serial) {
            ev.target.value = card.serial;
            return;
        }
        await this.callAction(
            "action_set_serial",
            {serial, workorder_id: card.id},
            _t("Serial of %(order)s set to %(serial)s.", {
                order: card.sale_order_name,
                serial,
            })
        );
    }

    async moveCard(card, target, position) {
        if (!target || target.id === card.id) {
            return;
        }
        await this.callAction("action_move_card", {
            workorder_id: card.id,
            target_workorder_id: target.id,
            position,
        });
    }

    onMoveUp(cell, index) {
        return this.moveCard(cell.cards[index], cell.cards[index - 1], "before");
    }

    onMoveDown(cell, index) {
        return this.moveCard(cell.cards[index], cell.cards[index + 1], "after");
    }

    onDragStart(card, ev) {
        this.state.dragId = card.id;
        ev.dataTransfer.effectAllowed = "move";
        ev.dataTransfer.setData("text/plain", String(card.id));
    }

    onDragEnd() {
        this.state.dragId = null;
        this.state.dropTarget = null;
    }

    onDragOver(card, ev) {
        if (this.state.dragId && this.state.dragId !== card.id) {
            ev.preventDefault();
            this.state.dropTarget = card.id;
        }
    }

    async onDrop(cell, card, ev) {
        ev.preventDefault();
        const dragged = cell.cards.find((c) => c.id === this.state.dragId);
        this.onDragEnd();
        if (!dragged) {
            this.notification.add(
                _t(
                    "Drag a card within its own cell to change the dispatch order; dates and work centers are set by the scheduler."
                ),
                {type: "warning"}
            );
            return;
        }
        const rect = ev.currentTarget.getBoundingClientRect();
        const position = ev.clientY - rect.top < rect.height / 2 ? "before" : "after";
        await this.moveCard(dragged, card, position);
    }

    openProduction(card) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "mrp.production",
            res_id: card.production_id,
            views: [[false, "form"]],
            target: "current",
        });
    }

    // ------------------------------------------------------------------
    // Week locks
    // ------------------------------------------------------------------
    async onLockWeek(row) {
        await this.callAction(
            "action_lock_week",
            {workcenter_id: row.id, week_start: this.state.data.week_start},
            _t("%(workcenter)s is locked for this week.", {workcenter: row.name})
        );
    }

    onStartUnlock(row) {
        this.state.unlocking = row.id;
        this.state.unlockReason = "";
    }

    onCancelUnlock() {
        this.state.unlocking = null;
    }

    async onConfirmUnlock(row) {
        const done = await this.callAction(
            "action_unlock_week",
            {
                workcenter_id: row.id,
                week_start: this.state.data.week_start,
                reason: this.state.unlockReason,
            },
            _t("%(workcenter)s is unlocked for this week.", {workcenter: row.name})
        );
        if (done) {
            this.state.unlocking = null;
        }
    }

    onUnlockKeydown(row, ev) {
        if (ev.key === "Enter") {
            ev.preventDefault();
            return this.onConfirmUnlock(row);
        }
        if (ev.key === "Escape") {
            this.onCancelUnlock();
        }
    }

    // ------------------------------------------------------------------
    // Dry run and apply
    // ------------------------------------------------------------------
    async onDryRun() {
        this.state.loading = true;
        try {
            this.state.run = await this.orm.call(MODEL, "action_dry_run", [], {
                week_start: this.state.data.week_start,
                filters: this.state.filters,
            });
        } catch (error) {
            this.notify(error);
        } finally {
            this.state.loading = false;
        }
    }

    async onApplyRun() {
        const applied = await this.callAction(
            "action_apply_run",
            {run_id: this.state.run.id},
            _t("The schedule is applied.")
        );
        if (applied) {
            this.state.run = applied;
        }
    }

    onDiscardRun() {
        this.state.run = null;
    }

    shiftLabel(move) {
        if (!move.old_date_start) {
            return _t("newly planned");
        }
        const shift = formatMinutes(Math.abs(move.shift_minutes));
        return move.shift_minutes < 0
            ? _t("%(shift)s h earlier", {shift})
            : _t("%(shift)s h later", {shift});
    }

    moveLabel(move) {
        const format = (value) =>
            value ? deserializeDateTime(value).toFormat("ccc d LLL HH:mm") : "—";
        return `${format(move.old_date_start)} → ${format(move.new_date_start)}`;
    }
}

registry.category("actions").add("pps_dispatch_board", DispatchBoard);
