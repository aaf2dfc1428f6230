"""Demo factory: a small but believable plant, built relative to today.

What it is
----------
``PpsDemoFactory`` is a plain Python class, not a model: nothing of it is
registered in a database. Its one entry point, ``PpsDemoFactory(env).load()``,
is run by ``res.company._pps_load_demo_factory()``, which
``demo/pps_demo_factory.xml`` calls when the add-on is installed with demo data.
Every date is computed from the moment the data is loaded, so the demo never
goes stale: late orders are late *today*, rush orders are due within days, and
the order book reaches six weeks ahead. Tests call the same entry point on a
database without demo data.

It lives in ``tools/`` as Odoo's own apps keep their plain-Python helpers
(``mail/tools``, ``account/tools``): ``models/`` holds what the registry loads,
``demo/`` the data files the manifest lists.

How it works
------------
The plant is built through the ORM only, in named steps, each logging a line
with its counters: settings, calendars, work centers, partners, products,
bills of materials, stock, sale orders, shipped orders, purchase orders,
planning. Each step reads a plain-Python specification (the ``_DEMO_*``
tables below) and turns it into records through ``_prepare_*`` methods that
return plain dicts. The records that define the plant get XML ids under
``pps_coordination`` (``pps_coordination.demo_workcenter_cnc``, ...) with
``noupdate`` so that module updates keep them, other add-ons and tests can
reference them, and uninstalling the add-on can remove them. Generated documents
(manufacturing, purchase and delivery orders) are reached through their sale
order. Loading is idempotent: when ``pps_coordination.demo_workcenter_cutting``
exists it does nothing.

The plant
---------
Calendars: "Two shifts (06:00-22:00)" (Mon-Fri 06:00-14:00 and 14:00-22:00),
"Day shift (06:00-14:00)" (Mon-Fri) and "Three shifts (around the clock)"
(Mon-Fri, the two shifts and a night shift 22:00-06:00), in the loading
user's time zone (UTC when none). The day-shift calendar carries a public
holiday on the first weekday at least four days from today.

====  =================  ==========  =====  ====  ======  ==========================
code  work center        calendar    EUR/h  eff.  set/cl  notes
====  =================  ==========  =====  ====  ======  ==========================
CUT   Cutting            two shifts  45     100%  10/5
CNC   CNC Milling        two shifts  85     95%   20/10
WLD   Welding            two shifts  60     90%   5/5
PNT   Painting           day shift   50     100%  15/15   oven: 2 parts in parallel;
                                                          public holiday
AS1   Assembly line 1    two shifts  55     100%  10/5    alternative: AS2
AS2   Assembly line 2    3 shifts    55     85%   10/5    older line, night shift
QCP   Quality & Packing  two shifts  35     100%  0/0
====  =================  ==========  =====  ====  ======  ==========================

(set/cl: setup and cleanup minutes.)

=======  ==============================  ===========================  ===========
code     product                         supply (vendor, lead time)   stock
=======  ==============================  ===========================  ===========
WB-200   Industrial Workbench            MTO + Manufacture
TC-80    Mobile Tool Cabinet             MTO + Manufacture
MG-50    CNC Machine Guard               MTO + Manufacture
SF-100   Welded Steel Frame (semi-fin.)  MTO + Manufacture
ST-40    Steel tube 40x40x2 (m)          Buy, Nordic Steel, 7 d       400 m
SS-2     Steel sheet 2 mm 1250x2500      Buy, Nordic Steel, 10 d      120, short
BW-2000  Beech worktop 2000x750          Buy, Holz Meier, 14 d        12, short
CW-100   Castor wheel 100 mm             MTO + Buy, Rolltec, 5 d
CW-100B  Castor wheel 100 mm with brake  Buy, Rolltec, 4 d            40
PW-50    Polycarbonate window 500x400    MTO + Buy, ClearView, 12 d
PP-7035  Powder paint RAL 7035 (kg)      Buy, ChemCoat, 3 d           150 kg
SO-1     Steel offcuts (kg)              by-product of SF-100
=======  ==============================  ===========================  ===========

CW-100B is the substitute of CW-100 (noted in both descriptions for now).
Bills of materials and routings (minutes per unit):

- SF-100: 6 m ST-40, 0.3 kg PP-7035; CUT 15, WLD 40, PNT 20; by-product
  0.5 kg SO-1. Shared by WB-200 and TC-80.
- WB-200: SF-100, BW-2000; AS1 45, QCP 15.
- TC-80: SF-100, 4 CW-100, 2 SS-2; CUT 15, PNT 30, AS2 40, QCP 10.
- MG-50: 3 SS-2, PW-50, 0.4 kg PP-7035; CUT 20, CNC 45, WLD 30, PNT 25,
  AS1 30, QCP 10.

Orders: 36 confirmed sale orders from seven customer companies, salesperson
admin. ``commitment_date`` (agreed) runs from today - 14 days to today + 40
days, moved off weekends; ``pps_expected_date`` (the customer's wish) is the agreed
date or up to three days earlier.

========  =====  ==========================================================
kind      count  what is special
========  =====  ==========================================================
shipped   4      MG-50, agreed 14 to 5 days ago; window received, MO done,
                 delivery validated
late      4      agreed 1 to 8 days ago, not shipped
made      2      MG-50, agreed in 2 and 4 days; MO done, waiting to ship
rush      5      ``pps_rush`` with ``pps_serial`` 1 to 5, agreed within the
                 next 2 to 9 days (when those fields exist on ``sale.order``)
normal    21     agreed 3 to 40 days from today; three carry two lines
========  =====  ==========================================================

Each confirmed order creates its manufacturing orders (the sub-assembly as a
child order); the requests for quotation generated for CW-100 and PW-50 are
confirmed; manufacturing orders of orders agreed within five weeks are planned
(``button_plan``) so the work orders show on the Gantt views, the rest stay
confirmed for the scheduler to place.

How to use it
-------------
``scripts/run.sh`` installs with ``--with-demo``: the plant is there. From a
shell or a test: ``env["res.company"]._pps_load_demo_factory()``; reference
the records as ``env.ref("pps_coordination.demo_product_sf100")`` and so on.
"""

