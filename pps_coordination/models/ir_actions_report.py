import lxml.html

from odoo import api, models

from odoo.addons.base.models.ir_actions_report import _wkhtml

#: A ``div`` whose classes include the given one (what Odoo looks for).
_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"


class IrActionsReport(models.Model):
    """The add-on's PDF reports keep the company's header and footer with
    Debian's wkhtmltopdf.

    Odoo prints the external layout's header and footer as separate HTML
    files repeated on each page, which only wkhtmltopdf built with its
    patched Qt can do; Debian's build ignores them, so the PDF had no
    company header nor footer. With that build, this add-on's reports carry
    them inside the page instead: the header at the top of the document, the
    footer at its end (without page numbers, which only the patched build
    fills in). Other reports are left as they are.
    """

    _inherit = "ir.actions.report"

    def _prepare_html(self, html, report_model=False):
        if (self.report_name or "").startswith(
            "pps_coordination."
        ) and not _wkhtml().is_patched_qt:
            html = self._pps_inline_header_footer(html)
        return super()._prepare_html(html, report_model=report_model)

    @api.model
    def _pps_inline_header_footer(self, html):
        """``html`` with each document's header and footer moved inside its
        page (``div.article``), under classes Odoo does not pull out."""
        root = lxml.html.fromstring(html, parser=lxml.html.HTMLParser(encoding="utf-8"))
        for article in root.xpath(f"//div[{_CLASS.format('article')}]"):
            header = article.getprevious()
            if header is not None and "header" in header.get("class", "").split():
                article.insert(0, header)
                _rename_class(header, "header", "o_pps_inline_header mb-3")
            footer = article.getnext()
            if footer is not None and "footer" in footer.get("class", "").split():
                article.append(footer)
                _rename_class(footer, "footer", "o_pps_inline_footer mt-4")
                for number in footer.xpath(".//*[span[@class='page']]"):
                    number.getparent().remove(number)
        return lxml.html.tostring(root)


def _rename_class(node, old, new):
    node.set(
        "class",
        " ".join(new if name == old else name for name in node.get("class").split()),
    )
