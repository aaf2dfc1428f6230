"""What a routing operation needs besides its work center: operators of a
pool or copies of a fixture, held over the whole work order."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PpsOperationRequirement(models.Model):
    """Operators of one pool, or copies of one fixture, an operation needs."""

    _name = "pps.operation.requirement"
    _description = "PPS secondary resource of an operation"
    _order = "operation_id, id"

    operation_id = fields.Many2one(
        "mrp.routing.workcenter", required=True, ondelete="cascade", index=True
    )
    pool_id = fields.Many2one(
        "pps.operator.pool", string="Operators", ondelete="restrict"
    )
    fixture_id = fields.Many2one("pps.fixture", string="Fixture", ondelete="restrict")
    quantity = fields.Integer(default=1, required=True)

    @api.constrains("pool_id", "fixture_id", "quantity")
    def _check_requirement(self):
        for line in self:
            name = line.operation_id.display_name
            if bool(line.pool_id) == bool(line.fixture_id):
                raise ValidationError(
                    self.env._(
                        "%(operation)s: each requirement names an operator pool "
                        "or a fixture, not both or neither.",
                        operation=name,
                    )
                )
            if line.quantity < 1:
                raise ValidationError(
                    self.env._(
                        "%(operation)s: the quantity needed must be at least 1.",
                        operation=name,
                    )
                )
            most = (
                max(line.pool_id.headcount, line.pool_id.off_shift_headcount)
                if line.pool_id
                else line.fixture_id.count
            )
            if line.quantity > most:
                raise ValidationError(
                    self.env._(
                        "%(operation)s needs %(quantity)s of %(what)s, which "
                        "never has more than %(most)s.",
                        operation=name,
                        quantity=line.quantity,
                        what=(line.pool_id or line.fixture_id).display_name,
                        most=most,
                    )
                )

    def _pps_label(self):
        """ "2 × Press crew": what the line holds, for the work order views."""
        self.ensure_one()
        return f"{self.quantity} × {(self.pool_id or self.fixture_id).display_name}"
