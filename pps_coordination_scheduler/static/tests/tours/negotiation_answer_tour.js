import {registry} from "@web/core/registry";

/**
 * A planner answers a requested round from its form: the dialog shows
 * production's promise (date, what binds it, why) before anything is
 * committed, the focus is not on the date field (its picker would cover the
 * promise), and one click answers the promised date.
 */
registry.category("web_tour.tours").add("pps_negotiation_answer_tour", {
    steps: () => [
        {
            content: "Answer the requested round",
            trigger: ".o_form_view .o_form_statusbar button[name=action_open_answer_wizard]",
            run: "click",
        },
        {
            content: "The dialog shows the promised date",
            trigger: ".modal .o_field_widget[name=promise_date]:not(:empty)",
        },
        {
            content: "and what binds it, with the explanation",
            trigger:
                ".modal .o_field_widget[name=promise_binding]:not(:empty), .modal .o_field_widget[name=promise_explanation]:not(:empty)",
        },
        {
            content: "No date picker covers the promise; the focus is on the note",
            trigger: "body:not(:has(.o_datetime_picker)) .modal .o_field_widget[name=explanation]",
            run() {
                const focused = document.activeElement;
                if (!focused || !focused.closest(".o_field_widget[name=explanation]")) {
                    throw new Error(
                        `the focus is on ${focused && focused.outerHTML.slice(0, 120)}`
                    );
                }
            },
        },
        {
            content: "Nothing is committed yet: the round is still requested",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Requested)",
        },
        {
            content: "Take the promise in one click",
            trigger: ".modal button[name=action_use_promise]",
            run: "click",
        },
        {
            content: "The round is answered",
            trigger:
                "body:not(:has(.modal)) .o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Answered)",
        },
    ],
});
