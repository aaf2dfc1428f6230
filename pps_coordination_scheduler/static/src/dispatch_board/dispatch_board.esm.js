/**
 * Planners' dispatch board (client action ``pps_dispatch_board``).
 *
 * Rows are work centers (busiest first, those without work last and
 * collapsed), columns the days of a week, cards the work orders planned to
 * start that day; each cell draws its day's time axis with a block per work
 * order. Open rows show as many cards per cell as fit the screen ("+N" shows
 * the row's all); the row state is kept in the browser. A dry run is drawn on
 * the grid: moved cards at their new place, a ghost at the old one.
 *
 * All data comes from one server method, ``pps.dispatch.board.get_board_data``;
 * every change goes through the board's ``action_*`` server methods, which
 * enforce the planner group, the execution lock of sale orders, the weekly
 * dispatch lock and the uniqueness of serials.
 */
import {
    Component,
    onMounted,
    onPatched,
    onWillStart,
    onWillUnmount,
    useExternalListener,
    useRef,
    useState,
} from "@odoo/owl";
import {_t} from "@web/core/l10n/translation";
import {browser} from "@web/core/browser/browser";
import {deserializeDate, deserializeDateTime} from "@web/core/l10n/dates";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {PROGRESS_CHANNEL} from "../schedule_run/schedule_run_progress_service.esm";

const MODEL = "pps.dispatch.board";
const STORAGE_KEY = "pps_dispatch_board.layout";
/** Heights (px) the fit rule counts with; the stylesheet holds them: a
 * row's header, a cell without cards, a card with its gap, and the most
 * cards per cell. */
export const LAYOUT = {header: 41, base: 32, card: 22, most: 8};

/** "WH/MO/00012" -> "MO/00012": the number without the warehouse prefix. */
export function shortName(name) {
    const parts = (name || "").split("/");
    return parts.length > 2 ? parts.slice(-2).join("/") : name || "";
}

/**
 * Cards a cell of an open row shows so that every row fits ``available``
 * pixels (0 when even one card per cell would not fit).
 */
export function fitCards(available, openRows, collapsedRows) {
    const height = (cards) =>
        collapsedRows * LAYOUT.header +
        openRows * Math.max(LAYOUT.header, LAYOUT.base + cards * LAYOUT.card);
    let cards = LAYOUT.most;
    while (cards > 0 && height(cards) > available) {
        cards--;
    }
    return cards;
}

/** Minutes as "h:mm". */
export function formatMinutes(minutes) {
    const total = Math.round(minutes || 0);
    const hours = Math.floor(total / 60);
    const rest = String(total % 60).padStart(2, "0");
    return `${hours}:${rest}`;
}

/**
 * A duration in words, as the server's sentences say it ("2 days and 4
 * hours", "3 hours and 20 minutes", "45 minutes"): whole hours once it is a
 * day or more.
 */
