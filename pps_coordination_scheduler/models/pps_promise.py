"""Capable-to-promise: when can an order be delivered, and why.

What it is
----------
``pps.promise`` answers "when can we deliver this order?" from the data in
force (stock, supply already on its way, the current finite-capacity plan)
and says which constraint binds the answer. It is a simulation: it reads,
calls the engine's greedy ``dispatch`` in memory and writes nothing.
``sale.order.pps_quote_delivery_date()`` is its public entry point; the
negotiation (``pps.negotiation._pps_compute_promise``) and the simulated
demands of the long-term horizon use it.

How it works
------------
1. *Stock*: when free stock (on hand, not reserved) covers every line, the
   order is ready now; the answer is now plus the customer lead time.
2. *Reallocation*: for what free stock does not cover, stock reserved for
   other orders with later agreed dates that could be replenished before
   they need it, and planned work of such orders that could run later and
   still finish on time, are reported as ``options``. Nothing is moved.
3. *Insertion*: the shortage is exploded over every BoM level (free stock,
   substitutes and unpegged incoming supply -- purchase receipts, planned
   production of shared semi-finished goods, co- and by-products -- net it
   level by level). Each manufactured level becomes a job whose routing
   gives the operations (durations computed as Odoo does for work orders);
   purchased components give the job its release (receipt date plus the
   material buffer). Every planned work order of other orders is a fixed
   obstacle, so nothing locked, frozen or planned moves, and so is every
   slot other quotations hold (``pps.capacity.hold``, active and not
   expired); ``dispatch`` places the new operations (``placed`` in the
   answer: what a hold of this quote would keep). Rush orders may use the
   rush reserve. The answer is the completion plus the company's security
   lead time.
4. A non-rush answer never falls inside the order's standard lead time.
5. The binding constraint is found by re-running the insertion without
   obstacles (capacity), with all materials on hand (material), and by
   reading where the inserted operations waited longest (bottleneck work
   center and day) and whether an abnormality took that capacity away.
"""

import math
from collections import defaultdict
from datetime import datetime, timedelta
from typing import NamedTuple

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_round

from odoo.addons.pps_coordination.const import OPEN_WORKORDER_STATES
from odoo.addons.pps_coordination.tools.wording import (
    format_day,
    format_duration,
    format_moment,
)

from ..engine import (
    Assignment,
    Job,
    Mode,
    Operation,
    Precedence,
    ProblemData,
    Resource,
    dispatch,
)
from ..engine import changeovers as planned_changeovers
from ..engine.dispatch import Unschedulable
from ..planning_time import (
    cut_windows,
    local_date,
    planning_tz,
    to_datetime,
    to_minutes,
    week_span,
)
from .pps_schedule_problem import MAX_HORIZON_DAYS

#: Days of calendar searched beyond the latest obstacle or material receipt.
PROMISE_MARGIN_DAYS = 120
#: Deepest BoM explosion before the BoM is taken for cyclic.
MAX_BOM_DEPTH = 30
#: Weight that puts the quoted order before everything movable (options).
QUOTE_WEIGHT = 10_000


class _Planned(NamedTuple):
    """A planned work order of another order, as the promise reads it."""

    id: int
    workcenter_id: int
    production_id: int
    production_name: str
    operation_id: int | None
    duration: float  # expected minutes (``duration_expected``)
    date_start: datetime
    date_finished: datetime
    label: str  # "<manufacturing order> - <work order>"


