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


class PpsSetupFamily(models.Model):
    """Products that run one after the other without a changeover."""

    _name = "pps.setup.family"
    _description = "PPS setup family"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
    color = fields.Integer()

    _name_uniq = models.Constraint(
        "unique(name, company_id)", "A setup family of that name already exists."
    )


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


class MrpWorkcenter(models.Model):
    _inherit = "mrp.workcenter"

    pps_changeover_ids = fields.One2many(
        "pps.changeover",
        "workcenter_id",
        string="Changeovers",
        help="Minutes between work orders of two setup families here, on top "
        "of the setup time; the scheduler plans them between consecutive work "
        "orders.",
    )


class ProductCategory(models.Model):
    _inherit = "product.category"

    pps_setup_family_id = fields.Many2one(
        "pps.setup.family",
        string="Setup Family",
        help="Setup family of the products of this category (and its "
        "sub-categories) that have none of their own.",
    )


class ProductTemplate(models.Model):
    _inherit = "product.template"

    pps_setup_family_id = fields.Many2one(
        "pps.setup.family",
        string="Setup Family",
        help="Products of one family follow each other on a work center "
        "without a changeover; see the work centers' changeover matrices. "
        "Empty: the category's.",
    )


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _pps_setup_family(self):
        """The product's setup family: its own, else its category's (or the
        nearest parent category's); an empty recordset when none."""
        self.ensure_one()
        family = self.product_tmpl_id.pps_setup_family_id
        category = self.categ_id
        while not family and category:
            family = category.pps_setup_family_id
            category = category.parent_id
        return family


class MrpWorkorder(models.Model):
    _inherit = "mrp.workorder"

    pps_changeover_minutes = fields.Integer(
        string="Changeover (min)",
        readonly=True,
        copy=False,
        help="Changeover the last schedule run planned on the work center "
        "right before this work order, from the setup family of the work order "
        "before it (on top of the setup time in its expected duration).",
    )


#: Demo plant: two setup families on its cutting line (which saws the frame
#: tubes and cuts the sheet blanks and panels), by product, and the minutes
#: from one to the other there (on top of the line's 10 minutes of setup).
DEMO_FAMILIES = {"tubes": ("Tubes", ("sf100",)), "sheet": ("Sheet", ("tc80", "mg50"))}
DEMO_CHANGEOVERS = {("tubes", "sheet"): 25, ("sheet", "tubes"): 40}
DEMO_LINE = "pps_coordination.demo_workcenter_cutting"


class ResCompany(models.Model):
    _inherit = "res.company"

    def _pps_load_demo_factory(self):
        """The demo plant, with setup families and a changeover matrix on
        its cutting line (once: kept when they are there)."""
        built = super()._pps_load_demo_factory()
        self._pps_load_demo_changeovers()
        return built

    def _pps_load_demo_changeovers(self):
        line = self.env.ref(DEMO_LINE, raise_if_not_found=False)
        if not line or line.pps_changeover_ids:
            return False
        families = {}
        Family = self.env["pps.setup.family"]
        company = line.company_id.id or False
        for key, (name, products) in DEMO_FAMILIES.items():
            families[key] = Family.search(
                [("name", "=", name), ("company_id", "in", [company, False])], limit=1
            ) or Family.create({"name": name, "company_id": company})
            for product in products:
                template = self.env.ref(
                    f"pps_coordination.demo_product_template_{product}",
                    raise_if_not_found=False,
                )
                if template:
                    template.pps_setup_family_id = families[key]
        self.env["pps.changeover"].create(
            [
                {
                    "workcenter_id": line.id,
                    "from_family_id": families[before].id,
                    "to_family_id": families[after].id,
                    "minutes": minutes,
                }
                for (before, after), minutes in DEMO_CHANGEOVERS.items()
            ]
        )
        return True
