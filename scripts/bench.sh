#!/usr/bin/env bash
# Benchmarks jforensics against journalctl on the same data in the same run,
# and prints time and peak memory of each side by side with the ratio. Not
# part of the test suite: timings are measurements, never assertions.
#
#   scripts/bench.sh [COPIES]
#
# The data: the system journal of systemd's no-RTC test sample (4 boots,
# 9,142 entries), exported and re-imported COPIES times (default 110) with
# fresh boot ids and wall-clock times a day apart per copy, boot after boot,
# through one systemd-journal-remote: 1,005,620 entries and 440 boots in one
# sequence series over the files it rotates at its size limit (3), as a
# host's journald writes them. Then the largest recorded fixture (debian13),
# unpacked so journalctl can read it too. Then `watch` on one boot of
# 500,000 entries (scripts/bench_long_boot.py: the debian12 fixture's last
# boot, then its services' request-log lines) after 1,000 new entries,
# against journalctl printing those entries after the checkpoint's cursor.
#
# Generated data lives in $BENCH_DIR (default /tmp/jforensics-bench), never in
# the repository. Builds and measures the release binary (CARGO_TARGET_DIR is
# honoured), or the binary BENCH_BIN names. BENCH_RUNS sets hyperfine's runs;
# BENCH_ONLY=watch measures only `watch`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
command -v hyperfine >/dev/null || { sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo; $sudo apt-get install -y -qq hyperfine >/dev/null; }
copies="${1:-110}"
work="${BENCH_DIR:-/tmp/jforensics-bench}"
runs="${BENCH_RUNS:-5}"
mkdir -p "$work"
# BENCH_BIN measures a binary built elsewhere instead of building one.
if [ -n "${BENCH_BIN:-}" ]; then
    bin="$(realpath "$BENCH_BIN")"
else
    cargo build --release --locked --quiet
    bin="$(realpath "${CARGO_TARGET_DIR:-target}")/release/jforensics"
fi
remote=$(ls /lib/systemd/systemd-journal-remote /usr/lib/systemd/systemd-journal-remote 2>/dev/null | head -1)

if [ "${BENCH_ONLY:-}" != watch ]; then
big="$work/big-$copies"
if [ ! -f "$big/.complete" ]; then
    rm -rf "$work/src" "$big"; mkdir -p "$work/src" "$big"
    for f in tests/fixtures/systemd/no-rtc/system*.zst; do
        zstd -q -d "$f" -o "$work/src/$(basename "${f%.zst}")"
    done
    journalctl -D "$work/src" -o export > "$work/src/all.export"
    # The sample's files are four sequence series that only wall clocks
    # order; each copy is written boot after boot in jforensics' order.
    order=$("$bin" -D "$work/src" boots -o json 2>/dev/null | jq -r '[.[].boot_id] | join(",")')
    python3 scripts/bench_replicate.py "$work/src/all.export" "$copies" 0 "$order" \
        | "$remote" --output="$big/system.journal" - 2>/dev/null
    touch "$big/.complete"
fi
fi

# The newest boot and the one before, as jforensics numbers them: the same
# boots are then asked of journalctl by id (its own -b -1 skips boots of this
# no-RTC journal).
boot_id() { "$bin" -D "$1" boots -b "$2" -o json | jq -r '.[0].boot_id'; }

results="$work/results.tsv"
: > "$results"
# name, jforensics command, journalctl command, target (max ratio), runs,
# and a command run before each run of either, untimed
bench() {
    local prepare="${6:-true}"
    hyperfine --warmup 1 --runs "${5:-$runs}" --export-json "$work/h.json" --prepare "$prepare" \
        -n jforensics "$2" -n journalctl "$3" >/dev/null
    local rss=()
    for tool in "$2" "$3"; do
        bash -c "$prepare"
        # GNU time writes to its own stderr, which the command's redirection
        # would swallow: -o keeps the number. %M is the largest RSS of any
        # one process of the tree (bash, the tool, jforensics' readers).
        /usr/bin/time -f "%M" -o "$work/rss" bash -c "$tool" >/dev/null 2>&1
        rss+=("$(tail -1 "$work/rss")")
    done
    jq -r --arg name "$1" --arg target "$4" --arg r0 "${rss[0]}" --arg r1 "${rss[1]}" \
        '[$name, (.results[0].mean * 1000), ($r0 | tonumber / 1024), (.results[1].mean * 1000), ($r1 | tonumber / 1024), $target] | @tsv' \
        "$work/h.json" >> "$results"
    printf '%s\n  jforensics: %s\n  journalctl: %s\n' "$1" "$2" "$3" >> "$work/commands.txt"
}
: > "$work/commands.txt"

if [ "${BENCH_ONLY:-}" != watch ]; then
entries=$("$bin" -D "$big" boots -o json | jq '[.[].entries] | add')
boots=$("$bin" -D "$big" boots -o json | jq length)
echo "data: $entries entries, $boots boots, $(ls "$big"/*.journal | wc -l) files, $(du -sh "$big" | cut -f1)"
newest=$(boot_id "$big" 0)
before=$(boot_id "$big" -1)
bench "list boots" \
    "$bin -D $big boots -o json > /dev/null" "journalctl -D $big --list-boots > /dev/null" 2
bench "since-boot, newest boot" \
    "$bin -D $big since-boot -o json > /dev/null" "journalctl -D $big -b $newest -o json > /dev/null" 3