import logging
import random
import time
from datetime import datetime, timedelta

import pytz

from odoo import Command, fields

_logger = logging.getLogger(__name__)

MODULE = "pps_coordination"
MARKER_XMLID = f"{MODULE}.demo_workcenter_cutting"

# Calendars: key -> (name, [(hour_from, hour_to, day_period)]) Monday to Friday.
_DEMO_CALENDARS = {
    "two_shifts": (
        "Two shifts (06:00-22:00)",
        [(6.0, 14.0, "morning"), (14.0, 22.0, "afternoon")],
    ),
    "day_shift": ("Day shift (06:00-14:00)", [(6.0, 14.0, "morning")]),
    # the older assembly line also runs a night shift (22:00-06:00)
    "all_day": (
        "Three shifts (around the clock)",
        [
            (0.0, 6.0, "morning", "Night shift"),
            (6.0, 14.0, "morning"),
            (14.0, 22.0, "afternoon"),
            (22.0, 24.0, "afternoon", "Night shift"),
        ],
    ),
}

# Work centers: key, code, name, calendar, cost/h, efficiency, setup, cleanup,
# parallel capacity (None: one piece at a time).
_DEMO_WORKCENTERS = [
    ("cutting", "CUT", "Cutting", "two_shifts", 45.0, 100.0, 10.0, 5.0, None),
    ("cnc", "CNC", "CNC Milling", "two_shifts", 85.0, 95.0, 20.0, 10.0, None),
    ("welding", "WLD", "Welding", "two_shifts", 60.0, 90.0, 5.0, 5.0, None),
    ("painting", "PNT", "Painting", "day_shift", 50.0, 100.0, 15.0, 15.0, 2.0),
    ("assembly1", "AS1", "Assembly line 1", "two_shifts", 55.0, 100.0, 10.0, 5.0, None),
    ("assembly2", "AS2", "Assembly line 2", "all_day", 55.0, 85.0, 10.0, 5.0, None),
    ("quality", "QCP", "Quality & Packing", "two_shifts", 35.0, 100.0, 0.0, 0.0, None),
]
_DEMO_ALTERNATIVES = {"assembly1": ["assembly2"]}
_DEMO_HOLIDAY_CALENDAR = "day_shift"

