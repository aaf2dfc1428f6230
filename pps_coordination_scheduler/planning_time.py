"""Planning time: engine minutes and the work center's days and weeks.

The engine counts whole minutes from a run's origin (naive UTC datetimes, the
way Odoo stores them): :func:`to_minutes` and :func:`to_datetime` convert, and
every conversion of the scheduler and the promise goes through them.

One time-zone rule decides "the work center's day" everywhere a planning day
or week is counted -- the extraction's calendars and rush-reserve days, the
week locks, the dispatch board, the promise's bottleneck day: it is
:func:`planning_tz`, the time zone of

1. the work center's working calendar, else
2. the company's working calendar (the work center's company, else the
   company given, else the environment's), else
3. the user's time zone, else
4. UTC.

A calendar always has a time zone (Odoo requires it), so a work center with a
calendar counts its days in that calendar's zone; without a work center (the
rush reserve's days of a whole problem, "today" of the board and of the week
locks) the company calendar's zone counts.

This module imports nothing of the add-ons, so models, the promise and the
board can all import it.
"""

import math
from datetime import datetime, time, timedelta
from fractions import Fraction

import pytz

MINUTE = timedelta(minutes=1)


def to_minutes(origin, moment, rounding=math.floor):
    """Whole minutes from ``origin`` to ``moment`` (naive UTC datetimes).

    ``rounding`` is ``math.floor`` (down, the default) or ``math.ceil`` (up),
    applied exactly: the difference is counted in microseconds, so no float
    error moves a whole minute. A plan's busy time rounds outward (starts
    down, ends up: :meth:`PpsScheduleProblem._prepare_assignment`), so nothing
    planned next to it overlaps it on the floor; fixed work meeting inside a
    minute then shares that minute (:meth:`~PpsScheduleProblem._prepare_fixed_bounds`).
    """
    microseconds = (moment - origin) // timedelta(microseconds=1)
    # integer division is exact and much faster than a Fraction (the promise
    # converts every planned work order of the plant on each answer)
    if rounding is math.floor:
        return microseconds // 60_000_000
    if rounding is math.ceil:
        return -(-microseconds // 60_000_000)
    return int(rounding(Fraction(microseconds, 60_000_000)))


def to_datetime(origin, minutes):
    """The naive UTC datetime ``minutes`` after ``origin``."""
    return origin + timedelta(minutes=minutes)


def monday_of(day):
    """The Monday starting the week of ``day`` (a date)."""
    return day - timedelta(days=day.weekday())


def local_date(moment, tz_name):
    """Calendar day of the naive UTC datetime ``moment`` in time zone ``tz_name``."""
    tz = pytz.timezone(tz_name or "UTC")
    return pytz.utc.localize(moment).astimezone(tz).date()


def planning_tz(env, workcenter=None, company=None):
    """Name of the time zone in which planning days and weeks are counted.

    The work center's calendar zone, else the company calendar's (the work
    center's company, else ``company``, else ``env.company``), else the user's
    zone, else UTC: the rule of this module's docstring.

    :param env: the Odoo environment (its company and user are the fallbacks)
    :param workcenter: the ``mrp.workcenter`` whose days are counted, if any
    :param company: the ``res.company`` of the planning, when not the
        work center's nor the environment's
    """
    workcenter = workcenter or env["mrp.workcenter"]
    company = workcenter.company_id or company or env.company
    return (
        workcenter.resource_calendar_id.tz
        or company.resource_calendar_id.tz
        or env.user.tz
        or "UTC"
    )


def week_span(origin, workcenter, monday):
    """Minutes from ``origin`` of a week (Monday 00:00 to the next, in the work
    center's time zone): ``(lo, hi)``."""
    tz = pytz.timezone(planning_tz(workcenter.env, workcenter))
    return tuple(
        to_minutes(
            origin,
            tz.localize(datetime.combine(day, time.min))
            .astimezone(pytz.utc)
            .replace(tzinfo=None),
        )
        for day in (monday, monday + timedelta(days=7))
    )


def cut_windows(windows, spans):
    """``windows`` (sorted (start, end) minutes) without the ``spans``."""
    result = []
    for start, end in windows:
        pieces = [(start, end)]
        for lo, hi in spans:
            pieces = [
                piece
                for a, b in pieces
                for piece in ((a, min(b, lo)), (max(a, hi), b))
                if piece[0] < piece[1]
            ]
        result.extend(pieces)
    return result
