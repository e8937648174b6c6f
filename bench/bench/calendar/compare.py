"""Spot-checks that tools agree on the deadlines of a batch file (standard library only).

usage: python3 compare.py CALENDAR IN REFERENCE=OUT TOOL=OUT [TOOL=OUT ...] [--examples N]

Each OUT holds one deadline per line of IN (RFC 3339), or `unsupported`. Every tool is compared
with the first (REFERENCE) on the lines both support, as instants. A disagreement where no open
time lies between the two deadlines is a "boundary" one: both mark the same amount of open time,
one as the close of a day, the other as the next opening (pandas answers 16:00 + 1h with the next
opening, where slac and businesstimedelta answer 17:00, the earliest instant at which the hour
has elapsed). Any other disagreement is "real". Prints one summary line per tool and a few
examples, and exits 0 (disagreements are reported, not fatal).
"""

import argparse
import datetime as dt

from common import CALENDARS, holidays, paris_offset_at_local, parse_instant, read_lines

UTC = dt.timezone.utc


def open_seconds_between(calendar, a, b):
    """Open seconds of CALENDAR between aware instants a < b (days stepped one by one: spans are
    short here)."""
    closed = set(holidays())
    total = 0
    offset = dt.timedelta(hours=paris_offset_at_local(a.astimezone(UTC).replace(tzinfo=None)))
    day = (a.astimezone(UTC).replace(tzinfo=None) + offset).date() - dt.timedelta(days=1)
    last = b.astimezone(UTC).date() + dt.timedelta(days=1)
    while day <= last:
        if day not in closed:
            for weekdays, start_hour, end_hour in CALENDARS[calendar]:
                if day.weekday() not in weekdays:
                    continue
                bounds = []
                for hour in (start_hour, end_hour):
                    local = dt.datetime.combine(day, dt.time(hour))
                    utc = local - dt.timedelta(hours=paris_offset_at_local(local))
                    bounds.append(utc.replace(tzinfo=UTC))
                lo, hi = max(bounds[0], a), min(bounds[1], b)
                if hi > lo:
                    total += (hi - lo).total_seconds()
        day += dt.timedelta(days=1)
    return total


def load(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calendar", choices=sorted(CALENDARS))
    parser.add_argument("input")
    parser.add_argument("outputs", nargs="+", metavar="TOOL=OUT")
    parser.add_argument("--examples", type=int, default=3)
    args = parser.parse_args()

    pairs = read_lines(args.input)
    tools = []
    for spec in args.outputs:
        name, _, path = spec.partition("=")
        lines = load(path)
        if len(lines) != len(pairs):
            print(f"  {name}: {len(lines)} deadlines for {len(pairs)} lines: not compared")
            continue
        tools.append((name, lines))
    if len(tools) < 2:
        return
    (ref_name, ref), others = tools[0], tools[1:]

    for name, lines in others:
        compared = 0
        boundary = []
        real = []
        for (start, within), ref_text, text in zip(pairs, ref, lines):
            expected, got = parse_instant(ref_text), parse_instant(text)
            if expected is None or got is None:
                continue
            compared += 1
            if expected == got:
                continue
            lo, hi = sorted([expected, got])
            row = (start, within, ref_text, text)
            if open_seconds_between(args.calendar, lo, hi) == 0:
                boundary.append(row)
            else:
                real.append(row)
        unsupported = len(pairs) - compared
        print(
            f"  {name} vs {ref_name} ({args.calendar}): {compared} deadlines compared"
            f" ({unsupported} lines not supported by one of them), "
            f"{len(boundary) + len(real)} disagreements: {len(real)} real, "
            f"{len(boundary)} close-vs-next-opening"
        )
        for kind, rows in (("real", real), ("close-vs-next-opening", boundary)):
            for start, within, expected, got in rows[: args.examples]:
                print(f"      {kind}: {start} + {within}: {ref_name} {expected}, {name} {got}")


if __name__ == "__main__":
    main()
