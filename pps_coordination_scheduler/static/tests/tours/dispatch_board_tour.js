import {registry} from "@web/core/registry";

const CUTTING = ".o_pps_cell[data-workcenter='Tour Cutting']";

registry.category("web_tour.tours").add("pps_dispatch_board_tour", {
    steps: () => [
        {
            content: "The board shows the week's cards",
            trigger: `.o_pps_dispatch_board ${CUTTING} .o_pps_card[data-customer='Tour Customer One']`,
        },
        {
            content: "Filter on the second customer",
            trigger: ".o_pps_filter_customer",
            async run(helpers) {
                const option = [...this.anchor.options].find(
                    (o) => o.textContent.trim() === "Tour Customer Two"
                );
                await helpers.select(option.value);
            },
        },
        {
            content: "Only the second customer's cards are left",
            trigger: `.o_pps_dispatch_board:not(:has(.o_pps_card[data-customer='Tour Customer One'])) ${CUTTING} .o_pps_card[data-customer='Tour Customer Two']`,
        },
        {
            content: "Clear the filters",
            trigger: ".o_pps_clear_filters",
            run: "click",
        },
        {
            content: "Serial 1 is dispatched first",
            trigger: `${CUTTING} .o_pps_card:first-child[data-serial='1']`,
        },
        {
            content: "Give the order with serial 2 serial 9",
            trigger: `${CUTTING} .o_pps_card[data-serial='2'] .o_pps_serial_input`,
            run: "edit 9 && press Enter",
        },
        {
            content: "The card moved to the end of its cell",
            trigger: `${CUTTING} .o_pps_card:last-child[data-serial='9']`,
        },
        {
            content: "Run a dry run",
            trigger: ".o_pps_dry_run:enabled",
            run: "click",
        },
        {
            content: "The preview shows what moves; apply it",
            trigger: ".o_pps_run_preview .o_pps_apply_run",
            run: "click",
        },
        {
            content: "The schedule is applied",
            trigger: ".o_pps_run_preview .badge:contains(Applied)",
        },
    ],
});