class PpsPromise(models.AbstractModel):
    _name = "pps.promise"
    _description = "PPS capable-to-promise"

    # ------------------------------------------------------------------
    # entry point
    # ------------------------------------------------------------------
    @api.model
    def _quote(self, order):
        """The capable-to-promise answer for ``order`` (a record or a new record).

        :returns: ``{"date", "explanation", "reasons", "binding", "options",
            "bottleneck", "material", "completion", "clamped", "abnormalities",
            "placed"}``; ``binding`` is ``stock``, ``capacity``, ``material``,
            ``abnormality`` or ``lead_time``; ``explanation`` is ``reasons``
            (why this date) followed by the options, one sentence each. Dates
            and durations in the sentences are in the user's time zone and
            words (``pps_coordination.tools.wording``). ``placed`` lists the
            inserted operations where the answer puts them (``workcenter_id``,
            ``date_start``, ``date_end``, ``product_id``, ``operation_id``,
            ``label``): what a capacity hold keeps (``pps.capacity.hold``).
        """
        order = order.sudo()
        state = self._prepare_state(order)
        lines = order.order_line.filtered(
            lambda line: (
                not line.display_type
                and line.product_id.type == "consu"
                and line.product_uom_qty > 0
            )
        )
        if not lines and order.order_line.filtered(
            lambda line: not line.display_type and line.product_id.type == "consu"
        ):
            raise UserError(
                self.env._(
                    "%(order)s has nothing to deliver: the quantity of every "
                    "product line is zero or less. Enter the quantities the "
                    "customer orders, then quote a date.",
                    order=order.display_name,
                )
            )
        result = {
            "date": None,
            "explanation": "",
            "reasons": "",
            "binding": "stock",
            "options": [],
            "bottleneck": {},
            "material": {},
            "completion": None,
            "clamped": False,
            "abnormalities": [],
            "placed": [],
        }
        sentences = []
        stock_ready = state["now"]
        shortages = []
        lead_days = 0.0
        for line in lines:
            product = line.product_id
            qty = line.product_uom_id._compute_quantity(
                line.product_uom_qty, product.uom_id
            )
            missing = self._take_stock(state, product, qty)
            if product.uom_id.compare(missing, 0.0) > 0:
                shortages.append((line, product, missing))
            else:
                # Lines from stock: the customer lead time; the others are
                # delivered from their production (security lead time).
                lead_days = max(lead_days, line.customer_lead or 0.0)
        stock_date = stock_ready + timedelta(days=lead_days)
        if not shortages:
            result["date"] = stock_date
            if lead_days:
                sentences.append(
                    self.env._(
                        "Free stock covers every line: ready now, delivered after "
                        "the customer lead time of %(lead)s.",
                        lead=format_duration(self.env, lead_days),
                    )
                )
            else:
                sentences.append(
                    self.env._("Free stock covers every line: deliverable now.")
                )
        else:
            for _line, product, missing in shortages:
                result["options"] += self._stock_options(state, order, product, missing)
            self._insert(state, order, shortages, result, sentences, stock_date)
        self._clamp(order, result, sentences)
        result["reasons"] = " ".join(sentences)
        result["explanation"] = " ".join(
            sentences
            + [
                self.env._("Option: %(text)s", text=option["text"])
                for option in result["options"]
            ]
        )
        return result

    # ------------------------------------------------------------------
    # state of the simulation: now, company, stock pool, supply
    # ------------------------------------------------------------------
    @api.model
    def _prepare_state(self, order):
        company = order.company_id or self.env.company
        warehouse = order.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        own_productions = (
            order._pps_productions().sudo()
            if order.ids
            else (self.env["mrp.production"])
        )
        own_productions = own_productions.filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        own_moves = (
            order.order_line.move_ids
            | own_productions.move_raw_ids
            | own_productions.move_finished_ids
        ).filtered(lambda m: m.state not in ("done", "cancel"))
        return {
            "now": fields.Datetime.now().replace(microsecond=0),
            "company": company,
            # the quote's own holds are no obstacle to it (a re-hold, a confirmation)
            "order": order.browse([i for i in order.ids if isinstance(i, int)]),
            "warehouse": warehouse,
            "rush": bool(order.pps_rush),
            "own_productions": own_productions,
            "own_moves": own_moves,
            "pool": {},  # product id -> free quantity left for this order
            "supply": {},  # product id -> [[date, qty, label]] left, by date
            "notes": [],  # material notes (substitutes, missing vendors)
        }

    @api.model
    def _free_qty(self, state, product):
        """Free stock of ``product`` for this order, consumed as the quote goes."""
        pool = state["pool"]
        if product.id not in pool:
            product_wh = product.with_context(warehouse_id=state["warehouse"].id)
            free = product_wh.free_qty if product.is_storable else 0.0
            own_reserved = sum(
                move.quantity
                for move in state["own_moves"]
                if move.product_id == product
                and move.location_id.usage == "internal"
                and move.state in ("assigned", "partially_available")
            )
            pool[product.id] = max(free, 0.0) + own_reserved
        return pool[product.id]

    @api.model
    def _take_stock(self, state, product, qty):
        """Take ``qty`` of ``product`` from free stock; return what is missing.

        Products that are not tracked in stock (consumables) count as available
        unless they are manufactured.
        """
        if not product.is_storable:
            if self._find_bom(state, product):
                return qty
            return 0.0
        free = self._free_qty(state, product)
        taken = min(free, qty)
        state["pool"][product.id] = free - taken
        return qty - taken

    @api.model
    def _supply_events(self, state, product):
        """Incoming supply of ``product`` nobody else waits for, by date.

        Purchase receipts, planned production of shared semi-finished goods and
        the co- and by-products of open manufacturing orders, when their moves
        feed no other demand (no destination move, or only this order's).
        """
        supply = state["supply"]
        if product.id not in supply:
            moves = (
                self.env["stock.move"]
                .sudo()
                .search(
                    [
                        ("product_id", "=", product.id),
                        ("state", "not in", ("draft", "done", "cancel")),
                        ("location_dest_id.usage", "=", "internal"),
                        ("location_id.usage", "not in", ("internal", "transit")),
                        ("company_id", "=", state["company"].id),
                    ],
                    order="date, id",
                )
            )
            events = []
            own = state["own_moves"]
            for move in moves:
                if (
                    move.production_id
                    and move.production_id in state["own_productions"]
                ):
                    continue
                if move.move_dest_ids and (move.move_dest_ids - own):
                    continue
                qty = move.product_uom._compute_quantity(
                    move.product_uom_qty, product.uom_id
                )
                if move.production_id:
                    kind = (
                        self.env._("by-product of %(mo)s", mo=move.production_id.name)
                        if move.product_id != move.production_id.product_id
                        else self.env._(
                            "planned production %(mo)s", mo=move.production_id.name
                        )
                    )
                else:
                    kind = self.env._(
                        "receipt %(ref)s",
                        ref=move.reference or move.origin or move.display_name,
                    )
                events.append([max(move.date, state["now"]), qty, kind])
            supply[product.id] = events
        return supply[product.id]

    @api.model
    def _take_supply(self, state, product, qty):
        """Cover ``qty`` from incoming supply: (date covered, label) or None."""
        events = self._supply_events(state, product)
        if product.uom_id.compare(sum(e[1] for e in events), qty) < 0:
            return None
        left, date, label = qty, None, None
        for event in events:
            if left <= 0:
                break
            taken = min(event[1], left)
            event[1] -= taken
            left -= taken
            date, label = event[0], event[2]
        return date, label

    @api.model
    def _find_bom(self, state, product):
        """The BoM making (normal) or composing (kit) ``product``, cached."""
        cache = state.setdefault("boms", {})
        if product.id not in cache:
            boms = (
                self.env["mrp.bom"]
                .sudo()
                ._bom_find(product, company_id=state["company"].id)
            )
            bom = boms[product]
            cache[product.id] = (
                bom if bom.type in ("normal", "phantom") else bom.browse()
            )
        return cache[product.id]

    # ------------------------------------------------------------------
    # step 2: options -- stock of later orders
    # ------------------------------------------------------------------
    @api.model
    def _stock_options(self, state, order, product, missing):
        """Stock reserved for orders with later agreed dates that could be
        replenished before those orders need it. Reported, never done."""
        if not product.is_storable:
            return []
        replenish = self._replenish_date(state, product, missing)
        if not replenish:
            return []
        buffer = timedelta(days=state["company"].pps_material_buffer_days)
        moves = (
            self.env["stock.move"]
            .sudo()
            .search(
                [
                    ("product_id", "=", product.id),
                    ("state", "in", ("assigned", "partially_available")),
                    ("location_id.usage", "=", "internal"),
                    ("company_id", "=", state["company"].id),
                ]
            )
            - state["own_moves"]
        )
        by_order = defaultdict(float)
        for move in moves:
            other = (
                move.sale_line_id.order_id
                or move.raw_material_production_id.pps_sale_order_id
            )
            if not other or other == order or not other.commitment_date:
                continue
            needed = min(move.date, other.commitment_date)
            if move.raw_material_production_id:
                needed = min(
                    needed, move.raw_material_production_id.date_start - buffer
                )
            if other.commitment_date <= state["now"] or replenish > needed:
                continue
            by_order[other] += move.product_uom._compute_quantity(
                move.quantity, product.uom_id
            )
        if not by_order:
            return []
        orders = self.env["sale.order"].concat(
            *sorted(by_order, key=lambda o: o.commitment_date, reverse=True)
        )
        qty = sum(by_order.values())
        covers = product.uom_id.compare(qty, missing) >= 0
        text = self.env._(
            "%(qty)s %(uom)s of %(product)s are reserved for %(orders)s, agreed later; "
            "they could be replenished by %(date)s, before they are needed. "
            "Reallocating them %(covers)s the shortage of %(missing)s.",
            qty=_qty(product.uom_id.round(qty)),
            uom=product.uom_id.name,
            product=product.display_name,
            orders=", ".join(orders.mapped("name")),
            date=format_moment(self.env, replenish),
            covers=self.env._("covers") if covers else self.env._("reduces"),
            missing=_qty(product.uom_id.round(missing)),
        )
        return [
            {
                "kind": "stock",
                "text": text,
                "order_ids": orders.ids,
                "orders": orders.mapped("name"),
                "product_id": product.id,
                "qty": qty,
                "covers": covers,
                "date": state["now"],
            }
        ]

    @api.model
    def _replenish_date(self, state, product, qty):
        """When ``qty`` more of ``product`` could be in stock: bought or made."""
        seller = product._select_seller(quantity=qty, uom_id=product.uom_id)
        if seller:
            return state["now"] + timedelta(days=self._purchase_days(state, seller))
        bom = self._find_bom(state, product)
        if bom:
            return state["now"] + timedelta(
                days=bom.produce_delay + bom.days_to_prepare_mo
            )
        return None

    @api.model
    def _purchase_days(self, state, seller):
        return (seller.delay or 0) + (state["company"].days_to_purchase or 0.0)

    # ------------------------------------------------------------------
    # step 3: insertion into the current schedule
    # ------------------------------------------------------------------
    @api.model
    def _insert(self, state, order, shortages, result, sentences, stock_date):
        """Explode the shortages, place their operations around the current plan.

        Sets the completion and the date: the completion plus the security
        lead time, or ``stock_date`` (the lines delivered from stock, after
        their customer lead time) when that is later.
        """
        plan = {"jobs": [], "materials": []}
        tops = []
        for _line, product, missing in shortages:
            tops.append(
                self._explode(state, plan, product, missing, parent=None, depth=0)
            )
        for job in reversed(plan["jobs"]):
            parent = job["parent"]
            if parent is not None and not job["ops"]:
                # A level without routing passes its waiting time to its parent.
                wait = job["release"] + int(job["delay_days"] * 1440)
                plan["jobs"][parent]["release"] = max(
                    plan["jobs"][parent]["release"], wait
                )
        problem = self._build(state, plan)
        completion = self._run(state, plan, problem, tops)
        result["completion"] = completion
        result["placed"] = self._placed(state, plan, problem)
        relaxed_capacity = self._run(
            state, plan, self._build(state, plan, obstacles=False, raw=True), tops
        )
        relaxed_material = self._run(
            state, plan, self._build(state, plan, releases=False), tops
        )
        delta_capacity = completion - relaxed_capacity
        delta_material = completion - relaxed_material
        changeover = self._changeover_binding(state, plan, problem, tops, completion)
        secondary = self._secondary_binding(state, plan, problem, tops, completion)
        bottleneck = self._bottleneck(state, plan, problem)
        material = max(plan["materials"], key=lambda m: m["release"], default=None)
        abnormalities = self._abnormalities(state, plan, problem, completion)
        result["abnormalities"] = [a["text"] for a in abnormalities]
        if material:
            result["material"] = {k: v for k, v in material.items() if k != "release"}
        if bottleneck:
            result["bottleneck"] = bottleneck
        zero = timedelta(0)
        if (
            secondary
            and secondary["delay"] >= delta_material
            and secondary["delay"] >= (changeover or {}).get("delay", zero)
        ):
            # people or tools short: capacity, not of a work center
            result["binding"] = "capacity"
            result["secondary"] = {"resources": secondary["resources"]}
            sentences.append(secondary["text"])
        elif changeover and changeover["delay"] >= delta_material:
            # what the changeovers cost is capacity of their work centers
            result["binding"] = "capacity"
            result["changeover"] = {
                key: value for key, value in changeover.items() if key != "delay"
            }
            sentences.append(changeover["text"])
        elif delta_material > zero and delta_material >= delta_capacity and material:
            result["binding"] = "material"
            sentences.append(self._material_sentence(state, material))
        elif bottleneck and (delta_capacity > zero or not material):
            result["binding"] = (
                "abnormality" if bottleneck.get("abnormality") else "capacity"
            )
            sentences.append(self._bottleneck_sentence(bottleneck))
        elif material:
            result["binding"] = "material"
            sentences.append(self._material_sentence(state, material))
        else:
            result["binding"] = "capacity"
        count = sum(len(job["ops"]) for job in plan["jobs"])
        date = format_moment(self.env, completion)
        sentences.append(
            self.env._(
                "Production of the shortage can complete on %(date)s (1 operation "
                "inserted into the current schedule, nothing planned moved).",
                date=date,
            )
            if count == 1
            else self.env._(
                "Production of the shortage can complete on %(date)s (%(count)s "
                "operations inserted into the current schedule, nothing planned "
                "moved).",
                date=date,
                count=count,
            )
        )
        sentences.append(self._delivery_sentence(state, result, completion, stock_date))
        for abnormality in abnormalities:
            sentences.append(abnormality["text"])
        sentences += state["notes"]
        options = self._capacity_options(state, order, plan, problem, tops, completion)
        result["options"] += options

    @api.model
    def _changeover_binding(self, state, plan, problem, tops, completion):
        """What the changeovers between setup families cost the quote: the
        insertion again without them, and, when it completes earlier, the
        delay (``timedelta``), the work centers (names, ``workcenters``) of
        the changeovers before the quote's operations, their ``minutes`` and
        a sentence (``text``). Empty when they cost nothing."""
        data = problem["data"]
        if not data.has_changeovers:
            return {}
        relaxed = self._run(
            state, plan, self._build(state, plan, changeovers=False), tops
        )
        delay = completion - relaxed
        if delay <= timedelta(0):
            return {}
        setups = planned_changeovers(data, problem["assignments"])
        centers, minutes = [], 0
        for index in problem["keys"].values():
            if index in setups:
                minutes += setups[index]
                name = problem["centers"][problem["assignments"][index].resource]
                if name.display_name not in centers:
                    centers.append(name.display_name)
        if not centers:  # the changeovers are those the plan around it needs
            resources = {problem["assignments"][i].resource for i in setups}
            centers = sorted(problem["centers"][r].display_name for r in resources)
        return {
            "delay": delay,
            "workcenters": centers,
            "minutes": minutes,
            "text": self.env._(
                "Changeovers between setup families on %(workcenters)s hold the "
                "production of the shortage back by %(delay)s.",
                workcenters=", ".join(centers),
                delay=format_duration(self.env, delay),
            ),
        }

    @api.model
    def _secondary_binding(self, state, plan, problem, tops, completion):
        """What the operators and fixtures cost the quote: the insertion
        again without them, and, when it completes earlier, the delay
        (``timedelta``), the names of those the quote's operations need
        (``resources``) and a sentence (``text``). Empty when they cost
        nothing."""
        data = problem["data"]
        if not data.has_secondaries:
            return {}
        relaxed = self._run(
            state, plan, self._build(state, plan, secondaries=False), tops
        )
        delay = completion - relaxed
        if delay <= timedelta(0):
            return {}
        names = []
        for index in problem["keys"].values():
            for s in data.operations[index].requires:
                name = data.secondaries[s].ref
                if name not in names:
                    names.append(name)
        return {
            "delay": delay,
            "resources": names,
            "text": self.env._(
                "The operators and fixtures it needs (%(resources)s) are taken "
                "by other work: they hold the production of the shortage back "
                "by %(delay)s.",
                resources=", ".join(names),
                delay=format_duration(self.env, delay),
            ),
        }

    @api.model
    def _delivery_sentence(self, state, result, completion, stock_date):
        """Set the date from the completion and say what lies between them:
        the security lead time, or the customer lead time of the lines
        delivered from stock when that ends later."""
        security_days = state["company"].security_lead or 0.0
        by_production = completion + timedelta(days=security_days)
        result["date"] = max(by_production, stock_date)
        date = format_moment(self.env, result["date"])
        if stock_date > by_production:
            return self.env._(
                "The lines delivered from stock need the customer lead time of "
                "%(lead)s: delivery on %(date)s.",
                lead=format_duration(self.env, stock_date - state["now"]),
                date=date,
            )
        if security_days:
            return self.env._(
                "Delivery %(lead)s after completion (the security lead time), on "
                "%(date)s.",
                lead=format_duration(self.env, security_days),
                date=date,
            )
        return self.env._("Delivery on completion (no security lead time).")

    @api.model
    def _placed(self, state, plan, problem):
        """The inserted operations where the answer puts them, in order."""
        placed = []
        for (j, n), index in sorted(problem["keys"].items()):
            assignment = problem["assignments"][index]
            job = plan["jobs"][j]
            operation = job["ops"][n]["operation"]
            placed.append(
                {
                    "workcenter_id": problem["centers"][assignment.resource].id,
                    "date_start": to_datetime(state["now"], assignment.start),
                    "date_end": to_datetime(state["now"], assignment.end),
                    "product_id": job["product"].id,
                    "operation_id": operation.id,
                    "label": f"{job['product'].display_name} - {operation.name}",
                }
            )
        return placed

    @api.model
    def _explode(self, state, plan, product, qty, parent, depth):
        """Add the job making ``qty`` of ``product`` and, below it, its shortages.

        :returns: the job index
        """
        if depth > MAX_BOM_DEPTH:
            raise UserError(
                self.env._(
                    "The bill of materials of %(product)s is cyclic (more than "
                    "%(depth)s levels): fix it before quoting.",
                    product=product.display_name,
                    depth=MAX_BOM_DEPTH,
                )
            )
        bom = self._find_bom(state, product)
        index = len(plan["jobs"])
        job = {
            "product": product,
            "qty": qty,
            "bom": bom,
            "ops": [],
            "release": 0,
            "parent": parent,
            "children": [],
            "delay_days": 0.0,
        }
        plan["jobs"].append(job)
        if parent is not None:
            plan["jobs"][parent]["children"].append(index)
        if not bom:
            # Bought (or unknown) finished product: its supply is the job's release.
            self._material(state, plan, job, product, qty)
            return index
        factor = product.uom_id._compute_quantity(qty, bom.product_uom_id) / (
            bom.product_qty or 1.0
        )
        boms_done, lines_done = bom.explode(product, factor)
        for done_bom, values in boms_done:
            for operation in done_bom.operation_ids.sorted(
                lambda o: (o.sequence, o.id)
            ):
                if operation._skip_operation_line(values["product"]):
                    continue
                job["ops"].append(self._operation(state, operation, product, qty))
        if not job["ops"]:
            job["delay_days"] = bom.produce_delay or 0.0
        for bom_line, values in lines_done:
            component = bom_line.product_id
            if component.type != "consu":
                continue
            need = bom_line.product_uom_id._compute_quantity(
                values["qty"], component.uom_id
            )
            missing = self._take_stock(state, component, need)
            if component.uom_id.compare(missing, 0.0) <= 0:
                continue
            covered = self._take_supply(state, component, missing)
            if covered:
                self._add_material(
                    state, plan, job, component, missing, covered[0], covered[1]
                )
                continue
            if self._find_bom(state, component):
                self._explode(state, plan, component, missing, index, depth + 1)
                continue
            if self._take_substitutes(state, component, missing):
                continue
            self._material(state, plan, job, component, missing, skip_supply=True)
        return index

    @api.model
    def _take_substitutes(self, state, component, missing):
        """Cover a short component from substitutes' free stock (``pps.substitute``)."""
        substitutes = (
            self.env["pps.substitute"].sudo()._pps_for(component, state["company"])
        )
        plan = []
        left = missing
        for substitute in substitutes:
            free = self._free_qty(state, substitute.substitute_id)
            usable = min(free / substitute.ratio, left)
            if usable <= 0:
                continue
            plan.append((substitute, usable))
            left -= usable
            if component.uom_id.compare(left, 0.0) <= 0:
                break
        if component.uom_id.compare(left, 0.0) > 0:
            return False
        for substitute, usable in plan:
            product = substitute.substitute_id
            state["pool"][product.id] -= usable * substitute.ratio
            state["notes"].append(
                self.env._(
                    "%(missing)s %(uom)s of %(component)s are short: substitute "
                    "%(substitute)s (%(qty)s %(sub_uom)s in stock) covers them.",
                    missing=_qty(component.uom_id.round(usable)),
                    uom=component.uom_id.name,
                    component=component.display_name,
                    substitute=product.display_name,
                    qty=_qty(product.uom_id.round(usable * substitute.ratio)),
                    sub_uom=product.uom_id.name,
                )
            )
        return True

    @api.model
    def _material(self, state, plan, job, product, qty, skip_supply=False):
        """The job waits for ``qty`` of a bought ``product``: incoming supply, or
        the vendor's lead time from now."""
        found = None if skip_supply else self._take_supply(state, product, qty)
        if found:
            self._add_material(state, plan, job, product, qty, found[0], found[1])
            return
        seller = product._select_seller(quantity=qty, uom_id=product.uom_id)
        if not seller:
            state["notes"].append(
                self.env._(
                    "%(product)s is short by %(qty)s %(uom)s and has no vendor nor "
                    "bill of materials: the quote assumes it arrives in time.",
                    product=product.display_name,
                    qty=_qty(product.uom_id.round(qty)),
                    uom=product.uom_id.name,
                )
            )
            return
        date = state["now"] + timedelta(days=self._purchase_days(state, seller))
        label = self.env._(
            "%(vendor)s, %(lead)s lead time",
            vendor=seller.partner_id.display_name,
            lead=format_duration(self.env, self._purchase_days(state, seller)),
        )
        self._add_material(state, plan, job, product, qty, date, label)

    @api.model
    def _add_material(self, state, plan, job, product, qty, date, label):
        # Materials wait at the station before an operation; a bought finished
        # product has no operation to wait for.
        buffer = state["company"].pps_material_buffer_days if job["bom"] else 0
        release = max(
            0, to_minutes(state["now"], date + timedelta(days=buffer), math.ceil)
        )
        if date <= state["now"]:
            release = 0
        job["release"] = max(job["release"], release)
        plan["materials"].append(
            {
                "product_id": product.id,
                "product": product.display_name,
                "qty": qty,
                "date": date,
                "source": label,
                "release": release,
            }
        )

    @api.model
    def _operation(self, state, operation, product, qty):
        """An operation to place: its modes as (work center, working minutes)."""
        centers = (
            operation.workcenter_id | operation.workcenter_id.alternative_workcenter_ids
        )
        modes = []
        for workcenter in centers:
            if not workcenter.resource_calendar_id:
                continue
            modes.append(
                (workcenter, self._duration(operation, workcenter, product, qty))
            )
        if not modes:
            raise UserError(
                self.env._(
                    "Operation %(op)s runs on %(wc)s, which has no working calendar: "
                    "it cannot be quoted (see the schedule check).",
                    op=operation.display_name,
                    wc=operation.workcenter_id.display_name,
                )
            )
        return {"operation": operation, "modes": modes}

    @api.model
    def _duration(self, operation, workcenter, product, qty):
        """Working minutes, as Odoo computes a work order's expected duration."""
        bom_qty = operation.bom_id.product_qty or 1.0
        capacity, setup, cleanup = workcenter._get_capacity(
            product, product.uom_id, bom_qty
        )
        cycles = float_round(
            qty / (capacity or 1.0), precision_digits=0, rounding_method="UP"
        )
        minutes = (
            setup
            + cleanup
            + cycles
            * operation.time_cycle
            * 100.0
            / (workcenter.time_efficiency or 100.0)
        )
        return max(1, math.ceil(minutes))

    # ------------------------------------------------------------------
    # the engine problem
    # ------------------------------------------------------------------
    @api.model
    def _planned_rows(self, state, centers):
        """Planned work orders of other orders on ``centers`` (read once).

        The work orders of ``pps.schedule.problem._prepare_obstacles``, in the
        same order, read in one query as plain rows (:class:`_Planned`): a
        plant's thousands of planned work orders cost the ORM far more as
        records than as values.
        """
        cache = state.setdefault("obstacles", {})
        key = tuple(sorted(centers.ids))
        if key not in cache:
            cache[key] = self._read_planned(state, centers) if centers else ()
        return cache[key]

    @api.model
    def _read_planned(self, state, centers):
        """The rows of :meth:`_planned_rows`: the fields the promise uses, as
        the ORM would hold them (``execute_query`` flushes pending writes of
        the fields read and searched first)."""
        Problem = self.env["pps.schedule.problem"].sudo()
        Workorder = self.env["mrp.workorder"].sudo()
        query = Workorder._search(
            Problem._prepare_obstacles_domain(
                centers, state["own_productions"], state["now"]
            ),
            order=Workorder._order,  # as search(): _search orders nothing
        )
        names = (
            "workcenter_id",
            "production_id",
            "operation_id",
            "name",
            "duration_expected",
            "date_start",
            "date_finished",
        )
        fetched = self.env.execute_query(
            query.select(
                SQL.identifier(query.table, "id"),
                *[Workorder._field_to_sql(query.table, name, query) for name in names],
            )
        )
        if not fetched:
            return ()
        Production = self.env["mrp.production"].sudo()
        production_query = Production._search(
            [("id", "in", sorted({row[2] for row in fetched}))]
        )
        production_names = dict(
            self.env.execute_query(
                production_query.select(
                    SQL.identifier(production_query.table, "id"),
                    Production._field_to_sql(
                        production_query.table, "name", production_query
                    ),
                )
            )
        )
        duration = Workorder._fields["duration_expected"]
        rows = []
        for wo_id, center, production, operation, name, minutes, start, end in fetched:
            mo_name = production_names[production]
            rows.append(
                _Planned(
                    id=wo_id,
                    workcenter_id=center,
                    production_id=production,
                    production_name=mo_name,
                    operation_id=operation,
                    duration=duration.convert_to_cache(minutes, Workorder),
                    date_start=start,
                    date_finished=end,
                    # the work order's display name, without its compute
                    label=f"{mo_name} - {name}",
                )
            )
        return tuple(rows)

    @api.model
    def _sharing_centers(self, state, routings):
        """Work centers of planned work needing the operators or fixtures
        ``routings`` need (read once)."""
        cache = state.setdefault("sharing", {})
        key = tuple(sorted(routings.ids))
        if key not in cache:
            cache[key] = (
                self.env["pps.schedule.problem"]
                .sudo()
                ._prepare_sharing_centers(
                    routings, state["own_productions"], state["now"]
                )
            )
        return cache[key]

    @api.model
    def _held(self, state, centers):
        """Held slots of other quotations on ``centers`` (read once)."""
        cache = state.setdefault("held", {})
        key = tuple(sorted(centers.ids))
        if key not in cache:
            cache[key] = self.env["pps.capacity.hold.line"]._pps_holding(
                centers, state["now"], exclude_orders=state["order"]
            )
        return cache[key]

    @api.model
    def _windows(self, state, workcenter, horizon_end, raw=False):
        """Working windows of ``workcenter`` (``raw``: without abnormalities),
        less its locked weeks: the promise inserts nothing into a locked week.

        The calendar is read once; the capacity abnormalities take away is
        then subtracted with the scheduler's own hook.
        """
        cache = state.setdefault("windows", {})
        key = (workcenter.id, horizon_end)
        if key not in cache:
            self._read_windows(state, workcenter, horizon_end)
        windows = cache[key][0] if raw else cache[key][1]
        return self._windows_outside_locked_weeks(
            state, workcenter, horizon_end, raw, windows
        )

    @api.model
    def _read_windows(self, state, workcenters, horizon_end):
        """Read the windows of :meth:`_windows` for the ``workcenters`` not
        read yet: the calendars of the centers sharing one together, the
        abnormalities of all in one search."""
        cache = state.setdefault("windows", {})
        missing = workcenters.filtered(lambda wc: (wc.id, horizon_end) not in cache)
        if not missing:
            return
        Problem = self.env["pps.schedule.problem"].sudo()
        now = state["now"]
        calendars = Problem._prepare_calendar_windows(missing, now, horizon_end)
        abnormalities = Problem._abnormalities_by_workcenter(missing, now)
        for workcenter in missing:
            calendar = calendars[workcenter.id]
            reduced = Problem._reduce_for_abnormalities(
                workcenter, list(calendar), now, abnormalities
            )
            cache[workcenter.id, horizon_end] = (tuple(calendar), tuple(reduced))

    @api.model
    def _windows_outside_locked_weeks(
        self, state, workcenter, horizon_end, raw, windows
    ):
        """``windows`` without the working time of the center's locked weeks."""
        locks = state.get("week_locks")
        if locks is None:
            locks = state["week_locks"] = {}
            for workcenter_id, monday in self.env[
                "pps.dispatch.week.lock"
            ]._current_keys():
                locks.setdefault(workcenter_id, []).append(monday)
        mondays = locks.get(workcenter.id)
        if not mondays:
            return windows
        cache = state.setdefault("windows_week_locked", {})
        key = (workcenter.id, horizon_end, raw)
        if key not in cache:
            spans = sorted(
                week_span(state["now"], workcenter, monday) for monday in mondays
            )
            cache[key] = tuple(cut_windows(windows, spans))
        return cache[key]

    @api.model
    def _build(
        self,
        state,
        plan,
        obstacles=True,
        raw=False,
        releases=True,
        movable=None,
        changeovers=True,
        secondaries=True,
    ):
        """The problem: the quote's operations, the plan's work orders fixed.

        :param obstacles: keep other orders' planned work (False: empty plant)
        :param raw: calendars without the capacity abnormalities take away
        :param releases: keep material releases (False: everything on hand)
        :param movable: productions whose planned work may move later (options)
        :param changeovers: the work centers' changeover matrices (False:
            none, to see what they cost)
        :param secondaries: the operators and fixtures the operations need
            (False: none, to see what they cost)
        """
        Problem = self.env["pps.schedule.problem"].sudo()
        now = state["now"]
        centers = self.env["mrp.workcenter"]
        routings = self.env["mrp.routing.workcenter"]
        for job in plan["jobs"]:
            for op in job["ops"]:
                routings |= op["operation"]
                for workcenter, _minutes in op["modes"]:
                    centers |= workcenter
        if secondaries:  # planned work holding the same people or fixtures
            centers |= self._sharing_centers(state, routings)
        all_obstacles = self._planned_rows(state, centers)
        planned = all_obstacles if obstacles else ()
        held = self._held(state, centers)
        movable = movable or self.env["mrp.production"]
        release_max = max((job["release"] for job in plan["jobs"]), default=0)
        latest = max(
            [
                now,
                *[row.date_finished for row in all_obstacles],
                *held.mapped("date_end"),
            ]
        )
        horizon_end = max(latest, to_datetime(now, release_max)) + timedelta(
            days=PROMISE_MARGIN_DAYS
        )
        horizon_end = min(horizon_end, now + timedelta(days=MAX_HORIZON_DAYS))
        centers = centers.sorted("id")
        wc_index = {wc.id: i for i, wc in enumerate(centers)}
        matrices = {}
        if changeovers:
            cache = state.setdefault("changeovers", {})
            if tuple(centers.ids) not in cache:
                cache[tuple(centers.ids)] = Problem._prepare_changeovers(centers)
            matrices = cache[tuple(centers.ids)]
        self._read_windows(state, centers, horizon_end)
        resources = [
            Resource(
                key=wc.id,
                windows=self._windows(state, wc, horizon_end, raw),
                label=wc.display_name,
                changeovers=matrices.get(wc.id, {}),
            )
            for wc in centers
        ]
        jobs, operations, precedences = [], [], []
        keys = {}  # quote op (job, n) -> index
        for j, job in enumerate(plan["jobs"]):
            jobs.append(
                Job(
                    key=("quote", j),
                    label=job["product"].display_name,
                    release=job["release"] if releases else 0,
                    weight=QUOTE_WEIGHT if movable else 1,
                    rush=state["rush"],
                )
            )
            for n, op in enumerate(job["ops"]):
                keys[j, n] = len(operations)
                operations.append(
                    Operation(
                        key=("quote", j, n),
                        label=f"{job['product'].display_name} - {op['operation'].name}",
                        family=job["product"]._pps_setup_family().id or None,
                        job=j,
                        modes=tuple(
                            Mode(wc_index[wc.id], minutes)
                            for wc, minutes in op["modes"]
                        ),
                    )
                )
                if n:
                    precedences.append(Precedence(keys[j, n - 1], keys[j, n]))
        for j, job in enumerate(plan["jobs"]):
            parent = job["parent"]
            if parent is None or not job["ops"] or not plan["jobs"][parent]["ops"]:
                continue
            precedences.append(
                Precedence(keys[j, len(job["ops"]) - 1], keys[parent, 0])
            )
        production_jobs, movable_ops = self._build_plan(
            state, planned, movable, wc_index, jobs, operations, precedences
        )
        if obstacles:
            Problem._add_hold_blocks(
                held,
                wc_index,
                now,
                max(1, to_minutes(now, horizon_end)),
                jobs,
                operations,
            )
        needed = ()
        if secondaries:
            needed, operations = Problem._prepare_secondaries(
                self._routings(state, plan, operations),
                resources,
                operations,
                now,
                horizon_end,
            )
        data = ProblemData(
            resources=tuple(resources),
            jobs=tuple(jobs),
            operations=tuple(operations),
            precedences=tuple(precedences),
            horizon=max(1, to_minutes(now, horizon_end)),
            rush_share=state["company"].pps_rush_capacity_share,
            day_length=1440,
            day_offset=Problem._prepare_day_offset(state["company"], now),
            secondaries=needed,
        )
        return {
            "data": data,
            "keys": keys,
            "centers": centers,
            "windows": [r.windows for r in resources],
            "horizon_end": horizon_end,
            "production_jobs": production_jobs,
            "movable_ops": movable_ops,
        }

    @api.model
    def _routings(self, state, plan, operations):
        """Per operation of the problem, its routing operation: the quote's
        own, a planned work order's when it needs operators or fixtures
        (``pps.operation.requirement``), else none (a held slot, a routing
        needing nothing: ``_prepare_secondaries`` reads nothing from it)."""
        of_workorder = {
            row.id: row.operation_id
            for rows in state.get("obstacles", {}).values()
            for row in rows
        }
        keys = [op.key for op in operations if isinstance(op.key, int)]
        candidates = {of_workorder[key] for key in keys} - {None}
        needing = set(
            self.env["pps.operation.requirement"]
            .sudo()
            .search([("operation_id", "in", sorted(candidates))])
            .operation_id.ids
            if candidates
            else ()
        )
        Routing = self.env["mrp.routing.workcenter"].sudo()
        routings = []
        for op in operations:
            key = op.key
            if isinstance(key, tuple) and len(key) == 3 and key[0] == "quote":
                routings.append(plan["jobs"][key[1]]["ops"][key[2]]["operation"])
            elif isinstance(key, int) and of_workorder[key] in needing:
                routings.append(Routing.browse(of_workorder[key]))
            else:
                routings.append(None)
        return routings

    @api.model
    def _build_plan(
        self, state, planned, movable, wc_index, jobs, operations, precedences
    ):
        """Planned work orders (``planned``: :meth:`_planned_rows`): fixed
        obstacles, or movable (with their production's due date) for
        productions in ``movable``. Each work order is the engine work of the
        scheduler's builder, ``pps.schedule.problem._prepare_fixed_work``
        (:meth:`_fixed_work`).

        Without ``movable`` the engine jobs and operations are built once per
        answer and shared by its problems (they are immutable).
        """
        works = self._fixed_work(state, planned, wc_index)
        movable_ids = set(movable.ids)
        if not movable_ids:
            cache = state.setdefault("fixed_operations", {})
            key = (
                tuple(row.id for row in planned),
                tuple(sorted(wc_index.items())),
                len(jobs),
            )
            if key not in cache:
                cache[key] = self._fixed_operations(state, works, len(jobs))
            fixed_jobs, fixed_ops, production_jobs = cache[key]
            jobs.extend(fixed_jobs)
            operations.extend(fixed_ops)
            return dict(production_jobs), {}
        now = state["now"]
        production_jobs = {}
        movable_ops = {}
        Workorder = self.env["mrp.workorder"].sudo()
        Production = self.env["mrp.production"].sudo()
        for row, modes, current, fixed, family in works:
            moving = row.production_id in movable_ids
            if row.production_id not in production_jobs:
                production_jobs[row.production_id] = len(jobs)
                due = None
                if moving:
                    production = Production.browse(row.production_id)
                    due = max(0, to_minutes(now, self._due(state, production)))
                jobs.append(
                    Job(
                        key=("plan", row.production_id),
                        due=due,
                        label=row.production_name,
                    )
                )
            index = len(operations)
            operations.append(
                Operation(
                    key=row.id,
                    label=row.label,
                    family=family,
                    job=production_jobs[row.production_id],
                    modes=modes,
                    fixed=None if moving else fixed,
                    current=current if moving else None,
                )
            )
            if moving:
                movable_ops[Workorder.browse(row.id)] = index
        for workorder, index in movable_ops.items():
            for before in workorder.blocked_by_workorder_ids:
                if before in movable_ops:
                    precedences.append(Precedence(movable_ops[before], index))
        return production_jobs, movable_ops

    @api.model
    def _fixed_operations(self, state, works, first_job):
        """Every planned work of ``works`` as a fixed engine operation, one
        job per production from index ``first_job``: (jobs, operations,
        {production id: job index})."""
        jobs, operations, production_jobs = [], [], {}
        for row, modes, _current, fixed, family in works:
            if row.production_id not in production_jobs:
                production_jobs[row.production_id] = first_job + len(jobs)
                jobs.append(
                    Job(key=("plan", row.production_id), label=row.production_name)
                )
            operations.append(
                Operation(
                    key=row.id,
                    label=row.label,
                    family=family,
                    job=production_jobs[row.production_id],
                    modes=modes,
                    fixed=fixed,
                )
            )
        return jobs, operations, production_jobs

    @api.model
    def _fixed_work(self, state, planned, wc_index):
        """The planned work of ``planned`` (:meth:`_planned_rows`) as the
        engine sees it, built once per answer: the quote builds its problem
        several times over the same plan (as it is, without material
        releases, with movable orders for the options).

        The same work as ``pps.schedule.problem._prepare_fixed_work`` builds
        from the work orders (one builder's rules, from values: its expected
        duration on its own work center, its plan rounded outward, fixed at
        least until now, the setup family where a changeover matrix uses it;
        a plan already over is left out), in their order.

        :return: a list of ``(row, modes, current, fixed, family)``
        """
        cache = state.setdefault("fixed_work", {})
        key = (tuple(row.id for row in planned), tuple(sorted(wc_index.items())))
        if key not in cache:
            Problem = self.env["pps.schedule.problem"].sudo()
            now = state["now"]
            centers = sorted({row.workcenter_id for row in planned})
            with_matrix = set(
                self.env["pps.changeover"]
                .sudo()
                .search([("workcenter_id", "in", centers)])
                .workcenter_id.ids
                if planned
                else ()
            )
            families = (
                Problem._prepare_families(
                    self.env["mrp.workorder"]
                    .sudo()
                    .browse([r.id for r in planned if r.workcenter_id in with_matrix])
                )
                if with_matrix
                else {}
            )
            works = []
            for row in planned:
                resource = wc_index[row.workcenter_id]
                modes = (
                    Mode(resource, Problem._minutes_at_yield(row.duration or 0.0)),
                )
                # Problem._prepare_assignment: outward, at least a minute
                start = to_minutes(now, row.date_start)
                end = max(to_minutes(now, row.date_finished, math.ceil), start + 1)
                if end <= 0:
                    continue
                current = Assignment(resource=resource, mode=0, start=start, end=end)
                works.append(
                    (
                        row,
                        modes,
                        current,
                        Problem._clip_fixed(current),
                        families.get(row.id),
                    )
                )
            cache[key] = works
        return cache[key]

    @api.model
    def _run(self, state, plan, problem, tops):
        """Dispatch the problem; the quote's completion (latest top-level end)."""
        try:
            problem["assignments"] = dispatch(problem["data"], rule="priority")
        except Unschedulable as exc:
            raise UserError(
                self.env._(
                    "The order cannot be placed in the schedule: %(why)s",
                    why=str(exc),
                )
            ) from exc
        return to_datetime(state["now"], self._completion(plan, problem, tops))

    @api.model
    def _completion(self, plan, problem, tops):
        """Completion minute of the quote: each job after its children and
        materials, its operations placed by the engine."""
        assignments = problem["assignments"]
        ends = {}

        def end_of(j):
            if j in ends:
                return ends[j]
            job = plan["jobs"][j]
            value = max([job["release"], *[end_of(c) for c in job["children"]]])
            if job["ops"]:
                value = max(
                    value, assignments[problem["keys"][j, len(job["ops"]) - 1]].end
                )
            else:
                value += int(job["delay_days"] * 1440)
            ends[j] = value
            return value

        return max(end_of(j) for j in tops)

    # ------------------------------------------------------------------
    # explanation: bottleneck, material, abnormalities
    # ------------------------------------------------------------------
    @api.model
    def _bottleneck(self, state, plan, problem):
        """Where the inserted operations waited longest for capacity.

        The wait of an operation is the working time of its work center
        (calendar without abnormalities) between the moment it could start
        (release, predecessors) and its planned start.
        """
        data, assignments = problem["data"], problem["assignments"]
        raw = {}
        best = None
        now = state["now"]
        for (j, n), index in problem["keys"].items():
            a = assignments[index]
            ready = data.jobs[j].release
            for before in data.predecessors[index]:
                ready = max(ready, assignments[before].end + data.lag(before, index))
            if a.start <= ready:
                continue
            workcenter = problem["centers"][a.resource]
            if workcenter.id not in raw:
                raw[workcenter.id] = self._windows(
                    state, workcenter, problem["horizon_end"], True
                )
            wait = _working(raw[workcenter.id], ready, a.start)
            available = _working(problem["windows"][a.resource], ready, a.start)
            if wait <= 0:
                continue
            if best is None or wait > best[0]:
                best = (
                    wait,
                    available,
                    workcenter,
                    ready,
                    a,
                    plan["jobs"][j]["ops"][n],
                )
        if best is None:
            return {}
        wait, available, workcenter, ready, a, op = best
        first_day = _first_working(raw[workcenter.id], ready)
        day = local_date(to_datetime(now, first_day), planning_tz(self.env, workcenter))
        abnormality = self._abnormality_on(
            workcenter, to_datetime(now, ready), to_datetime(now, a.start)
        )
        return {
            "workcenter_id": workcenter.id,
            "workcenter": workcenter.display_name,
            "day": day,
            "ready": to_datetime(now, ready),
            "start": to_datetime(now, a.start),
            "operation": op["operation"].display_name,
            "wait_hours": round(wait / 60.0, 1),
            "abnormality": abnormality.display_name
            if abnormality and available < wait
            else "",
            "abnormality_id": abnormality.id
            if abnormality and available < wait
            else False,
        }

    @api.model
    def _abnormality_on(self, workcenter, start, stop):
        return (
            self.env["pps.abnormality"]
            .sudo()
            .search(
                [
                    ("workcenter_id", "=", workcenter.id),
                    ("state", "=", "confirmed"),
                    ("date_start", "<", stop),
                    ("date_end", ">", start),
                ],
                order="date_start",
                limit=1,
            )
        )

    @api.model
    def _abnormalities(self, state, plan, problem, completion):
        """Confirmed abnormalities on the used work centers or the materials."""
        used = self.env["mrp.workcenter"].concat(
            *[
                problem["centers"][problem["assignments"][i].resource]
                for i in problem["keys"].values()
            ]
        )
        products = self.env["product.product"].browse(
            [m["product_id"] for m in plan["materials"]]
        ) | self.env["product.product"].concat(
            *[job["product"] for job in plan["jobs"]]
        )
        domain = [
            ("state", "=", "confirmed"),
            ("date_start", "<", completion),
            "|",
            ("date_end", "=", False),
            ("date_end", ">", state["now"]),
            "|",
            ("workcenter_id", "in", used.ids),
            ("product_id", "in", products.ids),
        ]
        found = []
        for abnormality in self.env["pps.abnormality"].sudo().search(domain):
            found.append(
                {
                    "id": abnormality.id,
                    "text": self.env._(
                        "Abnormality %(name)s (%(where)s) is active from %(start)s to "
                        "%(end)s.",
                        name=abnormality.display_name,
                        where=(
                            abnormality.workcenter_id or abnormality.product_id
                        ).display_name,
                        start=format_moment(self.env, abnormality.date_start),
                        end=format_moment(self.env, abnormality.date_end) or "?",
                    ),
                }
            )
        return found

    @api.model
    def _material_sentence(self, state, material):
        product = self.env["product.product"].browse(material["product_id"])
        buffer = state["company"].pps_material_buffer_days
        values = {
            "qty": _qty(product.uom_id.round(material["qty"])),
            "uom": product.uom_id.name,
            "product": material["product"],
            "date": format_moment(self.env, material["date"]),
            "supply": material["source"],
            "buffer": format_duration(self.env, buffer),
        }
        if buffer:
            return self.env._(
                "Critical material: %(qty)s %(uom)s of %(product)s, received on "
                "%(date)s (%(supply)s), at the station %(buffer)s before its "
                "operation.",
                **values,
            )
        return self.env._(
            "Critical material: %(qty)s %(uom)s of %(product)s, received on "
            "%(date)s (%(supply)s).",
            **values,
        )

    @api.model
    def _bottleneck_sentence(self, bottleneck):
        """Where the quote waits: from when it could start to when it starts,
        in calendar time, and how much of the center's working time that is."""
        values = {
            "wc": bottleneck["workcenter"],
            "day": format_day(self.env, bottleneck["day"]),
            "op": bottleneck["operation"],
            "ready": format_moment(self.env, bottleneck["ready"]),
            "start": format_moment(self.env, bottleneck["start"]),
            "wait": format_duration(
                self.env, bottleneck["start"] - bottleneck["ready"]
            ),
            "working": _working_hours(self.env, bottleneck["wait_hours"]),
        }
        if bottleneck.get("abnormality"):
            return self.env._(
                "Bottleneck: abnormality %(abnormality)s takes capacity away on "
                "%(wc)s from %(day)s; %(op)s could start on %(ready)s but starts "
                "on %(start)s, %(wait)s later (%(working)s).",
                abnormality=bottleneck["abnormality"],
                **values,
            )
        return self.env._(
            "Bottleneck: work center %(wc)s is fully booked from %(day)s; %(op)s "
            "could start on %(ready)s but starts there on %(start)s, %(wait)s "
            "later (%(working)s).",
            **values,
        )

    # ------------------------------------------------------------------
    # step 2 again: capacity of later orders
    # ------------------------------------------------------------------
    @api.model
    def _capacity_options(self, state, order, plan, problem, tops, completion):
        """Would moving later-agreed orders' work later (still on time) help?"""
        data, assignments = problem["data"], problem["assignments"]
        # the work orders planned before the quote's operations on their
        # centers, in the order met (one browse: their productions, once each)
        before = {}
        fixed = defaultdict(list)  # resource -> its fixed work orders, in order
        for op in data.operations:
            # a held slot of another quotation (not an int key): no work order
            if op.fixed is not None and isinstance(op.key, int):
                fixed[op.fixed.resource].append(op)
        for index in problem["keys"].values():
            a = assignments[index]
            for op in fixed[a.resource]:
                if op.fixed.end <= 0 or op.fixed.start >= a.start:
                    continue
                before[op.key] = True
        # their productions, once each in the order met (from the rows read)
        production_of = {
            row.id: row.production_id
            for rows in state.get("obstacles", {}).values()
            for row in rows
        }
        production_ids = list(dict.fromkeys(production_of[key] for key in before))
        # the plant's facts, whoever quotes: a salesperson may not read the
        # other salespeople's orders (Odoo's "own documents" rule)
        Production = self.env["mrp.production"].sudo()
        # only an order agreed later can give capacity (_can_give_capacity):
        # one search leaves out the others before any of them is read
        agreed_later = set(
            Production.search(
                [
                    ("id", "in", production_ids),
                    ("pps_sale_order_id.commitment_date", ">", completion),
                ]
            ).ids
        )
        candidates = Production.browse(
            [pid for pid in production_ids if pid in agreed_later]
        ).filtered(
            lambda p: self._can_give_capacity(state, p, completion, problem["centers"])
        )
        if not candidates:
            return []
        trial = self._build(state, plan, movable=candidates)
        try:
            trial["assignments"] = dispatch(trial["data"], rule="priority")
        except Unschedulable:
            return []
        better = to_datetime(state["now"], self._completion(plan, trial, tops))
        if better >= completion - timedelta(hours=1):
            return []
        data = trial["data"]
        moved = self.env["mrp.production"]
        for workorder, index in trial["movable_ops"].items():
            production = workorder.production_id
            job = data.jobs[data.operations[index].job]
            if trial["assignments"][index].end > job.due:
                return []  # one of them would be late: no option
            if (
                trial["assignments"][index].start
                != data.operations[index].current.start
            ):
                moved |= production
        if not moved:
            return []
        orders = moved.pps_sale_order_id
        text = self.env._(
            "Moving planned work of %(orders)s (agreed later) further out would let "
            "this order complete on %(date)s instead of %(current)s, and they would "
            "still finish before their agreed dates.",
            orders=", ".join(orders.mapped("name")),
            date=format_moment(self.env, better),
            current=format_moment(self.env, completion),
        )
        return [
            {
                "kind": "capacity",
                "text": text,
                "order_ids": orders.ids,
                "orders": orders.mapped("name"),
                "production_ids": moved.ids,
                "date": better,
            }
        ]

    @api.model
    def _can_give_capacity(self, state, production, completion, centers):
        """Agreed later than this quote, not pinned, started or rushed, and all
        its open work on the quote's work centers (a locked order's plan may
        move: the lock protects its date, not its plan)."""
        order = production.pps_sale_order_id
        if (
            not order
            or not order.commitment_date
            or order.commitment_date <= completion
        ):
            return False
        if production.pps_plan_pinned or production.pps_rush:
            return False
        workorders = production.workorder_ids.filtered(
            lambda wo: wo.state in OPEN_WORKORDER_STATES
        )
        if any(wo.state == "progress" for wo in workorders):
            return False
        frozen_until = state["now"] + timedelta(days=state["company"].pps_frozen_days)
        if any(wo.date_start and wo.date_start < frozen_until for wo in workorders):
            return False
        return not (workorders.workcenter_id - centers)

    @api.model
    def _due(self, state, production):
        order = production.pps_sale_order_id
        security = timedelta(days=state["company"].security_lead or 0.0)
        return order.commitment_date - security

    # ------------------------------------------------------------------
    # step 4: the standard lead time
    # ------------------------------------------------------------------
    @api.model
    def _clamp(self, order, result, sentences):
        """A non-rush answer never falls inside the standard lead time."""
        if order.pps_rush:
            minimum = order._pps_minimum_answer_date()
            if result["date"] < minimum - timedelta(minutes=1):
                sentences.append(
                    self.env._(
                        "Rush order: the answer is inside the standard lead time "
                        "(%(lead)s), using the rush reserve.",
                        lead=format_duration(self.env, order._pps_standard_lead_days()),
                    )
                )
            return
        minimum = order._pps_minimum_answer_date()
        if result["date"] < minimum - timedelta(minutes=1):
            sentences.append(
                self.env._(
                    "The schedule allows %(date)s, but an order without the red flag "
                    "is never promised inside the standard lead time of %(lead)s: "
                    "answered %(minimum)s.",
                    date=format_moment(self.env, result["date"]),
                    lead=format_duration(self.env, order._pps_standard_lead_days()),
                    minimum=format_moment(self.env, minimum),
                )
            )
            result["date"] = minimum
            result["clamped"] = True
            result["binding"] = "lead_time"


def _qty(value):
    """A quantity without a trailing ``.0``: ``2``, ``2.5``."""
    return f"{value:g}"


def _working_hours(env, hours):
    """Working time of a work center in whole hours, for a sentence."""
    hours = round(hours)
    if hours < 1:
        return env._("less than one working hour")
    if hours == 1:
        return env._("1 working hour")
    return env._("%(n)s working hours", n=hours)


def _working(windows, start, stop):
    """Working minutes of ``windows`` inside [start, stop)."""
    total = 0
    for begin, end in windows:
        if end <= start:
            continue
        if begin >= stop:
            break
        total += min(end, stop) - max(begin, start)
    return total


def _first_working(windows, moment):
    """The first working minute at or after ``moment``."""
    for begin, end in windows:
        if end > moment:
            return max(begin, moment)
    return moment
