#!/usr/bin/env bash
# Installs the system packages jforensics needs to build and test, when missing.
# Sourced by run.sh and test.sh; safe to run again (it does nothing then).
#   libsystemd-dev, pkg-config  build: the `systemd` crate links libsystemd
#   systemd (journalctl)        tests compare with journalctl
#   systemd-journal-remote      tests turn export streams into real journal files
#   zstd                        unpacking sample journals by hand
#   python3, python3-pip        the fixture scripts, and pip for duckdb
#   duckdb (Python, from PyPI)  tests run queries/fleet/*.sql over an exported dataset
#   prometheus-alertmanager     tests post `watch --alertmanager` alerts to the real one
#   prometheus-node-exporter    tests scrape `watch --textfile` metrics through it
#   man-db, dpkg-dev            the package test: `man -w`, dpkg-shlibdeps for Depends
#   cargo-deb (crates.io)       scripts/deb.sh; `cargo install` compiles it (~2 min, 2 cores)
set -euo pipefail

need=()
pkg-config --exists libsystemd 2>/dev/null || need+=(libsystemd-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v journalctl >/dev/null || need+=(systemd)
[ -x /lib/systemd/systemd-journal-remote ] || [ -x /usr/lib/systemd/systemd-journal-remote ] || need+=(systemd-journal-remote)
command -v zstd >/dev/null || need+=(zstd)
command -v cc >/dev/null || need+=(build-essential)
# python3 and pip for the duckdb package below (and the fixture scripts).
command -v python3 >/dev/null || need+=(python3)
python3 -m pip --version >/dev/null 2>&1 || python3 -c "import duckdb" 2>/dev/null || need+=(python3-pip)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
command -v prometheus-node-exporter >/dev/null || need+=(prometheus-node-exporter)
command -v man >/dev/null || need+=(man-db)
command -v dpkg-shlibdeps >/dev/null || need+=(dpkg-dev)

if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    # The packages start their daemons on all interfaces (:9093, :9100); the
    # tests run their own on 127.0.0.1, so keep the system's copies off.
    if [ -d /run/systemd/system ]; then
        for unit in prometheus-alertmanager prometheus-node-exporter; do
            [[ " ${need[*]} " == *" $unit "* ]] && $sudo systemctl disable --now "$unit.service" >/dev/null 2>&1 || true
        done
    fi
fi
python3 -c "import duckdb" 2>/dev/null || {
    echo "setup: installing the duckdb Python package" >&2
    python3 -m pip install -q duckdb 2>/dev/null || python3 -m pip install -q --break-system-packages duckdb
}
command -v cargo >/dev/null || {
    echo "setup: cargo not found; install Rust first (https://rustup.rs)" >&2
    exit 1
}
# Pinned: scripts/deb.sh --profile dev (the package test) relies on cargo-deb
# still accepting the dev profile, which it warns it will stop doing.
cargo deb --version 2>/dev/null | grep -qx "cargo-deb 3.8.0" || {
    echo "setup: installing cargo-deb 3.8.0 (compiles for about 2 minutes)" >&2
    cargo install -q --locked cargo-deb --version 3.8.0
}