# Partners: key, name, country code, city.
_DEMO_CUSTOMERS = [
    ("baltic", "Baltic Machinery Ltd", "lt", "Klaipeda"),
    ("rhein", "Rhein Werkzeugbau GmbH", "de", "Duisburg"),
    ("dupont", "Atelier Dupont SA", "fr", "Lyon"),
    ("nordhavn", "Nordhavn Marine A/S", "dk", "Aarhus"),
    ("iberia", "Iberia Automocion SL", "es", "Valladolid"),
    ("alpine", "Alpine Labs AG", "ch", "Winterthur"),
    ("midlands", "Midlands Fabrication Ltd", "uk", "Coventry"),
]
_DEMO_VENDORS = [
    ("nordic_steel", "Nordic Steel AB", "se", "Lulea"),
    ("holz_meier", "Holz Meier GmbH", "de", "Rosenheim"),
    ("rolltec", "Rolltec Components BV", "nl", "Eindhoven"),
    ("clearview", "ClearView Plastics Ltd", "ie", "Cork"),
    ("chemcoat", "ChemCoat Finishes NV", "be", "Ghent"),
]

# Products. kind: "finished" and "semi" (MTO + Manufacture), "buy" (Buy, from
# stock), "buy_mto" (MTO + Buy), "byproduct". vendor/delay: main vendor and its
# lead time in days; stock: opening quantity.
_DEMO_PRODUCTS = [
    {
        "key": "wb200",
        "code": "WB-200",
        "name": "Industrial Workbench",
        "kind": "finished",
        "uom": "unit",
        "price": 890.0,
        "cost": 0.0,
        "vendor": None,
        "delay": 0,
        "stock": 0,
        "note": "Heavy-duty workbench: welded frame and beech worktop.",
    },
    {
        "key": "tc80",
        "code": "TC-80",
        "name": "Mobile Tool Cabinet",
        "kind": "finished",
        "uom": "unit",
        "price": 640.0,
        "cost": 0.0,
        "vendor": None,
        "delay": 0,
        "stock": 0,
        "note": "Powder-coated tool cabinet on castors, built on the SF-100 frame.",
    },
    {
        "key": "mg50",
        "code": "MG-50",
        "name": "CNC Machine Guard",
        "kind": "finished",
        "uom": "unit",
        "price": 1150.0,
        "cost": 0.0,
        "vendor": None,
        "delay": 0,
        "stock": 0,
        "note": "Milled and welded guard with a polycarbonate window.",
    },
    {
        "key": "sf100",
        "code": "SF-100",
        "name": "Welded Steel Frame",
        "kind": "semi",
        "uom": "unit",
        "price": 0.0,
        "cost": 0.0,
        "vendor": None,
        "delay": 0,
        "stock": 0,
        "note": "Semi-finished frame shared by WB-200 and TC-80.",
    },
    {
        "key": "st40",
        "code": "ST-40",
        "name": "Steel tube 40x40x2",
        "kind": "buy",
        "uom": "meter",
        "price": 0.0,
        "cost": 6.5,
        "vendor": "nordic_steel",
        "delay": 7,
        "stock": 400,
        "note": "Square steel tube, sold by the metre.",
    },
    {
        "key": "ss2",
        "code": "SS-2",
        "name": "Steel sheet 2 mm 1250x2500",
        "kind": "buy",
        "uom": "unit",
        "price": 0.0,
        "cost": 48.0,
        "vendor": "nordic_steel",
        "delay": 10,
        "stock": 120,
        "note": "Cold-rolled sheet for panels and guards.",
    },
    {
        "key": "bw2000",
        "code": "BW-2000",
        "name": "Beech worktop 2000x750",
        "kind": "buy",
        "uom": "unit",
        "price": 0.0,
        "cost": 120.0,
        "vendor": "holz_meier",
        "delay": 14,
        "stock": 12,
        "note": "Solid beech worktop, 40 mm.",
    },
    {
        "key": "cw100",
        "code": "CW-100",
        "name": "Castor wheel 100 mm",
        "kind": "buy_mto",
        "uom": "unit",
        "price": 0.0,
        "cost": 9.5,
        "vendor": "rolltec",
        "delay": 5,
        "stock": 0,
        "note": (
            "Swivel castor. Substitute: CW-100B (castor wheel 100 mm with brake) "
            "may replace it when short."
        ),
    },
    {
        "key": "cw100b",
        "code": "CW-100B",
        "name": "Castor wheel 100 mm with brake",
        "kind": "buy",
        "uom": "unit",
        "price": 0.0,
        "cost": 12.0,
        "vendor": "rolltec",
        "delay": 4,
        "stock": 40,
        "note": "Swivel castor with brake. Substitute for CW-100.",
    },
    {
        "key": "pw50",
        "code": "PW-50",
        "name": "Polycarbonate window 500x400",
        "kind": "buy_mto",
        "uom": "unit",
        "price": 0.0,
        "cost": 65.0,
        "vendor": "clearview",
        "delay": 12,
        "stock": 0,
        "note": "Impact-resistant 6 mm window, cut to size by the vendor.",
    },
    {
        "key": "pp7035",
        "code": "PP-7035",
        "name": "Powder paint RAL 7035",
        "kind": "buy",
        "uom": "kg",
        "price": 0.0,
        "cost": 11.0,
        "vendor": "chemcoat",
        "delay": 3,
        "stock": 150,
        "note": "Light grey polyester powder.",
    },
    {
        "key": "so1",
        "code": "SO-1",
        "name": "Steel offcuts",
        "kind": "byproduct",
        "uom": "kg",
        "price": 0.0,
        "cost": 0.2,
        "vendor": None,
        "delay": 0,
        "stock": 0,
        "note": "Scrap steel from cutting, sold to the recycler.",
    },
]

