import {defineMailModels} from "@mail/../tests/mail_test_helpers";
import {describe, expect, test} from "@odoo/hoot";
import {press, queryAll, queryAllTexts, queryOne} from "@odoo/hoot-dom";
import {animationFrame} from "@odoo/hoot-mock";
import {
    contains,
    mockService,
    mountWithCleanup,
    onRpc,
} from "@web/../tests/web_test_helpers";

import {DispatchBoard} from "@pps_coordination_scheduler/dispatch_board/dispatch_board.esm";

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

/** Board data as the server returns it: one work center, cards on Tuesday. */
function boardData(cards, {locked = false} = {}) {
    const days = [...Array(7).keys()].map((i) => ({
        date: `2026-11-${23 + i}`,
        weekday: i,
    }));
    return {
        week_start: MONDAY,
        week_end: "2026-11-29",
        prev_week: "2026-11-16",
        next_week: "2026-11-30",
        today: "2026-11-25",
        days,
        rush_share: 0.2,
        workcenters: [
            {
                id: 1,
                name: "Cutting",
                locked,
                capacity: 2400,
                load: 360,
                cells: days.map((day) => ({
                    date: day.date,
                    capacity: day.weekday < 5 ? 480 : 0,
                    reserve: day.weekday < 5 ? 96 : 0,
                    load: day.weekday === 1 ? 360 : 0,
                    rush_load: day.weekday === 1 ? 120 : 0,
                    over: false,
                    cards: day.weekday === 1 ? cards : [],
                })),
            },
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
        expect(".o_pps_day_header").toHaveCount(7);
        expect(".o_pps_row_header .o_pps_workcenter_name").toHaveText("Cutting");
        const tuesday = ".o_pps_cell[data-date='2026-11-24']";
        expect(`${tuesday} .o_pps_cell_capacity`).toHaveText("8:00");
        expect(`${tuesday} .o_pps_cell_load`).toHaveText("6:00");
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
            return {sale_order: "S00001", serial: 5};
        });
        await mountWithCleanup(DispatchBoard, {props: {}});
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
                moved_count: 1,
                late_count: 0,
                message: "",
                moves: [
                    {
                        id: 1,
                        workorder: "MO/00001 - Cut",
                        production: "MO/00001",
                        production_id: 101,
                        old_workcenter: "Cutting",
                        new_workcenter: "Cutting",
                        old_date_start: "2026-11-24 08:00:00",
                        new_date_start: "2026-11-23 08:00:00",
                        shift_minutes: -1440,
                    },
                ],
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
        expect(queryAllTexts(".o_pps_run_moves tbody td")[3]).toBe("24:00 h earlier");
        await contains(".o_pps_apply_run").click();
        expect.verifySteps(["apply 5", "load rush=true"]);
        expect(".o_pps_run_preview .badge").toHaveText("Applied");
    });
});
