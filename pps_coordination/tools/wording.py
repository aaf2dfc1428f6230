"""Dates and durations in the sentences people read (explanations, chatter).

One rule for every sentence of both add-ons: a moment is shown in the reading
user's time zone, in the date and time formats of their language without the
seconds -- as the form fields show it (``12/21/2026 02:00 PM``) -- never as a
raw UTC timestamp; a day in the language's date format; a duration in days,
hours and minutes, as far as it matters (``2 days and 4 hours``, ``3 hours
and 20 minutes``, ``45 minutes``).
"""

import re
from datetime import date, datetime, timedelta

from odoo.tools import format_date, format_datetime
from odoo.tools.misc import babel_locale_parse, get_lang, posix_to_ldml

#: The seconds of a strftime time format, with the separator before them.
_SECONDS = re.compile(r"[:.]?%S")


def format_moment(env, value):
    """A datetime (naive UTC, as Odoo stores it) for a sentence: the user's
    time zone, the language's date and time formats, without seconds. A date
    is shown as a day."""
    if not value:
        return ""
    if isinstance(value, date) and not isinstance(value, datetime):
        return format_day(env, value)
    lang = get_lang(env)
    pattern = posix_to_ldml(
        f"{lang.date_format} {_SECONDS.sub('', lang.time_format)}",
        locale=babel_locale_parse(lang.code),
    )
    return format_datetime(env, value, dt_format=pattern)


def format_day(env, value):
    """A calendar day (a ``date``) for a sentence, in the user's language."""
    return format_date(env, value) if value else ""


def format_duration(env, delta):
    """A duration in plain words: "2 days and 4 hours", "3 hours and 20
    minutes", "45 minutes". Whole hours once it is a day or more; ``delta`` is
    a ``timedelta`` or a number of days."""
    if not isinstance(delta, timedelta):
        delta = timedelta(days=delta or 0.0)
    minutes = max(round(delta.total_seconds() / 60.0), 0)
    if minutes >= 1440:
        minutes = round(minutes / 60.0) * 60
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    _ = env._
    parts = []
    if days:
        parts.append(_("1 day") if days == 1 else _("%(n)s days", n=days))
    if hours:
        parts.append(_("1 hour") if hours == 1 else _("%(n)s hours", n=hours))
    if minutes or not parts:
        parts.append(_("1 minute") if minutes == 1 else _("%(n)s minutes", n=minutes))
    if len(parts) == 1:
        return parts[0]
    return _("%(first)s and %(last)s", first=", ".join(parts[:-1]), last=parts[-1])
