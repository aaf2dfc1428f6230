from odoo import api, fields, models
from odoo.exceptions import ValidationError

#: Demo plant: two setup families on its cutting line (which saws the frame
#: tubes and cuts the sheet blanks and panels), by product, and the minutes
#: from one to the other there (on top of the line's 10 minutes of setup).
DEMO_FAMILIES = {"tubes": ("Tubes", ("sf100",)), "sheet": ("Sheet", ("tc80", "mg50"))}
DEMO_CHANGEOVERS = {("tubes", "sheet"): 25, ("sheet", "tubes"): 40}
DEMO_LINE = "pps_coordination.demo_workcenter_cutting"
#: Demo plant: a clamping jig of two copies that the tube saw and both
#: welding operations need, and the assembly crew: two operators on the
#: day and late shifts (06:00-22:00), one on the night shift of the older
#: assembly line, one per assembly step.
DEMO_FIXTURE = ("Clamping jig", 2)
DEMO_FIXTURE_OPERATIONS = (
    ("sf100", "Saw tubes"),
    ("sf100", "Weld frame"),
    ("mg50", "Weld guard frame"),
)
DEMO_POOL = ("Assembly crew", 2, 1, "pps_coordination.demo_calendar_two_shifts")
DEMO_POOL_CENTERS = ("assembly1", "assembly2")
DEMO_POOL_OPERATIONS = (
    ("wb200", "Mount worktop and drawers"),
    ("tc80", "Assemble cabinet"),
    ("mg50", "Fit window"),
)


class ResCompany(models.Model):
    _inherit = "res.company"

    pps_hold_days = fields.Float(
        string="Quote Hold Days",
        default=3.0,
        help="A quoted date held for a quotation keeps its capacity this many "
        "days; then the hold expires and the slots are free again.",
    )

    @api.constrains("pps_hold_days")
    def _check_pps_hold_days(self):
        for company in self:
            if company.pps_hold_days <= 0:
                raise ValidationError(
                    self.env._(
                        "A quote hold must last some time: the hold days must be "
                        "more than 0."
                    )
                )

    def _pps_load_demo_factory(self):
        """The demo plant, with setup families and a changeover matrix on
        its cutting line (once: kept when they are there)."""
        built = super()._pps_load_demo_factory()
        self._pps_load_demo_changeovers()
        self._pps_load_demo_secondaries()
        return built

    @api.model
    def _pps_load_demo_scheduler(self):
        """This add-on's demo data (``demo/pps_scheduler_demo.xml``): its
        part of the demo plant, when the plant is there and lacks it, then
        one finite-capacity run over the plant's open manufacturing orders,
        so the demo starts on this add-on's plan (changeovers, operators and
        fixtures, why late). A run that fails leaves Odoo's plan and says why
        on the run. Returns the run, or False when nothing was added."""
        if not self.env.ref(DEMO_LINE, raise_if_not_found=False):
            return False
        added = self._pps_load_demo_changeovers()
        added = self._pps_load_demo_secondaries() or added
        if not added:
            return False
        return self.env["pps.schedule.run"].schedule(time_limit=10, workers=1)

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

    def _pps_load_demo_secondaries(self):
        """The demo's clamping jig and assembly crew, with the operations
        that need them (once: nothing when the jig is there)."""
        line = self.env.ref(DEMO_LINE, raise_if_not_found=False)
        if not line:
            return False
        company = line.company_id.id or False
        Fixture = self.env["pps.fixture"].with_context(active_test=False)
        name, count = DEMO_FIXTURE
        if Fixture.search(
            [("name", "=", name), ("company_id", "in", [company, False])]
        ):
            return False
        fixture = Fixture.create({"name": name, "count": count, "company_id": company})
        name, headcount, off_shift, calendar = DEMO_POOL
        centers = self.env["mrp.workcenter"]
        for key in DEMO_POOL_CENTERS:
            centers |= (
                self.env.ref(
                    f"pps_coordination.demo_workcenter_{key}", raise_if_not_found=False
                )
                or self.env["mrp.workcenter"]
            )
        pool = self.env["pps.operator.pool"].create(
            {
                "name": name,
                "company_id": company,
                "headcount": headcount,
                "off_shift_headcount": off_shift,
                "resource_calendar_id": self.env.ref(
                    calendar, raise_if_not_found=False
                ).id,
                "workcenter_ids": [fields.Command.set(centers.ids)],
            }
        )
        lines = []
        for operations, values in (
            (DEMO_FIXTURE_OPERATIONS, {"fixture_id": fixture.id}),
            (DEMO_POOL_OPERATIONS, {"pool_id": pool.id}),
        ):
            for bom, operation in operations:
                routing = self.env.ref(
                    f"pps_coordination.demo_bom_{bom}", raise_if_not_found=False
                )
                for step in routing.operation_ids if routing else ():
                    if step.name == operation:
                        lines.append({"operation_id": step.id, "quantity": 1, **values})
        self.env["pps.operation.requirement"].create(lines)
        return True
