"""Writes one boot of a host with a long uptime, for the `watch` benchmark.

    bench_long_boot.py EXPORT BOOT FIRST COUNT

EXPORT is a `journalctl -o export` stream and BOOT one of its boot ids. The
boot's first half (its start-up: PID 1's lines, the units started) comes
first, then request-log lines of its services, one a second of monotonic
and wall-clock time after the last, as a host up for weeks logs: the
fields of the services' own lines with a plain message in place of theirs
(the fixture's service output is nearly all incidents — refused
connections, readiness lines — which a long uptime is not).
Writes entries FIRST .. FIRST+COUNT-1 of that sequence, so a journal can be
written in parts (the first run's boot, then the lines that came since).
Every entry of one call is in the same boot, so `watch`'s current boot
grows with COUNT.

A request-log line keeps only what such a line carries: the fields journald
adds itself (`_PID`, `_SYSTEMD_UNIT`, …, but not `_SOURCE_*` times, which
would be those of the line it was made from), `PRIORITY`,
`SYSLOG_IDENTIFIER`, `SYSLOG_FACILITY` and the new `MESSAGE`. Until
2026-12-08 it kept every field of the line it was made from, so the lines
made from systemd-logind's "System is powering down" carried its
`MESSAGE_ID` and `SHUTDOWN=power-off`: ten thousand shutdown messages in one
boot, each an event `watch` kept in its state (7 MB), which no host logs.
"""
import sys

from bench_replicate import entries

SECOND = 1_000_000

# What a plain line of a service's output carries besides journald's own
# fields (see the module doc).
PLAIN = (b"PRIORITY", b"SYSLOG_IDENTIFIER", b"SYSLOG_FACILITY", b"MESSAGE")


def plain(name):
    if name.startswith(b"_SOURCE_"):
        return False
    return name.startswith(b"_") or name in PLAIN


def field(entry, name):
    return next((v for n, v, _ in entry if n == name), None)


def main():
    data = open(sys.argv[1], "rb").read()
    boot = sys.argv[2].encode()
    first, count = int(sys.argv[3]), int(sys.argv[4])
    ours = [e for e in entries(data) if field(e, b"_BOOT_ID") == boot]
    start = ours[: len(ours) // 2]
    # Service output: a unit's own lines, not the managers' or the kernel's.
    chatter = [
        e
        for e in ours
        if field(e, b"_PID") != b"1"
        and field(e, b"_SYSTEMD_UNIT") not in (None, b"init.scope")
        and not field(e, b"_SYSTEMD_UNIT").endswith(b".scope")
        and field(e, b"_TRANSPORT") != b"kernel"
    ]
    last = start[-1]
    mono0 = int(field(last, b"__MONOTONIC_TIMESTAMP"))
    real0 = int(field(last, b"__REALTIME_TIMESTAMP"))
    out = sys.stdout.buffer
    for n in range(first, first + count):
        if n < len(start):
            entry, shift = start[n], None
        else:
            k = n - len(start)
            entry, shift = chatter[k % len(chatter)], (k + 1) * SECOND
        for name, value, binary in entry:
            if name in (b"__CURSOR", b"__SEQNUM", b"__SEQNUM_ID"):
                continue
            if shift is not None and not plain(name):
                continue
            if shift is not None and name == b"MESSAGE":
                value = b"GET /api/items/%d HTTP/1.1 200" % n
            elif shift is not None and name == b"__MONOTONIC_TIMESTAMP":
                value = b"%d" % (mono0 + shift)
            elif shift is not None and name == b"__REALTIME_TIMESTAMP":
                value = b"%d" % (real0 + shift)
            if binary:
                out.write(name + b"\n" + len(value).to_bytes(8, "little") + value + b"\n")
            else:
                out.write(name + b"=" + value + b"\n")
        out.write(b"\n")


if __name__ == "__main__":
    main()
