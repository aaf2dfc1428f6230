"""Sequence-dependent changeovers: setup families and a matrix per work center.

A product belongs to a setup family (``pps.setup.family``), set on the
product or, for all the products of a category, on the category (the
product's own wins; a category without one takes its parent's). A work
center's changeover matrix (``pps.changeover``) gives the minutes it needs
to change from one family to another. The scheduler plans them between
consecutive work orders on that work center, as working time of the work
center before the next work order, and writes on each work order the
changeover it carries (``mrp.workorder.pps_changeover_minutes``).

Odoo already counts the work center's setup time (``time_start``, or the
product capacity's) in every work order's expected duration, whatever
precedes it. So a matrix entry is the changeover *on top of* that setup
time, and a pair missing from the matrix (or a work order whose product has
no family) costs only that setup time, as without changeovers: nothing is
counted twice.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class PpsChangeover(models.Model):
    """Minutes a work center needs between a work order of one setup
    family and the next of another (on top of its setup time)."""

    _name = "pps.changeover"
    _description = "PPS changeover"
    _order = "workcenter_id, from_family_id, to_family_id"

    workcenter_id = fields.Many2one(
        "mrp.workcenter", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="workcenter_id.company_id", store=True)
    from_family_id = fields.Many2one(
        "pps.setup.family", string="From Family", required=True, ondelete="cascade"
    )
    to_family_id = fields.Many2one(
        "pps.setup.family", string="To Family", required=True, ondelete="cascade"
    )
    minutes = fields.Integer(
        required=True,
        default=0,
        help="Working minutes of the work center between a work order of the "
        "first family and the next one of the second, on top of the setup "
        "time its expected duration already counts.",
    )

    @api.constrains("minutes")
    def _check_minutes(self):
        for row in self:
            if row.minutes < 0:
                raise ValidationError(
                    self.env._(
                        "The changeover from %(before)s to %(after)s on %(wc)s "
                        "cannot take negative minutes (%(minutes)s).",
                        before=row.from_family_id.display_name,
                        after=row.to_family_id.display_name,
                        wc=row.workcenter_id.display_name,
                        minutes=row.minutes,
                    )
                )

    @api.constrains("workcenter_id", "from_family_id", "to_family_id")
    def _check_unique(self):
        for row in self:
            twins = self.search_count(
                [
                    ("id", "!=", row.id),
                    ("workcenter_id", "=", row.workcenter_id.id),
                    ("from_family_id", "=", row.from_family_id.id),
                    ("to_family_id", "=", row.to_family_id.id),
                ],
                limit=1,
            )
            if twins:
                raise ValidationError(
                    self.env._(
                        "%(wc)s already has a changeover from %(before)s to "
                        "%(after)s: change its minutes instead.",
                        wc=row.workcenter_id.display_name,
                        before=row.from_family_id.display_name,
                        after=row.to_family_id.display_name,
                    )
                )

    @api.model
    def _pps_matrices(self, workcenters):
        """{work center id: {(from family id, to family id): minutes}} of
        ``workcenters``, read in one search (work centers without: absent)."""
        matrices = {}
        rows = self.sudo().search_read(
            [("workcenter_id", "in", workcenters.ids)],
            ["workcenter_id", "from_family_id", "to_family_id", "minutes"],
        )
        for row in rows:
            pair = (row["from_family_id"][0], row["to_family_id"][0])
            matrices.setdefault(row["workcenter_id"][0], {})[pair] = row["minutes"]
        return matrices
