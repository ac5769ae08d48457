#!/usr/bin/env bash
# Builds the Debian package: target/debian/jforensics_<version>-1_<arch>.deb.
#   scripts/deb.sh                 release build (what to install)
#   scripts/deb.sh --profile dev --no-build
#                                  packages the debug build the tests already
#                                  have (tests/it/deb.rs): seconds instead of a
#                                  release build's ~11 minutes; cargo-deb warns
#                                  that dev packages are not for release, and
#                                  they are not. --no-build: the binary is
#                                  built already (a cargo build run from a test
#                                  would see the test's CARGO_* environment and
#                                  rebuild dependencies, twice)
# Generated files (man page, completions, units pointing at /usr/bin) go to
# target/deb-assets/, made by the binary being packaged, so they always
# match it; nothing generated is committed. Needs cargo-deb (scripts/setup.sh
# installs it) and dpkg-dev (dpkg-shlibdeps computes Depends).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=release
build=yes
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --profile) profile="$2"; shift 2 ;;
        --no-build) build=no; shift ;;
        *) extra+=("$1"); shift ;;
    esac
done
command -v cargo-deb >/dev/null || { echo "deb.sh: cargo-deb is missing: run scripts/setup.sh" >&2; exit 1; }
[ "$build" = no ] || cargo build --locked --profile "$profile" --bin jforensics
target=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
dir=$target/$([ "$profile" = dev ] && echo debug || echo "$profile")
bin=$dir/jforensics
[ -x "$bin" ] || { echo "deb.sh: $bin is not built" >&2; exit 1; }
# cargo-deb reads assets relative to the crate, whatever CARGO_TARGET_DIR is.
assets=target/deb-assets
rm -rf "$assets"
mkdir -p "$assets/completions" "$assets/systemd" "$assets/maintainer-scripts"
"$bin" man > "$assets/jforensics.1"
"$bin" completions bash > "$assets/completions/jforensics"
"$bin" completions zsh > "$assets/completions/_jforensics"
"$bin" completions fish > "$assets/completions/jforensics.fish"
# contrib/ is for copying by hand (/usr/local/bin); the package's binary is
# in /usr/bin. dh_installsystemd's naming: <package>.<unit>.<suffix>.
for unit in service timer; do
    sed -e 's|/usr/local/bin/jforensics|/usr/bin/jforensics|g' \
        -e '/^# Install: /,/enable --now/c\
# Installed disabled by the jforensics package: choose the sinks with\
# `systemctl edit jforensics-watch.service` (an empty ExecStart= line, then\
# ExecStart= with your flags), then `systemctl enable --now jforensics-watch.timer`.' \
        "contrib/jforensics-watch.$unit" > "$assets/systemd/jforensics.jforensics-watch.$unit"
done
grep -q /usr/bin/jforensics "$assets/systemd/jforensics.jforensics-watch.service"
fast=()
[ "$profile" = release ] || fast=(--fast)
cargo deb --locked --no-build --profile "$profile" "${fast[@]}" "${extra[@]}"
