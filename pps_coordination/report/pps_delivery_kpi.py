"""Delivery KPIs of the weekly meeting, as SQL views (one row per record).

``pps.delivery.kpi`` has one row per confirmed sale order. Definitions (dates are
compared as UTC calendar days):

- **promised date** (``agreed_date``): the agreed date (``commitment_date``); when
  no date was agreed, the order's delivery date (the expected date).
- **first promised date**: the old date of the order's first change order, else the
  promised date: what we told the customer first.
- **shipped date**: the last ``date_done`` of the order's done customer deliveries,
  once the order is fully shipped (``pps_progress = 'shipped'``).
- **overdue**: not shipped and its delivery day has passed (``pps_overdue``, the
  flag of the Late audit): the order is late already, shipped or not.
- **measured on** (``measure_date``): the day an order counts in the KPIs -- its
  shipped date, or *today* for an overdue order not shipped yet (it counts as
  late every day until it ships, then on its shipped date). Orders open and
  not yet due are not measured.
- **delay** (days): shipped date - promised date, negative when early; for an
  overdue order, the days late so far (today - promised date).
- **on time**: shipped on or before the promised date (an overdue order is not).
- **in full**: the *first* shipment delivered the full ordered quantity of every
  goods line (no short or split shipment). Quantities are compared in the order
  line's unit; kits (phantom BoMs) are compared on their components' moves.
- **OTIF**: on time and in full.
- **promise accuracy** (days): absolute value of the delay.
- **date changes**: number of change orders of the order.

The rates ``on_time_rate`` and ``otif_rate`` are 100 or 0 on measured orders
(an overdue order counts 0: it is late, whether it has shipped or not) and
empty otherwise, so their average in a pivot or graph is the rate over the
measured orders of the group: nine orders overdue and unshipped can no longer
hide behind a 100 % of the few that shipped. ``in_full_rate`` is about the
first shipment, so it is measured on shipped orders only.

``pps.date.change.analysis`` has one row per change order, for date changes by
scenario and by reason (the abnormality type when the change came from one, and
the first line of the free-text reason).

Both views are rebuilt at each module update; the parts that read
``pps_change_order``/``pps_negotiation``/``pps_abnormality`` only when these
tables exist.
"""

from odoo import api, fields, models
from odoo.tools import SQL, sql

from ..models.sale_order import PPS_PROGRESS


