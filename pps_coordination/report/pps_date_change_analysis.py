"""Date changes by scenario and by reason: one row per change order (SQL view).

See ``pps_delivery_kpi.py`` for the definitions. The view is empty until the
change orders' table exists; the reason category comes from the abnormality
behind the negotiation when there is one.
"""

from odoo import api, fields, models
from odoo.tools import SQL, sql


class PpsDateChangeAnalysis(models.Model):
    _name = "pps.date.change.analysis"
    _description = "Delivery Date Change Analysis"
    _auto = False
    _order = "date desc, id desc"

    name = fields.Char(string="Change Order", readonly=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Agreed By", readonly=True)
    salesperson_id = fields.Many2one("res.users", readonly=True)
    date = fields.Datetime(string="Agreed On", readonly=True)
    scenario = fields.Selection(selection="_selection_scenario", readonly=True)
    abnormality_type = fields.Selection(
        selection="_selection_abnormality_type", string="Abnormality", readonly=True
    )
    reason = fields.Char(readonly=True, help="First line of the change's reason.")
    old_date = fields.Datetime(readonly=True)
    new_date = fields.Datetime(readonly=True)
    shift_days = fields.Float(string="Shift (days)", readonly=True, aggregator="avg")
    postponed = fields.Boolean(readonly=True)

    @api.model
    def _selection_scenario(self):
        return self._pps_selection_of("pps.change.order", "scenario")

    @api.model
    def _selection_abnormality_type(self):
        return self._pps_selection_of("pps.abnormality", "abnormality_type")

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
        if not sql.table_exists(cr, "pps_change_order"):
            return SQL(
                """
                SELECT NULL::integer AS id, NULL::varchar AS name,
                       NULL::integer AS sale_order_id, NULL::integer AS company_id,
                       NULL::integer AS partner_id, NULL::integer AS user_id,
                       NULL::integer AS salesperson_id, NULL::timestamp AS date,
                       NULL::varchar AS scenario, NULL::varchar AS abnormality_type,
                       NULL::varchar AS reason, NULL::timestamp AS old_date,
                       NULL::timestamp AS new_date, NULL::float AS shift_days,
                       NULL::boolean AS postponed
                 WHERE FALSE
                """
            )
        abnormality_join = SQL("")
        abnormality_type = SQL("NULL::varchar")
        if (
            sql.column_exists(cr, "pps_change_order", "negotiation_id")
            and sql.column_exists(cr, "pps_negotiation", "abnormality_id")
            and sql.table_exists(cr, "pps_abnormality")
        ):
            abnormality_join = SQL(
                """
                LEFT JOIN pps_negotiation neg ON neg.id = co.negotiation_id
                LEFT JOIN pps_abnormality ab ON ab.id = neg.abnormality_id
                """
            )
            abnormality_type = SQL("ab.abnormality_type")
        return SQL(
            """
            SELECT co.id, co.name, co.sale_order_id,
                   so.company_id, so.partner_id, co.user_id,
                   so.user_id AS salesperson_id,
                   co.date, co.scenario, %(abnormality_type)s AS abnormality_type,
                   LEFT(SPLIT_PART(COALESCE(co.reason, ''), E'\\n', 1), 120) AS reason,
                   co.old_date, co.new_date,
                   (EXTRACT(EPOCH FROM (co.new_date - co.old_date)) / 86400.0)::float
                       AS shift_days,
                   COALESCE(co.new_date > co.old_date, FALSE) AS postponed
              FROM pps_change_order co
              JOIN sale_order so ON so.id = co.sale_order_id
              %(abnormality_join)s
            """,
            abnormality_type=abnormality_type,
            abnormality_join=abnormality_join,
        )

    @api.model
    def _pps_changes(self, date_from, date_to, company_ids=None):
        """Change orders agreed in [date_from, date_to)."""
        domain = [
            ("date", ">=", fields.Datetime.to_datetime(date_from)),
            ("date", "<", fields.Datetime.to_datetime(date_to)),
        ]
        if company_ids:
            domain.append(("company_id", "in", list(company_ids)))
        return self.search(domain)

    @api.model
    def _pps_selection_of(self, model, fname):
        """The selection of the coordination model the view reads, so the two
        never drift apart (empty while that model is not installed)."""
        if model not in self.env:
            return []
        return self.env[model]._fields[fname]._description_selection(self.env)
