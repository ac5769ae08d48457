#!/usr/bin/env bash
# Benchmarks jforensics against journalctl on the same data in the same run,
# and reports time and peak memory of each with the ratio. Not part of the test
# suite: timings are measurements, never assertions.
#
#   scripts/bench.sh [COPIES]
#
# The data: the no-RTC Fedora journal from systemd's test suite (4 boots,
# 10,757 entries), exported and re-imported COPIES times (default 40) with
# fresh boot ids through systemd-journal-remote, so both tools read one real
# binary journal of ~430,000 entries and 160 boots.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
command -v hyperfine >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get install -y -qq hyperfine >/dev/null; }
copies="${1:-40}"
work="${BENCH_DIR:-/tmp/jforensics-bench}"
mkdir -p "$work"
cargo build --release --locked --quiet
bin="$(realpath "${CARGO_TARGET_DIR:-target}")/release/jforensics"
remote=$(ls /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote 2>/dev/null | head -1)

if [ ! -f "$work/big/big.journal" ]; then
    rm -rf "$work/src" "$work/big"; mkdir -p "$work/src" "$work/big"
    for f in tests/fixtures/systemd/no-rtc/system*.zst; do
        zstd -q -d "$f" -o "$work/src/$(basename "${f%.zst}")"
    done
    journalctl -D "$work/src" -o export > "$work/src/all.export"
    python3 scripts/bench_replicate.py "$work/src/all.export" "$copies" \
        | "$remote" --output="$work/big/big.journal" - 2>/dev/null
    journalctl -D "$work/big" -o json > "$work/big.json"
fi
entries=$(wc -l < "$work/big.json")
echo "data: $entries entries, $(du -h "$work/big/big.journal" | cut -f1) journal file, $(du -h "$work/big.json" | cut -f1) JSON"

report="$work/results.md"
: > "$report"
bench() { # name, jforensics command, journalctl command
    echo "## $1" >> "$report"
    hyperfine --warmup 1 --runs 5 --export-markdown "$work/h.md" -n jforensics "$2" -n journalctl "$3" >/dev/null
    cat "$work/h.md" >> "$report"
    for tool in "$2" "$3"; do
        # GNU time writes to its own stderr, which the command's redirection
        # would swallow: -o keeps the number. %M is the largest RSS of the
        # process tree (bash, the tool, and jforensics' reader child).
        /usr/bin/time -f "%M" -o "$work/rss" bash -c "$tool" >/dev/null 2>&1
        rss=$(tail -1 "$work/rss")
        echo "peak RSS $((rss / 1024)) MiB: \`$tool\`" >> "$report"; echo >> "$report"
    done
}
bench "list boots" "$bin -D $work/big boots -o json > /dev/null" "journalctl -D $work/big --list-boots > /dev/null"
bench "read the whole journal as JSON" "$bin --input $work/big.json boots -o json > /dev/null" "journalctl -D $work/big -o json > /dev/null"
if "$bin" -D "$work/big" since-boot --help >/dev/null 2>&1; then
    bench "story of the newest boot" "$bin -D $work/big since-boot -o json > /dev/null" "journalctl -D $work/big -b -o json > /dev/null"
fi

# The recorded fixture with the most entries (debian13: systemd 257, 4 boots,
# one at debug level), unpacked so journalctl can read it too.
fixture="$work/fixture-debian13"
rm -rf "$fixture"; mkdir -p "$fixture"
for f in tests/fixtures/debian13/journal/*.zst; do
    zstd -q -d "$f" -o "$fixture/$(basename "${f%.zst}")"
done
bench "fixture debian13: story of the newest boot (reads the boot before too, for lost-at-reboot)" \
    "$bin -D $fixture since-boot -o json > /dev/null" "journalctl -D $fixture -b -o json > /dev/null"
bench "fixture debian13: story of the debug-level boot (-b -1)" \
    "$bin -D $fixture since-boot -b -1 -o json > /dev/null" "journalctl -D $fixture -b -1 -o json > /dev/null"
cat "$report"

# Many hosts in one directory: its own script, so it can run alone too.
BENCH_DIR="$work" scripts/bench-fleet.sh "$bin"
