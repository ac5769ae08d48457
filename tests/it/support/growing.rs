//! A recorded journal that grows over time, for `jforensics watch`: a
//! fixture exported with journalctl, cut at given instants and written back
//! as one binary journal file per part with systemd-journal-remote; a
//! `Host` sees the parts arrive in a journal directory, as files journald
//! wrote or rotated.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use super::{repo, run_tool};

/// The parts of `fixture` cut at `cuts` (wall-clock µs, ascending), written
/// once per build into cargo's scratch directory. Tests running at once may
/// ask for the same parts: the first builds them, the others wait.
pub fn parts(fixture: &str, cuts: &[u64]) -> Vec<PathBuf> {
    static BUILT: Mutex<BTreeMap<String, Arc<OnceLock<Vec<PathBuf>>>>> =
        Mutex::new(BTreeMap::new());
    let tag = cuts.iter().fold(0u64, |h, c| {
        h.rotate_left(13) ^ c.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    });
    let name = format!("watch-{fixture}-{}parts-{tag:016x}", cuts.len() + 1);
    let cell = BUILT
        .lock()
        .unwrap()
        .entry(name.clone())
        .or_default()
        .clone();
    cell.get_or_init(|| {
        build(
            fixture,
            cuts,
            &Path::new(env!("CARGO_TARGET_TMPDIR")).join(name),
        )
    })
    .clone()
}

fn build(fixture: &str, cuts: &[u64], dir: &Path) -> Vec<PathBuf> {
    let parts: Vec<PathBuf> = (1..=cuts.len() + 1)
        .map(|k| dir.join(format!("p{k}.journal")))
        .collect();
    if dir.join(".complete").exists() {
        return parts;
    }
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let mut files = Vec::new();
    let source = repo().join("tests/fixtures").join(fixture).join("journal");
    for item in std::fs::read_dir(source).unwrap() {
        let path = item.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        let plain = dir.join(name.strip_suffix(".zst").unwrap());
        let mut out = std::fs::File::create(&plain).unwrap();
        std::io::copy(
            &mut zstd::Decoder::new(std::fs::File::open(&path).unwrap()).unwrap(),
            &mut out,
        )
        .unwrap();
        files.push(plain);
    }
    let mut args = vec!["-o".to_string(), "export".to_string()];
    for f in &files {
        args.push(format!("--file={}", f.display()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let export = run_tool("journalctl", &args);
    let mut streams = vec![Vec::new(); parts.len()];
    for (realtime, entry) in export_entries(&export) {
        let k = cuts.iter().filter(|c| realtime >= **c).count();
        streams[k].extend_from_slice(entry);
    }
    for (k, stream) in streams.iter().enumerate() {
        assert!(!stream.is_empty(), "{fixture}: part {} is empty", k + 1);
        let input = dir.join(format!("p{}.export", k + 1));
        std::fs::write(&input, stream).unwrap();
        run_tool(
            "/lib/systemd/systemd-journal-remote",
            &["-o", parts[k].to_str().unwrap(), input.to_str().unwrap()],
        );
        std::fs::remove_file(input).unwrap();
    }
    for f in files {
        std::fs::remove_file(f).unwrap();
    }
    std::fs::write(dir.join(".complete"), b"").unwrap();
    parts
}

/// Splits an export stream into entries with their wall-clock time. Binary
/// fields (a name line, a 64-bit length, the bytes) may hold blank lines.
pub fn export_entries(data: &[u8]) -> Vec<(u64, &[u8])> {
    let mut out = Vec::new();
    let (mut i, mut start, mut realtime) = (0, 0, 0);
    while i < data.len() {
        let nl = i + data[i..].iter().position(|b| *b == b'\n').unwrap();
        let line = &data[i..nl];
        if line.is_empty() {
            out.push((realtime, &data[start..=nl]));
            i = nl + 1;
            start = i;
        } else if line.contains(&b'=') {
            if let Some(t) = line.strip_prefix(b"__REALTIME_TIMESTAMP=") {
                realtime = std::str::from_utf8(t).unwrap().parse().unwrap();
            }
            i = nl + 1;
        } else {
            let n = u64::from_le_bytes(data[nl + 1..nl + 9].try_into().unwrap()) as usize;
            i = nl + 9 + n + 1;
        }
    }
    out
}

/// A journal directory, a state directory and a JSON lines sink.
pub struct Host {
    _tmp: tempfile::TempDir,
    pub journal: PathBuf,
    pub state: PathBuf,
    pub sink: PathBuf,
    parts: Vec<PathBuf>,
}

impl Host {
    pub fn new(parts: &[PathBuf]) -> Host {
        let tmp = tempfile::tempdir().unwrap();
        let journal = tmp.path().join("journal");
        std::fs::create_dir(&journal).unwrap();
        Host {
            state: tmp.path().join("state"),
            sink: tmp.path().join("findings.jsonl"),
            journal,
            parts: parts.to_vec(),
            _tmp: tmp,
        }
    }

    pub fn parts(&self) -> usize {
        self.parts.len()
    }

    /// journald wrote (or rotated) part `k` (1-based).
    pub fn add(&self, k: usize) {
        let part = &self.parts[k - 1];
        std::fs::hard_link(part, self.journal.join(part.file_name().unwrap())).unwrap();
    }

    /// journald vacuumed part `k`.
    pub fn remove(&self, k: usize) {
        let part = &self.parts[k - 1];
        std::fs::remove_file(self.journal.join(part.file_name().unwrap())).unwrap();
    }

    /// `jforensics watch` on this host, not yet started.
    pub fn command(&self, extra: &[&str], env: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jforensics"));
        cmd.arg("-D")
            .arg(&self.journal)
            .args(["--utc", "watch", "--state"])
            .arg(&self.state)
            .arg("--jsonl")
            .arg(&self.sink)
            .args(extra)
            .args(if extra.contains(&"--initial-lookback") {
                &[][..]
            } else {
                &["--initial-lookback", "3650d"][..]
            })
            .env_remove("STATE_DIRECTORY")
            .env_remove("JFORENSICS_WATCH_CRASH_AT")
            .env_remove("JFORENSICS_WATCH_TRACE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn watch_with(&self, extra: &[&str], env: &[(&str, &str)]) -> Output {
        self.command(extra, env)
            .output()
            .expect("run jforensics watch")
    }

    /// A run that must succeed; returns the records it appended.
    pub fn watch(&self) -> Vec<Value> {
        let before = self.records().len();
        let out = self.watch_with(&[], &[]);
        assert!(
            out.status.success(),
            "watch failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.records()[before..].to_vec()
    }

    /// Every record in the sink; each line must be a whole JSON object.
    pub fn records(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.sink).unwrap_or_default();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    pub fn state_file(&self) -> PathBuf {
        std::fs::read_dir(&self.state)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "json"))
            .expect("a state file")
    }
}
