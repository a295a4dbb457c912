#!/usr/bin/env bash
# Replays the printer days through the release binary and reports rate and peak RSS
# (docs/BENCHMARKS.md, "Replay at scale"). Generates the 100-printer day (about 700 MB)
# under $WORK, never in the repository.
#
#   cargo build --release -p tickflow-cli
#   crates/cli/benches/replay_printers.sh [WORK_DIR]
set -euo pipefail

repo=$(cd "$(dirname "$0")/../../.." && pwd)
bin="$repo/target/release/tickflow"
work=${1:-/tmp/tickflow-bench}
mkdir -p "$work"

p100="$work/p100.lp"
if [[ ! -s $p100 ]]; then
    python3 "$repo/testdata/printer_data.py" --printers 100 --precision s --out "$p100"
fi
p1="$work/p1.lp"
if [[ ! -s $p1 ]]; then
    python3 "$repo/testdata/printer_data.py" --precision s --out "$p1"
fi

# The guide's script, grouped by printer, alerts logged under $work.
sed -e "s|\.measurement('temperatures')|.measurement('temperatures').groupBy('printer')|" \
    -e "s|/tmp/tickflow/|$work/alerts-|" \
    "$repo/tickscripts/print_temps.tick" > "$work/grouped.tick"
# The split-only floor: read and parse, no node beyond the source.
printf 'dbrp "printer"."autogen"\nstream\n    |from()\n        .measurement(%s)\n' \
    "'nothing'" > "$work/split.tick"

run() { # name script data
    local name=$1 script=$2 data=$3
    rm -f "$work"/alerts-*
    /usr/bin/time -v "$bin" replay "$script" --data "$data" --precision s \
        > "$work/$name.out" 2> "$work/$name.time"
    local rate rss
    rate=$(grep -m1 '^throughput:' "$work/$name.out" | awk '{print $2}')
    rss=$(grep 'Maximum resident set size' "$work/$name.time" | awk '{print $NF}')
    printf '%-10s %12s points/s  peak RSS %8s kB\n' "$name" "$rate" "$rss"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
run p100 "$work/grouped.tick" "$p100"
run p1 "$work/grouped.tick" "$p1"
run p1-split "$work/split.tick" "$p1"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
