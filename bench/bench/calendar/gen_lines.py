"""Writes a batch file for `slac calendar due --batch`: CSV lines `start,within`.

usage: python3 gen_lines.py OUT N --withins 4h,8h,30m,2bd [--seed S] [--edges]

Starts are instants to the second, uniform over 2026, written in RFC 3339 with the offset Paris
has at that instant (+01:00 or +02:00); each within is drawn from the list. A fixed 64-bit LCG
draws them: the same arguments always give the same file. With --edges, the first lines are
hand-picked starts where tools may differ (exactly at opening or closing, just before a holiday
or a daylight-saving weekend, on a Saturday), then random ones up to N.
"""

import argparse
import datetime as dt

from common import paris_offset_at_local, paris_offset_at_utc, rfc3339

YEAR_START = dt.datetime(2026, 1, 1)
YEAR_SECONDS = 365 * 86_400


class Lcg:
    """Knuth's MMIX LCG, the same generator as bench/benches/calendar.rs."""

    def __init__(self, seed):
        self.state = seed & 0xFFFF_FFFF_FFFF_FFFF

    def next(self):
        self.state = (self.state * 6_364_136_223_846_793_005 + 1_442_695_040_888_963_407) & (
            0xFFFF_FFFF_FFFF_FFFF
        )
        return self.state >> 33

    def below(self, n):
        return self.next() % n


# Local wall-clock starts (Europe/Paris) where semantics are most likely to differ.
EDGE_STARTS = [
    "2026-01-05T08:00:00",  # Monday, opening
    "2026-01-05T16:00:00",  # one hour before closing
    "2026-01-05T17:00:00",  # closing
    "2026-01-06T13:00:00",  # 4h before closing
    "2026-01-07T07:59:59",  # one second before opening
    "2026-01-09T16:30:00",  # Friday afternoon
    "2026-01-10T11:00:00",  # Saturday morning (open on paris_office only)
    "2026-01-10T13:00:00",  # Saturday afternoon
    "2026-03-27T15:00:00",  # Friday before the switch to summer time
    "2026-04-03T16:00:00",  # Friday before Easter Monday
    "2026-04-30T16:00:00",  # eve of 1 May
    "2026-05-13T16:00:00",  # eve of Ascension
    "2026-05-22T16:00:00",  # Friday before Whit Monday
    "2026-07-13T16:00:00",  # eve of 14 July
    "2026-08-14T12:00:00",  # eve of 15 August (a Saturday in 2026)
    "2026-10-23T16:00:00",  # Friday before the switch to winter time
    "2026-12-24T15:00:00",  # Christmas Eve
    "2026-12-31T16:00:00",  # New Year's Eve
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("n", type=int)
    parser.add_argument("--withins", required=True, help="comma-separated, e.g. 4h,30m,2bd")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edges", action="store_true")
    args = parser.parse_args()

    withins = args.withins.split(",")
    lcg = Lcg(args.seed)
    lines = []
    if args.edges:
        for index, text in enumerate(EDGE_STARTS):
            local = dt.datetime.fromisoformat(text)
            offset = paris_offset_at_local(local)
            utc = local - dt.timedelta(hours=offset)
            # Every within from every edge start would be many lines: rotate through them.
            for k in range(2):
                within = withins[(2 * index + k) % len(withins)]
                lines.append(f"{rfc3339(utc, offset)},{within}")
    while len(lines) < args.n:
        utc = YEAR_START + dt.timedelta(seconds=lcg.below(YEAR_SECONDS))
        within = withins[lcg.below(len(withins))]
        lines.append(f"{rfc3339(utc, paris_offset_at_utc(utc))},{within}")
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines[: args.n]))
        f.write("\n")


if __name__ == "__main__":
    main()