# Bills of materials: product -> (produce delay in days, components
# [(product, qty)], operations [(name, work center, minutes per unit)],
# by-products [(product, qty)]).
_DEMO_BOMS = {
    "sf100": (
        1,
        [("st40", 6.0), ("pp7035", 0.3)],
        [
            ("Saw tubes", "cutting", 15.0),
            ("Weld frame", "welding", 40.0),
            ("Powder-coat frame", "painting", 20.0),
        ],
        [("so1", 0.5)],
    ),
    "wb200": (
        2,
        [("sf100", 1.0), ("bw2000", 1.0)],
        [
            ("Mount worktop and drawers", "assembly1", 45.0),
            ("Inspect and pack", "quality", 15.0),
        ],
        [],
    ),
    "tc80": (
        2,
        [("sf100", 1.0), ("cw100", 4.0), ("ss2", 2.0)],
        [
            ("Cut side panels", "cutting", 15.0),
            ("Powder-coat panels", "painting", 30.0),
            ("Assemble cabinet", "assembly2", 40.0),
            ("Inspect and pack", "quality", 10.0),
        ],
        [],
    ),
    "mg50": (
        2,
        [("ss2", 3.0), ("pw50", 1.0), ("pp7035", 0.4)],
        [
            ("Cut blanks", "cutting", 20.0),
            ("Mill window frame", "cnc", 45.0),
            ("Weld guard frame", "welding", 30.0),
            ("Powder-coat guard", "painting", 25.0),
            ("Fit window", "assembly1", 30.0),
            ("Inspect and pack", "quality", 10.0),
        ],
        [],
    ),
}

ORDER_COUNT = 36
PLAN_HORIZON_DAYS = 35


