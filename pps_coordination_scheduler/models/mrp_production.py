from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.pps_coordination.const import OPEN_PRODUCTION_STATES
from odoo.addons.pps_coordination.guards import check_planner

from .pps_late_cause import LATE_CAUSES


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    # Why late, written by every applied schedule run (``pps.late.cause``).
    pps_late_cause = fields.Selection(
        LATE_CAUSES,
        string="Late Because Of",
        readonly=True,
        copy=False,
        index=True,
        help="What holds this order after its date in the plan in force, "
        "computed from the last schedule run: empty when it is on time.",
    )
    pps_late_reason = fields.Char(
        string="Why Late", readonly=True, copy=False, translate=False
    )
    pps_late_workcenter_id = fields.Many2one(
        "mrp.workcenter",
        string="Late At",
        readonly=True,
        copy=False,
        help="The work center where the late order's work waits.",
    )
    pps_late_blocker_id = fields.Many2one(
        "mrp.production",
        string="Waits For",
        readonly=True,
        copy=False,
        help="The order whose work it waits for: the last one ahead on the "
        "work center, or the sub-assembly it needs.",
    )
    pps_late_hours = fields.Float(
        string="Hours Late (Plan)",
        readonly=True,
        copy=False,
        digits=(16, 1),
        help="How far the plan finishes this order after its due time.",
    )

    def _pps_component_workorders(self):
        """{component move: work order}: for each open component move of these
        MOs, the work order that consumes it at the station: the one of the
        move's operation, else the MO's first (Odoo consumes unassigned
        components at the first operation)."""
        consumers = {}
        for production in self:
            workorders = production.workorder_ids.sorted(lambda w: (w.sequence, w.id))
            by_operation = {wo.operation_id: wo for wo in workorders if wo.operation_id}
            for move in production.move_raw_ids:
                if move.state in ("done", "cancel"):
                    continue
                workorder = (
                    by_operation.get(move.operation_id)
                    if move.operation_id
                    else workorders[:1]
                )
                if workorder:
                    consumers[move] = workorder
        return consumers

    def _pps_pick_moves(self, move):
        """The open moves of the pick-components step that bring component
        ``move`` to the station (two- and three-step manufacturing); none in
        one-step manufacturing, where the component move is the station's."""
        pick_type = self.picking_type_id.warehouse_id.pbm_type_id
        if not pick_type:
            return self.env["stock.move"]
        return move.move_orig_ids.filtered(
            lambda m: (
                m.picking_type_id == pick_type and m.state not in ("done", "cancel")
            )
        )

    def _pps_one_step(self):
        warehouse = self.picking_type_id.warehouse_id
        return not warehouse or warehouse.manufacture_steps == "mrp_one_step"

    def action_pps_reschedule(self):
        """Server action: reschedule these manufacturing orders now."""
        run = self.env["pps.schedule.run"].schedule(
            productions=self, trigger="server_action", interactive=True
        )
        return run._action_open()

    def action_pps_reschedule_preview(self):
        """Server action: preview a reschedule of these manufacturing orders."""
        run = self.env["pps.schedule.run"].schedule(
            productions=self, trigger="server_action", dry_run=True, interactive=True
        )
        return run._action_open()

    def action_pps_use_substitutes(self):
        """Replace what is short of each component by substitutes in free stock.

        For every open component move that neither its reservation nor free
        stock covers, the short quantity moves to new component moves of the
        substitutes (``pps.substitute``, by priority, at their ratio) as far as
        their free stock goes; the change is posted in the chatter.
        """
        check_planner(
            self.env, self.env._("Only production planners may substitute components.")
        )
        changed = False
        for production in self:
            if production.state not in OPEN_PRODUCTION_STATES:
                raise UserError(
                    self.env._(
                        "%(mo)s is not open: its components cannot change.",
                        mo=production.name,
                    )
                )
            changed |= production._pps_use_substitutes()
        if not changed:
            raise UserError(
                self.env._("No short component has a substitute in free stock.")
            )
        return True

    def _pps_use_substitutes(self):
        self.ensure_one()
        Substitute = self.env["pps.substitute"]
        warehouse = self.picking_type_id.warehouse_id
        notes = []
        new_moves = self.env["stock.move"]
        for move in self.move_raw_ids.filtered(
            lambda m: m.state not in ("done", "cancel") and m.product_id.is_storable
        ):
            product = move.product_id
            free = product.with_context(warehouse_id=warehouse.id).free_qty
            short = move.product_qty - move.quantity - max(free, 0.0)
            if product.uom_id.compare(short, 0.0) <= 0:
                continue
            for substitute in Substitute._pps_for(product, self.company_id):
                other = substitute.substitute_id
                available = other.with_context(warehouse_id=warehouse.id).free_qty
                used = min(short, available / substitute.ratio)
                if product.uom_id.compare(used, 0.0) <= 0:
                    continue
                new_qty = other.uom_id.round(used * substitute.ratio)
                remaining = move.product_uom_qty - product.uom_id._compute_quantity(
                    used, move.product_uom
                )
                move.product_uom_qty = max(remaining, 0.0)
                values = self._get_move_raw_values(
                    other, new_qty, other.uom_id, operation_id=move.operation_id.id
                )
                new_moves |= self.env["stock.move"].create(values)
                notes.append(
                    self.env._(
                        "%(qty)s %(uom)s of %(product)s replaced by %(sub_qty)s "
                        "%(sub_uom)s of %(substitute)s.",
                        qty=product.uom_id.round(used),
                        uom=product.uom_id.name,
                        product=product.display_name,
                        sub_qty=new_qty,
                        sub_uom=other.uom_id.name,
                        substitute=other.display_name,
                    )
                )
                short -= used
                if product.uom_id.compare(short, 0.0) <= 0:
                    break
        if not notes:
            return False
        new_moves._action_confirm()
        new_moves._action_assign()
        self.message_post(
            body=self.env._(
                "Substitutes used for short components: %(notes)s",
                notes=" ".join(notes),
            )
        )
        return True
