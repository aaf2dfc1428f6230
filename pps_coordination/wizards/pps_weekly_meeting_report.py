"""The weekly production-sales meeting: one screen and one printable report.

Choose a week (any day of it); the screen shows the week's delivery KPIs and the
size of the four audits, with buttons opening each audit, the KPI pivot and the
date changes, and a button printing the PDF report.

Periods: a week runs from Monday 00:00 to the next Monday 00:00 (UTC). KPIs are
about the orders *measured* in the week -- shipped in it, or, in the current
week, overdue and not shipped yet (late until they ship; see
``pps.delivery.kpi``) -- and the date changes *agreed* in it. A rate or an
average with nothing to measure is shown as "n/a", not 0. The audits are the
current state of the orders: work in progress *due* in the week, and all orders
late, projected late (scheduled after their agreed date) or made but not
shipped today.
"""

from datetime import timedelta

from odoo import api, fields, models

from ..models.pps_lock_mixin import marshallable
from ..models.sale_order import PPS_AUDITS


class PpsWeeklyMeetingReport(models.TransientModel):
    _name = "pps.weekly.meeting.report"
    _description = "Weekly Production-Sales Meeting"

    week_date = fields.Date(
        string="Week of",
        required=True,
        default=fields.Date.context_today,
        help="Any day of the week to review.",
    )
    date_from = fields.Date(string="From", compute="_compute_week")
    date_to = fields.Date(
        string="To", compute="_compute_week", help="Last day of the week (Sunday)."
    )
    company_ids = fields.Many2many(
        "res.company", string="Companies", default=lambda self: self.env.companies
    )
    measured_count = fields.Integer(
        string="Orders Measured",
        compute="_compute_kpis",
        help="Orders shipped in the week, plus -- in the current week -- the "
        "orders overdue and not shipped yet: what the rates are computed on.",
    )
    shipped_count = fields.Integer(string="Orders Shipped", compute="_compute_kpis")
    overdue_count = fields.Integer(
        string="Overdue, Not Shipped",
        compute="_compute_kpis",
        help="Measured orders still not shipped after their delivery day: they "
        "count as late.",
    )
    kpi_late_count = fields.Integer(string="Late Deliveries", compute="_compute_kpis")
    otd_rate = fields.Float(string="On-Time Delivery (%)", compute="_compute_kpis")
    otif_rate = fields.Float(string="OTIF (%)", compute="_compute_kpis")
    avg_delay = fields.Float(string="Average Delay (days)", compute="_compute_kpis")
    avg_late_delay = fields.Float(
        string="Average Delay when Late (days)", compute="_compute_kpis"
    )
    promise_accuracy = fields.Float(
        string="Promise Accuracy (days)", compute="_compute_kpis"
    )
    date_change_count = fields.Integer(string="Date Changes", compute="_compute_kpis")
    changes_per_order = fields.Float(
        string="Changes per Changed Order", compute="_compute_kpis"
    )
    wip_count = fields.Integer(string="Work in Progress Due", compute="_compute_kpis")
    made_not_shipped_count = fields.Integer(
        string="Made but Not Shipped", compute="_compute_kpis"
    )
    late_count = fields.Integer(string="Late Orders", compute="_compute_kpis")
    projected_late_count = fields.Integer(
        string="Projected Late", compute="_compute_kpis"
    )

    @api.depends("week_date")
    def _compute_week(self):
        for wizard in self:
            day = wizard.week_date or fields.Date.context_today(wizard)
            monday = day - timedelta(days=day.weekday())
            wizard.date_from = monday
            wizard.date_to = monday + timedelta(days=6)

    @api.depends("week_date")
    def _compute_display_name(self):
        for wizard in self:
            year, week, _day = (wizard.week_date or fields.Date.today()).isocalendar()
            wizard.display_name = self.env._(
                "Weekly Meeting, week %(week)s of %(year)s", week=week, year=year
            )

    @api.depends("week_date", "company_ids")
    def _compute_kpis(self):
        for wizard in self:
            data = wizard._pps_data(with_orders=False)
            kpis = data["kpis"]
            wizard.measured_count = kpis["measured_count"]
            wizard.shipped_count = kpis["shipped_count"]
            wizard.overdue_count = kpis["overdue_count"]
            wizard.kpi_late_count = kpis["late_count"]
            # None ("n/a") is stored as 0: the screen shows "n/a" from the
            # counts above, never these zeros.
            wizard.otd_rate = kpis["otd_rate"] or 0.0
            wizard.otif_rate = kpis["otif_rate"] or 0.0
            wizard.avg_delay = kpis["avg_delay"] or 0.0
            wizard.avg_late_delay = kpis["avg_late_delay"] or 0.0
            wizard.promise_accuracy = kpis["promise_accuracy"] or 0.0
            wizard.date_change_count = kpis["date_change_count"]
            wizard.changes_per_order = kpis["changes_per_order"] or 0.0
            wizard.wip_count = data["counts"]["wip"]
            wizard.made_not_shipped_count = data["counts"]["made_not_shipped"]
            wizard.late_count = data["counts"]["late"]
            wizard.projected_late_count = data["counts"]["projected_late"]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_previous_week(self):
        self.ensure_one()
        self.week_date = self.date_from - timedelta(days=7)
        return True

    def action_next_week(self):
        self.ensure_one()
        self.week_date = self.date_from + timedelta(days=7)
        return True

    def action_open_wip(self):
        self.ensure_one()
        return self._pps_audit_action(
            "wip", self.env._("Work in Progress Due This Week")
        )

    def action_open_made_not_shipped(self):
        self.ensure_one()
        return self._pps_audit_action(
            "made_not_shipped", self.env._("Made but Not Shipped")
        )

    def action_open_late(self):
        self.ensure_one()
        return self._pps_audit_action("late", self.env._("Late Orders"))

    def action_open_projected_late(self):
        self.ensure_one()
        return self._pps_audit_action(
            "projected_late", self.env._("Projected Late Orders")
        )

    def action_open_kpis(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pps_coordination.pps_delivery_kpi_action"
        )
        start, stop = self._pps_period()
        action["domain"] = self.env["pps.delivery.kpi"]._pps_period_domain(
            start, stop, self.company_ids.ids
        )
        action["context"] = {"search_default_groupby_customer": 1}
        return action

    def action_open_date_changes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pps_coordination.pps_date_change_analysis_action"
        )
        start, stop = self._pps_period()
        action["domain"] = [("date", ">=", start), ("date", "<", stop)]
        action["context"] = {"search_default_groupby_scenario": 1}
        return action

    def action_print(self):
        self.ensure_one()
        # Odoo's report action holds ``"data": None``, which XML-RPC refuses.
        return marshallable(
            self.env.ref(
                "pps_coordination.action_report_pps_weekly_meeting"
            ).report_action(self)
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------

    def _pps_period(self):
        """The week as UTC datetimes [Monday 00:00, next Monday 00:00)."""
        self.ensure_one()
        start = fields.Datetime.to_datetime(self.date_from)
        return start, start + timedelta(days=7)

    def _pps_audit_domain(self, audit):
        self.ensure_one()
        SaleOrder = self.env["sale.order"]
        if audit == "wip":
            domain = SaleOrder._pps_audit_domain(audit, *self._pps_period())
        else:
            domain = SaleOrder._pps_audit_domain(audit)
        if self.company_ids:
            domain.append(("company_id", "in", self.company_ids.ids))
        return domain

    def _pps_audit_action(self, audit, name):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "pps_coordination.sale_order_progress_action"
        )
        action.update(
            name=name,
            domain=self._pps_audit_domain(audit),
            context={"create": False},
        )
        return action

    def _pps_data(self, with_orders=True):
        """Everything the meeting screen and the report show, as plain values.

        :return: ``{"kpis": {...}, "counts": {audit: int}, "orders": {audit:
            sale.order recordset}, "changes": pps.date.change.analysis}``
        """
        self.ensure_one()
        start, stop = self._pps_period()
        SaleOrder = self.env["sale.order"]
        data = {
            "kpis": self.env["pps.delivery.kpi"]._pps_summary(
                start, stop, self.company_ids.ids
            ),
            "counts": {},
            "orders": {},
        }
        for audit in PPS_AUDITS:
            domain = self._pps_audit_domain(audit)
            if with_orders:
                orders = SaleOrder.search(domain, order="pps_delivery_date, id")
                data["orders"][audit] = orders
                data["counts"][audit] = len(orders)
            else:
                data["counts"][audit] = SaleOrder.search_count(domain)
        if with_orders:
            data["changes"] = self.env["pps.date.change.analysis"]._pps_changes(
                start, stop, self.company_ids.ids
            )
        return data
