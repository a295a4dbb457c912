#!/usr/bin/env python3
"""Generate the 3D-printer temperature scenario of the Kapacitor anomaly-detection guide.

One point per second for 24 hours (plus two seconds, like the guide), starting at
2016-01-01T00:00:00Z, measurement `temperatures` with float fields hotend, bed and air,
normally distributed around 220, 90 and 70 degrees C. Anomalies change the spread and the
offset at fixed seconds:

* hotend goes bad at 1 h for 5 minutes;
* bed goes bad at 8 h for 15 minutes;
* air gets noisier from 3 h, goes bad at 12 h for 30 minutes, and is back to normal at 20 h.

--printers N writes N printers, tagged `printer=p1` ... `pN`, time-major (every printer's
point for second i, then second i + 1), printer k drawing from the seed + k - 1 so p1 has
the values of the one-printer file; --anomalous K,... keeps the anomalies to those printers
(the others stay normal all day).

Write the line protocol to a file with --out, or POST it in chunks to a running server
with --url (tickflow's or Kapacitor's /write). Timestamps are in nanoseconds by default,
Kapacitor's and InfluxDB's default precision, so the file replays and POSTs without a
precision; --precision s (or ms, u) writes the same data with coarser timestamps, and
--url then asks the server for that precision. Only the standard library is used, so a
fresh machine needs nothing but Python 3.
"""

import argparse
import random
import sys
import urllib.error
import urllib.parse
import urllib.request

MEASUREMENT = "temperatures"
START_EPOCH_SECONDS = 1451606400  # 2016-01-01T00:00:00Z
SECONDS = 60 * 60 * 24 + 2

# Units per second of each precision, as InfluxDB's `precision` query parameter names them.
PRECISIONS = {"ns": 10**9, "n": 10**9, "u": 10**6, "ms": 10**3, "s": 1}

TARGETS = {"hotend": 220.0, "bed": 90.0, "air": 70.0}

# (second at which it starts, sigma, offset) per field, in time order.
ANOMALIES = {
    "hotend": [(0, 0.5, 0.0), (3600, 3.0, -1.5), (3900, 0.5, 0.0)],
    "bed": [(0, 1.0, 0.0), (28800, 5.0, 2.0), (29700, 1.0, 0.0)],
    "air": [(0, 3.0, 0.0), (10800, 5.0, 0.0), (43200, 15.0, -5.0), (45000, 5.0, 0.0), (72000, 3.0, 0.0)],
}


def regime(field, second, anomalous=True):
    """The (sigma, offset) in force for `field` at `second`; the normal one if not `anomalous`."""
    sigma, offset = 0.0, 0.0
    for start, s, o in ANOMALIES[field]:
        if second >= start and (anomalous or start == 0):
            sigma, offset = s, o
    return sigma, offset


def lines(seed, seconds, precision="ns", printers=None, anomalous=None):
    """Yield one line of line protocol per second and printer, timestamps in `precision`.

    `printers` None writes one untagged printer; a number writes that many, tagged.
    `anomalous` is the set of printer numbers with anomalies (None: all of them)."""
    scale = PRECISIONS[precision]
    count = printers or 1
    rngs = [random.Random(seed + k) for k in range(count)]
    for i in range(seconds):
        for k, rng in enumerate(rngs, start=1):
            bad = anomalous is None or k in anomalous
            values = []
            for field in ("hotend", "bed", "air"):
                sigma, offset = regime(field, i, bad)
                values.append("%s=%f" % (field, rng.gauss(TARGETS[field] + offset, sigma)))
            series = MEASUREMENT if printers is None else "%s,printer=p%d" % (MEASUREMENT, k)
            yield "%s %s %d\n" % (series, ",".join(values), (START_EPOCH_SECONDS + i) * scale)


def with_precision(url, precision):
    """`url` asking for `precision`; a different precision already in it is an error."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    given = [value for key, value in query if key == "precision"]
    wanted = "n" if precision == "ns" else precision
    if not given:
        query.append(("precision", wanted))
    elif PRECISIONS.get(given[-1]) != PRECISIONS[precision]:
        raise RuntimeError("%s asks for precision %r but the data is written with --precision %s"
                           % (url, given[-1], precision))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def post(url, body):
    """POST one chunk; raise with the server's answer unless it says 204."""
    request = urllib.request.Request(url, data=body.encode(), method="POST")
    try:
        with urllib.request.urlopen(request) as response:
            if response.status != 204:
                raise RuntimeError("%s answered %d: %s" % (url, response.status, response.read().decode()))
    except urllib.error.HTTPError as err:
        raise RuntimeError("%s answered %d: %s" % (url, err.code, err.read().decode())) from err


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--seconds", type=int, default=SECONDS, help="how many seconds of data (default 24h + 2s)")
    parser.add_argument("--out", help="write line protocol to this file ('-' for stdout)")
    parser.add_argument("--precision", choices=["ns", "u", "ms", "s"], default="ns",
                        help="timestamp precision (default ns, Kapacitor's default)")
    parser.add_argument("--url", help="POST to this URL, e.g. http://localhost:9092/write?db=printer&rp=autogen")
    parser.add_argument("--chunk", type=int, default=5000, help="lines per POST with --url (default 5000)")
    parser.add_argument("--printers", type=int, help="write this many printers, tagged printer=p1..pN")
    parser.add_argument("--anomalous", help="comma-separated printer numbers with anomalies (default all)")
    args = parser.parse_args()
    if not args.out and not args.url:
        parser.error("give --out FILE or --url URL")
    if args.printers is not None and args.printers < 1:
        parser.error("--printers must be at least 1")
    anomalous = None
    if args.anomalous is not None:
        anomalous = {int(k) for k in args.anomalous.split(",") if k}
    generate = lambda: lines(args.seed, args.seconds, args.precision, args.printers, anomalous)

    if args.out:
        out = sys.stdout if args.out == "-" else open(args.out, "w", newline="\n")
        with out:
            out.writelines(generate())
    if args.url:
        url = with_precision(args.url, args.precision)
        chunk = []
        for line in generate():
            chunk.append(line)
            if len(chunk) == args.chunk:
                post(url, "".join(chunk))
                chunk = []
        if chunk:
            post(url, "".join(chunk))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError) as err:
        print("printer_data: %s" % err, file=sys.stderr)
        sys.exit(1)
