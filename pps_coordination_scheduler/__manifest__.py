# Copyright 2026 PPS Coordination
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "PPS Coordination Scheduler",
    "summary": "Finite-capacity CP-SAT scheduling of work orders; a dispatch board",
    "version": "19.0.1.2.0",
    "category": "Supply Chain/Manufacturing",
    "website": "https://github.com/pps-coordination/pps-coordination",
    "author": "PPS Coordination",
    "maintainers": ["pps-coordination"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "installable": True,
    "depends": ["pps_coordination", "queue_job", "web_timeline"],
    "external_dependencies": {"python": ["ortools"]},
    "data": [
        "security/ir.model.access.csv",
        "security/pps_coordination_scheduler_security.xml",
        "data/pps_schedule_run_data.xml",
        "data/pps_capacity_hold_data.xml",
        "views/pps_schedule_run_views.xml",
        "views/sale_order_views.xml",
        "views/pps_substitute_views.xml",
        "views/pps_simulated_demand_views.xml",
        "views/pps_schedule_check_views.xml",
        "views/pps_material_check_views.xml",
        "views/mrp_workorder_views.xml",
        "views/mrp_production_views.xml",
        "views/pps_dispatch_board_views.xml",
        "views/mrp_workorder_timeline_views.xml",
        "views/pps_late_cause_views.xml",
        "views/pps_weekly_meeting_report_views.xml",
        "report/pps_weekly_meeting_templates.xml",
        "views/pps_capacity_hold_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "pps_coordination_scheduler/static/src/dispatch_board/*",
            "pps_coordination_scheduler/static/src/timeline/*",
        ],
        "web.assets_unit_tests": [
            "pps_coordination_scheduler/static/tests/*.test.js",
        ],
        "web.assets_tests": [
            "pps_coordination_scheduler/static/tests/tours/*.js",
        ],
    },
}