class PpsDeliveryKpi(models.Model):
    _name = "pps.delivery.kpi"
    _description = "Delivery Performance (OTD / OTIF)"
    _auto = False
    _order = "agreed_date desc, id desc"
    _rec_name = "sale_order_id"

    sale_order_id = fields.Many2one("sale.order", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    date_order = fields.Datetime(string="Order Date", readonly=True)
    agreed_date = fields.Datetime(string="Promised Date", readonly=True)
    expected_date = fields.Datetime(readonly=True)
    first_promised_date = fields.Datetime(readonly=True)
    first_shipment_date = fields.Datetime(readonly=True)
    shipped_date = fields.Datetime(readonly=True)
    progress = fields.Selection(PPS_PROGRESS, readonly=True)
    overdue = fields.Boolean(
        readonly=True, help="Not shipped, and its delivery day has passed."
    )
    shipped = fields.Boolean(readonly=True)
    measure_date = fields.Datetime(
        string="Measured On",
        readonly=True,
        help="The day the order counts in the KPIs: its shipped date, or today "
        "for an overdue order not shipped yet (late until it ships).",
    )
    on_time = fields.Boolean(readonly=True)
    in_full = fields.Boolean(readonly=True)
    otif = fields.Boolean(string="OTIF", readonly=True)
    delay_days = fields.Float(
        string="Delay (days)",
        readonly=True,
        aggregator="avg",
        help="Shipped date minus promised date; for an overdue order, the days "
        "late so far.",
    )
    late_days = fields.Float(
        string="Days Late",
        readonly=True,
        aggregator="avg",
        help="Delay of the late orders: shipped late, or overdue (days so far).",
    )
    promise_accuracy_days = fields.Float(
        string="Promise Accuracy (days)",
        readonly=True,
        aggregator="avg",
        help="Days between the promised date and the actual shipment, early or late.",
    )
    on_time_rate = fields.Float(
        string="On-Time Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Average over the measured orders: shipped, or overdue (late).",
    )
    in_full_rate = fields.Float(
        string="In-Full Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Average over the shipped orders (the first shipment was complete).",
    )
    otif_rate = fields.Float(
        string="OTIF Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Average over the measured orders: shipped, or overdue (late).",
    )
    date_change_count = fields.Integer(
        string="Date Changes", readonly=True, aggregator="sum"
    )
    shipped_count = fields.Integer(
        string="Shipped Orders", readonly=True, aggregator="sum"
    )
    overdue_count = fields.Integer(
        string="Overdue Orders",
        readonly=True,
        aggregator="sum",
        help="Orders not shipped whose delivery day has passed.",
    )

    def init(self):
        sql.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                self._pps_query(),
            )
        )

    @api.model
    def _pps_query(self):
        cr = self.env.cr
        if sql.column_exists(cr, "sale_order", "pps_expected_date"):
            expected = SQL("COALESCE(so.pps_expected_date, so.pps_delivery_date)")
        else:
            expected = SQL("so.pps_delivery_date")
        if sql.table_exists(cr, "pps_change_order"):
            changes = SQL(
                """
                SELECT DISTINCT ON (co.sale_order_id)
                       co.sale_order_id AS order_id,
                       co.old_date AS first_date,
                       COUNT(*) OVER (PARTITION BY co.sale_order_id) AS change_count
                  FROM pps_change_order co
              ORDER BY co.sale_order_id, co.date, co.id
                """
            )
        else:
            changes = SQL(
                "SELECT NULL::integer AS order_id, NULL::timestamp AS first_date, "
                "0::bigint AS change_count WHERE FALSE"
            )
        return SQL(
            """
            WITH goods_line AS (
                SELECT sol.id, sol.order_id, sol.product_uom_qty
                  FROM sale_order_line sol
                  JOIN product_product pp ON pp.id = sol.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE sol.display_type IS NULL AND pt.type = 'consu'
            ), shipment AS (
                SELECT sp.sale_id AS order_id,
                       MIN(sp.date_done) AS first_date,
                       MAX(sp.date_done) AS last_date
                  FROM stock_picking sp
                  JOIN stock_location sl ON sl.id = sp.location_dest_id
                 WHERE sp.state = 'done' AND sl.usage = 'customer'
                   AND sp.sale_id IS NOT NULL
              GROUP BY sp.sale_id
            ), first_shipment AS (
                SELECT gl.order_id,
                       BOOL_AND(COALESCE(q.qty, 0) >= gl.product_uom_qty - 0.00001)
                           AS in_full
                  FROM goods_line gl
                  JOIN shipment sh ON sh.order_id = gl.order_id
             LEFT JOIN LATERAL (
                    SELECT SUM(sm.quantity) AS qty
                      FROM stock_move sm
                      JOIN stock_picking sp ON sp.id = sm.picking_id
                      JOIN stock_location sl ON sl.id = sm.location_dest_id
                     WHERE sm.sale_line_id = gl.id AND sm.state = 'done'
                       AND sl.usage = 'customer' AND sp.date_done <= sh.first_date
                   ) q ON TRUE
              GROUP BY gl.order_id
            ), change AS (%(changes)s
            ), base AS (
                SELECT so.id,
                       so.company_id, so.partner_id, so.user_id, so.team_id,
                       so.date_order,
                       COALESCE(so.commitment_date, so.pps_delivery_date)
                           AS agreed_date,
                       %(expected)s AS expected_date,
                       COALESCE(ch.first_date, so.commitment_date, so.pps_delivery_date)
                           AS first_promised_date,
                       sh.first_date AS first_shipment_date,
                       CASE WHEN so.pps_progress = 'shipped' THEN sh.last_date END
                           AS shipped_date,
                       so.pps_progress AS progress,
                       COALESCE(so.pps_overdue, FALSE) AS overdue,
                       COALESCE(fs.in_full, FALSE) AS first_in_full,
                       COALESCE(ch.change_count, 0) AS date_change_count
                  FROM sale_order so
             LEFT JOIN shipment sh ON sh.order_id = so.id
             LEFT JOIN first_shipment fs ON fs.order_id = so.id
             LEFT JOIN change ch ON ch.order_id = so.id
                 WHERE so.state = 'sale'
            ), flagged AS (
                SELECT base.*,
                       base.shipped_date IS NOT NULL AS shipped,
                       (NOW() AT TIME ZONE 'UTC')::date AS today
                  FROM base
            ), measured AS (
                SELECT s.*,
                       (s.overdue AND NOT s.shipped) AS late_open,
                       CASE WHEN s.shipped
                            THEN s.shipped_date::date - s.agreed_date::date
                            WHEN s.overdue
                            THEN s.today - s.agreed_date::date
                       END AS delay
                  FROM flagged s
            )
            SELECT m.id, m.id AS sale_order_id,
                   m.company_id, m.partner_id, m.user_id, m.team_id, m.date_order,
                   m.agreed_date, m.expected_date, m.first_promised_date,
                   m.first_shipment_date, m.shipped_date, m.progress, m.overdue,
                   m.shipped,
                   CASE WHEN m.shipped THEN m.shipped_date
                        WHEN m.late_open THEN m.today::timestamp
                   END AS measure_date,
                   COALESCE(m.shipped AND m.delay <= 0, FALSE) AS on_time,
                   m.shipped AND m.first_in_full AS in_full,
                   COALESCE(m.shipped AND m.delay <= 0 AND m.first_in_full, FALSE)
                       AS otif,
                   m.delay::float AS delay_days,
                   CASE WHEN m.delay > 0 THEN m.delay::float END AS late_days,
                   ABS(m.delay)::float AS promise_accuracy_days,
                   CASE WHEN m.shipped THEN
                       CASE WHEN m.delay <= 0 THEN 100.0 ELSE 0.0 END
                        WHEN m.late_open THEN 0.0
                   END AS on_time_rate,
                   CASE WHEN m.shipped THEN
                       CASE WHEN m.first_in_full THEN 100.0 ELSE 0.0 END
                   END AS in_full_rate,
                   CASE WHEN m.shipped THEN
                       CASE WHEN m.delay <= 0 AND m.first_in_full
                            THEN 100.0 ELSE 0.0 END
                        WHEN m.late_open THEN 0.0
                   END AS otif_rate,
                   m.date_change_count,
                   CASE WHEN m.shipped THEN 1 ELSE 0 END AS shipped_count,
                   CASE WHEN m.late_open THEN 1 ELSE 0 END AS overdue_count
              FROM measured m
            """,
            changes=changes,
            expected=expected,
        )

    @api.model
    def _pps_period_domain(self, date_from, date_to, company_ids=None):
        """Rows measured in [date_from, date_to): the orders shipped in the
        period, and -- when the period holds today -- the orders overdue and
        not shipped yet (see ``measure_date``)."""
        domain = [
            ("measure_date", ">=", fields.Datetime.to_datetime(date_from)),
            ("measure_date", "<", fields.Datetime.to_datetime(date_to)),
        ]
        if company_ids:
            domain.append(("company_id", "in", list(company_ids)))
        return domain

    @api.model
    def _pps_summary(self, date_from, date_to, company_ids=None):
        """KPI numbers of the orders measured in [date_from, date_to) (shipped
        in the period, or overdue and unshipped today when the period holds
        today), and date changes agreed in that period. Used by the weekly
        meeting screen and report.

        :return: dict with ``measured_count`` (shipped + overdue),
            ``shipped_count``, ``overdue_count``, ``on_time_count``,
            ``late_count`` (shipped late or overdue), ``otd_rate``,
            ``otif_count``, ``otif_rate`` (rates over the measured orders),
            ``in_full_rate`` (over the shipped orders), ``avg_delay``,
            ``avg_late_delay``, ``promise_accuracy`` (days; an overdue order
            counts its days late so far), ``date_change_count``,
            ``changed_order_count``, ``changes_per_order``. Rates are in %; a
            rate or an average with nothing to measure is None ("n/a"), never
            a 0 that reads as "always late" or "never late".
        """
        self.env.flush_all()
        rows = self.search(self._pps_period_domain(date_from, date_to, company_ids))
        shipped = rows.filtered("shipped")
        late = rows.filtered(lambda r: r.delay_days > 0)
        changes = self.env["pps.date.change.analysis"]._pps_changes(
            date_from, date_to, company_ids
        )

        def mean(values):
            values = list(values)
            return round(sum(values) / len(values), 2) if values else None

        def rate(count, base):
            return round(100.0 * count / len(base), 2) if base else None

        on_time = len(rows.filtered("on_time"))
        otif = len(rows.filtered("otif"))
        changed_orders = len(changes.sale_order_id)
        return {
            "measured_count": len(rows),
            "shipped_count": len(shipped),
            "overdue_count": len(rows - shipped),
            "on_time_count": on_time,
            "late_count": len(late),
            "otd_rate": rate(on_time, rows),
            "otif_count": otif,
            "otif_rate": rate(otif, rows),
            "in_full_rate": rate(len(shipped.filtered("in_full")), shipped),
            "avg_delay": mean(rows.mapped("delay_days")),
            "avg_late_delay": mean(late.mapped("delay_days")),
            "promise_accuracy": mean(rows.mapped("promise_accuracy_days")),
            "date_change_count": len(changes),
            "changed_order_count": changed_orders,
            "changes_per_order": round(len(changes) / changed_orders, 2)
            if changed_orders
            else None,
        }