export function formatDuration(minutes) {
    let total = Math.round(Math.abs(minutes || 0));
    if (total >= 1440) {
        total = Math.round(total / 60) * 60;
    }
    const days = Math.floor(total / 1440);
    const hours = Math.floor((total % 1440) / 60);
    const rest = total % 60;
    const parts = [];
    if (days) {
        parts.push(days === 1 ? _t("1 day") : _t("%(n)s days", {n: days}));
    }
    if (hours) {
        parts.push(hours === 1 ? _t("1 hour") : _t("%(n)s hours", {n: hours}));
    }
    if (rest || !parts.length) {
        parts.push(rest === 1 ? _t("1 minute") : _t("%(n)s minutes", {n: rest}));
    }
    if (parts.length === 1) {
        return parts[0];
    }
    return _t("%(first)s and %(last)s", {
        first: parts.slice(0, -1).join(", "),
        last: parts[parts.length - 1],
    });
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
            // {row id: "collapsed" | "open" | "all"}, kept in the browser
            rows: {},
            legend: false,
            cap: LAYOUT.most,
            runView: "after",
            showMoves: false,
            replan: null,
            // a dry run solving in the background: {run_id, name}
            pendingRun: null,
        });
        this.formatMinutes = formatMinutes;
        this.shortName = shortName;
        this.scrollRef = useRef("scroll");
        this.restoreLayout();
        onWillStart(() => this.load());
        onMounted(() => this.fit());
        // a preview or a banner takes room: fit again (no render if unchanged)
        onPatched(() => this.fit());
        useExternalListener(window, "resize", () => this.fit());
        // a dry run solved in a queue_job job: drawn when the bus says it ended
        const bus = this.env.services.bus_service;
        if (bus) {
            const onRunProgress = (payload) => this.runProgress(payload);
            bus.subscribe(PROGRESS_CHANNEL, onRunProgress);
            onWillUnmount(() => bus.unsubscribe(PROGRESS_CHANNEL, onRunProgress));
        }
    }

    /** The pending dry run ended (bus): fetch its summary and draw it. */
    async runProgress(payload) {
        const pending = this.state.pendingRun;
        if (
            !pending ||
            payload.run_id !== pending.run_id ||
            payload.state === "running"
        ) {
            return;
        }
        this.state.pendingRun = null;
        try {
            this.state.run = await this.orm.call(MODEL, "action_run_summary", [
                pending.run_id,
            ]);
        } catch (error) {
            this.notify(error);
        }
    }

    // ------------------------------------------------------------------
    // Layout: rows collapsed or open, the legend, the cards that fit
    // ------------------------------------------------------------------
    restoreLayout() {
        try {
            const saved = JSON.parse(browser.localStorage.getItem(STORAGE_KEY) || "{}");
            this.state.rows = saved.rows || {};
            this.state.legend = Boolean(saved.legend);
        } catch {
            this.state.rows = {};
        }
    }

    saveLayout() {
        browser.localStorage.setItem(
            STORAGE_KEY,
            JSON.stringify({rows: this.state.rows, legend: this.state.legend})
        );
    }

    /** "collapsed", "open" (the cards that fit) or "all"; by default rows
     * with work are open and the others collapsed. */
    rowMode(row) {
        return this.state.rows[row.id] || (row.empty ? "collapsed" : "open");
    }

    onToggleRow(row) {
        this.state.rows[row.id] =
            this.rowMode(row) === "collapsed" ? "all" : "collapsed";
        this.saveLayout();
        this.fit();
    }

    onShowAll(row) {
        this.state.rows[row.id] = "all";
        this.saveLayout();
    }

    onCollapseAll() {
        for (const row of this.state.data.workcenters) {
            this.state.rows[row.id] = row.empty ? "collapsed" : "open";
        }
        this.saveLayout();
        this.fit();
    }

    onExpandAll() {
        for (const row of this.state.data.workcenters) {
            this.state.rows[row.id] = "all";
        }
        this.saveLayout();
    }

    onToggleLegend() {
        this.state.legend = !this.state.legend;
        this.saveLayout();
    }

    /** How many cards an open row's cell shows: as many as let every row fit. */
    fit() {
        const data = this.state.data;
        const el = this.scrollRef.el;
        if (!data || !el) {
            return;
        }
        const header = el.querySelector(".o_pps_day_header");
        const top = el.getBoundingClientRect().top + (header?.offsetHeight || 0);
        // rows showing all their cards take the room they take
        const whole = [...el.querySelectorAll(".o_pps_row_header[data-mode='all']")];
        const available =
            window.innerHeight -
            top -
            8 -
            whole.reduce((sum, header) => sum + header.offsetHeight, 0);
        let open = 0;
        let collapsed = 0;
        for (const row of data.workcenters) {
            const mode = this.rowMode(row);
            if (mode === "open") {
                open++;
            } else if (mode === "collapsed") {
                collapsed++;
            }
        }
        this.state.cap = fitCards(available, open, collapsed);
    }

    /** The cards a cell shows, as entries {card, kind: normal|moved|ghost, move}. */
    cellEntries(row, cell) {
        const moves = this.previewMoves;
        if (!moves) {
            return cell.cards.map((card) => ({card, kind: "normal", key: card.id}));
        }
        const entries = [];
        for (const card of cell.cards) {
            const move = moves.get(card.id);
            if (!move) {
                entries.push({card, kind: "normal", key: card.id});
            } else if (
                move.new_workcenter_id === row.id &&
                move.new_day === cell.date
            ) {
                entries.push({
                    card: this.movedCard(card, move),
                    kind: "moved",
                    move,
                    key: card.id,
                });
            } else {
                entries.push({card, kind: "ghost", move, key: `ghost-${card.id}`});
            }
        }
        for (const move of moves.values()) {
            if (
                move.new_workcenter_id === row.id &&
                move.new_day === cell.date &&
                !cell.cards.some((card) => card.id === move.workorder_id)
            ) {
                const card = this.cardIndex.get(move.workorder_id) || {
                    id: move.workorder_id,
                    name: move.workorder_name,
                    production_id: move.production_id,
                    production_name: move.production,
                    product_name: move.product_name,
                    serial: 0,
                    duration: 0,
                };
                entries.push({
                    card: this.movedCard(card, move),
                    kind: "moved",
                    move,
                    key: move.workorder_id,
                });
            }
        }
        // the changes first: they are what the preview is about
        const rank = {moved: 0, ghost: 1, normal: 2};
        return entries.sort((a, b) => rank[a.kind] - rank[b.kind]);
    }

    movedCard(card, move) {
        return {
            ...card,
            date_start: move.new_date_start,
            date_finished: move.new_date_finished,
            start_minute: move.start_minute,
            end_minute: move.end_minute,
        };
    }

    /** Entries of a cell the row shows (all, or those that fit). */
    visibleEntries(row, entries) {
        const mode = this.rowMode(row);
        if (mode === "collapsed") {
            return [];
        }
        return mode === "all" ? entries : entries.slice(0, this.state.cap);
    }

    /** Position of a work order on its day's time axis (CSS of a block). */
    blockStyle(card) {
        const axis = this.state.data.axis;
        const span = axis.end - axis.start || 1;
        const first = Math.max(card.start_minute ?? axis.start, axis.start);
        const last = Math.min(Math.max(card.end_minute ?? first, first), axis.end);
        const left = (100 * (first - axis.start)) / span;
        const width = Math.max((100 * (last - first)) / span, 2);
        return `left: ${left.toFixed(2)}%; width: ${Math.min(width, 100 - left).toFixed(2)}%`;
    }

    /** Hour lines of the time axis (a background of the strip). */
    get axisStyle() {
        const axis = this.state.data.axis;
        const hours = Math.max(1, (axis.end - axis.start) / 60);
        return `background-size: calc(100% / ${hours}) 100%`;
    }

    /** Hour labels of a day header: every 2, 4 or 6 hours, as it fits. */
    get axisTicks() {
        const axis = this.state.data.axis;
        const hours = (axis.end - axis.start) / 60;
        const step = hours <= 8 ? 2 : hours <= 16 ? 4 : 6;
        const ticks = [];
        for (let minute = axis.start; minute <= axis.end; minute += step * 60) {
            ticks.push({
                label: String(Math.floor(minute / 60)).padStart(2, "0"),
                left: (100 * (minute - axis.start)) / (axis.end - axis.start || 1),
            });
        }
        return ticks;
    }

    cardTitle(card) {
        const lines = [
            card.production_name,
            `${this.timeLabel(card)} · ${card.name} · ${card.product_name}`,
        ];
        if (card.sale_order_name) {
            lines.push(`${card.sale_order_name} · ${card.customer || ""}`);
        }
        if (card.quantity !== undefined) {
            lines.push(
                `${card.quantity} ${card.uom || ""} · ${formatMinutes(card.duration)} h`
            );
        }
        if (card.late_reason) {
            lines.push(card.late_reason);
        }
        return lines.join("\n");
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
            this.cardIndex = new Map();
            for (const row of data.workcenters) {
                for (const cell of row.cells) {
                    for (const card of cell.cards) {
                        this.cardIndex.set(card.id, card);
                    }
                }
            }
            this.fit();
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
        const values = {
            capacity: formatMinutes(cell.capacity),
            reserve: formatMinutes(cell.reserve),
            load: formatMinutes(cell.load),
            rush: formatMinutes(cell.rush_load),
            changeover: formatMinutes(cell.changeover || 0),
        };
        if (cell.changeover) {
            return _t(
                "Capacity %(capacity)s, of which rush reserve %(reserve)s; planned %(load)s (rush %(rush)s), changeovers %(changeover)s included",
                values
            );
        }
        return _t(
            "Capacity %(capacity)s, of which rush reserve %(reserve)s; planned %(load)s (rush %(rush)s)",
            values
        );
    }

    // ------------------------------------------------------------------
    // Navigation and filters
    // ------------------------------------------------------------------
    async goTo(weekStart) {
        // a preview stays: its moves are drawn in whichever week they fall
        this.state.weekStart = weekStart;
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
        const result = await this.callAction("action_set_serial", {
            serial,
            workorder_id: card.id,
        });
        this.serialChanged(result);
    }

    async moveCard(card, target, position) {
        if (!target || target.id === card.id) {
            return;
        }
        const result = await this.callAction("action_move_card", {
            workorder_id: card.id,
            target_workorder_id: target.id,
            position,
        });
        this.serialChanged(result);
    }

    /** Show what a serial change did and offer to re-plan at once. */
    serialChanged(result) {
        if (!result) {
            return;
        }
        if (result.message) {
            this.notification.add(result.message, {
                title: _t("Dispatch Board"),
                type: result.changed?.length ? "success" : "info",
            });
        }
        if (result.replan) {
            this.state.replan = {message: result.message, running: false};
        }
    }

    // ------------------------------------------------------------------
    // Re-plan now
    // ------------------------------------------------------------------
    async onReplan() {
        this.state.loading = true;
        let run;
        try {
            run = await this.orm.call(MODEL, "action_replan", [], {});
        } catch (error) {
            this.notify(error);
            return;
        } finally {
            this.state.loading = false;
        }
        if (run.background) {
            this.state.replan = {running: true, name: run.name, message: run.message};
            return;
        }
        this.state.replan = null;
        if (run.state === "failed") {
            this.notification.add(run.message, {title: run.name, type: "danger"});
        } else {
            this.notification.add(
                _t(
                    "Re-planned (%(run)s): %(moved)s work orders moved, %(late)s orders late.",
                    {
                        run: run.name,
                        moved: run.moved_count,
                        late: run.late_count,
                    }
                ),
                {type: "success"}
            );
        }
        await this.load();
    }

    async onReplanRefresh() {
        this.state.replan = null;
        await this.load();
    }

    onReplanLater() {
        this.state.replan = null;
    }

    /** Place of a card in its cell's dispatch order (-1 if not there). */
    cardIndexIn(cell, card) {
        return cell.cards.findIndex((c) => c.id === card.id);
    }

    onMoveUp(cell, card) {
        const index = this.cardIndexIn(cell, card);
        return this.moveCard(cell.cards[index], cell.cards[index - 1], "before");
    }

    onMoveDown(cell, card) {
        const index = this.cardIndexIn(cell, card);
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
        this.state.runView = "after";
        this.state.showMoves = false;
        try {
            const result = await this.orm.call(MODEL, "action_dry_run", [], {
                week_start: this.state.data.week_start,
                filters: this.state.filters,
            });
            if (result.state === "running") {
                // solving in the background: the bus tells when it ends
                this.state.run = null;
                this.state.pendingRun = {run_id: result.run_id, name: result.name};
            } else {
                this.state.run = result;
            }
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

    onRunView(view) {
        this.state.runView = view;
    }

    onToggleMoves() {
        this.state.showMoves = !this.state.showMoves;
    }

    /** The list of moves shows at once when short; else on demand. */
    get movesShown() {
        const run = this.state.run;
        return run.moves.length <= 5 || this.state.showMoves;
    }

    /** {workorder id: move} of the preview drawn on the grid, or null. */
    get previewMoves() {
        const run = this.state.run;
        if (!run || !run.dry_run || run.applied || this.state.runView !== "after") {
            return null;
        }
        return new Map(run.moves.map((move) => [move.workorder_id, move]));
    }

    shiftLabel(move) {
        if (!move.old_date_start) {
            return _t("newly planned");
        }
        const shift = formatDuration(move.shift_minutes);
        return move.shift_minutes < 0
            ? _t("%(shift)s earlier", {shift})
            : _t("%(shift)s later", {shift});
    }

    moveLabel(move) {
        const format = (value) =>
            value ? deserializeDateTime(value).toFormat("ccc d LLL HH:mm") : "—";
        return `${format(move.old_date_start)} → ${format(move.new_date_start)}`;
    }
}

registry.category("actions").add("pps_dispatch_board", DispatchBoard);
