//! Shared helpers: where the test journals are, and running the binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub mod daemon;
pub mod fixture;
pub mod growing;
pub mod timed;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// systemd's own test journals, copied into `tests/fixtures/systemd/` (LGPL-2.1, see its README).
pub fn systemd_test_journals() -> PathBuf {
    repo().join("tests/fixtures/systemd")
}

/// The no-RTC Fedora journal (4 boots), as a directory of compressed files
/// that `-D` reads directly.
pub fn no_rtc_dir() -> PathBuf {
    systemd_test_journals().join("no-rtc")
}

/// The same files unpacked for tools (journalctl) that need plain journal
/// files: once, into cargo's scratch directory for integration tests, so
/// repeated runs reuse one copy instead of leaving one per run in /tmp.
pub fn no_rtc_unpacked() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| unpacked(&no_rtc_dir(), "no-rtc-unpacked"))
}

/// The `.zst` journal files of `packed` unpacked into cargo's scratch
/// directory under `name` (once: a finished copy is marked and reused).
pub fn unpacked(packed: &Path, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let done = dir.join(".complete");
    if done.exists() {
        return dir;
    }
    unpack_into(packed, &dir);
    std::fs::write(&done, b"").unwrap();
    dir
}

/// Unpacks the `.zst` files of `packed` into `dir` (made if missing).
pub fn unpack_into(packed: &Path, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for item in std::fs::read_dir(packed).unwrap() {
        let path = item.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        let Some(plain) = name.strip_suffix(".zst") else {
            continue;
        };
        let input = std::fs::File::open(&path).unwrap();
        let mut out = std::fs::File::create(dir.join(plain)).unwrap();
        std::io::copy(&mut zstd::Decoder::new(input).unwrap(), &mut out).unwrap();
    }
}

/// Library calls in these tests read journals through the built binary as
/// their reader process, as the jforensics command does (the test binary
/// cannot serve as one).
pub fn read_through_the_binary() {
    jforensics::journal::set_reader_program(PathBuf::from(env!("CARGO_BIN_EXE_jforensics")));
}

pub fn jforensics(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jforensics"))
        .args(args)
        .output()
        .expect("run jforensics")
}

/// Runs jforensics, asserts success, and parses its stdout as JSON.
pub fn jforensics_json(args: &[&str]) -> serde_json::Value {
    let out = jforensics(args);
    assert!(
        out.status.success(),
        "jforensics {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Runs a tool, returning its stdout; panics with its stderr on failure.
pub fn run_tool(program: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} is needed for this test ({e}); the README's test command installs it")
        });
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Whether this run rewrites the outputs it compares (`scripts/bless.sh`
/// sets `JFORENSICS_BLESS`); refused under `CI=true`, so that CI can never
/// bless its own output.
pub fn blessing() -> bool {
    let bless = std::env::var_os("JFORENSICS_BLESS").is_some();
    assert!(
        !(bless && std::env::var("CI").is_ok_and(|v| v == "true")),
        "JFORENSICS_BLESS is set under CI=true: outputs are blessed by a person (scripts/bless.sh), never by CI"
    );
    bless
}

/// Offsets of the ENTRY objects of a journal file, in file order (for
/// tests that damage one entry): objects are 8-byte aligned, one after the
/// other, from the header's end to the end of the arena it names.
pub fn entry_objects(b: &[u8]) -> Vec<usize> {
    let le64 = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap()) as usize;
    let mut at = le64(88);
    let end = (le64(88) + le64(96)).min(b.len());
    let mut out = Vec::new();
    while at + 16 <= end {
        let size = le64(at + 8);
        if size == 0 {
            break;
        }
        if b[at] == 3 {
            out.push(at);
        }
        at += (size + 7) & !7;
    }
    out
}
