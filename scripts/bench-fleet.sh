#!/usr/bin/env bash
# Fleet benchmark: `jforensics fleet findings` over a directory of 20 and of
# 200 hosts' journals (scripts/fleet_journal.py: copies of the recorded
# fixtures written by systemd-journal-remote, 4 boots and 13 MB each), total time and peak RSS of each, and how they grow from 20 to 200
# hosts. Growth must be linear or better: time ×10 or less, and peak RSS
# growing far less than 10×, since a worker holds one host at a time. A
# measurement, never an assertion. Called by scripts/bench.sh; alone:
#
#   scripts/bench-fleet.sh [BIN]     (BIN: a release build of jforensics)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-$(realpath "${CARGO_TARGET_DIR:-target}")/release/jforensics}"
work="${BENCH_DIR:-/tmp/jforensics-bench}/fleet"
mkdir -p "$work"
report="$work/results.md"
echo "## fleet findings: 20 and 200 hosts ($(nproc) CPUs)" > "$report"
echo >> "$report"
echo "| hosts | journal size | time | peak RSS |" >> "$report"
echo "| ---: | ---: | ---: | ---: |" >> "$report"
declare -A secs rss
for hosts in 20 200; do
    dir="$work/hosts-$hosts"
    if [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir"
        python3 scripts/fleet_journal.py "$dir" "$hosts" 2
        touch "$dir/.complete"
    fi
    # GNU time: %e wall seconds, %M the largest RSS of one process in the
    # tree (jforensics or one of its reader children).
    /usr/bin/time -f "%e %M" -o "$work/time" "$bin" fleet findings "$dir" -o json > /dev/null
    read -r secs[$hosts] rss[$hosts] < "$work/time"
    echo "| $hosts | $(du -sh "$dir" | cut -f1) | ${secs[$hosts]} s | $(( ${rss[$hosts]} / 1024 )) MiB |" >> "$report"
done
echo >> "$report"
awk -v t20="${secs[20]}" -v t200="${secs[200]}" -v m20="${rss[20]}" -v m200="${rss[200]}" 'BEGIN {
    printf "growth 20 → 200 hosts (10× the data): time ×%.1f, peak RSS ×%.1f\n", t200 / t20, m200 / m20
}' >> "$report"
cat "$report"
