import {defineMailModels} from "@mail/../tests/mail_test_helpers";
import {describe, expect, test} from "@odoo/hoot";
import {press, queryAll, queryAllTexts, queryOne} from "@odoo/hoot-dom";
import {animationFrame} from "@odoo/hoot-mock";
import {
    contains,
    makeMockEnv,
    mockService,
    mountWithCleanup,
    onRpc,
} from "@web/../tests/web_test_helpers";

import {
    DispatchBoard,
    fitCards,
    formatDuration,
    LAYOUT,
    shortName,
} from "@pps_coordination_scheduler/dispatch_board/dispatch_board.esm";

const MONDAY = "2026-11-23";

defineMailModels();

function card(id, serial, extra = {}) {
    return {
        id,
        name: "Cut",
        production_id: 100 + id,
        production_name: `MO/0000${id}`,
        product_id: 7,
        product_name: "Frame",
        quantity: 1,
        uom: "Units",
        duration: 120,
        date_start: "2026-11-24 08:00:00",
        date_finished: "2026-11-24 10:00:00",
        start_minute: 480,
        end_minute: 600,
        state: "ready",
        rush: false,
        serial,
        frozen: false,
        locked: false,
        week_locked: false,
        late: false,
        sale_order_id: 200 + id,
        sale_order_name: `S0000${id}`,
        partner_id: 9,
        customer: "Customer One",
        commitment_date: false,
        ...extra,
    };
}

const DAYS = [...Array(7).keys()].map((i) => ({
    date: `2026-11-${23 + i}`,
    weekday: i,
}));

/** A work center without work this week (it comes last, collapsed). */
function emptyRow(id, name) {
    return {
        id,
        name,
        locked: false,
        capacity: 2400,
        load: 0,
        cards_count: 0,
        empty: true,
        cells: DAYS.map((day) => ({
            date: day.date,
            capacity: day.weekday < 5 ? 480 : 0,
            reserve: 0,
            load: 0,
            rush_load: 0,
            over: false,
            cards: [],
        })),
    };
}

/** Board data as the server returns it: one work center, cards on Tuesday. */
function boardData(cards, {locked = false, extraRows = []} = {}) {
    const days = DAYS;
    return {
        week_start: MONDAY,
        week_end: "2026-11-29",
        prev_week: "2026-11-16",
        next_week: "2026-11-30",
        today: "2026-11-25",
        days,
        rush_share: 0.2,
        axis: {start: 480, end: 960},
        preview_threshold: 15,
        workcenters: [
            {
                id: 1,
                name: "Cutting",
                locked,
                capacity: 2400,
                load: 360,
                cards_count: cards.length,
                empty: false,
                cells: days.map((day) => ({
                    date: day.date,
                    capacity: day.weekday < 5 ? 480 : 0,
                    reserve: day.weekday < 5 ? 96 : 0,
                    load: day.weekday === 1 ? 360 : 0,
                    rush_load: day.weekday === 1 ? 120 : 0,
                    changeover: day.weekday === 1 ? 40 : 0,
                    over: false,
                    cards: day.weekday === 1 ? cards : [],
                })),
            },
            ...extraRows,
        ],
        options: {
            workcenters: [{id: 1, name: "Cutting"}],
            products: [{id: 7, name: "Frame"}],
            customers: [{id: 9, name: "Customer One"}],
        },
        filters: {},
        can_unlock: false,
        totals: {cards: cards.length, late: cards.filter((c) => c.late).length},
    };
}

/** A listed move of a dry run: work order ``id`` of Cutting to Monday 08:00. */
function move(id, shift, extra = {}) {
    return {
        id,
        workorder: `MO/0000${id} - Cut`,
        workorder_id: id,
        workorder_name: "Cut",
        production: `MO/0000${id}`,
        production_id: 100 + id,
        product_name: "Frame",
        old_workcenter: "Cutting",
        new_workcenter: "Cutting",
        old_workcenter_id: 1,
        new_workcenter_id: 1,
        old_date_start: "2026-11-24 08:00:00",
        new_date_start: "2026-11-23 08:00:00",
        new_date_finished: "2026-11-23 10:00:00",
        old_day: "2026-11-24",
        new_day: "2026-11-23",
        shift_minutes: shift,
        start_minute: 480,
        end_minute: 600,
        ...extra,
    };
}

