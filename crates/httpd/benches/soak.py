#!/usr/bin/env python3
"""Soak bench of the server: three load processes POST days of printer data, each into
its own database read by its own copy of tickscripts/print_temps.tick, against one
`tickflow run` on loopback, while the server's resident memory is sampled.

It reports points/s, how many writes were refused (503/408), RSS over time, and whether
each task's alert log equals the alerts of an offline `tickflow replay` of the same data
(alerts exact). Loopback only; every loop is bounded by the data it sends.

    python3 crates/httpd/benches/soak.py --days 20 --rate 10000 [--binary target/release/tickflow]

`--rate` is each client's points per second (0: as fast as the server takes them), so a
soak at a steady load lasts `days * 86400 / rate` seconds.
"""

import argparse
import json
import multiprocessing
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[3]
LOADS = 3


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def script_for(db, logdir):
    """print_temps.tick reading `db`, logging into `logdir`."""
    text = (ROOT / "tickscripts/print_temps.tick").read_text()
    text = text.replace('dbrp "printer"."autogen"', f'dbrp "{db}"."autogen"')
    return text.replace("/tmp/tickflow/", f"{logdir}/")


def generate(days, seed, out):
    subprocess.run(
        [sys.executable, str(ROOT / "testdata/printer_data.py"), "--seed", str(seed),
         "--seconds", str(days * 86400), "--out", str(out)],
        check=True,
    )


def post_all(args):
    """One load process: POSTs its file in 5000-line bodies, at most `rate` points/s;
    returns (points, refused)."""
    url, path, rate = args
    lines = pathlib.Path(path).read_bytes().splitlines(keepends=True)
    points = refused = 0
    started = time.time()
    for start in range(0, len(lines), 5000):
        if rate > 0:
            time.sleep(max(0.0, started + points / rate - time.time()))
        body = b"".join(lines[start:start + 5000])
        while True:
            request = urllib.request.Request(url, data=body, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=60) as reply:
                    reply.read()
                break
            except urllib.error.HTTPError as err:
                if err.code not in (503, 408):
                    raise
                refused += 1
                time.sleep(0.05)
        points += len(lines[start:start + 5000])
    return points, refused


def rss_kib(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def alert_lines(logdir):
    """Each log's (id, level, time) triples, sorted."""
    events = []
    for log in sorted(pathlib.Path(logdir).glob("*.log")):
        for line in log.read_text().splitlines():
            doc = json.loads(line)
            events.append((doc["id"], doc["level"], doc["time"]))
    return sorted(events)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--rate", type=int, default=0)
    parser.add_argument("--binary", default=str(ROOT / "target/release/tickflow"))
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="tickflow-soak-"))
    try:
        scripts, files, logdirs = [], [], []
        for i in range(LOADS):
            db = f"printer{i + 1}"
            logdir = work / f"logs{i + 1}"
            logdir.mkdir()
            script = work / f"{db}.tick"
            script.write_text(script_for(db, logdir))
            data = work / f"{db}.lp"
            generate(args.days, 42 + i, data)
            scripts.append(script), files.append(data), logdirs.append(logdir)
        port = free_port()
        server = subprocess.Popen(
            [args.binary, "run", *map(str, scripts), "--bind", f"127.0.0.1:{port}",
             "--data-dir", str(work / "data")],
            stderr=subprocess.PIPE,
        )
        ping = f"http://127.0.0.1:{port}/kapacitor/v1/ping"
        for _ in range(200):
            try:
                urllib.request.urlopen(ping, timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        samples, done = [], threading.Event()

        def sample():
            started = time.time()
            while not done.is_set():
                samples.append((time.time() - started, rss_kib(server.pid)))
                time.sleep(0.5)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.time()
        with multiprocessing.Pool(LOADS) as pool:
            jobs = [(f"http://127.0.0.1:{port}/write?db=printer{i + 1}&rp=autogen", str(f),
                     args.rate) for i, f in enumerate(files)]
            results = pool.map(post_all, jobs)
        elapsed = time.time() - started
        done.set()
        sampler.join()
        server.terminate()
        server.wait(timeout=120)
        points = sum(p for p, _ in results)
        refused = sum(r for _, r in results)
        exact = True
        for i in range(LOADS):
            offline = work / f"offline{i + 1}"
            offline.mkdir()
            (work / f"off{i + 1}.tick").write_text(script_for(f"printer{i + 1}", offline))
            subprocess.run([args.binary, "replay", str(work / f"off{i + 1}.tick"),
                            "--data", str(files[i])], check=True, capture_output=True)
            same = alert_lines(offline) == alert_lines(logdirs[i])
            exact &= same
            print(f"task printer{i + 1}: {len(alert_lines(logdirs[i]))} alert events, "
                  f"{'equal to' if same else 'DIFFERENT from'} the offline replay")
        peak = max(r for _, r in samples) if samples else 0
        limit = f"at most {args.rate:,} points/s each" if args.rate else "unthrottled"
        print(f"points: {points} in {elapsed:.1f}s = {points / elapsed:,.0f} points/s "
              f"({LOADS} clients, {limit}, 5000-line bodies)")
        print(f"refused writes (503/408, retried): {refused}")
        marks = [samples[int(k * (len(samples) - 1) / 6)] for k in range(7)] if samples else []
        print("RSS over time: " + ", ".join(f"{t:.0f}s {r / 1024:.0f} MiB" for t, r in marks)
              + f"; peak {peak / 1024:.0f} MiB")
        print(f"alerts exact: {exact}")
        return 0 if exact else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
