from odoo import api, fields, models
from odoo.exceptions import UserError


class PpsLockLog(models.Model):
    """Who locked or unlocked which record (or pinned or unpinned a
    manufacturing order's plan), when and why.

    Entries are written by ``pps.lock.mixin`` as superuser; nobody may change or
    delete them (no write/unlink access, and ``write``/``unlink`` refuse).
    """

    _name = "pps.lock.log"
    _description = "PPS Lock Log"
    _order = "date desc, id desc"
    _rec_name = "res_name"

    res_model = fields.Char(
        string="Technical Model", required=True, readonly=True, index=True
    )
    res_model_name = fields.Char(
        string="Document Type",
        compute="_compute_res_model_name",
        help="What was locked: the model's name (Sales Order, Manufacturing "
        "Order), in the user's language.",
    )
    res_id = fields.Many2oneReference(
        string="Record ID",
        model_field="res_model",
        required=True,
        readonly=True,
        index=True,
    )
    res_name = fields.Char(string="Record", readonly=True)
    action = fields.Selection(
        [
            ("lock", "Lock"),
            ("unlock", "Unlock"),
            ("pin", "Pin Plan"),
            ("unpin", "Unpin Plan"),
        ],
        required=True,
        readonly=True,
    )
    user_id = fields.Many2one("res.users", required=True, readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    reason = fields.Text(readonly=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )

    @api.depends("res_model")
    def _compute_res_model_name(self):
        names = {
            model.model: model.name
            for model in self.env["ir.model"]
            .sudo()
            .search([("model", "in", list(set(self.mapped("res_model"))))])
        }
        for log in self:
            log.res_model_name = names.get(log.res_model, log.res_model)

    def write(self, vals):  # pylint: disable=method-required-super
        self.check_access("write")
        raise UserError(self.env._("The lock log cannot be changed."))

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The lock log cannot be deleted."))
