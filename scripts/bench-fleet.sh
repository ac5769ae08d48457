#!/usr/bin/env bash
# Many hosts in one directory: `jforensics fleet findings` over 20 and 200
# hosts' journals, and `findings -D` over 10, 20, 40, 80 and 200 (fleets from
# scripts/fleet_journal.py: copies of the recorded fixtures written by
# systemd-journal-remote, 4 boots and 16 MB each). Total time and peak RSS
# of each, and how they grow. Growth must be linear or better: time per
# host flat, and peak RSS growing far less than the hosts, since a worker
# (fleet) or the one host being read (-D) is all that is held besides the
# results. A measurement, never an assertion. Called by scripts/bench.sh;
# alone:
#
#   scripts/bench-fleet.sh [BIN]     (BIN: a release build of jforensics)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-$(realpath "${CARGO_TARGET_DIR:-target}")/release/jforensics}"
work="${BENCH_DIR:-/tmp/jforensics-bench}/fleet"
mkdir -p "$work"
# Host i of a fleet is the same whatever the fleet's size, so the smaller
# fleets are the first hosts of the 200, linked rather than written again.
full="$work/hosts-200"
if [ ! -f "$full/.complete" ]; then
    rm -rf "$full"
    python3 scripts/fleet_journal.py "$full" 200 2
    touch "$full/.complete"
fi
fleet_dir() {
    local hosts=$1 dir="$work/hosts-$1"
    if [ "$hosts" -ne 200 ] && [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir"; mkdir -p "$dir"
        for i in $(seq 0 $((hosts - 1))); do
            ln "$full/$(printf 'remote-fleet-%03d.journal' "$i")" "$dir/"
        done
        head -n "$hosts" "$full/hosts.tsv" > "$dir/hosts.tsv"
        touch "$dir/.complete"
    fi
    echo "$dir"
}
# GNU time: %e wall seconds, %U+%S CPU seconds of the tree (reader
# processes included), %M the largest RSS of one process in the tree.
measure() {
    /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" > /dev/null
    read -r wall user sys rss < "$work/time"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
}

report="$work/results.md"
echo "## fleet findings: 20 and 200 hosts ($(nproc) CPUs)" > "$report"
echo >> "$report"
echo "| hosts | journal size | time | CPU | peak RSS |" >> "$report"
echo "| ---: | ---: | ---: | ---: | ---: |" >> "$report"
declare -A secs mem
for hosts in 20 200; do
    dir=$(fleet_dir "$hosts")
    measure "$bin" fleet findings "$dir" -o json
    secs[$hosts]=$wall; mem[$hosts]=$rss
    echo "| $hosts | $(du -sh "$dir" | cut -f1) | $wall s | $cpu s | $(( rss / 1024 )) MiB |" >> "$report"
done
echo >> "$report"
awk -v t20="${secs[20]}" -v t200="${secs[200]}" -v m20="${mem[20]}" -v m200="${mem[200]}" 'BEGIN {
    printf "growth 20 → 200 hosts (10× the data): time ×%.1f, peak RSS ×%.1f\n", t200 / t20, m200 / m20
}' >> "$report"

# `findings -D`: each host is read through its own files, so the time per
# host must not grow with the number of hosts.
echo >> "$report"
echo "## findings -D over a directory of many hosts" >> "$report"
echo >> "$report"
echo "| hosts | time | per host | CPU | CPU per host | peak RSS |" >> "$report"
echo "| ---: | ---: | ---: | ---: | ---: | ---: |" >> "$report"
for hosts in 10 20 40 80 200; do
    dir=$(fleet_dir "$hosts")
    measure "$bin" -D "$dir" findings -o json
    awk -v n="$hosts" -v w="$wall" -v c="$cpu" -v m="$rss" 'BEGIN {
        printf "| %d | %.1f s | %.2f s | %.1f s | %.2f s | %d MiB |\n", n, w, w / n, c, c / n, m / 1024
    }' >> "$report"
done
cat "$report"
