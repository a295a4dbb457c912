#!/usr/bin/env python3
"""Runs tickscripts/udf/ttest.py over the bundled printer data, as print_temps.tick does.

Cuts testdata/printer_24h.lp into 5-minute windows aligned to the epoch (window().period(5m)
.every(5m)), sends them to one ``python3 -u tickscripts/udf/ttest.py`` process per field
over pipes, and prints the throughput and the windows whose pvalue is below alpha.

    python3 crates/udf/agents/python/bench/ttest_printer.py
"""

import io
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY_ROOT = os.path.dirname(HERE)
REPO_ROOT = os.path.normpath(os.path.join(PY_ROOT, "..", "..", "..", ".."))
sys.path.insert(0, PY_ROOT)

from kapacitor.udf import udf_pb2  # noqa: E402
from kapacitor.udf.framing import frame, read_frame  # noqa: E402

DATA = os.path.join(REPO_ROOT, "testdata", "printer_24h.lp")
TTEST = os.path.join(REPO_ROOT, "tickscripts", "udf", "ttest.py")
PERIOD_NS = 5 * 60 * 10**9
ALPHA = 0.001


def read_points(path):
    """(time in ns, {field: value}) per line of a line protocol file in nanoseconds."""
    points = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            _, fields, nanos = line.split()
            values = dict((k, float(v)) for k, v in (kv.split("=") for kv in fields.split(",")))
            points.append((int(nanos), values))
    return points


def windows(points):
    """Lists of points per 5-minute window, with the window's end time."""
    current, start = [], None
    for t, values in points:
        window_start = t - t % PERIOD_NS
        if start is not None and window_start != start:
            yield start + PERIOD_NS, current
            current = []
        start = window_start
        current.append((t, values))
    if current:
        yield start + PERIOD_NS, current


def requests(points, field):
    """The framed Requests of the task's tTest node for ``field``."""
    init = udf_pb2.Request()
    init.init.options.add(name="field").values.add(type=udf_pb2.STRING, stringValue=field)
    init.init.options.add(name="size").values.add(type=udf_pb2.INT, intValue=3600)
    init.init.options.add(name="alpha").values.add(type=udf_pb2.DOUBLE, doubleValue=ALPHA)
    out = [frame(init.SerializeToString())]
    for tmax, window in windows(points):
        begin = udf_pb2.Request()
        begin.begin.name = "temperatures"
        begin.begin.size = len(window)
        out.append(frame(begin.SerializeToString()))
        for t, values in window:
            point = udf_pb2.Request()
            point.point.time = t
            point.point.fieldsDouble.update(values)
            out.append(frame(point.SerializeToString()))
        end = udf_pb2.Request()
        end.end.name = "temperatures"
        end.end.tmax = tmax
        out.append(frame(end.SerializeToString()))
    return b"".join(out)


def run(data):
    """Feeds ``data`` to one ttest.py process; returns its Responses."""
    proc = subprocess.Popen(
        [sys.executable, "-u", TTEST], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    out, _ = proc.communicate(data)
    responses = []
    stream = io.BytesIO(out)
    while True:
        payload = read_frame(stream)
        if payload is None:
            return responses
        response = udf_pb2.Response()
        response.ParseFromString(payload)
        responses.append(response)


def main():
    points = read_points(DATA)
    first = points[0][0]
    for field in ("hotend", "bed", "air"):
        data = requests(points, field)
        started = time.perf_counter()
        responses = run(data)
        elapsed = time.perf_counter() - started
        anomalies = [
            "{:.2f}h".format((r.point.time - first) / 3600e9)
            for r in responses
            if r.WhichOneof("message") == "point" and r.point.fieldsDouble["pvalue"] < ALPHA
        ]
        print(
            "{}: {} points in {:.2f}s ({:.0f} points/s); pvalue < {} at {}".format(
                field, len(points), elapsed, len(points) / elapsed, ALPHA, ", ".join(anomalies)
            )
        )


if __name__ == "__main__":
    main()
