"""Delivery KPIs (OTD, OTIF, delay, promise accuracy, date changes) and the
weekly meeting screen and report, on a small controlled set of shipments.

The meeting judges our promises by these numbers; a wrong join or an off-by-one
on the week boundary would go unnoticed in a pivot, so the numbers are checked
exactly here.
"""

import io
from datetime import datetime, time, timedelta

from freezegun import freeze_time
from lxml import etree
from lxml import html as lxml_html

from odoo import fields
from odoo.tests.common import TransactionCase
from odoo.tools.pdf import PdfFileReader
from odoo.tools.safe_eval import safe_eval

from odoo.addons.mail.tests.common import mail_new_test_user


class TestProgressKpi(TransactionCase):
    """Three orders shipped in one week: early, on the day (but in two
    shipments) and two days late; one more shipped the week after; one late
    order not shipped; one made but not shipped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.product = cls.env["product.product"].create(
            {"name": "PPS KPI Item", "type": "consu", "is_storable": True}
        )
        cls.env["stock.quant"]._update_available_quantity(
            cls.product, cls.warehouse.lot_stock_id, 1000
        )
        cls.customer = cls.env["res.partner"].create({"name": "PPS KPI Customer"})
        cls.sales_user = mail_new_test_user(
            cls.env,
            login="pps_kpi_sales",
            groups="base.group_user,pps_coordination.group_pps_sales",
        )
        cls.planner = mail_new_test_user(
            cls.env,
            login="pps_kpi_planner",
            groups="base.group_user,pps_coordination.group_pps_planner",
        )
        today = fields.Date.today()
        # the week under review: two weeks ago, Monday to Sunday
        cls.monday = today - timedelta(days=today.weekday() + 14)
        wednesday = cls.monday + timedelta(days=2)

        def at(day, hour=12):
            return datetime.combine(day, time(hour))

        cls.early = cls._create_order(at(wednesday))
        cls._ship(cls.early, at(wednesday - timedelta(days=1)))
        cls.on_day_split = cls._create_order(at(wednesday), qty=5)
        cls._ship(cls.on_day_split, at(wednesday, 9), qty=2)
        cls._ship(cls.on_day_split, at(wednesday, 15))
        cls.late = cls._create_order(at(wednesday))
        cls._ship(cls.late, at(wednesday + timedelta(days=2)))
        cls.next_week = cls._create_order(at(wednesday))
        cls._ship(cls.next_week, at(wednesday + timedelta(days=7)))
        cls.late_open = cls._create_order(at(wednesday))
        cls.late_open.picking_ids.do_unreserve()
        cls.made_future = cls._create_order(at(today + timedelta(days=20)))
        cls.change = None
        if "pps.change.order" in cls.env:
            with freeze_time(at(cls.monday + timedelta(days=1))):
                cls.change = (
                    cls.env["pps.change.order"]
                    .sudo()
                    .create(
                        {
                            "sale_order_id": cls.late.id,
                            "scenario": "internal_change",
                            "old_date": at(wednesday - timedelta(days=3)),
                            "new_date": at(wednesday),
                            "reason": "Press 2 down\nwaiting for a spare part",
                            "user_id": cls.planner.id,
                        }
                    )
                )
        cls.week_orders = cls.early | cls.on_day_split | cls.late

    @classmethod
    def _create_order(cls, commitment_date, qty=1):
        order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": cls.sales_user.id,
                "commitment_date": commitment_date,
                "order_line": [
                    (0, 0, {"product_id": cls.product.id, "product_uom_qty": qty})
                ],
            }
        )
        order.action_confirm()
        return order

    @classmethod
    def _ship(cls, order, when, qty=None):
        picking = order.picking_ids.filtered(
            lambda p: p.state not in ("done", "cancel")
        )
        with freeze_time(when):
            for move in picking.move_ids:
                move.quantity = qty if qty is not None else move.product_uom_qty
            picking.move_ids.picked = True
            res = picking.button_validate()
            if (
                isinstance(res, dict)
                and res.get("res_model") == "stock.backorder.confirmation"
            ):
                picking.env["stock.backorder.confirmation"].with_context(
                    **res["context"]
                ).create({}).process()

    def _period(self):
        start = datetime.combine(self.monday, time())
        return start, start + timedelta(days=7)

    def test_kpi_rows_per_order(self):
        """One row per confirmed order: on time means shipped on or before the
        agreed day; in full means the first shipment carried everything; delay
        and promise accuracy are in days."""
        kpi = self.env["pps.delivery.kpi"]
        rows = {
            r.sale_order_id: r
            for r in kpi.search([("sale_order_id", "in", self.week_orders.ids)])
        }
        self.assertEqual(len(rows), 3)
        early, split, late = rows[self.early], rows[self.on_day_split], rows[self.late]
        self.assertEqual((early.on_time, early.in_full, early.otif), (True, True, True))
        self.assertEqual(
            (split.on_time, split.in_full, split.otif), (True, False, False)
        )
        self.assertEqual((late.on_time, late.in_full, late.otif), (False, True, False))
        self.assertEqual(
            [early.delay_days, split.delay_days, late.delay_days], [-1.0, 0.0, 2.0]
        )
        self.assertEqual(early.promise_accuracy_days, 1.0)
        self.assertEqual(late.late_days, 2.0)
        self.assertFalse(early.late_days)
        self.assertEqual(split.first_shipment_date.hour, 9)
        self.assertEqual(split.shipped_date.hour, 15)

        open_row = kpi.search([("sale_order_id", "=", self.late_open.id)])
        self.assertFalse(open_row.shipped)
        self.assertFalse(open_row.on_time)
        self.assertTrue(open_row.overdue)
        self.assertFalse(open_row.shipped_date)

    def test_date_changes_are_counted(self):
        """The change order counts on its sale order, and the first promised
        date is the date before the first change."""
        if not self.change:
            self.skipTest("pps.change.order is not installed")
        row = self.env["pps.delivery.kpi"].search(
            [("sale_order_id", "=", self.late.id)]
        )
        self.assertEqual(row.date_change_count, 1)
        self.assertEqual(row.first_promised_date, self.change.old_date)
        analysis = self.env["pps.date.change.analysis"].search(
            [("sale_order_id", "=", self.late.id)]
        )
        self.assertEqual(len(analysis), 1)
        self.assertEqual(analysis.scenario, "internal_change")
        self.assertEqual(analysis.reason, "Press 2 down")
        self.assertAlmostEqual(analysis.shift_days, 3.0)
        self.assertTrue(analysis.postponed)

    def test_weekly_summary_numbers(self):
        """3 shipped in the week, 2 on time -> OTD 66.67 %; 1 on time and in
        full -> OTIF 33.33 %; delays -1, 0, +2 -> average 0.33, late average 2,
        promise accuracy 1.0. The order shipped the week after is excluded."""
        summary = self.env["pps.delivery.kpi"]._pps_summary(*self._period())
        self.assertEqual(summary["shipped_count"], 3)
        self.assertEqual(summary["on_time_count"], 2)
        self.assertAlmostEqual(summary["otd_rate"], 66.67)
        self.assertAlmostEqual(summary["otif_rate"], 33.33)
        self.assertAlmostEqual(summary["in_full_rate"], 66.67)
        self.assertAlmostEqual(summary["avg_delay"], 0.33)
        self.assertAlmostEqual(summary["avg_late_delay"], 2.0)
        self.assertAlmostEqual(summary["promise_accuracy"], 1.0)
        self.assertEqual(summary["date_change_count"], 1 if self.change else 0)

    def test_pivot_average_is_the_rate(self):
        """In the pivot, the average of on_time_rate is the OTD rate over the
        measured orders: the overdue order not shipped counts as late (2 on
        time of 4), the order not due yet does not dilute it."""
        orders = self.week_orders | self.late_open | self.made_future
        [(rate, shipped, overdue)] = self.env["pps.delivery.kpi"]._read_group(
            [("sale_order_id", "in", orders.ids)],
            aggregates=["on_time_rate:avg", "shipped_count:sum", "overdue_count:sum"],
        )
        self.assertAlmostEqual(rate, 50.0, places=2)
        self.assertEqual((shipped, overdue), (3, 1))

    def _this_week(self):
        today = fields.Date.today()
        start = datetime.combine(today - timedelta(days=today.weekday()), time())
        return start, start + timedelta(days=7)

    def test_overdue_unshipped_order_counts_as_late_today(self):
        """An order overdue and not shipped is measured today, as late, with its
        days late so far: one order shipped on time this week beside it gives
        50 %, not the 100 % of the shipments alone."""
        today = fields.Date.today()
        on_time = self._create_order(datetime.combine(today, time(23)))
        self._ship(on_time, fields.Datetime.now())
        Kpi = self.env["pps.delivery.kpi"].with_user(self.sales_user)
        row = Kpi.search([("sale_order_id", "=", self.late_open.id)])
        self.assertTrue(row.overdue)
        self.assertFalse(row.shipped)
        self.assertEqual(row.measure_date, datetime.combine(today, time()))
        self.assertEqual(row.on_time_rate, 0.0)
        self.assertEqual(row.otif_rate, 0.0)
        days_late = (today - self.late_open.commitment_date.date()).days
        self.assertEqual(row.delay_days, days_late)
        self.assertEqual(row.late_days, days_late)
        self.assertFalse(
            Kpi.search([("sale_order_id", "=", self.made_future.id)]).measure_date,
            "an order not due yet is not measured",
        )

        summary = Kpi._pps_summary(*self._this_week())
        self.assertEqual(
            (
                summary["measured_count"],
                summary["shipped_count"],
                summary["overdue_count"],
                summary["on_time_count"],
                summary["late_count"],
            ),
            (2, 1, 1, 1, 1),
        )
        self.assertAlmostEqual(summary["otd_rate"], 50.0)
        self.assertAlmostEqual(summary["otif_rate"], 50.0)
        self.assertAlmostEqual(summary["in_full_rate"], 100.0, msg="shipped only")
        self.assertAlmostEqual(summary["avg_late_delay"], days_late)

        wizard = (
            self.env["pps.weekly.meeting.report"]
            .with_user(self.sales_user)
            .create({"week_date": today})
        )
        self.assertEqual((wizard.measured_count, wizard.overdue_count), (2, 1))
        self.assertAlmostEqual(wizard.otd_rate, 50.0)
        kpi_rows = Kpi.search(wizard.action_open_kpis()["domain"])
        self.assertEqual(kpi_rows.sale_order_id, on_time | self.late_open)
        # the past week keeps its shipments only: the order counts once, today
        self.assertEqual(Kpi._pps_summary(*self._period())["measured_count"], 3)

    def test_nothing_to_measure_is_not_a_rate(self):
        """A week with nothing shipped nor overdue has no rate: the summary says
        None, the screen and the report say n/a, not 0.0 %."""
        start = datetime.combine(self.monday + timedelta(weeks=6), time())
        summary = self.env["pps.delivery.kpi"]._pps_summary(
            start, start + timedelta(days=7)
        )
        self.assertEqual(summary["measured_count"], 0)
        for key in (
            "otd_rate",
            "otif_rate",
            "in_full_rate",
            "avg_delay",
            "avg_late_delay",
            "promise_accuracy",
            "changes_per_order",
        ):
            self.assertIsNone(summary[key], key)

        wizard = (
            self.env["pps.weekly.meeting.report"]
            .with_user(self.sales_user)
            .create({"week_date": start.date()})
        )
        self.assertEqual(wizard.measured_count, 0)
        arch = etree.fromstring(
            wizard.get_views([(False, "form")])["views"]["form"]["arch"]
        )
        values = {
            "measured_count": wizard.measured_count,
            "kpi_late_count": wizard.kpi_late_count,
            "date_change_count": wizard.date_change_count,
        }
        for name in ("otd_rate", "otif_rate", "avg_delay", "avg_late_delay"):
            [box] = arch.xpath(f"//div[@name='{name}']")
            [number] = box.xpath(f"./field[@name='{name}']")
            [na] = box.xpath("./span[contains(@class, 'o_pps_na')]")
            self.assertTrue(safe_eval(number.get("invisible"), values), name)
            self.assertFalse(safe_eval(na.get("invisible"), values), name)
            self.assertEqual(na.text, "n/a")

        report, _type = self.env["ir.actions.report"]._render_qweb_html(
            "pps_coordination.action_report_pps_weekly_meeting", wizard.ids
        )
        tree = lxml_html.fromstring(report)
        for name in ("otd_rate", "otif_rate", "in_full_rate", "avg_delay"):
            [cell] = tree.xpath(f"//td[@name='{name}']")
            self.assertEqual(cell.text_content().strip(), "n/a", name)

    def test_meeting_screen_as_sales_user(self):
        """The meeting screen shows the week's numbers and the audit counts to
        a sales coordinator, and its buttons open the right audits."""
        wizard = (
            self.env["pps.weekly.meeting.report"]
            .with_user(self.sales_user)
            .create({"week_date": self.monday + timedelta(days=4)})
        )
        self.assertEqual(wizard.date_from, self.monday)
        self.assertEqual(wizard.date_to, self.monday + timedelta(days=6))
        self.assertIn(f"week {self.monday.isocalendar()[1]} ", wizard.display_name)
        self.assertEqual(wizard.shipped_count, 3)
        wizard.action_next_week()
        self.assertEqual(wizard.date_from, self.monday + timedelta(days=7))
        self.assertEqual(wizard.shipped_count, 1, "the order shipped a week later")
        wizard.action_previous_week()
        self.assertEqual(wizard.date_from, self.monday)
        self.assertAlmostEqual(wizard.otd_rate, 66.67)
        self.assertAlmostEqual(wizard.otif_rate, 33.33)
        self.assertGreaterEqual(wizard.late_count, 1)

        action = wizard.action_open_late()
        late = (
            self.env["sale.order"].with_user(self.sales_user).search(action["domain"])
        )
        self.assertIn(self.late_open, late)
        self.assertNotIn(self.made_future, late)
        made = self.env["sale.order"].search(
            wizard.action_open_made_not_shipped()["domain"]
        )
        self.assertIn(self.made_future, made)
        kpi_action = wizard.action_open_kpis()
        self.assertEqual(
            self.env["pps.delivery.kpi"].search(kpi_action["domain"]).sale_order_id,
            self.week_orders,
        )

    def test_kpi_rows_follow_the_sales_rules(self):
        """A salesperson who sees only their own orders sees only their KPI and
        date-change rows; the orders' owner and the planners see them."""
        other = mail_new_test_user(
            self.env,
            login="pps_kpi_sales_other",
            groups="base.group_user,pps_coordination.group_pps_sales",
        )
        Kpi = self.env["pps.delivery.kpi"]
        domain = [("sale_order_id", "in", self.week_orders.ids)]
        self.assertFalse(Kpi.with_user(other).search(domain))
        self.assertEqual(
            Kpi.with_user(self.sales_user).search(domain).sale_order_id,
            self.week_orders,
        )
        self.assertEqual(
            Kpi.with_user(self.planner).search(domain).sale_order_id, self.week_orders
        )
        if self.change:
            Changes = self.env["pps.date.change.analysis"]
            changed = [("sale_order_id", "=", self.late.id)]
            self.assertFalse(Changes.with_user(other).search(changed))
            self.assertTrue(Changes.with_user(self.sales_user).search(changed))
            self.assertTrue(Changes.with_user(self.planner).search(changed))

    def test_report_renders_the_week(self):
        """The printable report (rendered as HTML, no wkhtmltopdf needed) shows
        the week, its KPIs and the late orders, and not the orders on time."""
        wizard = self.env["pps.weekly.meeting.report"].create(
            {"week_date": self.monday}
        )
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "pps_coordination.action_report_pps_weekly_meeting", wizard.ids
        )
        html = html.decode()
        self.assertIn("Weekly Production", html)
        self.assertIn(self.late_open.name, html)
        self.assertIn("66.7 %", html)
        self.assertIn("33.3 %", html)
        self.assertNotIn(f">{self.early.name}<", html)
        if self.change:
            self.assertIn("Press 2 down", html)

    def test_print_action(self):
        """The Print button returns the PDF report action for the wizard."""
        wizard = (
            self.env["pps.weekly.meeting.report"].with_user(self.planner).create({})
        )
        action = wizard.action_print()
        self.assertEqual(action["type"], "ir.actions.report")
        self.assertEqual(
            action["report_name"], "pps_coordination.report_pps_weekly_meeting"
        )
        self.assertEqual(action["report_type"], "qweb-pdf")

    def _meeting_report(self):
        self.env.company.write(
            {"name": "PPS Meeting Works", "report_footer": "Registered in Ghent 42"}
        )
        return self.env["pps.weekly.meeting.report"].create({"week_date": self.monday})

    def test_report_uses_the_company_layout(self):
        """The report is printed in the company's external layout: its header
        names the company, its footer carries the company's report footer;
        and no section heading can be left alone at the foot of a page."""
        wizard = self._meeting_report()
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "pps_coordination.action_report_pps_weekly_meeting", wizard.ids
        )
        tree = lxml_html.fromstring(html)
        [header] = tree.xpath("//div[contains(concat(' ', @class, ' '), ' header ')]")
        self.assertIn("PPS Meeting Works", header.text_content())
        [footer] = tree.xpath("//div[contains(concat(' ', @class, ' '), ' footer ')]")
        self.assertIn("Registered in Ghent 42", footer.text_content())
        headings = tree.xpath("//div[contains(@class, 'page')]//h3")
        self.assertEqual(len(headings), 6)
        for heading in headings:
            self.assertIn("o_pps_section", heading.getparent().get("class"))
        style = " ".join(tree.xpath("//div[contains(@class, 'page')]/style/text()"))
        self.assertIn("page-break-after: avoid", style)
        self.assertIn(".o_pps_section { page-break-inside: avoid", style)

    def test_pdf_has_the_company_header_and_footer(self):
        """The PDF itself (wkhtmltopdf, as setup installs it) shows the
        company header and footer -- with Debian's build too, which ignores
        Odoo's separate header and footer files."""
        Report = self.env["ir.actions.report"]
        if Report.get_wkhtmltopdf_state() != "ok":
            self.skipTest(
                "wkhtmltopdf is not installed (scripts/lib.sh installs Debian's): "
                "no PDF can be rendered"
            )
        wizard = self._meeting_report()
        pdf, kind = Report.with_context(force_report_rendering=True)._render_qweb_pdf(
            "pps_coordination.action_report_pps_weekly_meeting", wizard.ids
        )
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        reader = PdfFileReader(io.BytesIO(pdf))
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        self.assertIn("PPS Meeting Works", text)
        self.assertIn("Registered in Ghent 42", text)
        self.assertIn("Weekly Production & Sales Meeting", text)

    def test_inline_header_and_footer_for_debian_wkhtmltopdf(self):
        """For a build without patched Qt, each document's header and footer
        move inside its page, out of Odoo's reach, without page numbers (only
        the patched build fills them in); other reports are left alone."""
        html = (
            b"<html><body><main>"
            b"<div class='header o_company_1_layout'>Company</div>"
            b"<div class='article o_report_layout_standard'><p>Body</p></div>"
            b"<div class='footer o_company_1_layout'><div class='o_footer_content'>"
            b"<div>Footer</div><div>Page <span class='page'/> / "
            b"<span class='topage'/></div></div></div>"
            b"</main></body></html>"
        )
        tree = lxml_html.fromstring(
            self.env["ir.actions.report"]._pps_inline_header_footer(html)
        )
        [article] = tree.xpath("//div[contains(@class, 'article')]")
        children = article.getchildren()
        self.assertEqual(
            children[0].get("class"), "o_pps_inline_header mb-3 o_company_1_layout"
        )
        self.assertEqual(
            children[-1].get("class"), "o_pps_inline_footer mt-4 o_company_1_layout"
        )
        self.assertFalse(
            tree.xpath("//div[contains(concat(' ', @class, ' '), ' header ')]")
        )
        self.assertFalse(tree.xpath("//span[@class='page']"))
        self.assertIn("Footer", children[-1].text_content())
        other = self.env.ref("sale.action_report_saleorder")
        _bodies, _ids, header, _footer, _args = other._prepare_html(html)
        self.assertIn("Company", header)
