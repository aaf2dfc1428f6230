import {registry} from "@web/core/registry";

/** Raise (and so fail the tour) unless ``condition``. */
function check(condition, message) {
    if (!condition) {
        throw new Error(message);
    }
}

/** Every MO number shown in full: not cut by its box, no ellipsis. */
function checkMoNumbers() {
    const labels = [...document.querySelectorAll(".o_pps_card .o_pps_card_mo")];
    check(labels.length, "no card is shown");
    for (const label of labels) {
        check(
            label.scrollWidth <= label.clientWidth && !label.textContent.includes("…"),
            `MO number cut: "${label.textContent}" (${label.scrollWidth} > ${label.clientWidth} px)`
        );
    }
    return labels.length;
}

registry.category("web_tour.tours").add("pps_dispatch_board_compact_tour", {
    steps: () => [
        {
            content: "The board of ten work centers is drawn",
            trigger: ".o_pps_dispatch_board .o_pps_row_header.o_pps_row_empty",
        },
        {
            content: "Busy work centers first, every one visible without scrolling",
            trigger: ".o_pps_dispatch_board .o_pps_row_header",
            run() {
                const headers = [...document.querySelectorAll(".o_pps_row_header")];
                check(headers.length === 10, `${headers.length} work centers, not 10`);
                const empty = headers.map((h) =>
                    h.classList.contains("o_pps_row_empty")
                );
                const firstEmpty = empty.indexOf(true);
                check(firstEmpty > 0, "the first row must be a busy work center");
                check(
                    empty.slice(firstEmpty).every(Boolean),
                    "an empty work center comes before a busy one"
                );
                check(
                    headers[0].textContent.includes("Tour Press 1"),
                    `the busiest work center comes first, not ${headers[0].textContent}`
                );
                for (const header of headers.slice(firstEmpty)) {
                    check(
                        header.dataset.mode === "collapsed",
                        "empty rows start collapsed"
                    );
                }
                const bottom = window.innerHeight;
                for (const header of headers) {
                    const box = header.getBoundingClientRect();
                    check(
                        box.bottom <= bottom,
                        `${header.textContent.trim()} ends at ${box.bottom} px, below the ${bottom} px screen`
                    );
                }
                check(
                    window.innerWidth === 1366,
                    `window ${window.innerWidth} px wide`
                );
                const scroll = document.querySelector(".o_pps_board_scroll");
                check(
                    scroll.scrollWidth <= scroll.clientWidth,
                    "the week is wider than the screen"
                );
            },
        },
        {
            content: "Show every card of the busiest work center",
            trigger: ".o_pps_cell[data-workcenter='Tour Press 1'] .o_pps_more",
            run: "click",
        },
        {
            content: "Its fourteen cards of Tuesday are there, MO numbers whole",
            trigger: ".o_pps_row_header[data-mode='all']",
            run() {
                const header = document.querySelector(
                    ".o_pps_row_header[data-mode='all']"
                );
                const id = header.dataset.workcenterId;
                const busiest = Math.max(
                    ...[
                        ...document.querySelectorAll(
                            `.o_pps_cell[data-workcenter-id='${id}']`
                        ),
                    ].map((cell) => cell.querySelectorAll(".o_pps_card").length)
                );
                check(busiest === 14, `${busiest} cards in the busiest cell, not 14`);
                checkMoNumbers();
            },
        },
        {
            content: "Show every card of every work center",
            trigger: ".o_pps_expand_all",
            run: "click",
        },
        {
            content: "No MO number is cut anywhere",
            trigger:
                ".o_pps_dispatch_board:not(:has(.o_pps_row_header:not([data-mode='all'])))",
            run() {
                check(checkMoNumbers() >= 14 + 9 + 6, "every card is shown");
            },
        },
        {
            content: "Fit the board again",
            trigger: ".o_pps_collapse_all",
            run: "click",
        },
        {
            content: "Back to one screen",
            trigger:
                ".o_pps_dispatch_board:not(:has(.o_pps_row_header[data-mode='all']))",
            run() {
                for (const header of document.querySelectorAll(".o_pps_row_header")) {
                    check(
                        header.getBoundingClientRect().bottom <= window.innerHeight,
                        "a work center is below the screen after Fit"
                    );
                }
            },
        },
    ],
});
