"""Builds a fleet's journal directory from the recorded fixtures.

    python3 scripts/fleet_journal.py OUT_DIR HOSTS [STAGGER_SECONDS]

Host i is a copy of tests/fixtures/debian12 (even i) or debian13 (odd i),
exported with `journalctl -o export` and written back with
systemd-journal-remote as OUT_DIR/remote-fleet-NNN.journal, the layout a
central log server has. Each copy is a different machine: _MACHINE_ID,
_BOOT_ID and _HOSTNAME are rewritten, and its wall-clock times are shifted
by (i // 2) * STAGGER_SECONDS (default 2), so the hosts of one fixture boot
in staggered waves. OUT_DIR/hosts.tsv says what was built, one host a line:
hostname, machine id, fixture, shift in µs, and old=new boot ids.

The tests (tests/it/fleet.rs) and scripts/bench-fleet.sh use it; binary
(length-framed) fields are copied byte for byte.
"""
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

from bench_replicate import entries  # the export-format parser

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = ["debian12", "debian13"]
TIME_FIELDS = (b"__REALTIME_TIMESTAMP", b"_SOURCE_REALTIME_TIMESTAMP")
DROPPED = (b"__CURSOR", b"__SEQNUM", b"__SEQNUM_ID")


def export(fixture, scratch):
    """The fixture's entries, as parsed export records."""
    src = os.path.join(ROOT, "tests/fixtures", fixture, "journal")
    plain = os.path.join(scratch, fixture)
    os.makedirs(plain, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if name.endswith(".zst"):
            subprocess.run(["zstd", "-q", "-d", "-f", os.path.join(src, name),
                            "-o", os.path.join(plain, name[:-4])], check=True)
    data = subprocess.run(["journalctl", "-D", plain, "-o", "export"],
                          check=True, stdout=subprocess.PIPE).stdout
    return list(entries(data))


def md5_id(*parts):
    return hashlib.md5(b"\x1f".join(parts)).hexdigest().encode()


def remote_tool():
    for path in ("/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"):
        if os.path.exists(path):
            return path
    sys.exit("systemd-journal-remote is needed (Debian package systemd-journal-remote; scripts/setup.sh installs it)")


def main():
    out_dir, hosts = sys.argv[1], int(sys.argv[2])
    stagger_usec = int(float(sys.argv[3]) * 1_000_000) if len(sys.argv) > 3 else 2_000_000
    os.makedirs(out_dir, exist_ok=True)
    remote = remote_tool()
    manifest = []
    with tempfile.TemporaryDirectory(prefix="jforensics-fleet-") as scratch:
        records = {f: export(f, scratch) for f in FIXTURES}
        for i in range(hosts):
            fixture = FIXTURES[i % 2]
            hostname = b"fleet-%03d" % i
            machine = md5_id(b"machine", hostname)
            shift = (i // 2) * stagger_usec
            boots = {}
            chunks = []
            for entry in records[fixture]:
                for name, value, binary in entry:
                    if name in DROPPED:
                        continue
                    if name == b"_BOOT_ID":
                        value = boots.setdefault(value, md5_id(b"boot", value, hostname))
                    elif name == b"_MACHINE_ID":
                        value = machine
                    elif name == b"_HOSTNAME":
                        value = hostname
                    elif name in TIME_FIELDS:
                        value = b"%d" % (int(value) + shift)
                    if binary:
                        chunks.append(name + b"\n" + struct.pack("<Q", len(value)) + value + b"\n")
                    else:
                        chunks.append(name + b"=" + value + b"\n")
                chunks.append(b"\n")
            target = os.path.join(out_dir, "remote-%s.journal" % hostname.decode())
            if os.path.exists(target):
                os.remove(target)
            subprocess.run([remote, "--output=" + target, "-"], input=b"".join(chunks),
                           check=True, stderr=subprocess.DEVNULL)
            manifest.append("\t".join([
                hostname.decode(), machine.decode(), fixture, str(shift),
                ",".join("%s=%s" % (old.decode(), new.decode()) for old, new in boots.items()),
            ]))
    with open(os.path.join(out_dir, "hosts.tsv"), "w") as f:
        f.write("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