class PpsDemoFactory:
    """Builds the demo plant in the database of ``env``: ``load()``."""

    def __init__(self, env):
        self.env = env(
            context=dict(
                env.context,
                tracking_disable=True,
                mail_notrack=True,
                mail_create_nolog=True,
            )
        )

    # ------------------------------------------------------------------
    # Entry point
    # ------------------------------------------------------------------
    def load(self):
        """Build the demo plant once; return True when it was built now."""
        if self.env.ref(MARKER_XMLID, raise_if_not_found=False):
            _logger.info("PPS demo factory: already loaded, nothing to do")
            return False
        started = time.monotonic()
        data = {}
        steps = [
            ("settings", self._step_settings),
            ("calendars", self._step_calendars),
            ("work centers", self._step_workcenters),
            ("partners", self._step_partners),
            ("products", self._step_products),
            ("bills of materials", self._step_boms),
            ("stock", self._step_stock),
            ("sale orders", self._step_sale_orders),
            ("shipped and made orders", self._step_ship),
            ("purchase orders", self._step_purchase),
            ("planning", self._step_plan),
        ]
        for name, step in steps:
            step_started = time.monotonic()
            count = step(data)
            _logger.info(
                "PPS demo factory: %s: %s records in %.1f s",
                name,
                count,
                time.monotonic() - step_started,
            )
        _logger.info("PPS demo factory: loaded in %.1f s", time.monotonic() - started)
        return True

    # ------------------------------------------------------------------
    # Steps
    # ------------------------------------------------------------------
    def _step_settings(self, data):
        """Work orders, by-products and the MTO route, visible to every user."""
        groups = self.env.ref("mrp.group_mrp_routings") | self.env.ref(
            "mrp.group_mrp_byproducts"
        )
        employee = self.env.ref("base.group_user")
        missing = groups - employee.implied_ids
        if missing:
            employee.write({"implied_ids": [Command.link(g.id) for g in missing]})
        mto_route = self.env.ref("stock.route_warehouse0_mto")
        if not mto_route.active:
            mto_route.active = True
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        data.update(
            warehouse=warehouse,
            admin=self.env.ref("base.user_admin"),
            routes={
                "mto": mto_route,
                "manufacture": warehouse.manufacture_pull_id.route_id,
                "buy": warehouse.buy_pull_id.route_id,
            },
            tz=self.env.user.tz or "UTC",
        )
        return len(missing) + 1

    def _step_calendars(self, data):
        calendars = {}
        for key, (name, shifts) in _DEMO_CALENDARS.items():
            calendar = self.env["resource.calendar"].create(
                self._prepare_calendar_vals(name, shifts, data["tz"])
            )
            self._xmlid(f"demo_calendar_{key}", calendar)
            calendars[key] = calendar
        holiday = self.env["resource.calendar.leaves"].create(
            self._prepare_holiday_vals(calendars[_DEMO_HOLIDAY_CALENDAR], data["tz"])
        )
        self._xmlid("demo_leave_public_holiday", holiday)
        data["calendars"] = calendars
        return len(calendars) + 1

    def _step_workcenters(self, data):
        workcenters = {}
        for spec in _DEMO_WORKCENTERS:
            workcenter = self.env["mrp.workcenter"].create(
                self._prepare_workcenter_vals(spec, data["calendars"])
            )
            self._xmlid(f"demo_workcenter_{spec[0]}", workcenter)
            workcenters[spec[0]] = workcenter
        for key, alternatives in _DEMO_ALTERNATIVES.items():
            workcenters[key].alternative_workcenter_ids = [
                Command.set([workcenters[alt].id for alt in alternatives])
            ]
        data["workcenters"] = workcenters
        return len(workcenters)

    def _step_partners(self, data):
        partners = {}
        for role, specs in (("customer", _DEMO_CUSTOMERS), ("vendor", _DEMO_VENDORS)):
            for spec in specs:
                partner = self.env["res.partner"].create(
                    self._prepare_partner_vals(spec, role)
                )
                self._xmlid(f"demo_partner_{spec[0]}", partner)
                partners[spec[0]] = partner
        data["partners"] = partners
        data["customers"] = [partners[spec[0]] for spec in _DEMO_CUSTOMERS]
        return len(partners)

    def _step_products(self, data):
        products = {}
        for spec in _DEMO_PRODUCTS:
            template = self.env["product.template"].create(
                self._prepare_product_vals(spec, data)
            )
            self._xmlid(f"demo_product_{spec['key']}", template.product_variant_id)
            self._xmlid(f"demo_product_template_{spec['key']}", template)
            products[spec["key"]] = template.product_variant_id
        data["products"] = products
        return len(products)

    def _step_boms(self, data):
        boms = {}
        for key, spec in _DEMO_BOMS.items():
            bom = self.env["mrp.bom"].create(self._prepare_bom_vals(key, spec, data))
            self._xmlid(f"demo_bom_{key}", bom)
            boms[key] = bom
        data["boms"] = boms
        return len(boms)

    def _step_stock(self, data):
        location = data["warehouse"].lot_stock_id
        quants = self.env["stock.quant"]
        for spec in _DEMO_PRODUCTS:
            if spec["stock"]:
                quants |= quants.with_context(inventory_mode=True).create(
                    {
                        "product_id": data["products"][spec["key"]].id,
                        "location_id": location.id,
                        "inventory_quantity": spec["stock"],
                    }
                )
        quants.action_apply_inventory()
        return len(quants)

    def _step_sale_orders(self, data):
        specs = self._order_specs(data)
        sale_orders = self.env["sale.order"].create(
            [self._prepare_sale_order_vals(spec, data) for spec in specs]
        )
        # One confirmation for the whole book: procurement runs in batches.
        sale_orders.action_confirm()
        now = fields.Datetime.now()
        orders = {}
        for index, (spec, order) in enumerate(zip(specs, sale_orders, strict=True)):
            self._xmlid(f"demo_sale_order_{index + 1:02d}", order)
            # Taken some time before the agreed date, never in the future.
            order.date_order = min(spec["commitment_date"] - timedelta(days=21), now)
            orders.setdefault(spec["kind"], self.env["sale.order"])
            orders[spec["kind"]] |= order
        data["orders"] = orders
        return len(sale_orders)

    def _step_ship(self, data):
        """Shipped orders: receive their materials, produce, deliver. Made
        orders: the same, but the goods wait in stock for their delivery day."""
        shipped = data["orders"].get("shipped", self.env["sale.order"])
        made = data["orders"].get("made", self.env["sale.order"])
        for order in shipped | made:
            references = order.stock_reference_ids
            purchases = references.purchase_ids.filtered(
                lambda p: p.state in ("draft", "sent")
            )
            purchases.button_confirm()
            receipts = references.purchase_ids.picking_ids.filtered(
                lambda p: p.state not in ("done", "cancel")
            )
            self._validate_pickings(receipts)
            productions = references.production_ids.filtered(
                lambda mo: mo.state not in ("done", "cancel")
            )
            children = productions.filtered(
                lambda mo: mo.production_group_id.parent_ids
            )
            for production in children + (productions - children):
                production.action_assign()
                production.button_mark_done()
            if order in made:
                continue
            deliveries = order.picking_ids.filtered(
                lambda p: (
                    p.picking_type_code == "outgoing"
                    and p.state not in ("done", "cancel")
                )
            )
            self._validate_pickings(deliveries)
            self._backdate(order, receipts, productions, deliveries)
        return len(shipped | made)

    def _step_purchase(self, data):
        orders = self.env["sale.order"].concat(*data["orders"].values())
        purchases = orders.stock_reference_ids.purchase_ids.filtered(
            lambda p: p.state in ("draft", "sent")
        )
        purchases.write({"user_id": data["admin"].id})
        purchases.button_confirm()
        return len(purchases)

    def _step_plan(self, data):
        """Plan what is due within the horizon: sub-assemblies first, then
        their parents after them, rush orders first, then by deadline."""
        horizon = fields.Datetime.now() + timedelta(days=PLAN_HORIZON_DAYS)
        orders = self.env["sale.order"].concat(*data["orders"].values())
        orders = orders.filtered(lambda o: o.commitment_date <= horizon)
        productions = orders.stock_reference_ids.production_ids.filtered(
            lambda mo: mo.state == "confirmed"
        )
        rush = data["orders"].get("rush", self.env["sale.order"])
        sale_of = {
            production.id: order
            for order in orders
            for production in order.stock_reference_ids.production_ids
        }

        def priority(production):
            order = sale_of[production.id]
            return (order not in rush, order.commitment_date, production.id)

        children = productions.filtered(lambda mo: mo.production_group_id.parent_ids)
        for production in sorted(children, key=priority):
            production.button_plan()
        for production in sorted(productions - children, key=priority):
            sub_finish = [
                child.date_finished
                for child in production.production_group_id.child_ids.production_ids
                if child.is_planned and child.date_finished
            ]
            if sub_finish and max(sub_finish) > production.date_start:
                production.date_start = max(sub_finish)
            production.button_plan()
        return len(productions)

    # ------------------------------------------------------------------
    # Specifications
    # ------------------------------------------------------------------
    def _order_specs(self, data):
        """The 36 orders: kind, customer, lines, agreed and wished dates."""
        rng = random.Random(19)
        customers = data["customers"]
        products = data["products"]
        today = fields.Datetime.now().replace(hour=14, minute=0, second=0)
        today = today.replace(microsecond=0)
        quantities = {"wb200": (2, 8), "tc80": (2, 6), "mg50": (1, 4)}
        finished = list(quantities)

        def line(key):
            return (products[key], rng.randint(*quantities[key]))

        specs = []
        for i, offset in enumerate((-14, -11, -8, -5)):
            mg50 = (products["mg50"], 1 + i % 2)
            specs.append({"kind": "shipped", "offset": offset, "lines": [mg50]})
        for offset in (-8, -5, -3, -1):
            lines = [line(rng.choice(finished))]
            specs.append({"kind": "late", "offset": offset, "lines": lines})
        for offset in (2, 4):
            made = (products["mg50"], 1)
            specs.append({"kind": "made", "offset": offset, "lines": [made]})
        for serial, offset in enumerate((2, 3, 5, 7, 9), start=1):
            specs.append(
                {
                    "kind": "rush",
                    "offset": offset,
                    "serial": serial,
                    "lines": [line(finished[serial % 3])],
                }
            )
        normal_count = ORDER_COUNT - len(specs)
        for i in range(normal_count):
            offset = 3 + round(i * 37 / (normal_count - 1))
            lines = [line(finished[i % 3])]
            if i % 8 == 4:
                lines.append(line(finished[(i + 1) % 3]))
            specs.append({"kind": "normal", "offset": offset, "lines": lines})
        for i, spec in enumerate(specs):
            spec["customer"] = customers[i % len(customers)]
            spec["commitment_date"] = self._weekday(
                today + timedelta(days=spec["offset"]), backward=spec["offset"] < 0
            )
            wish = timedelta(days=rng.choice((0, 0, 1, 3)))
            spec["expected_date"] = spec["commitment_date"] - wish
        return specs

    # ------------------------------------------------------------------
    # _prepare_* hooks: plain dicts
    # ------------------------------------------------------------------
    def _prepare_calendar_vals(self, name, shifts, tz):
        attendances = []
        for day in range(5):
            for hour_from, hour_to, period, *label in shifts:
                attendances.append(
                    Command.create(
                        {
                            "name": label[0] if label else f"{period.title()} shift",
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": period,
                        }
                    )
                )
        return {
            "name": name,
            "tz": tz,
            "company_id": self.env.company.id,
            "attendance_ids": [Command.clear(), *attendances],
        }

    def _prepare_holiday_vals(self, calendar, tz):
        local_tz = pytz.timezone(tz)
        day = self._weekday(fields.Datetime.now() + timedelta(days=4)).date()
        start = local_tz.localize(datetime.combine(day, datetime.min.time()))
        stop = start + timedelta(days=1, seconds=-1)
        return {
            "name": "Public holiday",
            "calendar_id": calendar.id,
            "company_id": self.env.company.id,
            "date_from": start.astimezone(pytz.utc).replace(tzinfo=None),
            "date_to": stop.astimezone(pytz.utc).replace(tzinfo=None),
            "time_type": "leave",
        }

    def _prepare_workcenter_vals(self, spec, calendars):
        _key, code, name, calendar, cost, efficiency, setup, cleanup, capacity = spec
        vals = {
            "name": name,
            "code": code,
            "resource_calendar_id": calendars[calendar].id,
            "costs_hour": cost,
            "time_efficiency": efficiency,
            "time_start": setup,
            "time_stop": cleanup,
            "oee_target": 85.0,
            "company_id": self.env.company.id,
        }
        if capacity:
            vals["capacity_ids"] = [Command.create({"capacity": capacity})]
        return vals

    def _prepare_partner_vals(self, spec, role):
        key, name, country_code, city = spec
        vals = {
            "name": name,
            "is_company": True,
            "city": city,
            "country_id": self.env.ref(f"base.{country_code}").id,
            "email": f"orders@{key.replace('_', '')}.example.com",
        }
        rank = "customer_rank" if role == "customer" else "supplier_rank"
        vals[rank] = 1
        return vals

    def _prepare_product_vals(self, spec, data):
        kind = spec["kind"]
        routes = data["routes"]
        route_ids = {
            "finished": routes["mto"] | routes["manufacture"],
            "semi": routes["mto"] | routes["manufacture"],
            "buy": routes["buy"],
            "buy_mto": routes["mto"] | routes["buy"],
            "byproduct": self.env["stock.route"],
        }[kind]
        uom_record = self.env.ref(
            {
                "unit": "uom.product_uom_unit",
                "meter": "uom.product_uom_meter",
                "kg": "uom.product_uom_kgm",
            }[spec["uom"]]
        )
        vals = {
            "name": spec["name"],
            "default_code": spec["code"],
            "type": "consu",
            "is_storable": True,
            "uom_id": uom_record.id,
            "list_price": spec["price"],
            "standard_price": spec["cost"],
            "sale_ok": kind == "finished",
            "purchase_ok": kind in ("buy", "buy_mto"),
            "route_ids": [Command.set(route_ids.ids)],
            "description": spec["note"],
            "sale_delay": 14 if kind == "finished" else 0,
        }
        if spec["vendor"]:
            vals["seller_ids"] = [
                Command.create(
                    {
                        "partner_id": data["partners"][spec["vendor"]].id,
                        "price": spec["cost"],
                        "delay": spec["delay"],
                        "min_qty": 1.0,
                    }
                )
            ]
        return vals

    def _prepare_bom_vals(self, key, spec, data):
        produce_delay, components, operations, byproducts = spec
        products = data["products"]
        workcenters = data["workcenters"]
        return {
            "product_tmpl_id": products[key].product_tmpl_id.id,
            "product_qty": 1.0,
            "type": "normal",
            "produce_delay": produce_delay,
            "consumption": "flexible",
            "bom_line_ids": [
                Command.create({"product_id": products[p].id, "product_qty": qty})
                for p, qty in components
            ],
            "operation_ids": [
                Command.create(
                    {
                        "name": name,
                        "workcenter_id": workcenters[wc].id,
                        "time_mode": "manual",
                        "time_cycle_manual": minutes,
                        "sequence": 10 * (index + 1),
                    }
                )
                for index, (name, wc, minutes) in enumerate(operations)
            ],
            "byproduct_ids": [
                Command.create(
                    {
                        "product_id": products[p].id,
                        "product_qty": qty,
                        "product_uom_id": products[p].uom_id.id,
                    }
                )
                for p, qty in byproducts
            ],
        }

    def _prepare_sale_order_vals(self, spec, data):
        vals = {
            "partner_id": spec["customer"].id,
            "user_id": data["admin"].id,
            "commitment_date": spec["commitment_date"],
            "warehouse_id": data["warehouse"].id,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": qty})
                for product, qty in spec["lines"]
            ],
        }
        order_fields = self.env["sale.order"]._fields
        if "pps_expected_date" in order_fields:
            vals["pps_expected_date"] = spec["expected_date"]
        if spec["kind"] == "rush" and "pps_rush" in order_fields:
            vals["pps_rush"] = True
            if "pps_serial" in order_fields:
                vals["pps_serial"] = spec["serial"]
        return vals

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _xmlid(self, name, record):
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": f"{MODULE}.{name}", "record": record, "noupdate": True}]
        )

    def _weekday(self, moment, backward=False):
        """``moment``, moved to the next (or previous) weekday when it falls
        on a weekend."""
        step = timedelta(days=-1 if backward else 1)
        while moment.weekday() >= 5:
            moment += step
        return moment

    def _backdate(self, order, receipts, productions, deliveries):
        """Move the history of a shipped order before its agreed date: the
        materials came in, the work was done and the goods left on time."""
        shipped_at = order.commitment_date - timedelta(hours=4)
        received_at = self._weekday(shipped_at - timedelta(days=4), backward=True)
        receipts.write({"date_done": received_at})
        deliveries.write({"date_done": shipped_at})
        cursor = (shipped_at - timedelta(days=2)).replace(hour=6, minute=0)
        cursor = self._weekday(cursor, backward=True)
        for production in productions:
            start = cursor
            for workorder in production.workorder_ids.sorted("sequence"):
                finish = cursor + timedelta(minutes=workorder.duration_expected or 30.0)
                workorder.with_context(bypass_duration_calculation=True).write(
                    {"date_start": cursor, "date_finished": finish}
                )
                workorder.time_ids.write({"date_start": cursor, "date_end": finish})
                cursor = finish
            production.with_context(force_date=True).write(
                {
                    "date_start": start,
                    "date_finished": max(cursor, start + timedelta(hours=1)),
                }
            )

    def _validate_pickings(self, pickings):
        for picking in pickings:
            picking.action_assign()
            for move in picking.move_ids.filtered(
                lambda m: m.state not in ("done", "cancel")
            ):
                move.quantity = move.product_uom_qty
                move.picked = True
        if pickings:
            pickings.with_context(skip_backorder=True, skip_sms=True).button_validate()