bench "since-boot -b -1" \
    "$bin -D $big since-boot -b -1 -o json > /dev/null" "journalctl -D $big -b $before -o json > /dev/null" 3
bench "findings, every boot, vs the whole journal as JSON" \
    "$bin -D $big findings -o json > /dev/null" "journalctl -D $big -o json > /dev/null" 0.1 3

# The same files as an OS tree, as `--root` and the local journal see them:
# jforensics lists them itself and reads the ones being written (here the
# last, left offline by systemd-journal-remote) from a private snapshot.
tree="$work/root-$copies"
rm -rf "$tree"; mkdir -p "$tree/var/log/journal/5e1ec7ed5e1ec7ed5e1ec7ed5e1ec7ed"
for f in "$big"/*.journal; do
    ln -s "$f" "$tree/var/log/journal/5e1ec7ed5e1ec7ed5e1ec7ed5e1ec7ed/"
done
bench "--root: since-boot -b -1" \
    "$bin --root $tree since-boot -b -1 -o json > /dev/null" "journalctl --root $tree -b $before -o json > /dev/null" 3
bench "--root: since-boot, newest boot" \
    "$bin --root $tree since-boot -o json > /dev/null" "journalctl --root $tree -b $newest -o json > /dev/null" 3
bench "--root: findings, every boot, vs the whole journal as JSON (RSS target 150 MiB)" \
    "$bin --root $tree findings -o json > /dev/null" "journalctl --root $tree -o json > /dev/null" 0.1 3

fixture="$work/fixture-debian13"
rm -rf "$fixture"; mkdir -p "$fixture"
for f in tests/fixtures/debian13/journal/*.zst; do
    zstd -q -d "$f" -o "$fixture/$(basename "${f%.zst}")"
done
bench "debian13 fixture: since-boot, newest boot (reads the boot before too)" \
    "$bin -D $fixture since-boot -o json > /dev/null" "journalctl -D $fixture -b $(boot_id "$fixture" 0) -o json > /dev/null" -
bench "debian13 fixture: since-boot -b -1 (the debug-level boot)" \
    "$bin -D $fixture since-boot -b -1 -o json > /dev/null" "journalctl -D $fixture -b $(boot_id "$fixture" -1) -o json > /dev/null" -
fi

# watch on a host with a long uptime: one boot of 500,000 entries (the
# debian12 fixture's last boot, its start-up, then its services' request log a
# line a second) that a first run read, then 1,000 entries more in a file of
# their own, as journald rotates; each measured run starts from the first
# run's state. Beside it, journalctl printing those 1,000 entries.
long="$work/long-boot"
if [ ! -f "$long/.complete" ]; then
    rm -rf "$long"; mkdir -p "$long/src" "$long/journal"
    for f in tests/fixtures/debian12/journal/*.zst; do
        zstd -q -d "$f" -o "$long/src/$(basename "${f%.zst}")"
    done
    journalctl -D "$long/src" -o export > "$long/src/all.export"
    last_boot=$("$bin" -D "$long/src" boots -b 0 -o json | jq -r '.[0].boot_id')
    python3 scripts/bench_long_boot.py "$long/src/all.export" "$last_boot" 0 500000 \
        | "$remote" --output="$long/journal/system.journal" - 2>/dev/null
    python3 scripts/bench_long_boot.py "$long/src/all.export" "$last_boot" 500000 1000 \
        > "$long/more.export"
    rm -rf "$long/src"
    touch "$long/.complete"
fi
rm -rf "$long/state0" "$long/journal/more.journal"
"$bin" -D "$long/journal" watch --state "$long/state0" --initial-lookback 3650d -o json > /dev/null
cursor=$(jq -r '.checkpoint.cursor' "$long"/state0/*.json | grep -v '^null$' | head -1)
"$remote" --output="$long/journal/more.journal" "$long/more.export" 2>/dev/null
echo "watch data: $("$bin" -D "$long/journal" boots -b 0 -o json | jq '.[0].entries') entries in the newest boot, 1,000 of them after the checkpoint"
fresh="rm -rf $long/state && cp -a $long/state0 $long/state"
watch="$bin -D $long/journal watch --state $long/state -o json"
after="journalctl -D $long/journal --after-cursor='$cursor' -o json > /dev/null"
bench "watch after 1,000 new entries in a boot of 500,000 (from the first run's state)" \
    "$watch > /dev/null" "$after" 5 "$runs" "$fresh"
bench "watch --full, same (reads the boot whole, as before the state kept it)" \
    "$watch --full > /dev/null" "$after" - 3 "$fresh"

echo
echo "| task | jforensics | journalctl | ratio | target |"
echo "| --- | --- | --- | --- | --- |"
while IFS=$'\t' read -r name jt jr ct cr target; do
    awk -v n="$name" -v jt="$jt" -v jr="$jr" -v ct="$ct" -v cr="$cr" -v t="$target" 'BEGIN {
        r = jt / ct
        verdict = (t == "-") ? "-" : sprintf("<= %sx: %s", t, r <= t ? "met" : "NOT met")
        printf "| %s | %.0f ms, %.0f MiB | %.0f ms, %.0f MiB | %.2fx | %s |\n", n, jt, jr, ct, cr, r, verdict
    }'
done < "$results"
echo
cat "$work/commands.txt"

# Many hosts in one directory: its own script, so it can run alone too.
[ "${BENCH_ONLY:-}" = watch ] || BENCH_DIR="$work" scripts/bench-fleet.sh "$bin"
