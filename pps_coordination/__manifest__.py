# Copyright 2026 PPS Coordination
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
{
    "name": "PPS Coordination",
    "summary": "Production and sales agree delivery dates on a finite-capacity plan",
    "version": "19.0.1.0.0",
    "category": "Supply Chain/Manufacturing",
    "website": "https://github.com/pps-coordination/pps-coordination",
    "author": "PPS Coordination",
    "maintainers": ["pps-coordination"],
    "license": "LGPL-3",
    "development_status": "Alpha",
    "application": True,
    "installable": True,
    "depends": [
        "mail",
        "mrp",
        "sale_management",
        "sale_stock",
        "sale_mrp",
        "purchase_stock",
        "purchase_mrp",
    ],
    "data": [
        "security/pps_coordination_groups.xml",
        "security/ir.model.access.csv",
        "security/pps_coordination_security.xml",
        "views/res_config_settings_views.xml",
        "views/pps_coordination_menus.xml",
    ],
}
