import {registry} from "@web/core/registry";

// The user form draws one selection per privilege: the role and, beside it,
// the unlock privilege.
const ROLE =
    ".o_wrap_label:has(label:contains(Production & Sales Coordination)) + .o_wrap_input";
const LOCK = ".o_wrap_label:has(label:contains(Execution Lock)) + .o_wrap_input";
const MENU = ".o_select_menu_menu";

registry.category("web_tour.tours").add("pps_user_form_privileges_tour", {
    steps: () => [
        {
            content: "Open the coordination role",
            trigger: `${ROLE} input.o_select_menu_toggler`,
            run: "click",
        },
        {
            content: "Every role is offered; pick Sales Coordinator",
            trigger: [
                MENU,
                ":has(.o_select_menu_item:contains(Production Planner))",
                ":has(.o_select_menu_item:contains(Sales and Production))",
                ":has(.o_select_menu_item:contains(Coordination Administrator))",
                " .o_select_menu_item:contains(Sales Coordinator)",
            ].join(""),
            run: "click",
        },
        {
            content: "The role is set",
            trigger: `${ROLE} input:value(Sales Coordinator)`,
        },
        {
            content: "Open the unlock privilege, a choice of its own",
            trigger: `${LOCK} input.o_select_menu_toggler`,
            run: "click",
        },
        {
            content: "Give the unlock privilege",
            trigger: `${MENU} .o_select_menu_item:contains(Unlock Privilege)`,
            run: "click",
        },
        {
            content: "The unlock privilege is set",
            trigger: `${LOCK} input:value(Unlock Privilege)`,
        },
        {
            content: "The role is still set",
            trigger: `${ROLE} input:value(Sales Coordinator)`,
        },
        {
            content: "Save the user",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The user is saved",
            trigger: ".o_form_saved",
        },
        {
            content: "After saving, the role is kept",
            trigger: `${ROLE} input:value(Sales Coordinator)`,
        },
        {
            content: "After saving, the unlock privilege is kept",
            trigger: `${LOCK} input:value(Unlock Privilege)`,
        },
    ],
});
