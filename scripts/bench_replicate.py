"""Replicates a `journalctl -o export` stream COPIES times for benchmarks.

    bench_replicate.py EXPORT COPIES [FIRST [BOOTS]]

writes copies FIRST .. FIRST+COPIES-1 (FIRST defaults to 0), so a journal
can be written in parts, one range of copies each.

Each copy gets fresh boot ids (derived from the originals and the copy number)
and wall-clock times shifted past the previous copy, so the result is a
journal of many distinct boots, not duplicates. Binary (length-framed) fields
are copied byte for byte.

BOOTS, the original boot ids comma-separated, writes each copy boot after
boot in that order, as one journald writes a host's boots: `journalctl -o
export` of a journal whose boots it orders by wall clock (systemd's no-RTC
sample) interleaves them, which no journald writes.
"""
import hashlib
import struct
import sys

DAY_USEC = 86_400_000_000


def entries(data):
    pos = 0
    entry = []
    while pos < len(data):
        nl = data.find(b"\n", pos)
        if nl < 0:
            break
        line = data[pos:nl]
        pos = nl + 1
        if not line:
            if entry:
                yield entry
            entry = []
            continue
        if b"=" in line:
            name, value = line.split(b"=", 1)
            entry.append((name, value, False))
        else:
            (size,) = struct.unpack("<Q", data[pos:pos + 8])
            value = data[pos + 8:pos + 8 + size]
            pos += 8 + size + 1
            entry.append((line, value, True))
    if entry:
        yield entry


def main():
    data = open(sys.argv[1], "rb").read()
    copies = int(sys.argv[2])
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    stream = list(entries(data))
    if len(sys.argv) > 4:
        order = sys.argv[4].split(",")
        boot_of = lambda e: next((v.decode() for n, v, _ in e if n == b"_BOOT_ID"), "")
        rank = lambda e: order.index(boot_of(e)) if boot_of(e) in order else len(order)
        stream.sort(key=rank)  # stable: each boot's entries keep their order
    out = sys.stdout.buffer
    for copy in range(first, first + copies):
        for entry in stream:
            for name, value, binary in entry:
                if name in (b"_BOOT_ID",):
                    value = hashlib.md5(value + b"%d" % copy).hexdigest().encode()
                elif name == b"__REALTIME_TIMESTAMP":
                    value = b"%d" % (int(value) + copy * DAY_USEC)
                elif name == b"__CURSOR":
                    continue
                if binary:
                    out.write(name + b"\n" + struct.pack("<Q", len(value)) + value + b"\n")
                else:
                    out.write(name + b"=" + value + b"\n")
            out.write(b"\n")


if __name__ == "__main__":  # scripts/fleet_journal.py imports entries()
    main()
