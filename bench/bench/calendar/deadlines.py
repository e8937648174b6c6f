"""Computes the deadlines of a batch file with a Python library, for comparison with slac.

usage: python deadlines.py TOOL CALENDAR IN OUT [--limit N]

TOOL is `businesstimedelta` or `pandas`; CALENDAR is `weekdays` or `office` (see common.py).
Reads CSV lines `start,within`, writes one RFC 3339 deadline per line to OUT (in Paris local
time), or `unsupported` for a within the tool cannot express, and prints `LINES SECONDS` on
stdout: the time from reading the file to writing the deadlines, imports and interpreter start
excluded (which favours Python: slac is timed as a whole process).

What each library supports:

- businesstimedelta (1.0): `WorkDayRule` (one start and end time for a set of weekdays; several
  rules combine, so the Saturday morning of `office` is a second rule), `HolidayRule` (a list of
  dates, each closing the whole local day), zones through pytz. Durations are any timedelta:
  hours and minutes are supported, business days are not.
- pandas (`CustomBusinessHour`): one `start`/`end` for every open day of a `weekmask`, a list of
  `holidays`, a whole number `n` of business hours. So: `weekdays` only, whole hours only (no
  `30m`, no `bd`). It works on wall-clock time: starts are converted to naive Paris time and
  deadlines localized back (no open range here spans a daylight-saving change, so wall-clock
  and elapsed open time agree).
"""

import argparse
import datetime as dt
import sys
import time
import warnings

from common import CALENDARS, ZONE, holidays, read_lines, within_seconds


def businesstimedelta_deadlines(calendar, pairs):
    import businesstimedelta as btd
    import pytz

    zone = pytz.timezone(ZONE)
    rules = [
        btd.WorkDayRule(
            start_time=dt.time(start),
            end_time=dt.time(end),
            working_days=days,
            tz=zone,
        )
        for days, start, end in CALENDARS[calendar]
    ]
    # A list of dates, as the library documents it.
    rules.append(btd.HolidayRule(holidays(), tz=zone))
    rule = btd.Rules(rules)

    deltas = {}
    out = []
    for start, within in pairs:
        if within not in deltas:
            seconds = within_seconds(within)
            deltas[within] = None if seconds is None else btd.BusinessTimeDelta(rule, seconds=seconds)
        delta = deltas[within]
        if delta is None:
            out.append("unsupported")
            continue
        deadline = dt.datetime.fromisoformat(start) + delta
        out.append(deadline.isoformat())
    return out


def pandas_deadlines(calendar, pairs):
    import pandas as pd

    if calendar != "weekdays":
        sys.exit("pandas: CustomBusinessHour has one start and end for every open day; use weekdays")
    ((days, start_hour, end_hour),) = CALENDARS[calendar]
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    weekmask = " ".join(names[d] for d in days)
    holiday_dates = holidays()

    starts = pd.to_datetime([start for start, _ in pairs], utc=True, format="ISO8601")
    local = starts.tz_convert(ZONE).tz_localize(None)
    withins = pd.Series([within for _, within in pairs])
    result = pd.Series(pd.NaT, index=range(len(pairs)), dtype="datetime64[ns]")
    supported = pd.Series(False, index=range(len(pairs)))
    # One offset per distinct within, applied to all its starts at once (pandas applies a
    # CustomBusinessHour element by element either way; the grouped form is the faster one).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PerformanceWarning: non-vectorized offset
        for within, group in withins.groupby(withins).groups.items():
            seconds = within_seconds(within)
            if seconds is None or seconds % 3600:
                continue
            offset = pd.offsets.CustomBusinessHour(
                n=seconds // 3600,
                start=f"{start_hour:02d}:00",
                end=f"{end_hour:02d}:00",
                weekmask=weekmask,
                holidays=holiday_dates,
            )
            positions = list(group)
            result.iloc[positions] = (local[positions] + offset).to_numpy()
            supported.iloc[positions] = True
    deadlines = pd.DatetimeIndex(result).tz_localize(
        ZONE, ambiguous="NaT", nonexistent="shift_forward"
    )
    return [
        deadline.isoformat() if ok else "unsupported"
        for deadline, ok in zip(deadlines, supported)
    ]


TOOLS = {"businesstimedelta": businesstimedelta_deadlines, "pandas": pandas_deadlines}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tool", choices=sorted(TOOLS))
    parser.add_argument("calendar", choices=sorted(CALENDARS))
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()

    compute = TOOLS[args.tool]
    # Import the library before the clock starts.
    if args.tool == "pandas":
        import pandas  # noqa: F401
    else:
        import businesstimedelta  # noqa: F401

    began = time.perf_counter()
    pairs = read_lines(args.input, args.limit)
    deadlines = compute(args.calendar, pairs)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write("\n".join(deadlines))
        f.write("\n")
    seconds = time.perf_counter() - began
    print(f"{len(pairs)} {seconds:.6f}")


if __name__ == "__main__":
    main()
