"""Shared definitions of the calendar benchmark (standard library only).

The calendars are the ones `scripts/bench-calendar` writes into its workspace:

- `office` (slac `paris_office`): Europe/Paris, mon-fri 08:00-17:00, sat 09:00-12:00;
- `weekdays` (slac `paris_weekdays`): Europe/Paris, mon-fri 08:00-17:00, the calendar pandas'
  CustomBusinessHour can express (one start and end for every open day);

both closed on the French public holidays below.
"""

import datetime as dt
import re

ZONE = "Europe/Paris"

# (month, day, name): closed every year.
FRANCE_ANNUAL = [
    (1, 1, "Jour de l'an"),
    (5, 1, "Fête du travail"),
    (5, 8, "Victoire 1945"),
    (7, 14, "Fête nationale"),
    (8, 15, "Assomption"),
    (11, 1, "Toussaint"),
    (11, 11, "Armistice"),
    (12, 25, "Noël"),
]
# (days after Easter Sunday, name).
FRANCE_EASTER = [
    (1, "Lundi de Pâques"),
    (39, "Ascension"),
    (50, "Lundi de Pentecôte"),
]

# Open ranges per calendar: (weekdays with Monday = 0, start hour, end hour).
CALENDARS = {
    "weekdays": [([0, 1, 2, 3, 4], 8, 17)],
    "office": [([0, 1, 2, 3, 4], 8, 17), ([5], 9, 12)],
}
# The slac calendar id of each.
SLAC_NAMES = {"weekdays": "paris_weekdays", "office": "paris_office"}


def easter_sunday(year):
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm, as slac computes it)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def holidays(first_year=2025, last_year=2032):
    """Every French public holiday from `first_year` to `last_year`, sorted.

    The range reaches well past the deadlines computed (2026-2027): businesstimedelta's
    HolidayRule fails when it finds no holiday within five years of a date it looks at.
    """
    days = set()
    for year in range(first_year, last_year + 1):
        for month, day, _ in FRANCE_ANNUAL:
            days.add(dt.date(year, month, day))
        easter = easter_sunday(year)
        for offset, _ in FRANCE_EASTER:
            days.add(easter + dt.timedelta(days=offset))
    return sorted(days)


_WITHIN = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?$")


def within_seconds(text):
    """Seconds of a within made only of hours and minutes (`4h`, `30m`, `1h30m`), else None."""
    match = _WITHIN.match(text)
    if not match or not text:
        return None
    hours, minutes = match.groups()
    return int(hours or 0) * 3600 + int(minutes or 0) * 60


def read_lines(path, limit=None):
    """The `(start, within)` text pairs of a batch file, at most `limit` of them."""
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            start, within = line.split(",")
            pairs.append((start, within))
            if limit is not None and len(pairs) >= limit:
                break
    return pairs


def parse_instant(text):
    """An RFC 3339 instant (`Z` or an offset) as an aware datetime; None for anything else."""
    text = text.strip()
    if not text:
        return None
    # Take the last field should a tool print `start,within,deadline`.
    text = text.split(",")[-1].strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    try:
        value = dt.datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


# Daylight saving in Europe/Paris (EU rule since 1996): +02:00 from the last Sunday of March
# 01:00 UTC to the last Sunday of October 01:00 UTC, else +01:00. No tz database needed.
def _last_sunday(year, month):
    day = dt.date(year, month, 31)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def paris_offset_at_utc(utc):
    """The Paris UTC offset, in hours, at a naive UTC datetime."""
    year = utc.year
    summer_from = dt.datetime.combine(_last_sunday(year, 3), dt.time(1))
    summer_to = dt.datetime.combine(_last_sunday(year, 10), dt.time(1))
    return 2 if summer_from <= utc < summer_to else 1


def paris_offset_at_local(local):
    """The Paris UTC offset, in hours, of a naive local wall-clock time (the earlier instant when
    it is ambiguous; the times written by the generator are never in the spring gap)."""
    for offset in (2, 1):
        if paris_offset_at_utc(local - dt.timedelta(hours=offset)) == offset:
            return offset
    return 1


def rfc3339(utc, offset_hours):
    """A naive UTC datetime written in local time with its offset, to the second."""
    local = utc + dt.timedelta(hours=offset_hours)
    return local.strftime("%Y-%m-%dT%H:%M:%S") + f"+{offset_hours:02d}:00"
