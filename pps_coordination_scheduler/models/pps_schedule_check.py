"""Mid-term check: BoM and routing problems found before scheduling.

``pps.schedule.check`` is a transient report: one line per problem of an open
manufacturing order (missing BoM or routing, an operation without work
center or duration, a work center without calendar, a cyclic BoM). The
scheduler refuses the orders with a blocking problem through
``pps.schedule.problem._filter_schedulable``, so a run's message lists them.
"""

from odoo import api, fields, models

from odoo.addons.pps_coordination.const import (
    BLOCKING_PROBLEMS,
    OPEN_PRODUCTION_STATES,
    OPEN_WORKORDER_STATES,
)

PROBLEMS = [
    ("missing_bom", "Missing bill of materials"),
    ("missing_routing", "Missing routing"),
    ("no_workcenter", "Operation without work center"),
    ("no_duration", "Operation without duration"),
    ("no_calendar", "Work center without calendar"),
    ("cyclic_bom", "Cyclic bill of materials"),
]


class PpsScheduleCheck(models.TransientModel):
    _name = "pps.schedule.check"
    _description = "PPS schedule check (BoM and routing problems)"
    _order = "production_id, problem"

    production_id = fields.Many2one("mrp.production", readonly=True, index=True)
    product_id = fields.Many2one("product.product", readonly=True)
    bom_id = fields.Many2one("mrp.bom", readonly=True)
    workcenter_id = fields.Many2one("mrp.workcenter", readonly=True)
    problem = fields.Selection(PROBLEMS, required=True, readonly=True)
    blocking = fields.Boolean(readonly=True, help="The scheduler refuses the order.")
    message = fields.Char(readonly=True)
    company_id = fields.Many2one(
        "res.company", readonly=True, default=lambda self: self.env.company
    )

    @api.model
    def action_open_report(self):
        """Menu: check every open manufacturing order and list the problems."""
        productions = self.env["mrp.production"].search(
            [
                ("state", "in", OPEN_PRODUCTION_STATES),
                ("company_id", "in", self.env.companies.ids),
            ]
        )
        self.search([("create_uid", "=", self.env.uid)]).unlink()
        lines = self.create(
            [
                {
                    "production_id": found["production"].id,
                    "product_id": found["product"].id,
                    "bom_id": found["bom"].id,
                    "workcenter_id": found["workcenter"].id,
                    "problem": found["problem"],
                    "blocking": found["problem"] in BLOCKING_PROBLEMS,
                    "message": found["message"],
                    "company_id": found["production"].company_id.id,
                }
                for found in self._pps_find_problems(productions)
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Schedule Check"),
            "res_model": self._name,
            "view_mode": "list",
            "domain": [("id", "in", lines.ids)],
        }

    @api.model
    def _pps_find_problems(self, productions):
        """Problems of ``productions``: a list of dicts (production, product,
        bom, workcenter, problem, message), read-only."""
        found = []
        cycles = {}
        Workcenter = self.env["mrp.workcenter"]
        for production in productions.sudo():
            bom = production.bom_id
            workorders = production.workorder_ids.filtered(
                lambda wo: wo.state in OPEN_WORKORDER_STATES
            )

            def add(
                problem, message, workcenter=Workcenter, production=production, bom=bom
            ):
                found.append(
                    {
                        "production": production,
                        "product": production.product_id,
                        "bom": bom,
                        "workcenter": workcenter,
                        "problem": problem,
                        "message": message,
                    }
                )

            if not bom and not production.workorder_ids:
                add(
                    "missing_bom",
                    self.env._(
                        "%(product)s has no bill of materials.",
                        product=production.product_id.display_name,
                    ),
                )
            elif bom and not bom.operation_ids and not production.workorder_ids:
                add(
                    "missing_routing",
                    self.env._(
                        "The bill of materials of %(product)s has no operation.",
                        product=production.product_id.display_name,
                    ),
                )
            for operation in bom.operation_ids:
                if not operation.workcenter_id:
                    add(
                        "no_workcenter",
                        self.env._(
                            "Operation %(op)s has no work center.",
                            op=operation.display_name,
                        ),
                    )
            for workorder in workorders:
                if (workorder.duration_expected or 0.0) <= 0.0:
                    add(
                        "no_duration",
                        self.env._(
                            "Operation %(op)s has no duration.",
                            op=workorder.display_name,
                        ),
                        workorder.workcenter_id,
                    )
            centers = (
                workorders.workcenter_id
                | workorders.workcenter_id.alternative_workcenter_ids
            )
            for workcenter in centers.filtered(lambda wc: not wc.resource_calendar_id):
                add(
                    "no_calendar",
                    self.env._(
                        "Work center %(wc)s has no working calendar.",
                        wc=workcenter.display_name,
                    ),
                    workcenter,
                )
            if bom:
                path = self._pps_bom_cycle(production.product_id, bom, cycles)
                if path:
                    add(
                        "cyclic_bom",
                        self.env._(
                            "The bill of materials is cyclic: %(path)s.",
                            path=" > ".join(p.display_name for p in path),
                        ),
                    )
        return found

    @api.model
    def _pps_bom_cycle(self, product, bom, cache, path=None):
        """The products of a cycle through ``bom``'s lines, or an empty list."""
        path = (path or []) + [product]
        if product.id in cache:
            return cache[product.id]
        cache[product.id] = []
        for line in bom.bom_line_ids:
            component = line.product_id
            if component in path:
                cycle = [*path, component]
                cache[product.id] = cycle
                return cycle
            child = self.env["mrp.bom"]._bom_find(
                component, company_id=bom.company_id.id
            )[component]
            if child:
                cycle = self._pps_bom_cycle(component, child, cache, path)
                if cycle:
                    cache[product.id] = cycle
                    return cycle
        return []