function dryRun(moves, extra = {}) {
    return {
        id: 5,
        name: "RUN/5",
        state: "done",
        dry_run: true,
        applied: false,
        solver_status: "optimal",
        moved_count: moves.length,
        late_count: 0,
        message: "",
        threshold: 15,
        hidden_count: 0,
        moves,
        ...extra,
    };
}

describe("pps_dispatch_board", () => {
    test("draws work centers, days, capacity and cards", async () => {
        onRpc("pps.dispatch.board", "get_board_data", ({kwargs}) => {
            expect.step(`load ${kwargs.week_start}`);
            return boardData([
                card(1, 1, {rush: true, late: true}),
                card(2, 2, {locked: true, frozen: true}),
            ]);
        });
        await mountWithCleanup(DispatchBoard, {props: {}});
        expect.verifySteps(["load null"]);
        await contains(".o_pps_expand_all").click();
        expect(".o_pps_day_header").toHaveCount(7);
        expect(".o_pps_row_header .o_pps_workcenter_name").toHaveText("Cutting");
        const tuesday = ".o_pps_cell[data-date='2026-11-24']";
        expect(`${tuesday} .o_pps_cell_capacity`).toHaveText("8:00");
        expect(`${tuesday} .o_pps_cell_load`).toHaveText("6:00");
        expect(`${tuesday} .o_pps_capacity`).toHaveAttribute(
            "title",
            /planned 6:00 \(rush 2:00\), changeovers 0:40 included$/
        );
        expect(".o_pps_cell[data-date='2026-11-23'] .o_pps_capacity").toHaveAttribute(
            "title",
            /planned 0:00 \(rush 0:00\)$/
        );
        expect(`${tuesday} .o_pps_cell_reserve`).toHaveCount(1);
        expect(`${tuesday} .o_pps_card`).toHaveCount(2);
        expect(`${tuesday} .o_pps_card:first-child`).toHaveClass([
            "o_pps_card_rush",
            "o_pps_card_late",
        ]);
        expect(`${tuesday} .o_pps_card:first-child .o_pps_flag_late`).toHaveCount(1);
        expect(`${tuesday} .o_pps_card:last-child .o_pps_flag_locked`).toHaveCount(1);
        expect(`${tuesday} .o_pps_card:last-child .o_pps_flag_frozen`).toHaveCount(1);
        expect(`${tuesday} .o_pps_card:last-child .o_pps_serial_input`).toHaveAttribute(
            "disabled"
        );
        expect(".o_pps_cell[data-date='2026-11-28']").toHaveClass("o_pps_no_capacity");

        await contains(".o_pps_next_week").click();
        expect.verifySteps(["load 2026-11-30"]);
    });

    test("Enter in a serial input saves it and the card moves", async () => {
        let cards = [card(1, 1), card(2, 2)];
        onRpc("pps.dispatch.board", "get_board_data", () => boardData(cards));
        onRpc("pps.dispatch.board", "action_set_serial", ({kwargs}) => {
            expect.step(`serial ${kwargs.workorder_id} ${kwargs.serial}`);
            cards = [card(2, 2), card(1, 5)];
            return {
                sale_order: "S00001",
                serial: 5,
                changed: [{sale_order: "S00001", old: 1, new: 5}],
                message: "S00001: serial 1 → 5.",
                replan: true,
            };
        });
        await mountWithCleanup(DispatchBoard, {props: {}});
        await contains(".o_pps_expand_all").click();
        expect(queryAll(".o_pps_card").map((el) => el.dataset.id)).toEqual(["1", "2"]);

        await contains(".o_pps_card[data-id='1'] .o_pps_serial_input").edit("5", {
            confirm: false,
        });
        await press("Enter");
        await animationFrame();
        expect.verifySteps(["serial 1 5"]);
        expect(queryAll(".o_pps_card").map((el) => el.dataset.id)).toEqual(["2", "1"]);
        expect(queryOne(".o_pps_card[data-id='1']").dataset.serial).toBe("5");
    });

    test("arrow buttons reorder through the server, a refusal is shown", async () => {
        onRpc("pps.dispatch.board", "get_board_data", () =>
            boardData([card(1, 1), card(2, 2)])
        );
        onRpc("pps.dispatch.board", "action_move_card", ({kwargs}) => {
            expect.step(
                `move ${kwargs.workorder_id} ${kwargs.position} ${kwargs.target_workorder_id}`
            );
            throw new Error("S00001 under the execution lock");
        });
        await mountWithCleanup(DispatchBoard, {props: {}});
        await contains(".o_pps_expand_all").click();
        expect(".o_pps_card[data-id='1'] .o_pps_move_up").toHaveAttribute("disabled");
        await contains(".o_pps_card[data-id='2'] .o_pps_move_up").click();
        expect.verifySteps(["move 2 before 1"]);
        await animationFrame();
        expect(".o_notification").toHaveCount(1);
    });

    test("the MO number opens the manufacturing order", async () => {
        onRpc("pps.dispatch.board", "get_board_data", () => boardData([card(1, 1)]));
        mockService("action", {
            doAction(action) {
                expect.step(`open ${action.res_model} ${action.res_id}`);
                return true;
            },
        });
        await mountWithCleanup(DispatchBoard, {props: {}});
        await contains(".o_pps_expand_all").click();
        expect(".o_pps_card[data-id='1'] .o_pps_card_mo").toHaveText("MO/00001");
        await contains(".o_pps_card[data-id='1'] .o_pps_card_mo").click();
        expect.verifySteps(["open mrp.production 101"]);
    });

    test("a dry run that moves nothing offers no Apply", async () => {
        onRpc("pps.dispatch.board", "get_board_data", () => boardData([card(1, 1)]));
        onRpc("pps.dispatch.board", "action_dry_run", () => ({
            id: 7,
            name: "RUN/7",
            state: "done",
            dry_run: true,
            applied: false,
            solver_status: "optimal",
            moved_count: 0,
            late_count: 0,
            message: "",
            threshold: 15,
            hidden_count: 0,
            moves: [],
        }));
        await mountWithCleanup(DispatchBoard, {props: {}});
        await contains(".o_pps_dry_run").click();
        expect(".o_pps_run_nothing").toHaveText("Nothing moves.");
        expect(".o_pps_apply_run").toHaveCount(0);
        expect(".o_pps_discard_run").toHaveCount(1);
    });

    test("filters, week lock and dry run go through the server", async () => {
        onRpc("pps.dispatch.board", "get_board_data", ({kwargs}) => {
            expect.step(`load rush=${kwargs.filters.rush_only}`);
            return boardData([card(1, 1)]);
        });
        onRpc("pps.dispatch.board", "action_lock_week", ({kwargs}) => {
            expect.step(`lock ${kwargs.workcenter_id} ${kwargs.week_start}`);
            return {id: 1, week_start: MONDAY};
        });
        onRpc("pps.dispatch.board", "action_dry_run", () => {
            expect.step("dry run");
            return {
                id: 5,
                name: "RUN/5",
                state: "done",
                dry_run: true,
                applied: false,
                solver_status: "optimal",
                moved_count: 4,
                late_count: 0,
                message: "",
                threshold: 15,
                hidden_count: 3,
                moves: [move(1, -1440)],
            };
        });
        onRpc("pps.dispatch.board", "action_apply_run", ({kwargs}) => {
            expect.step(`apply ${kwargs.run_id}`);
            return {
                id: 6,
                name: "RUN/6",
                state: "done",
                dry_run: false,
                applied: true,
                moved_count: 1,
                late_count: 0,
                message: "",
                threshold: 15,
                hidden_count: 0,
                moves: [],
            };
        });
        await mountWithCleanup(DispatchBoard, {props: {}});
        await contains(".o_pps_filter_rush").click();
        expect.verifySteps(["load rush=false", "load rush=true"]);

        await contains(".o_pps_lock_week").click();
        expect.verifySteps([`lock 1 ${MONDAY}`, "load rush=true"]);

        await contains(".o_pps_dry_run").click();
        expect.verifySteps(["dry run"]);
        expect(".o_pps_run_moves tbody tr").toHaveCount(1);
        expect(queryAllTexts(".o_pps_run_moves tbody td")[3]).toBe("1 day earlier");
        expect(".o_pps_run_hidden").toHaveText("3 small moves hidden (under 15 min)");
        await contains(".o_pps_apply_run").click();
        expect.verifySteps(["apply 5", "load rush=true"]);
        expect(".o_pps_run_preview .badge").toHaveText("Applied");
    });

    test("short MO numbers and the rule of how many cards fit", () => {
        expect(shortName("WH/MO/00012")).toBe("MO/00012");
        expect(shortName("MO/00012")).toBe("MO/00012");
        expect(shortName(false)).toBe("");
        // ten open rows in 600 px: one card each (10 x 54 px)
        expect(fitCards(600, 10, 0)).toBe(1);
        // ... in 400 px not even one: the time axis only
        expect(fitCards(400, 10, 0)).toBe(0);
        // one open row, two collapsed ones: up to the most
        expect(fitCards(2000, 1, 2)).toBe(LAYOUT.most);
        const rows = 3 * LAYOUT.header + 2 * (LAYOUT.base + 3 * LAYOUT.card);
        expect(fitCards(rows, 2, 3)).toBe(3);
        expect(fitCards(rows - 1, 2, 3)).toBe(2);
    });

    test("a shift reads in days, hours and minutes", async () => {
        await makeMockEnv(); // loads the translations the words go through
        expect(formatDuration(45)).toBe("45 minutes");
        expect(formatDuration(-200)).toBe("3 hours and 20 minutes");
        expect(formatDuration(60)).toBe("1 hour");
        // Whole hours once it is a day or more.
        expect(formatDuration(2 * 1440 + 4 * 60 + 20)).toBe("2 days and 4 hours");
        expect(formatDuration(1440 + 61)).toBe("1 day and 1 hour");
        expect(formatDuration(0)).toBe("0 minutes");
    });

    test("empty work centers come collapsed; rows fold and stay so", async () => {
        onRpc("pps.dispatch.board", "get_board_data", () =>
            boardData([card(1, 1), card(2, 2, {changeover_minutes: 25})], {
                extraRows: [emptyRow(2, "Idle press")],
            })
        );
        await mountWithCleanup(DispatchBoard, {props: {}});
        expect(queryAllTexts(".o_pps_workcenter_name")).toEqual([
            "Cutting",
            "Idle press",
        ]);
        expect(".o_pps_row_header[data-workcenter-id='2']").toHaveAttribute(
            "data-mode",
            "collapsed"
        );
        expect(".o_pps_row_header[data-workcenter-id='1']").toHaveAttribute(
            "data-mode",
            "open"
        );
        await contains(
            ".o_pps_row_header[data-workcenter-id='1'] .o_pps_row_toggle"
        ).click();
        expect(".o_pps_card").toHaveCount(0);
        expect(".o_pps_cell[data-date='2026-11-24'] .o_pps_block").toHaveCount(2);
        await contains(
            ".o_pps_row_header[data-workcenter-id='1'] .o_pps_row_toggle"
        ).click();
        expect(".o_pps_card").toHaveCount(2);
        // the changeover shows only on the card that has one
        expect(".o_pps_card[data-id='2'] .o_pps_changeover").toHaveText("⇄ 25 min");
        expect(".o_pps_card[data-id='1'] .o_pps_changeover").toHaveCount(0);
        // the row state is the browser's: a new board opens as it was left
        const saved = JSON.parse(localStorage.getItem("pps_dispatch_board.layout"));
        expect(saved.rows).toEqual({1: "all"});
    });

    test("the time axis places each work order in its day", async () => {
        onRpc("pps.dispatch.board", "get_board_data", () =>
            boardData([card(1, 1), card(2, 2, {start_minute: 720, end_minute: 840})])
        );
        await mountWithCleanup(DispatchBoard, {props: {}});
        // 08:00-16:00: ticks every two hours
        expect(queryAllTexts(".o_pps_day_header:first .o_pps_axis_tick")).toEqual([
            "08",
            "10",
            "12",
            "14",
            "16",
        ]);
        const blocks = queryAll(".o_pps_cell[data-date='2026-11-24'] .o_pps_block");
        expect(blocks.map((el) => el.style.left)).toEqual(["0%", "50%"]);
        expect(blocks.map((el) => el.style.width)).toEqual(["25%", "25%"]);
    });

    test("the legend explains the icons and the borders", async () => {
        onRpc("pps.dispatch.board", "get_board_data", () => boardData([card(1, 1)]));
        await mountWithCleanup(DispatchBoard, {props: {}});
        expect(".o_pps_legend").toHaveCount(0);
        await contains(".o_pps_legend_toggle").click();
        for (const icon of [
            "fa-flag",
            "fa-lock",
            "fa-calendar-times-o",
            "fa-snowflake-o",
            "fa-clock-o",
        ]) {
            expect(`.o_pps_legend .${icon}`).toHaveCount(1);
        }
        expect(".o_pps_legend .o_pps_changeover").toHaveCount(1);
        expect(".o_pps_legend .o_pps_swatch").toHaveCount(13);
    });

    test("a dry run is drawn on the grid, before and after", async () => {
        onRpc("pps.dispatch.board", "get_board_data", () =>
            boardData([card(1, 1), card(2, 2)])
        );
        onRpc("pps.dispatch.board", "action_dry_run", () =>
            dryRun(
                [move(1, -1440), move(9, 60, {new_day: "2026-11-25", old_day: false})],
                {
                    hidden_count: 12,
                    moved_count: 14,
                }
            )
        );
        await mountWithCleanup(DispatchBoard, {props: {}});
        await contains(".o_pps_expand_all").click();
        await contains(".o_pps_dry_run").click();
        const monday = ".o_pps_cell[data-date='2026-11-23']";
        const tuesday = ".o_pps_cell[data-date='2026-11-24']";
        const wednesday = ".o_pps_cell[data-date='2026-11-25']";
        expect(`${monday} .o_pps_card[data-kind='moved'][data-id='1']`).toHaveCount(1);
        expect(`${monday} .o_pps_card_shift`).toHaveText("1 day earlier");
        expect(`${tuesday} .o_pps_card[data-kind='ghost'][data-id='1']`).toHaveCount(1);
        expect(`${tuesday} .o_pps_card[data-kind='normal'][data-id='2']`).toHaveCount(
            1
        );
        expect(`${tuesday} .o_pps_block_ghost`).toHaveCount(1);
        // a work order planned from another week comes in from the move itself
        expect(`${wednesday} .o_pps_card[data-kind='moved'] .o_pps_card_mo`).toHaveText(
            "MO/00009"
        );
        expect(".o_pps_run_hidden").toHaveText("12 small moves hidden (under 15 min)");
        await contains(".o_pps_run_before").click();
        expect(
            ".o_pps_card[data-kind='ghost'], .o_pps_card[data-kind='moved']"
        ).toHaveCount(0);
        expect(`${tuesday} .o_pps_card`).toHaveCount(2);
        await contains(".o_pps_run_after").click();
        expect(`${tuesday} .o_pps_card[data-kind='ghost']`).toHaveCount(1);
    });

    test("a serial change offers to re-plan now", async () => {
        let loads = 0;
        onRpc("pps.dispatch.board", "get_board_data", () => {
            loads++;
            return boardData([card(1, 1), card(2, 3)]);
        });
        onRpc("pps.dispatch.board", "action_move_card", () => ({
            changed: [{sale_order: "S00002", old: 3, new: 0}],
            message: "S00002: serial 3 → 2. The plan follows it at the next re-plan.",
            replan: true,
        }));
        onRpc("pps.dispatch.board", "action_replan", () => {
            expect.step("replan");
            return {
                ...dryRun([]),
                dry_run: false,
                state: "running",
                name: "RUN/8",
                background: true,
            };
        });
        await mountWithCleanup(DispatchBoard, {props: {}});
        await contains(".o_pps_expand_all").click();
        await contains(".o_pps_card[data-id='2'] .o_pps_move_up").click();
        expect(".o_pps_replan_message").toHaveText(
            "S00002: serial 3 → 2. The plan follows it at the next re-plan."
        );
        await contains(".o_pps_replan_now").click();
        expect.verifySteps(["replan"]);
        expect(".o_pps_replan_running").toHaveText(
            "RUN/8 is running in the background."
        );
        const before = loads;
        await contains(".o_pps_replan_refresh").click();
        expect(loads).toBe(before + 1);
        expect(".o_pps_replan").toHaveCount(0);
    });
});
